"""Spider arguments: parsed and validated once into a frozen ``CrawlArgs``.

Every bad value raises ``ConfigError`` with a one-line message naming the argument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from newsbot.comments import Mode
from newsbot.dates import today_kst
from newsbot.errors import ConfigError, InvalidArticleUrl
from newsbot.pages.api import SPORTS_SECTIONS
from newsbot.search import MAX_QUERY_CHARS
from newsbot.sections import DEFAULT_SECTIONS, SECTIONS, SUBSECTIONS, section_code
from newsbot.urls import ENTERTAIN, OID_RE, SPORTS, ArticleId, parse_any_article_url

#: Section names accepted besides the sid1 numbers: they leave the n.news host.
OFFSITE_SECTIONS = {"sports": SPORTS, "107": SPORTS, "entertain": ENTERTAIN, "106": ENTERTAIN}

#: Every ``-a`` argument and what it means: the help of ``newsbot crawl`` and of
#: ``scrapy crawl naver -h`` (``newsbot.commands.crawl``), and the README's table.
ARGUMENTS: dict[str, tuple[str, str]] = {
    "date": ("DAY", "one day, Korea time: YYYY-MM-DD, today, yesterday or -Nd (default: today)"),
    "start": ("DAY", "the first day of a range (with end); same forms as date"),
    "end": ("DAY", "the last day of a range (with start)"),
    "sections": (
        "LIST",
        "sections by code or name: 100/정치/politics, 101/경제/economy, 102/사회/society, "
        "103/생활/문화/life, 104/세계/world, 105/IT/과학/it, entertain (106), sports (107); "
        "default: 100-105 (see: newsbot sections)",
    ),
    "subsections": ("LIST", "only these sid2 sub-sections of the chosen sections"),
    "press": ("LIST", "collect by press (3-digit oids, e.g. 001,437) instead of by section"),
    "urls": ("LIST", "just these articles, in any Naver URL form"),
    "query": (
        "WORDS",
        "the Naver articles Naver's Search API finds for these words in the dates (needs "
        "NEWSBOT_NAVER_CLIENT_ID and NEWSBOT_NAVER_CLIENT_SECRET)",
    ),
    "refresh": ("0|1", "fetch articles again even if already collected"),
    "comments": ("off|count|all", "also the comment count / every comment and reply"),
}
KNOWN_ARGS = frozenset(ARGUMENTS)
#: The longest date range one crawl accepts (a guard against typos such as 2016 for 2026).
MAX_DAYS = 3660
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE_RE = re.compile(r"-(\d{1,5})d")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class CrawlArgs:
    """What one crawl collects: by section (default), by press, or a list of articles."""

    dates: tuple[date, ...]
    sections: tuple[str, ...]
    subsections: tuple[str, ...]  # empty: every sub-section of the chosen sections
    press: tuple[str, ...]
    urls: tuple[tuple[ArticleId, str], ...]  # (article, kind: news/sports/entertain)
    refresh: bool
    comments: Mode = Mode.OFF  # off, count (comment_count only) or all (.comments.jsonl too)
    query: str = ""  # keyword search (Naver's Search API) instead of listings

    @property
    def mode(self) -> str:
        if self.urls:
            return "urls"
        if self.query:
            return "query"
        return "press" if self.press else "sections"

    def sub_sections_of(self, sid1: str) -> tuple[str, ...]:
        known = SPORTS_SECTIONS if sid1 == SPORTS else SUBSECTIONS.get(sid1, ())
        if not self.subsections:
            return known
        return tuple(s for s in known if s in self.subsections)

    def covers(self, day: date) -> bool:
        return self.dates[0] <= day <= self.dates[-1]

    def describe(self) -> str:
        comments = f", comments={self.comments}" if self.comments is not Mode.OFF else ""
        if self.mode == "urls":
            return f"{len(self.urls)} article URL(s){comments}"
        span = str(self.dates[0]) if len(self.dates) == 1 else f"{self.dates[0]}..{self.dates[-1]}"
        what = (
            f"the articles Naver's Search API finds for {self.query!r}"
            if self.query
            else f"press {','.join(self.press)}"
            if self.press
            else f"sections {','.join(self.sections)}"
            + (f" (sub-sections {','.join(self.subsections)})" if self.subsections else "")
        )
        return f"{span}, {what}" + (", refresh" if self.refresh else "") + comments


def parse_day(value: str, today: date) -> date:
    """``YYYY-MM-DD``, ``today``, ``yesterday`` or ``-Nd`` (N days before ``today``, the
    day in Korea); raises ``ValueError`` with what is expected."""
    text = value.strip().lower()
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    relative = _RELATIVE_RE.fullmatch(text)
    if relative:
        return today - timedelta(days=int(relative[1]))
    if not _DATE_RE.fullmatch(text):
        raise ValueError("expected a date as YYYY-MM-DD, today, yesterday or -Nd (N days ago)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a calendar date") from None


def _parse_date(name: str, value: str, today: date) -> date:
    try:
        return parse_day(value, today)
    except ValueError as exc:
        raise ConfigError(f"-a {name}={value.strip()!r}: {exc}") from None


def _section(name: str) -> str:
    """A section by code or name: its sid1, or the off-site kind for 106 and 107."""
    code = section_code(name) or name
    return OFFSITE_SECTIONS.get(code, code)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_args(raw: Mapping[str, object], *, today: date | None = None) -> CrawlArgs:
    """Validate ``-a`` arguments; raise ``ConfigError`` naming the first bad one."""
    today = today or today_kst()
    unknown = sorted(set(raw) - KNOWN_ARGS)
    if unknown:
        raise ConfigError(
            f"unknown argument -a {unknown[0]}=…; known: {', '.join(sorted(KNOWN_ARGS))}"
        )
    args = {k: str(v) for k, v in raw.items()}

    refresh_text = args.get("refresh", "0").strip().lower()
    if refresh_text not in _TRUE | _FALSE:
        raise ConfigError(f"-a refresh={args['refresh']!r}: expected 1 or 0")
    refresh = refresh_text in _TRUE

    comments_text = args.get("comments", "off").strip().lower()
    if comments_text in _FALSE:
        comments_text = "off"
    if comments_text not in {m.value for m in Mode}:
        raise ConfigError(
            f"-a comments={args['comments']!r}: expected off, count (the number of comments "
            "only) or all (every comment and reply)"
        )
    comments = Mode(comments_text)

    urls: list[tuple[ArticleId, str]] = []
    if "urls" in args:
        for url in _split(args["urls"]):  # any form, sports and entertainment included
            try:
                urls.append(parse_any_article_url(url))
            except InvalidArticleUrl:
                raise ConfigError(f"-a urls: not a Naver article URL: {url!r:.200}") from None
        if not urls:
            raise ConfigError("-a urls= is empty")
        clash = sorted(set(args) & {"date", "start", "end", "sections", "subsections", "press"})
        if clash:
            raise ConfigError(f"-a urls cannot be combined with -a {clash[0]}")

    query = ""
    if "query" in args:
        query = " ".join(args["query"].split())
        if not query:
            raise ConfigError("-a query= is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise ConfigError(f"-a query is longer than {MAX_QUERY_CHARS} characters")
        clash = sorted(set(args) & {"sections", "subsections", "press", "urls"})
        if clash:
            raise ConfigError(f"-a query cannot be combined with -a {clash[0]}")

    if "date" in args and ("start" in args or "end" in args):
        raise ConfigError("give either -a date=… or -a start=… -a end=…, not both")
    if ("start" in args) != ("end" in args):
        raise ConfigError("-a start and -a end go together")
    if "start" in args:
        start = _parse_date("start", args["start"], today)
        end = _parse_date("end", args["end"], today)
        if end < start:
            raise ConfigError(f"-a end={end} is before -a start={start}")
    else:
        start = end = _parse_date("date", args["date"], today) if "date" in args else today
    if end > today:
        raise ConfigError(f"{end} is in the future (today in Korea is {today})")
    if (end - start).days >= MAX_DAYS:
        raise ConfigError(f"date range {start}..{end} is longer than {MAX_DAYS} days")
    dates = tuple(start + timedelta(days=n) for n in range((end - start).days + 1))

    press: list[str] = []
    if "press" in args:
        press = list(dict.fromkeys(_split(args["press"])))
        bad = [p for p in press if not OID_RE.fullmatch(p)]
        if bad or not press:
            raise ConfigError(
                f"-a press: {bad[0] if bad else ''!r} is not a 3-digit press id (oid)"
            )
        if "sections" in args or "subsections" in args:
            raise ConfigError("-a press collects by press: it cannot be combined with sections")

    sections = list(DEFAULT_SECTIONS)
    if "sections" in args:
        names = _split(args["sections"])
        for name in names:
            if section_code(name) is None:
                raise ConfigError(
                    f"-a sections: unknown section {name!r}; known: "
                    + ", ".join(f"{sid} {n}" for sid, n in SECTIONS.items())
                    + ", entertain (106), sports (107) (see: newsbot sections)"
                )
        sections = list(dict.fromkeys(_section(n) for n in names))
        if not sections:
            raise ConfigError("-a sections= is empty")
    subsections: list[str] = []
    if "subsections" in args:
        subsections = list(dict.fromkeys(_split(args["subsections"])))
        known = {s for sid in sections for s in SUBSECTIONS.get(sid, ())}
        if SPORTS in sections:
            known.update(SPORTS_SECTIONS)
        for sid2 in subsections:
            if sid2 not in known:
                raise ConfigError(
                    f"-a subsections: {sid2!r} is not a sub-section of section(s) "
                    f"{','.join(sections)}"
                )
        if not subsections:
            raise ConfigError("-a subsections= is empty")

    return CrawlArgs(
        dates=dates,
        sections=tuple(sections),
        subsections=tuple(subsections),
        press=tuple(press),
        urls=tuple(dict.fromkeys(urls)),
        refresh=refresh,
        comments=comments,
        query=query,
    )
