"""End to end: sports and entertainment, through the JSON route and through a real Chromium."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import check_file, expected_name, files, run_crawl, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, default_world

pytestmark = pytest.mark.e2e
BROWSER = {"NEWSBOT_BROWSER_IGNORE_HTTPS_ERRORS": "True", "RETRY_TIMES": "1"}
SPORTS_URL = "https://m.sports.naver.com/kbaseball/article/117/0003900002"
ENTERTAIN_URL = "https://m.entertain.naver.com/article/112/0003800001"


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    assert shutil.which("chromium"), "Debian's chromium is needed: bash .ci/setup installs it"


def test_sections_sports_and_entertain_for_a_day(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, "date=2026-05-30", "sections=sports,entertain")
    assert result.returncode == 0, result.stderr[-3000:]
    offsite = [
        a for a in fake.world.articles if a.listed and not a.deleted and a.sid1 in ("106", "107")
    ]
    expected = {expected_name(a) for a in offsite if a.day == "20260530"}
    assert set(files(out)) == expected and len(expected) == 5
    specs = {expected_name(a): a for a in offsite}
    for name, path in files(out).items():
        front = check_file(path, specs[name])
        assert front["layout"] in ("sports-api", "entertain-api")
        assert front["sid"] == ("107" if specs[name].sid1 == "107" else "106")
    # The JSON route only: no browser was started, no app page fetched.
    assert stat(result.stderr, "playwright/browser_count") is None
    assert "Launching browser" not in result.stderr
    assert not [
        u for _, u in fake.requests if u.startswith(("https://m.sports", "https://m.entertain"))
    ]
    # Paged until exhausted: the entertainment list was asked for page 2 (empty).
    assert any(
        "api-gw.entertain.naver.com/news/articles?" in u and "page=2" in u for _, u in fake.requests
    )


def test_browser_route_when_the_json_endpoint_fails(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.set_override(
        "https://api-gw.sports.naver.com/news/article/117/0003900002", Override(status=500)
    )
    # Entertainment: the endpoint itself is gone (a non-JSON 404).
    fake.world.set_override(
        "https://api-gw.entertain.naver.com/news/article/112/0003800001",
        Override(status=404, headers={"Content-Type": "text/html"}, body=b"<html>Not Found</html>"),
    )
    out = tmp_path / "out"
    result = run_crawl(fake, out, f"urls={SPORTS_URL},{ENTERTAIN_URL}", **BROWSER)
    assert result.returncode == 0, result.stderr[-3000:]
    shell = fake.site.respond(
        "GET", "https://m.sports.naver.com/article/117/0003900002"
    ).body.decode()
    spec = fake.world.get_article("117", "0003900002")
    assert spec is not None and spec.paragraphs[0] not in shell  # text exists only after JS
    names = {"2026/05/30/117_0003900002.md", "2026/05/30/112_0003800001.md"}
    assert set(files(out)) == names
    front = check_file(out / "2026/05/30/117_0003900002.md", spec)
    assert front["layout"] == "sports-rendered"
    assert front["url"] == "https://m.sports.naver.com/article/117/0003900002"
    ent = fake.world.get_article("112", "0003800001")
    assert ent is not None
    assert check_file(out / "2026/05/30/112_0003800001.md", ent)["layout"] == "entertain-rendered"
    assert stat(result.stderr, "newsbot/browser/requests") == "2"
    assert stat(result.stderr, "playwright/browser_count") == "1"


def test_browser_failure_is_counted_and_does_not_hang(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.set_override(
        "https://api-gw.sports.naver.com/news/article/117/0003900002", Override(status=500)
    )
    fake.world.set_override(
        "https://m.sports.naver.com/article/117/0003900002",
        Override(
            status=200,
            headers={"Content-Type": "text/html"},
            body=b"<html><body>loading</body></html>",
        ),
    )
    out = tmp_path / "out"
    result = run_crawl(
        fake, out, f"urls={SPORTS_URL}", NEWSBOT_BROWSER_TIMEOUT="3", timeout=90, **BROWSER
    )
    assert result.returncode == 1  # the only article failed
    assert files(out) == {}
    assert stat(result.stderr, "newsbot/browser/failed") == "1"
    assert (
        result.stderr.count("failed: https://n.news.naver.com/mnews/article/117/0003900002:") == 1
    )
    report = json.loads(next((out / "reports").glob("crawl-*.json")).read_text())
    assert report["failures"]["117_0003900002"].startswith("browser:")
    last = result.stderr.rstrip().splitlines()[-1]
    assert "newsbot: crawl FAILED" in last  # the verdict is the last line, after the browser


def test_a_browser_that_does_not_start_is_reported(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.set_override(
        "https://api-gw.sports.naver.com/news/article/117/0003900002", Override(status=500)
    )
    out = tmp_path / "out"
    result = run_crawl(
        fake,
        out,
        f"urls={SPORTS_URL}",
        NEWSBOT_CHROMIUM_PATH="/bin/false",  # a program, but no browser
        timeout=90,
        **BROWSER,
    )
    assert result.returncode == 1
    assert stat(result.stderr, "newsbot/browser/failed") == "1"


def test_a_browser_path_that_is_no_program_is_refused_before_any_request(
    fake: FakeNaver, tmp_path: Path
) -> None:
    before = len(fake.records)
    result = run_crawl(
        fake, tmp_path / "out", f"urls={SPORTS_URL}", NEWSBOT_CHROMIUM_PATH="/nonexistent/chromium"
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == "newsbot: error: NEWSBOT_CHROMIUM_PATH=/nonexistent/chromium: no such program\n"
    )
    assert len(fake.records) == before


def test_deleted_sports_article_is_not_written(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.update_article("117", "0003900002", deleted=True)
    out = tmp_path / "out"
    result = run_crawl(fake, out, f"urls={SPORTS_URL}")
    assert files(out) == {}
    assert stat(result.stderr, "newsbot/articles/deleted") == "1"
    assert stat(result.stderr, "newsbot/browser/requests") is None
    api_calls = [u for _, u in fake.requests if "api-gw" in u]
    assert len(api_calls) == 1  # not retried
