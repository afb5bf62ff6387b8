"""``newsbot stats`` leads with what the last crawls concluded and what is still missing:
on a corpus whose last crawl FAILED, the verdict and the failed count come before the
article count, in the text, the JSON and the HTML page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e import collectable, files, run_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, default_world

pytestmark = pytest.mark.e2e
DAY = ("date=2026-05-30", "sections=100")


def test_stats_lead_with_the_failed_crawl_and_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        day = [a for a in collectable(fake.world) if a.day == "20260530" and a.sid1 == "100"]
        broken = day[:4]
        for spec in broken:  # HTTP 500 whatever the retries: four of seven articles fail
            fake.world.set_override(spec.url, Override(status=500))
        crawl = run_crawl(fake, out, *DAY, RETRY_TIMES="0")
        assert crawl.returncode == 1, crawl.stderr[-2000:]  # FAILED
        collected = len(files(out))
        assert collected == len(day) - len(broken) > 0

        page = tmp_path / "stats.html"
        result = run_newsbot("stats", str(out), "--html", str(page))
        assert result.returncode == 0, result.stderr
        first, second, third, fourth, *_ = result.stdout.splitlines()
        assert first.startswith(f"{out}: last crawl FAILED (finished ")
        assert "2026-05-30, sections 100" in first
        assert f"{collected} collected, 4 failed, 0 unaccounted" in first
        assert "4 of 7 article(s) failed" in second  # the crawl's reason
        assert third.startswith("still missing: 4 article(s) that failed, 0 unaccounted")
        assert fourth == f"holds: {collected} article(s), 2026-05-30 .. 2026-05-30"
        for spec in broken:  # each named, with its reason
            assert f"{spec.oid}_{spec.aid}" in result.stdout
        assert "HTTP 500" in result.stdout

        data = json.loads(run_newsbot("stats", str(out), "--json").stdout)
        assert data["articles"] == collected and data["reports"] == 1  # the old keys stay
        assert data["last_status"] == "failed"
        assert data["crawls"][0] | {"failed": 4, "collected": collected} == data["crawls"][0]
        assert data["still_missing"]["failed"] == 4
        assert set(data["still_missing"]["articles"]) == {f"{s.oid}_{s.aid}" for s in broken}

        text = page.read_text(encoding="utf-8")
        verdict = text.index("last crawl FAILED")
        assert (
            verdict < text.index("4 article(s) that failed") < text.index(f"{collected:,} articles")
        )
        assert 'class="verdict failed"' in text

        # The next crawl collects them: nothing is missing any more, and its verdict leads.
        fake.world.clear_overrides()
        again = run_crawl(fake, out, *DAY, RETRY_TIMES="0")
        assert again.returncode == 0, again.stderr[-2000:]
    result = run_newsbot("stats", str(out))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{out}: last crawl OK (finished ")
    assert lines[1].startswith("still missing: nothing the crawl reports name")
    assert lines[2] == f"holds: {len(day)} article(s), 2026-05-30 .. 2026-05-30"
    assert "last 2 crawl(s), newest first:" in lines
    table = lines[lines.index("last 2 crawl(s), newest first:") + 2 :][:2]
    assert table[0].split()[2] == "ok" and table[1].split()[2] == "failed"


def test_stats_without_reports_says_what_is_not_known(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        assert run_crawl(fake, out, *DAY).returncode == 0
    for report in (out / "reports").glob("crawl-*.json"):
        report.unlink()
    result = run_newsbot("stats", str(out))
    assert result.returncode == 0, result.stderr
    first, second, *_ = result.stdout.splitlines()
    assert (
        first
        == f"{out}: no crawl report (reports/crawl-*.json): what the crawls missed is not known"
    )
    assert second == "still missing: not known without crawl reports"
    data = json.loads(run_newsbot("stats", str(out), "--json").stdout)
    assert data["last_status"] is None and data["crawls"] == []


def test_gaps_stay_missing_until_a_later_crawl_closes_them(tmp_path: Path) -> None:
    """An older report's failed listing walk and unaccounted article stay missing until a
    later crawl walks it or collects it; a report holding odd values is read, not a crash."""
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        assert run_crawl(fake, out, *DAY).returncode == 0
    (real,) = (out / "reports").glob("crawl-*.json")
    walked = json.loads(real.read_text(encoding="utf-8"))["walks"][0]["id"]
    older = {
        "status": "incomplete",
        "reason": "2 listing walk(s) failed without a fallback that succeeded",
        "finished_at": "2026-05-01T00:00:00+09:00",
        "arguments": {"mode": "sections", "start": "2026-04-30", "end": "2026-04-30",
                      "sections": ["101"], "comments": "off"},
        "counts": {"new": 2, "failed": "many"},
        "walks": [7, {"id": walked}, {"id": "latest/2026-04-30/101/259"}],
        "failed_walks": [
            {"walk": walked, "end": "failed", "reason": "HTTP 503"},
            {"walk": "latest/2026-04-30/101/259", "end": "failed", "reason": "HTTP 503"},
        ],
        "unaccounted": ["101_0000000001", 5],
        "failures": {"101_0000000002": "http_500: HTTP 500"},
    }  # fmt: skip
    (out / "reports" / "crawl-20260501T000000-1.json").write_text(json.dumps(older))
    result = run_newsbot("stats", str(out), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [c["status"] for c in data["crawls"]] == ["ok", "incomplete"]  # newest first
    assert data["crawls"][1]["scope"] == "2026-04-30, sections 101"
    assert data["crawls"][1]["collected"] == 2 and data["crawls"][1]["failed"] == 0
    missing = data["still_missing"]
    assert missing["walks"] == {"latest/2026-04-30/101/259": "HTTP 503"}  # walked since: gone
    assert (missing["failed"], missing["unaccounted"], missing["failed_walks"]) == (1, 1, 1)
    assert set(missing["articles"]) == {"101_0000000001", "101_0000000002"}
    text = run_newsbot("stats", str(out)).stdout
    assert text.splitlines()[0].startswith(f"{out}: last crawl OK")
    assert "still missing: 1 article(s) that failed, 1 unaccounted, 1 listing walk(s)" in text
