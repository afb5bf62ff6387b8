"""The output directory: Markdown files written atomically, and the SQLite index.

Layout: ``OUTPUT/YYYY/MM/DD/{oid}_{aid}.md`` (published date, Korea time) and
``OUTPUT/newsbot-index.sqlite3``. Paths are built only from a validated ``ArticleId`` and
a date, so they always stay inside the output directory.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import socket
import sqlite3
import time
import weakref
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from newsbot.comments import (
    Mode,
    Status,
    comments_file,
    dump_jsonl,
    merge_comments,
    read_jsonl,
)
from newsbot.dates import kst_date_of
from newsbot.errors import NewsbotError
from newsbot.hashing import file_hash
from newsbot.items import Article, ArticleComments
from newsbot.render import render_article, yaml_scalar
from newsbot.safeio import read_regular
from newsbot.sites import SITES, Kind
from newsbot.urls import ArticleId

logger = logging.getLogger(__name__)
INDEX_NAME = "newsbot-index.sqlite3"
#: The largest files of its own the crawl reads back (a FIFO or a huge file put in their
#: place is refused, never read: ``safeio.read_regular``).
MAX_ARTICLE_FILE = 32 * 1024 * 1024
MAX_COMMENTS_FILE = 1024 * 1024 * 1024
TEMP_PREFIX = ".newsbot-tmp-"

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


#: The only paths newsbot writes: YYYY/MM/DD/{oid}_{aid}.md, relative to the output root.
_ARTICLE_PATH_RE = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{3}_[0-9]{10}\.md")


def inside(root: Path, relative: str | None) -> Path | None:
    """The file an index entry names, if it is one newsbot could have written inside
    ``root`` (``YYYY/MM/DD/oid_aid.md``, no link leading out); else ``None``: a path read
    from the index is data, never trusted to delete, rename or read."""
    if not relative or not _ARTICLE_PATH_RE.fullmatch(relative):
        return None
    path = root / relative
    try:
        if not path.resolve().is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return path


def comments_path(root: Path, relative: str | None) -> Path | None:
    """``YYYY/MM/DD/{oid}_{aid}.comments.jsonl`` beside the file an index entry names."""
    md = inside(root, relative)
    return comments_file(md) if md is not None else None


def article_path(root: Path, article_id: ArticleId, published: date) -> Path:
    """``root/YYYY/MM/DD/{oid}_{aid}.md`` — from validated parts only."""
    if not isinstance(article_id, ArticleId) or not isinstance(published, date):
        raise TypeError("article_path takes an ArticleId and a date")
    return root / f"{published:%Y}" / f"{published:%m}" / f"{published:%d}" / f"{article_id.key}.md"


_HOST = socket.gethostname().replace("-", "_")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the whole new one:
    a temporary file in the same directory, fsynced, then renamed over. The temporary name
    says which host and process wrote it (see ``remove_temp_files``)."""
    tmp = str(path.parent / f"{TEMP_PREFIX}{_HOST}-{os.getpid()}-{path.stem}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:  # the day's directory does not exist yet
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_temp_files(root: Path, *, stale_after: float = 3600.0) -> int:
    """Delete temporary files that killed processes left behind; return how many.

    Other workers may share the directory: a temporary file is removed only when the
    process that wrote it (this host) is gone, or when it is older than ``stale_after``
    seconds (another host's)."""
    removed = 0
    if not root.is_dir():
        return 0
    now = time.time()
    for tmp in root.rglob(f"{TEMP_PREFIX}*"):
        host, _, rest = tmp.name[len(TEMP_PREFIX) :].partition("-")
        pid_text = rest.partition("-")[0]
        if host == _HOST and pid_text.isdigit():
            dead = int(pid_text) != os.getpid() and not _pid_alive(int(pid_text))
        else:
            try:
                dead = now - tmp.stat().st_mtime > stale_after
            except OSError:
                continue
        if dead:
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


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
                front = _read_front_matter(inside(self.root, relative))
                if front is None:
                    unread += 1
                    continue
                described = [_text(front.get(name)) for name in _FRONT_MATTER_OF]
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


class WriteError(OSError):
    """An article file could not be written (read-only or full disk …)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, f"cannot write {path}: {cause.strerror or cause}")
        self.path = path
        self.cause = cause


class OutputStore:
    """Writes finished articles into an output directory and keeps its index.

    ``save`` returns the outcome: ``new``, ``updated`` (content changed: rewritten, the old
    hash kept in ``revisions``), ``unchanged`` (file left untouched: byte for byte the file
    written, or where the index has no whole-file hash, its body still hashes to the content
    hash) or ``restored`` (same content, file written again because it was missing, had
    moved, or was no longer as written: damaged or edited, said in a warning). The file is
    written before the index, so the index never names a file that is not complete on disk;
    the index keeps the SHA-256 of each file as written (``file_sha256``, ``comments_sha256``).
    """

    def __init__(self, root: Path, *, template: str | None = None, index: Index | None = None):
        self.root = root
        self.template = template
        self.index = index or Index(root)
        self._verifier: Any = None

    def damage(
        self, path: Path, content_hash: str | None, file_sha256: str | None = None
    ) -> str | None:
        """Why the file at ``path`` is not the article of ``content_hash`` as written: its
        body does not hash to it, or (the index holding the whole file's hash
        ``file_sha256``) any other byte changed, front matter included: damaged or edited.
        None when it is."""
        try:
            data = read_regular(path, MAX_ARTICLE_FILE)
        except OSError as exc:
            return f"unreadable: {exc.strerror or exc}"
        if file_sha256 is not None and file_hash(data) == file_sha256:
            return None  # byte for byte the file written
        if self._verifier is None:
            from newsbot.verify import TemplateError, Verifier  # (verify imports this module)

            try:
                self._verifier = Verifier(self.template)
            except TemplateError as exc:  # files of this template cannot be checked
                logger.warning("%s: a file's hash is not checked before it is kept", exc)
                self._verifier = False
        if self._verifier is not False:
            check = self._verifier.check_bytes(data)
            if check.problem is not None:
                return str(check.problem)
            if check.body_hash != content_hash:
                return f"its body hashes to {check.body_hash}, not {content_hash}"
        if file_sha256 is not None:
            return "it is not the file written: changed outside the body, which is intact"
        return None

    def path_for(self, article: Article) -> Path:
        assert article.published_at is not None
        return article_path(
            self.root, ArticleId(article.oid, article.aid), kst_date_of(article.published_at)
        )

    def save(self, article: Article) -> str:
        assert article.crawled_at is not None
        path = self.path_for(article)
        relative = path.relative_to(self.root).as_posix()
        old = self.index.get(article.id)
        if article.comment_count is None and old is not None and old.status == WRITTEN:
            # Comments not fetched this time: the file keeps the count an earlier run read.
            article.comment_count = old.comment_count
        same = (
            old is not None
            and old.status == WRITTEN
            and old.content_hash == article.content_hash
            and old.path == relative
            and path.is_file()
        )
        if (
            same
            and old is not None
            and (damage := self.damage(path, article.content_hash, old.file_sha256)) is not None
        ):
            logger.warning("%s: the file was damaged or edited (%s): written again", path, damage)
            same = False
        written: str | None = None  # the hash of the file written now
        if same and old is not None:
            outcome = "unchanged"
            if article.comment_count != old.comment_count:
                written = self._write(path, article)  # same text, a new comment count
        else:
            written = self._write(path, article)
            if old is not None and old.path and old.path != relative:
                moved = inside(self.root, old.path)  # published date changed
                if moved is None:
                    logger.warning(
                        "index entry %s names %r, not a file of this output directory: left alone",
                        article.id,
                        old.path[:200],
                    )
                else:
                    moved.unlink(missing_ok=True)
                    _move_comments(moved, path)
            if old is None or old.status != WRITTEN:
                outcome = "new"
            elif old.content_hash == article.content_hash:
                # Same text, but the file was missing, had moved, or was damaged or edited.
                outcome = "restored"
            else:
                outcome = "updated"
        try:
            self.index.record(
                article.id,
                status=WRITTEN,
                crawled_at=article.crawled_at,
                path=relative,
                content_hash=article.content_hash,
                published_at=article.published_at,
                modified_at=article.modified_at,
                comment_count=article.comment_count,
                article=article,
                file_sha256=written,
            )
        except sqlite3.Error as exc:  # e.g. "database or disk is full"
            raise WriteError(self.index.path, OSError(errno.EIO, str(exc))) from exc
        return outcome

    def _with_count(self, text: str, count: int) -> str:
        """``text`` with ``comment_count: count``: one front-matter line for the packaged
        template; a file of another template rendered again through it (``ValueError`` when
        that template cannot be read back: see ``newsbot.verify.Verifier``)."""
        if self.template:
            return _rerender(text, self.template, count)
        return set_front_matter(text, "comment_count", yaml_scalar(count))

    def _write(self, path: Path, article: Article) -> str:
        """Write the article's file; return its ``file_hash``."""
        data = render_article(article.to_dict(), self.template).encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise WriteError(path, exc) from exc
        return file_hash(data)

    def save_comments(
        self, item: ArticleComments, fetched_at: str, *, keep_deleted_text: bool = False
    ) -> int | None:
        """Write what an article's comment fetch gave, beside its written file: with
        comments=all the union of the earlier ``.comments.jsonl`` and the comments read now
        (``newsbot.comments.merge_comments``), rewritten atomically when it changed; the
        file's ``comment_count`` when it changed (only that front-matter line: the text and
        its hash stay). Returns how many comment records the file holds (``None`` when none
        was written), or raises ``NotWritten`` when the index has no file for the article."""
        entry = self.index.get(item.id)
        md = inside(self.root, entry.path) if entry is not None else None
        if entry is None or entry.status != WRITTEN or md is None:
            raise NotWritten(item.id)
        held: int | None = None
        file_sha256 = comments_sha256 = None  # of the files written now
        fetched = item.status in (Status.COLLECTED, Status.OFF) or (
            item.status == Status.FAILED and item.comments
        )
        if item.mode == Mode.ALL and fetched:
            path = comments_file(md)
            try:
                before = read_regular(path, MAX_COMMENTS_FILE)
            except FileNotFoundError:
                before = None
            except OSError as exc:
                raise WriteError(path, exc) from exc
            old, bad = read_jsonl(before or b"")
            if bad:
                logger.warning("%s: %d line(s) could not be read: replaced", path, bad)
            merged = merge_comments(old, item.comments, keep_deleted_text=keep_deleted_text)
            data = dump_jsonl(merged)
            if data != before:
                try:
                    write_atomic(path, data)
                except OSError as exc:
                    raise WriteError(path, exc) from exc
                comments_sha256 = file_hash(data)
            held = len(merged)
        if item.count is not None and item.count != entry.comment_count and md.is_file():
            try:
                raw = read_regular(md, MAX_ARTICLE_FILE)
                data = self._with_count(raw.decode("utf-8"), item.count).encode("utf-8")
            except OSError as exc:
                raise WriteError(md, exc) from exc
            except ValueError as exc:  # not UTF-8, or a custom template without front matter
                logger.warning("%s: comment_count not written (%s)", md, exc)
            else:
                try:
                    write_atomic(md, data)
                except OSError as exc:
                    raise WriteError(md, exc) from exc
                # The index's whole-file hash moves on only from the file it names: a file
                # edited since keeps failing verify (its edit is not taken for newsbot's).
                if entry.file_sha256 is not None and file_hash(raw) == entry.file_sha256:
                    file_sha256 = file_hash(data)
        try:
            whole: dict[str, int] | bool | None = None
            if item.mode == Mode.ALL and item.status in (Status.COLLECTED, Status.OFF):
                whole = item.counts or {"total": item.count or 0}
            elif item.mode == Mode.ALL and item.status == Status.FAILED:
                whole = False
            self.index.record_comments(
                item.id,
                count=item.count,
                fetched_at=fetched_at,
                whole=whole,
                file_sha256=file_sha256,
                comments_sha256=comments_sha256,
            )
        except sqlite3.Error as exc:
            raise WriteError(self.index.path, OSError(errno.EIO, str(exc))) from exc
        return held


def _move_comments(old_md: Path, new_md: Path) -> None:
    """An article whose published day changed: its ``.comments.jsonl`` goes with it."""
    old, new = comments_file(old_md), comments_file(new_md)
    if old.is_file() and not new.exists():
        try:
            os.replace(old, new)
        except OSError as exc:
            raise WriteError(new, exc) from exc


#: The front-matter keys of the columns title, publisher, sid, section and layout: an index of a
#: layout without them is filled from the files when it is upgraded (``Index._fill_described``).
_FRONT_MATTER_OF = ("title", "publisher", "sid", "category", "layout")


def _read_front_matter(path: Path | None) -> dict[str, Any] | None:
    """The YAML front matter of a written file; None when there is no file or none in it."""
    if path is None:
        return None
    from newsbot.verify import load_yaml  # (verify imports this module)

    try:
        text = read_regular(path, MAX_ARTICLE_FILE).decode("utf-8")
        if not text.startswith("---\n"):
            return None
        end = text.find("\n---\n", 3)
        front = load_yaml(text[4 : end + 1]) if end > 0 else None
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return front if isinstance(front, dict) else None


def _text(value: Any) -> str | None:
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


def _rerender(text: str, template: str, count: int) -> str:
    """The file of another template written again with ``comment_count`` (its body and
    every other value as they are): the template may show the count anywhere."""
    from newsbot.verify import Verifier

    parsed = Verifier(template).split(text)
    return render_article(
        {**parsed.front_matter, "comment_count": count, "content": parsed.body}, template
    )


class NotWritten(NewsbotError):
    """The article has no written file in the output directory (failed, outside the dates)."""


def set_front_matter(text: str, key: str, value: str) -> str:
    """``text`` with the front-matter line ``key: value`` replaced, or added as the last key;
    nothing else changes (the body and so its hash stay as they are)."""
    if not text.startswith("---\n"):
        raise ValueError("the file has no front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("the file's front matter does not end")
    lines = text[4 : end + 1].split("\n")[:-1]
    line = f"{key}: {value}"
    for i, existing in enumerate(lines):
        if existing.startswith(f"{key}:"):
            lines[i] = line
            break
    else:
        lines.append(line)
    return "---\n" + "\n".join(lines) + text[end:]
