"""A second Ctrl-C or SIGTERM (or a second Scrapyd cancel) still ends with the
``interrupted`` verdict, the report and exit 3 (issue 13, root cause 5)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.e2e import expected_for_sections, files, run_crawl, start_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

pytestmark = pytest.mark.e2e
DATE = "2026-05-30"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_still_gives_the_verdict_and_the_report(
    tmp_path: Path, sig: signal.Signals
) -> None:
    world = synthetic_world(300, DATE, seed=9)
    world.delay = 1.0  # requests in flight keep the graceful stop from finishing first
    out = tmp_path / "out"
    args = (f"date={DATE}", "sections=100,101")
    with FakeNaver(world).start() as fake:
        proc = start_crawl(fake, out, *args)
        deadline = time.monotonic() + 60
        while len(files(out)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(sig)
        time.sleep(0.3)
        proc.send_signal(sig)  # the second: Scrapy stops its reactor at once
        _, stderr = proc.communicate(timeout=60)
        expected = expected_for_sections(world, {DATE.replace("-", "")}, {"100", "101"})
        written = len(files(out))
        assert 0 < written < len(expected), "the crawl was not stopped mid-way"
        assert proc.returncode == 3, stderr[-3000:]
        last = stderr.rstrip().splitlines()[-1]
        assert "newsbot: crawl INTERRUPTED: the crawl was stopped at once" in last, last
        (report_path,) = (out / "reports").glob("crawl-*.json")
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["status"] == "interrupted" and report["exit_code"] == 3
        assert report["counts"]["new"] == written
        # Running it again finishes the job: nothing was half-written.
        again = run_crawl(fake, out, *args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert set(files(out)) == expected
