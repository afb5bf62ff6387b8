"""Layout selection, field fallback chains and body rules on edited copies of real pages."""

from __future__ import annotations

import re

import pytest
from parsel import Selector

from newsbot.article import extract_article
from newsbot.errors import (
    ArticleMismatch,
    ArticleNotFound,
    EmptyArticle,
    IncompleteArticle,
    UnknownLayout,
)
from newsbot.pages import select_layout
from newsbot.pages.body import extract_body_html
from newsbot.pages.nnews import NNews2022, NNews2023, NNews2026
from newsbot.urls import parse_article_url
from tests.conftest import ARTICLES, TESTS

URL_082 = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE_082 = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
SPORTS = str(TESTS / "fixtures/other/sports_legacy_477_0000073768.html")


def _without(html: str, *patterns: str) -> str:
    for pattern in patterns:
        html, n = re.subn(pattern, "", html, flags=re.S)
        assert n, f"pattern not in page: {pattern}"
    return html


def test_select_layout_by_markers() -> None:
    assert select_layout(Selector(text=PAGE_082)) is NNews2023
    div_body = PAGE_082.replace('<article id="dic_area"', '<div id="dic_area"').replace(
        "</article>", "</div>"
    )
    assert select_layout(Selector(text=div_body)) is NNews2022
    press_span = PAGE_082.replace(
        '<div class="media_end_head_title">',
        '<span class="media_end_head_top_press">부산일보</span><div class="media_end_head_title">',
    )
    assert select_layout(Selector(text=press_span)) is NNews2026


def test_unknown_layout_is_a_named_error() -> None:
    page = PAGE_082.replace('id="dic_area"', 'id="renamed_body"')
    with pytest.raises(UnknownLayout):
        extract_article(URL_082, page, crawled_at=None)


def test_other_naver_page_is_not_an_article() -> None:
    with open(SPORTS, encoding="utf-8") as handle:
        page = handle.read()
    with pytest.raises((UnknownLayout, ArticleNotFound)):
        extract_article("https://n.news.naver.com/article/477/0000073768", page, crawled_at=None)


def test_deleted_article_page() -> None:
    page = "<html><head><title>네이버 뉴스</title></head><body><p>없는 기사입니다</p></body></html>"
    with pytest.raises(ArticleNotFound):
        extract_article(URL_082, page, crawled_at=None)


def test_empty_body_is_an_error_not_an_empty_article() -> None:
    page = re.sub(
        r'(<article id="dic_area"[^>]*>).*?(</article>)', r"\1 <br><br> \2", PAGE_082, flags=re.S
    )
    with pytest.raises(EmptyArticle):
        extract_article(URL_082, page, crawled_at=None)


def test_page_of_another_article_is_refused() -> None:
    with pytest.raises(ArticleMismatch):
        extract_article(
            "https://n.news.naver.com/article/001/0000000001", PAGE_082, crawled_at=None
        )


def test_title_falls_back_to_og_title() -> None:
    page = _without(PAGE_082, r'<h2 id="title_area".*?</h2>')
    assert (
        extract_article(URL_082, page, crawled_at=None).title
        == "“올바른 전기사용으로 안전한 겨울 보내세요”"
    )


def test_publisher_fallback_chain() -> None:
    no_logo = _without(PAGE_082, r"<img[^>]*media_end_head_top_logo_img[^>]*>")
    assert extract_article(URL_082, no_logo, crawled_at=None).publisher == "부산일보"
    no_creator = _without(no_logo, r'<meta name="twitter:creator"[^>]*>')
    assert extract_article(URL_082, no_creator, crawled_at=None).publisher == "부산일보"
    nothing = _without(no_creator, r'<meta property="og:article:author"[^>]*>')
    page = NNews2023(parse_article_url(URL_082), Selector(text=nothing))
    assert page.publisher() is None  # missing is None…
    with pytest.raises(IncompleteArticle, match="publisher"):  # …and a required field
        extract_article(URL_082, nothing, crawled_at=None)


def test_author_falls_back_to_byline() -> None:
    page = _without(PAGE_082, r'<em class="media_end_head_journalist_name">.*?</em>')
    article = extract_article(URL_082, page, crawled_at=None)
    assert article.authors == [{"name": "송현수", "email": "songh@busan.com"}]


def test_sid_falls_back_to_og_url() -> None:
    page = _without(PAGE_082, r'<meta name="napp-site-analysis"[^>]*>')
    assert extract_article(URL_082, page, crawled_at=None).sid == "101"


def test_published_falls_back_to_visible_date() -> None:
    page = PAGE_082.replace('data-date-time="2024-01-22 23:01:01"', "")
    assert (
        extract_article(URL_082, page, crawled_at=None).published_at == "2024-01-22T23:01:00+09:00"
    )


def test_body_rules() -> None:
    body = extract_body_html(
        '<strong class="media_end_summary">부제 1<br>부제 2</strong>'
        '<div class="vod_player_wrap"><style>.x{}</style><script>var a=1</script>영상</div>'
        '<span class="end_photo_org"><img data-src="https://i/1.jpg"><em class="img_desc">캡션</em></span>'
        "첫 문단  입니다.<br><br>둘째<b>굵게</b> 문단<br> <br><br>"
        '<table class="nbd_table"><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>2</td></tr></table>'
        "표 다음<br><br>ⓒ 신문사 무단전재 금지<br><br>hong@a.com"
    )
    assert body.subtitle == "부제 1\n부제 2"
    assert body.images == [{"url": "https://i/1.jpg", "caption": "캡션"}]
    assert body.content == (
        "첫 문단 입니다.\n\n둘째굵게 문단\n\n| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n\n표 다음"
    )


def test_trailing_byline_becomes_author() -> None:
    body = extract_body_html("본문입니다.<br><br>마지막 문단이다. 홍길동 기자 hong@a.com")
    assert body.content == "본문입니다.\n\n마지막 문단이다."
    assert body.byline_authors == [{"name": "홍길동", "email": "hong@a.com"}]


def _page_082(html: str) -> NNews2023:
    return NNews2023(parse_article_url(URL_082), Selector(text=html))


def test_metas_are_read_from_the_head_first() -> None:
    page = _page_082(PAGE_082)
    assert page.head_metas is not None
    assert page.meta("og:url") == page.metas["og:url"]
    # The head's own metas are the page's first ones: a later duplicate does not win.
    late = PAGE_082.replace("</body>", '<meta property="og:title" content="later">\n</body>')
    assert _page_082(late).meta("og:title") == _page_082(PAGE_082).meta("og:title")


def test_a_meta_outside_the_head_is_still_found() -> None:
    # A meta the parser put into <body> (one written after the head closed).
    page = PAGE_082.replace("</body>", '<meta name="moved" content="이동">\n</body>')
    assert _page_082(page).meta("moved") == "이동"
    # A page that starts with something else than <head>: every meta is read in order.
    no_head = '<html><body><meta name="a" content="1"><meta name="a" content="2"></body></html>'
    headless = NNews2023(parse_article_url(URL_082), Selector(text=no_head))
    assert headless.head_metas is None
    assert headless.meta("a") == "1"
    assert headless.meta("missing") is None


def test_header_fields_missing_from_the_header_are_looked_for_in_the_article_column() -> None:
    # No journalist name in the header: one placed elsewhere in div#ct is found, while a
    # name outside the article column (rankings, other articles' cards) is not taken.
    no_name = _without(PAGE_082, r'<em class="media_end_head_journalist_name">.*?</em>')
    no_name = _without(no_name, r'<span class="byline_s">.*?</span>')
    card = '<em class="media_end_head_journalist_name">{} 기자</em>'
    inside = no_name.replace('<div id="contents"', card.format("안쪽") + '<div id="contents"', 1)
    assert _page_082(inside).journalist_names() == ["안쪽 기자"]
    outside = no_name.replace("</body>", card.format("바깥") + "</body>")
    assert _page_082(outside).journalist_names() == []
    without_ct = outside.replace('id="ct"', 'id="renamed_ct"')
    assert _page_082(without_ct).journalist_names() == ["바깥 기자"]  # no column: the page


URL_029 = "https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369"
PAGE_029 = (ARTICLES / "legacy_029_0002625369" / "body.html").read_text(encoding="utf-8")


def _legacy_029(body: str, extra: str = "") -> str:
    """The legacy page with its body replaced (and ``extra`` after the body element)."""
    html, n = re.subn(
        r'(<div id="articleBodyContents"[^>]*>).*?(<!-- // 본문 내용 -->\s*</div>)',
        lambda m: m[1] + body + m[2] + extra,
        PAGE_029,
        count=1,
        flags=re.S,
    )
    assert n == 1
    return html


def test_legacy_body_drops_promotions_vod_copyright_and_inner_byline() -> None:
    body = (
        '<div class="vod_area"><p>동영상 뉴스</p><span>재생 시간 01:02</span></div>'
        "첫 문단이다.<br><br>"
        '<strong style="font-size:18px; font-weight:bold">소제목 하나</strong>둘째 문단이다.<br><br>'
        "박찬범 기자(cbcb@sbs.co.kr)<br><br>"
        '<a href="https://news.sbs.co.kr/news/newsMain.do?plink=BOTTOM">▶ SBS 뉴스 원문 기사 보기</a><br>'
        '<a href="https://www.sbs.co.kr/x">▶ 네이버에서 SBS 뉴스를 구독하세요!</a><br>'
        '<a href="http://hng.example.co.kr/?did=1195s">트렌드 총집결(클릭!)</a><br><br>'
        "※ ⓒ SBS &amp; SBS Digital News Lab : 무단복제 및 재배포 금지"
    )
    article = extract_article(URL_029, _legacy_029(body), crawled_at=None)
    assert article.content == "첫 문단이다.\n\n소제목 하나\n\n둘째 문단이다."
    assert article.authors == [{"name": "박찬범", "email": "cbcb@sbs.co.kr"}]


def test_legacy_copyright_glued_to_a_paragraph_is_cut() -> None:
    body = "마지막 문장이다. ※ ⓒ SBS &amp; SBS Digital News Lab : 무단복제 및 재배포 금지"
    article = extract_article(URL_029, _legacy_029(body), crawled_at=None)
    assert article.content == "마지막 문장이다."


def test_legacy_reporter_outside_the_body() -> None:
    byline = '<div class="byline"><p class="b_text"> 김유민 기자 planet@seoul.co.kr </p></div>'
    card = '<div class="journalistcard_summary_name">김유민 기자</div>'
    page = _legacy_029("본문만 있다.<br><br>", byline + card)
    assert extract_article(URL_029, page, crawled_at=None).authors == [
        {"name": "김유민", "email": "planet@seoul.co.kr"}
    ]
    only_card = _legacy_029("본문만 있다.<br><br>", card)
    assert extract_article(URL_029, only_card, crawled_at=None).authors == [
        {"name": "김유민", "email": None}
    ]
    nothing = _legacy_029("본문만 있다.<br><br>")
    assert extract_article(URL_029, nothing, crawled_at=None).authors == []


def test_legacy_sid_comes_from_the_page_not_the_url() -> None:
    assert extract_article(URL_029, PAGE_029, crawled_at=None).sid == "100"
    no_script = _without(PAGE_029, r"sid: '100',")
    assert extract_article(URL_029, no_script, crawled_at=None).sid == "100"  # selected menu
    no_menu = no_script.replace('<li class="on">', "<li>")
    assert extract_article(URL_029, no_menu, crawled_at=None).sid is None  # not sid1=001
