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
from scrapy.settings import BaseSettings

from newsbot import config
from newsbot.args import parse_args
from newsbot.config import LOG_LEVELS
from newsbot.errors import ConfigError, OutputUnusable
from newsbot.extensions import CrawlReport
from newsbot.output.index import Index, StorageError, UnusableIndex
from newsbot.search import require_credentials

EXIT_BAD_ARGUMENTS = 2
#: Above ``-s`` (cmdline, 40): ``NEWSBOT_QUIET`` puts newsbot's log handlers in Scrapy's place.
QUIET_PRIORITY = 45


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

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """``-s`` on top of the environment's ``NEWSBOT_*`` on top of the settings module;
        then every value checked (``newsbot.config``): a bad one is one line and exit 2
        before anything starts, before logging is even set up (a bad ``LOG_LEVEL``)."""
        super().process_options(args, opts)
        assert self.settings is not None
        self.warnings: list[str] = []
        try:
            config.apply_environment(self.settings)
            config.check(self.settings, warn=self.warnings.append)
        except ConfigError as exc:
            _refuse(f"newsbot: error: {exc}", self.settings.get("LOG_FILE"))
            raise SystemExit(EXIT_BAD_ARGUMENTS) from None
        if self.settings.getbool("NEWSBOT_QUIET") and self.settings.getbool("LOG_ENABLED"):
            install_quiet_log(self.settings)
            # Scrapy's root handler would print everything on the terminal: off there (with
            # LOG_FILE it still writes the file, as it would without NEWSBOT_QUIET).
            self.settings.set("LOG_ENABLED", False, priority=QUIET_PRIORITY)

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
        for warning in getattr(self, "warnings", []):
            logging.getLogger("newsbot").warning("%s", warning)
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
            if report.final_line is not None:
                code, line = report.final_line
                if not _on_terminal(logging.INFO if code == 0 else logging.ERROR):
                    # LOG_FILE, a LOG_LEVEL above it, no log: the terminal still gets it, last.
                    print(line, file=sys.stderr, flush=True)
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        if crawler.stats is not None:
            code = crawler.stats.get_value("newsbot/exit_code")
            if code:
                self.exitcode = int(code)


def _refuse(line: str, log_file: object) -> None:
    """``line`` on standard error, and in ``LOG_FILE`` when it can be written (Scrapyd's
    job log): a crawl refused before logging is set up."""
    print(line, file=sys.stderr, flush=True)
    if not log_file or not isinstance(log_file, str):
        return
    try:
        with open(log_file, "a", encoding="utf-8") as out:
            out.write(f"{line}; crawl FAILED before any request\n")
    except OSError:
        pass


class _OursOrWarnings(logging.Filter):
    """newsbot's own lines, and every warning and error."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        return record.levelno >= logging.WARNING or name == "newsbot" or name.startswith("newsbot.")


class _TerminalFormatter(logging.Formatter):
    """``12:04:31 newsbot: …`` (warnings and errors with their level and origin)."""

    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%H:%M:%S")
        text = record.getMessage()
        ours = record.name == "newsbot" or record.name.startswith("newsbot.")
        if not ours:
            # Scrapy's own errors can hold a whole item and a traceback: their first line
            # here, all of it with --verbose or in LOG_FILE.
            first = text.splitlines()[0] if text else ""
            if len(first) > 300 or first != text or record.exc_info:
                text = f"{first[:300]} … (whole, with --verbose or in LOG_FILE)"
        elif record.exc_info and record.levelno >= logging.ERROR:
            text += "\n" + self.formatException(record.exc_info)
        if record.levelno >= logging.WARNING:
            return f"{when} {record.levelname} [{record.name}] {text}"
        return f"{when} {text}"


def _terminal_handlers() -> list[logging.Handler]:  # (StreamHandlers)
    """The root handlers that write to standard error (not to a file)."""
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and not isinstance(h, logging.FileHandler)
        and getattr(h, "stream", None) in (sys.stderr, sys.__stderr__)
    ]


def install_quiet_log(settings: BaseSettings) -> None:
    """The terminal as ``newsbot crawl`` shows it (``NEWSBOT_QUIET``): newsbot's own lines
    and every warning, in few words. Scrapy's own handler is switched off, unless it writes
    ``LOG_FILE``: then it keeps writing everything there, Scrapy's start-up and stats too."""
    level_name = str(settings.get("LOG_LEVEL") or "INFO").upper()
    level = logging.getLevelName(level_name) if level_name in LOG_LEVELS else logging.INFO
    root = logging.getLogger()
    root.setLevel(logging.NOTSET)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(level)
    terminal.addFilter(_OursOrWarnings())
    terminal.setFormatter(_TerminalFormatter())
    root.addHandler(terminal)


def _on_terminal(level: int) -> bool:
    """Whether a ``newsbot`` record of ``level`` reaches standard error."""
    record = logging.LogRecord("newsbot", level, __file__, 0, "", None, None)
    return any(h.level <= level and h.filter(record) for h in _terminal_handlers())
