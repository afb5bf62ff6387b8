"""Extensions: the responsible-use notice, periodic progress, and the end-of-crawl verdict."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newsbot.dates import now_kst, to_iso

logger = logging.getLogger("newsbot")

RESPONSIBLE_USE = (
    "responsible use: Naver's robots.txt disallows crawlers (ROBOTSTXT_OBEY=%s here) and "
    "article copyright belongs to the presses; whoever runs this crawl decides whether they "
    "have the right to collect. User-Agent: %s"
)
EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3
_OUTCOMES = (
    "new", "updated", "unchanged", "restored", "skipped", "failed", "redirected", "deleted",
)  # fmt: skip


class CrawlReport:
    """Logs what the crawl is doing and decides, at the end, whether it worked.

    A crawl fails loudly (``newsbot/status`` = ``failed``, a non-zero exit from ``scrapy
    crawl``, an ERROR line) when it found articles but collected none, when more than
    ``NEWSBOT_MAX_FAILED_RATIO`` of the articles it tried failed, when the output could not
    be written, or when a listing could not be read at all.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_REPORT_ENABLED"):
            raise NotConfigured
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = crawler.settings.getfloat("NEWSBOT_PROGRESS_INTERVAL")
        self.max_failed_ratio = crawler.settings.getfloat("NEWSBOT_MAX_FAILED_RATIO")
        self.output = Path(crawler.settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        logger.info(RESPONSIBLE_USE, settings.getbool("ROBOTSTXT_OBEY"), settings.get("USER_AGENT"))
        args = getattr(spider, "crawl_args", None)
        logger.info("newsbot: collecting %s into %s", args.describe() if args else "?", self.output)
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.log_progress)
            self.loop.start(self.interval, now=False)

    def counts(self) -> dict[str, int]:
        get = self.stats.get_value
        counts = {name: int(get(f"newsbot/articles/{name}", 0)) for name in _OUTCOMES}
        counts["listed"] = int(get("newsbot/listing/articles", 0))
        counts["listing_pages"] = int(get("newsbot/listing/pages", 0))
        counts["listing_failed"] = int(get("newsbot/listing/failed", 0))
        counts["out_of_range"] = int(get("newsbot/articles/out_of_range", 0))
        return counts

    def log_progress(self) -> None:
        c = self.counts()
        minutes = max((time.monotonic() - self.started) / 60, 1e-9)
        done = c["new"] + c["updated"] + c["unchanged"] + c["restored"]
        logger.info(
            "progress: %d listing page(s), %d article(s) listed; collected %d new, %d updated, "
            "%d unchanged; skipped %d, failed %d, redirected %d, deleted %d (%.1f articles/min)",
            c["listing_pages"], c["listed"], c["new"], c["updated"], c["unchanged"],
            c["skipped"], c["failed"], c["redirected"], c["deleted"], done / minutes,
        )  # fmt: skip

    def verdict(self, reason: str) -> tuple[int, str]:
        c = self.counts()
        written_reason = self.stats.get_value("newsbot/exit_reason")
        if written_reason:
            return EXIT_FAILED, str(written_reason)
        if reason not in ("finished",):
            return EXIT_INTERRUPTED, f"the crawl was stopped ({reason}); run it again to resume"
        collected = c["new"] + c["updated"] + c["unchanged"] + c["restored"]
        tried = collected + c["failed"]
        requested = int(self.stats.get_value("newsbot/articles/requested", 0))
        if requested and not collected and not (c["out_of_range"] or c["redirected"]):
            return EXIT_FAILED, (
                f"found {c['listed']} article(s) in the listings, fetched {requested}, "
                "but collected none"
            )
        if tried and c["failed"] / tried > self.max_failed_ratio:
            return EXIT_FAILED, (
                f"{c['failed']} of {tried} article(s) failed "
                f"(more than NEWSBOT_MAX_FAILED_RATIO={self.max_failed_ratio:g}); "
                "see newsbot/failed/* in the stats"
            )
        if c["listing_failed"] and not c["listing_pages"]:
            if self.stats.get_value("robotstxt/forbidden"):
                return EXIT_FAILED, (
                    "robots.txt forbids these pages and ROBOTSTXT_OBEY is on: nothing collected"
                )
            return EXIT_FAILED, "no listing page could be read"
        return EXIT_OK, "ok"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        code, why = self.verdict(reason)
        status = {EXIT_OK: "ok", EXIT_INTERRUPTED: "interrupted"}.get(code, "failed")
        self.stats.set_value("newsbot/status", status)
        self.stats.set_value("newsbot/exit_code", code)
        self.stats.set_value("newsbot/exit_reason", why)
        c = self.counts()
        failures: dict[str, str] = getattr(spider, "failures", {})
        summary = (
            f"{c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
            f"{c['skipped']} skipped (already collected), {c['failed']} failed, "
            f"{c['redirected']} redirected (sports/entertainment), {c['deleted']} deleted, "
            f"{c['out_of_range']} outside the dates; {c['listing_pages']} listing page(s)"
        )
        for key, failure in sorted(failures.items())[:50]:
            logger.error("not collected: %s: %s", key, failure)
        if len(failures) > 50:
            logger.error("… and %d more not collected (see the report file)", len(failures) - 50)
        deleted: dict[str, str] = getattr(spider, "deleted", {})
        report = self.write_report(status, why, c, failures, deleted)
        if code == EXIT_OK:
            logger.info("newsbot: crawl OK: %s. Report: %s", summary, report)
        else:
            logger.error(
                "newsbot: crawl %s: %s. %s. Report: %s", status.upper(), why, summary, report
            )

    def write_report(
        self,
        status: str,
        why: str,
        counts: dict[str, int],
        failures: dict[str, str],
        deleted: dict[str, str],
    ) -> Path | None:
        """``OUTPUT/reports/crawl-<time>.json``: outcome, counts, every article that could not
        be collected (``failures``) and every one Naver says is gone (``deleted``), each with
        its reason."""
        data: dict[str, Any] = {
            "status": status,
            "job": getattr(self.crawler.spider, "job_id", None),  # Scrapyd's job id
            "reason": why,
            "finished_at": to_iso(now_kst()),
            "counts": counts,
            "failures": failures,
            "deleted": deleted,
        }
        path = self.output / "reports" / f"crawl-{now_kst():%Y%m%dT%H%M%S}-{id(self):x}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            logger.error("cannot write the crawl report %s: %s", path, exc)
            return None
        return path
