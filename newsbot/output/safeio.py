"""Files newsbot did not make itself: read only when regular and within a size, written
only by renaming a whole temporary file over a regular file (or to standard output).

Reading (``open_regular``, ``read_regular``, ``bounded_lines``): a FIFO, a device or a
socket named like an article (``x.md``) is refused unopened, never read (a FIFO blocks
forever); a file over its cap is refused unread; a line over its cap is skipped, not held.

Writing (``output_target``, ``output_stream``): ``-`` is standard output; a symbolic link
is written through (its target is replaced, the link stays); a FIFO, device, socket or
directory is refused before any work (``OutputRefused``, one line). The file is written
under a temporary name beside the target and renamed when whole; an error, Ctrl-C,
SIGTERM or SIGHUP removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import BinaryIO

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

#: The signals that end an output's write the way Ctrl-C does (its temporary file removed).
CLEANUP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class FileRefused(OSError):
    """A file that is not read: not a regular file, or over its size cap (one line)."""


class OutputRefused(OSError):
    """An output path newsbot will not write to (one line, said before any work)."""


def kind_of(mode: int) -> str:
    """``a FIFO``, ``a directory`` …: what a non-regular file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"


def open_regular(path: Path | str, limit: int) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file (a link to one is) of at most
    ``limit`` bytes; else ``FileRefused``. A FIFO or device is never opened blocking:
    ``os.stat`` first, then ``O_NONBLOCK`` and ``fstat`` on what was opened."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise FileRefused(f"{kind_of(mode)}, not a regular file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):  # swapped since the stat
            raise FileRefused(f"{kind_of(status.st_mode)}, not a regular file")
        if status.st_size > limit:
            raise FileRefused(f"{status.st_size:,} bytes, over the {_mib(limit)} a file may be")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` (see ``open_regular``); a file that grew past ``limit`` while
    read is refused too."""
    with open_regular(path, limit) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"over the {_mib(limit)} a file may be")
    return data


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """Each line of ``handle`` (without its line break), or ``None`` for a line over
    ``limit`` bytes, which is skipped without being held in memory."""
    while True:
        line = handle.readline(limit + 2)
        if not line:
            return
        body = line.rstrip(b"\r\n")
        if len(body) <= limit:
            yield body
            continue
        while not line.endswith(b"\n"):  # the rest of the long line, in pieces
            line = handle.readline(1 << 16)
            if not line:
                break
        yield None


def output_target(name: Path | str) -> Path | None:
    """Where an output named ``name`` is written: ``None`` for ``-`` (standard output), else
    the regular file to replace, links followed (an existing link is written through, never
    replaced). ``OutputRefused`` for a directory, FIFO, device or socket, or a folder that
    does not exist."""
    text = os.fspath(name)
    if text == "-":
        return None
    target = Path(os.path.realpath(text))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputRefused(f"no such directory: {Path(text).parent}") from None
        return target
    except OSError as exc:
        raise OutputRefused(f"cannot use it: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise OutputRefused(
            f"{kind_of(mode)}, not a regular file: name a file (or - for standard output)"
        )
    return target


@contextlib.contextmanager
def output_stream(name: Path | str) -> Iterator[BinaryIO]:
    """A binary handle on the output ``name`` (``output_target``): standard output for
    ``-``, else a temporary file beside the target, renamed over it once the block ends
    without an error, removed otherwise (also on SIGTERM and SIGHUP)."""
    target = output_target(name)
    if target is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    tmp = target.with_name(f".{target.name}.newsbot-{os.getpid()}-{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with _signals_end_the_write():
        try:
            fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
            with os.fdopen(fd, "wb") as handle:
                with contextlib.suppress(OSError):  # a file replaced keeps its permissions
                    os.fchmod(fd, stat.S_IMODE(os.stat(target).st_mode))
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def _end_the_write(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signals_end_the_write() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``SystemExit`` (exit 128 + the signal) while the block runs,
    as Ctrl-C raises ``KeyboardInterrupt``, so that cleanup code runs; the handlers before
    are put back after. An ignored signal (``nohup``) stays ignored; outside the main thread
    nothing changes."""
    before: dict[int, signal._HANDLER] = {}
    try:
        for signum in CLEANUP_SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                before[signum] = signal.signal(signum, _end_the_write)
    except ValueError:  # not the main thread: signals cannot be handled here
        pass
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
