"""``newsbot doctor``: a live self-check of every step of a crawl, with a few real requests.

Everything newsbot knows of Naver comes from saved pages; the real site can only be seen by
whoever runs newsbot. The doctor makes a small, announced number of requests (at most
``planned_requests()``), with the crawl's own settings (User-Agent, proxy, politeness), and
checks what a crawl depends on:

* robots.txt of news.naver.com and n.news.naver.com, and any sign of blocking (403, 429,
  captcha pages, empty answers);
* the cursor list (``SECTION_ARTICLE_LIST_FOR_LATEST``) of one sub-section of each of two
  sections, first page and two ``next`` pages (cards, the title links, the cursor: changed,
  and of a known shape), the old ``list.naver`` date list and a press list, the sports and
  entertainment JSON lists;
* three n.news articles (layout, every field and the selector that gave it, dates, body
  length, captions and players kept out of the text, the hash), one sports and one
  entertainment article through their JSON;
* the comment-count probe of one article, and the Search API when a key is set.

Each check is ``ok``, ``drift`` (newsbot saw something new but a crawl would still work: a
cursor of a new shape, a fallback selector) or ``failed`` (a crawl would lose data: no
cards, a field missing on every article, blocked). The exit status is 0, 5 or 1 by the
worst. The JSON report (``--output``) is meant to be attached to an issue: the checks, the
shapes seen, newsbot's version; no field of an article longer than 200 characters, and no
key.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler, TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.http import Response
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefusedError
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from newsbot import __version__, config
from newsbot.article import finalize, page_for, selector_from_bytes
from newsbot.comments import comment_url, parse_comment_page, template_id_of
from newsbot.comments import referer as comment_referer
from newsbot.dates import now_kst, to_iso
from newsbot.errors import ArticleNotFound, ConfigError, describe_exception, unreachable
from newsbot.pages import LAYOUTS
from newsbot.pages.api import API_LAYOUTS
from newsbot.pages.base import ArticlePage, css_all, string_of
from newsbot.pages.listings import TEMPLATE_KEY, Listing
from newsbot.search import REFUSALS, credentials, parse_search_page, refusal, search_url
from newsbot.sites import SITES, Kind
from newsbot.sources import SOURCES, Walk, cursor_day, cursor_is_known
from newsbot.text import clean_inline
from newsbot.urls import ArticleId

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_DRIFT = 0, 1, 2, 5
OK, DRIFT, FAILED, SKIPPED, QUIET = "ok", "drift", "failed", "skipped", "quiet"
#: QUIET: a list in its known shape that lists nothing for the day (a quiet day, a small
#: press): nothing wrong with how it is read, nothing to check past it either.
_RANK = {OK: 0, SKIPPED: 0, QUIET: 0, DRIFT: 1, FAILED: 2}
#: One sub-section of each of two sections: busy every day on the real site.
SECTIONS_CHECKED: tuple[tuple[str, str], ...] = (("100", "264"), ("101", "258"))
LIST_PAGES = 3  # the first page and two next pages of each cursor list
#: The press list checked when no section list named a press (연합뉴스: dozens of articles
#: every day); else the press of the first article the day's first section list names.
PRESS_CHECKED = "001"
SPORTS_CHECKED = "kbaseball"
NEWS_ARTICLES = 3
SEARCH_QUERY = "뉴스"
#: The longest piece of an article the report holds, per field.
MAX_FIELD_CHARS = 200
#: Fields a crawl writes; ``WATCHED`` ones missing on every article checked fail the check.
FIELDS = (
    "title",
    "publisher",
    "published_at",
    "modified_at",
    "authors",
    "categories",
    "sid",
    "original_url",
    "subtitle",
    "images",
    "content",
)
WATCHED = ("title", "content", "published_at", "publisher", "sid")
#: Fields most articles have: missing on every article checked is drift (a byline or the
#: categories may have moved), not yet a loss.
EXPECTED = ("authors", "categories")
#: Queries that are a layout's last resort (the page's meta tags, its <title>, the date as
#: shown, without seconds): a value from one of these means the layout's own element is gone.
_FALLBACK_QUERIES = ("meta ", "title::text", "span.media_end_head_info_datestamp_time")
_PLAYER_QUERY = ".vod_player_wrap, ._VOD_PLAYER_WRAP, .video_area, .end_video"
_CAPTION_QUERY = "em.img_desc, figcaption"
_CAPTCHA_MARKERS = (b"captcha", "자동입력 방지".encode(), "비정상적인 접근".encode())
#: A 200 answer shorter than this (besides whitespace) is no page: a sign of blocking.
_EMPTY_BYTES = 64
#: Failures before any connection to the site (its name not found, the connection refused,
#: the proxy's CONNECT refused): the request never reached it, so it is not counted among
#: the requests made. (A timeout may come before or after the request was sent: counted.)
_NEVER_SENT = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    TunnelError,
    DNSLookupError,  # (Twisted's own, where Scrapy does not wrap them)
    TxConnectionRefusedError,
)


def planned_requests(search: bool) -> int:
    """The most requests the doctor makes: robots.txt (2), the cursor lists, the old and
    press lists, the sports and entertainment lists, the articles, the comment probe and
    (with a key) one Search API call."""
    lists = len(SECTIONS_CHECKED) * LIST_PAGES + 1 + 1 + 2
    return 2 + lists + NEWS_ARTICLES + 2 + 1 + (1 if search else 0)


@dataclass
class Check:
    """One step's result: ``status`` is ok, drift, failed or skipped."""

    step: str
    status: str
    detail: str
    shapes: dict[str, Any] = field(default_factory=dict)
    order: int = 0


def worst(checks: list[Check]) -> tuple[int, str]:
    """(exit status, ok/drift/failed) of a run."""
    rank = max((_RANK[c.status] for c in checks), default=0)
    if rank == 2:
        return EXIT_FAILED, FAILED
    if rank == 1:
        return EXIT_DRIFT, DRIFT
    return EXIT_OK, OK


def sample(value: Any) -> Any:
    """A field as the report shows it: text cut to ``MAX_FIELD_CHARS``, lists as counts."""
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    if isinstance(value, list):
        return len(value)
    return value


def blocking_sign(status: int, body: bytes) -> str | None:
    """Why an answer looks like blocking (403, 429, a 200 with next to nothing in it), or
    None. A short answer that is well-formed JSON (``[]``, ``{"result":{}}``) is no sign:
    its step reads it (a list that lists nothing is quiet, one of another shape drift)."""
    if status in (403, 429):
        return f"HTTP {status}"
    if status == 200 and len(body.strip()) < _EMPTY_BYTES:
        try:
            json.loads(body)
        except ValueError:
            return f"an empty answer ({len(body)} bytes)"
    return None


def captcha_sign(body: bytes) -> str | None:
    """A captcha or 'unusual access' page (looked for only in an answer that is not what
    was expected: an article may be about captchas)."""
    lowered = body[:200_000].lower()
    return "a captcha page" if any(m in lowered for m in _CAPTCHA_MARKERS) else None


def cursor_shape(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {"present": False}
    if cursor.isdigit():
        alphabet = "digits"
    elif cursor.isalnum():
        alphabet = "letters and digits"
    else:
        alphabet = "letters, digits and " + "".join(sorted({c for c in cursor if not c.isalnum()}))
    day = cursor_day(cursor)
    return {
        "present": True,
        "value": cursor[:80],
        "length": len(cursor),
        "alphabet": alphabet,
        "known": cursor_is_known(cursor),
        "day": day.isoformat() if day else None,
    }


# -- the checks (pure: bytes in, a Check out) ---------------------------------------------------


def check_robots(host: str, status: int, body: bytes, obey: bool) -> Check:
    step = f"robots.txt {host}"
    if status in (403, 429):
        return Check(step, FAILED, f"blocked: HTTP {status}", {"status": status})
    if status != 200:
        return Check(step, OK, f"no robots.txt (HTTP {status})", {"status": status})
    text = body.decode("utf-8", "replace")
    disallows_all, agent_all = False, False
    for line in text.splitlines():
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "user-agent":
            agent_all = value == "*"
        elif name == "disallow" and agent_all and value == "/":
            disallows_all = True
    shapes = {"status": status, "bytes": len(body), "disallows_all": disallows_all}
    if disallows_all and obey:
        return Check(
            step,
            FAILED,
            "disallows every crawler and ROBOTSTXT_OBEY is on: a crawl would collect nothing",
            shapes,
        )
    if disallows_all:
        return Check(
            step,
            OK,
            "disallows every crawler (as in 2026); ROBOTSTXT_OBEY is off: whoever crawls decides",
            shapes,
        )
    return Check(step, OK, "does not disallow every crawler", shapes)


def check_cursor_page(
    body: bytes,
    content_type: str | None,
    url: str,
    walk: Walk,
    page: int,
    previous: str | None,
) -> tuple[Check, Listing | None]:
    """One page of a cursor list: cards, their title links, the cursor."""
    sid1, sid2 = walk.scope
    step = f"cursor list {sid1}/{sid2} page {page}"
    try:
        listing = SOURCES[walk.source].parse(body, content_type, url, walk)
        fragment = json.loads(body)["renderedComponent"][TEMPLATE_KEY]
    except Exception as exc:
        why = captcha_sign(body) or f"not in the known shape ({describe_exception(exc)})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    sel = Selector(text=fragment or "<html/>")
    titles = len(sel.css("li.sa_item a.sa_text_title"))
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "cards": listing.cards,
        "articles": len(listing.articles),
        "rejected_links": listing.rejected,
        "has_next": listing.has_next,
        "cursor": cursor_shape(listing.cursor),
        "selectors": {
            "li.sa_item": listing.cards,
            "li.sa_item a.sa_text_title": titles,
            "[data-has-next]": len(sel.css("[data-has-next]")),
        },
    }
    if listing.cards and not listing.paging_said:
        return Check(
            step,
            DRIFT,
            f"{listing.cards} card(s), but the page does not say whether there is a next page "
            "([data-has-next] gone): a crawl hands every walk to list.naver",
            shapes,
        ), listing
    if not listing.cards:
        if page > 1:
            return Check(
                step, DRIFT, f"no cards, though page {page - 1} said there is more", shapes
            ), listing
        return Check(
            step,
            FAILED,
            f"no cards: li.sa_item found nothing in an answer of {len(body):,} bytes",
            shapes,
        ), listing
    if not listing.articles:
        return Check(
            step,
            FAILED,
            f"{listing.cards} cards but no article link in them "
            "(li.sa_item a.sa_text_title, li.sa_item a)",
            shapes,
        ), listing
    notes = [f"{listing.cards} card(s), {len(listing.articles)} article(s)"]
    status = OK
    if not titles:
        status = DRIFT
        notes.append("the title links (a.sa_text_title) are gone: the cards' other links used")
    if listing.rejected:
        status = DRIFT
        notes.append(f"{listing.rejected} link(s) that are no article URL")
    cursor = listing.cursor
    if listing.has_next and not cursor:
        status = DRIFT
        notes.append("says there is more but gives no cursor: a crawl falls back to list.naver")
    elif cursor:
        shape = shapes["cursor"]
        if not shape["known"]:
            status = DRIFT
            notes.append(
                f"a cursor of a new shape: {shape['length']} characters, {shape['alphabet']} "
                "(known: 19 or 14 digits); passed back as it is"
            )
        else:
            notes.append(f"cursor of {shape['length']} digits")
        if previous is not None and cursor == previous:
            status = DRIFT
            notes.append("the cursor did not change: a crawl falls back to list.naver")
        elif previous is not None:
            notes.append("the cursor changed")
    if not listing.has_next:
        notes.append("no next page" + (": paging not checked" if page == 1 else ""))
    return Check(step, status, "; ".join(notes), shapes), listing


def check_list(
    step: str, source: str, body: bytes, content_type: str | None, url: str, walk: Walk
) -> tuple[Check, Listing | None]:
    """The old date list, a press list, or a sports/entertainment JSON list."""
    try:
        listing = SOURCES[source].parse(body, content_type, url, walk)
    except Exception as exc:
        why = captcha_sign(body) or f"not in the known shape ({describe_exception(exc)})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    shapes = {
        "bytes": len(body),
        "cards": listing.cards,
        "articles": len(listing.articles),
        "rejected_links": listing.rejected,
        "total": listing.total,
        "pages_linked": listing.pages,
    }
    if not listing.articles:
        if SOURCES[source].accept_json and not listing.cards:
            # A JSON list that lists nothing, in its known shape: a quiet day, never a block.
            return Check(step, QUIET, "quiet: no article listed for the day", shapes), listing
        what = "items" if SOURCES[source].accept_json else "ul.type06_headline / ul.type06 items"
        return Check(step, FAILED, f"no article: {what} gave none", shapes), listing
    status = DRIFT if listing.rejected else OK
    detail = f"{len(listing.articles)} article(s)"
    if listing.total is not None:
        detail += f" of {listing.total}"
    if listing.rejected:
        detail += f"; {listing.rejected} item(s) that name no article"
    return Check(step, status, detail, shapes), listing


@dataclass
class FieldSeen:
    present: bool
    value: Any = None
    source: str | None = None  # the query that gave it
    fallback: bool = False  # the layout's own element gave nothing: a last resort did
    tried: list[str] = field(default_factory=list)  # queries that found nothing


def _fields(page: ArticlePage) -> dict[str, FieldSeen]:
    seen: dict[str, FieldSeen] = {}
    for name in FIELDS:
        page.trace = []
        try:
            value = getattr(page, name)()
        except Exception as exc:  # a field that breaks on this page: missing, and why
            value, page.trace = None, [(f"error: {describe_exception(exc)}", False)]
        trace, page.trace = page.trace, None
        if name == "authors":
            value = [a["name"] for a in value or []]
        present = value not in (None, "", [])
        source = next((q for q, ok in trace if ok), None)
        tried = list(dict.fromkeys(q for q, ok in trace if not ok and q != source))
        elements_tried = [q for q in tried if not q.startswith(_FALLBACK_QUERIES)]
        fallback = bool(
            present and source and source.startswith(_FALLBACK_QUERIES) and elements_tried
        )
        seen[name] = FieldSeen(present, sample(value), source, fallback, tried)
    return seen


def check_news_article(
    article_id: ArticleId, body: bytes, content_type: str | None, day: date
) -> tuple[Check, dict[str, FieldSeen] | None]:
    """An n.news page read as the crawl reads it, each field's selector noted."""
    step = f"article n.news {article_id.key}"
    selector = selector_from_bytes(body, content_type)
    try:
        page = page_for(article_id, selector)
    except ArticleNotFound as exc:
        return Check(step, DRIFT, f"the page holds no article ({exc})", {"bytes": len(body)}), None
    except Exception as exc:
        markers = ", ".join(dict.fromkeys(m for layout in LAYOUTS for m in layout.markers))
        why = captcha_sign(body) or f"{describe_exception(exc)} (layout markers: {markers})"
        return Check(step, FAILED, why, {"bytes": len(body)}), None
    seen = _fields(page)
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "layout": page.name,
        "fields": {name: asdict(f) for name, f in seen.items()},
    }
    notes: list[str] = [f"layout {page.name}"]
    status = OK
    try:
        article = finalize(page.to_article(to_iso(now_kst())))
    except Exception as exc:
        missing = [n for n in WATCHED if not seen[n].present]
        tried = "; ".join(f"{n}: {', '.join(seen[n].tried) or '-'}" for n in missing)
        detail = f"a crawl would fail it: {describe_exception(exc)}"
        return Check(
            step, FAILED, detail + (f" (found nothing: {tried})" if tried else ""), shapes
        ), seen
    content = article.content or ""
    shapes["body_chars"] = len(content)
    shapes["content_hash"] = article.content_hash
    glued, played = kept_out(page, content, shapes)
    notes.append(f"body {len(content):,} characters")
    missing = [n for n in FIELDS if not seen[n].present]
    if missing:
        notes.append(f"absent: {', '.join(missing)}")
    for name, f in seen.items():
        if f.fallback:
            status = DRIFT
            notes.append(f"{name} from {f.source} ({', '.join(f.tried)} found nothing)")
    if glued:
        status = DRIFT
        notes.append(f"{glued} photo caption(s) in the text")
    if played:
        status = DRIFT
        notes.append(f"{played} video player(s) in the text")
    published = article.published_at
    shapes["published_at"] = published
    if published:
        when = datetime.fromisoformat(published).date()
        if abs((when - day).days) > 1:
            status = DRIFT
            notes.append(f"published {when}, listed on {day}")
    notes.append(f"hash {str(article.content_hash)[:12]}…")
    return Check(step, status, "; ".join(notes), shapes), seen


def kept_out(page: ArticlePage, content: str, shapes: dict[str, Any]) -> tuple[int, int]:
    """How many photo captions and video players of the page's body are in the text (none
    should be); counts also go to ``shapes``."""
    captions = [clean_inline(string_of(e)) or "" for e in css_all(page.sel, _CAPTION_QUERY)]
    glued = sum(1 for c in captions if len(c) >= 4 and c in content)
    players = [clean_inline(string_of(e)) or "" for e in css_all(page.sel, _PLAYER_QUERY)]
    played = sum(1 for p in players if len(p) >= 10 and p in content)
    shapes["captions"], shapes["captions_in_text"] = len(captions), glued
    shapes["players"], shapes["players_in_text"] = len(players), played
    return glued, played


def check_fields(seen: list[dict[str, FieldSeen]]) -> Check:
    """A field missing on every n.news article checked is a field a crawl would lose."""
    step = f"fields of {len(seen)} n.news article(s)"
    if not seen:
        return Check(step, FAILED, "no n.news article could be read")
    shapes = {name: sum(1 for s in seen if s[name].present) for name in FIELDS}
    lost = [name for name in WATCHED if shapes[name] == 0]
    if lost:
        parts = []
        for name in lost:
            tried = list(dict.fromkeys(q for s in seen for q in s[name].tried))
            parts.append(
                f"{name} missing on all {len(seen)}: {', '.join(tried) or 'no query'} found nothing"
            )
        return Check(step, FAILED, "; ".join(parts), {"present": shapes})
    sometimes = [f"{n} {shapes[n]}/{len(seen)}" for n in FIELDS if 0 < shapes[n] < len(seen)]
    detail = f"{', '.join(WATCHED)} on every article"
    if sometimes:
        detail += f"; on some: {', '.join(sometimes)}"
    gone = [name for name in EXPECTED if shapes[name] == 0]
    if gone and len(seen) > 1:
        detail += f"; {', '.join(gone)} on none (most articles have them)"
        return Check(step, DRIFT, detail, {"present": shapes})
    return Check(step, OK, detail, {"present": shapes})


def check_api_article(kind: str, article_id: ArticleId, body: bytes) -> Check:
    step = f"article {kind} {article_id.key}"
    try:
        page = API_LAYOUTS[kind].from_json(article_id, body)
        article = finalize(page.to_article(to_iso(now_kst())))
    except ArticleNotFound as exc:
        return Check(step, DRIFT, f"no article in the answer ({exc})", {"bytes": len(body)})
    except Exception as exc:
        why = captcha_sign(body) or describe_exception(exc)
        return Check(
            step,
            DRIFT,
            f"the JSON is not usable ({why}): a crawl renders the page in Chromium instead",
            {"bytes": len(body)},
        )
    names = [("author" if n == "authors" else n) for n in FIELDS]
    fields = {name: sample(getattr(article, name, None)) for name in names}
    missing = [n for n, v in fields.items() if v in (None, "", [], 0)]
    content = article.content or ""
    shapes: dict[str, Any] = {
        "bytes": len(body),
        "layout": article.layout,
        "fields": fields,
        "body_chars": len(content),
        "content_hash": article.content_hash,
        "published_at": article.published_at,
    }
    glued, played = kept_out(page, content, shapes)
    status = DRIFT if glued or played else OK
    notes = [f"layout {article.layout}", f"body {len(content):,} characters"]
    if missing:
        notes.append(f"absent: {', '.join(missing)}")
    if glued:
        notes.append(f"{glued} photo caption(s) in the text")
    if played:
        notes.append(f"{played} video player(s) in the text")
    notes.append(f"hash {str(article.content_hash)[:12]}…")
    return Check(step, status, "; ".join(notes), shapes)


def check_comment_probe(article_id: ArticleId, body: bytes) -> Check:
    step = f"comment count {article_id.key}"
    try:
        page = parse_comment_page(body)
    except Exception as exc:
        return Check(
            step,
            FAILED,
            f"{describe_exception(exc)}: a crawl with -a comments would fail its comments",
            {"bytes": len(body)},
        )
    shapes = {"bytes": len(body), "total": page.total, "status": page.status, "counts": page.counts}
    if page.total is None:
        return Check(step, DRIFT, "no result.count.total in the answer", shapes)
    return Check(step, OK, f"{page.total} comment(s), {page.status or 'no status'}", shapes)


def check_search(status: int, body: bytes) -> Check:
    step = "Search API"
    if status != 200:
        return Check(step, FAILED, refusal(status, body), {"status": status})
    try:
        page = parse_search_page(body)
    except Exception as exc:
        return Check(step, FAILED, describe_exception(exc), {"bytes": len(body)})
    naver = sum(1 for i in page.items if i.article is not None)
    dated = sum(1 for i in page.items if i.published is not None)
    shapes = {
        "total": page.total,
        "items": len(page.items),
        "naver_links": naver,
        "dated": dated,
        "rejected": page.rejected,
    }
    status_word = DRIFT if page.rejected or dated < len(page.items) else OK
    detail = f"{len(page.items)} result(s) of {page.total:,}, {naver} on Naver, {dated} dated"
    if page.rejected:
        detail += f"; {page.rejected} result(s) not in the documented shape"
    return Check(step, status_word, detail, shapes)


# -- the requests ----------------------------------------------------------------------------


def _guarded(method: Any) -> Any:
    """A callback whose own error is its step's failure, in the table, not only in a log."""

    def guarded(self: DoctorSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            result = method(self, response, **kwargs)
            if result is not None:
                yield from result
        except Exception as exc:
            why = f"the doctor could not check this: {describe_exception(exc)}"
            self.record(Check(kwargs["step"], FAILED, why), kwargs["order"])

    guarded.__name__ = method.__name__
    return guarded


class DoctorSpider(scrapy.Spider):
    """Makes the doctor's requests; every answer becomes a ``Check``."""

    name = "newsbot-doctor"

    def __init__(self, day: date, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day = day
        self.checks: list[Check] = []
        self.budget = 0
        self.asked = 0
        self.sent = 0
        self.unreachable: str | None = None  # why no request got through, if none did
        self.answers = 0
        self.blocked: list[str] = []
        self.news: list[ArticleId] = []  # n.news articles taken from the lists
        self.press: str | None = None  # the press whose list is checked, once chosen
        self.first_pages = 0  # section lists' first pages answered (or failed)
        self.fields: list[dict[str, FieldSeen]] = []
        self.search_key = False
        self.obey_robots = False
        self.probed_comments = False  # the comment count is probed on the first article

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from newsbot.spiders.naver import user_agent

        settings.set("USER_AGENT", user_agent(settings), priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DoctorSpider:
        spider: DoctorSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.search_key = credentials(crawler.settings) is not None
        spider.obey_robots = crawler.settings.getbool("NEWSBOT_DOCTOR_OBEY")
        spider.budget = planned_requests(spider.search_key)
        crawler.signals.connect(spider.reached, signal=signals.request_reached_downloader)
        return spider

    def reached(self, request: scrapy.Request) -> None:
        """Counted as it goes to the network (taken back by ``failed`` if it never did)."""
        self.sent += 1

    def record(self, check: Check, order: int) -> None:
        check.order = order
        self.checks.append(check)
        mark = {OK: "ok", DRIFT: "DRIFT", FAILED: "FAILED", SKIPPED: "skipped", QUIET: "quiet"}[
            check.status
        ]
        print(f"  {mark:7} {check.step}", file=sys.stderr, flush=True)

    def ask(
        self, step: str, url: str, callback: Any, order: int, **kwargs: Any
    ) -> Iterator[scrapy.Request]:
        """A request, if the announced budget allows it (it always should)."""
        if self.asked >= self.budget:
            # A check lost: never silently (the budget is computed to fit every step).
            self.record(Check(step, DRIFT, "not checked: the announced requests are used"), order)
            return
        self.asked += 1
        headers = kwargs.pop("headers", {})
        cb_kwargs = {"step": step, "order": order, **kwargs}
        yield scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            headers=headers,
            cb_kwargs=cb_kwargs,
            meta={"dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": True},
            dont_filter=True,
        )

    def answered(self, response: Response, step: str, order: int) -> bool:
        """Count the answer; a blocking sign fails the step (and is reported at the end)."""
        self.answers += 1
        sign = blocking_sign(response.status, response.body)
        if sign is None and response.status == 200:
            return True
        host = urlparse_cached(response).hostname or ""
        if sign is not None:
            self.blocked.append(f"{sign} from {host}")
            self.record(Check(step, FAILED, f"blocked: {sign}", {"status": response.status}), order)
        else:
            self.record(
                Check(step, FAILED, f"HTTP {response.status}", {"status": response.status}), order
            )
        return False

    def failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        from newsbot.spiders.naver import describe_failure

        request = failure.request  # type: ignore[attr-defined]
        step, order = request.cb_kwargs["step"], request.cb_kwargs["order"]
        if isinstance(failure.value, _NEVER_SENT):
            self.sent -= 1  # no connection to the site: nothing of the request reached it
        self.unreachable = self.unreachable or unreachable(request, failure.value)
        self.record(Check(step, FAILED, describe_failure(failure, request)), order)
        if request.callback == self.parse_cursor_page and request.cb_kwargs["page"] == 1:
            yield from self.press_list(None)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        day = self.day
        for n, host in enumerate(("news.naver.com", "n.news.naver.com")):
            for request in self.ask(
                f"robots.txt {host}", f"https://{host}/robots.txt", self.parse_robots, n, host=host
            ):
                yield request
        for n, (sid1, sid2) in enumerate(SECTIONS_CHECKED):
            walk = Walk("latest", day, (sid1, sid2))
            for request in self.cursor_page(walk, 1, "", 10 + 10 * n):
                yield request
        # (The press list follows the section lists: a press they name for the day.)
        lists = (
            (0, "old list 100/264", Walk("old_list", day, SECTIONS_CHECKED[0])),
            (2, f"sports list {SPORTS_CHECKED}", Walk("sports_list", day, (SPORTS_CHECKED,))),
            (3, "entertainment list", Walk("entertain_list", day)),
        )
        for n, step, walk in lists:
            for request in self.list_request(step, walk, 40 + 10 * n):
                yield request
        if self.search_key:
            headers = {"Accept": "application/json"}
            for request in self.ask(
                "Search API",
                search_url(SEARCH_QUERY, 1, display=10),
                self.parse_search,
                95,
                headers=headers,
            ):
                yield request
        else:
            self.record(
                Check(
                    "Search API",
                    SKIPPED,
                    "no key (NEWSBOT_NAVER_CLIENT_ID, NEWSBOT_NAVER_CLIENT_SECRET): not checked",
                ),
                95,
            )

    def list_request(self, step: str, walk: Walk, order: int) -> Iterator[scrapy.Request]:
        source = SOURCES[walk.source]
        headers = {"Accept": "application/json"} if source.accept_json else {}
        referer = source.referer(walk)
        if referer:
            headers["Referer"] = referer
        yield from self.ask(
            step, source.url(walk, 1, ""), self.parse_list, order, walk=walk.id, headers=headers
        )

    def press_list(self, listing: Listing | None) -> Iterator[scrapy.Request]:
        """The press list of the first press a section list of the day names, once; with
        none named by either section's first page, 연합뉴스 (``PRESS_CHECKED``)."""
        self.first_pages += 1
        if self.press is not None:
            return
        if listing is not None and listing.articles:
            self.press = listing.articles[0].oid
        elif self.first_pages < len(SECTIONS_CHECKED):
            return  # the other section's first page may name one
        else:
            self.press = PRESS_CHECKED
        walk = Walk("press", self.day, (self.press,))
        yield from self.list_request(f"press list {self.press}", walk, 50)

    def cursor_page(
        self, walk: Walk, page: int, cursor: str, order: int, previous: str | None = None
    ) -> Iterator[scrapy.Request]:
        source = SOURCES["latest"]
        step = f"cursor list {'/'.join(walk.scope)} page {page}"
        headers = {"Referer": source.referer(walk) or ""}
        yield from self.ask(
            step,
            source.url(walk, page, cursor),
            self.parse_cursor_page,
            order + page,
            walk=walk.id,
            page=page,
            previous=previous,
            headers=headers,
        )

    @_guarded
    def parse_robots(self, response: Response, step: str, order: int, host: str) -> None:
        self.answers += 1
        if response.status in (403, 429):
            self.blocked.append(f"HTTP {response.status} from {host}")
        self.record(check_robots(host, response.status, response.body, self.obey_robots), order)

    @_guarded
    def parse_cursor_page(
        self, response: Response, step: str, order: int, walk: str, page: int, previous: str | None
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            if page == 1:
                yield from self.press_list(None)
            return
        current = Walk.parse(walk)
        check, listing = check_cursor_page(
            response.body, _content_type(response), response.url, current, page, previous
        )
        self.record(check, order)
        if page == 1:
            yield from self.press_list(listing)
        if listing is None:
            return
        if page == 1:
            yield from self.take_news(listing)
        if (
            check.status != FAILED
            and listing.has_next
            and listing.cursor
            and page < LIST_PAGES
            and listing.cursor != previous
        ):
            yield from self.cursor_page(
                current, page + 1, listing.cursor, order - page, listing.cursor
            )

    @_guarded
    def parse_list(
        self, response: Response, step: str, order: int, walk: str
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            return
        current = Walk.parse(walk)
        check, listing = check_list(
            step, current.source, response.body, _content_type(response), response.url, current
        )
        self.record(check, order)
        if listing is None or not listing.articles:
            return
        if current.source in ("old_list", "press"):
            yield from self.take_news(listing)
        elif current.source == "sports_list":
            yield from self.api_article(listing.articles[0], Kind.SPORTS, 90)
        elif current.source == "entertain_list":
            yield from self.api_article(listing.articles[0], Kind.ENTERTAIN, 91)

    def take_news(self, listing: Listing) -> Iterator[scrapy.Request]:
        """The first article of a list not already taken, while fewer than NEWS_ARTICLES."""
        for article_id in listing.articles:
            if len(self.news) >= NEWS_ARTICLES:
                return
            if article_id in self.news:
                continue
            self.news.append(article_id)
            order = 74 + len(self.news)  # after the lists, before sports and entertainment
            yield from self.ask(
                f"article n.news {article_id.key}",
                article_id.url,
                self.parse_news,
                order,
                article_id=article_id,
            )
            return

    @_guarded
    def parse_news(
        self, response: Response, step: str, order: int, article_id: ArticleId
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            return
        check, seen = check_news_article(
            article_id, response.body, _content_type(response), self.day
        )
        self.record(check, order)
        if seen is not None:
            self.fields.append(seen)
        if not self.probed_comments and check.status != FAILED:
            self.probed_comments = True
            url = comment_url(article_id, page_size=1, template=template_id_of(response.body))
            headers = {"Referer": comment_referer(article_id), "Accept": "*/*"}
            yield from self.ask(
                f"comment count {article_id.key}",
                url,
                self.parse_comments,
                92,
                article_id=article_id,
                headers=headers,
            )

    def api_article(
        self, article_id: ArticleId, kind: Kind, order: int
    ) -> Iterator[scrapy.Request]:
        from newsbot.urls import api_url

        headers = {"Referer": SITES[kind].app, "Accept": "application/json"}
        yield from self.ask(
            f"article {kind.value} {article_id.key}",
            api_url(article_id, kind.value),
            self.parse_api_article,
            order,
            article_id=article_id,
            kind=kind.value,
            headers=headers,
        )

    @_guarded
    def parse_api_article(
        self, response: Response, step: str, order: int, article_id: ArticleId, kind: str
    ) -> None:
        if self.answered(response, step, order):
            self.record(check_api_article(kind, article_id, response.body), order)

    @_guarded
    def parse_comments(
        self, response: Response, step: str, order: int, article_id: ArticleId
    ) -> None:
        if self.answered(response, step, order):
            self.record(check_comment_probe(article_id, response.body), order)

    @_guarded
    def parse_search(self, response: Response, step: str, order: int) -> None:
        if response.status == 200 or response.status in REFUSALS:
            # The API's answer, or its own refusal (in its words, not a sign of blocking).
            self.answers += 1
            self.record(check_search(response.status, response.body), order)
        else:
            self.answered(response, step, order)  # (counted there)

    def closed(self, reason: str) -> None:
        self.record(check_fields(self.fields), 93)
        if self.blocked:
            counted = dict(Counter(self.blocked))
            signs = ", ".join(f"{s} ({n})" for s, n in counted.items())
            self.record(Check("blocking", FAILED, f"blocked: {signs}", {"signs": counted}), 99)
        else:
            self.record(
                Check(
                    "blocking",
                    OK,
                    f"no 403, 429, captcha or empty answer in {self.answers} answers",
                ),
                99,
            )


def _content_type(response: Response) -> str | None:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None


# -- the command -----------------------------------------------------------------------------


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
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    settings = get_project_settings()
    config.apply_environment(settings)  # the same precedence as a crawl's
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    config.check(settings)  # before any request: ConfigError, exit 2
    settings.set("NEWSBOT_DOCTOR_OBEY", settings.getbool("ROBOTSTXT_OBEY"), priority="cmdline")
    fixed: dict[str, Any] = {
        "RETRY_ENABLED": False,
        # (no browser either: the doctor never asks for one)
        "DOWNLOAD_HANDLERS": {
            "http": "newsbot.doctor.UnretriedHandler",
            "https": "newsbot.doctor.UnretriedHandler",
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


def report(
    spider: DoctorSpider, settings: BaseSettings, day: date, code: int, status: str
) -> dict[str, Any]:
    proxy = any(
        os.environ.get(n) for n in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")
    )
    return {
        "newsbot_version": __version__,
        "checked_at": to_iso(now_kst()),
        "date": day.isoformat(),
        "status": status,
        "exit_code": code,
        "requests": {"announced": spider.budget, "made": spider.sent},
        "unreachable": spider.unreachable if spider.sent == 0 else None,
        "settings": {
            "user_agent": settings.get("USER_AGENT"),
            "robotstxt_obey": settings.getbool("NEWSBOT_DOCTOR_OBEY"),
            "download_delay": settings.getfloat("DOWNLOAD_DELAY"),
            "autothrottle": settings.getbool("AUTOTHROTTLE_ENABLED"),
            "concurrent_requests_per_domain": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "proxy": proxy,
            "search_key": spider.search_key,
        },
        "checks": [
            {"step": c.step, "status": c.status, "detail": c.detail, "shapes": c.shapes}
            for c in sorted(spider.checks, key=lambda c: c.order)
        ],
    }


def summary(checks: list[Check], code: int, status: str, unreached: str | None = None) -> str:
    """The verdict line: the status, and the steps that decided it (``unreached``: why no
    request got through, when none did)."""
    if unreached and code != EXIT_OK:
        return (
            f"FAILED (exit 1): {unreached}; nothing of Naver could be checked (a network or "
            "proxy problem, not drift: no issue to open)"
        )
    if code == EXIT_OK:
        return "OK (exit 0): every step matched what newsbot expects"
    named = [c for c in sorted(checks, key=lambda c: c.order) if c.status == status]
    blocked = next((c for c in named if c.step == "blocking"), None)
    if blocked is not None:
        return (
            f"FAILED (exit 1): {blocked.detail}: a crawl now would collect nothing; wait, "
            "crawl slower (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN) or check the proxy"
        )
    steps = named
    listed = "; ".join(f"{c.step}: {c.detail}" for c in steps[:3])
    more = f" and {len(steps) - 3} more" if len(steps) > 3 else ""
    what = (
        "a crawl would lose data"
        if code == EXIT_FAILED
        else "newsbot saw something new, but a crawl would still work"
    )
    return (
        f"{status.upper()} (exit {code}): {what} ({listed}{more}); please open an issue with "
        "the JSON report (-o FILE)"
    )


def table(checks: list[Check]) -> str:
    width = max((len(c.step) for c in checks), default=4)
    lines = [f"{'step':{width}}  {'result':7}  detail"]
    for c in sorted(checks, key=lambda c: c.order):
        lines.append(f"{c.step:{width}}  {c.status:7}  {c.detail}")
    return "\n".join(lines)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a temporary file beside it, then renamed (``newsbot.safeio``: a link is
    written through, a FIFO or device refused, ``-`` is standard output)."""
    from newsbot.safeio import output_stream

    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    with output_stream(path) as out:
        out.write(text.encode("utf-8"))


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
