"""The doctor's checks, pure: the bytes of one answer in, a ``Check`` out (ok, drift, failed,
skipped or quiet), with the shapes and the selectors it saw."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from parsel import Selector

from newsbot.article import finalize, page_for, selector_from_bytes
from newsbot.comments import parse_comment_page
from newsbot.dates import now_kst, to_iso
from newsbot.errors import ArticleNotFound, describe_exception
from newsbot.pages import LAYOUTS
from newsbot.pages.api import API_LAYOUTS
from newsbot.pages.base import ArticlePage, css_all, string_of
from newsbot.pages.listings import TEMPLATE_KEY, Listing
from newsbot.search import parse_search_page, refusal
from newsbot.sources import SOURCES, Walk, cursor_day, cursor_is_known
from newsbot.text import clean_inline
from newsbot.urls import ArticleId

OK, DRIFT, FAILED, SKIPPED, QUIET = "ok", "drift", "failed", "skipped", "quiet"
#: QUIET: a list in its known shape that lists nothing for the day (a quiet day, a small
#: press): nothing wrong with how it is read, nothing to check past it either.

#: The longest piece of an article the report holds, per field.
MAX_FIELD_CHARS = 200
#: Fields a crawl writes; ``WATCHED`` ones missing on every article checked fail the check.
FIELDS = (
    "title",
    "publisher",
    "published_at",
    "modified_at",
    "authors",
    "categories",
    "sid",
    "original_url",
    "subtitle",
    "images",
    "content",
)
WATCHED = ("title", "content", "published_at", "publisher", "sid")
#: Fields most articles have: missing on every article checked is drift (a byline or the
#: categories may have moved), not yet a loss.
EXPECTED = ("authors", "categories")
#: Queries that are a layout's last resort (the page's meta tags, its <title>, the date as
#: shown, without seconds): a value from one of these means the layout's own element is gone.
_FALLBACK_QUERIES = ("meta ", "title::text", "span.media_end_head_info_datestamp_time")
_PLAYER_QUERY = ".vod_player_wrap, ._VOD_PLAYER_WRAP, .video_area, .end_video"
_CAPTION_QUERY = "em.img_desc, figcaption"
_CAPTCHA_MARKERS = (b"captcha", "자동입력 방지".encode(), "비정상적인 접근".encode())
#: A 200 answer shorter than this (besides whitespace) is no page: a sign of blocking.
_EMPTY_BYTES = 64


@dataclass
class Check:
    """One step's result: ``status`` is ok, drift, failed or skipped."""

    step: str
    status: str
    detail: str
    shapes: dict[str, Any] = field(default_factory=dict)
    order: int = 0


def sample(value: Any) -> Any:
    """A field as the report shows it: text cut to ``MAX_FIELD_CHARS``, lists as counts."""
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    if isinstance(value, list):
        return len(value)
    return value


def blocking_sign(status: int, body: bytes) -> str | None:
    """Why an answer looks like blocking (403, 429, a 200 with next to nothing in it), or
    None. A short answer that is well-formed JSON (``[]``, ``{"result":{}}``) is no sign:
    its step reads it (a list that lists nothing is quiet, one of another shape drift)."""
    if status in (403, 429):
        return f"HTTP {status}"
    if status == 200 and len(body.strip()) < _EMPTY_BYTES:
        try:
            json.loads(body)
        except ValueError:
            return f"an empty answer ({len(body)} bytes)"
    return None


def captcha_sign(body: bytes) -> str | None:
    """A captcha or 'unusual access' page (looked for only in an answer that is not what
    was expected: an article may be about captchas)."""
    lowered = body[:200_000].lower()
    return "a captcha page" if any(m in lowered for m in _CAPTCHA_MARKERS) else None


def cursor_shape(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {"present": False}
    if cursor.isdigit():
        alphabet = "digits"
    elif cursor.isalnum():
        alphabet = "letters and digits"
    else:
        alphabet = "letters, digits and " + "".join(sorted({c for c in cursor if not c.isalnum()}))
    day = cursor_day(cursor)
    return {
        "present": True,
        "value": cursor[:80],
        "length": len(cursor),
        "alphabet": alphabet,
        "known": cursor_is_known(cursor),
        "day": day.isoformat() if day else None,
    }


def check_robots(host: str, status: int, body: bytes, obey: bool) -> Check:
    step = f"robots.txt {host}"
    if status in (403, 429):
        return Check(step, FAILED, f"blocked: HTTP {status}", {"status": status})
    if status != 200:
        return Check(step, OK, f"no robots.txt (HTTP {status})", {"status": status})
    text = body.decode("utf-8", "replace")
    disallows_all, agent_all = False, False
    for line in text.splitlines():
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "user-agent":
            agent_all = value == "*"
        elif name == "disallow" and agent_all and value == "/":
            disallows_all = True
    shapes = {"status": status, "bytes": len(body), "disallows_all": disallows_all}
    if disallows_all and obey:
        return Check(
            step,
            FAILED,
            "disallows every crawler and ROBOTSTXT_OBEY is on: a crawl would collect nothing",
            shapes,
        )
    if disallows_all:
        return Check(
            step,
            OK,
            "disallows every crawler (as in 2026); ROBOTSTXT_OBEY is off: whoever crawls decides",
            shapes,
        )
    return Check(step, OK, "does not disallow every crawler", shapes)


def check_cursor_page(
    body: bytes,
    content_type: str | None,
    url: str,
    walk: Walk,
    page: int,
    previous: str | None,
) -> tuple[Check, Listing | None]:
    """One page of a cursor list: cards, their title links, the cursor."""
    sid1, sid2 = walk.scope
    step = f"cursor list {sid1}/{sid2} page {page}"
    try:
        listing = SOURCES[walk.source].parse(body, content_type, url, walk)
        fragment = json.loads(body)["renderedComponent"][TEMPLATE_KEY]
    except Exception as exc:
        why = captcha_sign(body) or f"not in the known shape ({describe_exception(exc)})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    sel = Selector(text=fragment or "<html/>")
    titles = len(sel.css("li.sa_item a.sa_text_title"))
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "cards": listing.cards,
        "articles": len(listing.articles),
        "rejected_links": listing.rejected,
        "has_next": listing.has_next,
        "cursor": cursor_shape(listing.cursor),
        "selectors": {
            "li.sa_item": listing.cards,
            "li.sa_item a.sa_text_title": titles,
            "[data-has-next]": len(sel.css("[data-has-next]")),
        },
    }
    if listing.cards and not listing.paging_said:
        return Check(
            step,
            DRIFT,
            f"{listing.cards} card(s), but the page does not say whether there is a next page "
            "([data-has-next] gone): a crawl hands every walk to list.naver",
            shapes,
        ), listing
    if not listing.cards:
        if page > 1:
            return Check(
                step, DRIFT, f"no cards, though page {page - 1} said there is more", shapes
            ), listing
        return Check(
            step,
            FAILED,
            f"no cards: li.sa_item found nothing in an answer of {len(body):,} bytes",
            shapes,
        ), listing
    if not listing.articles:
        return Check(
            step,
            FAILED,
            f"{listing.cards} cards but no article link in them "
            "(li.sa_item a.sa_text_title, li.sa_item a)",
            shapes,
        ), listing
    notes = [f"{listing.cards} card(s), {len(listing.articles)} article(s)"]
    status = OK
    if not titles:
        status = DRIFT
        notes.append("the title links (a.sa_text_title) are gone: the cards' other links used")
    if listing.rejected:
        status = DRIFT
        notes.append(f"{listing.rejected} link(s) that are no article URL")
    cursor = listing.cursor
    if listing.has_next and not cursor:
        status = DRIFT
        notes.append("says there is more but gives no cursor: a crawl falls back to list.naver")
    elif cursor:
        shape = shapes["cursor"]
        if not shape["known"]:
            status = DRIFT
            notes.append(
                f"a cursor of a new shape: {shape['length']} characters, {shape['alphabet']} "
                "(known: 19 or 14 digits); passed back as it is"
            )
        else:
            notes.append(f"cursor of {shape['length']} digits")
        if previous is not None and cursor == previous:
            status = DRIFT
            notes.append("the cursor did not change: a crawl falls back to list.naver")
        elif previous is not None:
            notes.append("the cursor changed")
    if not listing.has_next:
        notes.append("no next page" + (": paging not checked" if page == 1 else ""))
    return Check(step, status, "; ".join(notes), shapes), listing


def check_list(
    step: str, source: str, body: bytes, content_type: str | None, url: str, walk: Walk
) -> tuple[Check, Listing | None]:
    """The old date list, a press list, or a sports/entertainment JSON list."""
    try:
        listing = SOURCES[source].parse(body, content_type, url, walk)
    except Exception as exc:
        why = captcha_sign(body) or f"not in the known shape ({describe_exception(exc)})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    shapes = {
        "bytes": len(body),
        "cards": listing.cards,
        "articles": len(listing.articles),
        "rejected_links": listing.rejected,
        "total": listing.total,
        "pages_linked": listing.pages,
    }
    if not listing.articles:
        if SOURCES[source].accept_json and not listing.cards:
            # A JSON list that lists nothing, in its known shape: a quiet day, never a block.
            return Check(step, QUIET, "quiet: no article listed for the day", shapes), listing
        what = "items" if SOURCES[source].accept_json else "ul.type06_headline / ul.type06 items"
        return Check(step, FAILED, f"no article: {what} gave none", shapes), listing
    status = DRIFT if listing.rejected else OK
    detail = f"{len(listing.articles)} article(s)"
    if listing.total is not None:
        detail += f" of {listing.total}"
    if listing.rejected:
        detail += f"; {listing.rejected} item(s) that name no article"
    return Check(step, status, detail, shapes), listing


@dataclass
class FieldSeen:
    present: bool
    value: Any = None
    source: str | None = None  # the query that gave it
    fallback: bool = False  # the layout's own element gave nothing: a last resort did
    tried: list[str] = field(default_factory=list)  # queries that found nothing


def _fields(page: ArticlePage) -> dict[str, FieldSeen]:
    seen: dict[str, FieldSeen] = {}
    for name in FIELDS:
        page.trace = []
        try:
            value = getattr(page, name)()
        except Exception as exc:  # a field that breaks on this page: missing, and why
            value, page.trace = None, [(f"error: {describe_exception(exc)}", False)]
        trace, page.trace = page.trace, None
        if name == "authors":
            value = [a["name"] for a in value or []]
        present = value not in (None, "", [])
        source = next((q for q, ok in trace if ok), None)
        tried = list(dict.fromkeys(q for q, ok in trace if not ok and q != source))
        elements_tried = [q for q in tried if not q.startswith(_FALLBACK_QUERIES)]
        fallback = bool(
            present and source and source.startswith(_FALLBACK_QUERIES) and elements_tried
        )
        seen[name] = FieldSeen(present, sample(value), source, fallback, tried)
    return seen


def check_news_article(
    article_id: ArticleId, body: bytes, content_type: str | None, day: date
) -> tuple[Check, dict[str, FieldSeen] | None]:
    """An n.news page read as the crawl reads it, each field's selector noted."""
    step = f"article n.news {article_id.key}"
    selector = selector_from_bytes(body, content_type)
    try:
        page = page_for(article_id, selector)
    except ArticleNotFound as exc:
        return Check(step, DRIFT, f"the page holds no article ({exc})", {"bytes": len(body)}), None
    except Exception as exc:
        markers = ", ".join(dict.fromkeys(m for layout in LAYOUTS for m in layout.markers))
        why = captcha_sign(body) or f"{describe_exception(exc)} (layout markers: {markers})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    seen = _fields(page)
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "layout": page.name,
        "fields": {name: asdict(f) for name, f in seen.items()},
    }
    notes: list[str] = [f"layout {page.name}"]
    status = OK
    try:
        article = finalize(page.to_article(to_iso(now_kst())))
    except Exception as exc:
        missing = [n for n in WATCHED if not seen[n].present]
        tried = "; ".join(f"{n}: {', '.join(seen[n].tried) or '-'}" for n in missing)
        detail = f"a crawl would fail it: {describe_exception(exc)}"
        return Check(
            step, FAILED, detail + (f" (found nothing: {tried})" if tried else ""), shapes
        ), seen
    content = article.content or ""
    shapes["body_chars"] = len(content)
    shapes["content_hash"] = article.content_hash
    glued, played = kept_out(page, content, shapes)
    notes.append(f"body {len(content):,} characters")
    missing = [n for n in FIELDS if not seen[n].present]
    if missing:
        notes.append(f"absent: {', '.join(missing)}")
    for name, f in seen.items():
        if f.fallback:
            status = DRIFT
            notes.append(f"{name} from {f.source} ({', '.join(f.tried)} found nothing)")
    if glued:
        status = DRIFT
        notes.append(f"{glued} photo caption(s) in the text")
    if played:
        status = DRIFT
        notes.append(f"{played} video player(s) in the text")
    published = article.published_at
    shapes["published_at"] = published
    if published:
        when = datetime.fromisoformat(published).date()
        if abs((when - day).days) > 1:
            status = DRIFT
            notes.append(f"published {when}, listed on {day}")
    notes.append(f"hash {str(article.content_hash)[:12]}…")
    return Check(step, status, "; ".join(notes), shapes), seen


def kept_out(page: ArticlePage, content: str, shapes: dict[str, Any]) -> tuple[int, int]:
    """How many photo captions and video players of the page's body are in the text (none
    should be); counts also go to ``shapes``."""
    captions = [clean_inline(string_of(e)) or "" for e in css_all(page.sel, _CAPTION_QUERY)]
    glued = sum(1 for c in captions if len(c) >= 4 and c in content)
    players = [clean_inline(string_of(e)) or "" for e in css_all(page.sel, _PLAYER_QUERY)]
    played = sum(1 for p in players if len(p) >= 10 and p in content)
    shapes["captions"], shapes["captions_in_text"] = len(captions), glued
    shapes["players"], shapes["players_in_text"] = len(players), played
    return glued, played


def check_fields(seen: list[dict[str, FieldSeen]]) -> Check:
    """A field missing on every n.news article checked is a field a crawl would lose."""
    step = f"fields of {len(seen)} n.news article(s)"
    if not seen:
        return Check(step, FAILED, "no n.news article could be read")
    shapes = {name: sum(1 for s in seen if s[name].present) for name in FIELDS}
    lost = [name for name in WATCHED if shapes[name] == 0]
    if lost:
        parts = []
        for name in lost:
            tried = list(dict.fromkeys(q for s in seen for q in s[name].tried))
            parts.append(
                f"{name} missing on all {len(seen)}: {', '.join(tried) or 'no query'} found nothing"
            )
        return Check(step, FAILED, "; ".join(parts), {"present": shapes})
    sometimes = [f"{n} {shapes[n]}/{len(seen)}" for n in FIELDS if 0 < shapes[n] < len(seen)]
    detail = f"{', '.join(WATCHED)} on every article"
    if sometimes:
        detail += f"; on some: {', '.join(sometimes)}"
    gone = [name for name in EXPECTED if shapes[name] == 0]
    if gone and len(seen) > 1:
        detail += f"; {', '.join(gone)} on none (most articles have them)"
        return Check(step, DRIFT, detail, {"present": shapes})
    return Check(step, OK, detail, {"present": shapes})


def check_api_article(kind: str, article_id: ArticleId, body: bytes) -> Check:
    step = f"article {kind} {article_id.key}"
    try:
        page = API_LAYOUTS[kind].from_json(article_id, body)
        article = finalize(page.to_article(to_iso(now_kst())))
    except ArticleNotFound as exc:
        return Check(step, DRIFT, f"no article in the answer ({exc})", {"bytes": len(body)})
    except Exception as exc:
        why = captcha_sign(body) or describe_exception(exc)
        return Check(
            step,
            DRIFT,
            f"the JSON is not usable ({why}): a crawl renders the page in Chromium instead",
            {"bytes": len(body)},
        )
    names = [("author" if n == "authors" else n) for n in FIELDS]
    fields = {name: sample(getattr(article, name, None)) for name in names}
    missing = [n for n, v in fields.items() if v in (None, "", [], 0)]
    content = article.content or ""
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "layout": article.layout,
        "fields": fields,
        "body_chars": len(content),
        "content_hash": article.content_hash,
        "published_at": article.published_at,
    }
    glued, played = kept_out(page, content, shapes)
    status = DRIFT if glued or played else OK
    notes = [f"layout {article.layout}", f"body {len(content):,} characters"]
    if missing:
        notes.append(f"absent: {', '.join(missing)}")
    if glued:
        notes.append(f"{glued} photo caption(s) in the text")
    if played:
        notes.append(f"{played} video player(s) in the text")
    notes.append(f"hash {str(article.content_hash)[:12]}…")
    return Check(step, status, "; ".join(notes), shapes)


def check_comment_probe(article_id: ArticleId, body: bytes) -> Check:
    step = f"comment count {article_id.key}"
    try:
        page = parse_comment_page(body)
    except Exception as exc:
        return Check(
            step,
            FAILED,
            f"{describe_exception(exc)}: a crawl with -a comments would fail its comments",
            {"bytes": len(body)},
        )
    shapes = {"bytes": len(body), "total": page.total, "status": page.status, "counts": page.counts}
    if page.total is None:
        return Check(step, DRIFT, "no result.count.total in the answer", shapes)
    return Check(step, OK, f"{page.total} comment(s), {page.status or 'no status'}", shapes)


def check_search(status: int, body: bytes) -> Check:
    step = "Search API"
    if status != 200:
        return Check(step, FAILED, refusal(status, body), {"status": status})
    try:
        page = parse_search_page(body)
    except Exception as exc:
        return Check(step, FAILED, describe_exception(exc), {"bytes": len(body)})
    naver = sum(1 for i in page.items if i.article is not None)
    dated = sum(1 for i in page.items if i.published is not None)
    shapes = {
        "total": page.total,
        "items": len(page.items),
        "naver_links": naver,
        "dated": dated,
        "rejected": page.rejected,
    }
    status_word = DRIFT if page.rejected or dated < len(page.items) else OK
    detail = f"{len(page.items)} result(s) of {page.total:,}, {naver} on Naver, {dated} dated"
    if page.rejected:
        detail += f"; {page.rejected} result(s) not in the documented shape"
    return Check(step, status_word, detail, shapes)
