"""``newsbot doctor`` run: the crawl's settings with what the doctor must not do switched
off, the spider run, the verdict printed and the report written."""

from __future__ import annotations

import functools
import sys
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from newsbot import __version__, config
from newsbot.doctor.spider import DoctorSpider, planned_requests
from newsbot.doctor.verdict import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    report,
    summary,
    table,
    worst,
    write_json,
)
from newsbot.errors import ConfigError
from newsbot.search import credentials


class UnretriedHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose connection pool never sends a request again by itself.

    Twisted's ``HTTPConnectionPool`` retries an idempotent request once, below Scrapy and
    unseen by it, when a kept-alive connection drops before the answer
    (``retryAutomatically``): the server sees two requests where Scrapy counted one. The
    doctor's requests are each announced and counted: a dropped one is a failed step."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False


def doctor_settings(overrides: dict[str, str]) -> Settings:
    """The crawl's settings (newsbot's, ``-s`` on top), with what the doctor must not do
    switched off: retries (each request is announced), also the connection pool's own
    (``UnretriedHandler``), redirects followed, robots.txt fetched by Scrapy (the doctor
    reads it itself), the report, the archive, pipelines, Redis, JOBDIR."""
    # The same precedence as a crawl's: -s, the environment, the settings module.
    settings = config.project_settings(overrides)
    config.check(settings)  # before any request: ConfigError, exit 2
    settings.set("NEWSBOT_DOCTOR_OBEY", settings.getbool("ROBOTSTXT_OBEY"), priority="cmdline")
    fixed: dict[str, Any] = {
        "RETRY_ENABLED": False,
        # (no browser either: the doctor never asks for one)
        "DOWNLOAD_HANDLERS": {
            "http": "newsbot.doctor.command.UnretriedHandler",
            "https": "newsbot.doctor.command.UnretriedHandler",
        },
        "ROBOTSTXT_OBEY": False,
        "NEWSBOT_REPORT_ENABLED": False,
        "NEWSBOT_ARCHIVE": False,
        "NEWSBOT_REDIS_URL": "",
        "NEWSBOT_RUNTIME_TUNING": False,
        "NEWSBOT_PROGRESS_LIVE": False,
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
        "JOBDIR": None,
        "HTTPCACHE_ENABLED": False,
        "SCHEDULER": "scrapy.core.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
    }
    if "LOG_LEVEL" not in overrides:
        fixed["LOG_LEVEL"] = "ERROR"
    for name, value in fixed.items():
        settings.set(name, value, priority="cmdline")
    return settings


def run(day: date, output: Path | None, overrides: dict[str, str]) -> int:
    from scrapy.crawler import CrawlerProcess

    try:
        settings = doctor_settings(overrides)
    except ConfigError as exc:
        print(f"newsbot doctor: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # With -o - the JSON report is standard output: the rest goes to standard error.
    say = functools.partial(print, file=sys.stderr if str(output) == "-" else sys.stdout)
    search = credentials(settings) is not None
    budget = planned_requests(search)
    from newsbot.spiders.naver import user_agent

    say(
        f"newsbot doctor {__version__}: checking each step of a crawl of {day} with at most "
        f"{budget} requests to Naver, as a crawl makes them (User-Agent: "
        f"{user_agent(settings)}; DOWNLOAD_DELAY {settings.getfloat('DOWNLOAD_DELAY'):g}, "
        f"AutoThrottle {'on' if settings.getbool('AUTOTHROTTLE_ENABLED') else 'off'}). "
        "Naver's robots.txt disallows crawlers: whoever runs this decides whether they may.",
        flush=True,
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DoctorSpider)
    process.crawl(crawler, day=day)
    process.start()
    spider = crawler.spider
    if not isinstance(spider, DoctorSpider):
        print(
            "newsbot doctor: error: the check could not start (see the log above)", file=sys.stderr
        )
        return EXIT_FAILED
    code, status = worst(spider.checks)
    unreached = spider.unreachable if spider.sent == 0 else None
    say(table(spider.checks))
    say(
        f"newsbot doctor: {summary(spider.checks, code, status, unreached)}; {spider.sent} of "
        f"at most {spider.budget} requests made"
    )
    if output is not None:
        try:
            write_json(output, report(spider, crawler.settings, day, code, status))
        except OSError as exc:
            print(
                f"newsbot doctor: error: cannot write {output}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        if str(output) != "-":
            say(f"newsbot doctor: report written to {output}")
    return code
