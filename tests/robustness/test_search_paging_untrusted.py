"""The search walk believes no page (issue 23): an API that answers page 1 for every
``start``, or another ``start`` than the one asked, fails the walk (incomplete, named), and
one stale-dated result among newer ones does not end the walk before the dates are covered.
End to end against the fake's Search API, and the stop rule as a table."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsbot.search import search_url, start_of
from newsbot.sources import (
    SOURCES,
    CannotContinue,
    Capped,
    End,
    Next,
    Progress,
    Walk,
    next_step,
    page_digest,
)
from tests.e2e import files, run_crawl, search_env
from tests.fakenaver import TEST_KEY, FakeNaver
from tests.fakenaver.world import ArticleSpec, World, default_world

QUERY = "잠수교"
DAY = "2026-05-30"
WALK = Walk.search(QUERY, date(2026, 5, 30), date(2026, 5, 30))


# -- end to end ------------------------------------------------------------------------------


def add_results(world: World) -> tuple[list[ArticleSpec], list[ArticleSpec]]:
    """100 results of the query on the day after (newer than the dates: the whole first
    page) and the day's 30 (on the second page)."""
    newer, day = [], []
    for n in range(130):
        published = (
            f"2026-05-31 12:{n // 60:02d}:{n % 60:02d}"
            if n < 100
            else (f"{DAY} 12:{(n - 100) // 60:02d}:{(n - 100) % 60:02d}")
        )
        spec = world.add_article(
            ArticleSpec(
                "001",
                f"{9_200_000_000 + n:010d}",
                "102",
                "249",
                published,
                f"{QUERY} 통제 {n}",
                [f"{QUERY} 보행로가 통제됐다."],
                listed=False,
            )
        )
        (newer if n < 100 else day).append(spec)
    return newer, day


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    world = default_world()
    add_results(world)
    with FakeNaver(world).start() as server:
        yield server


def the_days_files(world: World) -> set[str]:
    return {
        f"2026/05/30/{s.oid}_{s.aid}.md"
        for s in world.articles
        if s.published.startswith(DAY) and QUERY in s.title
    }


def search(fake: FakeNaver, out: Path) -> subprocess.CompletedProcess[str]:
    return run_crawl(fake, out, f"query={QUERY}", f"date={DAY}", env=search_env(fake, TEST_KEY))


def starts(fake: FakeNaver) -> list[str]:
    return [
        parse_qs(urlsplit(r.url).query)["start"][0]
        for r in fake.records
        if urlsplit(r.url).hostname == "openapi.naver.com"
    ]


def report(out: Path) -> dict[str, Any]:
    [path] = sorted((out / "reports").glob("crawl-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("answered", "words"),
    [
        (None, "page 2 repeats the results of an earlier page"),  # start echoed as asked
        (1, "page 2 answers start=1 where start=101 was asked"),
    ],
    ids=["same-page-start-echoed", "same-page-start-1"],
)
def test_an_api_that_repeats_page_1_fails_the_walk_by_name(
    fake: FakeNaver, tmp_path: Path, answered: int | None, words: str
) -> None:
    fake.world.search_repeat_first_page = True
    fake.world.search_start_answered = answered
    out = tmp_path / "out"
    result = search(fake, out)
    assert result.returncode == 4, result.stderr[-3000:]
    verdict = result.stderr.strip().splitlines()[-1]
    assert "newsbot: crawl INCOMPLETE: " in verdict and words in verdict, verdict
    assert starts(fake) == ["1", "101"]  # not walked on as if it were believed
    data = report(out)
    assert data["status"] == "incomplete"
    [walk] = data["failed_walks"]
    assert walk["end"] == "failed" and words in walk["reason"]
    assert set(files(out)) == set()  # the day's 30 were never given: said, not "ok"


@pytest.mark.e2e
def test_one_stale_result_does_not_end_the_walk(fake: FakeNaver, tmp_path: Path) -> None:
    world = fake.world
    stale = next(s for s in world.articles if s.title == f"{QUERY} 통제 40")
    world.search_shown_dates[stale.key] = "2026-05-01 09:00:00"  # among the 31st's results
    out = tmp_path / "out"
    result = search(fake, out)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = the_days_files(world)
    assert len(expected) == 30
    assert set(files(out)) == expected
    assert starts(fake) == ["1", "101"]
    assert report(out)["status"] == "ok"


# -- the stop rule ---------------------------------------------------------------------------


def answer(start: int, dates: list[str], total: int = 5000, given: int | None = None) -> bytes:
    items = [
        {
            "title": f"t{start}-{n}",
            "link": f"https://www.press.example/{start}/{n}",
            "originallink": "",
            "pubDate": f"{day} +0900",
        }
        for n, day in enumerate(dates)
    ]
    return json.dumps(
        {
            "total": total,
            "start": start if given is None else given,
            "display": len(items),
            "items": items,
        }
    ).encode()


def step(
    page: int,
    dates: list[str],
    *,
    total: int = 5000,
    given: int | None = None,
    earlier: Sequence[bytes] = (),
) -> object:
    source = SOURCES["search"]
    url = search_url(QUERY, start_of(page))
    listing = source.parse(answer(start_of(page), dates, total, given), None, url, WALK)
    progress = Progress(page=page)
    for n, body in enumerate(earlier, start=1):
        progress.pages.append(
            page_digest(source.parse(body, None, search_url(QUERY, start_of(n)), WALK))
        )
    return next_step(source, WALK, listing, progress, page_cap=2000)


NEWER = "Sun, 31 May 2026 10:00:00"
IN = "Sat, 30 May 2026 10:00:00"
OLDER = "Fri, 29 May 2026 10:00:00"
STALE = "Fri, 01 May 2026 10:00:00"


@pytest.mark.parametrize(
    ("page", "dates", "kwargs", "expected"),
    [
        # One stale result among newer or same-day ones: on (it is no evidence of the end).
        (1, [NEWER] * 50 + [STALE] + [NEWER] * 49, {}, Next(2)),
        (1, [IN] * 99 + [STALE], {}, Next(2)),
        # The page that crosses the first day: one page more, not the end yet ...
        (2, [IN] * 60 + [OLDER] * 40, {}, Next(3)),
        # ... the page wholly before it ends the walk, odd dates and all.
        (
            3,
            [OLDER] * 99 + [STALE],
            {},
            End("before_day", "page 3 reaches results from before 2026-05-30"),
        ),
        # An odd in-range result on a page of older ones: one page more.
        (3, [OLDER] * 50 + [IN] + [OLDER] * 49, {}, Next(4)),
        # The API's last page ends in older results: the dates are covered; one older
        # result at its end is not enough to say so.
        (
            10,
            [IN] * 60 + [OLDER] * 40,
            {},
            End("before_day", "page 10 reaches results from before 2026-05-30"),
        ),
        (
            10,
            [IN] * 99 + [STALE],
            {},
            Capped(
                "the query has 5,000 matches; the API gives 1,000: narrow the dates or the "
                "query (its last result is from 2026-05-01T10:00:00+09:00)"
            ),
        ),
        # The start answered is not the one asked.
        (
            2,
            [IN] * 100,
            {"given": 1},
            CannotContinue(
                "page 2 answers start=1 where start=101 was asked: the API's paging cannot "
                "be trusted"
            ),
        ),
        # Page 2 is page 1 again, below the total (which alone would end the walk "ok").
        (
            2,
            [NEWER] * 100,
            {"total": 130, "earlier": "same"},
            CannotContinue(
                "page 2 repeats the results of an earlier page: the API's paging cannot be trusted"
            ),
        ),
    ],
)
def test_the_stop_rule(
    page: int, dates: list[str], kwargs: dict[str, Any], expected: object
) -> None:
    if kwargs.get("earlier") == "same":
        # The very results of page 2 served as page 1 first.
        kwargs = {**kwargs, "earlier": [answer(start_of(page), dates, kwargs["total"], 1)]}
    assert step(page, dates, **kwargs) == expected


def test_a_page_of_other_results_of_the_same_dates_is_not_a_repeat() -> None:
    first = answer(1, [NEWER] * 100)  # (its links differ from page 2's)
    assert step(2, [NEWER] * 100, earlier=[first]) == Next(3)
