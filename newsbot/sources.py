"""Listing sources, declared once: how each is addressed, parsed and paged, and when a walk
of it ends.

A *walk* is one listing read from its first page to its end: the cursor-paged
``SECTION_ARTICLE_LIST_FOR_LATEST`` of one (day, sid1, sid2), the old ``list.naver`` date
list of the same, a press's ``LPOD`` list of a day, or a sports/entertainment JSON list of
a day. ``SOURCES`` says, for each, the URL of page N, the parser, the paging rule, the
request priority and which source takes over (the *fallback*) when a walk cannot go on.
``next_step`` decides what follows a page; it is pure, so every stop rule has a table test.

Cursors are opaque tokens (docs/naver.md, "Discovery"): the real FOR_LATEST cursors have
19 digits (``2024112517083827169``), the section page's 14, and the next shape is unknown.
A cursor is passed back exactly as the page gave it; only its first 8 characters, when
they are digits, are read (as the day it points at). A walk ends on ``data-has-next``
false, a page without cards, or a cursor pointing before the day; a loop (a cursor or a
page of cards seen before in the walk) or the page cap hands the walk to the fallback.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from newsbot.args import CrawlArgs
from newsbot.article import decode_html, selector_from_bytes
from newsbot.pages.api import parse_entertain_list, parse_sports_list
from newsbot.pages.listings import Listing, parse_old_list, parse_section_more
from newsbot.search import MAX_START, REFUSALS, parse_search_page, search_url, start_of
from newsbot.sites import SITES, Kind
from newsbot.urls import ArticleId

NEWS_SITE = "https://news.naver.com"
#: Page size asked of the sports/entertainment list endpoints.
API_PAGE_SIZE = 50
#: A walk hands over to its fallback (or fails) after this many pages whatever the site
#: says (a loop guard: a day of one sub-section is a few dozen pages).
MAX_LISTING_PAGES = 2000
#: Why a walk hands over when its list had nothing for the day.
NOTHING_LISTED = "the list named no article"
#: A usable cursor: non-empty, short, URL-safe (it goes back into a query string).
_USABLE_CURSOR_RE = re.compile(r"[A-Za-z0-9._~+/=%:-]{1,512}")
#: Cursor shapes seen on the real site (14 digits: section page; 19: FOR_LATEST lists).
_KNOWN_CURSOR_RE = re.compile(r"[0-9]{14}(?:[0-9]{5})?")
_DAY_PREFIX_RE = re.compile(r"[0-9]{8}")


class Paging(StrEnum):
    CURSOR = "cursor"  # pass the page's data-cursor back as next=
    PAGE_LINKS = "page_links"  # page=N while the paging links name a later page
    PAGE_TOTAL = "page_total"  # page=N while N * size < the total the endpoint reports
    OFFSET = "offset"  # start=1+(N-1)*size, newest first, until before the day or the cap


@dataclass(frozen=True)
class Walk:
    """One listing walk: ``source`` for ``day`` and a scope (sid1+sid2, oid, or section).

    ``id`` (``latest/2026-05-30/100/264``) is how requests, the ledger and Redis name it."""

    source: str
    day: date | None
    scope: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        day = self.day.isoformat() if self.day else "-"
        return "/".join((self.source, day, *self.scope))

    @classmethod
    def parse(cls, walk_id: str) -> Walk:
        source, day, *scope = walk_id.split("/")
        return cls(source, None if day == "-" else date.fromisoformat(day), tuple(scope))

    @classmethod
    def search(cls, query: str, first: date, last: date) -> Walk:
        """A Search API walk: newest first from ``last`` back to ``first`` (its day); the
        query is quoted (a walk id's parts hold no ``/``)."""
        return cls("search", first, (last.isoformat(), quote(query, safe="")))

    @property
    def query(self) -> str:
        return unquote(self.scope[1]) if self.source == "search" else ""

    @property
    def last_day(self) -> date | None:
        """The last day a walk covers (a search walk's dates run from ``day`` to it)."""
        if self.source == "search":
            return date.fromisoformat(self.scope[0])
        return self.day

    @property
    def section(self) -> str:
        """The section a walk's totals are reported under (``100``, ``press 001``, …)."""
        if self.source == "search":
            return f"search {self.query}"
        if self.source == "press":
            return f"press {self.scope[0]}"
        if self.source == "sports_list":
            return SITES[Kind.SPORTS].sid or "107"
        if self.source == "entertain_list":
            return SITES[Kind.ENTERTAIN].sid or "106"
        return self.scope[0] if self.scope else self.source


@dataclass
class Progress:
    """Where a walk is: carried from page to page in the request (plain data, so that a
    page taken by another Redis worker continues the same walk)."""

    page: int = 1
    found: int = 0  # articles named by the walk so far
    replaces: int = 0  # a fallback: how many articles the walk it took over had named
    cursors: list[str] = field(default_factory=list)  # cursors already followed
    pages: list[str] = field(default_factory=list)  # a digest of each page's cards

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "found": self.found,
            "cursors": self.cursors,
            "pages": self.pages,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        return cls(
            page=int(data["page"]),
            found=int(data["found"]),
            replaces=int(data.get("replaces", 0)),
            cursors=list(data["cursors"]),
            pages=list(data["pages"]),
        )


@dataclass(frozen=True)
class Next:
    """Read page ``page`` (with ``cursor`` for cursor lists)."""

    page: int
    cursor: str = ""


@dataclass(frozen=True)
class End:
    """The walk reached the end of its list (``end_of_list``) or left the day
    (``before_day``)."""

    reason: str
    detail: str


@dataclass(frozen=True)
class Capped:
    """The API gives no more results (the Search API's 1,000) though the dates go on: what
    was found is collected, and the crawl is incomplete."""

    detail: str


@dataclass(frozen=True)
class CannotContinue:
    """The walk cannot go on (a loop, the page cap, an unusable cursor): the fallback walks
    the same articles, or the walk failed."""

    detail: str


Step = Next | End | Capped | CannotContinue


@dataclass(frozen=True)
class Source:
    """One kind of listing: how page N is addressed, parsed and followed."""

    name: str
    kind: Kind  # which site the named articles live on
    paging: Paging
    url: Callable[[Walk, int, str], str]  # (walk, page, cursor) -> URL
    parse: Callable[[bytes, str | None, str, Walk], Listing]  # (body, content type, URL, walk)
    referer: Callable[[Walk], str | None]
    accept_json: bool = False
    refusals: tuple[int, ...] = ()  # HTTP statuses that end the crawl (the Search API's)
    fallback: str | None = None  # the source that lists the same articles
    priority: int = -10  # articles first: the queue stays short, memory flat


def _day(walk: Walk) -> str:
    assert walk.day is not None
    return f"{walk.day:%Y%m%d}"


def _latest_url(walk: Walk, page: int, cursor: str) -> str:
    sid1, sid2 = walk.scope
    query = {"sid": sid1, "sid2": sid2, "cluid": "", "pageNo": page, "date": _day(walk)}
    query["next"] = cursor
    return f"{NEWS_SITE}/section/template/SECTION_ARTICLE_LIST_FOR_LATEST?{urlencode(query)}"


def _old_list_url(walk: Walk, page: int, cursor: str) -> str:
    if walk.source == "press":
        query = {"mode": "LPOD", "mid": "sec", "oid": walk.scope[0], "date": _day(walk)}
    else:
        sid1, sid2 = walk.scope
        query = {"mode": "LS2D", "mid": "shm", "sid1": sid1, "sid2": sid2, "date": _day(walk)}
    query["page"] = str(page)
    return f"{NEWS_SITE}/main/list.naver?{urlencode(query)}"


def _sports_list_url(walk: Walk, page: int, cursor: str) -> str:
    query = {"sort": "latest", "date": _day(walk), "page": page}
    query |= {"pageSize": API_PAGE_SIZE, "isPhoto": "N"}
    base = SITES[Kind.SPORTS].list_url or ""
    return f"{base.format(section=walk.scope[0])}?{urlencode(query)}"


def _entertain_list_url(walk: Walk, page: int, cursor: str) -> str:
    query = {"date": _day(walk), "page": page, "pageSize": API_PAGE_SIZE}
    return f"{SITES[Kind.ENTERTAIN].list_url}?{urlencode(query)}"


def _search_url(walk: Walk, page: int, cursor: str) -> str:
    return search_url(walk.query, start_of(page))


def _parse_latest(body: bytes, content_type: str | None, url: str, walk: Walk) -> Listing:
    return parse_section_more(decode_html(body, content_type), url)


def _parse_old_list(body: bytes, content_type: str | None, url: str, walk: Walk) -> Listing:
    return parse_old_list(selector_from_bytes(body, content_type), url)


def _parse_search(body: bytes, content_type: str | None, url: str, walk: Walk) -> Listing:
    """A Search API page, as a listing of the walk's dates: Naver articles published in
    them (any site; ``kinds`` says which), the other results in them (``offsite``), how
    many were newer, whether one was older (newest first: the walk ends)."""
    page = parse_search_page(body)
    first, last = walk.day, walk.last_day
    listing = Listing(
        rejected=page.rejected, cards=len(page.items) + page.rejected, total=page.total
    )
    asked = parse_qs(urlsplit(url).query).get("start", [""])[0]
    listing.start_asked = int(asked) if asked.isdigit() else None
    listing.start_given = page.start
    if page.items:  # (a page of results without a link is drift, told by its count)
        seen = "\n".join(f"{item.link} {item.published} {item.title}" for item in page.items)
        listing.digest = hashlib.blake2b(seen.encode(), digest_size=8).hexdigest()
    named: dict[ArticleId, None] = {}
    for item in page.items:
        day = item.published.date() if item.published is not None else None
        if day is not None:
            listing.dated += 1
            older = first is not None and day < first
            listing.older_at_end = listing.older_at_end + 1 if older else 0
        if item.published is not None:
            stamp = item.published.isoformat()
            listing.oldest = min(listing.oldest or stamp, stamp)
        if day is not None and last is not None and day > last:
            listing.newer += 1
            continue
        if day is not None and first is not None and day < first:
            listing.before_day = True
            listing.older += 1
            continue
        # In the dates, or undated (the article's own page decides: the export pipeline
        # records one outside the dates as such).
        if item.article is None:
            listing.offsite.append(
                {
                    "url": item.link,
                    "title": item.title,
                    "published": item.published.isoformat() if item.published else "",
                }
            )
            continue
        named[item.article] = None
        if item.kind and item.kind != Kind.NEWS:
            listing.kinds[item.article.key] = item.kind
    listing.articles = list(named)
    return listing


def _json_list(
    parse: Callable[[bytes], tuple[list[Any], int | None, int]],
) -> Callable[..., Listing]:
    def parse_listing(body: bytes, content_type: str | None, url: str, walk: Walk) -> Listing:
        articles, total, rejected = parse(body)
        return Listing(
            articles=articles, rejected=rejected, cards=len(articles) + rejected, total=total
        )

    return parse_listing


def _none(walk: Walk) -> str | None:
    return None


def _breakingnews_referer(walk: Walk) -> str:
    sid1, sid2 = walk.scope
    return f"{NEWS_SITE}/breakingnews/section/{sid1}/{sid2}?date={_day(walk)}"


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "latest",
            Kind.NEWS,
            Paging.CURSOR,
            _latest_url,
            _parse_latest,
            _breakingnews_referer,
            fallback="old_list",
        ),
        Source("old_list", Kind.NEWS, Paging.PAGE_LINKS, _old_list_url, _parse_old_list, _none),
        Source("press", Kind.NEWS, Paging.PAGE_LINKS, _old_list_url, _parse_old_list, _none),
        Source(
            "sports_list",
            Kind.SPORTS,
            Paging.PAGE_TOTAL,
            _sports_list_url,
            _json_list(parse_sports_list),
            lambda walk: SITES[Kind.SPORTS].app,
            accept_json=True,
        ),
        Source(
            "entertain_list",
            Kind.ENTERTAIN,
            Paging.PAGE_TOTAL,
            _entertain_list_url,
            _json_list(parse_entertain_list),
            lambda walk: SITES[Kind.ENTERTAIN].app,
            accept_json=True,
        ),
        Source(
            "search",
            Kind.NEWS,
            Paging.OFFSET,
            _search_url,
            _parse_search,
            _none,
            accept_json=True,
            refusals=REFUSALS,
        ),
    )
}


def seed_walks(args: CrawlArgs) -> Iterator[Walk]:
    """The walks a crawl starts with: per day, each press, or each section's sub-sections
    (sports by its sections, entertainment as one list)."""
    if args.mode == "query":
        yield Walk.search(args.query, args.dates[0], args.dates[-1])
        return
    for day in args.dates:
        if args.mode == "press":
            for oid in args.press:
                yield Walk("press", day, (oid,))
            continue
        for sid1 in args.sections:
            if sid1 == Kind.ENTERTAIN:
                yield Walk("entertain_list", day)
                continue
            for sid2 in args.sub_sections_of(sid1):
                if sid1 == Kind.SPORTS:
                    yield Walk("sports_list", day, (sid2,))
                else:
                    yield Walk("latest", day, (sid1, sid2))


def cursor_is_known(cursor: str) -> bool:
    """Whether a cursor has a shape seen on the real site (anything else is drift)."""
    return bool(_KNOWN_CURSOR_RE.fullmatch(cursor))


def cursor_day(cursor: str) -> date | None:
    """The day a cursor points at: its first 8 characters when they are a date
    (``20241125…``); None for any other token (opaque: it tells nothing)."""
    if not _DAY_PREFIX_RE.match(cursor):
        return None
    try:
        return datetime.strptime(cursor[:8], "%Y%m%d").date()
    except ValueError:
        return None


def page_digest(listing: Listing) -> str:
    """A short digest of the articles a page names (to notice a page served twice); the
    Search API's pages, of every result on them (``Listing.digest``)."""
    if listing.digest is not None:
        return listing.digest
    keys = ",".join(a.key for a in listing.articles)
    return hashlib.blake2b(keys.encode(), digest_size=8).hexdigest()


def next_step(
    source: Source, walk: Walk, listing: Listing, progress: Progress, *, page_cap: int
) -> Step:
    """What follows a page that was read. ``progress`` is as before this page."""
    if source.paging is Paging.OFFSET:
        return _next_by_offset(walk, listing, progress)
    if not listing.articles and not listing.cards:
        if source.fallback and not progress.found:
            # The newer endpoint has nothing for this day: the old date list may have it.
            return CannotContinue(NOTHING_LISTED)
        if source.paging is Paging.PAGE_LINKS and progress.page > 1:
            return CannotContinue(f"page {progress.page}, linked from the page before, is empty")
        if progress.replaces and not progress.found:
            return CannotContinue(
                f"the list names nothing where the walk it took over named {progress.replaces}"
            )
        return End("end_of_list", f"page {progress.page} has no articles")
    digest = page_digest(listing)
    if listing.articles and digest in progress.pages:
        return CannotContinue(f"page {progress.page} repeats the cards of an earlier page")
    if source.paging is Paging.CURSOR:
        return _next_by_cursor(walk, listing, progress, page_cap)
    if source.paging is Paging.PAGE_LINKS:
        if max(listing.pages, default=0) <= progress.page:
            return End("end_of_list", f"page {progress.page} is the last")
    elif listing.total is not None and progress.found + listing.cards >= listing.total:
        # Items seen, not pages asked: an endpoint that gives fewer than API_PAGE_SIZE a
        # page is still read to its total.
        return End("end_of_list", f"{listing.total} article(s) listed in all")
    if progress.page >= page_cap:
        return CannotContinue(f"stopped at the page cap ({page_cap} pages)")
    return Next(progress.page + 1)


def _next_by_cursor(walk: Walk, listing: Listing, progress: Progress, page_cap: int) -> Step:
    if not listing.paging_said:
        # Cards, but no data-has-next wrapper: whether the list goes on is unknown (the
        # markup changed); ending here could drop the rest of the day.
        return CannotContinue(f"page {progress.page} does not say whether there is a next page")
    if not listing.has_next:
        if not progress.found and not listing.articles:
            return CannotContinue(NOTHING_LISTED)
        return End("end_of_list", f"page {progress.page} says there is no next page")
    cursor = listing.cursor
    if not cursor:
        return CannotContinue(f"page {progress.page} says there is more but gives no cursor")
    if not _USABLE_CURSOR_RE.fullmatch(cursor):
        return CannotContinue(f"page {progress.page} gives an unusable cursor {cursor[:40]!r}")
    pointed = cursor_day(cursor)
    if walk.day is not None and pointed is not None and pointed < walk.day:
        if not progress.found and not listing.articles:
            return CannotContinue(NOTHING_LISTED)
        return End("before_day", f"the cursor {cursor} points before {walk.day}")
    if cursor in progress.cursors:
        return CannotContinue(f"page {progress.page} repeats the cursor {cursor[:40]!r}")
    if progress.page >= page_cap:
        return CannotContinue(f"stopped at the page cap ({page_cap} pages)")
    return Next(progress.page + 1, cursor)


#: At the API's last page, how many results older than the dates must end it for the dates
#: to count as covered (one odd result cannot decide alone).
MIN_OLDER_AT_END = 2


def _next_by_offset(walk: Walk, listing: Listing, progress: Progress) -> Step:
    """The Search API, newest first: on until a page that lies wholly before the first day,
    the total, or the API's cap on ``start`` (the rest of the dates cannot be had: Capped).

    Nothing the API says is taken on trust. A page that answers another ``start`` than the
    one asked, or repeats the results of an earlier page, fails the walk (what it stands for
    was not given: incomplete, named). The dates are covered only when every dated result
    of a page is older than the first day: ``sort=date`` puts older results after newer
    ones, but one stale or out-of-order result among newer ones does not end the walk (it
    costs one page more: the page that crosses the first day is followed by one wholly
    before it). At the API's last page (``start`` 1,000), which cannot be followed, a page
    that ends in at least ``MIN_OLDER_AT_END`` older results covers the dates."""
    page = progress.page
    if listing.start_asked is not None and listing.start_given != listing.start_asked:
        return CannotContinue(
            f"page {page} answers start={listing.start_given} where start="
            f"{listing.start_asked} was asked: the API's paging cannot be trusted"
        )
    if listing.digest is not None and listing.digest in progress.pages:
        return CannotContinue(
            f"page {page} repeats the results of an earlier page: the API's paging cannot "
            "be trusted"
        )
    if listing.dated and listing.older == listing.dated:
        return End("before_day", f"page {page} reaches results from before {walk.day}")
    start = start_of(page)
    total = listing.total or 0
    if start - 1 + listing.cards >= total:
        return End("end_of_list", f"the API has no more results ({total} in all)")
    if not listing.cards:
        # An empty page below the total: the API stopped early; what it did not give cannot
        # be had (an incomplete crawl, not the end of the results).
        return CannotContinue(f"page {page} is empty where the API reports {total:,} result(s)")
    if start_of(page + 1) > MAX_START:
        if listing.older_at_end >= MIN_OLDER_AT_END:
            return End("before_day", f"page {page} reaches results from before {walk.day}")
        reached = f" (its last result is from {listing.oldest})" if listing.oldest else ""
        return Capped(
            f"the query has {total:,} matches; the API gives {MAX_START:,}: narrow the dates "
            f"or the query{reached}"
        )
    return Next(page + 1)
