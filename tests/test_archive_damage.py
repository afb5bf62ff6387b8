"""Damaged archives: reparse reads every whole record around the damage and says which
bytes it skipped; an archive write error fails the crawl and never leaves a partial record
for the next one to follow."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from newsbot.archive import WarcArchive, archive_files, read_archive
from newsbot.dates import now_kst
from tests.e2e import run_crawl, run_newsbot, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

DATES = ("2026-05-30", "2026-05-30")


def _url(n: int) -> str:
    return f"https://example.com/page/{n}"


def _body(n: int) -> bytes:
    """6 KiB that hardly compress, different for every record."""
    out, block = b"", str(n).encode()
    while len(out) < 6144:
        block = hashlib.sha256(block).digest()
        out += block
    return out


def _write(archive: WarcArchive, n: int) -> None:
    archive.write(
        _url(n), 200, [("Content-Type", "application/octet-stream")], _body(n), fetched=now_kst()
    )


def _archive(directory: Path, count: int) -> tuple[Path, list[int]]:
    """A one-file archive of ``count`` records, and the offset where each record ends."""
    archive = WarcArchive(directory, 10**9, {"dates": list(DATES)})
    ends = []
    for n in range(count):
        _write(archive, n)
        (path,) = directory.glob("*.warc.gz")
        ends.append(path.stat().st_size)  # flushed after every record
    archive.close()
    return path, ends


def _read(*paths: Path) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    pages = list(read_archive(archive_files(paths), problems))
    assert all(page.dates == DATES for page in pages)  # every file kept its warcinfo
    return [page.url for page in pages], problems


def _reparse(*args: str) -> subprocess.CompletedProcess[str]:
    return run_newsbot("reparse", *args)


def test_garbage_between_two_records_is_skipped_and_located(tmp_path: Path) -> None:
    path, ends = _archive(tmp_path / "archive", 6)
    data = path.read_bytes()
    garbage = b"these bytes are no gzip member\n" * 40
    at = ends[2]  # between records 2 and 3
    path.write_bytes(data[:at] + garbage + data[at:])

    urls, problems = _read(path)
    assert urls == [_url(n) for n in range(6)]
    gap = f"{path}: bytes {at}-{at + len(garbage)} unreadable ({len(garbage)} bytes skipped)"
    assert problems == [gap]

    reparsed = _reparse(str(path), "--output", str(tmp_path / "out"))
    assert reparsed.returncode == 1, reparsed.stderr
    assert f"newsbot: warning: {gap}\n" in reparsed.stderr
    assert "reparsed 6 record(s)" in reparsed.stdout
    assert "Traceback" not in reparsed.stderr


def test_a_partial_record_in_the_middle_is_skipped_and_located(tmp_path: Path) -> None:
    path, ends = _archive(tmp_path / "archive", 6)
    data = path.read_bytes()
    start, end = ends[2], ends[3]  # record 3, cut short and followed by whole records
    kept = (end - start) // 2
    path.write_bytes(data[: start + kept] + data[end:])

    urls, problems = _read(path)
    assert urls == [_url(n) for n in (0, 1, 2, 4, 5)]
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        f"{path}: bytes {start}-{start + kept} unreadable ({kept} bytes skipped)"
    )


def test_a_truncated_last_record_is_located(tmp_path: Path) -> None:
    path, ends = _archive(tmp_path / "archive", 4)
    data = path.read_bytes()
    start = ends[2]
    cut = start + (ends[3] - start) // 2
    path.write_bytes(data[:cut])

    urls, problems = _read(path)
    assert urls == [_url(n) for n in range(3)]
    assert problems == [
        f"{path}: bytes {start}-{cut} unreadable ({cut - start} bytes skipped): "
        f"{_url(3)}: payload digest mismatch (truncated)"
    ]


class _FillingUp:
    """An archive file on a disk that takes ``room`` more bytes, then is full (once)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.room: int | None = None
        self.truncate_fails = False

    def write(self, data: Any) -> int:
        if self.room is not None:
            if len(data) > self.room:
                self.handle.write(bytes(data[: self.room]))  # what fitted stays on disk
                self.room = None
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.room -= len(data)
        written: int = self.handle.write(data)
        return written

    def truncate(self, size: int | None = None) -> int:
        if self.truncate_fails:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        done: int = self.handle.truncate(size)
        return done

    def __enter__(self) -> _FillingUp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


@pytest.fixture
def archive_files_opened(monkeypatch: pytest.MonkeyPatch) -> list[_FillingUp]:
    """Every ``.warc.gz`` file opened for writing, as a ``_FillingUp``."""
    opened: list[_FillingUp] = []
    real_open = Path.open

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        if self.name.endswith(".warc.gz") and ("a" in mode or "w" in mode):
            opened.append(_FillingUp(handle))
            return opened[-1]
        return handle

    monkeypatch.setattr(Path, "open", open_)
    return opened


def test_a_failed_write_is_cut_back_and_the_archive_goes_on(
    tmp_path: Path, archive_files_opened: list[_FillingUp]
) -> None:
    archive = WarcArchive(tmp_path, 10**9, {"dates": list(DATES)})
    _write(archive, 0)
    _write(archive, 1)
    (path,) = tmp_path.glob("*.warc.gz")
    whole = path.stat().st_size
    archive_files_opened[0].room = 1000  # the disk fills 1000 bytes into record 2

    with pytest.raises(OSError) as failure:
        _write(archive, 2)
    assert path.stat().st_size == whole  # the partial record is gone
    _write(archive, 3)
    _write(archive, 4)
    archive.close()

    assert _read(tmp_path) == ([_url(n) for n in (0, 1, 3, 4)], [])
    assert failure.value.errno == errno.ENOSPC
    assert f"cannot write the archive: {path}: No space left on device" in str(failure.value)


def test_a_file_that_cannot_be_cut_back_is_left_for_a_new_one(
    tmp_path: Path, archive_files_opened: list[_FillingUp]
) -> None:
    archive = WarcArchive(tmp_path, 10**9, {"dates": list(DATES)})
    _write(archive, 0)
    _write(archive, 1)
    (path,) = tmp_path.glob("*.warc.gz")
    whole = path.stat().st_size
    archive_files_opened[0].room = 1000
    archive_files_opened[0].truncate_fails = True

    with pytest.raises(OSError):
        _write(archive, 2)
    _write(archive, 3)
    _write(archive, 4)
    archive.close()

    first, second = archive_files([tmp_path])  # nothing more went after the partial record
    assert first == path and second != path and path.stat().st_size == whole + 1000
    urls, problems = _read(tmp_path)
    assert urls == [_url(n) for n in (0, 1, 3, 4)]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: bytes {whole}-{whole + 1000} unreadable")


@pytest.mark.e2e
def test_a_full_archive_disk_fails_the_crawl(tmp_path: Path, small_disk: Path) -> None:
    # The archive alone is on the small disk, nearly full: the files are not.
    (small_disk / "filler").write_bytes(b"\0" * (300 - 40) * 1024)
    (small_disk / "archive").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "archive").symlink_to(small_disk / "archive")
    with FakeNaver(synthetic_world(150, "2026-05-30", seed=2)).start() as fake:
        result = run_crawl(
            fake, out, "date=2026-05-30", "sections=100,101,102,103", NEWSBOT_ARCHIVE="True"
        )
    log = result.stderr
    assert result.returncode == 1, log[-3000:]
    errors = [line for line in log.splitlines() if "ERROR: cannot write the archive: " in line]
    assert len(errors) == 1, errors
    assert str(out.resolve() / "archive") in errors[0]
    assert "No space left on device" in errors[0]
    assert "Traceback" not in log
    assert stat(log, "newsbot/status") == "failed"
    assert (stat(log, "newsbot/exit_reason") or "").startswith("cannot write the archive: ")
    assert "(archive_error)" in log  # the spider was closed

    # What was archived before the disk filled reads back whole.
    reparsed = _reparse(str(small_disk / "archive"), "--output", str(tmp_path / "again"))
    assert "unreadable" not in reparsed.stderr and "Traceback" not in reparsed.stderr
    assert "reparsed 0 record(s)" not in reparsed.stdout, reparsed.stdout
