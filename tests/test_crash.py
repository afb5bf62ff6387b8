"""Crash safety: SIGKILL at many seeded random moments, resume with the same JOBDIR, and the
output is exactly the clean run's — no partial, temporary or missing file, index in step."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsbot.output.markdown import split_markdown
from newsbot.output.verify import verify_text
from tests.conftest import ROOT
from tests.e2e import crawl_command, crawl_env, files, index_rows, run_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

pytestmark = pytest.mark.e2e
TRIALS = 20
SEED = 20261129
ARGS = ("date=2026-05-30", "sections=100,101,102")


def _comparable(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if "rawled" not in line
    )


def _time_the_writing(fake: FakeNaver, out: Path, total: int) -> tuple[float, float]:
    """Seconds from start to the first and to the last file, on this machine."""
    started = time.monotonic()
    proc = subprocess.Popen(
        crawl_command(out, *ARGS),
        cwd=ROOT,
        env=crawl_env(fake),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = last = 0.0
    while proc.poll() is None:
        count = len(files(out))
        if count and not first:
            first = time.monotonic() - started
        if count >= total:
            last = time.monotonic() - started
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    return first, last or time.monotonic() - started


def test_sigkill_at_random_moments_then_resume(tmp_path: Path) -> None:
    world = synthetic_world(120, "2026-05-30", seed=11)
    rng = random.Random(SEED)
    with FakeNaver(world).start() as fake:
        clean_out = tmp_path / "clean"
        assert run_crawl(fake, clean_out, *ARGS).returncode == 0
        clean = {name: _comparable(p) for name, p in files(clean_out).items()}
        assert len(clean) > 30

        world.delay = 0.03  # a slower server: the crawl takes a few seconds
        first, last = _time_the_writing(fake, tmp_path / "timing", len(clean))
        kills_mid_crawl = 0
        for trial in range(TRIALS):
            out, jobdir = tmp_path / f"t{trial}", tmp_path / f"job{trial}"
            proc = subprocess.Popen(
                crawl_command(out, *ARGS, JOBDIR=str(jobdir)),
                cwd=ROOT,
                env=crawl_env(fake),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(first * 0.9, last * 1.05))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            if 0 < len(files(out)) < len(clean):
                kills_mid_crawl += 1
            world.delay = 0
            resumed = run_crawl(fake, out, *ARGS, JOBDIR=str(jobdir))
            world.delay = 0.03
            assert resumed.returncode == 0, (trial, resumed.stderr[-2000:])
            result = files(out)
            assert set(result) == set(clean), trial
            for name, path in result.items():
                assert _comparable(path) == clean[name], (trial, name)
                assert verify_text(path.read_text(encoding="utf-8")) is None
            assert not [p for p in out.rglob("*") if p.name.startswith(".newsbot-tmp-")], trial
            rows = {k: v for k, v in index_rows(out).items() if v[0] == "written"}
            assert {r[1] for r in rows.values()} == set(result), trial
            for _key, (_status, rel, digest) in rows.items():
                assert rel is not None
                front = split_markdown((out / rel).read_text(encoding="utf-8")).front_matter
                assert front["content_hash"] == digest, (trial, rel)
    # Most kills must have hit a crawl in progress, or the test proves little.
    assert kills_mid_crawl >= TRIALS // 2, kills_mid_crawl
