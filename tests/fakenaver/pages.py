"""Bodies the fake Naver serves, built from the real saved pages in shared/fixtures/naver."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape, unescape
from pathlib import Path

from .world import SECTION_NAMES, ArticleSpec

__all__ = [
    "EUCKR_HTML",
    "UTF8_HTML",
    "article_page",
    "body_html",
    "fixture_path",
    "fixture_title",
    "not_found_page",
    "old_list_page",
    "section_fragment",
    "section_json",
]

UTF8_HTML = "text/html;charset=UTF-8"
EUCKR_HTML = "text/html;charset=EUC-KR"

# Slots in prepared templates look like \x00name\x00 (NUL never occurs in the saved pages).
_SLOT_RE = re.compile(r"\x00(\w+)\x00")


def _slot(name: str) -> str:
    return f"\x00{name}\x00"


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_path(relpath: str) -> Path:
    """A saved page, from the copies in ``tests/fixtures`` (originals: shared/fixtures/naver).

    ``articles/<stem>.html`` is ``tests/fixtures/articles/<stem>/body.html``; ``listings/``
    and ``other/`` keep their names.
    """
    folder, _, name = relpath.partition("/")
    if folder == "articles":
        return FIXTURES / "articles" / name.removesuffix(".html") / "body.html"
    return FIXTURES / folder / name


@functools.cache
def _read(relpath: str) -> str:
    path = fixture_path(relpath)
    if relpath.endswith(".euc-kr.html"):
        return path.read_bytes().decode("cp949")
    return path.read_text(encoding="utf-8")


class _Template:
    """A page split into literal text and named slots, rendered by joining."""

    def __init__(self, text: str) -> None:
        self._parts = _SLOT_RE.split(text)  # even indexes: literal text; odd: slot names

    def render(self, values: dict[str, str]) -> str:
        parts = self._parts
        out = [parts[i] if i % 2 == 0 else values[parts[i]] for i in range(len(parts))]
        return "".join(out)


def _sub_once(pattern: str, repl: str, text: str, what: str, flags: int = 0) -> str:
    new, count = re.subn(pattern, repl, text, flags=flags)
    if count == 0:
        raise ValueError(f"fixture markup changed: {what} not found")
    return new


def korean_time(stamp: str) -> str:
    """``2024-01-22 23:01:01`` -> ``2024.01.22. 오후 11:01`` (how Naver displays times)."""
    dt = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    half = "오전" if dt.hour < 12 else "오후"
    return f"{dt:%Y.%m.%d}. {half} {dt.hour % 12 or 12}:{dt:%M}"


# -- articles -------------------------------------------------------------------------------


def fixture_title(stem: str) -> str:
    """The headline of a saved article page."""
    text = _read(f"articles/{stem}.html")
    for pattern in (
        r'<meta\s+property="og:title"\s+content="([^"]*)"',
        r'<h3 id="articleTitle"[^>]*>([^<]*)<',
        r"<title>([^<]*)</title>",
    ):
        match = re.search(pattern, text)
        if match:
            return unescape(match.group(1)).strip()
    raise ValueError(f"no title in fixture {stem}")


def _element_inner_span(text: str, marker: str) -> tuple[int, int]:
    """Start and end offsets of the inner HTML of the element whose start tag has ``marker``."""
    at = text.index(marker)
    start_tag = text.rindex("<", 0, at)
    tag_match = re.match(r"<(\w+)", text[start_tag:])
    if tag_match is None:
        raise ValueError(f"no tag around {marker!r}")
    tag = tag_match.group(1)
    inner_start = text.index(">", at) + 1
    depth = 1
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", text[inner_start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return inner_start, inner_start + match.start()
    raise ValueError(f"unclosed <{tag}> around {marker!r}")


@functools.cache
def _article_template(base: str) -> _Template:
    text = _read(f"articles/{base}.html")
    base_oid, base_aid = base.split("_")[-2:]
    # The body goes first: its text must not take part in the substitutions below.
    inner_start, inner_end = _element_inner_span(text, 'id="dic_area"')
    text = text[:inner_start] + _slot("body") + text[inner_end:]
    text = re.sub(rf"(?<!\d){base_oid}(?!\d)", _slot("oid"), text)
    text = text.replace(base_aid, _slot("aid"))
    meta = r'(<meta\s+{attr}="{name}"\s+content=")[^"]*(")'
    for attr, name, slot in (
        ("property", "og:url", "og_url"),
        ("property", "og:title", "title_attr"),
        ("name", "twitter:title", "title_attr"),
        ("property", "og:description", "lede_attr"),
        ("name", "twitter:description", "lede_attr"),
        ("name", "twitter:creator", "press_attr"),
    ):
        text = _sub_once(meta.format(attr=attr, name=name), rf"\g<1>{_slot(slot)}\2", text, name)
    text = _sub_once(
        meta.format(attr="property", name="og:article:author"),
        rf"\g<1>{_slot('press_attr')} | 네이버\2",
        text,
        "og:article:author",
    )
    text = _sub_once(
        r'(<meta\s+name="napp-site-analysis"\s+content="[^"]*section=)\w+',
        rf"\g<1>{_slot('sid1')}",
        text,
        "napp-site-analysis",
    )
    text = _sub_once(r"<title>[^<]*</title>", f"<title>{_slot('title')}</title>", text, "title")
    # h2#title_area > span since 2023; a bare h2.media_end_head_headline in the 2022 layout.
    text, count = re.subn(
        r'(<h2 id="title_area"[^>]*>\s*<span>).*?(</span>)',
        rf"\g<1>{_slot('title')}\2",
        text,
        flags=re.DOTALL,
    )
    if count == 0:
        text = _sub_once(
            r'(<h2 class="media_end_head_headline">).*?(</h2>)',
            rf"\g<1>{_slot('title')}\2",
            text,
            "h2#title_area",
            re.DOTALL,
        )
    text = _sub_once(
        r'(data-date-time=")[^"]*("[^>]*>)[^<]*(</span>)',
        rf"\g<1>{_slot('published')}\g<2>{_slot('published_display')}\3",
        text,
        "data-date-time",
    )
    # The modified time: one slot where the base has its bunch, or right after the
    # published bunch when it has none.
    modify_bunch = (
        r'<div class="media_end_head_info_datestamp_bunch">(?:(?!</div>).)*?'
        r"_ARTICLE_MODIFY_DATE_TIME.*?</div>"
    )
    text, count = re.subn(modify_bunch, _slot("modified_bunch"), text, flags=re.DOTALL)
    if count == 0:
        text = _sub_once(
            r'(<div class="media_end_head_info_datestamp_bunch">(?:(?!</div>).)*?'
            r"_ARTICLE_DATE_TIME.*?</div>)",
            rf"\g<1>{_slot('modified_bunch')}",
            text,
            "published datestamp bunch",
            re.DOTALL,
        )

    def press_img(match: re.Match[str]) -> str:
        tag = re.sub(r'\balt="[^"]*"', f'alt="{_slot("press_attr")}"', match.group(0))
        return re.sub(r'\btitle="[^"]*"', f'title="{_slot("press_attr")}"', tag)

    text, count = re.subn(r"<img\b[^>]*media_end_head_top_logo_img[^>]*>", press_img, text)
    if count == 0:
        raise ValueError("fixture markup changed: press logo not found")
    text = re.sub(
        r'(<span class="media_end_head_top_(?:logo_text|press)\b[^"]*"[^>]*>)[^<]*(</span>)',
        rf"\g<1>{_slot('press')}\2",
        text,
    )
    item = r'<em class="media_end_categorize_item">[^<]*</em>'
    text = re.sub(rf"{item}(?:\s*,\s*{item})*", _slot("categories"), text)
    return _Template(text)


def body_html(spec: ArticleSpec) -> str:
    """Inner HTML of ``#dic_area``: the summary, then paragraphs separated by ``<br><br>``."""
    summary = ""
    if spec.summary:
        lines = "<br>".join(escape(line, quote=False) for line in spec.summary.splitlines())
        summary = f'<strong class="media_end_summary">{lines}</strong>'
    paragraphs = "<br><br>".join(escape(p, quote=False) for p in spec.paragraphs)
    return f"\n\t\t\t{summary}{paragraphs}\n\t\t"


def _modified_bunch(spec: ArticleSpec) -> str:
    if spec.modified is None:
        return ""
    return (
        '<div class="media_end_head_info_datestamp_bunch">'
        '<em class="media_end_head_info_datestamp_term">수정</em>'
        '<span class="media_end_head_info_datestamp_time _ARTICLE_MODIFY_DATE_TIME"'
        f' data-modify-date-time="{spec.modified}">{korean_time(spec.modified)}</span></div>'
    )


def synthesise_article(spec: ArticleSpec) -> str:
    """The page of ``spec``: its base fixture page with this article's fields and body."""
    section = SECTION_NAMES.get(spec.sid1, spec.sid1)
    return _article_template(spec.base).render(
        {
            "oid": spec.oid,
            "aid": spec.aid,
            "body": body_html(spec),
            "og_url": f"{spec.url}?sid&#x3D;{spec.sid1}",
            "title": escape(spec.title, quote=False),
            "title_attr": escape(spec.title),
            "lede_attr": escape(spec.lede),
            "press": escape(spec.publisher, quote=False),
            "press_attr": escape(spec.publisher),
            "sid1": spec.sid1,
            "published": spec.published,
            "published_display": korean_time(spec.published),
            "modified_bunch": _modified_bunch(spec),
            "categories": f'<em class="media_end_categorize_item">{escape(section)}</em>',
        }
    )


def article_page(spec: ArticleSpec) -> tuple[bytes, str]:
    """Body and Content-Type of an article page.

    A ``fixture`` article is the saved page verbatim; the legacy ``read.nhn`` one goes out
    as EUC-KR (the stored copy was re-encoded to UTF-8 by whoever saved it).
    """
    if spec.fixture is not None:
        text = _read(f"articles/{spec.fixture}.html")
        if spec.fixture.startswith("legacy_"):
            return text.encode("cp949"), EUCKR_HTML
        return text.encode("utf-8"), UTF8_HTML
    return synthesise_article(spec).encode("utf-8"), UTF8_HTML


def not_found_page() -> bytes:
    """A small error page (no ``#title_area``), like Naver's for a missing article."""
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
        "<title>네이버 뉴스</title>\n</head>\n<body>\n"
        '<div class="error_content">\n<h2 class="error_title">'
        "요청하신 페이지를 찾을 수 없습니다.</h2>\n"
        '<p class="error_desc">존재하지 않거나 삭제된 기사입니다.</p>\n'
        "</div>\n</body>\n</html>\n"
    ).encode()


# -- the section "more" endpoint --------------------------------------------------------------

_SECTION_FIXTURE = "listings/section_100_2026-05-30.html"


@functools.cache
def _section_parts() -> tuple[str, str, _Template]:
    """(wrapper start tag, template div start tag, card template) from the saved section page."""
    text = _read(_SECTION_FIXTURE)
    at = text.index('<div class="section_latest_article')
    wrapper = text[at : text.index(">", at) + 1]
    inner_at = text.index('<div class="section_article _TEMPLATE"', at)
    inner = text[inner_at : text.index(">", inner_at) + 1]
    li_at = text.index('<li class="sa_item', at)
    card = text[text.rindex("\n", 0, li_at) + 1 : text.index("</li>", li_at) + len("</li>")]
    href = re.search(r'href="https://n\.news\.naver\.com/mnews/article/(\d{3})/(\d{10})"', card)
    if href is None:
        raise ValueError("fixture markup changed: no article link in the first sa_item")
    oid, aid = href.groups()
    card = card.replace(f"{oid}/{aid}", f"{_slot('oid')}/{_slot('aid')}")
    card = card.replace(f"news{oid},{aid}", f"news{_slot('oid')},{_slot('aid')}")
    card = re.sub(r'data-gdid="[^"]*"', f'data-gdid="{_slot("gdid")}"', card)
    card = re.sub(r'data-rank="\d+"', f'data-rank="{_slot("rank")}"', card)
    card = _sub_once(
        rf"/image/origin/{oid}/\d{{4}}/\d\d/\d\d/\d+\.jpg",
        f"/image/origin/{_slot('oid')}/{_slot('img_day')}/{_slot('img_id')}.jpg",
        card,
        "sa_item thumbnail",
    )
    for cls, slot in (
        ("sa_text_strong", "title"),
        ("sa_text_lede", "lede"),
        ("sa_text_press", "press"),
    ):
        card = _sub_once(rf'(class="{cls}">)[^<]*(</)', rf"\g<1>{_slot(slot)}\2", card, f".{cls}")
    card = _sub_once(
        r'(<div class="sa_text_datetime)[^"]*(">\s*<b>)[^<]*(</b>)',
        rf"\1\g<2>{_slot('when')}\3",
        card,
        ".sa_text_datetime",
    )
    return wrapper, inner, _Template(card)


def _card(spec: ArticleSpec, rank: int, template: _Template) -> str:
    return template.render(
        {
            "oid": spec.oid,
            "aid": spec.aid,
            "gdid": f"880000{int(spec.oid) % 256:02X}_{spec.aid:0>24}",
            "rank": str(rank),
            "img_day": spec.published[:10].replace("-", "/"),
            "img_id": str(int(spec.aid)),
            "title": escape(spec.title),
            "lede": escape(spec.lede),
            "press": escape(spec.publisher),
            "when": korean_time(spec.published),
        }
    )


def section_fragment(
    *,
    template_name: str,
    sid1: str,
    sid2: str,
    day: str,
    page_no: str,
    items: Sequence[ArticleSpec],
    has_next: bool,
    cursor: str,
) -> str:
    """The HTML fragment of one page of the section latest list (real ``sa_item`` cards)."""
    wrapper, inner, card = _section_parts()
    for attr, value in (
        ("data-sid", sid1),
        ("data-sid2", sid2),
        ("data-has-next", "true" if has_next else "false"),
        ("data-cursor", cursor),
        ("data-page-no", page_no),
        ("data-date", day),
        ("data-template", template_name),
    ):
        wrapper = re.sub(rf'(\s{attr}=")[^"]*(")', rf"\g<1>{escape(value)}\2", wrapper)
    inner = re.sub(r'(data-template-id=")[^"]*(")', rf"\g<1>{template_name}\2", inner)
    cards = "\n".join(_card(spec, rank, card) for rank, spec in enumerate(items, 1))
    return f'{wrapper}\n{inner}\n\t<ul class="sa_list">\n{cards}\n\t</ul>\n</div>\n</div>'


def section_json(template_name: str, fragment: str) -> bytes:
    """The JSON envelope of the section template endpoint."""
    payload = {"renderedComponent": {template_name: fragment}}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# -- the old list.naver pages ---------------------------------------------------------------

_OLD_LIST_FIXTURE = "listings/list_LSD_100_20260530.euc-kr.html"


@functools.cache
def _old_list_parts() -> tuple[_Template, _Template, _Template]:
    """(page, item with photo, item without) from the saved LSD page.

    The page keeps everything real except the list, ``div.paging``, ``div.pagenavi_day``
    and the date in the left menu, which become slots.
    """
    text = _read(_OLD_LIST_FIXTURE)
    head_at = text.index('<ul class="type06_headline">')
    rest_at = text.index('<ul class="type06">', head_at)
    list_end = text.index("</ul>", rest_at) + len("</ul>")
    li_at = text.index("<li>", head_at)
    item = text[text.rindex("\n", 0, li_at) + 1 : text.index("</li>", li_at) + len("</li>")]
    if '<dt class="photo">' not in item:
        raise ValueError("fixture markup changed: first list item has no photo")
    page = text[:head_at] + _slot("list") + text[list_end:]
    page = _sub_once(
        r'<div class="paging">.*?</div>', _slot("paging"), page, "div.paging", re.DOTALL
    )
    page = _sub_once(
        r'(<div class="pagenavi_day">).*?(</div>)',
        rf"\g<1>{_slot('pagenavi_day')}\2",
        page,
        "div.pagenavi_day",
        re.DOTALL,
    )
    page = _sub_once(
        r'(<span class="lnb_date">).*?(</span></span>)',
        rf"\g<1>{_slot('lnb_date')}\2",
        page,
        "span.lnb_date",
    )
    item = re.sub(
        r"https://n\.news\.naver\.com/mnews/article/\d{3}/\d{10}\?sid=\d+",
        _slot("url"),
        item,
    )
    item = _sub_once(r'(<img src=")[^"]*(")', rf"\g<1>{_slot('img')}\2", item, "list photo")
    item = _sub_once(r'(\balt=")[^"]*(")', rf"\g<1>{_slot('title_attr')}\2", item, "photo alt")
    item = _sub_once(
        r"(<dt>\s*<a [^>]*>\s*)[^<]*?(\s*</a>)",
        rf"\g<1>{_slot('title')}\2",
        item,
        "list title",
    )
    item = _sub_once(r'(<span class="lede">)[^<]*(</span>)', rf"\1{_slot('lede')}\2", item, "lede")
    item = _sub_once(
        r'(<span class="writing">)[^<]*(</span>)', rf"\1{_slot('press')}\2", item, "writing"
    )
    item = _sub_once(
        r'<span class="date[^"]*">[^<]*</span>',
        f'<span class="date">{_slot("when")}</span>',
        item,
        "date",
    )
    no_photo = re.sub(r'\s*<dt class="photo">.*?</dt>', "", item, count=1, flags=re.DOTALL)
    return _Template(page), _Template(item), _Template(no_photo)


_WEEKDAYS = "월화수목금토일"


def _pagenavi_day(query: str, day: str) -> str:
    """The day and the four before it, linked (``div.pagenavi_day``)."""
    current = datetime.strptime(day, "%Y%m%d")

    def label(d: datetime) -> str:
        return f"{d.month}월{d.day}일({_WEEKDAYS[d.weekday()]})"

    parts = [f'<span class="viewday">{label(current)}</span>']
    base = re.sub(r"&?date=\d*", "", query)
    for back in range(1, 5):
        d = current - timedelta(days=back)
        parts.append(
            f'<span class="devidebar">&middot;</span><a href="?{base}&date={d:%Y%m%d}"'
            f' class="nclicks(fls.date)">{label(d)}</a>'
        )
    return "\n" + "".join(parts)


def _old_item(spec: ArticleSpec, index: int, photo: _Template, plain: _Template) -> str:
    # Every third item has no photo, as on the real lists (``dt.photo`` is optional).
    template = plain if index % 3 == 2 else photo
    return template.render(
        {
            "url": f"{spec.url}?sid={spec.sid1}",
            "img": (
                f"https://imgnews.pstatic.net/image/origin/{spec.oid}/"
                f"{spec.published[:10].replace('-', '/')}/{int(spec.aid)}.jpg"
                "?type=ofullfill106_72"
            ),
            "title_attr": escape(spec.title),
            "title": escape(spec.title, quote=False),
            "lede": escape(spec.lede, quote=False),
            "press": escape(spec.publisher, quote=False),
            "when": korean_time(spec.published),
        }
    )


def _paging(query: str, page: int, last: int) -> str:
    """``div.paging``: blocks of 10 pages, ``pre``/``next`` links to the neighbouring blocks."""
    first = (page - 1) // 10 * 10 + 1
    block_end = min(first + 9, last)
    cls = "nclicks(fls.page)"
    lines = ['<div class="paging">']
    if first > 1:
        lines.append(f'<a href="?{query}&page={first - 1}" class="pre {cls}">이전</a>')
    for number in range(first, block_end + 1):
        if number == page:
            lines.append(f"<strong>{number}</strong>")
        else:
            lines.append(f'<a href="?{query}&page={number}" class="{cls}">{number}</a>')
    if block_end < last:
        lines.append(f'<a href="?{query}&page={block_end + 1}" class="next {cls}">다음</a>')
    lines.append("</div>")
    return "\n".join(lines)


def old_list_page(
    *, query: str, day: str, page: int, last_page: int, items: Sequence[ArticleSpec]
) -> bytes:
    """One page of an old ``list.naver`` list, EUC-KR encoded like the real server's.

    ``query`` is the list's query string without ``page`` (used by the paging links).
    """
    template, photo, plain = _old_list_parts()
    half = (len(items) + 1) // 2  # the real page: 10 in type06_headline, then 10 in type06
    rendered = [_old_item(spec, i, photo, plain) for i, spec in enumerate(items)]
    headline = "\n".join(rendered[:half])
    rest = "\n".join(rendered[half:])
    current = datetime.strptime(day, "%Y%m%d")
    text = template.render(
        {
            "list": (
                f'<ul class="type06_headline">\n{headline}\n\t\t\t\t\t\t</ul>\n'
                f'\t\t\t\t\t\t<ul class="type06">\n{rest}\n\t\t\t\t\t\t</ul>'
            ),
            "paging": _paging(query, page, last_page),
            "pagenavi_day": _pagenavi_day(query, day),
            "lnb_date": (
                f"<strong>{current:%m}</strong>.<strong>{current:%d}</strong>"
                f'<span class="day">({_WEEKDAYS[current.weekday()]})'
            ),
        }
    )
    return text.encode("cp949", errors="xmlcharrefreplace")


def rendered_app_page(spec: ArticleSpec, host: str) -> bytes:
    """An m.sports / m.entertain article page: an app shell whose script builds the article.

    The article text is base64 inside the script, so it is not in the HTML a plain client
    sees; after the script runs (a short timer, like an app fetching its data) the DOM has
    the markup newsbot's rendered layouts read: ``h2[class*=article_title]``, the press logo,
    ``em.date``, ``div._article_content`` with the ``#dic_area`` body, and a byline.
    """
    import base64
    import json as _json

    data = {
        "title": spec.title,
        "press": spec.publisher,
        "date": korean_time(spec.published),
        "body": body_html(spec),
        "byline": f"{spec.publisher} 기자",
        "section": "스포츠" if "sports" in host else "연예",
    }
    encoded = base64.b64encode(_json.dumps(data, ensure_ascii=False).encode()).decode()
    site = "네이버 스포츠" if "sports" in host else "네이버 엔터"
    return (
        '<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">'
        f'<title>{site}</title></head><body><div id="root"><div class="loading"></div></div>'
        "<script>\n"
        f'var payload = "{encoded}";\n'
        "setTimeout(function () {\n"
        "  var bytes = Uint8Array.from(atob(payload), function (c) { return c.charCodeAt(0); });\n"
        "  var d = JSON.parse(new TextDecoder().decode(bytes));\n"
        "  var esc = function (t) { var e = document.createElement('span'); e.textContent = t;"
        " return e.innerHTML; };\n"
        "  document.getElementById('root').innerHTML ="
        ' \'<div class="NewsEndMain_comp_news_article__x1" id="comp_news_article">\''
        " + '<div class=\"ArticleHead_article_head__x2\">'"
        " + '<span class=\"ArticleHead_section_name__x3\">' + esc(d.section) + '</span>'"
        " + '<div class=\"ArticleHead_press_logo__x4\"><img alt=\"' + esc(d.press) + '\"></div>'"
        " + '<h2 class=\"ArticleHead_article_title__x5\">' + esc(d.title) + '</h2>'"
        ' + \'<div class="ArticleHead_article_head_info__x6"><em class="date">\''
        " + esc(d.date) + '</em></div></div>'"
        " + '<div class=\"_article_content\">' + d.body + '</div>'"
        " + '<p class=\"NewsEnd_byline__x7\">' + esc(d.byline) + '</p></div>';\n"
        "}, 300);\n"
        "</script></body></html>"
    ).encode()
