"""The output directory: Markdown files written atomically, and the SQLite index.

Layout: ``OUTPUT/YYYY/MM/DD/{oid}_{aid}.md`` (published date, Korea time) and
``OUTPUT/newsbot-index.sqlite3``. Paths are built only from a validated ``ArticleId`` and
a date, so they always stay inside the output directory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sqlite3
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newsbot.dates import kst_date_of
from newsbot.items import Article
from newsbot.render import render_article
from newsbot.urls import ArticleId

INDEX_NAME = "newsbot-index.sqlite3"
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


class StorageError(OSError):
    """The output directory cannot be written."""


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


class Index:
    """What has been collected into an output directory (SQLite, WAL, one writer)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / INDEX_NAME
        root.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> IndexEntry | None:
        row = self.db.execute(
            "SELECT id, status, path, content_hash, published_at, modified_at,"
            " first_crawled_at, last_crawled_at FROM articles WHERE id = ?",
            (key,),
        ).fetchone()
        return IndexEntry(*row) if row else None

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
    ) -> None:
        """Insert or update an article; a changed hash moves the old one to ``revisions``."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            old = self.get(key)
            if old is None:
                self.db.execute(
                    "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        status,
                        path,
                        content_hash,
                        published_at,
                        modified_at,
                        crawled_at,
                        crawled_at,
                    ),
                )
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
                " last_crawled_at = ? WHERE id = ?",
                (status, path, content_hash, published_at, modified_at, crawled_at, key),
            )


class WriteError(OSError):
    """An article file could not be written (read-only or full disk …)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, f"cannot write {path}: {cause.strerror or cause}")
        self.path = path
        self.cause = cause


class OutputStore:
    """Writes finished articles into an output directory and keeps its index.

    ``save`` returns the outcome: ``new``, ``updated`` (content changed: rewritten, the old
    hash kept in ``revisions``), ``unchanged`` (file left untouched) or ``restored`` (same
    content, file written again because it was missing). The file is written
    before the index, so the index never names a file that is not complete on disk.
    """

    def __init__(self, root: Path, *, template: str | None = None, index: Index | None = None):
        self.root = root
        self.template = template
        self.index = index or Index(root)

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
        if (
            old is not None
            and old.status == WRITTEN
            and old.content_hash == article.content_hash
            and old.path == relative
            and path.exists()
        ):
            outcome = "unchanged"
        else:
            data = render_article(article.to_dict(), self.template).encode("utf-8")
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise WriteError(path, exc) from exc
            if old is not None and old.path and old.path != relative:
                (self.root / old.path).unlink(missing_ok=True)  # published date changed
            if old is None or old.status != WRITTEN:
                outcome = "new"
            elif old.content_hash == article.content_hash:
                outcome = "restored"  # same text, but the file was missing or had moved
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
            )
        except sqlite3.Error as exc:  # e.g. "database or disk is full"
            raise WriteError(self.index.path, OSError(errno.EIO, str(exc))) from exc
        return outcome
