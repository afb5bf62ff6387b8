"""Seeds are made as the crawl needs them: a 10-year range does not queue its 175,000 first
requests at start (issue 13)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsbot.spiders.naver import SEED_WINDOW
from tests.conftest import ROOT
from tests.e2e import crawl_command, crawl_env, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import World

pytestmark = pytest.mark.e2e


def test_a_ten_year_range_queues_its_seeds_as_it_goes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    log_path = tmp_path / "crawl.log"
    with FakeNaver(World()).start() as fake, log_path.open("w") as log:
        # nothing listed anywhere: every walk ends at once
        proc = subprocess.Popen(
            crawl_command(out, "start=2016-06-02", "end=2026-05-30", "sections=100,101"),
            cwd=ROOT,
            env=crawl_env(fake),
            stdout=subprocess.DEVNULL,
            stderr=log,  # a file: a pipe nobody reads would block the crawl once full
            text=True,
        )
        time.sleep(8)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    stderr = log_path.read_text()
    assert proc.returncode == 3, stderr[-2000:]
    enqueued = int(stat(stderr, "scheduler/enqueued") or 0)
    dequeued = int(stat(stderr, "scheduler/dequeued") or 0)
    assert dequeued > 300  # it was working, and never stalled waiting for its seeds
    # 3,650 days x 14 sub-sections = 51,100 seeds: only what was needed was queued, at
    # most a window of walks (each one listing request, or its fallback) at a time.
    assert enqueued - dequeued <= SEED_WINDOW
