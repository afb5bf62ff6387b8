"""Every newsbot setting in one table, where each value comes from, and its checks.

A ``NEWSBOT_*`` setting is read, in every command, from (first found): an option or
``-s NAME=VALUE``, the environment variable of the same name, the settings module
(``newsbot/settings.py``, or the project's own with ``SCRAPY_SETTINGS_MODULE``), then the
default below. ``check`` parses and checks every value (and the Scrapy settings newsbot
relies on) before the first request: one line each, ``ConfigError`` (exit 2).

``python -m newsbot.config`` prints the table as ``docs/settings.md`` holds it.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsbot.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import Settings

#: The priority of values from the environment: above the settings module ("project", 20)
#: and a spider's own (30), below the command line ("cmdline", 40).
ENV_PRIORITY = 35


@dataclass(frozen=True)
class Setting:
    """One ``NEWSBOT_*`` setting: its type, default, one line of help, where it is told."""

    name: str
    kind: str  # str, bool, int, float, path, url
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    where: str = "docs/settings.md"
    internal: bool = False  # set by newsbot itself, not by users

    def parse(self, value: Any) -> Any:
        """The value as its type; ``ValueError`` (one line, without the name) if it is not."""
        if self.kind in ("str", "path", "url"):
            return "" if value is None else str(value).strip()
        if self.kind == "bool":
            return as_bool(value)
        number: float
        try:
            number = int(str(value).strip()) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            what = "a whole number" if self.kind == "int" else "a number"
            raise ValueError(f"{value!r} is not {what}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{value!r} is below {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{value!r} is above {self.maximum:g}")
        return number


def as_bool(value: Any) -> bool:
    """Scrapy's booleans (True/False, 1/0, true/false) and yes/no, on/off."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not a boolean (True/False, 1/0)")


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("NEWSBOT_OUTPUT_DIR", "path", "output",
                "where files, index and reports go (`newsbot crawl --output DIR`)"),
        Setting("NEWSBOT_TEMPLATE", "path", "",
                "a Jinja2 template file instead of the packaged `templates/article.md.j2` "
                "(checked before the crawl: it must render a sample article)"),
        Setting("NEWSBOT_CONTACT", "str", "",
                "your e-mail or URL, sent in the User-Agent (`--contact`); a crawl without "
                "one warns at start"),
        Setting("NEWSBOT_LIMIT", "int", 0,
                "stop after this many articles fetched, a sample (`--limit N`; 0: no limit; "
                "per worker with Redis)", minimum=0),
        Setting("NEWSBOT_QUIET", "bool", False,
                "on the terminal, newsbot's own lines and every warning only; Scrapy's "
                "start-up and stats dump go to `LOG_FILE` alone (`newsbot crawl` sets it "
                "unless `--verbose`)"),
        Setting("NEWSBOT_PROGRESS_INTERVAL", "float", 30.0,
                "seconds between progress lines (0: none)", minimum=0),
        Setting("NEWSBOT_PROGRESS_LIVE", "bool", True,
                "on a terminal, a live progress line redrawn every second (never under "
                "Scrapyd or with `LOG_FILE`)"),
        Setting("NEWSBOT_MAX_FAILED_RATIO", "float", 0.1,
                "failed share of tried articles that fails the crawl", minimum=0, maximum=1),
        Setting("NEWSBOT_REPORT_ENABLED", "bool", True,
                "the end-of-crawl verdict, report file and exit status"),
        Setting("NEWSBOT_RETRY_BACKOFF", "float", 2.0,
                "first retry wait in seconds, doubled per attempt", minimum=0),
        Setting("NEWSBOT_RETRY_BACKOFF_MAX", "float", 120.0,
                "longest backoff wait (seconds)", minimum=0),
        Setting("NEWSBOT_RETRY_AFTER_MAX", "float", 600.0,
                "longest `Retry-After` wait honoured (seconds)", minimum=0),
        Setting("NEWSBOT_CHROMIUM_PATH", "path", "/usr/bin/chromium",
                "the browser for pages that only render in one (Debian's `chromium`)"),
        Setting("NEWSBOT_BROWSER_TIMEOUT", "float", 30.0,
                "seconds for the browser to launch, load and render a page", minimum=0.001),
        Setting("NEWSBOT_BROWSER_IGNORE_HTTPS_ERRORS", "bool", False,
                "accept bad certificates in the browser (the tests' fake Naver)"),
        Setting("NEWSBOT_REDIS_URL", "url", "",
                "`redis://host:6379/0`: share one crawl between workers (docs/scaling.md)",
                where="docs/scaling.md"),
        Setting("NEWSBOT_REDIS_TIMEOUT", "float", 5.0,
                "seconds a Redis connect or answer may take", minimum=0.001,
                where="docs/scaling.md"),
        Setting("NEWSBOT_REDIS_RETRIES", "int", 4,
                "tries again of a failed Redis call before the worker fails (exit 1)",
                minimum=0, where="docs/scaling.md"),
        Setting("NEWSBOT_COMMENTS_CONCURRENCY", "int", 1,
                "comment requests at once (`apis.naver.com`, a download slot of its own)",
                minimum=1),
        Setting("NEWSBOT_COMMENTS_DELAY", "float", 0.5,
                "seconds between two comment requests (fixed: AutoThrottle does not lower it)",
                minimum=0),
        Setting("NEWSBOT_COMMENTS_PERSONAL_FIELDS", "bool", False,
                "also keep each commenter's id number and profile image (README, Comments)"),
        Setting("NEWSBOT_COMMENTS_KEEP_DELETED_TEXT", "bool", False,
                "a comment deleted since an earlier run keeps the text that run read"),
        Setting("NEWSBOT_NAVER_CLIENT_ID", "str", "",
                "the Search API key's Client ID (`-a query=`); better from the environment "
                "than `-s` (not in shell history or Scrapyd's job list)"),
        Setting("NEWSBOT_NAVER_CLIENT_SECRET", "str", "",
                "the Search API key's Client Secret (as the Client ID)"),
        Setting("NEWSBOT_ARCHIVE", "bool", False,
                "also keep every fetched page raw in `OUTPUT/archive/*.warc.gz` (`--archive`)"),
        Setting("NEWSBOT_ARCHIVE_MAX_BYTES", "int", 1024**3,
                "start a new WARC file past this size (bytes)", minimum=1024),
        Setting("NEWSBOT_RUNTIME_TUNING", "bool", True,
                "freeze start-up objects out of the garbage collector, collect less often, "
                "glibc malloc fast bins off (`newsbot/runtime.py`, docs/benchmarks.md)"),
        Setting("NEWSBOT_DOCTOR_OBEY", "bool", False,
                "(set by `newsbot doctor`: whether the crawl would obey robots.txt)",
                internal=True),
    )
}  # fmt: skip


def _scrapy(kind: str, minimum: float | None = None) -> Setting:
    return Setting("", kind, None, "", minimum=minimum)


#: Scrapy settings newsbot relies on: parsed before the first request as well.
SCRAPY_SETTINGS: dict[str, Setting] = {
    "DOWNLOAD_DELAY": _scrapy("float", 0),
    "DOWNLOAD_TIMEOUT": _scrapy("float", 0.001),
    "DOWNLOAD_MAXSIZE": _scrapy("int", 0),
    "DOWNLOAD_WARNSIZE": _scrapy("int", 0),
    "CONCURRENT_REQUESTS": _scrapy("int", 1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _scrapy("int", 1),
    "CONCURRENT_ITEMS": _scrapy("int", 1),
    "AUTOTHROTTLE_ENABLED": _scrapy("bool"),
    "AUTOTHROTTLE_START_DELAY": _scrapy("float", 0),
    "AUTOTHROTTLE_MAX_DELAY": _scrapy("float", 0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": _scrapy("float", 0.001),
    "RANDOMIZE_DOWNLOAD_DELAY": _scrapy("bool"),
    "RETRY_ENABLED": _scrapy("bool"),
    "RETRY_TIMES": _scrapy("int", 0),
    "ROBOTSTXT_OBEY": _scrapy("bool"),
    "HTTPCACHE_ENABLED": _scrapy("bool"),
    "CLOSESPIDER_ITEMCOUNT": _scrapy("int", 0),
    "CLOSESPIDER_PAGECOUNT": _scrapy("int", 0),
    "CLOSESPIDER_TIMEOUT": _scrapy("float", 0),
    "CLOSESPIDER_ERRORCOUNT": _scrapy("int", 0),
    "LOG_ENABLED": _scrapy("bool"),
}
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def defaults() -> dict[str, Any]:
    """``{name: default}`` of every ``NEWSBOT_*`` setting (newsbot/settings.py)."""
    return {name: s.default for name, s in SETTINGS.items()}


def closest(name: str) -> str | None:
    found = difflib.get_close_matches(name, list(SETTINGS), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown(names: Iterator[str] | list[str], where: str) -> None:
    """``ConfigError`` for the first ``NEWSBOT_*`` name that is not a setting."""
    for name in names:
        if name.startswith("NEWSBOT_") and name not in SETTINGS:
            near = closest(name)
            hint = f"did you mean {near}?" if near else "see docs/settings.md"
            raise ConfigError(f"unknown setting {name}{where} ({hint})")


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``NEWSBOT_*`` settings the environment sets (checked: an unknown name is an
    error); an empty variable counts as unset."""
    environ = os.environ if environ is None else environ
    names = sorted(n for n in environ if n.startswith("NEWSBOT_"))
    unknown(names, " in the environment")
    return {name: environ[name] for name in names if environ[name] != ""}


def apply_environment(settings: Any, environ: Mapping[str, str] | None = None) -> None:
    """Put the environment's ``NEWSBOT_*`` values in Scrapy ``settings`` (a mutable
    ``BaseSettings``) above the settings module, below ``-s``."""
    for name, value in from_environment(environ).items():
        settings.set(name, value, priority=ENV_PRIORITY)


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """newsbot's Scrapy settings as a crawl would have them: the settings module, the
    environment, then ``overrides`` (options and ``-s``)."""
    from scrapy.settings import Settings

    # The settings module the environment names, else newsbot's; read without touching
    # os.environ (get_project_settings would set SCRAPY_SETTINGS_MODULE for every child).
    settings = Settings()
    settings.setmodule(
        os.environ.get("SCRAPY_SETTINGS_MODULE") or "newsbot.settings", priority="project"
    )
    apply_environment(settings)
    for name, value in (overrides or {}).items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def value(name: str, option: Any = None) -> Any:
    """One ``NEWSBOT_*`` setting for a command that runs no crawl (export, verify,
    reparse, …): ``option`` if given, else the environment, the settings module, the default;
    parsed (``ConfigError`` if it does not parse)."""
    setting = SETTINGS[name]
    raw = option if option is not None else project_settings().get(name, setting.default)
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw}: {exc}") from None


def check(settings: Any, *, warn: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Parse and check every ``NEWSBOT_*`` setting and the Scrapy settings newsbot relies
    on, before any request: ``ConfigError`` naming the first bad one; the parsed values.
    ``warn`` is told what will work but deserves a word (no contact, a template whose files
    ``newsbot verify`` cannot check)."""
    unknown(sorted(settings.attributes), "")
    parsed: dict[str, Any] = {}
    for table in (SETTINGS, SCRAPY_SETTINGS):
        for name, setting in table.items():
            raw = settings.get(name, setting.default)
            if raw is None:
                continue
            try:
                parsed[name] = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{name}={raw}: {exc}") from None
    level = settings.get("LOG_LEVEL")
    if isinstance(level, str):
        if level.strip().upper() not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL={level}: give one of {', '.join(LOG_LEVELS)}")
        parsed["LOG_LEVEL"] = level.strip().upper()
    if not settings.frozen:
        # What was checked is what every component reads: ``yes`` is True for Scrapy's
        # getbool too, ``warning`` is WARNING for logging, `` t.j2 `` is ``t.j2``.
        for name, value in parsed.items():
            priority = settings.getpriority(name)
            if priority is not None and settings.get(name) != value:
                settings.set(name, value, priority=priority)
    if not str(parsed["NEWSBOT_OUTPUT_DIR"]):
        raise ConfigError("NEWSBOT_OUTPUT_DIR is empty: name a directory")
    _check_log_file(settings.get("LOG_FILE"))
    _check_redis_url(parsed["NEWSBOT_REDIS_URL"])
    _check_template(parsed["NEWSBOT_TEMPLATE"], warn)
    chromium = parsed["NEWSBOT_CHROMIUM_PATH"]
    if chromium != SETTINGS["NEWSBOT_CHROMIUM_PATH"].default and not os.access(chromium, os.X_OK):
        raise ConfigError(f"NEWSBOT_CHROMIUM_PATH={chromium}: no such program")
    if warn is not None and not parsed["NEWSBOT_CONTACT"]:
        warn(
            "no contact is set: the User-Agent tells Naver nobody to reach; give "
            "--contact you@example.org (or NEWSBOT_CONTACT)"
        )
    return parsed


def _check_log_file(name: Any) -> None:
    if not name:
        return
    path = Path(str(name))
    if path.is_dir():
        raise ConfigError(f"LOG_FILE={name}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"LOG_FILE={name}: no such directory: {parent}")


def _check_redis_url(url: str) -> None:
    if not url:
        return
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        raise ConfigError(f"NEWSBOT_REDIS_URL: not a URL: {exc}") from None
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            "NEWSBOT_REDIS_URL: give redis://host:6379/0 (or rediss://, unix://), "
            f"not a {parts.scheme or 'scheme-less'} URL"
        )


def _check_template(template: str, warn: Callable[[str], None] | None) -> None:
    if not template:
        return
    from newsbot.output.verify import TemplateError, Verifier, _probe_items
    from newsbot.render import render_article

    path = Path(template)
    if not path.is_file():
        raise ConfigError(f"NEWSBOT_TEMPLATE={template}: no such file")
    try:
        render_article(_probe_items()[0], template)
    except Exception as exc:  # a syntax error, an undefined name: one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"NEWSBOT_TEMPLATE={template}: does not render a sample article: {first}"
        ) from None
    try:
        Verifier(template)
    except TemplateError as exc:
        if warn is not None:
            warn(f"{exc}; newsbot verify will not be able to check the files it writes")


def markdown() -> str:
    """The table of ``docs/settings.md``."""
    lines = ["| setting | type | default | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS.values():
        if s.internal:
            continue
        default = s.default
        if s.name == "NEWSBOT_ARCHIVE_MAX_BYTES":
            shown = "1 GiB"
        elif default == "":
            shown = "empty"
        else:
            shown = f"`{default}`"
        where = "" if s.where == "docs/settings.md" else f" (see {s.where})"
        lines.append(f"| `{s.name}` | {s.kind} | {shown} | {s.help}{where} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
