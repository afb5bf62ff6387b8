"""``reparse_jobs``: ``reparse`` split between spawned processes, which stop together."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsbot.archive.passes import _numbered, _plan_part, _reparse_passes, _write_part
from newsbot.archive.result import ReparseResult
from newsbot.errors import describe_exception
from newsbot.output.store import OutputStore, WriteError


class ReparseJobError(Exception):
    """A ``reparse --jobs`` job could not go on (its output disk, its memory …): the
    message is one line; the other jobs are stopped."""


def _job_store(root: Path, template: str | None) -> OutputStore:
    from newsbot import runtime

    runtime.tune()
    return OutputStore(root, template=template)


def _job_init(parent: int) -> None:
    """In each job process: Ctrl-C is the command's to handle (it stops the jobs), and a
    job ends with the command even if the command is killed outright (Linux)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: SIGTERM when the parent dies
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _job(
    step: str,
    files: list[tuple[int, Path]],
    root: Path,
    template: str | None,
    args: tuple[Any, ...],
) -> Any:
    """One job's share of a pass, in its own process; any error that stops it comes back
    as one ``ReparseJobError`` line (an ``OSError`` subclass would not cross back whole)."""
    try:
        if step == "plan":
            return _plan_part(files)
        chosen, start, end, first, sizes = args
        store = _job_store(root, template)
        try:
            return _write_part(files, chosen, store, start, end, first=first, sizes=sizes)
        finally:
            store.index.close()  # one per pass: none left open for the process's life
    except (WriteError, OSError) as exc:
        raise ReparseJobError(f"{exc.strerror or exc}") from None
    except MemoryError:
        raise ReparseJobError("a reparse job ran out of memory") from None
    except Exception as exc:
        raise ReparseJobError(f"a reparse job failed: {describe_exception(exc)}") from None


def split_files(paths: list[Path], jobs: int) -> list[list[Path]]:
    """The files in ``jobs`` groups of about the same size (largest first, each to the
    lightest group); empty groups left out."""
    groups: list[tuple[int, list[Path]]] = [(0, []) for _ in range(max(1, jobs))]
    for path in sorted(paths, key=lambda p: (-p.stat().st_size, str(p))):
        size, members = min(groups, key=lambda group: group[0])
        groups.remove((size, members))
        members.append(path)
        groups.append((size + path.stat().st_size, members))
    return [sorted(members) for _, members in groups if members]


def reparse_jobs(
    inputs: Iterable[Path],
    root: Path,
    *,
    jobs: int,
    template: str | None = None,
    start: str | None = None,
    end: str | None = None,
    done: Callable[[int, int, ReparseResult], None] | None = None,
) -> ReparseResult:
    """``reparse`` with the files split between ``jobs`` processes writing into one output
    directory (files are written atomically; the index is SQLite, one writer at a time).
    Each pass is split the same way, so the files and index are those one process writes:
    the newest fetch of an article wins, whichever job reads it. ``done(finished, of,
    part)`` is called as each job ends its share of the writing pass. A file is read by one
    job, so a single large WARC gains nothing from more jobs.

    A job that cannot go on (a full disk …) stops them all: ``ReparseJobError``, one line.
    An exception in this process (a signal turned into one) stops the jobs too."""
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    files = _numbered(inputs)
    numbers = {path: n for n, path in files}
    groups = [[(numbers[p], p) for p in group] for group in split_files(list(numbers), jobs)]
    context = multiprocessing.get_context("spawn")  # no inherited SQLite handles or reactor
    pool = ProcessPoolExecutor(
        max_workers=max(1, len(groups)),
        mp_context=context,
        initializer=_job_init,
        initargs=(os.getpid(),),
    )

    def run(step: str, parts: list[list[tuple[int, Path]]], args: list[tuple[Any, ...]]) -> Any:
        futures = [
            pool.submit(_job, step, part, root, template, arg)
            for part, arg in zip(parts, args, strict=True)
        ]
        pending = set(futures)
        finished = 0
        while pending:
            ready, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in ready:
                try:
                    part = future.result()
                except BrokenProcessPool:
                    raise ReparseJobError(
                        "a reparse job ended abruptly (killed, or out of memory)"
                    ) from None
                finished += 1
                if step == "write" and args[0][3] and done is not None:  # the first pass
                    done(finished, len(parts), part)
                yield part

    try:
        result = _reparse_passes(
            files, groups, run, lambda: OutputStore(root, template=template), start, end
        )
    except BaseException:
        _stop_jobs(pool, root)
        raise
    pool.shutdown(wait=True)
    return result


def _stop_jobs(pool: Any, root: Path) -> None:
    """End the job processes now, and remove the temporary files they leave: the files
    already written are whole, the index is transactional."""
    import multiprocessing

    from newsbot.output.store import remove_temp_files

    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join(5)
    with contextlib.suppress(OSError):
        remove_temp_files(root)
