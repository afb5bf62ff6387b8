"""End to end: the real ``scrapy crawl naver`` in a subprocess against the fake Naver.

The spider reaches the fake through the standard ``https_proxy`` variable, over the same
https URLs it uses in production.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e import (
    article_requests,
    check_file,
    collectable,
    crawl_command,
    crawl_env,
    expected_for_press,
    expected_for_sections,
    expected_name,
    files,
    index_rows,
    run_crawl,
    stat,
)
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, default_world

pytestmark = pytest.mark.e2e
DAY = "20260530"


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


def _specs(fake: FakeNaver) -> dict[str, object]:
    return {expected_name(a): a for a in collectable(fake.world)}


def test_one_day_two_sections(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, "date=2026-05-30", "sections=100,101")
    assert result.returncode == 0, result.stderr[-3000:]
    written = files(out)
    expected = expected_for_sections(fake.world, {DAY}, {"100", "101"})
    assert set(written) == expected
    specs = _specs(fake)
    for name, path in written.items():
        check_file(path, specs[name])  # type: ignore[arg-type]
    # Cross-listed 082/0001260001 (100/265 and 101/259) was fetched once.
    fetched = article_requests(fake)
    assert len(fetched) == len(set(fetched))
    assert sum("082/0001260001" in url for url in fetched) == 1
    rows = index_rows(out)
    assert {r[1] for r in rows.values() if r[0] == "written"} == expected
    assert "newsbot: crawl OK" in result.stderr
    assert "robots.txt disallows crawlers" in result.stderr
    assert stat(result.stderr, "newsbot/articles/new") == str(len(expected))


def test_date_range(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, "start=2026-05-29", "end=2026-05-30", "sections=100,101")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_for_sections(fake.world, {"20260529", DAY}, {"100", "101"})
    assert set(files(out)) == expected
    assert any(name.startswith("2026/05/29/") for name in expected)
    # Articles listed on both days' walks are fetched once.
    fetched = article_requests(fake)
    assert len(fetched) == len(set(fetched))


def test_subsection_filter(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, "date=2026-05-30", "sections=101", "subsections=258")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {
        expected_name(a)
        for a in collectable(fake.world)
        if a.day == DAY and ("101", "258") in a.placements()
    }
    assert set(files(out)) == expected


def test_by_press(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, "date=2026-05-30", "press=001,421")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_for_press(fake.world, {DAY}, {"001", "421"})
    assert set(files(out)) == expected
    assert all("mode=LPOD" in url for _, url in fake.requests if "list.naver" in url)
    specs = _specs(fake)
    for name, path in files(out).items():
        check_file(path, specs[name])  # type: ignore[arg-type]


def test_urls(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    urls = ",".join(
        [
            "https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369",
            "https://n.news.naver.com/mnews/article/018/0005316196?sid=100",
            "https://n.news.naver.com/article/082/0001252309",
            "https://n.news.naver.com/mnews/article/117/0003900001",  # → m.sports
            "https://n.news.naver.com/mnews/article/001/0015999999",  # deleted
        ]
    )
    result = run_crawl(fake, out, f"urls={urls}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == {
        "2020/09/19/029_0002625369.md",
        "2022/09/14/018_0005316196.md",
        "2024/01/22/082_0001252309.md",
        "2026/05/30/117_0003900001.md",  # followed to the sports JSON endpoint
    }
    legacy = (out / "2020/09/19/029_0002625369.md").read_text(encoding="utf-8")
    assert "이재명 경기도지사가 19일" in legacy  # the EUC-KR page decoded
    assert stat(result.stderr, "newsbot/articles/redirected") == "1"
    assert stat(result.stderr, "newsbot/articles/deleted") == "1"
    assert "redirected off n.news" in result.stderr
    assert index_rows(out)["001_0015999999"][0] == "deleted"
    assert "https://api-gw.sports.naver.com/news/article/117/0003900001" in {
        u for _, u in fake.requests
    }


def test_second_run_fetches_no_article(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_crawl(fake, out, "date=2026-05-30", "sections=100,101")
    assert first.returncode == 0, first.stderr[-3000:]
    before = {name: path.read_bytes() for name, path in files(out).items()}
    fake.reset_log()
    second = run_crawl(fake, out, "date=2026-05-30", "sections=100,101")
    assert second.returncode == 0, second.stderr[-3000:]
    assert article_requests(fake) == []
    assert {name: path.read_bytes() for name, path in files(out).items()} == before
    assert stat(second.stderr, "newsbot/articles/skipped") == str(
        len(expected_for_sections(fake.world, {DAY}, {"100", "101"}))
        + int(stat(first.stderr, "newsbot/articles/out_of_range") or 0)
    )


def test_changed_article_is_rewritten_and_revision_kept(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    url = "urls=https://n.news.naver.com/mnews/article/421/0008810001"
    assert run_crawl(fake, out, url).returncode == 0
    (name,) = files(out)
    old_hash = index_rows(out)["421_0008810001"][2]
    # Unchanged: a refresh leaves the file alone.
    before = (out / name).read_bytes()
    unchanged = run_crawl(fake, out, url, "refresh=1")
    assert stat(unchanged.stderr, "newsbot/articles/unchanged") == "1"
    assert (out / name).read_bytes() == before
    # Changed: rewritten, previous hash kept as a revision.
    spec = fake.world.update_article(
        "421", "0008810001", new_paragraph_text="정정 보도를 덧붙입니다."
    )
    changed = run_crawl(fake, out, url, "refresh=1")
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert stat(changed.stderr, "newsbot/articles/updated") == "1"
    check_file(out / name, spec)
    assert (out / name).read_text(encoding="utf-8").rstrip().endswith(")*")
    new_hash = index_rows(out)["421_0008810001"][2]
    assert new_hash != old_hash
    import sqlite3

    with contextlib.closing(sqlite3.connect(out / "newsbot-index.sqlite3")) as db:
        revisions = [
            r[0] for r in db.execute("SELECT content_hash FROM revisions WHERE id='421_0008810001'")
        ]
    assert revisions == [old_hash]


def test_crawl_that_collects_nothing_fails_loudly(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.set_override(
        "https://n.news.naver.com/mnews/article/*",
        Override(
            status=200, body=b'<html><head><meta property="og:title" content="x"></head></html>'
        ),
    )
    out = tmp_path / "out"
    result = run_crawl(fake, out, "date=2026-05-30", "sections=100")
    assert result.returncode == 1
    assert "newsbot: crawl FAILED" in result.stderr
    assert files(out) == {}
    assert int(stat(result.stderr, "newsbot/failed/unknown_layout") or 0) > 0


def test_unwritable_output_stops_with_a_clear_message(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "2026").write_text("a file where a directory must go")
    result = run_crawl(fake, out, "date=2026-05-30", "sections=100")
    assert result.returncode == 1
    assert "cannot write to the output directory" in result.stderr
    assert "Traceback" not in result.stderr


def _wait_for_files(out: Path, n: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if len(files(out)) >= n:
            return
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_crash_and_resume(fake: FakeNaver, tmp_path: Path, sig: signal.Signals) -> None:
    args = ("start=2026-05-29", "end=2026-05-30", "sections=100,101")
    clean = tmp_path / "clean"
    assert run_crawl(fake, clean, *args).returncode == 0
    expected = {name: p.read_text(encoding="utf-8") for name, p in files(clean).items()}

    out, jobdir = tmp_path / "out", tmp_path / "job"
    fake.world.delay = 0.05
    proc = subprocess.Popen(
        crawl_command(out, *args, JOBDIR=str(jobdir), CONCURRENT_REQUESTS="2"),
        cwd=ROOT,
        env=crawl_env(fake),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_files(out, 3, proc)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    interrupted = len(files(out))
    assert 0 < interrupted < len(expected), "the crawl was not stopped mid-way"
    indexed = {key for key, row in index_rows(out).items() if row[0] == "written"}
    if sig == signal.SIGINT:
        assert proc.returncode == 3, stderr[-2000:]
        assert "newsbot: crawl INTERRUPTED" in stderr

    fake.world.delay = 0
    fake.reset_log()
    resumed = run_crawl(fake, out, *args, JOBDIR=str(jobdir))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    result = {name: p.read_text(encoding="utf-8") for name, p in files(out).items()}
    assert set(result) == set(expected)
    for name, text in result.items():  # same files, same content (crawl time aside)
        assert _without_crawled_at(text) == _without_crawled_at(expected[name])
    assert not [p for p in out.rglob("*") if p.name.startswith(".newsbot-tmp-")]
    written = {r[1] for r in index_rows(out).values() if r[0] == "written"}
    assert written == set(result)
    # Nothing the index held at the interruption was fetched again.
    refetched = {"_".join(url.split("?")[0].rsplit("/", 2)[-2:]) for url in article_requests(fake)}
    assert indexed and not (refetched & indexed)


def _without_crawled_at(text: str) -> str:
    lines = [line for line in text.splitlines() if "rawled" not in line]
    return "\n".join(lines)


def test_old_list_fallback_when_the_new_endpoint_is_empty(fake: FakeNaver, tmp_path: Path) -> None:
    empty = b'{"renderedComponent": {"SECTION_ARTICLE_LIST_FOR_LATEST": ""}}'
    fake.world.set_override(
        "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST*",
        Override(
            status=200, headers={"Content-Type": "application/json; charset=UTF-8"}, body=empty
        ),
    )
    fake.world.delay = 0.02
    out = tmp_path / "out"
    result = run_crawl(
        fake, out, "date=2026-05-30", "sections=100,101", NEWSBOT_PROGRESS_INTERVAL="0.3"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(files(out)) == expected_for_sections(fake.world, {DAY}, {"100", "101"})
    old_lists = [url for _, url in fake.requests if "list.naver" in url]
    assert old_lists and all("mode=LS2D" in url for url in old_lists)
    assert "progress: " in result.stderr


def test_retry_after_is_honoured(fake: FakeNaver, tmp_path: Path) -> None:
    url = "https://n.news.naver.com/mnews/article/421/0008810001"
    fake.world.set_override(url, Override(status=429, headers={"Retry-After": "2"}, times=1))
    out = tmp_path / "out"
    result = run_crawl(fake, out, f"urls={url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(files(out)) == 1
    records = [r for r in fake.records if r.url == url]
    assert [r.status for r in records] == [429, 200]
    assert records[1].time - records[0].time >= 1.9
    assert stat(result.stderr, "newsbot/retry/retry_after") == "1"


def test_server_errors_are_retried_with_backoff_then_reported(
    fake: FakeNaver, tmp_path: Path
) -> None:
    broken = "https://n.news.naver.com/mnews/article/421/0008810001"
    flaky = "https://n.news.naver.com/mnews/article/003/0012610001"
    fake.world.set_override(broken, Override(status=500))
    fake.world.set_override(flaky, Override(status=503, times=2))
    out = tmp_path / "out"
    result = run_crawl(
        fake, out, f"urls={broken},{flaky}", NEWSBOT_RETRY_BACKOFF="0.2", RETRY_TIMES="2"
    )
    assert set(files(out)) == {"2026/05/30/003_0012610001.md"}
    broken_times = [r.time for r in fake.records if r.url == broken]
    assert len(broken_times) == 3  # the first try and RETRY_TIMES retries, no more
    assert broken_times[2] - broken_times[1] >= broken_times[1] - broken_times[0] > 0.1
    failed = [line for line in result.stderr.splitlines() if "421/0008810001: HTTP 500" in line]
    assert len(failed) == 1 and "ERROR" in failed[0]  # each failure logged once
    assert (
        result.stderr.rstrip()
        .splitlines()[-1]
        .split("] ", 1)[1]
        .startswith("ERROR: newsbot: crawl FAILED: 1 of 2 article(s) failed")
    )  # the verdict is the last line, after the stats dump
    report = json.loads(next((out / "reports").glob("crawl-*.json")).read_text())
    assert report["failures"] == {"421_0008810001": "http_500: HTTP 500 after 2 retries"}
    assert result.returncode == 1  # one of two failed: above NEWSBOT_MAX_FAILED_RATIO


def test_robots_txt_obeyed_collects_nothing_and_says_why(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(
        fake, out, "date=2026-05-30", "sections=100", "subsections=264", ROBOTSTXT_OBEY="True"
    )
    assert result.returncode == 1
    assert "robots.txt forbids these pages" in result.stderr
    assert files(out) == {}
    assert [u for _, u in fake.requests if "/article/" in u] == []
