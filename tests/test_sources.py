"""Listing sources (``newsbot.sources``): the stop rules of ``next_step`` as a table, walk
ids, progress, seeds and the URL of each source.

Every expected value here is written from the rules (docs/naver.md, "Discovery
(listings)", and the cursor issue), not from running the code: cursors are opaque tokens
passed back exactly; a cursor walk stops on ``data-has-next`` false, a page without cards,
or a cursor whose first 8 characters are digits naming a day before the walk's; a loop (a
cursor or a page of cards seen before), the page cap or an unusable cursor hands the walk
to the fallback (``CannotContinue``); a latest-list walk that named nothing hands over too.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from newsbot.args import parse_args
from newsbot.pages.listings import Listing
from newsbot.sources import (
    API_PAGE_SIZE,
    SOURCES,
    CannotContinue,
    End,
    Next,
    Progress,
    Walk,
    cursor_is_known,
    next_step,
    page_digest,
    seed_walks,
)
from newsbot.urls import ArticleId

DAY = date(2024, 11, 25)
LATEST = Walk("latest", DAY, ("101", "260"))
OLD_LIST = Walk("old_list", DAY, ("101", "260"))
PRESS = Walk("press", DAY, ("001",))
SPORTS = Walk("sports_list", DAY, ("kbaseball",))
ENTERTAIN = Walk("entertain_list", DAY)
CAP = 2000

CURSOR_19 = "2024112517083827169"  # the real FOR_LATEST shape, on DAY
CURSOR_14 = "20241125170838"  # the section page's shape, on DAY
CURSOR_BEFORE_19 = "2024112423595912345"  # the day before DAY
CURSOR_BEFORE_14 = "20241124235959"
CURSOR_AFTER_19 = "2024112600000112345"  # a later day: not a reason to stop
CURSOR_LETTERS = "AbCdEf-123_xyz"  # an opaque token of a shape never seen


def _articles(count: int, first: int = 1) -> list[ArticleId]:
    return [ArticleId("001", f"{n:010d}") for n in range(first, first + count)]


def page(
    count: int,
    first: int = 1,
    *,
    cursor: str | None = None,
    has_next: bool = False,
    cards: int | None = None,
    pages: list[int] | None = None,
    total: int | None = None,
) -> Listing:
    """A listing page naming ``count`` articles (``cards`` defaults to one per article)."""
    return Listing(
        articles=_articles(count, first),
        cursor=cursor,
        has_next=has_next,
        cards=count if cards is None else cards,
        pages=pages or [],
        total=total,
    )


def seen(*listings: Listing) -> list[str]:
    return [page_digest(listing) for listing in listings]


EARLIER = page(36, 1, cursor=CURSOR_19, has_next=True)
# A walk on page 3 that has already named 72 articles (pages 1 and 2, cursors followed).
LATER = Progress(
    page=3,
    found=72,
    cursors=["2024112523000000001", "2024112522000000002"],
    pages=seen(EARLIER, page(36, 37)),
)
FIRST = Progress()


def _next(page_no: int, cursor: str = "") -> tuple[str, int, str]:
    return ("next", page_no, cursor)


def _end(reason: str) -> tuple[str, str]:
    return ("end", reason)


CANNOT = ("cannot",)


def _shape(step: object) -> tuple[object, ...]:
    if isinstance(step, Next):
        return ("next", step.page, step.cursor)
    if isinstance(step, End):
        return ("end", step.reason)
    assert isinstance(step, CannotContinue), step
    return CANNOT


# (source, walk, listing, progress, page_cap, expected)
CURSOR_CASES = {
    # -- stop rules -------------------------------------------------------------------
    "has_next false ends the list": (
        LATEST,
        page(36, 73, cursor=CURSOR_19, has_next=False),
        LATER,
        CAP,
        _end("end_of_list"),
    ),
    "has_next false on the first page with articles ends the list": (
        LATEST,
        page(5, has_next=False),
        FIRST,
        CAP,
        _end("end_of_list"),
    ),
    "a later page with no cards ends the list": (
        LATEST,
        page(0, has_next=True, cursor=CURSOR_19),
        LATER,
        CAP,
        _end("end_of_list"),
    ),
    "an empty first page hands over to the old list": (
        LATEST,
        page(0),
        FIRST,
        CAP,
        CANNOT,
    ),
    "an empty first page saying has_next hands over too": (
        LATEST,
        page(0, has_next=True, cursor=CURSOR_19),
        FIRST,
        CAP,
        CANNOT,
    ),
    "a first page whose cards name no valid article, has_next false: hand over": (
        LATEST,
        page(0, cards=36, has_next=False),
        FIRST,
        CAP,
        CANNOT,
    ),
    "a 19-digit cursor before the day ends the walk (before_day)": (
        LATEST,
        page(36, 73, cursor=CURSOR_BEFORE_19, has_next=True),
        LATER,
        CAP,
        _end("before_day"),
    ),
    "a 14-digit cursor before the day ends the walk (before_day)": (
        LATEST,
        page(36, 73, cursor=CURSOR_BEFORE_14, has_next=True),
        LATER,
        CAP,
        _end("before_day"),
    ),
    "a cursor before the day on the first page (articles found) ends the walk": (
        LATEST,
        page(10, cursor=CURSOR_BEFORE_19, has_next=True),
        FIRST,
        CAP,
        _end("before_day"),
    ),
    "a cursor seen before in the walk is a loop": (
        LATEST,
        page(36, 73, cursor=LATER.cursors[1], has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "the same cards as an earlier page are a loop": (
        LATEST,
        page(36, 1, cursor="2024112521000000003", has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "the page cap hands over": (
        LATEST,
        page(36, 73, cursor=CURSOR_19, has_next=True),
        Progress(page=3, found=72, cursors=LATER.cursors, pages=LATER.pages),
        3,
        CANNOT,
    ),
    "cards but no data-has-next wrapper hand over (the markup changed)": (
        LATEST,
        Listing(articles=_articles(36, 73), cards=36, paging_said=False),
        LATER,
        CAP,
        CANNOT,
    ),
    "has_next but no cursor hands over": (
        LATEST,
        page(36, 73, cursor=None, has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "has_next but an empty cursor hands over": (
        LATEST,
        page(36, 73, cursor="", has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "a cursor with spaces is unusable": (
        LATEST,
        page(36, 73, cursor="2024 1125 1708", has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "a 600-character cursor is unusable": (
        LATEST,
        page(36, 73, cursor="x" * 600, has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    "a cursor with a quote and angle brackets is unusable": (
        LATEST,
        page(36, 73, cursor='"><script>', has_next=True),
        LATER,
        CAP,
        CANNOT,
    ),
    # -- the walk goes on, with exactly the cursor the page gave -------------------------
    "a 19-digit cursor of the day continues": (
        LATEST,
        page(36, 73, cursor=CURSOR_19, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_19),
    ),
    "a 14-digit cursor of the day continues": (
        LATEST,
        page(36, 73, cursor=CURSOR_14, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_14),
    ),
    "a cursor of letters is opaque: it continues": (
        LATEST,
        page(36, 73, cursor=CURSOR_LETTERS, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_LETTERS),
    ),
    "a base64-like cursor continues as given": (
        LATEST,
        page(36, 73, cursor="eyJ0IjoxfQ==", has_next=True),
        LATER,
        CAP,
        _next(4, "eyJ0IjoxfQ=="),
    ),
    "a cursor starting with a few digits then letters is not a day": (
        LATEST,
        page(36, 73, cursor="2023ab99", has_next=True),
        LATER,
        CAP,
        _next(4, "2023ab99"),
    ),
    "a cursor of a later day continues": (
        LATEST,
        page(36, 73, cursor=CURSOR_AFTER_19, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_AFTER_19),
    ),
    "the first page continues to page 2": (
        LATEST,
        page(36, cursor=CURSOR_19, has_next=True),
        FIRST,
        CAP,
        _next(2, CURSOR_19),
    ),
    "one page below the cap continues": (
        LATEST,
        page(36, 73, cursor=CURSOR_19, has_next=True),
        LATER,
        4,
        _next(4, CURSOR_19),
    ),
    "a page of cards that name no valid article still follows its cursor": (
        LATEST,
        page(0, cards=36, cursor=CURSOR_19, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_19),
    ),
    "a cursor without a day on a walk without a day continues": (
        Walk("latest", None, ("101", "260")),
        page(36, 73, cursor=CURSOR_BEFORE_19, has_next=True),
        LATER,
        CAP,
        _next(4, CURSOR_BEFORE_19),
    ),
}

# Cases once contradicted by the code (fixed): kept as plain cases.
CURSOR_XFAIL: dict[str, str] = {}
CURSOR_CASES |= {
    "a short numeric cursor (an offset) is opaque, not a day": (
        LATEST,
        page(36, 73, cursor="144", has_next=True),
        LATER,
        CAP,
        _next(4, "144"),
    ),
    "an epoch-milliseconds cursor does not name a day": (
        LATEST,
        page(36, 73, cursor="1700000000000", has_next=True),
        LATER,
        CAP,
        _next(4, "1700000000000"),
    ),
    "a first page naming no article whose cursor is before the day hands over": (
        LATEST,
        page(0, cards=36, cursor=CURSOR_BEFORE_19, has_next=True),
        FIRST,
        CAP,
        CANNOT,
    ),
}


def _params(cases: dict, xfails: dict | None = None) -> list:
    xfails = xfails or {}
    return [
        pytest.param(
            *case,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=xfails[name])] if name in xfails else [],
        )
        for name, case in cases.items()
    ]


@pytest.mark.parametrize(
    ("walk", "listing", "progress", "page_cap", "expected"),
    _params(CURSOR_CASES, CURSOR_XFAIL),
)
def test_next_step_cursor_source(
    walk: Walk, listing: Listing, progress: Progress, page_cap: int, expected: tuple
) -> None:
    before = copy.deepcopy(progress)
    step = next_step(SOURCES["latest"], walk, listing, progress, page_cap=page_cap)
    assert _shape(step) == expected
    assert progress == before  # pure: the progress is the caller's to update


# PAGE_LINKS (old date lists): page N+1 while the paging links name a later page.
OLD_LIST_CASES = {
    "paging links to later pages continue": (
        "old_list",
        OLD_LIST,
        page(20, pages=[2, 3, 4, 5]),
        FIRST,
        CAP,
        _next(2),
    ),
    "a middle page continues": (
        "old_list",
        OLD_LIST,
        page(20, 41, pages=[1, 2, 4, 5]),
        Progress(page=3, found=40, pages=seen(page(20), page(20, 21))),
        CAP,
        _next(4),
    ),
    "the last page linked ends": (
        "old_list",
        OLD_LIST,
        page(7, 81, pages=[1, 2, 3, 4]),
        Progress(page=5, found=80),
        CAP,
        _end("end_of_list"),
    ),
    "a single page without paging links ends": (
        "old_list",
        OLD_LIST,
        page(12),
        FIRST,
        CAP,
        _end("end_of_list"),
    ),
    "an empty first old list ends (it has no fallback)": (
        "old_list",
        OLD_LIST,
        page(0),
        FIRST,
        CAP,
        _end("end_of_list"),
    ),
    "an old list page repeating an earlier page is a loop": (
        "old_list",
        OLD_LIST,
        page(20, pages=[1, 2, 4, 5]),
        Progress(page=3, found=40, pages=seen(page(20), page(20, 21))),
        CAP,
        CANNOT,
    ),
    "the page cap stops an old list with more pages": (
        "old_list",
        OLD_LIST,
        page(20, 41, pages=[1, 2, 4, 5]),
        Progress(page=3, found=40),
        3,
        CANNOT,
    ),
    "a press list pages the same way": (
        "press",
        PRESS,
        page(20, pages=[2, 3]),
        FIRST,
        CAP,
        _next(2),
    ),
    "a press list's last page ends": (
        "press",
        PRESS,
        page(3, 41, pages=[1, 2]),
        Progress(page=3, found=40),
        CAP,
        _end("end_of_list"),
    ),
}

# PAGE_TOTAL (sports/entertainment JSON lists): page N+1 while N * API_PAGE_SIZE < total.
TOTAL_CASES = {
    "page 1 of 120 continues": ("sports_list", SPORTS, page(50, total=120), FIRST, CAP, _next(2)),
    "page 2 of 120 continues": (
        "sports_list",
        SPORTS,
        page(50, 51, total=120),
        Progress(page=2, found=50),
        CAP,
        _next(3),
    ),
    "page 3 of 120 ends": (
        "sports_list",
        SPORTS,
        page(20, 101, total=120),
        Progress(page=3, found=100),
        CAP,
        _end("end_of_list"),
    ),
    "a total of exactly two pages ends on page 2": (
        "sports_list",
        SPORTS,
        page(50, 51, total=100),
        Progress(page=2, found=50),
        CAP,
        _end("end_of_list"),
    ),
    "a total smaller than a page ends on page 1": (
        "sports_list",
        SPORTS,
        page(7, total=7),
        FIRST,
        CAP,
        _end("end_of_list"),
    ),
    "an empty sports list ends": (
        "sports_list",
        SPORTS,
        page(0, total=0),
        FIRST,
        CAP,
        _end("end_of_list"),
    ),
    "a repeated sports page is a loop": (
        "sports_list",
        SPORTS,
        page(50, total=500),
        Progress(page=2, found=50, pages=seen(page(50))),
        CAP,
        CANNOT,
    ),
    "the page cap stops a sports list with more": (
        "sports_list",
        SPORTS,
        page(50, 101, total=500),
        Progress(page=3, found=100),
        3,
        CANNOT,
    ),
    "an entertainment list pages by its total": (
        "entertain_list",
        ENTERTAIN,
        page(50, total=51),
        FIRST,
        CAP,
        _next(2),
    ),
    "an entertainment list's last page ends": (
        "entertain_list",
        ENTERTAIN,
        page(1, 51, total=51),
        Progress(page=2, found=50),
        CAP,
        _end("end_of_list"),
    ),
}


@pytest.mark.parametrize(
    ("source", "walk", "listing", "progress", "page_cap", "expected"),
    _params(OLD_LIST_CASES | TOTAL_CASES),
)
def test_next_step_paged_sources(
    source: str, walk: Walk, listing: Listing, progress: Progress, page_cap: int, expected: tuple
) -> None:
    before = copy.deepcopy(progress)
    step = next_step(SOURCES[source], walk, listing, progress, page_cap=page_cap)
    assert _shape(step) == expected
    assert progress == before


def test_api_page_size_is_what_the_total_rule_uses() -> None:
    # The total cases above assume pages of 50.
    assert API_PAGE_SIZE == 50


def test_only_the_latest_list_has_a_fallback_the_old_list() -> None:
    assert SOURCES["latest"].fallback == "old_list"
    assert {name: s.fallback for name, s in SOURCES.items() if name != "latest"} == {
        "old_list": None,
        "press": None,
        "sports_list": None,
        "entertain_list": None,
        "search": None,
    }


def test_page_digest_names_the_cards() -> None:
    assert page_digest(page(36)) == page_digest(page(36))
    assert page_digest(page(36)) != page_digest(page(36, 37))
    assert page_digest(page(3, cursor="a")) == page_digest(page(3, cursor="b", has_next=True))


@pytest.mark.parametrize(
    ("cursor", "known"),
    [
        pytest.param("2024112517083827169", True, id="19 digits (FOR_LATEST)"),
        pytest.param("20260530010909", True, id="14 digits (section page)"),
        pytest.param("2026053001090", False, id="13 digits"),
        pytest.param("202605300109091", False, id="15 digits"),
        pytest.param("202411251708382716", False, id="18 digits"),
        pytest.param("20241125170838271690", False, id="20 digits"),
        pytest.param("AbCdEf-123_xyz", False, id="letters"),
        pytest.param("2024112517083827a69", False, id="19 with a letter"),
        pytest.param("", False, id="empty"),
        pytest.param("2024112517083827169\n", False, id="trailing newline"),
        pytest.param(" 20241125170838", False, id="leading space"),
        pytest.param(
            "２０２４１１２５１７０８３８",
            False,
            id="14 fullwidth digits",
        ),
    ],
)
def test_cursor_is_known(cursor: str, known: bool) -> None:
    assert cursor_is_known(cursor) is known


@pytest.mark.parametrize(
    ("walk", "walk_id"),
    [
        (Walk("latest", date(2026, 5, 30), ("100", "264")), "latest/2026-05-30/100/264"),
        (Walk("latest", date(2026, 5, 30), ("102", "59b")), "latest/2026-05-30/102/59b"),
        (Walk("old_list", date(2026, 5, 30), ("102", "59b")), "old_list/2026-05-30/102/59b"),
        (Walk("press", date(2026, 1, 2), ("001",)), "press/2026-01-02/001"),
        (
            Walk("sports_list", date(2026, 5, 30), ("kbaseball",)),
            "sports_list/2026-05-30/kbaseball",
        ),
        (Walk("entertain_list", date(2026, 5, 30)), "entertain_list/2026-05-30"),
        (Walk("urls", None), "urls/-"),
        (Walk("latest", None, ("100", "264")), "latest/-/100/264"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_walk_id_round_trip(walk: Walk, walk_id: str) -> None:
    assert walk.id == walk_id
    assert Walk.parse(walk_id) == walk
    assert Walk.parse(walk.id).id == walk_id


@pytest.mark.parametrize(
    ("walk", "section"),
    [
        (Walk("latest", DAY, ("100", "264")), "100"),
        (Walk("old_list", DAY, ("102", "59b")), "102"),
        (Walk("press", DAY, ("001",)), "press 001"),
        (Walk("sports_list", DAY, ("golf",)), "107"),
        (Walk("entertain_list", DAY), "106"),
    ],
)
def test_walk_section(walk: Walk, section: str) -> None:
    assert walk.section == section


def test_progress_round_trip() -> None:
    progress = Progress(page=4, found=108, cursors=[CURSOR_19, CURSOR_LETTERS], pages=["ab", "cd"])
    data = progress.to_dict()
    assert data == {
        "page": 4,
        "found": 108,
        "cursors": [CURSOR_19, CURSOR_LETTERS],
        "pages": ["ab", "cd"],
    }
    # Carried in a request (and through Redis): plain JSON data.
    again = Progress.from_dict(json.loads(json.dumps(data)))
    assert again == progress
    assert Progress.from_dict(Progress().to_dict()) == Progress(
        page=1, found=0, cursors=[], pages=[]
    )


def test_progress_from_dict_does_not_share_lists() -> None:
    data = {"page": 2, "found": 36, "cursors": [CURSOR_19], "pages": ["ab"]}
    progress = Progress.from_dict(data)
    progress.cursors.append("x")
    progress.pages.append("y")
    assert data == {"page": 2, "found": 36, "cursors": [CURSOR_19], "pages": ["ab"]}


TODAY = date(2026, 5, 31)
D30 = date(2026, 5, 30)
D29 = date(2026, 5, 29)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            {"date": "2026-05-30", "sections": "100"},
            [Walk("latest", D30, ("100", s)) for s in ("264", "265", "268", "266", "267", "269")],
            id="one section, every sub-section in the site's order",
        ),
        pytest.param(
            {"date": "2026-05-30", "sections": "102", "subsections": "59b"},
            [Walk("latest", D30, ("102", "59b"))],
            id="one non-numeric sub-section",
        ),
        pytest.param(
            {"start": "2026-05-29", "end": "2026-05-30", "press": "001,020"},
            [
                Walk("press", D29, ("001",)),
                Walk("press", D29, ("020",)),
                Walk("press", D30, ("001",)),
                Walk("press", D30, ("020",)),
            ],
            id="press, per day",
        ),
        pytest.param(
            {"date": "2026-05-30", "sections": "sports"},
            [
                Walk("sports_list", D30, (s,))
                for s in (
                    "kbaseball",
                    "wbaseball",
                    "kfootball",
                    "wfootball",
                    "basketball",
                    "volleyball",
                    "golf",
                    "general",
                )
            ],
            id="sports by its sections",
        ),
        pytest.param(
            {"date": "2026-05-30", "sections": "107", "subsections": "golf"},
            [Walk("sports_list", D30, ("golf",))],
            id="one sports section",
        ),
        pytest.param(
            {"date": "2026-05-30", "sections": "entertain"},
            [Walk("entertain_list", D30)],
            id="entertainment as one list",
        ),
        pytest.param(
            {"date": "2026-05-30", "sections": "106"},
            [Walk("entertain_list", D30)],
            id="entertainment by its sid",
        ),
        pytest.param(
            {"start": "2026-05-29", "end": "2026-05-30", "sections": "104,entertain"},
            [
                *(Walk("latest", D29, ("104", s)) for s in ("231", "232", "233", "234", "322")),
                Walk("entertain_list", D29),
                *(Walk("latest", D30, ("104", s)) for s in ("231", "232", "233", "234", "322")),
                Walk("entertain_list", D30),
            ],
            id="two days, a section and entertainment",
        ),
    ],
)
def test_seed_walks(raw: dict[str, str], expected: list[Walk]) -> None:
    assert list(seed_walks(parse_args(raw, today=TODAY))) == expected


def test_seed_walks_default_sections_for_today() -> None:
    walks = list(seed_walks(parse_args({}, today=TODAY)))
    # 6 + 8 + 10 + 11 + 5 + 8 sub-sections of the six news sections.
    assert len(walks) == 48
    assert {w.source for w in walks} == {"latest"}
    assert {w.day for w in walks} == {TODAY}
    assert [w.scope[0] for w in walks] == sorted(w.scope[0] for w in walks)
    assert {w.scope[0] for w in walks} == {"100", "101", "102", "103", "104", "105"}
    assert walks[0] == Walk("latest", TODAY, ("100", "264"))
    assert Walk("latest", TODAY, ("102", "59b")) in walks


def _same_url(actual: str, expected: str) -> None:
    """The same address and the same query (parameter order aside, blanks kept)."""
    a, e = urlsplit(actual), urlsplit(expected)
    assert (a.scheme, a.netloc, a.path) == (e.scheme, e.netloc, e.path)
    assert sorted(parse_qsl(a.query, keep_blank_values=True)) == sorted(
        parse_qsl(e.query, keep_blank_values=True)
    )


WALK_30 = Walk("latest", D30, ("100", "264"))


@pytest.mark.parametrize(
    ("source", "walk", "page_no", "cursor", "expected"),
    [
        pytest.param(
            "latest",
            WALK_30,
            1,
            "",
            "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"
            "?sid=100&sid2=264&cluid=&pageNo=1&date=20260530&next=",
            id="latest, first page",
        ),
        pytest.param(
            "latest",
            WALK_30,
            2,
            "2026053012000012345",
            "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"
            "?sid=100&sid2=264&cluid=&pageNo=2&date=20260530&next=2026053012000012345",
            id="latest, with a cursor",
        ),
        pytest.param(
            "old_list",
            Walk("old_list", D30, ("102", "59b")),
            3,
            "",
            "https://news.naver.com/main/list.naver?mode=LS2D&mid=shm&sid1=102&sid2=59b&date=20260530&page=3",
            id="old list LS2D",
        ),
        pytest.param(
            "press",
            Walk("press", D30, ("001",)),
            2,
            "",
            "https://news.naver.com/main/list.naver?mode=LPOD&mid=sec&oid=001&date=20260530&page=2",
            id="press LPOD",
        ),
        pytest.param(
            "sports_list",
            Walk("sports_list", D30, ("kbaseball",)),
            2,
            "",
            "https://api-gw.sports.naver.com/news/articles/kbaseball"
            "?sort=latest&date=20260530&page=2&pageSize=50&isPhoto=N",
            id="sports list",
        ),
        pytest.param(
            "entertain_list",
            Walk("entertain_list", D30),
            1,
            "",
            "https://api-gw.entertain.naver.com/news/articles?date=20260530&page=1&pageSize=50",
            id="entertainment list",
        ),
    ],
)
def test_source_urls(source: str, walk: Walk, page_no: int, cursor: str, expected: str) -> None:
    url = SOURCES[source].url(walk, page_no, cursor)
    _same_url(url, expected)
    assert url.startswith(expected.split("?")[0] + "?")


@pytest.mark.parametrize(
    "cursor",
    ["2024112517083827169", "AbCdEf-123_xyz", "eyJ0IjoxfQ==", "a+b/c:d~e.f", "abc%3D"],
)
def test_latest_url_passes_the_cursor_back_exactly(cursor: str) -> None:
    url = SOURCES["latest"].url(WALK_30, 5, cursor)
    assert parse_qs(urlsplit(url).query)["next"] == [cursor]


def test_latest_referer_is_the_breakingnews_page() -> None:
    assert (
        SOURCES["latest"].referer(WALK_30)
        == "https://news.naver.com/breakingnews/section/100/264?date=20260530"
    )


def test_an_empty_page_is_not_the_end_when_it_should_list_something() -> None:
    """Review findings: an empty page a list linked to, or an empty fallback that replaces a
    walk which had named articles, cannot be read as "the end of the list"."""
    day = date(2026, 5, 30)
    old = SOURCES["old_list"]
    walk = Walk("old_list", day, ("100", "264"))
    empty = Listing()
    # Page 2, linked from page 1, lists nothing: something is wrong with the page.
    step = next_step(old, walk, empty, Progress(page=2, found=20), page_cap=2000)
    assert isinstance(step, CannotContinue) and "page 2" in step.detail
    # The fallback of a walk that had named 72 articles lists nothing on its first page.
    step = next_step(old, walk, empty, Progress(page=1, replaces=72), page_cap=2000)
    assert isinstance(step, CannotContinue) and "named 72" in step.detail
    # A fallback of a walk that had named nothing may well be empty: the day had nothing.
    step = next_step(old, walk, empty, Progress(page=1, replaces=0), page_cap=2000)
    assert isinstance(step, End) and step.reason == "end_of_list"


def test_a_json_list_is_read_to_its_total_whatever_its_page_size() -> None:
    """An endpoint that gives 20 items a page (not the 50 asked) is read on to its total."""
    sports = SOURCES["sports_list"]
    walk = Walk("sports_list", date(2026, 5, 30), ("kbaseball",))
    items = [ArticleId("001", f"{n:010d}") for n in range(20)]
    page = Listing(articles=items, cards=20, total=100)
    assert next_step(sports, walk, page, Progress(page=3, found=40), page_cap=2000) == Next(4)
    last = next_step(sports, walk, page, Progress(page=5, found=80), page_cap=2000)
    assert isinstance(last, End) and last.reason == "end_of_list"
