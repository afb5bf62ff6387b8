"""``reparse --jobs``: SIGTERM and SIGHUP stop the job processes with the command, and a
job's error is one line (issue 23: the jobs outlived a SIGTERM'd command; a job's disk
error was a ``BrokenProcessPool`` traceback)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsbot.archive import WarcArchive
from tests.conftest import ARTICLES, ROOT
from tests.e2e import run_newsbot

PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()


def _archives(directory: Path, n_files: int, per_file: int) -> None:
    for f in range(n_files):
        archive = WarcArchive(directory / f"part{f}", 1 << 30, {})
        for r in range(per_file):
            aid = f"00013{f:02d}{r:03d}"
            archive.write(
                f"https://n.news.naver.com/mnews/article/082/{aid}",
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                PAGE.replace(b"082/0001252309", f"082/{aid}".encode()),
                fetched=datetime(2024, 1, 23, tzinfo=UTC),
            )
        archive.close()


def _children(pid: int) -> set[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_jobs_with_the_command(tmp_path: Path, signum: int) -> None:
    archives, out = tmp_path / "archives", tmp_path / "out"
    _archives(archives, n_files=4, per_file=250)  # a minute's work: stopped long before
    command = [sys.executable, "-m", "newsbot", "reparse", str(archives), "--output", str(out)]
    log = tmp_path / "stderr"
    with log.open("w") as stderr_file:  # not a pipe: jobs that outlive it would hold it open
        process = subprocess.Popen(
            [*command, "--jobs", "2"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
            text=True,
        )
    jobs: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(jobs) < 2 and time.monotonic() < deadline and process.poll() is None:
            jobs |= _children(process.pid)
            time.sleep(0.05)
        assert len(jobs) >= 2, "the jobs did not start"
        time.sleep(0.5)  # the jobs are at work
        assert process.poll() is None, "done before the signal: give it more to do"
        jobs |= _children(process.pid)
        process.send_signal(signum)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(jobs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(jobs), "job processes outlived the command"
        stderr = log.read_text()
        assert process.returncode == 3, stderr[-2000:]
        name = signal.Signals(signum).name
        assert stderr.strip().splitlines()[-1] == (
            f"newsbot: reparse stopped by {name}; files already written are intact"
        )
        assert "Traceback" not in stderr
        assert not list(out.rglob(".newsbot-tmp-*"))  # nothing half-written
    finally:
        for pid in _alive(jobs):  # only the processes this test started
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_job_that_cannot_write_is_one_line_as_with_one_process(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    _archives(archives, n_files=2, per_file=3)
    lines = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        (out / "2024" / "01").mkdir(parents=True)
        (out / "2024" / "01" / "22").write_text("a file where the day's directory goes")
        done = run_newsbot("reparse", str(archives), "--output", str(out), "--jobs", str(jobs))
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert done.returncode == 2, done.stderr
        errors = [
            line
            for line in done.stderr.splitlines()
            if not line.startswith("newsbot: reparse: job")
        ]
        assert len(errors) == 1, done.stderr
        # Which article fails first is up to the jobs: the line is the same.
        lines[jobs] = re.sub(r"082_\d+\.md", "082_N.md", errors[0].replace(str(out), "OUT"))
        assert not list(out.rglob(".newsbot-tmp-*"))
    assert lines[2] == lines[1]
    assert lines[1].startswith("newsbot: error: cannot write OUT/2024/01/22/082_N.md: ")
    assert lines[1].endswith("Not a directory; files already written are intact")
