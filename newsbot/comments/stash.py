"""The comments of the threads being read, on disk beside the output (``CommentStash``), so
that no request carries them and any worker can take a thread over."""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections import OrderedDict
from pathlib import Path

from newsbot.comments.api import STASH_DIR
from newsbot.comments.files import dump_jsonl, read_jsonl
from newsbot.comments.thread import TOKEN_RE, ReadSoFar, Thread
from newsbot.urls import ArticleId


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
        if not TOKEN_RE.fullmatch(thread.token):
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
