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
from newsbot.errors import ConfigError, OutputUnusable
from newsbot.extensions import CrawlReport
from newsbot.search import require_credentials
from newsbot.storage import Index, StorageError, UnusableIndex

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        """``scrapy crawl -h``: Scrapy's own text, then naver's arguments."""
        from newsbot.args import ARGUMENTS

        arguments = "; ".join(f"{name}={meta} ({text})" for name, (meta, text) in ARGUMENTS.items())
        # Scrapy re-wraps this text into one paragraph: one sentence per topic.
        return (
            f"{super().long_desc()}. Arguments of the naver spider (-a NAME=VALUE), checked "
            f"before any request: {arguments}. Exit status: 0 ok, 4 incomplete, 1 failed, "
            "3 interrupted, 2 bad arguments."
        )

    def _check_environment(self) -> None:
        """The output directory is writable and Redis (if asked for) answers."""
        assert self.settings is not None
        root = Path(self.settings.get("NEWSBOT_OUTPUT_DIR") or "output")
        try:
            root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".newsbot-check-"):
                pass
            Index(root, timeout=5).close()  # creates it: a full disk shows here, not later
        except (OSError, StorageError) as exc:
            raise OutputUnusable(
                f"cannot write to the output directory: {root}: {exc.strerror or exc}"
            ) from None
        except UnusableIndex as exc:
            raise OutputUnusable(str(exc)) from None
        url = self.settings.get("NEWSBOT_REDIS_URL")
        if url:
            import redis

            from newsbot.distributed import mask_url, redis_client

            try:  # once, with NEWSBOT_REDIS_TIMEOUT: a worker that cannot start says so now
                redis_client(self.settings, retries=0).ping()
            except (redis.RedisError, ValueError) as exc:
                # The URL may hold a password (redis://user:password@host): never print it.
                raise ConfigError(f"NEWSBOT_REDIS_URL={mask_url(url)}: {exc}") from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl naver")
        if args[0] == "naver":
            spargs = {k: v for k, v in opts.spargs.items() if not k.startswith("_")}
            try:
                if parse_args(spargs).query and self.settings is not None:
                    require_credentials(self.settings)
                self._check_environment()
            except (ConfigError, OutputUnusable) as exc:
                message = f"newsbot: error: {exc}"
                if self.settings and self.settings.get("LOG_FILE"):
                    # Under Scrapyd the job log is LOG_FILE: say it there (and fail the job).
                    logging.getLogger("newsbot").error(
                        "%s; crawl FAILED before any request", message
                    )
                print(message, file=sys.stderr)
                # A bad argument is 2; an output directory that cannot be used is 1.
                self.exitcode = EXIT_BAD_ARGUMENTS if isinstance(exc, ConfigError) else 1
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
            if not self.crawler_process.bootstrap_failed:
                report.stopped_without_closing()  # a no-op unless a second signal cut it short
            report.log_verdict()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        if crawler.stats is not None:
            code = crawler.stats.get_value("newsbot/exit_code")
            if code:
                self.exitcode = int(code)
