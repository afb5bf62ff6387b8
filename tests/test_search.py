"""Keyword search through Naver's Search API (``newsbot.search``, the ``search`` source):
answers in the documented shape read by hand, the walk's stop rules, the arguments and the
key, which never leaves the request it is sent with."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbot.args import parse_args
from newsbot.dates import KST
from newsbot.errors import ConfigError
from newsbot.middlewares import SearchApiKeyMiddleware
from newsbot.pages.listings import Listing
from newsbot.search import (
    SearchApiError,
    credentials,
    parse_search_page,
    plain,
    published,
    refusal,
    require_credentials,
    search_url,
    start_of,
)
from newsbot.sources import (
    SOURCES,
    CannotContinue,
    Capped,
    End,
    Next,
    Progress,
    Walk,
    next_step,
    seed_walks,
)
from newsbot.urls import ArticleId

TODAY = date(2026, 6, 1)

#: An answer in the shape of developers.naver.com's example (titles with <b> and entities,
#: RFC-822 dates, a press link mixed in), written by hand.
ANSWER: dict[str, Any] = {
    "lastBuildDate": "Mon, 01 Jun 2026 10:00:00 +0900",
    "total": 5,
    "start": 1,
    "display": 5,
    "items": [
        {
            "title": "<b>국회</b> 본회의 &quot;민생 법안&quot; 처리 &amp; 진통",
            "originallink": "https://www.press.example/news/1",
            "link": "https://n.news.naver.com/mnews/article/421/0008810002?sid=100",
            "description": "<b>국회</b>는 30일…",
            "pubDate": "Sun, 31 May 2026 09:10:00 +0900",
        },
        {
            "title": "9회말 역전 끝내기",
            "originallink": "https://sports.press.example/2",
            "link": "https://m.sports.naver.com/kbaseball/article/117/0003900002",
            "description": "",
            "pubDate": "Sat, 30 May 2026 20:10:00 +0900",
        },
        {
            "title": "<b>국회</b> 소식 (언론사 사이트에만)",
            "originallink": "https://www.press.example/news/3",
            "link": "https://www.press.example/news/3",
            "description": "",
            "pubDate": "Sat, 30 May 2026 12:00:00 +0900",
        },
        {
            "title": "자정 직후 송고된 <b>국회</b> 일정 기사",
            "originallink": "",
            "link": "https://n.news.naver.com/mnews/article/001/0015100002?sid=100",
            "description": "",
            "pubDate": "Fri, 29 May 2026 15:00:30 GMT",  # 2026-05-30 00:00:30 in Korea
        },
        {
            "title": "그 전날 기사",
            "originallink": "https://www.press.example/news/5",
            "link": "https://n.news.naver.com/mnews/article/003/0012590001?sid=100",
            "description": "",
            "pubDate": "Fri, 29 May 2026 17:45:30 +0900",
        },
    ],
}


def body(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


# -- the answer ------------------------------------------------------------------------------


def test_an_answer_reads_as_the_documentation_says() -> None:
    page = parse_search_page(body(ANSWER))
    assert (page.total, page.start, page.rejected) == (5, 1, 0)
    first, sports, press, midnight, _ = page.items
    assert first.title == '국회 본회의 "민생 법안" 처리 & 진통'
    assert first.published == datetime(2026, 5, 31, 9, 10, tzinfo=KST)
    assert (first.article, first.kind) == (ArticleId("421", "0008810002"), "news")
    assert (sports.article, sports.kind) == (ArticleId("117", "0003900002"), "sports")
    assert press.article is None and press.link == "https://www.press.example/news/3"
    assert midnight.published == datetime(2026, 5, 30, 0, 0, 30, tzinfo=KST)


@pytest.mark.parametrize(
    "answer",
    [b"<html>error</html>", b"[]", b'{"total": 3}', b'{"items": [], "total": "many", "start": 1}'],
)
def test_an_answer_not_in_the_shape_is_named(answer: bytes) -> None:
    with pytest.raises(SearchApiError):
        parse_search_page(answer)


def test_items_without_a_link_are_counted_not_dropped_silently() -> None:
    data = {**ANSWER, "items": [{"title": "x"}, "junk", ANSWER["items"][0]]}
    page = parse_search_page(body(data))
    assert page.rejected == 2 and len(page.items) == 1


def test_titles_and_dates_are_read_liberally() -> None:
    assert plain("<b>A</b>&amp;B  &lt;C&gt;\n") == "A&B <C>"
    assert plain(None) == ""
    assert published("not a date") is None
    assert published("Sat, 30 May 2026 12:00:00") == datetime(2026, 5, 30, 12, tzinfo=KST)


# -- the walk --------------------------------------------------------------------------------

WALK = Walk.search("국회 본회의/예산", date(2026, 5, 30), date(2026, 5, 30))


def test_a_search_walk_is_one_walk_over_the_dates_and_its_id_round_trips() -> None:
    args = parse_args({"query": "국회 본회의/예산", "date": "2026-05-30"}, today=TODAY)
    assert list(seed_walks(args)) == [WALK]
    again = Walk.parse(WALK.id)
    assert again == WALK and again.query == "국회 본회의/예산"
    assert (again.day, again.last_day) == (date(2026, 5, 30), date(2026, 5, 30))
    assert WALK.id.count("/") == 3  # the query's own "/" is quoted
    assert SOURCES["search"].url(WALK, 3, "") == search_url("국회 본회의/예산", 201)
    assert "start=201" in search_url("q", start_of(3)) and "sort=date" in search_url("q", 1)


def listing_of(data: dict[str, Any], walk: Walk = WALK) -> Listing:
    return SOURCES["search"].parse(body(data), "application/json", "https://x", walk)


def test_only_naver_articles_of_the_dates_are_named_and_the_rest_is_accounted() -> None:
    listing = listing_of(ANSWER)
    assert listing.articles == [ArticleId("117", "0003900002"), ArticleId("001", "0015100002")]
    assert listing.kinds == {"117_0003900002": "sports"}
    assert listing.newer == 1 and listing.before_day  # 05-31 is newer; 05-29 ends the walk
    assert listing.offsite == [
        {
            "url": "https://www.press.example/news/3",
            "title": "국회 소식 (언론사 사이트에만)",
            "published": "2026-05-30T12:00:00+09:00",
        }
    ]
    assert listing.oldest == "2026-05-29T17:45:30+09:00"


def page_of(total: int, items: int, day: str = "Sat, 30 May 2026 12:00:00 +0900") -> Listing:
    item = {"title": "t", "link": "https://www.press.example/x", "pubDate": day}
    return listing_of({"total": total, "start": 1, "display": items, "items": [item] * items})


@pytest.mark.parametrize(
    ("listing", "page", "expected"),
    [
        (page_of(450, 100), 1, Next(2)),
        (page_of(450, 100), 4, Next(5)),
        (page_of(450, 50), 5, End("end_of_list", "the API has no more results (450 in all)")),
        (page_of(0, 0), 1, End("end_of_list", "the API has no more results (0 in all)")),
        # An empty page below the total: what the API did not give is not had.
        (
            page_of(5000, 0),
            3,
            CannotContinue("page 3 is empty where the API reports 5,000 result(s)"),
        ),
        # A short page is read past (the total decides).
        (page_of(450, 60), 2, Next(3)),
        # The cap's edges: 1,000 in all ends; 1,001 is capped.
        (page_of(1000, 100), 10, End("end_of_list", "the API has no more results (1000 in all)")),
        (page_of(999, 100), 10, End("end_of_list", "the API has no more results (999 in all)")),
        (
            page_of(5000, 100, "Sat, 30 May 2026 01:00:00 +0900"),
            10,
            Capped(
                "the query has 5,000 matches; the API gives 1,000: narrow the dates or the "
                "query (its last result is from 2026-05-30T01:00:00+09:00)"
            ),
        ),
        (
            page_of(1001, 100),
            10,
            Capped(
                "the query has 1,001 matches; the API gives 1,000: narrow the dates or the "
                "query (its last result is from 2026-05-30T12:00:00+09:00)"
            ),
        ),
        (
            page_of(5000, 100, "Fri, 29 May 2026 23:00:00 +0900"),
            10,
            End("before_day", "page 10 reaches results from before 2026-05-30"),
        ),
        # A page of results newer than the dates: on to the next.
        (page_of(5000, 100, "Sun, 31 May 2026 01:00:00 +0900"), 3, Next(4)),
    ],
)
def test_the_search_walk_stops_exactly_when_it_should(
    listing: Listing, page: int, expected: object
) -> None:
    step = next_step(SOURCES["search"], WALK, listing, Progress(page=page), page_cap=2000)
    assert step == expected


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (401, "024", "the Search API refused the key (HTTP 401 (024: Authentication failed)): "),
        (403, "024", "add the API 검색 to it"),
        (429, "010", "the Search API's quota is used up (HTTP 429 (010: Query limit exceeded)"),
        (400, "SE03", "refused the request's parameters (HTTP 400 (SE03: Invalid start value))"),
        (500, "SE99", "the Search API answered HTTP 500 (SE99: System Error)"),
    ],
)
def test_each_refusal_is_one_clear_line(status: int, code: str, words: str) -> None:
    message = {
        "024": "Authentication failed",
        "010": "Query limit exceeded",
        "SE03": "Invalid start value",
        "SE99": "System Error",
    }[code]
    line = refusal(status, body({"errorMessage": message, "errorCode": code}))
    assert words in line and "\n" not in line


def test_a_refusal_without_a_json_body_still_says_what_happened() -> None:
    assert refusal(401, b"<html>nope</html>").startswith(
        "the Search API refused the key (HTTP 401)"
    )


# -- arguments and the key -------------------------------------------------------------------


def test_query_arguments() -> None:
    args = parse_args(
        {"query": "  반도체   수출 ", "start": "2026-05-29", "end": "2026-05-30"}, today=TODAY
    )
    assert args.mode == "query" and args.query == "반도체 수출"
    assert "반도체 수출" in args.describe()
    for bad, message in [
        ({"query": "  "}, "-a query= is empty"),
        ({"query": "x", "sections": "100"}, "cannot be combined with -a sections"),
        ({"query": "x", "press": "001"}, "cannot be combined with -a press"),
        ({"query": "x", "urls": "https://n.news.naver.com/mnews/article/001/0000000001"}, "urls"),
        ({"query": "x" * 501}, "longer than 500"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_args(bad, today=TODAY)


def test_the_key_comes_from_the_settings_or_else_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NEWSBOT_NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NEWSBOT_NAVER_CLIENT_SECRET", raising=False)
    assert credentials(Settings()) is None
    with pytest.raises(
        ConfigError, match="NEWSBOT_NAVER_CLIENT_ID and NEWSBOT_NAVER_CLIENT_SECRET"
    ):
        require_credentials(Settings({"NEWSBOT_NAVER_CLIENT_ID": "only-the-id"}))
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_ID", "env-id")
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_SECRET", "env-secret")
    assert credentials(Settings()) == ("env-id", "env-secret")
    settings = Settings(
        {"NEWSBOT_NAVER_CLIENT_ID": "s-id", "NEWSBOT_NAVER_CLIENT_SECRET": "s-secret"}
    )
    assert credentials(settings) == ("s-id", "s-secret")


def test_the_key_is_on_the_search_request_only_while_it_is_sent() -> None:
    crawler = get_crawler(
        settings_dict={"NEWSBOT_NAVER_CLIENT_ID": "the-id", "NEWSBOT_NAVER_CLIENT_SECRET": "s3cret"}
    )
    middleware = SearchApiKeyMiddleware.from_crawler(crawler)
    other = Request("https://n.news.naver.com/mnews/article/001/0000000001")
    middleware.process_request(other)
    assert b"s3cret" not in repr(other.headers.to_unicode_dict()).encode()
    search = Request(search_url("국회", 1))
    middleware.process_request(search)
    assert search.headers["X-Naver-Client-Secret"] == b"s3cret"
    assert search.headers["X-Naver-Client-Id"] == b"the-id"
    middleware.process_response(search, Response(search.url, status=503))
    assert "X-Naver-Client-Secret" not in search.headers
    assert "X-Naver-Client-Id" not in search.headers
    assert "X-Naver-Client-Secret" not in search.copy().headers  # what a retry sends again
    middleware.process_request(search)
    middleware.process_exception(search, TimeoutError())
    assert "X-Naver-Client-Secret" not in search.headers


def test_without_a_key_the_middleware_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.exceptions import NotConfigured

    monkeypatch.delenv("NEWSBOT_NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NEWSBOT_NAVER_CLIENT_SECRET", raising=False)
    with pytest.raises(NotConfigured):
        SearchApiKeyMiddleware.from_crawler(get_crawler())


def test_the_key_middleware_runs_inside_every_middleware_that_keeps_a_request() -> None:
    # On the way back it runs first: a request is retried, redirected, cached or queued
    # only after the key is off it.
    from scrapy.settings import default_settings

    from newsbot import settings as project

    order = {**default_settings.DOWNLOADER_MIDDLEWARES_BASE, **project.DOWNLOADER_MIDDLEWARES}
    mine = order["newsbot.middlewares.SearchApiKeyMiddleware"]
    for keeper in (
        "newsbot.middlewares.PoliteRetryMiddleware",
        "newsbot.middlewares.KeepRefererRedirectMiddleware",
        "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
        "scrapy.downloadermiddlewares.stats.DownloaderStats",
    ):
        assert order[keeper] is not None and mine > order[keeper], keeper


def test_the_key_is_never_sent_in_clear_text() -> None:
    crawler = get_crawler(
        settings_dict={"NEWSBOT_NAVER_CLIENT_ID": "the-id", "NEWSBOT_NAVER_CLIENT_SECRET": "s3cret"}
    )
    middleware = SearchApiKeyMiddleware.from_crawler(crawler)
    plain = Request(search_url("국회", 1).replace("https://", "http://"))
    middleware.process_request(plain)
    assert "X-Naver-Client-Secret" not in plain.headers
