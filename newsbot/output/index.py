"""The SQLite index of an output directory: its schema and upgrades, and every statement on it.

``OUTPUT/newsbot-index.sqlite3`` (``paths.INDEX_NAME``): one row per article id in
``articles`` (its status, file, hashes, dates, what stats and exports read without opening
the file), earlier hashes in ``revisions``. ``Index`` is the one writer (WAL); an older
layout's added columns are filled from the files when it is opened. ``read_index`` is the
read-only view ``verify`` checks files against.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import urllib.parse
import weakref
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from newsbot.errors import NewsbotError
from newsbot.items import Article
from newsbot.output.markdown import read_front_matter
from newsbot.output.paths import INDEX_NAME, inside
from newsbot.sites import SITES, Kind

logger = logging.getLogger("newsbot.storage")  # the name its log lines have always had
# Index statuses: what is known about an article id.
WRITTEN = "written"  # its file is in the output directory
OUT_OF_RANGE = "out_of_range"  # fetched from a listing, but published outside the dates asked
REDIRECTED = "redirected"  # left n.news for the sports/entertainment hosts
DELETED = "deleted"  # Naver answered that it does not exist

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    path TEXT,
    content_hash TEXT,
    published_at TEXT,
    modified_at TEXT,
    first_crawled_at TEXT NOT NULL,
    last_crawled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    modified_at TEXT,
    crawled_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_id ON revisions (id);
"""
# Columns added since the first index: (name, type), added to an older index when opened.
_ADDED_COLUMNS = (
    ("comment_count", "INTEGER"),  # the comment API's count.total at comments_at
    ("comments_at", "TEXT"),  # when the article's comments were last fetched
    # The comment API's result.count (JSON) when an article's comments were last read whole
    # into its .comments.jsonl (comments=all): the baseline the next run's probe compares.
    ("comment_counts", "TEXT"),
    # What stats and exports read without opening every file (from the front matter).
    ("title", "TEXT"),
    ("publisher", "TEXT"),
    ("sid", "TEXT"),
    ("section", "TEXT"),  # the section's name (the front matter's category)
    ("layout", "TEXT"),
    # SHA-256 of the whole file as newsbot wrote it (``hashing.file_hash``), front matter
    # included, and of its .comments.jsonl: ``verify`` tells a file edited since. Null in
    # rows written before these columns (only the body is checked there).
    ("file_sha256", "TEXT"),
    ("comments_sha256", "TEXT"),
)
_COLUMNS = (
    "id, status, path, content_hash, published_at, modified_at, first_crawled_at,"
    " last_crawled_at, comment_count, comments_at, comment_counts, file_sha256, comments_sha256"
)
#: ``PRAGMA user_version`` of an index whose described columns are filled (or being kept):
#: 0 is any index made before it (the oldest layouts, and upgrades that added the columns
#: empty), filled once when opened.
DESCRIBED_VERSION = 1
#: Files read between two progress lines of the fill.
_FILL_PROGRESS = 5000
#: A row of an index rebuilt from the files (``Index.put_rebuilt``).
_REBUILT = (
    "INSERT OR REPLACE INTO articles (id, status, path, content_hash, published_at,"
    " modified_at, first_crawled_at, last_crawled_at, comment_count, title, publisher, sid,"
    " section, layout, file_sha256, comments_sha256)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: What SQLite's INTEGER holds (a Python int beyond it raises OverflowError at the write).
_INT64 = (-(2**63), 2**63 - 1)


def int64(value: int | None, what: str, key: str) -> int | None:
    """``value`` if SQLite can store it; else None, with a warning (a number from the site
    is data: one that does not fit is not a reason to leave the article out of the index)."""
    if value is None or _INT64[0] <= value <= _INT64[1]:
        return value
    shown = str(value) if value.bit_length() <= 256 else f"of {value.bit_length()} bits"
    logger.warning(
        "%s: %s %s does not fit the index (a 64-bit integer): stored as null", key, what, shown
    )
    return None


class StorageError(OSError):
    """The output directory cannot be written."""


class UnusableIndex(NewsbotError):
    """The index cannot be used (corrupt, locked by another program, not a database)."""


@dataclass(frozen=True)
class IndexEntry:
    id: str
    status: str
    path: str | None
    content_hash: str | None
    published_at: str | None
    modified_at: str | None
    first_crawled_at: str
    last_crawled_at: str
    comment_count: int | None = None
    comments_at: str | None = None
    comment_counts: dict[str, int] | None = None
    file_sha256: str | None = None
    comments_sha256: str | None = None


_ENTRY_FIELDS = tuple(field.name for field in fields(IndexEntry))


class Index:
    """What has been collected into an output directory (SQLite, WAL, one writer)."""

    def __init__(self, root: Path, *, timeout: float = 60.0) -> None:
        """Open (or create) the index. Raises ``StorageError`` when the directory cannot
        be written, ``UnusableIndex`` when the file is not a usable index."""
        self.root = root
        self.path = root / INDEX_NAME
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(exc.errno, f"{root}: {exc.strerror or exc}") from None
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(errno.EIO, f"{self.path}: {exc}") from None
        # An index dropped without close() (a component that never saw the spider close)
        # still closes its database, rather than leave it to the collector.
        self._closer = weakref.finalize(self, self.db.close)
        try:
            self._open()
        except BaseException:
            self._closer()  # not usable: closed now, not when the error is forgotten
            raise

    def _open(self) -> None:
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            created = not self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
            ).fetchone()
            self.db.executescript(_SCHEMA)
            have = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
            for name, kind in _ADDED_COLUMNS:
                if name not in have:
                    try:
                        self.db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")
                    except sqlite3.OperationalError as exc:  # another worker added it first
                        if "duplicate column" not in str(exc):
                            raise
            self.db.execute(f"SELECT {_COLUMNS} FROM articles LIMIT 1")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version < DESCRIBED_VERSION:
                if not created:
                    self._fill_described()
                self.db.execute(f"PRAGMA user_version = {DESCRIBED_VERSION}")
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise UnusableIndex(
                    f"the index {self.path} is locked by another program ({text})"
                ) from None
            if "disk" in text or "readonly" in text or "unable to open" in text:
                raise StorageError(errno.EIO, f"{self.path}: {text}") from None
            raise UnusableIndex(
                f"the index {self.path} cannot be used ({text}); rebuild it from the files "
                f"with: newsbot reindex {self.root} (the one there is kept beside it)"
            ) from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            raise UnusableIndex(
                f"the index {self.path} is damaged ({exc}); rebuild it from the files with: "
                f"newsbot reindex {self.root} (the damaged one is kept beside it)"
            ) from None

    def _fill_described(self) -> None:
        """An index of an earlier layout: its added columns (title, publisher, sid, section,
        layout, comment_count) filled from the front matter of each written file, once, with
        a progress line every ``_FILL_PROGRESS`` files; a file that cannot be read leaves its
        row as it was (said in one warning). Rows that have a title were written by a
        newsbot that kept these columns: they are not read again."""
        query = f"FROM articles WHERE status = '{WRITTEN}' AND title IS NULL"
        total = self.db.execute(f"SELECT COUNT(*) {query}").fetchone()[0]
        if not total:
            return
        say = logger.info if total >= _FILL_PROGRESS else logger.debug
        say("upgrading the index %s: reading %d file(s) for their title …", self.path, total)
        done = unread = 0
        last = -1
        while True:
            rows = self.db.execute(
                f"SELECT rowid, id, path {query} AND rowid > ? ORDER BY rowid LIMIT 500", (last,)
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            updates = []
            for _, key, relative in rows:
                front = read_front_matter(inside(self.root, relative))
                if front is None:
                    unread += 1
                    continue
                described = [plain(front.get(name)) for name in _FRONT_MATTER_OF]
                count = front.get("comment_count")
                if not isinstance(count, int) or isinstance(count, bool):
                    count = None
                updates.append((*described, int64(count, "comment_count", key), key))
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany(
                    "UPDATE articles SET title = COALESCE(title, ?),"
                    " publisher = COALESCE(publisher, ?), sid = COALESCE(sid, ?),"
                    " section = COALESCE(section, ?), layout = COALESCE(layout, ?),"
                    " comment_count = COALESCE(comment_count, ?) WHERE id = ?",
                    updates,
                )
            before, done = done, done + len(rows)
            if done // _FILL_PROGRESS != before // _FILL_PROGRESS:
                say("upgrading the index: %d of %d file(s) read", done, total)
        if unread:
            logger.warning(
                "upgrading the index %s: %d of %d written file(s) missing or without front "
                "matter: their title, publisher, sid, section and layout stay empty",
                self.path,
                unread,
                total,
            )

    def close(self) -> None:
        self._closer()

    def get(self, key: str) -> IndexEntry | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (key,)).fetchone()
        if not row:
            return None
        values = dict(zip(_ENTRY_FIELDS, row, strict=True))  # _COLUMNS' order
        values["comment_counts"] = _counts(values["comment_counts"])  # stored as JSON
        return IndexEntry(**values)

    def record(
        self,
        key: str,
        *,
        status: str,
        crawled_at: str,
        path: str | None = None,
        content_hash: str | None = None,
        published_at: str | None = None,
        modified_at: str | None = None,
        comment_count: int | None = None,
        article: Article | None = None,
        file_sha256: str | None = None,
    ) -> None:
        """Insert or update an article; a changed hash moves the old one to ``revisions``.
        ``None`` leaves a value as it was. ``article``: its title, publisher, sid, section
        and layout are kept too (``describe``). ``file_sha256``: the hash of the file just
        written (``hashing.file_hash``). A ``comment_count`` SQLite cannot hold is stored as
        null, with a warning (``int64``)."""
        bounded = int64(comment_count, "comment_count", key)
        overflow = bounded is None and comment_count is not None
        comment_count = bounded
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            old = self.get(key)
            if old is None:
                self.db.execute(
                    f"INSERT INTO articles ({_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        status,
                        path,
                        content_hash,
                        published_at,
                        modified_at,
                        crawled_at,
                        crawled_at,
                        comment_count,
                        None,
                        None,
                        file_sha256,
                        None,
                    ),
                )
                self._describe(key, article)
                return
            if old.content_hash and content_hash and old.content_hash != content_hash:
                self.db.execute(
                    "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        old.content_hash,
                        old.published_at,
                        old.modified_at,
                        old.last_crawled_at,
                        crawled_at,
                    ),
                )
            self.db.execute(
                "UPDATE articles SET status = ?, path = COALESCE(?, path),"
                " content_hash = COALESCE(?, content_hash),"
                " published_at = COALESCE(?, published_at), modified_at = COALESCE(?, modified_at),"
                " comment_count = COALESCE(?, comment_count),"
                " file_sha256 = COALESCE(?, file_sha256), last_crawled_at = ? WHERE id = ?",
                (
                    status,
                    path,
                    content_hash,
                    published_at,
                    modified_at,
                    comment_count,
                    file_sha256,
                    crawled_at,
                    key,
                ),
            )
            if overflow:  # not the earlier count either: it no longer says anything
                self.db.execute("UPDATE articles SET comment_count = NULL WHERE id = ?", (key,))
            self._describe(key, article)

    def _describe(self, key: str, article: Article | None) -> None:
        if article is not None:
            self.db.execute(
                "UPDATE articles SET title = ?, publisher = ?, sid = ?, section = ?, layout = ?"
                " WHERE id = ?",
                (
                    article.title,
                    article.publisher,
                    article.sid,
                    article.category,
                    article.layout,
                    key,
                ),
            )

    def record_comments(
        self,
        key: str,
        *,
        count: int | None,
        fetched_at: str,
        whole: dict[str, int] | bool | None = None,
        file_sha256: str | None = None,
        comments_sha256: str | None = None,
    ) -> None:
        """The comment count of an article already in the index, and when it was read.
        ``whole``: the API's ``result.count`` when every comment was read into the file (the
        next run's baseline); ``False`` when a read failed part way (no baseline: the next
        run reads them all again); ``None`` leaves the baseline as it is. ``file_sha256``,
        ``comments_sha256``: the hashes of the article file and ``.comments.jsonl`` just
        written (``None``: as they were)."""
        bounded = int64(count, "comment_count", key)
        count_sql = "COALESCE(?, comment_count)" if bounded == count else "?"
        count = bounded
        baseline = "comment_counts = comment_counts"
        values: list[Any] = [count, fetched_at]
        if whole is False:
            baseline = "comment_counts = NULL"
        elif isinstance(whole, dict):
            baseline = "comment_counts = ?"
            values.insert(1, json.dumps(whole, sort_keys=True))
        with self.db:
            self.db.execute(
                f"UPDATE articles SET comment_count = {count_sql}, {baseline},"
                " file_sha256 = COALESCE(?, file_sha256),"
                " comments_sha256 = COALESCE(?, comments_sha256), comments_at = ? WHERE id = ?",
                (*values[:-1], file_sha256, comments_sha256, values[-1], key),
            )

    def placed(self, key: str) -> tuple[str, str | None, str | None] | None:
        """The path, ``published_at`` and ``last_crawled_at`` of ``key``'s row; ``None``
        when there is none (``newsbot reindex``: which of two files of an article is kept)."""
        row: tuple[str, str | None, str | None] | None = self.db.execute(
            "SELECT path, published_at, last_crawled_at FROM articles WHERE id = ?", (key,)
        ).fetchone()
        return row

    def put_rebuilt(
        self,
        key: str,
        *,
        path: str,
        content_hash: str | None,
        published_at: str | None,
        modified_at: str | None,
        crawled_at: str | None,
        comment_count: int | None,
        described: tuple[str | None, ...],
        file_sha256: str | None,
        comments_sha256: str | None,
    ) -> None:
        """The row of a written file as ``newsbot reindex`` reads it (``described``: title,
        publisher, sid, section and layout), replacing any row of ``key``; inside the
        transaction of ``begin``/``commit``."""
        self.db.execute(
            _REBUILT,
            (
                key,
                WRITTEN,
                path,
                content_hash,
                published_at,
                modified_at,
                crawled_at,
                crawled_at,
                comment_count,
                *described,
                file_sha256,
                comments_sha256,
            ),
        )

    def begin(self) -> None:
        """A transaction begun (``newsbot reindex`` commits its rows in batches)."""
        self.db.execute("BEGIN")

    def commit(self) -> None:
        """The transaction ``begin`` opened, if any, committed."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def article_kind(self, key: str) -> str | None:
        """``sports``/``entertain`` for an article written from those sites (by its layout
        or sid), ``news`` for n.news, ``None`` when the index does not say."""
        row = self.db.execute("SELECT sid, layout FROM articles WHERE id = ?", (key,)).fetchone()
        if not row or (row[0] is None and row[1] is None):
            return None
        sid, layout = row
        for kind, site in SITES.items():  # layouts are named after their site: sports-api …
            if kind is not Kind.NEWS and (sid == site.sid or (layout or "").startswith(kind)):
                return kind.value
        return Kind.NEWS.value


#: The front-matter keys of the columns title, publisher, sid, section and layout: an index of a
#: layout without them is filled from the files when it is upgraded (``Index._fill_described``).
_FRONT_MATTER_OF = ("title", "publisher", "sid", "category", "layout")


def plain(value: Any) -> str | None:
    """A front-matter or index value as text to compare or keep (empty and missing alike)."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)


def _counts(text: str | None) -> dict[str, int] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {k: v for k, v in value.items() if isinstance(v, int)}


#: Front-matter keys and the index columns that hold the same value: the ones named when a
#: file's front matter was changed since newsbot wrote it.
_DESCRIBED = (
    ("title", "title"),
    ("publisher", "publisher"),
    ("category", "section"),
    ("sid", "sid"),
    ("layout", "layout"),
    ("published_at", "published_at"),
    ("modified_at", "modified_at"),
    ("comment_count", "comment_count"),
)


@dataclass(frozen=True)
class IndexRow:
    """What the index says of one file (a column an older index lacks is ``None``)."""

    status: str
    content_hash: str | None
    file_sha256: str | None = None
    comments_sha256: str | None = None
    #: (front-matter key, the index's value) for the keys of ``_DESCRIBED``
    described: tuple[tuple[str, str | None], ...] = ()


def read_index(path: Path) -> dict[str, IndexRow]:
    """``path`` (relative, as the index stores it) -> its ``IndexRow``, read-only."""
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=60)
    try:
        have = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
        wanted = ["file_sha256", "comments_sha256", *(column for _, column in _DESCRIBED)]
        optional = ", ".join(name if name in have else "NULL" for name in wanted)
        rows = db.execute(
            f"SELECT path, status, content_hash, {optional} FROM articles WHERE path IS NOT NULL"
        ).fetchall()
    finally:
        db.close()
    entries: dict[str, IndexRow] = {}
    for rel, status, digest, file_sha256, comments_sha256, *described in rows:
        if rel not in entries or status == WRITTEN:
            entries[rel] = IndexRow(
                status,
                digest,
                file_sha256,
                comments_sha256,
                tuple(
                    (key, plain(value))
                    for (key, _), value in zip(_DESCRIBED, described, strict=True)
                ),
            )
    return entries
