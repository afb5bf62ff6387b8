"""``newsbot doctor``: each check on real saved pages (and the same pages with a class
renamed or a tag gone), and the whole command against the fake Naver in the four
situations of the issue: clean, cursors of a new shape, markup changed, blocked."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsbot.doctor import (
    DRIFT,
    FAILED,
    MAX_FIELD_CHARS,
    OK,
    Check,
    blocking_sign,
    check_comment_probe,
    check_cursor_page,
    check_fields,
    check_list,
    check_news_article,
    check_robots,
    check_search,
    cursor_shape,
    planned_requests,
    worst,
)
from newsbot.sources import SOURCES, Walk
from newsbot.urls import ArticleId
from tests.conftest import ROOT
from tests.e2e import crawl_env, run_newsbot, search_env
from tests.fakenaver import TEST_KEY, FakeNaver, Override
from tests.fakenaver.world import default_world

FIXTURES = ROOT / "tests" / "fixtures"
DAY = date(2026, 5, 30)
MORE = (FIXTURES / "listings" / "more_100_264_20260530_p1.json").read_bytes()
LATEST = Walk("latest", DAY, ("100", "264"))
ARTICLE = ArticleId("421", "0008770777")
ARTICLE_PAGE = (FIXTURES / "articles" / "421_0008770777" / "body.html").read_bytes()
TITLE_ELEMENT = b'id="title_area" class="media_end_head_headline"'


# -- the checks, on saved pages ------------------------------------------------------------------


def test_a_cursor_page_in_the_known_shape_is_ok() -> None:
    # The hand-made "more" answer (its README): two real cards, a 14-digit cursor.
    check, listing = check_cursor_page(MORE, "application/json", "https://x", LATEST, 1, None)
    assert check.status == OK, check.detail
    assert listing is not None and len(listing.articles) == 2
    assert check.shapes["cursor"] == {
        "present": True,
        "value": "20260530204500",
        "length": 14,
        "alphabet": "digits",
        "known": True,
        "day": "2026-05-30",
    }
    assert check.shapes["selectors"]["li.sa_item a.sa_text_title"] == 2


def test_cards_of_another_class_fail_naming_the_selector() -> None:
    body = MORE.replace(b"sa_item", b"sa_card")
    check, _ = check_cursor_page(body, "application/json", "https://x", LATEST, 1, None)
    assert check.status == FAILED
    assert "no cards: li.sa_item found nothing" in check.detail


def test_title_links_of_another_class_are_drift_the_other_links_still_work() -> None:
    body = MORE.replace(b"sa_text_title", b"sa_text_headline")
    check, listing = check_cursor_page(body, "application/json", "https://x", LATEST, 1, None)
    assert check.status == DRIFT
    assert "the title links (a.sa_text_title) are gone" in check.detail
    assert listing is not None and len(listing.articles) == 2


@pytest.mark.parametrize(
    ("cursor", "status", "words"),
    [
        ("2026053020450012345", OK, "cursor of 19 digits"),
        ("eyJvZmZzZXQiOjM2fQ==", DRIFT, "a cursor of a new shape: 20 characters"),
        ("20260530204500", DRIFT, "the cursor did not change"),
    ],
)
def test_cursor_shapes_and_repeats(cursor: str, status: str, words: str) -> None:
    body = MORE.replace(b"20260530204500", cursor.encode())
    check, _ = check_cursor_page(body, "application/json", "https://x", LATEST, 2, "20260530204500")
    assert check.status == status and words in check.detail, check.detail


def test_cards_without_the_paging_wrapper_are_drift_the_crawl_hands_over() -> None:
    body = MORE.replace(b"data-has-next", b"data-more")
    check, _ = check_cursor_page(body, "application/json", "https://x", LATEST, 1, None)
    assert check.status == DRIFT and "[data-has-next] gone" in check.detail


def test_a_date_from_the_shown_stamp_is_drift() -> None:
    page = ARTICLE_PAGE.replace(b"_ARTICLE_DATE_TIME", b"_ARTICLE_DATE")
    check, seen = check_news_article(ARTICLE, page, "text/html; charset=utf-8", date(2026, 2, 12))
    assert seen is not None and seen["published_at"].fallback
    assert check.status == DRIFT
    assert "published_at from span.media_end_head_info_datestamp_time::text" in check.detail


def test_cursor_shape_words() -> None:
    assert cursor_shape("a-b_c")["alphabet"] == "letters, digits and -_"
    assert cursor_shape(None) == {"present": False}


def test_a_press_list_and_json_lists_on_saved_pages() -> None:
    lpod = (FIXTURES / "listings" / "list_LPOD_001_20230314.euc-kr.html").read_bytes()
    walk = Walk("press", date(2023, 3, 14), ("001",))
    check, listing = check_list("press list 001", "press", lpod, "text/html", "https://x", walk)
    assert check.status == OK and listing is not None and listing.articles
    broken = lpod.replace(b"list_body", b"list_main")
    check, _ = check_list("press list 001", "press", broken, "text/html", "https://x", walk)
    assert check.status == FAILED and "div.list_body" in check.detail
    sports = (FIXTURES / "api" / "sports_list_kbaseball_20261007_p1.json").read_bytes()
    walk = Walk("sports_list", date(2026, 10, 7), ("kbaseball",))
    check, _ = check_list("sports", "sports_list", sports, "application/json", "https://x", walk)
    # The hand-made list holds one item without ids (tests/fixtures/api/README.md).
    assert (
        check.status == DRIFT
        and check.detail == "2 article(s) of 123; 1 item(s) that name no article"
    )


def test_a_real_article_reads_with_every_field_from_its_own_element() -> None:
    check, seen = check_news_article(
        ARTICLE, ARTICLE_PAGE, "text/html; charset=utf-8", date(2026, 2, 12)
    )
    expected = json.loads((FIXTURES / "articles" / "421_0008770777" / "expected.json").read_text())
    assert check.status == OK, check.detail
    assert seen is not None
    assert seen["title"].value == expected["title"] and seen["title"].source == "#title_area"
    assert not any(f.fallback for f in seen.values())
    assert check.shapes["captions_in_text"] == 0 and check.shapes["players_in_text"] == 0
    assert check.shapes["content_hash"] == expected["content_hash"]
    fields = check.shapes["fields"]
    assert all(
        len(f["value"]) <= MAX_FIELD_CHARS for f in fields.values() if isinstance(f["value"], str)
    )


def test_a_title_element_of_another_class_is_drift_while_og_title_carries_it() -> None:
    page = ARTICLE_PAGE.replace(TITLE_ELEMENT, b'class="media_end_title_v2"')
    check, seen = check_news_article(ARTICLE, page, "text/html; charset=utf-8", date(2026, 2, 12))
    assert check.status == DRIFT
    assert seen is not None and seen["title"].fallback
    assert (
        "title from meta og:title (#title_area, h2.media_end_head_headline found nothing)"
        in check.detail
    )


def test_a_title_gone_everywhere_fails_the_article_and_the_fields() -> None:
    page = _without_title(ARTICLE_PAGE)
    check, seen = check_news_article(ARTICLE, page, "text/html; charset=utf-8", date(2026, 2, 12))
    assert check.status == FAILED
    assert "a crawl would fail it" in check.detail and "#title_area" in check.detail
    assert seen is not None
    fields = check_fields([seen, seen])
    assert fields.status == FAILED
    assert fields.detail.startswith(
        "title missing on all 2: #title_area, h2.media_end_head_headline"
    )


def _without_title(page: bytes) -> bytes:
    for old, new in _TITLE_GONE:
        page = page.replace(old, new)
    return page


_TITLE_GONE = [
    (TITLE_ELEMENT, b'class="media_end_title_v2"'),
    (b'property="og:title"', b'property="og:headline"'),
    (b'name="twitter:title"', b'name="twitter:headline"'),
    (b"<title>", b"<meta name=x>"),
    (b"</title>", b""),
]


def test_a_caption_glued_into_the_text_is_drift() -> None:
    page = (FIXTURES / "articles" / "082_0001252309" / "body.html").read_bytes()
    article = ArticleId("082", "0001252309")
    good, _ = check_news_article(article, page, "text/html", date(2024, 1, 22))
    assert good.status == OK and good.shapes["captions"] == 1  # seen, and kept out
    # The caption's text also as a paragraph of the body (as a changed layout would give).
    caption = "전기장판 올바른 사용법. 전기안전공사 제공".encode()
    opening = b'<article id="dic_area" class="go_trans _article_content">'
    glued = page.replace(opening, opening + caption + b"<br><br>")
    check, _ = check_news_article(article, glued, "text/html", date(2024, 1, 22))
    assert check.status == DRIFT and "1 photo caption(s) in the text" in check.detail


def test_robots_and_blocking() -> None:
    robots = b"User-agent: Yeti\nAllow: /\nUser-agent: *\nDisallow: /\n"
    assert check_robots("news.naver.com", 200, robots, False).status == OK
    obeyed = check_robots("news.naver.com", 200, robots, True)
    assert obeyed.status == FAILED and "a crawl would collect nothing" in obeyed.detail
    assert check_robots("news.naver.com", 403, b"denied", False).detail == "blocked: HTTP 403"
    assert blocking_sign(200, b"   ") == "an empty answer (3 bytes)"
    assert blocking_sign(429, b"{}") == "HTTP 429"
    assert blocking_sign(200, b"x" * 100) is None
    # A well-formed short JSON answer is no sign: its step reads it (quiet, or drift).
    assert blocking_sign(200, b'{"result":{"newsList":[]}}') is None
    assert blocking_sign(200, b"[]") is None
    assert blocking_sign(200, b"<html></html>") == "an empty answer (13 bytes)"


def test_comment_probe_and_search_on_real_and_documented_answers() -> None:
    body = (
        FIXTURES / "comments" / "cbox_news015_0002303155_pageSize1_2022-02-18.body.jsonp"
    ).read_bytes()
    probe = check_comment_probe(ArticleId("015", "0002303155"), body)
    assert probe.status == OK and probe.shapes["total"] is not None
    refused = check_comment_probe(
        ArticleId("015", "0002303155"),
        b'_cb({"success":false,"code":"3999","message":"referer"});',
    )
    assert refused.status == FAILED and "code 3999" in refused.detail
    answer = {
        "total": 3,
        "start": 1,
        "display": 1,
        "items": [
            {
                "title": "<b>뉴스</b>",
                "originallink": "https://press.example/1",
                "link": "https://n.news.naver.com/mnews/article/001/0000000001?sid=100",
                "description": "",
                "pubDate": "Sat, 30 May 2026 12:00:00 +0900",
            }
        ],
    }
    ok = check_search(200, json.dumps(answer).encode())
    assert ok.status == OK and ok.detail == "1 result(s) of 3, 1 on Naver, 1 dated"
    quota = check_search(429, b'{"errorMessage": "Query limit exceeded", "errorCode": "010"}')
    assert quota.status == FAILED and "quota is used up" in quota.detail


def test_the_worst_check_decides_the_exit_status() -> None:
    assert worst([Check("a", OK, ""), Check("b", "skipped", "")]) == (0, OK)
    assert worst([Check("a", OK, ""), Check("b", DRIFT, "")]) == (5, DRIFT)
    assert worst([Check("a", FAILED, ""), Check("b", DRIFT, "")]) == (1, FAILED)
    assert planned_requests(True) == planned_requests(False) + 1 <= 30


# -- the command, against the fake ---------------------------------------------------------------

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    world = default_world()
    world.page_size = 1  # three pages of each cursor list on the day
    with FakeNaver(world).start() as server:
        yield server


def doctor(
    fake: FakeNaver, tmp_path: Path, *args: str, key: bool = False
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path / "doctor.json"
    result = run_newsbot(
        "doctor",
        "--date",
        "2026-05-30",
        "-o",
        str(report),
        *FAST,
        *args,
        env=search_env(fake, TEST_KEY if key else None),
        timeout=180,
    )
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, data


def announced(result: subprocess.CompletedProcess[str]) -> int:
    first = result.stdout.splitlines()[0]
    return int(first.split("with at most ")[1].split()[0])


def rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["step"]: c for c in data["checks"]}


@pytest.mark.e2e
def test_a_clean_run_is_ok_and_asks_no_more_than_it_announced(
    fake: FakeNaver, tmp_path: Path
) -> None:
    result, data = doctor(fake, tmp_path, key=True)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    limit = announced(result)
    # Every announced request was needed, and made: none more, and no step left unchecked.
    assert len(fake.records) == limit == data["requests"]["announced"]
    assert data["requests"]["made"] == len(fake.records)
    assert [c["step"] for c in data["checks"] if c["status"] not in (OK,)] == []
    assert all(r.status != 502 for r in fake.records)
    steps = rows(data)
    for step in (
        "robots.txt news.naver.com",
        "cursor list 100/264 page 3",
        "cursor list 101/258 page 3",
        "old list 100/264",
        "sports list kbaseball",
        "entertainment list",
        "fields of 3 n.news article(s)",
        "Search API",
        "blocking",
    ):
        assert steps[step]["status"] == OK, (step, steps.get(step))
    # The press list checked is that of a press the day's section lists name.
    (press_step,) = [s for s in steps if s.startswith("press list ")]
    assert steps[press_step]["status"] == OK
    day_presses = {a.oid for a in fake.world.articles if a.day == "20260530"}
    assert press_step.split()[-1] in day_presses
    kinds = [s.split()[1] for s in steps if s.startswith("article ")]
    assert sorted(kinds) == ["entertain", "n.news", "n.news", "n.news", "sports"]
    assert any(s.startswith("comment count ") for s in steps)
    assert data["status"] == "ok" and data["exit_code"] == 0
    assert data["settings"]["user_agent"].startswith("newsbot/")
    text = json.dumps(data, ensure_ascii=False)
    assert TEST_KEY[1] not in text and TEST_KEY[0] not in text
    for check in data["checks"]:
        for f in check["shapes"].get("fields", {}).values():
            value = f["value"] if isinstance(f, dict) else f
            assert not isinstance(value, str) or len(value) <= MAX_FIELD_CHARS
    table = result.stdout
    assert "step" in table and "result" in table and "newsbot doctor: OK (exit 0)" in table


@pytest.mark.e2e
def test_cursors_of_a_new_shape_are_drift(fake: FakeNaver, tmp_path: Path) -> None:
    fake.world.cursor_style = "opaque"
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 5, result.stdout + result.stderr[-3000:]
    check = rows(data)["cursor list 100/264 page 1"]
    assert check["status"] == DRIFT and "a cursor of a new shape" in check["detail"]
    assert check["shapes"]["cursor"]["known"] is False
    assert rows(data)["cursor list 100/264 page 3"]["status"] == DRIFT  # it was followed
    assert len(fake.records) <= announced(result)
    assert "newsbot doctor: DRIFT (exit 5)" in result.stdout


@pytest.mark.e2e
def test_listing_cards_of_another_class_fail_naming_step_and_selector(
    fake: FakeNaver, tmp_path: Path
) -> None:
    fake.world.markup_changes = [(b"sa_item", b"sa_card")]
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    check = rows(data)["cursor list 100/264 page 1"]
    assert check["status"] == FAILED
    assert "no cards: li.sa_item found nothing" in check["detail"]
    assert "cursor list 100/264 page 1" in result.stdout.split("li.sa_item")[0].splitlines()[-1]
    assert len(fake.records) <= announced(result)


@pytest.mark.e2e
def test_a_title_element_of_another_class(fake: FakeNaver, tmp_path: Path) -> None:
    # Renamed, the title still comes from og:title: drift (a crawl still works).
    fake.world.markup_changes = [(TITLE_ELEMENT, b'class="media_end_title_v2"')]
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 5, result.stdout + result.stderr[-3000:]
    news = [c for s, c in rows(data).items() if s.startswith("article n.news")]
    assert len(news) == 3 and all(c["status"] == DRIFT for c in news)
    assert all("title from meta og:title" in c["detail"] for c in news)
    # Renamed and the metas gone too: a crawl would lose every article: failed.
    fake.world.markup_changes = list(_TITLE_GONE)
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    fields = rows(data)["fields of 3 n.news article(s)"]
    assert fields["status"] == FAILED
    assert fields["detail"].startswith(
        "title missing on all 3: #title_area, h2.media_end_head_headline"
    )


@pytest.mark.e2e
def test_a_site_that_answers_403_is_blocked(fake: FakeNaver, tmp_path: Path) -> None:
    for host in (
        "news.naver.com",
        "n.news.naver.com",
        "api-gw.sports.naver.com",
        "api-gw.entertain.naver.com",
        "apis.naver.com",
    ):
        fake.world.set_override(
            f"https://{host}/*",
            Override(403, {"Content-Type": "text/html"}, b"<html>Forbidden</html>"),
        )
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    blocking = rows(data)["blocking"]
    assert blocking["status"] == FAILED and blocking["detail"].startswith("blocked: HTTP 403 from")
    assert rows(data)["cursor list 100/264 page 1"]["detail"] == "blocked: HTTP 403"
    assert len(fake.records) <= announced(result)


@pytest.mark.e2e
def test_a_bad_date_is_one_line_and_no_request(fake: FakeNaver, tmp_path: Path) -> None:
    env = crawl_env(fake)
    for bad in ("2026-13-01", "2999-01-01"):
        result = run_newsbot("doctor", "--date", bad, env=env, timeout=60)
        assert result.returncode == 2
        assert result.stderr.startswith("newsbot: error: ") and result.stderr.count("\n") == 1
    assert fake.records == []


def test_a_sports_article_through_its_json_keeps_captions_and_players_out() -> None:
    from newsbot.doctor import check_api_article

    body = (FIXTURES / "api" / "sports_article_001_0016364477.json").read_bytes()
    check = check_api_article("sports", ArticleId("001", "0016364477"), body)
    # The hand-made answer's content has a photo with its caption and a video player
    # (tests/fixtures/api/README.md).
    assert check.status == OK, check.detail
    assert check.shapes["captions"] >= 1 and check.shapes["captions_in_text"] == 0
    assert check.shapes["players"] >= 1 and check.shapes["players_in_text"] == 0
    assert check.shapes["fields"]["title"] and check.shapes["content_hash"]
    broken = check_api_article("sports", ArticleId("001", "0016364477"), b"<html>no</html>")
    assert broken.status == DRIFT and "renders the page in Chromium instead" in broken.detail


@pytest.mark.e2e
def test_a_well_formed_empty_list_is_quiet_never_blocked(fake: FakeNaver, tmp_path: Path) -> None:
    """A sports list that lists nothing for the day, in its known shape (26 bytes of JSON),
    was called "blocked" and made the doctor say a crawl would collect nothing (exit 1)."""
    walk = Walk("sports_list", DAY, ("kbaseball",))
    empty = json.dumps({"result": {"newsList": [], "totalCount": 0}}).encode()
    fake.world.set_override(
        SOURCES["sports_list"].url(walk, 1, ""),
        Override(200, {"Content-Type": "application/json"}, empty),
    )
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    step = rows(data)["sports list kbaseball"]
    assert step["status"] == "quiet" and "no article listed" in step["detail"]
    assert "blocked" not in result.stdout
    assert rows(data)["blocking"]["status"] == OK


@pytest.mark.e2e
def test_the_press_list_is_of_a_press_the_section_lists_name(
    fake: FakeNaver, tmp_path: Path
) -> None:
    """Not a fixed press (001), which a quiet day may not have: the first press listed. On
    a day without 연합뉴스 the fixed press's list was empty: "no article", exit 1."""
    for article in [a for a in fake.world.articles if a.oid == "001"]:
        fake.world.remove_article(article.oid, article.aid)
    result, data = doctor(fake, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    (step,) = [s for s in rows(data) if s.startswith("press list ")]
    oid = step.split()[-1]
    cursor_pages = [r for r in fake.records if "SECTION_ARTICLE_LIST_FOR_LATEST" in r.url]
    press_asked = [r for r in fake.records if "mode=LPOD" in r.url and f"oid={oid}" in r.url]
    assert cursor_pages and press_asked
    assert fake.records.index(press_asked[0]) > fake.records.index(cursor_pages[0])
    # The first press of either section list's first page (both are asked at once).
    from tests.fakenaver.site import Site

    firsts = set()
    for sid1, sid2 in (("100", "264"), ("101", "258")):
        walk = Walk("latest", DAY, (sid1, sid2))
        url = SOURCES["latest"].url(walk, 1, "")
        answer = Site(fake.world).respond("GET", url)
        listing = SOURCES["latest"].parse(answer.body, "application/json", url, walk)
        firsts.add(listing.articles[0].oid)
    assert oid in firsts, (oid, firsts)
