"""End to end: ``-a query=`` with the real ``scrapy crawl naver`` against the fake Naver's
Search API (``tests/fakenaver/search.py``, in the documented shape): exactly the Naver
articles of the query in the dates are collected, the rest reported, and every refusal or
cap ends the crawl as the issue says, with the key nowhere but in the requests' headers."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsbot.output.verify import verify_text
from newsbot.search import search_url
from tests.e2e import files, run_crawl, search_env
from tests.fakenaver import TEST_KEY, FakeNaver, Override, SearchResult
from tests.fakenaver.world import ArticleSpec, World, default_world

pytestmark = pytest.mark.e2e
ID, SECRET = TEST_KEY


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    world = default_world()
    world.add_search_result(
        "국회",
        SearchResult(
            "국회 예산 심사 (언론사 단독)", "https://www.press.example/a/1", "2026-05-30 10:00:00"
        ),
    )
    world.add_search_result(
        "국회", SearchResult("전날의 국회", "https://www.press.example/a/0", "2026-05-29 10:00:00")
    )
    with FakeNaver(world).start() as server:
        yield server


def search(
    fake: FakeNaver, out: Path, *args: str, key: tuple[str, str] | None = TEST_KEY, **settings: str
) -> subprocess.CompletedProcess[str]:
    return run_crawl(fake, out, *args, env=search_env(fake, key), **settings)


def matching(world: World, words: list[str], first: str, last: str) -> set[str]:
    """``YYYY/MM/DD/oid_aid.md`` of the world's articles holding every word, in the dates:
    from the fake's data, not from newsbot."""
    names = set()
    for spec in world.articles:
        text = (spec.title + " " + " ".join(spec.paragraphs)).lower()
        if spec.deleted or not all(w.lower() in text for w in words):
            continue
        if first <= spec.published[:10] <= last:
            names.add(_name(spec))
    return names


def _name(spec: ArticleSpec) -> str:
    return f"{spec.published[:4]}/{spec.published[5:7]}/{spec.published[8:10]}/{spec.oid}_{spec.aid}.md"


def report(out: Path) -> dict[str, Any]:
    [path] = sorted((out / "reports").glob("crawl-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def search_calls(fake: FakeNaver) -> list[dict[str, str]]:
    return [
        {k: v[0] for k, v in parse_qs(urlsplit(r.url).query).items()}
        for r in fake.records
        if urlsplit(r.url).hostname == "openapi.naver.com"
    ]


def test_a_keyword_crawl_collects_exactly_the_naver_articles_of_the_query(
    fake: FakeNaver, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = search(fake, out, "query=국회", "date=2026-05-30")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = matching(fake.world, ["국회"], "2026-05-30", "2026-05-30")
    assert len(expected) >= 3
    assert set(files(out)) == expected
    for path in files(out).values():
        assert verify_text(path.read_text(encoding="utf-8")) is None
    # One call (fewer than 100 results), newest first, 100 a page; nothing but Naver asked.
    assert search_calls(fake) == [{"query": "국회", "display": "100", "start": "1", "sort": "date"}]
    assert all(r.status != 502 for r in fake.records), "a request left Naver"
    data = report(out)
    assert data["status"] == "ok" and data["arguments"]["query"] == "국회"
    assert data["not_on_naver"] == [
        {
            "url": "https://www.press.example/a/1",
            "title": "국회 예산 심사 (언론사 단독)",
            "published": "2026-05-30T10:00:00+09:00",
            "walk": data["walks"][0]["id"],
        }
    ]
    assert data["counts"]["new"] == len(expected)
    assert "1 search result(s) not on Naver" in result.stderr


def test_sports_and_entertainment_results_are_collected_from_their_own_sites(
    fake: FakeNaver, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # "끝내기": two baseball articles (one in no listing at all); "드라마": entertainment.
    for query in ("끝내기", "드라마"):
        result = search(fake, out, f"query={query}", "date=2026-05-30")
        assert result.returncode == 0, result.stderr[-3000:]
    expected = matching(fake.world, ["끝내기"], "2026-05-30", "2026-05-30") | matching(
        fake.world, ["드라마"], "2026-05-30", "2026-05-30"
    )
    assert len(expected) == 3
    assert set(files(out)) == expected
    hosts = {urlsplit(r.url).hostname for r in fake.records}
    assert {"api-gw.sports.naver.com", "api-gw.entertain.naver.com"} <= hosts


def test_a_range_pages_until_the_results_leave_the_dates(fake: FakeNaver, tmp_path: Path) -> None:
    # 200 articles holding the word over two days and 150 on the day before: the pages
    # reach back past the first day (newest first), and the walk stops there.
    world = fake.world
    for n in range(350):
        day = "2026-05-31" if n < 100 else "2026-05-30" if n < 200 else "2026-05-29"
        second = n % 100
        world.add_article(
            ArticleSpec(
                "001",
                f"{9_000_000_000 + n:010d}",
                "101",
                "259",
                f"{day} 12:{second // 60:02d}:{second % 60:02d}",
                f"반도체 수출 {n}호 기사",
                ["반도체 수출이 늘었다."],
                listed=False,
            )
        )
    out = tmp_path / "out"
    result = search(fake, out, "query=반도체 수출", "start=2026-05-30", "end=2026-05-31")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = matching(world, ["반도체", "수출"], "2026-05-30", "2026-05-31")
    assert 200 <= len(expected) < 300
    assert set(files(out)) == expected
    # Page 3 crosses the first day (the world's own three articles of the 30th are on it):
    # one page more, wholly before the dates, ends the walk (an odd date alone never does).
    assert [c["start"] for c in search_calls(fake)] == ["1", "101", "201", "301"]
    data = report(out)
    assert data["walks"][0]["end"] == "before_day"


def test_without_a_key_nothing_is_asked(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = search(fake, out, "query=국회", "date=2026-05-30", key=None)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert lines == [
        "newsbot: error: -a query needs a key of Naver's Search API: set NEWSBOT_NAVER_CLIENT_ID "
        "and NEWSBOT_NAVER_CLIENT_SECRET (environment variables, or -s settings); an "
        "application's key is free at https://developers.naver.com/apps/#/register (add the "
        "API 검색)"
    ]
    assert fake.records == []


@pytest.mark.parametrize(
    ("setup", "status", "words"),
    [
        ("bad key", 401, "the Search API refused the key (HTTP 401"),
        ("forbidden", 403, "the Search API refused this application (HTTP 403"),
        ("quota", 429, "the Search API's quota is used up (HTTP 429"),
        ("bad parameters", 400, "the Search API refused the request's parameters (HTTP 400"),
    ],
)
def test_a_refusal_fails_the_crawl_in_one_line(
    fake: FakeNaver, tmp_path: Path, setup: str, status: int, words: str
) -> None:
    key = TEST_KEY
    if setup == "bad key":
        key = (ID, "wrong-secret")
    elif setup == "forbidden":
        fake.world.search_forbidden = True
    elif setup == "quota":
        fake.world.search_quota = 0
    else:
        url = search_url("국회", 1)
        body = json.dumps({"errorMessage": "Invalid sort value", "errorCode": "SE04"}).encode()
        fake.world.set_override(url, Override(400, {"Content-Type": "application/json"}, body))
    out = tmp_path / "out"
    result = search(fake, out, "query=국회", "date=2026-05-30", key=key)
    assert result.returncode == 1, result.stderr[-3000:]
    assert len(search_calls(fake)) == 1  # not retried
    verdict = result.stderr.strip().splitlines()[-1]
    assert "newsbot: crawl FAILED: " + words in verdict
    assert files(out) == {}
    data = report(out)
    assert data["status"] == "failed" and words in data["reason"]
    assert "wrong-secret" not in result.stderr + json.dumps(data)


def test_the_quota_running_out_midway_fails_the_crawl_with_what_was_written_whole(
    fake: FakeNaver, tmp_path: Path
) -> None:
    world = fake.world
    for n in range(150):
        world.add_article(
            ArticleSpec(
                "001",
                f"{9_100_000_000 + n:010d}",
                "101",
                "259",
                f"2026-05-30 {n // 60:02d}:{n % 60:02d}:00",
                f"반도체 {n}",
                ["반도체 이야기"],
                listed=False,
            )
        )
    world.search_quota = 1  # the first page, then 429
    out = tmp_path / "out"
    result = search(fake, out, "query=반도체", "date=2026-05-30")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "the Search API's quota is used up (HTTP 429" in result.stderr.splitlines()[-1]
    written = files(out)
    assert len(written) <= 100
    for path in written.values():  # whole files only
        assert verify_text(path.read_text(encoding="utf-8")) is None
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.md*"))


def test_the_api_cap_is_said_and_the_crawl_is_incomplete(fake: FakeNaver, tmp_path: Path) -> None:
    # 1,100 press-only results on the day, newer than its Naver articles: the API's 1,000
    # end before the day does; what it did give is collected.
    world = fake.world
    for n in range(1100):
        world.add_search_result(
            "국회",
            SearchResult(
                f"국회 속보 {n}",
                f"https://www.press.example/b/{n}",
                f"2026-05-30 23:{n // 60 % 60:02d}:{n % 60:02d}",
            ),
        )
    world.add_article(
        ArticleSpec(
            "001",
            "0019999001",
            "100",
            "264",
            "2026-05-30 23:59:59",
            "국회 마지막 기사",
            ["본문"],
            listed=False,
        )
    )
    out = tmp_path / "out"
    result = search(fake, out, "query=국회", "date=2026-05-30")
    assert result.returncode == 4, result.stderr[-3000:]
    verdict = result.stderr.strip().splitlines()[-1]
    total = len(matching(world, ["국회"], "0000", "9999")) + sum(
        len(v) for v in world.search_results.values()
    )
    assert total > 1100
    assert (
        f"newsbot: crawl INCOMPLETE: the query has {total:,} matches; the API gives 1,000: "
        "narrow the dates or the query (its last result is from 2026-05-30T23:" in verdict
    )
    assert [c["start"] for c in search_calls(fake)] == [str(1 + 100 * n) for n in range(10)]
    assert set(files(out)) == {"2026/05/30/001_0019999001.md"}
    data = report(out)
    assert data["status"] == "incomplete" and data["failed_walks"][0]["end"] == "capped"
    assert len(data["not_on_naver"]) == 999


def test_the_key_is_nowhere_in_what_the_crawl_writes(fake: FakeNaver, tmp_path: Path) -> None:
    # Everything that keeps requests or pages: the archive, a DEBUG log, the HTTP cache, a
    # JOBDIR; the first search call fails once (503) and is retried.
    fake.world.set_override(search_url("국회", 1), Override(503, times=1))
    out, cache, job = tmp_path / "out", tmp_path / "cache", tmp_path / "job"
    log = tmp_path / "crawl.log"
    result = search(
        fake,
        out,
        "query=국회",
        "date=2026-05-30",
        NEWSBOT_ARCHIVE="True",
        LOG_LEVEL="DEBUG",
        LOG_FILE=str(log),
        HTTPCACHE_ENABLED="True",
        HTTPCACHE_DIR=str(cache),
        HTTPCACHE_IGNORE_HTTP_CODES="503",  # (else the cache answers the retry with the 503)
        JOBDIR=str(job),
    )
    assert result.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    assert [c["start"] for c in search_calls(fake)] == ["1", "1"]  # retried
    warcs = list((out / "archive").glob("*.warc.gz"))
    assert warcs and list(cache.rglob("request_headers"))
    written = [log.read_bytes(), result.stderr.encode(), result.stdout.encode()]
    written += [gzip.decompress(p.read_bytes()) for p in warcs]
    for directory in (out, cache, job):
        written += [
            p.read_bytes() for p in directory.rglob("*") if p.is_file() and p.suffix != ".gz"
        ]
    for data in written:
        assert SECRET.encode() not in data and ID.encode() not in data
    assert any(b"openapi.naver.com/v1/search/news.json" in d for d in written)  # it was archived
