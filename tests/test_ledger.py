"""The crawl ledger (``newsbot.ledger``): walks planned, paged and ended, one outcome per
article, and what ``reconcile`` says is unaccounted for.

Expected values follow the rules: every article named gets exactly one outcome (the more
definite one wins, ``_RANK``); articles named without an outcome are *unaccounted*; walks
that failed or never ended, without a fallback that succeeded, are *failed walks* (a
failed chain once, at the walk where it started); totals are per "day section".
"""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.utils.test import get_crawler

from newsbot.ledger import Ledger, Outcome, WalkEnd, crawl_ledger, reconcile
from newsbot.pages.listings import Listing
from newsbot.sources import Walk
from newsbot.urls import ArticleId

DAY = date(2026, 5, 30)
LATEST = Walk("latest", DAY, ("100", "264"))
LATEST_265 = Walk("latest", DAY, ("100", "265"))
OLD_LIST = Walk("old_list", DAY, ("100", "264"))
PRESS = Walk("press", DAY, ("001",))
SPORTS = Walk("sports_list", DAY, ("kbaseball",))
ENTERTAIN = Walk("entertain_list", DAY)

ZERO = {o.value: 0 for o in Outcome}


def ids(oid: str, *numbers: int) -> list[ArticleId]:
    return [ArticleId(oid, f"{n:010d}") for n in numbers]


def read_page(ledger: Ledger, walk: Walk, listing: Listing) -> list[str]:
    """What the spider does with a listing page: one page, every article named."""
    ledger.page(walk, len(listing.articles))
    for article in listing.articles:
        ledger.named(article.key, walk)
    return [a.key for a in listing.articles]


def test_a_complete_crawl() -> None:
    ledger = Ledger()
    ledger.plan(LATEST)
    first = read_page(ledger, LATEST, Listing(articles=ids("001", 1, 2, 3), cards=3))
    second = read_page(ledger, LATEST, Listing(articles=ids("020", 4, 5), cards=2))
    ledger.end(LATEST, WalkEnd.BEFORE_DAY, "the cursor points before 2026-05-30")
    ledger.outcome(first[0], Outcome.NEW)
    ledger.outcome(first[1], Outcome.UPDATED)
    ledger.outcome(first[2], Outcome.SKIPPED)
    ledger.outcome(second[0], Outcome.UNCHANGED)
    ledger.outcome(second[1], Outcome.OUT_OF_RANGE)

    result = ledger.reconcile()
    assert result.complete
    assert result.unaccounted == []
    assert result.failed_walks == []
    assert result.counts == ZERO | {
        "new": 1,
        "updated": 1,
        "skipped": 1,
        "unchanged": 1,
        "out_of_range": 1,
    }
    assert result.totals == {
        "2026-05-30 100": {
            "named": 5,
            "new": 1,
            "updated": 1,
            "skipped": 1,
            "unchanged": 1,
            "out_of_range": 1,
        }
    }
    [record] = result.walks
    assert (record.id, record.source, record.day, record.section) == (
        "latest/2026-05-30/100/264",
        "latest",
        "2026-05-30",
        "100",
    )
    assert (record.pages, record.articles, record.end, record.fallback) == (
        2,
        5,
        "before_day",
        None,
    )
    assert result.failures == {} and result.deleted == {}


def test_an_article_named_without_an_outcome_is_unaccounted() -> None:
    ledger = Ledger()
    keys = read_page(ledger, LATEST, Listing(articles=ids("001", 3, 1, 2), cards=3))
    ledger.end(LATEST, WalkEnd.END_OF_LIST)
    ledger.outcome(keys[0], Outcome.NEW)  # 001_0000000003

    result = ledger.reconcile()
    assert not result.complete
    assert result.unaccounted == ["001_0000000001", "001_0000000002"]
    assert result.failed_walks == []
    assert result.counts == ZERO | {"new": 1}
    assert result.totals == {"2026-05-30 100": {"named": 3, "new": 1, "unaccounted": 2}}
    assert result.to_report()["unaccounted"] == ["001_0000000001", "001_0000000002"]


def test_an_article_named_twice_is_counted_once_under_its_first_walk() -> None:
    ledger = Ledger()
    [key] = read_page(ledger, LATEST, Listing(articles=ids("001", 1), cards=1))
    read_page(ledger, PRESS, Listing(articles=ids("001", 1), cards=1))
    ledger.end(LATEST, WalkEnd.END_OF_LIST)
    ledger.end(PRESS, WalkEnd.END_OF_LIST)
    ledger.outcome(key, Outcome.NEW)

    result = ledger.reconcile()
    assert result.complete
    assert result.counts == ZERO | {"new": 1}
    assert result.totals == {"2026-05-30 100": {"named": 1, "new": 1}}


def test_a_failed_walk_without_fallback_is_reported() -> None:
    ledger = Ledger()
    ledger.plan(PRESS)
    ledger.plan(SPORTS)
    ledger.listing_failure("https://news.naver.com/main/list.naver?page=2", "HTTP 503")
    ledger.end(PRESS, WalkEnd.FAILED, "HTTP 503")
    ledger.end(SPORTS, WalkEnd.END_OF_LIST)

    result = ledger.reconcile()
    assert not result.complete
    assert [w.id for w in result.failed_walks] == ["press/2026-05-30/001"]
    report = result.to_report()
    assert report["failed_walks"] == [
        {"walk": "press/2026-05-30/001", "end": "failed", "reason": "HTTP 503"}
    ]
    assert report["listing_failures"] == [
        {"url": "https://news.naver.com/main/list.naver?page=2", "reason": "HTTP 503"}
    ]


def test_a_walk_handed_to_a_fallback_that_ended_is_complete() -> None:
    ledger = Ledger()
    ledger.plan(LATEST)
    ledger.page(LATEST, 0)
    ledger.end(LATEST, WalkEnd.FALLBACK, "the list named no article", OLD_LIST)
    [key] = read_page(ledger, OLD_LIST, Listing(articles=ids("001", 9), cards=1))
    ledger.end(OLD_LIST, WalkEnd.END_OF_LIST, "page 1 is the last")
    ledger.outcome(key, Outcome.NEW)

    result = ledger.reconcile()
    assert result.complete
    assert result.failed_walks == []
    assert [(w.id, w.end, w.fallback) for w in result.walks] == [
        ("latest/2026-05-30/100/264", "fallback", "old_list/2026-05-30/100/264"),
        ("old_list/2026-05-30/100/264", "end_of_list", None),
    ]
    assert result.totals == {"2026-05-30 100": {"named": 1, "new": 1}}


def test_a_failed_fallback_is_reported_once_at_the_origin() -> None:
    ledger = Ledger()
    ledger.plan(LATEST)
    ledger.end(LATEST, WalkEnd.FALLBACK, "page 4 repeats the cursor", OLD_LIST)
    ledger.end(OLD_LIST, WalkEnd.FAILED, "HTTP 500")

    result = ledger.reconcile()
    assert not result.complete
    assert [w.id for w in result.failed_walks] == ["latest/2026-05-30/100/264"]
    [line] = result.to_report()["failed_walks"]
    assert (line["walk"], line["end"]) == ("latest/2026-05-30/100/264", "fallback")
    # The one line says why the chain failed: the origin's reason and the fallback's.
    assert "page 4 repeats the cursor" in line["reason"]
    assert "HTTP 500" in line["reason"]


def test_a_fallback_planned_but_never_ended_fails_its_origin() -> None:
    ledger = Ledger()
    ledger.plan(LATEST)
    ledger.end(LATEST, WalkEnd.FALLBACK, "stopped at the page cap", OLD_LIST)

    result = ledger.reconcile()
    assert not result.complete
    assert [w.id for w in result.failed_walks] == ["latest/2026-05-30/100/264"]
    assert {w.id for w in result.walks} == {
        "latest/2026-05-30/100/264",
        "old_list/2026-05-30/100/264",
    }


def test_a_walk_planned_but_never_ended_is_failed() -> None:
    ledger = Ledger()
    ledger.plan(LATEST)
    ledger.plan(LATEST_265)
    ledger.page(LATEST_265, 36)
    ledger.end(LATEST, WalkEnd.END_OF_LIST)

    result = ledger.reconcile()
    assert not result.complete
    assert [w.id for w in result.failed_walks] == ["latest/2026-05-30/100/265"]
    [line] = result.to_report()["failed_walks"]
    assert (line["walk"], line["end"]) == ("latest/2026-05-30/100/265", "unfinished")


def test_a_fallback_with_no_walk_named_is_failed() -> None:
    ledger = Ledger()
    ledger.end(PRESS, WalkEnd.FALLBACK, "cannot go on")  # no fallback walk given
    result = ledger.reconcile()
    assert [w.id for w in result.failed_walks] == ["press/2026-05-30/001"]


def test_a_fallback_loop_is_not_complete() -> None:
    ledger = Ledger()
    ledger.end(LATEST, WalkEnd.FALLBACK, "loop", OLD_LIST)
    ledger.end(OLD_LIST, WalkEnd.FALLBACK, "loop", LATEST)
    result = ledger.reconcile()
    assert not result.complete


# (outcomes in the order recorded, as (outcome, reason)) -> (final outcome, reason kept)
PRECEDENCE = {
    "new then skipped stays new": (
        [(Outcome.NEW, None), (Outcome.SKIPPED, None)],
        Outcome.NEW,
        None,
    ),
    "restored then skipped stays restored": (
        [(Outcome.RESTORED, None), (Outcome.SKIPPED, None)],
        Outcome.RESTORED,
        None,
    ),
    "skipped then new becomes new": (
        [(Outcome.SKIPPED, None), (Outcome.NEW, None)],
        Outcome.NEW,
        None,
    ),
    "failed then new becomes new": (
        [(Outcome.FAILED, "HTTP 500"), (Outcome.NEW, None)],
        Outcome.NEW,
        None,
    ),
    "new then failed stays new": (
        [(Outcome.NEW, None), (Outcome.FAILED, "HTTP 500")],
        Outcome.NEW,
        None,
    ),
    "skipped then failed becomes failed": (
        [(Outcome.SKIPPED, None), (Outcome.FAILED, "timeout")],
        Outcome.FAILED,
        "timeout",
    ),
    "failed then skipped stays failed": (
        [(Outcome.FAILED, "timeout"), (Outcome.SKIPPED, None)],
        Outcome.FAILED,
        "timeout",
    ),
    "failed then deleted becomes deleted": (
        [(Outcome.FAILED, "HTTP 500"), (Outcome.DELETED, "no title")],
        Outcome.DELETED,
        "no title",
    ),
    "deleted then failed stays deleted": (
        [(Outcome.DELETED, "no title"), (Outcome.FAILED, "HTTP 500")],
        Outcome.DELETED,
        "no title",
    ),
    "deleted then new becomes new": (
        [(Outcome.DELETED, "no title"), (Outcome.NEW, None)],
        Outcome.NEW,
        None,
    ),
    "out_of_range then skipped stays out_of_range": (
        [(Outcome.OUT_OF_RANGE, None), (Outcome.SKIPPED, None)],
        Outcome.OUT_OF_RANGE,
        None,
    ),
    "a failure without a reason is recorded as failed": (
        [(Outcome.FAILED, None)],
        Outcome.FAILED,
        "failed",
    ),
    "a second failure's reason replaces the first": (
        [(Outcome.FAILED, "timeout"), (Outcome.FAILED, "HTTP 500")],
        Outcome.FAILED,
        "HTTP 500",
    ),
    "a reason given with skipped is not kept": (
        [(Outcome.SKIPPED, "already in the index")],
        Outcome.SKIPPED,
        None,
    ),
    "a reason given with new is not kept": ([(Outcome.NEW, "fresh")], Outcome.NEW, None),
}


@pytest.mark.parametrize(
    ("recorded", "final", "reason"),
    [pytest.param(*case, id=name) for name, case in PRECEDENCE.items()],
)
def test_outcome_precedence(
    recorded: list[tuple[Outcome, str | None]], final: Outcome, reason: str | None
) -> None:
    ledger = Ledger()
    [key] = read_page(ledger, LATEST, Listing(articles=ids("001", 1), cards=1))
    ledger.end(LATEST, WalkEnd.END_OF_LIST)
    for outcome, why in recorded:
        ledger.outcome(key, outcome, why)

    assert ledger.outcome_of(key) == final
    result = ledger.reconcile()
    assert result.counts == ZERO | {final.value: 1}  # exactly one outcome per article
    assert result.complete
    assert result.failures == ({key: reason} if final is Outcome.FAILED else {})
    assert result.deleted == ({key: reason} if final is Outcome.DELETED else {})
    assert ledger.reasons == ({key: reason} if reason is not None else {})


def test_totals_per_day_and_section() -> None:
    ledger = Ledger()
    other_day = Walk("latest", date(2026, 5, 29), ("100", "264"))
    named = {
        LATEST: read_page(ledger, LATEST, Listing(articles=ids("001", 1, 2), cards=2)),
        LATEST_265: read_page(ledger, LATEST_265, Listing(articles=ids("001", 3), cards=1)),
        other_day: read_page(ledger, other_day, Listing(articles=ids("001", 4), cards=1)),
        PRESS: read_page(ledger, PRESS, Listing(articles=ids("001", 5, 6), cards=2)),
        SPORTS: read_page(ledger, SPORTS, Listing(articles=ids("117", 7), cards=1)),
        ENTERTAIN: read_page(ledger, ENTERTAIN, Listing(articles=ids("311", 8), cards=1)),
    }
    for walk in named:
        ledger.end(walk, WalkEnd.END_OF_LIST)
    ledger.outcome(named[LATEST][0], Outcome.NEW)
    ledger.outcome(named[LATEST][1], Outcome.FAILED, "HTTP 500")
    ledger.outcome(named[LATEST_265][0], Outcome.NEW)
    ledger.outcome(named[other_day][0], Outcome.SKIPPED)
    ledger.outcome(named[PRESS][0], Outcome.DELETED, "no title")
    # named[PRESS][1] gets no outcome
    ledger.outcome(named[SPORTS][0], Outcome.UPDATED)
    ledger.outcome(named[ENTERTAIN][0], Outcome.UNCHANGED)

    result = ledger.reconcile()
    assert result.totals == {
        "2026-05-29 100": {"named": 1, "skipped": 1},
        "2026-05-30 100": {"named": 3, "new": 2, "failed": 1},
        "2026-05-30 106": {"named": 1, "unchanged": 1},
        "2026-05-30 107": {"named": 1, "updated": 1},
        "2026-05-30 press 001": {"named": 2, "deleted": 1, "unaccounted": 1},
    }
    assert result.counts == ZERO | {
        "new": 2,
        "failed": 1,
        "skipped": 1,
        "deleted": 1,
        "updated": 1,
        "unchanged": 1,
    }
    assert result.unaccounted == ["001_0000000006"]
    assert result.failures == {"001_0000000002": "HTTP 500"}
    assert result.deleted == {"001_0000000005": "no title"}
    assert not result.complete


def test_to_report_keys_and_shapes() -> None:
    ledger = Ledger()
    [key] = read_page(ledger, LATEST, Listing(articles=ids("001", 1), cards=1))
    ledger.end(LATEST, WalkEnd.END_OF_LIST, "page 3 says there is no next page")
    ledger.outcome(key, Outcome.FAILED, "HTTP 404")
    report = ledger.reconcile().to_report()
    assert set(report) == {
        "counts",
        "walks",
        "listing_failures",
        "failed_walks",
        "unaccounted",
        "failures",
        "deleted",
        "totals",
        "comments",
        "not_on_naver",
    }
    assert report["comments"] == {"counts": {}, "failures": {}, "unaccounted": []}
    assert report["counts"] == ZERO | {"failed": 1}
    assert report["walks"] == [
        {
            "id": "latest/2026-05-30/100/264",
            "source": "latest",
            "day": "2026-05-30",
            "section": "100",
            "pages": 1,
            "articles": 1,
            "rejected": 0,
            "end": "end_of_list",
            "detail": "page 3 says there is no next page",
            "fallback": None,
        }
    ]
    assert report["listing_failures"] == []
    assert report["failed_walks"] == []
    assert report["unaccounted"] == []
    assert report["failures"] == {"001_0000000001": "HTTP 404"}
    assert report["deleted"] == {}
    assert report["totals"] == {"2026-05-30 100": {"named": 1, "failed": 1}}


def test_an_empty_crawl_is_complete_with_zero_counts() -> None:
    result = Ledger().reconcile()
    assert result.complete
    assert result.counts == ZERO
    assert result.totals == {} and result.walks == [] and result.unaccounted == []


def test_an_outcome_for_a_key_never_named() -> None:
    ledger = Ledger()
    ledger.end(LATEST, WalkEnd.END_OF_LIST)
    ledger.outcome("999_0000000009", Outcome.NEW)  # a pipeline saw an item of its own

    assert ledger.outcome_of("999_0000000009") == Outcome.NEW
    result = ledger.reconcile()
    assert result.unaccounted == []
    assert result.failed_walks == []
    assert result.complete


def test_the_urls_walk_is_accounted_like_a_listing() -> None:
    ledger = Ledger()
    urls = Walk("urls", None)
    ledger.plan(urls)
    ledger.named("001_0000000001", urls)
    ledger.named("001_0000000002", urls)
    ledger.end(urls, WalkEnd.END_OF_LIST, "2 URL(s) given")
    ledger.outcome("001_0000000001", Outcome.NEW)

    result = ledger.reconcile()
    assert result.unaccounted == ["001_0000000002"]
    assert result.failed_walks == []


def test_reconcile_of_plain_data_matches_the_ledger() -> None:
    ledger = Ledger()
    keys = read_page(ledger, PRESS, Listing(articles=ids("001", 1, 2), cards=2))
    ledger.end(PRESS, WalkEnd.END_OF_LIST)
    ledger.outcome(keys[0], Outcome.NEW)
    data = ledger.data()
    assert data.named == {
        "001_0000000001": "press/2026-05-30/001",
        "001_0000000002": "press/2026-05-30/001",
    }
    assert data.outcomes == {"001_0000000001": "new"}
    assert reconcile(data).to_report() == ledger.reconcile(shared=False).to_report()


def test_crawl_ledger_is_one_per_crawler() -> None:
    crawler, other = get_crawler(), get_crawler()
    ledger = crawl_ledger(crawler)
    assert isinstance(ledger, Ledger)
    assert crawl_ledger(crawler) is ledger
    assert crawl_ledger(other) is not ledger
    assert crawl_ledger(other) is crawl_ledger(other)


def test_search_results_not_on_naver_are_reported_once_in_date_order() -> None:
    ledger = Ledger()
    walk = Walk.search("국회", date(2026, 5, 30), date(2026, 5, 30))
    ledger.plan(walk)
    ledger.offsite("https://press.example/2", "두 번째", "2026-05-30T12:00:00+09:00", walk)
    ledger.offsite("https://press.example/1", "첫 번째", "2026-05-30T09:00:00+09:00", walk)
    ledger.offsite("https://press.example/1", "again", "2026-05-30T09:00:00+09:00", walk)
    ledger.end(walk, WalkEnd.END_OF_LIST, "the API has no more results (2 in all)")
    result = ledger.reconcile()
    assert result.complete
    assert result.to_report()["not_on_naver"] == [
        {
            "url": "https://press.example/1",
            "title": "첫 번째",
            "published": "2026-05-30T09:00:00+09:00",
            "walk": walk.id,
        },
        {
            "url": "https://press.example/2",
            "title": "두 번째",
            "published": "2026-05-30T12:00:00+09:00",
            "walk": walk.id,
        },
    ]


def test_a_capped_search_walk_leaves_the_crawl_incomplete() -> None:
    ledger = Ledger()
    walk = Walk.search("국회", date(2026, 5, 30), date(2026, 5, 30))
    ledger.plan(walk)
    ledger.end(walk, WalkEnd.CAPPED, "the query has 5,000 matches; the API gives 1,000")
    result = ledger.reconcile()
    assert not result.complete
    assert [w.id for w in result.failed_walks] == [walk.id]
