"""Progress on a terminal: a live line (articles known so far, done, rate, time left) that
log lines never run into; none when the log is not a terminal (Scrapyd, LOG_FILE, a pipe)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e import crawl_command, crawl_env, run_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e


def _run_in_terminal(command: list[str], env: dict[str, str], timeout: float = 120) -> bytes:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(leader)
    assert proc.returncode == 0, output[-3000:].decode("utf-8", "replace")
    return output


def test_live_progress_line_on_a_terminal(tmp_path: Path) -> None:
    world = default_world()
    world.delay = 0.4  # a crawl of several seconds: the line is drawn more than once
    with FakeNaver(world).start() as fake:
        command = crawl_command(tmp_path / "out", "date=2026-05-30", "sections=100")
        output = _run_in_terminal(command, crawl_env(fake))
    text = output.decode("utf-8", "replace")
    lines = [part for part in text.split("\r\x1b[K") if "known so far" in part]
    assert len(lines) >= 2, text[-2000:]
    assert "done" in lines[-1] and "/s" in lines[-1]
    # A log line never runs on after the live line: the line is cleared first ("\r\x1b[K").
    for part in lines:
        assert "\n" not in part and " INFO: " not in part, part
    assert "newsbot: crawl OK" in text


def test_no_live_line_without_a_terminal(tmp_path: Path) -> None:
    world = default_world()
    world.delay = 0.05
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, tmp_path / "out", "date=2026-05-30", "sections=100")
    assert result.returncode == 0
    assert "known so far" not in result.stderr and "\x1b[K" not in result.stderr
