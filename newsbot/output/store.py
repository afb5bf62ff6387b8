"""Writing into an output directory: ``OutputStore`` (an article's file, its comments, the
index kept in step) and the atomic writes and temporary files under it.

A file is written under a temporary name in its own folder, fsynced and renamed over
(``write_atomic``), so that it is either the old file or the whole new one; temporary files
that killed processes left behind are removed at the next start (``remove_temp_files``).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Literal

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
from newsbot.items import Article, ArticleComments
from newsbot.output.hashing import file_hash
from newsbot.output.index import WRITTEN, Index
from newsbot.output.markdown import set_front_matter
from newsbot.output.paths import (
    MAX_ARTICLE_FILE,
    MAX_COMMENTS_FILE,
    TEMP_PREFIX,
    article_path,
    inside,
)
from newsbot.output.safeio import read_regular
from newsbot.output.verify import TemplateError, Verifier
from newsbot.render import render_article, yaml_scalar
from newsbot.urls import ArticleId

logger = logging.getLogger("newsbot.storage")  # the name its log lines have always had

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
        self._verifier: Verifier | Literal[False] | None = None  # False: cannot check

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
        that template cannot be read back: see ``newsbot.output.verify.Verifier``)."""
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


def _rerender(text: str, template: str, count: int) -> str:
    """The file of another template written again with ``comment_count`` (its body and
    every other value as they are): the template may show the count anywhere."""
    parsed = Verifier(template).split(text)
    return render_article(
        {**parsed.front_matter, "comment_count": count, "content": parsed.body}, template
    )


class NotWritten(NewsbotError):
    """The article has no written file in the output directory (failed, outside the dates)."""
