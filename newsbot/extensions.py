"""Extensions: the responsible-use notice, periodic progress, and the end-of-crawl verdict."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newsbot import __version__
from newsbot.args import CrawlArgs
from newsbot.dates import now_kst, to_iso
from newsbot.ledger import Reconciliation, WalkEnd, crawl_ledger

logger = logging.getLogger("newsbot")

RESPONSIBLE_USE = (
    "responsible use: Naver's robots.txt disallows crawlers (ROBOTSTXT_OBEY=%s here) and "
    "article copyright belongs to the presses; whoever runs this crawl decides whether they "
    "have the right to collect. User-Agent: %s"
)
EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_INCOMPLETE = 0, 1, 3, 4
STATUS = {
    EXIT_OK: "ok",
    EXIT_FAILED: "failed",
    EXIT_INTERRUPTED: "interrupted",
    EXIT_INCOMPLETE: "incomplete",
}
_OUTCOMES = (
    "new", "updated", "unchanged", "restored", "skipped", "failed", "redirected", "deleted",
)  # fmt: skip
#: How many unaccounted articles and failed walks the verdict line names (the report has all).
_NAMED_IN_VERDICT = 5


class CrawlReport:
    """Logs what the crawl is doing and decides, at the end, whether it worked.

    The verdict (``newsbot/status``, the exit status of ``scrapy crawl``, the report file and
    the last line of the log) is one of:

    * ``failed`` (1): articles found but none collected, more than
      ``NEWSBOT_MAX_FAILED_RATIO`` of the tried articles failed, the output could not be
      written, or no listing could be read at all;
    * ``interrupted`` (3): stopped before the end (Ctrl-C, SIGTERM, Scrapyd's cancel);
    * ``incomplete`` (4): the ledger (``newsbot.ledger``) cannot account for everything:
      an article a listing named has no outcome, or a listing walk failed without a
      fallback that succeeded;
    * ``ok`` (0): everything else — every article named has an outcome, every walk ended.
    """

    #: ``scrapy crawl`` (``newsbot.commands.crawl``) sets this and logs the verdict itself
    #: once the process has stopped, after everything else that logs (a browser closing);
    #: otherwise the verdict is logged when the engine stops, after Scrapy's stats dump.
    verdict_logged_by_command: ClassVar[bool] = False

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_REPORT_ENABLED"):
            raise NotConfigured
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.ledger = crawl_ledger(crawler)
        self.interval = crawler.settings.getfloat("NEWSBOT_PROGRESS_INTERVAL")
        self.max_failed_ratio = crawler.settings.getfloat("NEWSBOT_MAX_FAILED_RATIO")
        self.output = Path(crawler.settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.loop: task.LoopingCall | None = None
        # A live line on a terminal (not under Scrapyd, not into a log file).
        self.live = crawler.settings.getbool("NEWSBOT_PROGRESS_LIVE") and _terminal(
            crawler.settings.get("LOG_FILE")
        )
        self.live_loop: task.LoopingCall | None = None
        self.live_filter: _ClearLine | None = None
        self.started = time.monotonic()
        self.started_at = now_kst()
        self.final_line: tuple[int, str] | None = None
        self.report_error = "reports are off"  # why no report was written, if none was
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        logger.info(RESPONSIBLE_USE, settings.getbool("ROBOTSTXT_OBEY"), settings.get("USER_AGENT"))
        args = self.ledger.args
        logger.info("newsbot: collecting %s into %s", args.describe() if args else "?", self.output)
        self.started = time.monotonic()
        self.started_at = now_kst()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.log_progress)
            self.loop.start(self.interval, now=False)
        if self.live:
            self.live_filter = _ClearLine()
            for handler in logging.getLogger().handlers:
                handler.addFilter(self.live_filter)
            self.live_loop = task.LoopingCall(self.show_live)
            self.live_loop.start(1.0, now=False)

    def live_line(self) -> str:
        """``1,204 articles known so far, 1,100 done (91%), 3 failed; 1.6/s, about 1 min
        left`` (known grows while listings are walked: the time left is for those known)."""
        c = self.counts()
        done = sum(c[k] for k in ("new", "updated", "unchanged", "restored", "skipped"))
        done += c["failed"] + c["deleted"] + c["out_of_range"]
        known = max(c["listed"], done)
        seconds = max(time.monotonic() - self.started, 1e-9)
        rate = done / seconds
        share = f" ({done / known:.0%})" if known else ""
        left = ""
        if rate > 0 and known > done:
            remaining = (known - done) / rate
            left = f", about {_duration(remaining)} left"
        comments = (
            f"; {c['comments_requests']:,} comment request(s)"
            if self.ledger.comments_wanted
            else ""
        )
        return (
            f"newsbot: {known:,} article(s) known so far, {done:,} done{share}, "
            f"{c['failed']:,} failed; {rate:.1f}/s{left}{comments}"
        )

    def show_live(self) -> None:
        line = self.live_line()
        if self.live_filter is not None:
            self.live_filter.shown = True
        width = shutil.get_terminal_size((100, 24)).columns - 1  # one row: \r clears it
        sys.stderr.write("\r\x1b[K" + line[: max(20, width)])
        sys.stderr.flush()

    def stop_live(self) -> None:
        if self.live_loop is not None and self.live_loop.running:
            self.live_loop.stop()
        if self.live_filter is not None:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self.live_filter)
            if self.live_filter.shown:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            self.live_filter = None

    def counts(self) -> dict[str, int]:
        get = self.stats.get_value
        counts = {name: int(get(f"newsbot/articles/{name}", 0)) for name in _OUTCOMES}
        counts["listed"] = int(get("newsbot/listing/articles", 0))
        counts["listing_pages"] = int(get("newsbot/listing/pages", 0))
        counts["listing_failed"] = int(get("newsbot/listing/failed", 0))
        counts["listing_fallbacks"] = int(get("newsbot/listing/fallback", 0))
        counts["out_of_range"] = int(get("newsbot/articles/out_of_range", 0))
        for name in ("requests", "collected", "unchanged", "off", "not_collected", "failed"):
            counts[f"comments_{name}"] = int(get(f"newsbot/comments/{name}", 0))
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
        if self.ledger.comments_wanted:
            logger.info(
                "progress: comments: %d request(s); %d article(s) collected, %d unchanged, "
                "%d switched off, %d not collectable, %d failed",
                c["comments_requests"], c["comments_collected"], c["comments_unchanged"],
                c["comments_off"], c["comments_not_collected"], c["comments_failed"],
            )  # fmt: skip

    def verdict(self, reason: str, account: Reconciliation | None = None) -> tuple[int, str]:
        """(exit status, why) of a crawl that closed for ``reason``."""
        c = self.counts()
        written_reason = self.stats.get_value("newsbot/exit_reason")
        if written_reason:
            return EXIT_FAILED, str(written_reason)
        if reason == "start_error":
            return EXIT_FAILED, "the crawl's start failed (see the error above)"
        if reason not in ("finished",):
            return EXIT_INTERRUPTED, f"the crawl was stopped ({reason}); run it again to resume"
        requested = int(self.stats.get_value("newsbot/articles/requested", 0))
        if account is not None:
            # The ledger's account: with Redis, the whole crawl's, not this worker's share.
            c = {**c, **account.counts}
            named = sum(t.get("named", 0) for t in account.totals.values())
            requested = named - c["skipped"]
            c["listed"] = named
            c["listing_pages"] = sum(w.pages for w in account.walks)
            c["listing_failed"] = len(account.listing_failures)
        collected = c["new"] + c["updated"] + c["unchanged"] + c["restored"]
        tried = collected + c["failed"]
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
        if account is not None and not account.complete:
            return EXIT_INCOMPLETE, _incomplete_reason(account)
        limit = self.stats.get_value("newsbot/limit")
        if limit:
            return EXIT_OK, (
                f"a sample: every one of the {limit} article(s) asked for (--limit, "
                "NEWSBOT_LIMIT) accounted for; the listings were not read to the end"
            )
        return EXIT_OK, "ok"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.stop_live()
        account = self.ledger.reconcile()
        self.conclude(*self.verdict(reason, account), account)

    def stopped_without_closing(self) -> None:
        """The process stopped before the spider closed (a second Ctrl-C or SIGTERM stops
        the reactor at once): give the ``interrupted`` verdict and the report from what the
        ledger holds, as a graceful stop would."""
        if self.final_line is not None:
            return
        why = (
            "the crawl was stopped at once (a second Ctrl-C or SIGTERM); files written are "
            "whole; run it again to resume"
        )
        self.conclude(EXIT_INTERRUPTED, why, self.ledger.reconcile())

    def conclude(self, code: int, why: str, account: Reconciliation) -> None:
        """Record the verdict in the stats, write the report, and keep the verdict line."""
        status = STATUS[code]
        self.stats.set_value("newsbot/status", status)
        self.stats.set_value("newsbot/exit_code", code)
        self.stats.set_value("newsbot/exit_reason", why)
        self.stats.set_value("newsbot/unaccounted", len(account.unaccounted))
        self.stats.set_value("newsbot/listing/walks_failed", len(account.failed_walks))
        c = account.counts
        summary = (
            f"{c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
            f"{c['skipped']} skipped (already collected), {c['failed']} failed, "
            f"{c['deleted']} deleted, {c['out_of_range']} outside the dates, "
            f"{len(account.unaccounted)} unaccounted; "
            f"{self.counts()['redirected']} redirected (sports/entertainment); "
            f"{sum(w.pages for w in account.walks)} listing page(s) in "
            f"{len(account.walks)} walk(s), {len(account.listing_failures)} listing "
            "failure(s)"
        )
        if account.not_on_naver:
            summary += (
                f"; {len(account.not_on_naver)} search result(s) not on Naver (listed in the "
                "report, not fetched)"
            )
        if self.ledger.comments_wanted:
            cc = account.comment_counts
            summary += (
                f"; comments: {cc.get('collected', 0)} collected, "
                f"{cc.get('unchanged', 0)} unchanged, {cc.get('off', 0)} switched off, "
                f"{cc.get('not_collected', 0)} not collectable, "
                f"{len(account.comment_failures)} failed, "
                f"{len(account.comments_unaccounted)} unaccounted"
            )
        report = self.write_report(status, code, why, account)
        self.final_line = (
            code,
            f"newsbot: crawl {status.upper()}: {why}. {summary}. "
            + (
                f"Report: {report}"
                if report is not None
                else f"The report could not be written ({self.report_error}): this line "
                "and the log are all that is left of this crawl's account"
            ),
        )

    def engine_stopped(self) -> None:
        """The verdict is the last line of the log: after Scrapy's stats dump."""
        if not self.verdict_logged_by_command:
            self.log_verdict()

    def log_verdict(self) -> None:
        if self.final_line is None:
            return
        code, line = self.final_line
        (logger.info if code == EXIT_OK else logger.error)("%s", line)

    def write_report(
        self, status: str, code: int, why: str, account: Reconciliation
    ) -> Path | None:
        """``OUTPUT/reports/crawl-<time>.json``: the verdict, the arguments, every listing
        walk and how it ended, every listing failure, every article not collected (with its
        reason) or unaccounted for, counts per outcome and per (day, section)."""
        finished = now_kst()
        data: dict[str, Any] = {
            "status": status,
            "exit_code": code,
            "reason": why,
            "newsbot_version": __version__,
            "job": self.ledger.job_id,  # Scrapyd's job id
            "arguments": _arguments(self.ledger.args),
            "started_at": to_iso(self.started_at),
            "finished_at": to_iso(finished),
            "duration_seconds": round(time.monotonic() - self.started, 3),
            "stats": self.counts(),
            "limit": self.stats.get_value("newsbot/limit"),  # a sample (--limit), or None
            **account.to_report(),
        }
        if self.ledger.shared is not None:
            # Redis: the verdict covers every worker; this is what this worker did.
            own = self.ledger.reconcile(shared=False)
            data["worker"] = {
                "counts": own.counts,
                "walks": len(own.walks),
                "listing_pages": sum(w.pages for w in own.walks),
            }
        path = self.output / "reports" / f"crawl-{finished:%Y%m%dT%H%M%S}-{id(self):x}.json"
        partial = path.with_name(f".{path.name}.tmp")  # whole or not at all (a full disk)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            logger.error("cannot write the crawl report %s: %s", path, exc)
            self.report_error = f"{path}: {exc.strerror or exc}"
            return None
        return path


def _terminal(log_file: str | None) -> bool:
    """Whether the log goes to a terminal a person watches."""
    try:
        return not log_file and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _ClearLine(logging.Filter):
    """Clears the live progress line before a log line is written over it."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            self.shown = False
        return True


def _arguments(args: CrawlArgs | None) -> dict[str, Any] | None:
    if args is None:
        return None
    return {
        "mode": args.mode,
        "query": args.query or None,
        "start": None if args.mode == "urls" else str(args.dates[0]),
        "end": None if args.mode == "urls" else str(args.dates[-1]),
        "sections": list(args.sections) if args.mode == "sections" else [],
        "subsections": list(args.subsections),
        "press": list(args.press),
        "urls": [article_id.url for article_id, _ in args.urls],
        "refresh": args.refresh,
        "comments": args.comments.value,
    }


def _incomplete_reason(account: Reconciliation) -> str:
    parts: list[str] = []
    capped = [w for w in account.failed_walks if w.end == WalkEnd.CAPPED]
    failed = [w for w in account.failed_walks if w.end != WalkEnd.CAPPED]
    parts.extend(w.detail for w in capped)  # the Search API's cap: its own words
    if failed:
        parts.append(
            _some(
                f"{len(failed)} listing walk(s) failed without a fallback that succeeded: ",
                [f"{w.id} ({w.detail or 'never ended'})" for w in failed],
                "; ",
            )
        )
    if account.unaccounted:
        parts.append(
            _some(
                f"{len(account.unaccounted)} article(s) named by a listing have no outcome: ",
                account.unaccounted,
            )
        )
    if account.comment_failures:
        parts.append(
            _some(
                f"the comments of {len(account.comment_failures)} article(s) could not be "
                "fetched (the articles are written): ",
                [f"{key} ({why})" for key, why in account.comment_failures.items()],
                "; ",
            )
        )
    if account.comments_unaccounted:
        parts.append(
            _some(
                f"{len(account.comments_unaccounted)} article(s) have no comment outcome: ",
                account.comments_unaccounted,
            )
        )
    return "; ".join(parts)


def _some(head: str, items: list[str], separator: str = ", ") -> str:
    """``head`` and the first ``_NAMED_IN_VERDICT`` items (the report has them all)."""
    more = len(items) - _NAMED_IN_VERDICT
    named = separator.join(items[:_NAMED_IN_VERDICT])
    return head + named + (f" and {more} more" if more > 0 else "")
