"""``scrapy crawl`` with clear argument errors and an exit status that tells the truth.

Scrapy's own ``crawl`` exits 0 even when every request failed. This one validates
``naver``'s arguments before anything starts (one line, exit 2) and exits with the
verdict of ``newsbot.extensions.CrawlReport`` (``newsbot/exit_code`` in the stats).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newsbot.args import parse_args
from newsbot.errors import ConfigError
from newsbot.extensions import CrawlReport

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawl):
    def _check_environment(self) -> None:
        """The output directory is writable and Redis (if asked for) answers."""
        assert self.settings is not None
        root = Path(self.settings.get("NEWSBOT_OUTPUT_DIR") or "output")
        try:
            root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".newsbot-check-"):
                pass
        except OSError as exc:
            raise ConfigError(
                f"NEWSBOT_OUTPUT_DIR={root}: cannot write there ({exc.strerror or exc})"
            ) from None
        url = self.settings.get("NEWSBOT_REDIS_URL")
        if url:
            import redis

            try:
                redis.Redis.from_url(url, socket_connect_timeout=5).ping()
            except (redis.RedisError, ValueError) as exc:
                raise ConfigError(f"NEWSBOT_REDIS_URL={url}: {exc}") from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl naver")
        if args[0] == "naver":
            spargs = {k: v for k, v in opts.spargs.items() if not k.startswith("_")}
            try:
                parse_args(spargs)
                self._check_environment()
            except ConfigError as exc:
                message = f"newsbot: error: {exc}"
                if self.settings and self.settings.get("LOG_FILE"):
                    # Under Scrapyd the job log is LOG_FILE: say it there (and fail the job).
                    logging.getLogger("newsbot").error(
                        "%s; crawl FAILED before any request", message
                    )
                print(message, file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        CrawlReport.verdict_logged_by_command = True  # below, as the very last line
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        try:
            report = crawler.get_extension(CrawlReport)
        except RuntimeError:  # the crawl never started (its extensions were never made)
            report = None
        if report is not None:
            report.log_verdict()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        if crawler.stats is not None:
            code = crawler.stats.get_value("newsbot/exit_code")
            if code:
                self.exitcode = int(code)
