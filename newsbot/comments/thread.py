"""A comment thread's paging: ``Thread`` says which request comes next and takes each answer
(``Fetch`` or ``Done``); a request carries only its ids, cursor and counters (``to_dict``,
checked field by field by ``from_dict``), what was read stays in ``ReadSoFar``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from newsbot.comments.api import (
    MAX_COUNT,
    MAX_PAGES,
    PAGE_SIZE,
    CommentPage,
    Mode,
    Status,
    comment_url,
)
from newsbot.urls import ArticleId

# -- one article's fetch ------------------------------------------------------------------


@dataclass
class Fetch:
    """The next request of a thread."""

    url: str


@dataclass
class Done:
    """The thread is finished: ``status`` and, when it failed, why."""

    status: Status
    reason: str | None = None


@dataclass
class ReadSoFar:
    """What a thread has read: every comment by number (the latest record of each), the
    comments whose replies are to be read (in the order read), and the records of the last
    page, not yet stashed. Kept by the worker reading the thread, never in a request."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0  # the bytes of the thread's stash file these records were read from

    def add(self, record: dict[str, Any], *, top: bool) -> bool:
        """Keep ``record``; whether its comment is new to the thread."""
        number = record["comment_no"]
        new = number not in self.records
        if new and top and record.get("reply_count"):
            self.parents.append(number)
        self.records[number] = record
        self.added.append(record)
        return new

    def flush(self) -> list[dict[str, Any]]:
        """The records added since the last flush (to append to the stash)."""
        added, self.added = self.added, []
        return added


@dataclass
class Thread:
    """One article's comments being fetched, as the ids, cursors and counters that travel in
    a request's ``cb_kwargs`` (through Redis as JSON), advanced by ``take``; what was read is
    in ``read`` (``ReadSoFar``), which never travels: ``stashed`` is the size of the stash
    file once the last page was appended, and ``held`` the comments it holds, so that a
    worker taking the thread over reads only what it has not read yet, and checks it.

    Order: with a count known from an earlier run, a ``pageSize=1`` probe first (comments=all
    stops there when the count has not changed); then the comment list, page by page along
    ``morePage.next``; then, for each comment with replies, its reply list the same way."""

    key: str  # the article, oid_aid
    mode: str  # Mode.COUNT or Mode.ALL
    template: str | None = None
    previous: int | None = None  # comment_count of the last run (the index)
    previous_counts: dict[str, int] | None = None  # result.count of the last run
    phase: str = "probe"  # probe, list
    parent: str | None = None  # the comment whose replies are being read (None: the list)
    cursor: str | None = None
    seen: list[str] = field(default_factory=list)  # cursors of the list being read
    got: int = 0  # items of the list being read
    pages: int = 0  # pages of the list being read
    next_parent: int = 0  # position in read.parents of the next reply list to read
    requests: int = 0
    count: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # result.count as read now
    status: str | None = None  # exposureConfig.status
    held: int = 0  # comments read so far (len(read.records))
    stashed: int = 0  # bytes of the thread's stash file (CommentStash) after the last page
    rejected: int = 0
    # This fetch of the thread (two fetches of one article's comments never share a stash).
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    read: ReadSoFar = field(default_factory=ReadSoFar, repr=False, compare=False)

    @classmethod
    def start(
        cls,
        key: str,
        mode: Mode,
        *,
        template: str | None = None,
        previous: int | None = None,
        previous_counts: dict[str, int] | None = None,
    ) -> Thread:
        """``previous``/``previous_counts``: what the last run read (``None``: no run read
        this article's comments whole); with comments=all they make a probe come first."""
        probe = mode is Mode.COUNT or previous is not None
        return cls(
            key, mode.value, template, previous, previous_counts, "probe" if probe else "list"
        )

    @property
    def comments(self) -> dict[str, dict[str, Any]]:
        """Every comment and reply read, by number."""
        return self.read.records

    def unchanged(self) -> bool:
        """The count read now is the last run's: every number of ``result.count`` when both
        are known (a deletion changes ``delCommentByUser``, not ``total``), else the total."""
        if self.count is None or self.count != self.previous:
            return False
        return not (self.previous_counts and self.counts and self.previous_counts != self.counts)

    @property
    def article_id(self) -> ArticleId:
        return ArticleId.from_key(self.key)

    def url(self) -> str:
        """The request to make now."""
        size = 1 if self.phase == "probe" else PAGE_SIZE
        return comment_url(
            self.article_id,
            page_size=size,
            template=self.template,
            cursor=self.cursor,
            parent=self.parent,
        )

    def take(self, page: CommentPage) -> Fetch | Done:
        """Read one answer; what comes next."""
        step = self._take(page)
        self.held = len(self.read.records)
        return step

    def _take(self, page: CommentPage) -> Fetch | Done:
        self.requests += 1
        self.rejected += page.rejected
        if self.phase == "probe":
            self.count, self.counts, self.status = page.total, page.counts, page.status
            if not page.on:
                return Done(Status.OFF)
            if self.mode == Mode.COUNT:
                return Done(Status.COLLECTED)
            if self.unchanged():
                return Done(Status.UNCHANGED)
            self.phase = "list"
            return Fetch(self.url())
        if self.parent is None and self.pages == 0:
            self.count, self.counts, self.status = page.total, page.counts, page.status
        self.pages += 1
        new = 0
        for record in page.comments:
            if self.parent is not None and record["parent_comment_no"] != self.parent:
                continue  # the parent itself, if the reply list repeats it
            new += self.read.add(record, top=self.parent is None)
        self.got += new
        if self.parent is None and self.pages == 1 and not page.on and not page.comments:
            return Done(Status.OFF)
        if page.items and not page.comments:
            return self._failed(f"a page of {page.items} item(s) none of which could be read")
        cursor = page.next
        # The real last page still names a next cursor: a short page that completes
        # pageModel.totalRows ends the list. A full page goes on (totalRows has been seen
        # to run short of what the list holds); the page after the last is empty.
        short = page.items < PAGE_SIZE
        complete = page.total_rows is None or self.got >= page.total_rows
        finished = not page.comments or not cursor or cursor == page.end or (short and complete)
        if not finished:
            assert cursor is not None
            if cursor in self.seen or cursor == self.cursor:
                return self._failed(f"the comment list repeated the cursor {cursor[:40]!r}")
            if new == 0:
                return self._failed("a comment page held only comments already read")
            if self.pages >= MAX_PAGES:
                return self._failed(f"more than {MAX_PAGES} pages in one comment list")
            self.seen.append(cursor)
            self.cursor = cursor
            return Fetch(self.url())
        if self.next_parent < len(self.read.parents):
            self.parent = self.read.parents[self.next_parent]
            self.next_parent += 1
            self.cursor, self.seen, self.got, self.pages = None, [], 0, 0
            return Fetch(self.url())
        return Done(Status.COLLECTED if page.on or self.read.records else Status.OFF)

    def _failed(self, reason: str) -> Done:
        where = f"replies of comment {self.parent}" if self.parent else "the comment list"
        return Done(Status.FAILED, f"{where}: {reason}")

    def to_dict(self) -> dict[str, Any]:
        """The thread as plain data: ids, cursors and counters, never what was read."""
        return {name: getattr(self, name) for name in _THREAD_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Thread:
        """A thread from a request's ``cb_kwargs`` (perhaps from Redis: checked field by
        field, ``ValueError`` for anything a thread never holds)."""
        if not isinstance(data, Mapping) or set(data) != set(_THREAD_FIELDS):
            raise ValueError("not a comment thread's fields")
        for name, check in _THREAD_CHECKS.items():
            if not check(data[name]):
                raise ValueError(f"a comment thread's {name} is {type(data[name]).__name__}")
        ArticleId.from_key(data["key"])  # ValueError if not an article id
        return cls(**data)


_THREAD_FIELDS = tuple(f.name for f in fields(Thread) if f.name != "read")
_TEMPLATE_ID_RE = re.compile(r"[A-Za-z0-9_]{1,64}")
TOKEN_RE = re.compile(r"[0-9a-f]{1,32}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _is_text(value: object, most: int = 4096) -> bool:
    return isinstance(value, str) and len(value) <= most


def _is_counts(value: object) -> bool:
    return isinstance(value, dict) and all(
        _is_text(k, 100) and _is_int(v) for k, v in value.items()
    )


_THREAD_CHECKS: dict[str, Any] = {
    "key": _is_text,
    "mode": lambda v: v in (Mode.COUNT, Mode.ALL),
    "template": lambda v: v is None or (_is_text(v, 64) and _TEMPLATE_ID_RE.fullmatch(v)),
    "previous": lambda v: v is None or _is_int(v),
    "previous_counts": lambda v: v is None or _is_counts(v),
    "phase": lambda v: v in ("probe", "list"),
    "parent": lambda v: v is None or (_is_text(v, 30) and v.isascii() and v.isdigit()),
    "cursor": lambda v: v is None or _is_text(v),
    "seen": lambda v: isinstance(v, list) and len(v) <= MAX_PAGES and all(map(_is_text, v)),
    "got": _is_int,
    "pages": _is_int,
    "next_parent": _is_int,
    "requests": _is_int,
    "count": lambda v: v is None or _is_int(v),
    "counts": _is_counts,
    "status": lambda v: v is None or _is_text(v, 100),
    "held": _is_int,
    "stashed": _is_int,
    "rejected": _is_int,
    "token": lambda v: _is_text(v, 32) and TOKEN_RE.fullmatch(v),
}
assert set(_THREAD_CHECKS) == set(_THREAD_FIELDS)
