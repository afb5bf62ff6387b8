"""Listing parsers on the real saved listings and hand-made "more" responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from newsbot.article import decode_html
from newsbot.pages.listings import (
    ListingError,
    parse_old_list,
    parse_section_cards,
    parse_section_more,
)
from newsbot.urls import ArticleId

LISTINGS = Path(__file__).parent / "fixtures" / "listings"


def _local(name: str) -> bytes:
    return (Path(__file__).parent / "fixtures" / "listings" / name).read_bytes()


def test_section_page_cards_and_cursor() -> None:
    listing = parse_section_cards(
        Selector(text=_local("section_100_2026-05-30.html").decode()),
        "https://news.naver.com/section/100",
    )
    assert listing.cursor == "20260530010909"
    assert listing.has_next is True
    assert ArticleId("088", "0001012256") in listing.articles
    assert len(listing.articles) == len(set(listing.articles)) == 45


def _more(fragment: str) -> str:
    return json.dumps({"renderedComponent": {"SECTION_ARTICLE_LIST_FOR_LATEST": fragment}})


def test_more_response_made_from_the_real_cards() -> None:
    body = _local("more_100_264_20260530_p1.json").decode()
    listing = parse_section_more(body, "https://news.naver.com/section/template/x")
    assert listing.has_next is True
    assert listing.cursor == "20260530204500"
    assert listing.articles == [ArticleId("088", "0001012256"), ArticleId("016", "0002650036")]


def test_more_last_page() -> None:
    fragment = (
        '<div class="section_latest_article _CONTENT_LIST _PERSIST_META" data-has-next="false" '
        'data-cursor-name="next" data-cursor="20260530000100"><ul class="sa_list">'
        '<li class="sa_item"><a class="sa_text_title" href="https://n.news.naver.com/mnews/article/001/0000000001">t</a></li>'
        '<li class="sa_item"><a class="sa_text_title" href="https://n.news.naver.com/mnews/article/abc/0000000001">bad</a></li>'
        "</ul></div>"
    )
    listing = parse_section_more(_more(fragment), "https://news.naver.com/")
    assert listing.has_next is False
    assert listing.articles == [ArticleId("001", "0000000001")]
    assert listing.rejected == 1


@pytest.mark.parametrize(
    "body", ["", "{}", "[]", '{"renderedComponent": {}}', "<html>captcha</html>"]
)
def test_more_garbage_is_a_listing_error(body: str) -> None:
    with pytest.raises(ListingError):
        parse_section_more(body, "https://news.naver.com/")


def test_more_empty_fragment() -> None:
    listing = parse_section_more(_more(""), "https://news.naver.com/")
    assert listing.articles == [] and listing.has_next is False


def test_old_list_euc_kr_bytes() -> None:
    raw = (LISTINGS / "list_LSD_100_20260530.euc-kr.html").read_bytes()
    html = decode_html(raw, "text/html;charset=EUC-KR")
    listing = parse_old_list(Selector(text=html), "https://news.naver.com/main/list.naver")
    assert listing.current_page == 1
    assert listing.pages == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert len(listing.articles) == 20
    assert listing.articles[0] == ArticleId("421", "0008974833")
    assert "사전투표" in html  # decoded, not mojibake


def test_old_list_sub_section_page_2() -> None:
    html = (LISTINGS / "list_LS2D_101_263_20240122_p2.html").read_text(encoding="utf-8")
    listing = parse_old_list(Selector(text=html), "https://news.naver.com/main/list.naver")
    assert listing.current_page == 2
    assert ArticleId("082", "0001252309") in listing.articles
    assert 1 in listing.pages and 3 in listing.pages


def test_old_list_by_press_flash_variant() -> None:
    html = decode_html(
        (LISTINGS / "list_LPOD_001_20230314.euc-kr.html").read_bytes(), "text/html;charset=EUC-KR"
    )
    listing = parse_old_list(Selector(text=html), "https://news.naver.com/main/list.naver")
    assert listing.articles and all(a.oid == "001" for a in listing.articles)
    assert listing.current_page == 1


def test_legacy_list_read_nhn_links() -> None:
    html = (LISTINGS / "legacy_main_LS2D_100_265_2020-09.html").read_text(encoding="utf-8")
    listing = parse_old_list(Selector(text=html), "https://news.naver.com/main/main.nhn")
    assert ArticleId("029", "0002625369") in listing.articles


def test_ranking_links_name_the_same_articles() -> None:
    # Hand-written cards linking as the ranking rails do (forms copied from the saved pages:
    # section_100_2026-05-30.html absolute, 082_0001252309.html relative), plus the
    # canonical link of one of them: one article each, in page order.
    fragment = (
        '<div class="section_latest_article" data-has-next="true" data-cursor="20260530010909">'
        '<ul class="sa_list">'
        '<li class="sa_item"><a class="sa_text_title" '
        'href="https://n.news.naver.com/mnews/ranking/article/469/0000933527?ntype=RANKING">a</a></li>'
        '<li class="sa_item"><a class="sa_text_title" '
        'href="/mnews/ranking/article/082/0001252535?ntype=RANKING">b</a></li>'
        '<li class="sa_item"><a class="sa_text_title" '
        'href="https://n.news.naver.com/mnews/article/469/0000933527?sid=100">a again</a></li>'
        '<li class="sa_item"><a class="sa_text_title" '
        'href="/mnews/ranking/article/82/0001252535?ntype=RANKING">bad id</a></li>'
        "</ul></div>"
    )
    listing = parse_section_more(_more(fragment), "https://n.news.naver.com/")
    assert listing.articles == [ArticleId("469", "0000933527"), ArticleId("082", "0001252535")]
    assert listing.rejected == 1


def test_old_ranking_read_links_name_the_same_articles() -> None:
    # Hand-written old list whose items link as old ranking rails do
    # (legacy_main_LS2D_100_265_2020-09.html: read.nhn; legacy 2021 article pages: read.naver).
    html = (
        '<div class="list_body"><ul class="type06_headline">'
        '<li><dl><dt><a href="/main/ranking/read.nhn?mid=etc&amp;sid1=111&amp;'
        "rankingType=popular_day&amp;oid=081&amp;aid=0003125387&amp;date=20200919&amp;type=1"
        '&amp;rankingSeq=1&amp;rankingSectionId=100">a</a></dt></dl></li>'
        '<li><dl><dt><a href="/main/ranking/read.naver?mode=LSD&amp;mid=shm&amp;sid1=001'
        '&amp;oid=648&amp;aid=0000004037&amp;rankingType=RANKING">b</a></dt></dl></li>'
        '<li><dl><dt><a href="https://n.news.naver.com/mnews/article/081/0003125387">a again</a>'
        "</dt></dl></li>"
        "</ul></div>"
    )
    listing = parse_old_list(Selector(text=html), "https://news.naver.com/main/list.naver")
    assert listing.articles == [ArticleId("081", "0003125387"), ArticleId("648", "0000004037")]
    assert listing.rejected == 0


def test_an_old_list_page_without_its_list_is_not_an_empty_list() -> None:
    # An error or captcha page answered 200 must not read as "no articles that day".
    for html in ("", "<html><body><h1>잠시 후 다시 시도해 주세요</h1></body></html>"):
        with pytest.raises(ListingError, match=r"no div\.list_body"):
            parse_old_list(Selector(text=html or "<html></html>"), "https://news.naver.com/")


def test_a_page_of_cards_without_the_paging_wrapper_says_so() -> None:
    body = _local("more_100_264_20260530_p1.json").decode()
    listing = parse_section_more(body, "https://news.naver.com/")
    assert listing.paging_said and listing.has_next
    changed = parse_section_more(
        body.replace("data-has-next", "data-more"), "https://news.naver.com/"
    )
    assert changed.cards == listing.cards and not changed.paging_said and not changed.has_next
