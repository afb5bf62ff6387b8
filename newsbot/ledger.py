"""The crawl ledger: the one owner of every outcome of a crawl.

Every listing walk (``newsbot.sources.Walk``) is planned, read page by page and ended
(``end_of_list``, ``before_day``, ``fallback`` to another walk, or ``failed``); every
article a listing or ``urls=`` named gets exactly one outcome (new, updated, unchanged,
restored, skipped, failed, deleted, out_of_range). The spider, the pipelines and the report
talk to the ledger of their crawler (``crawl_ledger(crawler)``), as they talk to its stats.

At the end ``reconcile()`` says what is unaccounted for: articles named without an outcome,
walks that failed (or never ended) without a fallback that succeeded. Either makes the crawl
*incomplete*. With Redis (``newsbot.distributed.SharedLedger``) every record also goes to
the shared crawl, so the verdict covers every worker's share.
"""

from __future__ import annotations

import sys
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from scrapy.crawler import Crawler

from newsbot.args import CrawlArgs
from newsbot.sources import Walk


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RESTORED = "restored"
    SKIPPED = "skipped"  # already collected (index or this job)
    FAILED = "failed"
    DELETED = "deleted"
    OUT_OF_RANGE = "out_of_range"  # published outside the dates asked for


COLLECTED = frozenset({Outcome.NEW, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.RESTORED})
# When an article gets a second outcome (a Redis sweep walks the listings again), the more
# definite one stays: a collected article is not "skipped" by the second pass.
_RANK = {Outcome.SKIPPED: 1, Outcome.FAILED: 2, Outcome.DELETED: 3, Outcome.OUT_OF_RANGE: 3}
_CODES: tuple[Outcome | None, ...] = (None, *Outcome)
_CODE = {outcome: code for code, outcome in enumerate(_CODES) if outcome is not None}
_OUTCOME_BITS = 4


class WalkEnd(StrEnum):
    END_OF_LIST = "end_of_list"
    BEFORE_DAY = "before_day"
    FALLBACK = "fallback"  # could not go on; another walk lists the same articles
    CAPPED = "capped"  # the API gives no more results though the dates go on (incomplete)
    LIMIT = "limit"  # stopped at NEWSBOT_LIMIT: a sample, as asked
    FAILED = "failed"


@dataclass(slots=True)
class WalkRecord:
    """One walk's line in the report."""

    id: str
    source: str
    day: str
    section: str
    pages: int = 0
    articles: int = 0
    rejected: int = 0  # links or items that named no valid article (drift to look at)
    end: str | None = None  # a WalkEnd, None while under way
    detail: str = ""
    fallback: str | None = None  # the walk that took over

    @classmethod
    def of(cls, walk: Walk) -> WalkRecord:
        return cls(walk.id, walk.source, walk.day.isoformat() if walk.day else "", walk.section)


class Shared(Protocol):
    """Where a worker's records also go when several workers share one crawl."""

    def plan(self, record: WalkRecord) -> None: ...
    def page(self, walk_id: str, articles: int, rejected: int) -> None: ...
    def end(self, walk_id: str, end: str, detail: str, fallback: str | None) -> None: ...
    def listing_failure(self, url: str, reason: str) -> None: ...
    def named(self, key: str, walk_id: str) -> bool: ...
    def outcome(self, key: str, outcome: str, reason: str | None) -> None: ...
    def comments(self, key: str, status: str, reason: str | None) -> None: ...
    def offsite(self, url: str, info: dict[str, str]) -> None: ...
    def snapshot(self) -> LedgerData: ...
    def knows(self, key: str) -> bool: ...
    def knows_walk(self, walk_id: str) -> bool: ...


@dataclass
class LedgerData:
    """Everything recorded, as plain data (what ``reconcile`` reads)."""

    walks: dict[str, WalkRecord] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)  # article key -> walk id
    outcomes: dict[str, str] = field(default_factory=dict)  # article key -> outcome
    reasons: dict[str, str] = field(default_factory=dict)  # failed/deleted key -> why
    listing_failures: dict[str, str] = field(default_factory=dict)  # URL -> why
    comments: dict[str, str] = field(default_factory=dict)  # article key -> comment status
    comment_reasons: dict[str, str] = field(default_factory=dict)  # failed key -> why
    # Search results that are not Naver articles: URL -> {title, published, walk}
    offsite: dict[str, dict[str, str]] = field(default_factory=dict)
    comments_wanted: bool = False  # comments=count/all: every article collected needs one
    # (key, walk id, outcome) of every article, when given instead of named/outcomes (the
    # ledger's own records, read once without building two more dicts of every article)
    rows: Callable[[], Iterator[tuple[str, str, str | None]]] | None = None

    def articles(self) -> Iterator[tuple[str, str, str | None]]:
        if self.rows is not None:
            yield from self.rows()
            return
        for key, walk_id in self.named.items():
            yield key, walk_id, self.outcomes.get(key)


@dataclass
class Reconciliation:
    """What the ledger says at the end of a crawl."""

    counts: dict[str, int]
    unaccounted: list[str]
    failed_walks: list[WalkRecord]  # failed or unfinished, with no fallback that succeeded
    walks: list[WalkRecord]
    listing_failures: dict[str, str]
    failures: dict[str, str]
    deleted: dict[str, str]
    totals: dict[str, dict[str, int]]  # "day section" -> counts per outcome, and "named"
    why_failed: dict[str, str] = field(default_factory=dict)  # failed walk -> its chain, in words
    comment_counts: dict[str, int] = field(default_factory=dict)  # comment status -> articles
    comment_failures: dict[str, str] = field(default_factory=dict)  # article key -> why
    # articles collected or skipped whose comments, asked for, have no outcome
    comments_unaccounted: list[str] = field(default_factory=list)
    # search results not on Naver (never fetched): {url, title, published, walk}
    not_on_naver: list[dict[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (
            self.unaccounted
            or self.failed_walks
            or self.comment_failures
            or self.comments_unaccounted
        )

    def to_report(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "walks": [asdict(w) for w in self.walks],
            "listing_failures": [
                {"url": url, "reason": why} for url, why in self.listing_failures.items()
            ],
            "failed_walks": [
                {"walk": w.id, "end": w.end or "unfinished", "reason": self.why_failed[w.id]}
                for w in self.failed_walks
            ],
            "unaccounted": self.unaccounted,
            "failures": self.failures,
            "deleted": self.deleted,
            "totals": self.totals,
            "comments": {
                "counts": self.comment_counts,
                "failures": self.comment_failures,
                "unaccounted": self.comments_unaccounted,
            },
            "not_on_naver": self.not_on_naver,
        }


class Ledger:
    """The outcomes of one crawl (this process's records; with ``shared``, every worker's).

    Articles are kept compactly: one int per key (the walk that named it, and its outcome),
    so a 100,000-article crawl holds a few MB."""

    def __init__(self) -> None:
        self.walks: dict[str, WalkRecord] = {}
        self._walk_ids: list[str] = []
        self._walk_index: dict[str, int] = {}
        self._articles: dict[str, int] = {}
        self._values: dict[int, int] = {}
        self.reasons: dict[str, str] = {}
        self.listing_failures: dict[str, str] = {}
        self._comments: dict[str, str] = {}  # article key -> comment status (interned)
        self.comment_reasons: dict[str, str] = {}
        self.offsite_items: dict[str, dict[str, str]] = {}
        self.shared: Shared | None = None
        self.args: CrawlArgs | None = None  # what the crawl was asked for (the report says)
        self.job_id: str | None = None  # Scrapyd's job id

    # -- walks --------------------------------------------------------------------------
    def plan(self, walk: Walk) -> None:
        """A walk that must end for the crawl to be complete (seeds, fallbacks)."""
        if walk.id not in self.walks:
            self.walks[walk.id] = record = WalkRecord.of(walk)
            self._walk_index[walk.id] = len(self._walk_ids)
            self._walk_ids.append(sys.intern(walk.id))
            if self.shared is not None:
                self.shared.plan(record)

    def page(self, walk: Walk, articles: int, rejected: int = 0) -> None:
        self.plan(walk)
        record = self.walks[walk.id]
        record.pages += 1
        record.articles += articles
        record.rejected += rejected
        if self.shared is not None:
            self.shared.page(walk.id, articles, rejected)

    def end(self, walk: Walk, end: WalkEnd, detail: str = "", fallback: Walk | None = None) -> None:
        self.plan(walk)
        record = self.walks[walk.id]
        record.end, record.detail = end.value, detail
        record.fallback = fallback.id if fallback else None
        if fallback is not None:
            self.plan(fallback)
        if self.shared is not None:
            self.shared.end(walk.id, end.value, detail, record.fallback)

    def listing_failure(self, url: str, reason: str) -> None:
        self.listing_failures[url] = reason
        if self.shared is not None:
            self.shared.listing_failure(url, reason)

    def offsite(self, url: str, title: str, published: str, walk: Walk) -> None:
        """A search result that is not a Naver article: reported, never fetched."""
        if url in self.offsite_items:
            return
        info = {"title": title, "published": published, "walk": walk.id}
        self.offsite_items[url] = info
        if self.shared is not None:
            self.shared.offsite(url, info)

    # -- articles -----------------------------------------------------------------------
    def named(self, key: str, walk: Walk) -> bool:
        """A listing (or ``urls=``) named this article; the first naming walk is kept.
        Whether it is new to the crawl (shared: no other worker named it before)."""
        if key in self._articles:
            return False
        self.plan(walk)
        self._articles[key] = self._value(self._walk_index[walk.id] << _OUTCOME_BITS)
        if self.shared is not None:
            return self.shared.named(key, walk.id)
        return True

    def outcome(self, key: str, outcome: Outcome, reason: str | None = None) -> None:
        value = self._articles.get(key)
        if value is None:  # not named by a listing (a pipeline saw an item of its own)
            self.plan(_UNLISTED)
            value = self._walk_index[_UNLISTED.id] << _OUTCOME_BITS
        old = _CODES[value & ((1 << _OUTCOME_BITS) - 1)]
        if old is not None and outcome_rank(old) > outcome_rank(outcome):
            return
        self._articles[key] = self._value(
            (value >> _OUTCOME_BITS) << _OUTCOME_BITS | _CODE[outcome]
        )
        if outcome in (Outcome.FAILED, Outcome.DELETED):
            self.reasons[key] = reason or outcome.value
        else:
            self.reasons.pop(key, None)
        if self.shared is not None:
            self.shared.outcome(key, outcome.value, reason)

    def comments(self, key: str, status: str, reason: str | None = None) -> None:
        """What became of an article's comments (a ``newsbot.comments.Status``)."""
        self._comments[key] = status = sys.intern(str(status))
        if status == "failed":
            self.comment_reasons[key] = reason or status
        else:
            self.comment_reasons.pop(key, None)
        if self.shared is not None:
            self.shared.comments(key, status, reason)

    def comments_of(self, key: str) -> str | None:
        return self._comments.get(key)

    @property
    def comments_wanted(self) -> bool:
        return self.args is not None and self.args.comments != "off"

    def _value(self, value: int) -> int:
        """One int object per (walk, outcome), shared by all its articles (an int past 256
        is an object of its own: 28 bytes an article)."""
        return self._values.setdefault(value, value)

    def is_named(self, key: str) -> bool:
        return key in self._articles

    def knows(self, key: str) -> bool:
        """A walk of this crawl named the article (this worker's or, shared, any worker's)."""
        return key in self._articles or (self.shared is not None and self.shared.knows(key))

    def knows_walk(self, walk_id: str) -> bool:
        """The walk is one of this crawl's (planned by this worker or, shared, by any)."""
        return walk_id in self.walks or (
            self.shared is not None and self.shared.knows_walk(walk_id)
        )

    def outcome_of(self, key: str) -> Outcome | None:
        value = self._articles.get(key)
        return None if value is None else _CODES[value & ((1 << _OUTCOME_BITS) - 1)]

    # -- the end ------------------------------------------------------------------------
    def data(self) -> LedgerData:
        """This process's records as plain data."""
        mask = (1 << _OUTCOME_BITS) - 1
        named, outcomes = {}, {}
        for key, value in self._articles.items():
            named[key] = self._walk_ids[value >> _OUTCOME_BITS]
            outcome = _CODES[value & mask]
            if outcome is not None:
                outcomes[key] = outcome.value
        return LedgerData(
            walks=self.walks,
            named=named,
            outcomes=outcomes,
            reasons=dict(self.reasons),
            listing_failures=dict(self.listing_failures),
            comments=dict(self._comments),
            comment_reasons=dict(self.comment_reasons),
            offsite=dict(self.offsite_items),
            comments_wanted=self.comments_wanted,
        )

    def reconcile(self, *, shared: bool = True) -> Reconciliation:
        """The whole crawl's account (every worker's with Redis, unless ``shared=False``)."""
        if shared and self.shared is not None:
            data = self.shared.snapshot()
            data.comments_wanted = self.comments_wanted
            return reconcile(data)
        return reconcile(
            LedgerData(
                walks=self.walks,
                reasons=self.reasons,
                listing_failures=self.listing_failures,
                comments=self._comments,
                comment_reasons=self.comment_reasons,
                offsite=self.offsite_items,
                comments_wanted=self.comments_wanted,
                rows=self._rows,
            )
        )

    def _rows(self) -> Iterator[tuple[str, str, str | None]]:
        mask = (1 << _OUTCOME_BITS) - 1
        ids = self._walk_ids
        for key, value in self._articles.items():
            outcome = _CODES[value & mask]
            yield key, ids[value >> _OUTCOME_BITS], outcome.value if outcome else None


_UNLISTED = Walk("unlisted", None)
#: Articles whose comments must have an outcome when comments are asked for.
_NEEDS_COMMENTS = frozenset({*COLLECTED, Outcome.SKIPPED})


def outcome_rank(outcome: Outcome) -> int:
    """How definite an outcome is: a later outcome of a lower rank does not replace it."""
    return _RANK.get(outcome, 4)


def reconcile(data: LedgerData) -> Reconciliation:
    counts: Counter[str] = Counter({o.value: 0 for o in Outcome})
    totals: dict[str, Counter[str]] = {}
    unaccounted: list[str] = []
    failures, deleted = {}, {}
    comments_unaccounted: list[str] = []
    lines: dict[str, Counter[str]] = {}  # walk id -> its line of the totals
    for key, walk_id, outcome in data.articles():
        line = lines.get(walk_id)
        if line is None:
            record = data.walks.get(walk_id)
            where = f"{record.day} {record.section}".strip() if record else walk_id
            line = lines[walk_id] = totals.setdefault(where, Counter())
        line["named"] += 1
        if outcome is None:
            unaccounted.append(key)
            line["unaccounted"] += 1
            continue
        counts[outcome] += 1
        line[outcome] += 1
        if data.comments_wanted and key not in data.comments and outcome in _NEEDS_COMMENTS:
            comments_unaccounted.append(key)
        if outcome == Outcome.FAILED:
            failures[key] = data.reasons.get(key, "failed")
        elif outcome == Outcome.DELETED:
            deleted[key] = data.reasons.get(key, "deleted")
    failed = [w for w in data.walks.values() if not _walk_ok(w, data.walks, set())]
    # Report a failed chain once, at the walk where it started.
    fallbacks = {w.fallback for w in data.walks.values() if w.fallback}
    reported = [w for w in failed if w.id not in fallbacks]
    failed = reported or failed  # a chain that loops back has no start: report all of it
    why_failed = {w.id: _chain(w, data.walks) for w in failed}
    return Reconciliation(
        counts=dict(counts),
        unaccounted=sorted(unaccounted),
        failed_walks=failed,
        walks=sorted(data.walks.values(), key=lambda w: w.id),
        listing_failures=dict(data.listing_failures),
        failures=dict(sorted(failures.items())),
        deleted=dict(sorted(deleted.items())),
        totals={k: dict(v) for k, v in sorted(totals.items())},
        why_failed=why_failed,
        comment_counts=dict(sorted(Counter(data.comments.values()).items())),
        comment_failures={
            k: data.comment_reasons.get(k, "failed")
            for k, status in sorted(data.comments.items())
            if status == "failed"
        },
        comments_unaccounted=sorted(comments_unaccounted),
        not_on_naver=[
            {"url": url, **info}
            for url, info in sorted(
                data.offsite.items(), key=lambda kv: (kv[1].get("published", ""), kv[0])
            )
        ],
    )


def _chain(walk: WalkRecord, walks: dict[str, WalkRecord]) -> str:
    """``HTTP 503 after 1 retry; then old_list/…: HTTP 500 after 1 retry``."""
    parts, seen = [], set()
    current: WalkRecord | None = walk
    while current is not None and current.id not in seen:
        seen.add(current.id)
        detail = current.detail or ("never ended" if current.end is None else current.end)
        parts.append(detail if current is walk else f"then {current.id}: {detail}")
        current = walks.get(current.fallback) if current.fallback else None
    return "; ".join(parts)


def _walk_ok_alone(walk: WalkRecord) -> bool:
    return walk.end in (WalkEnd.END_OF_LIST, WalkEnd.BEFORE_DAY, WalkEnd.LIMIT)


def _walk_ok(walk: WalkRecord, walks: dict[str, WalkRecord], seen: set[str]) -> bool:
    """Ended at the end of its list, or handed over to a fallback that did."""
    if walk.source == _UNLISTED.source or walk.source == "urls":
        return True
    if _walk_ok_alone(walk):
        return True
    if walk.end == WalkEnd.FALLBACK and walk.fallback and walk.fallback not in seen:
        following = walks.get(walk.fallback)
        return following is not None and _walk_ok(following, walks, seen | {walk.id})
    return False


_LEDGERS: weakref.WeakKeyDictionary[Crawler, Ledger] = weakref.WeakKeyDictionary()


def crawl_ledger(crawler: Crawler) -> Ledger:
    """The ledger of ``crawler``'s crawl (made on first use), as ``crawler.stats`` is its
    stats: the spider, the pipelines and the report all record into this one."""
    ledger = _LEDGERS.get(crawler)
    if ledger is None:
        ledger = _LEDGERS[crawler] = Ledger()
    return ledger
