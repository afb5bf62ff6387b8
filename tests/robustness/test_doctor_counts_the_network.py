"""The doctor counts what reaches the network and keeps within what it announced (issue 23):
its requests are unretried at every level, also below Scrapy (Twisted's connection pool
retries an idempotent request once when a kept-alive connection drops), so the count it
reports is the count the server saw, even when the server drops connections."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import run_newsbot, search_env
from tests.fakenaver import TEST_KEY, FakeNaver
from tests.fakenaver.faults import drop_kept_alive
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    world = default_world()
    world.page_size = 1  # three pages of each cursor list on the day
    with FakeNaver(world).start() as server:
        yield server


def doctor(
    fake: FakeNaver, tmp_path: Path, proxy: str | None = None
) -> tuple[subprocess.CompletedProcess[str], Any]:
    report = tmp_path / "doctor.json"
    env = search_env(fake, TEST_KEY)
    if proxy is not None:
        env.update(
            {name: proxy for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")}
        )
    result = run_newsbot(
        "doctor",
        "--date",
        "2026-05-30",
        "-o",
        str(report),
        *FAST,
        env=env,
        timeout=180,
    )
    assert report.exists(), result.stdout + result.stderr[-3000:]
    return result, json.loads(report.read_text(encoding="utf-8"))


def announced(result: subprocess.CompletedProcess[str]) -> int:
    first = result.stdout.splitlines()[0]
    return int(first.split("with at most ")[1].split()[0])


@pytest.mark.parametrize("drops", [0, 6, 1000], ids=["none", "some", "every-reuse"])
def test_requests_made_are_the_requests_the_server_saw(
    fake: FakeNaver, tmp_path: Path, drops: int
) -> None:
    drop_kept_alive(fake.world, drops)
    result, data = doctor(fake, tmp_path)
    seen = len(fake.records)
    dropped = sum(1 for r in fake.records if r.status == 0)
    assert (dropped > 0) is (drops > 0), dropped  # the fault happened (connections reused)
    assert data["requests"]["made"] == seen <= data["requests"]["announced"] == announced(result)
    last = result.stdout.strip().splitlines()[-2 if "report written" in result.stdout else -1]
    assert f"; {seen} of at most {announced(result)} requests made" in last
    # Each request reached the server once: a dropped one is not asked again below Scrapy.
    urls = [r.url for r in fake.records]
    assert len(urls) == len(set(urls))
    if drops:
        failed = [c for c in data["checks"] if c["status"] == "failed"]
        assert len(failed) >= 1 and result.returncode == 1


def test_requests_that_never_reached_the_site_are_not_counted(
    fake: FakeNaver, tmp_path: Path
) -> None:
    # The proxy cannot be reached (a port nothing listens on): nothing was sent.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result, data = doctor(fake, tmp_path, proxy=closed)
    assert result.returncode == 1
    assert fake.records == []
    assert data["requests"]["made"] == 0 < data["requests"]["announced"]
