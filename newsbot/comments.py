"""Comments (댓글): Naver's comment-box API, its paging, and the ``.comments.jsonl`` records.

Pure logic, no Scrapy: the spider asks ``Thread`` which request comes next and hands it each
answer; the export side merges what was fetched with what an earlier run wrote. The API is
described in ``shared/docs/naver.md`` ("Comments"), from real 2022 responses
(``tests/fixtures/api/cbox_*.body.jsonp``):

* ``https://apis.naver.com/commentBox/cbox/web_naver_list_jsonp.json?ticket=news&pool=cbox5
  &objectId=news{oid},{aid}&pageSize=100&sort=new&includeAllStatus=true&pageType=more``,
  then ``&moreParam.direction=next&moreParam.next={result.morePage.next}`` (``page=`` only
  gives the first page again, N2H4 #137); replies with ``&parentCommentNo={commentNo}``;
* sent with a Referer on n.news, or the answer is ``success:false``, code ``3999``;
* a JSONP body, ``_callback({...});``, unwrapped in linear time (no backtracking regex over
  the body) and never evaluated; an answer over ``MAX_ANSWER_BYTES`` is refused unread.

What a thread has read so far never travels with its requests (they go through Redis):
a request carries the article id, the cursor and counters (``Thread``); the comments read
are kept in this worker's memory (``ReadSoFar``) and appended, page by page, to a stash file
in the output directory (``CommentStash``), from which any worker can take the thread over.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from newsbot.dates import KST
from newsbot.errors import ExtractError
from newsbot.urls import ArticleId

logger = logging.getLogger(__name__)

COMMENT_HOST = "apis.naver.com"
COMMENT_API = f"https://{COMMENT_HOST}/commentBox/cbox/web_naver_list_jsonp.json"
#: The most the API gives in one answer.
PAGE_SIZE = 100
#: Pages one list (an article's comments, or one comment's replies) may take: 200,000
#: comments. Past it the list is given up as failed (a cursor that never ends).
MAX_PAGES = 2000
#: The file beside ``{oid}_{aid}.md`` that holds an article's comments.
SUFFIX = ".comments.jsonl"
#: The largest comment answer read: a real page of 100 comments is about 150 KB. A larger
#: one fails the article's comments, named (the download stops there too).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
#: The longest ``.comments.jsonl`` line read (a real record is well under 10 KB).
MAX_RECORD_BYTES = 1024 * 1024
#: The folder of the output directory where threads being read keep their comments.
STASH_DIR = ".newsbot-comments"
#: Counts are stored in SQLite (and Parquet) as signed 64-bit integers.
MAX_COUNT = 2**63 - 1


class Mode(StrEnum):
    """``-a comments=…``: nothing, the count only, or every comment and reply."""

    OFF = "off"
    COUNT = "count"
    ALL = "all"


class Status(StrEnum):
    """What became of one article's comments (the ledger's comment outcome)."""

    COLLECTED = "collected"  # fetched (and, with comments=all, every comment written)
    UNCHANGED = "unchanged"  # comments=all: the count has not changed since the last run
    OFF = "off"  # comments are switched off for this article (recorded, not an error)
    NOT_COLLECTED = "not_collected"  # sports / entertainment: no comment pool known
    FAILED = "failed"


class CommentApiError(ExtractError):
    """The comment API answered, but not with comments (``success:false``, or a body of
    another shape)."""


# The callback's name (`_callback`, `jQuery123_456`, `/**/ cb`): matched on the first bytes
# only, then the JSON is what lies between the "(" after it and the body's last ")".
_CALLBACK_RE = re.compile(rb"\s*(?:/\*\*/\s*)?[A-Za-z_$][\w$.]{0,200}\s*\(")
# The page's comment-box config: "sTemplateId":"view_economy" (every saved n.news page has it).
_TEMPLATE_RE = re.compile(rb'"sTemplateId"\s*:\s*"(?P<id>[A-Za-z0-9_]{1,64})"')


def comments_file(article_file: Path) -> Path:
    """``…/{oid}_{aid}.comments.jsonl`` beside ``…/{oid}_{aid}.md``."""
    return article_file.with_name(article_file.stem + SUFFIX)


def template_id_of(page: bytes) -> str | None:
    """The article page's comment template id (``view_politics``), if the page names one."""
    match = _TEMPLATE_RE.search(page)
    return match["id"].decode("ascii") if match else None


def referer(article_id: ArticleId) -> str:
    """The page the comment box is on: every comment request is sent with it."""
    return f"https://n.news.naver.com/mnews/article/{article_id.oid}/{article_id.aid}"


def comment_url(
    article_id: ArticleId,
    *,
    page_size: int = PAGE_SIZE,
    template: str | None = None,
    cursor: str | None = None,
    parent: str | None = None,
) -> str:
    """One page of an article's comments (``parent``: of that comment's replies); the
    ``cursor`` is the previous answer's ``morePage.next``, passed back as it is."""
    query: list[tuple[str, str]] = [
        ("ticket", "news"),
        ("pool", "cbox5"),
        ("lang", "ko"),
        ("country", "KR"),
        ("objectId", f"news{article_id.oid},{article_id.aid}"),
    ]
    if template:
        query.append(("templateId", template))
    query += [
        ("pageSize", str(page_size)),
        ("sort", "new"),
        ("includeAllStatus", "true"),
        ("pageType", "more"),
    ]
    if parent:
        query.append(("parentCommentNo", parent))
    if cursor:
        query += [("moreParam.direction", "next"), ("moreParam.next", cursor)]
    return f"{COMMENT_API}?{urlencode(query)}"


@dataclass
class CommentPage:
    """One answer of the comment API, read."""

    total: int | None  # result.count.total: comments and replies, deleted ones included
    status: str | None  # result.exposureConfig.status
    comments: list[dict[str, Any]]  # the records, as written to .comments.jsonl
    next: str | None  # result.morePage.next
    end: str | None  # result.morePage.end
    total_rows: int | None  # result.pageModel.totalRows: items of this list
    rejected: int = 0  # list items without a comment number (drift)
    items: int = 0  # items in result.commentList, read or not
    # result.count, every number in it (comment, reply, delCommentByUser …): what changed
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def on(self) -> bool:
        return self.status in (None, "COMMENT_ON")


def unwrap_jsonp(body: bytes) -> Any:
    """The JSON inside a JSONP body (or a plain JSON body); raises ``CommentApiError``.

    Linear in the body's size whatever it holds (a backtracking regex over the body took
    an hour on a megabyte of spaces), and refused over ``MAX_ANSWER_BYTES``."""
    if len(body) > MAX_ANSWER_BYTES:
        raise CommentApiError(
            f"the comment API's answer is {len(body):,} bytes, over the "
            f"{MAX_ANSWER_BYTES:,} a page may be"
        )
    text = body
    head = _CALLBACK_RE.match(body, 0, 512)
    if head is not None:
        end = len(body.rstrip().rstrip(b";").rstrip())
        if end > head.end() and body[end - 1 : end] == b")":
            text = body[head.end() : end - 1]
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        why = "nested too deep" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise CommentApiError(f"the comment API's answer is not JSONP ({why})") from None


def parse_comment_page(body: bytes, *, personal: bool = False) -> CommentPage:
    """Read one answer; raise ``CommentApiError`` for ``success:false`` (``3999`` when the
    Referer is missing) or a body of another shape."""
    data = unwrap_jsonp(body)
    if not isinstance(data, dict):
        raise CommentApiError("the comment API's answer is not a JSON object")
    if data.get("success") is not True:
        code, message = data.get("code"), data.get("message")
        raise CommentApiError(f"the comment API answered code {code}: {str(message)[:200]}")
    result = data.get("result")
    if not isinstance(result, dict):
        raise CommentApiError("the comment API's answer has no result")
    items = result.get("commentList")
    items = [] if items is None else items
    if not isinstance(items, list):
        raise CommentApiError("result.commentList is not a list")
    comments, rejected = [], 0
    for raw in items:
        record = comment_record(raw, personal=personal) if isinstance(raw, dict) else None
        if record is None:
            rejected += 1
        else:
            comments.append(record)
    count = _dict(result.get("count"))
    total = json_int(count.get("total"))
    if total is None and count.get("total") is not None:
        logger.warning(
            "the comment API's count %r is not a count newsbot can store: kept as unknown",
            str(count.get("total"))[:40],
        )
    more = _dict(result.get("morePage"))
    exposure = _dict(result.get("exposureConfig"))
    return CommentPage(
        total=total,
        status=_str(exposure.get("status")),
        comments=comments,
        next=_str(more.get("next")),
        end=_str(more.get("end")),
        total_rows=json_int(_dict(result.get("pageModel")).get("totalRows")),
        rejected=rejected,
        items=len(items),
        counts={k: v for k, v in count.items() if isinstance(k, str) and json_int(v) == v},
    )


def comment_record(raw: Mapping[str, Any], *, personal: bool = False) -> dict[str, Any] | None:
    """One ``.comments.jsonl`` record from one API item, ``None`` without a comment number.

    Kept: what a study of comments needs, and the user only as the API already masks it
    (``park****``). The user's id number and profile image are kept only with ``personal``
    (``NEWSBOT_COMMENTS_PERSONAL_FIELDS``)."""
    number = _number(raw.get("commentNo"))
    if number is None:
        return None
    parent = _number(raw.get("parentCommentNo"))
    record: dict[str, Any] = {
        "comment_no": number,
        # The API gives a top-level comment itself as its parent.
        "parent_comment_no": parent if parent and parent != number else None,
        "created_at": comment_time(raw.get("regTime")),
        "modified_at": comment_time(raw.get("modTime")),
        "user": _text(_str(raw.get("maskedUserId")) or _str(raw.get("userName"))),
        "contents": _text(raw.get("contents")),
        "likes": json_int(raw.get("sympathyCount")),
        "dislikes": json_int(raw.get("antipathyCount")),
        # replyAllCount counts deleted replies too, which includeAllStatus lists
        "reply_count": max(
            json_int(raw.get("replyCount")) or 0, json_int(raw.get("replyAllCount")) or 0
        ),
        "best": bool(raw.get("best")),
        "deleted": bool(raw.get("deleted")),
    }
    if personal:
        record["user_id_no"] = _str(raw.get("userIdNo")) or _str(raw.get("idNo"))
        record["user_profile_image"] = _str(raw.get("userProfileImage"))
    return record


def comment_time(value: object) -> str | None:
    """``2022-02-18T22:31:11+0900`` → ``2022-02-18T22:31:11+09:00`` (Korea time)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return moment.astimezone(KST).isoformat()


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _text(value: object) -> str | None:
    """A string of the answer as UTF-8 can hold it: JSON may carry a lone surrogate
    (``"\\ud800"``), which no UTF-8 file can; it becomes U+FFFD."""
    if not isinstance(value, str):
        return None
    return _SURROGATE_RE.sub("\ufffd", value)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def json_int(value: object) -> int | None:
    """A JSON answer's whole number: an int, or a string of ASCII digits, within what SQLite
    and Parquet store (``MAX_COUNT``); None for anything else (a bool, a negative number, a
    number too large for a 64-bit integer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 19):
            return None
        value = int(digits)
    if isinstance(value, int) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> str | None:
    """A comment number as a string of digits (a number in 2021 samples: kept a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 30:
        return value
    return None


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
_TOKEN_RE = re.compile(r"[0-9a-f]{1,32}")


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
    "token": lambda v: _is_text(v, 32) and _TOKEN_RE.fullmatch(v),
}
assert set(_THREAD_CHECKS) == set(_THREAD_FIELDS)


class StashLost(Exception):
    """The comments a thread read so far are not in the stash any more."""


class CommentStash:
    """The comments of the threads being read, one append-only file a thread under
    ``OUTPUT/.newsbot-comments/`` (``{oid}_{aid}.{token}.jsonl``), so that the requests carry
    none; plus this worker's own ``ReadSoFar`` of the threads it reads (the last ``cached``),
    so that a thread read by one worker from start to end never reads its file back, and a
    worker taking over a page of a thread it read before reads only what was appended since
    (each byte of a stash is read at most once by each worker)."""

    def __init__(self, root: Path, *, cached: int = 64) -> None:
        self.dir = root / STASH_DIR
        self.cached = cached
        self._read: OrderedDict[str, ReadSoFar] = OrderedDict()
        self.bytes_read = 0  # of stash files (a worker's page of a thread another worker read)

    def path(self, thread: Thread) -> Path:
        key = ArticleId.from_key(thread.key).key
        if not _TOKEN_RE.fullmatch(thread.token):
            raise ValueError(f"a thread token of another shape: {thread.token[:40]!r}")
        return self.dir / f"{key}.{thread.token}.jsonl"

    def start(self, thread: Thread) -> None:
        """A new thread: nothing read yet."""
        self._remember(thread, thread.read)

    def load(self, thread: Thread) -> None:
        """Give ``thread`` what it read so far: this worker's, brought up to date with what
        other workers appended since (``StashLost`` if the file does not hold it)."""
        path = self.path(thread)
        read = self._read.get(path.name)
        if read is None or read.size > thread.stashed:
            read = ReadSoFar()
        if read.size < thread.stashed:
            try:
                with path.open("rb") as stash:
                    stash.seek(read.size)
                    data = stash.read(thread.stashed - read.size)
            except FileNotFoundError:
                data = b""
            except OSError as exc:
                raise StashLost(f"cannot read {path}: {exc.strerror}") from None
            self.bytes_read += len(data)
            if len(data) < thread.stashed - read.size:
                raise StashLost(
                    f"{path} holds {read.size + len(data):,} of the {thread.stashed:,} bytes "
                    "the thread wrote (is the output directory shared by every worker?)"
                )
            records, _bad = read_jsonl(data)
            for record in records:
                read.add(record, top=not record.get("parent_comment_no"))
            read.added.clear()
            read.size = thread.stashed
        if len(read.records) != thread.held:
            self._read.pop(path.name, None)
            raise StashLost(
                f"{thread.held} comment(s) were read, {len(read.records)} are in {path}"
            )
        self._remember(thread, read)
        thread.read = read

    def save(self, thread: Thread) -> None:
        """Append what ``thread`` read from its last page (``OSError`` if it cannot)."""
        added = thread.read.flush()
        if not added:
            return
        path = self.path(thread)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as out:
            if out.tell() != thread.stashed:  # another fetch wrote here (never expected)
                raise OSError(
                    errno.EIO,
                    f"the stash is {out.tell():,} bytes, not {thread.stashed:,}",
                    str(path),
                )
            out.write(dump_jsonl(added))
            thread.stashed = thread.read.size = out.tell()

    def clear(self, *, older_than: float | None = None) -> None:
        """Remove every thread's file (a crawl of its own starting: none is being read), or
        those untouched for ``older_than`` seconds (threads of workers long gone)."""
        if not self.dir.is_dir():
            return
        now = time.time()
        for path in self.dir.glob("*.jsonl"):
            with contextlib.suppress(OSError):
                if older_than is None or now - path.stat().st_mtime > older_than:
                    path.unlink()

    def drop(self, thread: Thread) -> None:
        """The thread is over: forget it, and remove its file."""
        path = self.path(thread)
        self._read.pop(path.name, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def _remember(self, thread: Thread, read: ReadSoFar) -> None:
        name = self.path(thread).name
        self._read[name] = read
        self._read.move_to_end(name)
        while len(self._read) > self.cached:
            self._read.popitem(last=False)


# -- the .comments.jsonl file ---------------------------------------------------------------


def _order(record: Mapping[str, Any]) -> tuple[int, str, int, int, str]:
    """A thread's reading order: each comment by number, followed by its replies."""
    number = str(record["comment_no"])
    parent = record.get("parent_comment_no")
    top = str(parent) if parent else number
    return (len(top), top, 1 if parent else 0, len(number), number)


def merge_comments(
    old: Iterable[Mapping[str, Any]],
    new: Iterable[Mapping[str, Any]],
    *,
    keep_deleted_text: bool = False,
) -> list[dict[str, Any]]:
    """The union of an earlier run's records and this run's, one per ``comment_no``, in
    reading order. A record read now replaces the earlier one (likes change, comments are
    edited); a comment now deleted keeps its earlier text only with ``keep_deleted_text``."""
    merged: dict[str, dict[str, Any]] = {}
    for record in old:
        merged[str(record["comment_no"])] = dict(record)
    for record in new:
        number = str(record["comment_no"])
        before = merged.get(number)
        after = dict(record)
        if after.get("deleted") and before is not None:
            if keep_deleted_text and before.get("contents"):
                after["contents"] = before["contents"]
            for name in ("created_at", "user"):  # what the API blanks in a deleted one
                if after.get(name) is None and before.get(name) is not None:
                    after[name] = before[name]
        merged[number] = after
    return sorted(merged.values(), key=_order)


def read_jsonl(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """The records of a ``.comments.jsonl`` file, and how many lines could not be read."""
    records, bad = [], 0
    for line in data.splitlines():
        if not line.strip():
            continue
        if len(line) > MAX_RECORD_BYTES:
            bad += 1
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            bad += 1
            continue
        if isinstance(record, dict) and _number(record.get("comment_no")) is not None:
            records.append(record)
        else:
            bad += 1
    return records, bad


def dump_jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    """One JSON object a line, UTF-8 (no ``\\u`` escapes but for what JSON requires, and
    U+2028/U+2029, which some JSON-lines readers take for line ends)."""
    lines = []
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        lines.append(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
