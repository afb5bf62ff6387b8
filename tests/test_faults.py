"""Faults: a crawl under a seeded plan of broken answers loses nothing it could get, reports
everything it could not, and never storms the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e import collectable, expected_for_sections, files, index_rows, run_crawl, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.faults import PERMANENT, TIMEOUT_DELAY, TRANSIENT, plan_faults
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e
ARGS = ("start=2026-05-29", "end=2026-05-30", "sections=100,101")
FAULTY = {
    "RETRY_TIMES": "4",
    "DOWNLOAD_TIMEOUT": str(TIMEOUT_DELAY / 2),
    "NEWSBOT_RETRY_BACKOFF": "0.05",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}


def _body_and_front(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if "rawled" not in line
    )


@pytest.mark.parametrize("seed", [7, 2026])
def test_crawl_under_faults(tmp_path: Path, seed: int) -> None:
    with FakeNaver(default_world()).start() as fake:
        clean_out = tmp_path / "clean"
        assert run_crawl(fake, clean_out, *ARGS).returncode == 0
        clean = files(clean_out)
        days = {"20260529", "20260530"}
        in_scope = [
            a
            for a in collectable(fake.world)
            if a.day in days and any(s in ("100", "101") for s, _ in a.placements())
        ]
        assert set(clean) == expected_for_sections(fake.world, days, {"100", "101"})

        fake.reset_log()
        faults = plan_faults(fake.world, seed, in_scope)
        assert {f.kind for f in faults} == set(TRANSIENT + PERMANENT)
        out = tmp_path / "faulty"
        result = run_crawl(fake, out, *ARGS, timeout=300, **FAULTY)
        records = fake.records

    permanent = {
        f.url.rsplit("/", 2)[-2] + "_" + f.url.rsplit("/", 1)[-1]: f for f in faults if f.permanent
    }
    got = files(out)
    # Every article that eventually answered is there, exactly as in the clean run.
    expected_names = {name for name in clean if name.rsplit("/", 1)[-1][:-3] not in permanent}
    assert set(got) == expected_names
    for name in expected_names:
        assert _body_and_front(got[name]) == _body_and_front(clean[name]), name
    rows = index_rows(out)
    clean_rows = index_rows(clean_out)
    for name in expected_names:
        key = name.rsplit("/", 1)[-1][:-3]
        assert rows[key][2] == clean_rows[key][2]  # same content hash
    # Every article that could not be collected is in the report, with its reason.
    report_path = max((out / "reports").glob("crawl-*.json"))
    report = json.loads(report_path.read_text(encoding="utf-8"))
    reported = {**report["failures"], **report["deleted"]}
    assert set(reported) == set(permanent)
    for key, fault in permanent.items():
        assert fault.expected_reason in reported[key], (fault.kind, reported[key])
        oid, aid = key.split("_")
        logged = result.stderr.count(f"failed: https://n.news.naver.com/mnews/article/{oid}/{aid}:")
        assert logged == 1 or key in report["deleted"], (key, logged)  # logged once
    assert int(stat(result.stderr, "newsbot/articles/failed") or 0) == len(report["failures"])
    assert stat(result.stderr, "newsbot/articles/deleted") == "1"
    # Three of ~28 failed: more than NEWSBOT_MAX_FAILED_RATIO, so the crawl says so.
    assert result.returncode == 1 and "newsbot: crawl FAILED" in result.stderr
    assert report["unaccounted"] == [] and report["failed_walks"] == []
    # No retry storm: bounded attempts per URL, Retry-After waited for.
    per_url: dict[str, list[float]] = {}
    for record in records:
        per_url.setdefault(record.url.split("?")[0], []).append(record.time)
    for fault in faults:
        attempts = per_url.get(fault.url, [])
        limit = 4 if fault.kind == "redirect_loop" else int(FAULTY["RETRY_TIMES"]) + 1
        assert 1 <= len(attempts) <= limit, (fault.kind, len(attempts))
        if fault.kind.endswith("retry_after"):
            assert attempts[1] - attempts[0] >= 0.95, fault.kind
    assert max(len(times) for url, times in per_url.items() if "/article/" in url) <= 5
