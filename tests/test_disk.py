"""Disk problems: a full output directory stops the crawl with a clear message and leaves
every file already written intact."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbot.verify import verify_text
from tests.e2e import files, run_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


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
