"""Hostile pages never escape as exceptions: every one becomes that article's (or that
listing's) failure with a named reason, the same in the crawl, ``reparse`` and
``extract`` (issue 13, root causes 1 and 2)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from newsbot.archive import WarcArchive, reparse
from newsbot.dates import parse_naver_datetime
from newsbot.errors import describe_exception
from newsbot.ledger import Outcome, crawl_ledger
from newsbot.output.store import OutputStore
from newsbot.sources import Progress, Walk
from newsbot.spiders.naver import NaverSpider
from newsbot.urls import ArticleId
from tests.conftest import ARTICLES, ROOT
from tests.e2e import files, run_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, default_world

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()


def _as(oid: str, aid: str, page: bytes) -> bytes:
    """The page, saying it is article oid/aid (its og:url and links)."""
    return page.replace(b"082/0001252309", f"{oid}/{aid}".encode())


def _deep_page() -> bytes:
    start = PAGE.index(b'id="dic_area"')
    inside = PAGE.index(b">", start) + 1
    deep = b"<b>" * 20_000 + b"deep" + b"</b>" * 20_000
    return PAGE[:inside] + deep + PAGE[inside:]


def _dated_page(stamp: str) -> bytes:
    return re.sub(rb'data-date-time="[^"]*"', f'data-date-time="{stamp}"'.encode(), PAGE)


def _without_publisher() -> bytes:
    page = re.sub(rb'<meta name="twitter:creator"[^>]*>', b"", PAGE)
    page = re.sub(rb'<meta property="og:article:author"[^>]*>', b"", page)
    return re.sub(rb'(<img[^>]*class="media_end_head_top_logo_img[^"]*")[^>]*>', b"", page)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31 23:59:59-05:00",  # past the last datetime once in Korea time
        "2026-05-30 10:00:00+9999",  # no such offset
        "2026-13-01 10:00:00",  # no such month
        "2026-02-30 10:00:00",
    ],
)
def test_absurd_dates_are_no_dates(text: str) -> None:
    assert parse_naver_datetime(text) is None


def test_exceptions_are_named_with_where_newsbot_was() -> None:
    def inner() -> None:
        {}["x"]

    try:
        inner()
    except KeyError as exc:
        described = describe_exception(exc)
    assert described.startswith("KeyError at tests/") or described.startswith("KeyError at /")
    assert "(inner)" in described and "'x'" in described


def _extract(path: Path) -> subprocess.CompletedProcess[str]:
    return run_newsbot("extract", str(path), "--url", URL)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (_deep_page(), "RecursionError at newsbot/"),
        (_dated_page("9999-12-31 23:59:59-05:00"), "missing required field(s) published_at"),
        (_without_publisher(), "missing required field(s) publisher"),
    ],
    ids=["deep markup", "absurd date", "no publisher"],
)
def test_extract_says_one_line_and_exits_2(tmp_path: Path, page: bytes, message: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(page)
    result = _extract(path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbot: error: ") and message in lines[0]


def _archive(tmp_path: Path, pages: list[tuple[str, bytes]]) -> Path:
    archive = WarcArchive(tmp_path / "archive", 1 << 30, {"dates": ["2024-01-01", "2024-12-31"]})
    for url, body in pages:
        archive.write(
            url,
            200,
            [("Content-Type", "text/html; charset=utf-8")],
            body,
            fetched=datetime(2024, 1, 23, tzinfo=UTC),
        )
    archive.close()
    return tmp_path / "archive"


def test_reparse_reports_bad_records_and_goes_on(tmp_path: Path) -> None:
    news = "https://n.news.naver.com/mnews/article/082/"
    archive = _archive(
        tmp_path,
        [
            (news + "0001252301", _as("082", "0001252301", _deep_page())),
            # The API's URL with ids no article has (a redirect recorded as it came).
            ("https://api-gw.sports.naver.com/news/article/1/22", b'{"code": 200}'),
            (news + "0001252302", _as("082", "0001252302", _without_publisher())),
            (URL, PAGE),
        ],
    )
    out = tmp_path / "out"
    result = reparse([archive], OutputStore(out))
    assert result.records == 4  # read to the end: a bad record stops nothing
    assert result.outcomes == {"new": 1}
    assert result.failures[news + "0001252301"].startswith("RecursionError at newsbot/")
    assert result.failures[news + "0001252302"] == (
        "IncompleteArticle: missing required field(s) publisher"
    )
    assert len(result.failures) == 2  # the API record with bad ids is no article: skipped
    assert list(files(out)) == ["2024/01/22/082_0001252309.md"]


def test_reparse_validates_as_the_crawl_does(tmp_path: Path) -> None:
    archive = _archive(
        tmp_path,
        [
            (URL, _without_publisher()),
            (
                "https://n.news.naver.com/mnews/article/082/0001252309?sid=101",
                _dated_page("2026-05-30 10:00:00+9999"),
            ),
        ],
    )
    out = tmp_path / "out"
    result = reparse([archive], OutputStore(out))
    assert files(out) == {}  # the crawl drops both: so does reparse
    reasons = sorted(result.failures.values())
    assert reasons == [
        "IncompleteArticle: missing required field(s) published_at",
        "IncompleteArticle: missing required field(s) publisher",
    ]


def _spider(tmp_path: Path) -> NaverSpider:
    crawler = get_crawler(NaverSpider, settings_dict={"NEWSBOT_OUTPUT_DIR": str(tmp_path)})
    spider = NaverSpider.from_crawler(crawler, date="2026-05-30")
    return spider


def test_a_page_that_breaks_the_parser_is_that_articles_failure(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    article_id = ArticleId("082", "0001252309")
    spider.ledger.named(article_id.key, Walk("urls", None))
    response = HtmlResponse(URL, body=_deep_page(), encoding="utf-8", request=Request(URL))
    assert list(spider.parse_article(response, article_id, 0)) == []
    assert spider.ledger.outcome_of(article_id.key) == Outcome.FAILED
    reason = spider.ledger.reasons[article_id.key]
    assert reason.startswith("extract_error: RecursionError at newsbot/"), reason


def test_an_api_answer_of_the_wrong_types_is_read_or_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbot.pages import api

    fixture = ROOT / "tests" / "fixtures" / "api" / "sports_article_001_0016364477.json"
    data = json.loads(fixture.read_text(encoding="utf-8"))
    data["result"]["articleInfo"]["article"]["sections"] = 5  # once a TypeError
    spider = _spider(tmp_path)
    article_id = ArticleId("001", "0016364477")
    url = "https://api-gw.sports.naver.com/news/article/001/0016364477"
    response = TextResponse(url, body=json.dumps(data).encode(), request=Request(url))
    (article,) = list(spider.parse_api_article(response, article_id, "sports"))
    assert getattr(article, "categories", None) == []  # read, without the sections

    # Whatever else a parser trips on, the answer is unusable: the page is rendered.
    def broken(cls: object, article_id: object, body: object) -> object:
        raise AttributeError("'int' object has no attribute 'get'")

    monkeypatch.setattr(api.SportsApiArticle, "from_json", classmethod(broken))
    (request,) = list(spider.parse_api_article(response, article_id, "sports"))
    assert request.meta.get("playwright") is True  # the documented fallback, not a crash
    assert spider.crawler.stats.get_value("newsbot/api/unusable") == 1


def test_listing_items_of_the_wrong_types_are_counted_not_lost(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    walk = Walk("sports_list", datetime(2026, 5, 30).date(), ("kbaseball",))
    items = [{"oid": 1, "aid": None}, "x", {"oid": "117", "aid": "0003900002"}]
    body = json.dumps({"code": 200, "result": {"newsList": items, "totalCount": 3}})
    response = TextResponse(
        "https://api-gw.sports.naver.com/news/articles/kbaseball?page=1", body=body.encode()
    )
    requests = list(spider.parse_listing(response, walk.id, Progress().to_dict()))
    assert [r.url for r in requests] == [
        "https://api-gw.sports.naver.com/news/article/117/0003900002"
    ]
    record = crawl_ledger(spider.crawler).walks[walk.id]
    assert (record.articles, record.rejected, record.end) == (1, 2, "end_of_list")


def test_a_listing_answer_that_breaks_the_parser_fails_the_walk_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from newsbot import sources

    def broken(body: bytes, content_type: str | None, url: str, walk: Walk) -> object:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setitem(sources.SOURCES, "press", replace(sources.SOURCES["press"], parse=broken))
    spider = _spider(tmp_path)
    walk = Walk("press", datetime(2026, 5, 30).date(), ("001",))
    response = HtmlResponse(
        "https://news.naver.com/main/list.naver?mode=LPOD&oid=001", body=b"<html></html>"
    )
    requests = list(spider.parse_listing(response, walk.id, Progress().to_dict()))
    assert requests == []  # the press list has no fallback
    ledger = crawl_ledger(spider.crawler)
    record = ledger.walks[walk.id]
    assert record.end == "failed"
    assert record.detail.startswith(
        "the answer is not in the known shape (TypeError at newsbot/spiders/naver.py:"
    )
    assert ledger.listing_failures == {response.url: record.detail}


def test_hostile_pages_through_a_crawl_are_named_failures(tmp_path: Path) -> None:
    world = default_world()
    deep = "https://n.news.naver.com/mnews/article/001/0015100001"
    dated = "https://n.news.naver.com/mnews/article/421/0008810001"
    for url, body in ((deep, _deep_page()), (dated, _dated_page("2026-05-30 10:00:00+9999"))):
        oid, aid = url.rsplit("/", 2)[-2:]
        page = body.replace(b"082/0001252309", f"{oid}/{aid}".encode())
        world.set_override(url, Override(headers={"Content-Type": "text/html"}, body=page))
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, "date=2026-05-30", "sections=100", "subsections=264")
    (report_path,) = (out / "reports").glob("crawl-*.json")
    report = json.loads(report_path.read_text())
    failures = report["failures"]
    assert failures["001_0015100001"].startswith("extract_error: RecursionError at newsbot/")
    assert failures["421_0008810001"] == (
        "missing_required_field: missing required field(s) published_at"
    )
    assert report["unaccounted"] == []
    assert "Traceback" not in result.stderr
    assert len(files(out)) == 2  # the two other articles of 100/264 on the 30th
    assert result.returncode == 1  # two of four failed: above NEWSBOT_MAX_FAILED_RATIO
