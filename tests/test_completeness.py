"""Nothing lost silently: real-shaped listings, opaque cursors, failing and looping listing
pages, and the verdict and report that say what happened (issue 12).

The fake serves the FOR_LATEST lists as the real site does (19-digit cursors, 36 cards a
page; ``tests/fakenaver/world.py``); each test then breaks the listings in one way and
checks that the crawl either collects everything through the fallback or ends
``incomplete`` (exit 4) naming every failed listing page and every walk it could not end.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import article_requests, expected_for_sections, files, run_crawl, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import SUB_SECTIONS, Override, World, synthetic_world

pytestmark = pytest.mark.e2e
DATE = "2026-05-30"
DAY = DATE.replace("-", "")
LATEST = "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"
OLD_LIST = "https://news.naver.com/main/list.naver"


def _report(out: Path) -> dict[str, Any]:
    (path,) = (out / "reports").glob("crawl-*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _last_line(stderr: str) -> str:
    return stderr.rstrip().splitlines()[-1]


def _expected(world: World) -> set[str]:
    return expected_for_sections(world, {DAY}, set(SUB_SECTIONS))


def _fetched_once(fake: FakeNaver) -> None:
    fetched = Counter(article_requests(fake))
    assert fetched and max(fetched.values()) == 1, fetched.most_common(3)


def test_a_real_shaped_day_of_3000_articles_is_collected_whole(tmp_path: Path) -> None:
    world = synthetic_world(3000, DATE, seed=12)
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"date={DATE}", timeout=600)
        listing_urls = [u for _, u in fake.requests if u.startswith(LATEST)]
        _fetched_once(fake)
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == _expected(world)
    assert len(files(out)) == 3000
    # The walks followed the 19-digit cursors past the first page of 36.
    followed = [u for u in listing_urls if "pageNo=2" in u]
    assert followed and all(len(u.rsplit("next=", 1)[1]) == 19 for u in followed)
    report = _report(out)
    assert report["status"] == "ok" and report["exit_code"] == 0
    assert report["unaccounted"] == [] and report["failed_walks"] == []
    assert report["listing_failures"] == []
    assert report["counts"]["new"] == 3000
    assert sum(t["named"] for t in report["totals"].values()) == 3000
    assert {w["end"] for w in report["walks"]} <= {"end_of_list", "before_day"}
    assert report["arguments"]["start"] == DATE and report["newsbot_version"]
    assert report["duration_seconds"] > 0
    assert "newsbot: crawl OK" in _last_line(result.stderr)


def _small_world(**knobs: Any) -> World:
    """600 articles over every section, 10 cards a page: several pages per walk."""
    world = synthetic_world(600, DATE, seed=5, page_size=10, old_page_size=20)
    for name, value in knobs.items():
        setattr(world, name, value)
    return world


def _long_walks(world: World, count: int) -> list[tuple[str, str]]:
    """Sub-sections whose day takes more than one page (so that they have a page 2)."""
    found = [
        (sid1, sid2)
        for sid1, subs in SUB_SECTIONS.items()
        for sid2 in subs
        if sum(a.day == DAY for a in world.listed(sid1, sid2)) > world.page_size
    ]
    assert len(found) >= count
    return found[:: max(1, len(found) // count)][:count]


def test_opaque_cursors_are_passed_back_and_reported_as_drift_once(tmp_path: Path) -> None:
    world = _small_world(cursor_style="opaque")
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"date={DATE}")
        _fetched_once(fake)
        old_lists = [u for _, u in fake.requests if u.startswith(OLD_LIST)]
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == _expected(world)
    assert old_lists == []  # the cursor walk went on: no fallback was needed
    assert stat(result.stderr, "newsbot/listing/cursor_unknown") == "1"
    assert result.stderr.count("cursor of a shape never seen before") == 1
    assert _report(out)["status"] == "ok"


def test_next_pages_that_always_fail_fall_back_to_the_old_lists(tmp_path: Path) -> None:
    world = _small_world()
    broken = _long_walks(world, 4)
    for sid1, sid2 in broken:
        world.set_override(
            f"{LATEST}?sid={sid1}&sid2={sid2}&cluid=&pageNo=2*", Override(status=500)
        )
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"date={DATE}", RETRY_TIMES="1")
        _fetched_once(fake)
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == _expected(world)
    report = _report(out)
    assert report["status"] == "ok"
    failed_urls = {f["url"].split("&date")[0] for f in report["listing_failures"]}
    assert failed_urls == {
        f"{LATEST}?sid={sid1}&sid2={sid2}&cluid=&pageNo=2" for sid1, sid2 in broken
    }
    assert all(f["reason"] == "HTTP 500 after 1 retry" for f in report["listing_failures"])
    walks = {w["id"]: w for w in report["walks"]}
    for sid1, sid2 in broken:
        latest = walks[f"latest/{DATE}/{sid1}/{sid2}"]
        assert latest["end"] == "fallback" and latest["detail"] == "HTTP 500 after 1 retry"
        assert latest["fallback"] == f"old_list/{DATE}/{sid1}/{sid2}"
        assert walks[latest["fallback"]]["end"] == "end_of_list"
    assert int(stat(result.stderr, "newsbot/listing/fallback") or 0) == len(broken)
    # Each failure is logged once, in words.
    assert result.stderr.count("HTTP 500 after 1 retry; walking old_list") == 0
    assert sum("walking old_list" in line for line in result.stderr.splitlines()) == len(broken)


def test_a_listing_that_fails_without_a_working_fallback_is_incomplete(tmp_path: Path) -> None:
    world = _small_world()
    ((sid1, sid2),) = _long_walks(world, 1)
    world.set_override(f"{LATEST}?sid={sid1}&sid2={sid2}&cluid=&pageNo=2*", Override(status=503))
    world.set_override(
        f"{OLD_LIST}?mode=LS2D&mid=shm&sid1={sid1}&sid2={sid2}*", Override(status=500)
    )
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"date={DATE}", RETRY_TIMES="1")
    assert result.returncode == 4, result.stderr[-3000:]
    report = _report(out)
    assert report["status"] == "incomplete" and report["exit_code"] == 4
    urls = [f["url"] for f in report["listing_failures"]]
    assert len(urls) == 2
    assert urls[0].startswith(f"{LATEST}?sid={sid1}&sid2={sid2}&cluid=&pageNo=2&date={DAY}&next=")
    assert urls[1] == f"{OLD_LIST}?mode=LS2D&mid=shm&sid1={sid1}&sid2={sid2}&date={DAY}&page=1"
    assert [w["walk"] for w in report["failed_walks"]] == [f"latest/{DATE}/{sid1}/{sid2}"]
    assert report["failed_walks"][0]["reason"] == (
        f"HTTP 503 after 1 retry; then old_list/{DATE}/{sid1}/{sid2}: HTTP 500 after 1 retry"
    )
    # Everything the other walks named was collected; what the broken one had named too.
    assert report["unaccounted"] == []
    expected = _expected(world)
    assert set(files(out)) < expected
    last = _last_line(result.stderr)
    assert "ERROR: newsbot: crawl INCOMPLETE: 1 listing walk(s) failed" in last
    assert f"latest/{DATE}/{sid1}/{sid2}" in last
    assert stat(result.stderr, "newsbot/status") == "incomplete"


def test_a_listing_that_repeats_its_cursor_falls_back(tmp_path: Path) -> None:
    world = _small_world(cursor_style="repeat")
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"date={DATE}", "sections=100,104")
        _fetched_once(fake)
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == expected_for_sections(world, {DAY}, {"100", "104"})
    report = _report(out)
    latest = [w for w in report["walks"] if w["source"] == "latest"]
    assert latest and all(w["end"] == "fallback" for w in latest)
    assert all("repeats the" in w["detail"] for w in latest)
    assert report["listing_failures"] == []  # a loop is not a failed page
    assert report["status"] == "ok"
