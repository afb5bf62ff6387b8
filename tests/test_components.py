"""Small Scrapy components, checked without a crawl."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newsbot.extensions import CrawlReport
from newsbot.middlewares import retry_after_seconds
from newsbot.spiders.naver import NaverSpider


def test_user_agent_names_the_project_and_the_contact() -> None:
    settings = Settings({"NEWSBOT_CONTACT": "data-team@example.org"})
    NaverSpider.update_settings(settings)
    assert settings["USER_AGENT"].startswith("newsbot/")
    assert "data-team@example.org" in settings["USER_AGENT"]
    user = Settings()
    user.set("USER_AGENT", "mine", priority="cmdline")
    NaverSpider.update_settings(user)
    assert user["USER_AGENT"] == "mine"


def test_polite_defaults() -> None:
    from newsbot import settings

    assert settings.AUTOTHROTTLE_ENABLED is True
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN <= 2
    assert settings.TELNETCONSOLE_ENABLED is False
    assert settings.REMOTE_CONTROL_ENABLED is False
    assert 429 in settings.RETRY_HTTP_CODES
    assert (
        "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware"
        not in settings.DOWNLOADER_MIDDLEWARES
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"120", 120.0),
        ("0", 0.0),
        (b"Wed, 21 Oct 2026 07:28:10 GMT", 10.0),
        (b"soon", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: bytes | str | None, expected: float | None) -> None:
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == expected


def test_listing_urls() -> None:
    from datetime import date

    from newsbot.sources import SOURCES, Walk

    day = date(2026, 5, 30)
    latest = Walk("latest", day, ("101", "259"))
    assert SOURCES["latest"].url(latest, 2, "2026053012000012345") == (
        "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"
        "?sid=101&sid2=259&cluid=&pageNo=2&date=20260530&next=2026053012000012345"
    )
    assert SOURCES["old_list"].url(latest, 3, "") == (
        "https://news.naver.com/main/list.naver?mode=LS2D&mid=shm&sid1=101&sid2=259"
        "&date=20260530&page=3"
    )
    assert SOURCES["press"].url(Walk("press", day, ("001",)), 1, "") == (
        "https://news.naver.com/main/list.naver?mode=LPOD&mid=sec&oid=001&date=20260530&page=1"
    )
    assert Walk.parse(latest.id) == latest


def _report(**stats: int) -> CrawlReport:
    crawler = get_crawler(
        settings_dict={"NEWSBOT_REPORT_ENABLED": True, "NEWSBOT_MAX_FAILED_RATIO": 0.1}
    )
    crawler.stats = MemoryStatsCollector(crawler)
    for key, value in stats.items():
        crawler.stats.set_value("newsbot/" + key.replace("__", "/"), value)
    return CrawlReport(crawler)


@pytest.mark.parametrize(
    ("stats", "code"),
    [
        ({"listing__articles": 10, "articles__requested": 10, "articles__new": 10}, 0),
        ({"listing__articles": 10, "articles__skipped": 10}, 0),
        ({"listing__articles": 10, "articles__requested": 10, "articles__failed": 10}, 1),
        (
            {
                "listing__articles": 10,
                "articles__requested": 10,
                "articles__new": 8,
                "articles__failed": 2,
            },
            1,
        ),
        (
            {
                "listing__articles": 20,
                "articles__requested": 20,
                "articles__new": 19,
                "articles__failed": 1,
            },
            0,
        ),
        ({"listing__failed": 3}, 1),
        ({}, 0),
    ],
)
def test_verdict(stats: dict[str, int], code: int) -> None:
    assert _report(**stats).verdict("finished")[0] == code


def test_interrupted_verdict() -> None:
    assert _report().verdict("shutdown")[0] == 3


def test_a_crawl_without_browser_or_redis_does_not_import_them() -> None:
    """What a plain crawl loads at start (the spider, every listed extension, middleware,
    pipeline and download handler): not Playwright, Redis or aiohttp, each of which cost
    tens of milliseconds of CPU per start (docs/benchmarks.md)."""
    import subprocess
    import sys

    script = """
import sys
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
import newsbot.spiders.naver
settings = get_project_settings()
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES"):
    for path in settings.getwithbase(name):
        load_object(path)
for path in settings.getwithbase("DOWNLOAD_HANDLERS").values():
    if path:
        load_object(path)
load_object(settings["SCHEDULER"])
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert {"scrapy", "newsbot", "lxml", "twisted"} <= loaded
    assert not {"playwright", "scrapy_playwright", "redis", "scrapy_redis", "aiohttp"} & loaded
