"""``newsbot reindex``: an output directory's index rebuilt from its files.

Every ``YYYY/MM/DD/{oid}_{aid}.md`` holds in its front matter what the index keeps of a
written article (id, hashes, dates, title, publisher, section, layout, comment count); its
path and the SHA-256 of it and of its ``.comments.jsonl`` are those of the files as they
are now. The new index is built in a temporary folder of the output directory and put in
place with one rename; the old one is kept beside it (``…before-reindex-<time>``), never
deleted. What no file holds cannot be rebuilt: ``NOT_REBUILT`` says what.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbot.comments import comments_file
from newsbot.dates import kst_date_of
from newsbot.output.hashing import file_hash
from newsbot.output.index import Index, int64
from newsbot.output.paths import (
    INDEX_NAME,
    MAX_ARTICLE_FILE,
    MAX_COMMENTS_FILE,
    TEMP_PREFIX,
    inside,
)
from newsbot.output.safeio import open_regular, read_regular
from newsbot.output.verify import Verifier, comments_problem

#: What the files cannot tell, said after every reindex.
NOT_REBUILT = (
    "not rebuilt (no file holds them): revisions (earlier hashes of articles that changed), "
    "first crawl times (a file holds its last: both are that), articles never written "
    "(deleted, out of range, redirected: a crawl asks for them again), when comments were "
    "last fetched and what they counted (a comments=all crawl reads them whole again)"
)
#: How the files are taken.
TRUSTED = (
    "the files are trusted as they are now: the SHA-256 of each is recorded from it, so a "
    "file edited before this reindex verifies as written (its body is still checked "
    "against its content_hash)"
)
#: The folders of ``YYYY/MM/DD``, level by level.
_LEVELS = (re.compile(r"[0-9]{4}"), re.compile(r"[0-9]{2}"), re.compile(r"[0-9]{2}"))
_NAME = re.compile(r"[0-9]{3}_[0-9]{10}\.md")
#: Files indexed between two commits of the new index.
_BATCH = 1000


class NotOutputDirectory(ValueError):
    """The directory holds neither an index nor any article file (one line)."""


@dataclass
class ReindexResult:
    """What a reindex did: files read, articles indexed, problems (one line each)."""

    files: int = 0
    articles: int = 0
    comments: int = 0  # .comments.jsonl files hashed
    problems: list[str] = field(default_factory=list)
    index: Path | None = None
    kept: Path | None = None  # where the index that was there went
    seconds: float = 0.0


def article_files(root: Path, errors: list[OSError]) -> Iterator[Path]:
    """Every ``*.md`` in ``root/YYYY/MM/DD/``, sorted: nothing in ``reports/``,
    ``archive/``, dot folders or other folders; no temporary or hidden file."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        depth = len(Path(dirpath).relative_to(root).parts)
        if depth < len(_LEVELS):
            dirnames[:] = sorted(d for d in dirnames if _LEVELS[depth].fullmatch(d))
            continue
        dirnames[:] = []
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(dirpath, name)


def _text(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _home(published_at: str | None, rel: str) -> bool:
    """Whether the file is in the folder of its published day (where a crawl writes it)."""
    try:
        return published_at is not None and rel.startswith(f"{kst_date_of(published_at):%Y/%m/%d}/")
    except (ValueError, TypeError, OverflowError):
        return False


class _Builder:
    """The new index, filled one file at a time."""

    def __init__(self, root: Path, folder: Path, verifier: Verifier) -> None:
        self.root = root
        self.verifier = verifier
        self.index = Index(folder)
        self.result = ReindexResult()
        self.pending = 0

    def add(self, path: Path) -> None:
        rel = path.relative_to(self.root).as_posix()
        self.result.files += 1
        if not _NAME.fullmatch(path.name):
            self.problem(path, "not indexed: not a name newsbot writes (OID_AID.md)")
            return
        if inside(self.root, rel) is None:
            self.problem(path, "not indexed: a link leading out of the output directory")
            return
        try:
            data = read_regular(path, MAX_ARTICLE_FILE)
        except OSError as exc:
            self.problem(path, f"not indexed: unreadable: {exc.strerror or exc}")
            return
        check = self.verifier.check_bytes(data)
        front = check.front_matter
        if front is None:
            self.problem(path, f"not indexed: {check.problem}")
            return
        key, digest, crawled = (_text(front.get(k)) for k in ("id", "content_hash", "crawled_at"))
        missing = [k for k, v in (("content_hash", digest), ("crawled_at", crawled)) if not v]
        if key != path.stem:
            self.problem(path, f"not indexed: its front matter's id is {key!r}, not its name's")
            return
        if missing:
            self.problem(path, f"not indexed: its front matter has no {' and '.join(missing)}")
            return
        published = _text(front.get("published_at"))
        home = _home(published, rel)
        earlier = self.index.placed(key)
        if earlier is not None:
            kept = (_home(earlier[1], earlier[0]), earlier[2] or "") >= (home, crawled or "")
            other = self.root / earlier[0]
            loser, winner = (path, other) if kept else (other, path)
            self.problem(loser, f"not indexed: a second file of {key} (the index names {winner})")
            if kept:
                return
            self.result.articles -= 1
        whole: str | None = file_hash(data)
        if check.problem is not None:
            # Indexed, so that a crawl sees it and writes it again; no whole-file hash, so
            # that the crawl checks its body (and finds it damaged) rather than trust it.
            whole = None
            self.problem(path, f"indexed, but {check.problem}")
        count = front.get("comment_count")
        if not isinstance(count, int) or isinstance(count, bool):
            count = None
        self.index.put_rebuilt(
            key,
            path=rel,
            content_hash=digest,
            published_at=published,
            modified_at=_text(front.get("modified_at")),
            crawled_at=crawled,
            comment_count=int64(count, "comment_count", key),
            described=tuple(
                _text(front.get(k)) for k in ("title", "publisher", "sid", "category", "layout")
            ),
            file_sha256=whole,
            comments_sha256=self.comments_hash(path),
        )
        self.result.articles += 1
        self.pending += 1
        if self.pending >= _BATCH:
            self.commit()

    def comments_hash(self, md: Path) -> str | None:
        """The hash of the article's ``.comments.jsonl``; ``None`` when there is none, or
        one whose lines are not all comment records (``verify`` then keeps saying so)."""
        path = comments_file(md)
        try:
            with open_regular(path, MAX_COMMENTS_FILE) as handle:
                digest = file_hash(handle)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.problem(path, f"not recorded: unreadable: {exc.strerror or exc}")
            return None
        problem = comments_problem(path)
        if problem is not None:
            self.problem(path, f"hash not recorded: {problem}")
            return None
        self.result.comments += 1
        return digest

    def problem(self, path: Path, why: str) -> None:
        self.result.problems.append(f"{path}: {why}")

    def commit(self) -> None:
        """What was added so far, committed; a new transaction begun."""
        self.finish()
        self.index.begin()

    def finish(self) -> None:
        self.index.commit()
        self.pending = 0


def _aside(path: Path, stamp: str) -> Path:
    """A free name beside ``path`` for the index it replaces."""
    kept = path.with_name(f"{path.name}.before-reindex-{stamp}")
    n = 1
    while kept.exists() or kept.is_symlink():
        n += 1
        kept = path.with_name(f"{path.name}.before-reindex-{stamp}-{n}")
    return kept


def _swap(new: Path, target: Path) -> Path | None:
    """``new`` renamed over ``target`` in one step; what was at ``target`` (and its SQLite
    journal files, which would otherwise be read with the new index) kept beside it.
    Returns where it was kept."""
    kept = None
    if target.exists() or target.is_symlink():
        kept = _aside(target, time.strftime("%Y%m%dT%H%M%S"))
        if target.is_file() and not target.is_symlink():
            try:
                os.link(target, kept)  # the old one stays in place until the rename
            except OSError:
                shutil.copy2(target, kept)
        else:  # a directory or a link where the index should be: moved aside whole
            os.rename(target, kept)
        for suffix in ("-wal", "-shm", "-journal"):
            side = target.with_name(target.name + suffix)
            if side.exists():
                os.rename(side, kept.with_name(kept.name + suffix))
    os.replace(new, target)
    return kept


def rebuild(
    root: Path,
    *,
    template: str | None = None,
    progress: Callable[[ReindexResult], None] | None = None,
) -> ReindexResult:
    """Rebuild ``root``'s index from its files (see the module). ``NotOutputDirectory``
    when it holds neither an index nor a ``YYYY`` folder; ``TemplateError`` for a template
    whose files cannot be read back; ``OSError`` when the new index cannot be written or
    put in place (the old one is then as it was)."""
    started = time.monotonic()
    target = root / INDEX_NAME
    if not (target.exists() or any(_LEVELS[0].fullmatch(p.name) for p in root.iterdir())):
        raise NotOutputDirectory(
            f"{root} holds no index and no YYYY/MM/DD/ folder: not an output directory"
        )
    verifier = Verifier(template)
    folder = root / f"{TEMP_PREFIX}reindex-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        builder = _Builder(root, folder, verifier)
        try:
            builder.commit()
            errors: list[OSError] = []
            for path in article_files(root, errors):
                builder.add(path)
                if progress is not None:
                    progress(builder.result)
            builder.finish()
        finally:
            builder.index.close()
        result = builder.result
        for error in errors:
            result.problems.append(
                f"{error.filename}: not indexed: unreadable directory: {error.strerror or error}"
            )
        result.kept = _swap(folder / INDEX_NAME, target)
        result.index = target
    except sqlite3.Error as exc:
        raise OSError(f"cannot write the new index: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)
    result.seconds = time.monotonic() - started
    return result
