"""Disk problems: a full output directory stops the crawl with a clear message and leaves
every file already written intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsbot.output.verify import verify_text
from tests.e2e import files, run_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

pytestmark = pytest.mark.e2e


def test_full_disk_stops_the_crawl_cleanly(small_disk: Path) -> None:
    world = synthetic_world(150, "2026-05-30", seed=2)
    out = small_disk / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, "date=2026-05-30", "sections=100,101,102,103")
    assert result.returncode == 1
    assert "cannot write to the output directory" in result.stderr
    assert "No space left on device" in result.stderr or "disk is full" in result.stderr
    assert "Traceback" not in result.stderr
    written = files(out)
    assert written, "the disk filled before any file: make it larger"
    for path in written.values():
        assert verify_text(path.read_text(encoding="utf-8")) is None, path
    assert not [p for p in out.rglob("*") if p.name.startswith(".newsbot-tmp-")]


def test_a_disk_too_full_for_the_index_is_one_line_and_exit_1(small_disk: Path) -> None:
    # Fill the disk but for a few bytes: the check file fits, the index does not.
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, filler.stat().st_size - 8192)  # room for a directory or two
    out = small_disk / "out"
    with FakeNaver(synthetic_world(10, "2026-05-30", seed=2)).start() as fake:
        result = run_crawl(fake, out, "date=2026-05-30", "sections=100")
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "newsbot: error" in line]
    assert len(errors) == 1 and "cannot write to the output directory" in errors[0], errors
    assert "Traceback" not in result.stderr
    assert fake.requests == []  # before any request
