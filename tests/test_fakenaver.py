"""The fake Naver (tests/fakenaver): reached through a proxy exactly like the real site."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.fakenaver import (
    CURSOR_STYLES,
    ArticleSpec,
    FakeNaver,
    Override,
    World,
    control,
    default_world,
    synthetic_world,
)
from tests.fakenaver.world import listing_keys

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_URL = (
    "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"
    "?sid={sid1}&sid2={sid2}&cluid=&pageNo={page}&date={day}&next={cursor}"
)
CARD_LINK = re.compile(
    r'<a href="https://n\.news\.naver\.com/mnews/article/(\d{3})/(\d{10})"'
    r' class="sa_text_title'
)


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()) as server:
        yield server


@pytest.fixture
def small_pages() -> Iterator[FakeNaver]:
    """The default world in pages of 3 (the old default): its days take several pages."""
    with FakeNaver(default_world(page_size=3)) as server:
        yield server


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(fake: FakeNaver, follow_redirects: bool = True) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({"http": fake.proxy_url, "https": fake.proxy_url}),
        urllib.request.HTTPSHandler(context=_tls_context()),
    ]
    if not follow_redirects:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def _get(fake: FakeNaver, url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body; HTTP errors are returned, not raised."""
    try:
        with _opener(fake).open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _section_page(
    fake: FakeNaver, sid1: str, sid2: str, day: str, cursor: str = "", page: int = 1
) -> str:
    url = TEMPLATE_URL.format(sid1=sid1, sid2=sid2, page=page, day=day, cursor=cursor)
    status, headers, body = _get(fake, url)
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    fragment = json.loads(body)["renderedComponent"]["SECTION_ARTICLE_LIST_FOR_LATEST"]
    assert isinstance(fragment, str)
    return fragment


def _attr(fragment: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', fragment)
    assert match, name
    return match.group(1)


def _ids_of_day(world: World, sid1: str, sid2: str, day: str) -> set[tuple[str, str]]:
    return {a.key for a in world.listed(sid1, sid2) if a.day == day}


# -- articles --------------------------------------------------------------------------------


def test_article_page_is_synthesised_from_the_real_page(fake: FakeNaver) -> None:
    spec = fake.world.get_article("082", "0001260001")
    assert spec is not None
    status, headers, body = _get(
        fake, "https://n.news.naver.com/mnews/article/082/0001260001?sid=100"
    )
    assert status == 200
    assert headers["Content-Type"] == "text/html;charset=UTF-8"
    html = body.decode("utf-8")
    assert '<h2 id="title_area" class="media_end_head_headline"><span>' in html
    assert '정부 "금융 취약계층 지원 &amp; 예산 확대" 발표' in html  # the title, escaped
    assert f'data-date-time="{spec.published}"' in html
    assert "section=100" in html and "0001252309" not in html
    body_html = html[html.index('id="dic_area"') :]
    assert "<br><br>".join(spec.paragraphs[:2]) in body_html


def test_bare_article_url_serves_the_same_page(fake: FakeNaver) -> None:
    first = _get(fake, "https://n.news.naver.com/mnews/article/421/0008810001")
    second = _get(fake, "https://n.news.naver.com/article/421/0008810001")
    assert first[0] == second[0] == 200
    assert first[2] == second[2]


def test_legacy_fixture_is_served_as_euc_kr(fake: FakeNaver) -> None:
    status, headers, body = _get(fake, "https://n.news.naver.com/mnews/article/029/0002625369")
    assert status == 200
    assert headers["Content-Type"] == "text/html;charset=EUC-KR"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert 'id="articleTitle"' in body.decode("cp949")


def test_updating_the_world_changes_the_page(fake: FakeNaver) -> None:
    url = "https://n.news.naver.com/mnews/article/001/0015100001"
    assert "새로 추가된 문단" not in _get(fake, url)[2].decode()
    fake.world.update_article("001", "0015100001", new_paragraph_text="새로 추가된 문단")
    assert "<br><br>새로 추가된 문단" in _get(fake, url)[2].decode()


def test_legacy_read_url_redirects_to_mnews(fake: FakeNaver) -> None:
    url = "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369"
    with pytest.raises(urllib.error.HTTPError) as raised:
        _opener(fake, follow_redirects=False).open(url, timeout=10)
    with raised.value as error:
        assert error.code == 302
        assert error.headers["Location"] == (
            "https://n.news.naver.com/mnews/article/029/0002625369?sid=100"
        )
    status, _, _ = _get(fake, url.replace("read.naver", "read.nhn"))  # followed: the page
    assert status == 200


def test_unknown_and_deleted_articles_are_404(fake: FakeNaver) -> None:
    for url in (
        "https://n.news.naver.com/mnews/article/001/0000000001",
        "https://n.news.naver.com/mnews/article/001/0015999999",  # deleted in the world
        "https://news.naver.com/no/such/page",
    ):
        status, headers, body = _get(fake, url)
        assert status == 404, url
        assert headers["Content-Type"] == "text/html;charset=UTF-8"
        assert b"title_area" not in body


def test_sports_article_redirects_off_n_news(fake: FakeNaver) -> None:
    url = "https://n.news.naver.com/mnews/article/117/0003900001"
    with pytest.raises(urllib.error.HTTPError) as raised:
        _opener(fake, follow_redirects=False).open(url, timeout=10)
    with raised.value as error:
        assert error.code == 302
        location = error.headers["Location"]
    assert location == "https://m.sports.naver.com/kbaseball/article/117/0003900001"
    status, _, body = _get(fake, "https://api-gw.sports.naver.com/news/article/117/0003900001")
    assert status == 200
    article = json.loads(body)["result"]["articleInfo"]["article"]
    assert (article["officeId"], article["articleId"]) == ("117", "0003900001")


def test_non_naver_hosts_are_refused(fake: FakeNaver) -> None:
    with pytest.raises(urllib.error.URLError) as raised:
        _opener(fake).open("https://example.com/", timeout=10)
    assert "502" in str(raised.value.reason)
    status, _, _ = _get(fake, "http://example.com/")
    assert status == 502
    assert fake.count("example.com") == 2


def test_robots_txt_disallows_everything(fake: FakeNaver) -> None:
    for host in ("news.naver.com", "n.news.naver.com"):
        status, _, body = _get(fake, f"https://{host}/robots.txt")
        assert status == 200
        assert body == b"User-agent: *\nDisallow: /\n"


# -- the section "more" endpoint --------------------------------------------------------------


@pytest.mark.parametrize("page_size", [3, 36])
def test_section_template_pages_by_cursor_to_the_end_of_the_day(page_size: int) -> None:
    with FakeNaver(default_world(page_size=page_size)) as fake:
        world = fake.world
        for sid1, sid2 in (("100", "264"), ("100", "265"), ("101", "259"), ("101", "258")):
            for day in ("20260530", "20260529"):
                expected = _ids_of_day(world, sid1, sid2, day)
                assert 2 <= len(expected) <= 5
                seen: list[tuple[str, str]] = []
                cursor, page = "", 1
                while True:
                    fragment = _section_page(fake, sid1, sid2, day, cursor, page)
                    assert _attr(fragment, "data-date") == day
                    cursor = _attr(fragment, "data-cursor")
                    assert re.fullmatch(r"\d{19}", cursor), cursor
                    if not cursor.startswith(day):  # the list ran into the previous day: stop
                        break
                    seen.extend(CARD_LINK.findall(fragment))
                    if _attr(fragment, "data-has-next") != "true":
                        break
                    page += 1
                    assert page < 10
                assert sorted(seen) == sorted(expected), (sid1, sid2, day)
                assert len(seen) == len(set(seen))


def test_section_template_cursor_runs_into_the_previous_day(small_pages: FakeNaver) -> None:
    day, cursor = "20260530", ""
    cursors = []
    for _ in range(5):
        fragment = _section_page(small_pages, "101", "258", day, cursor)
        assert '<li class="sa_item' in fragment
        cursor = _attr(fragment, "data-cursor")
        cursors.append(cursor)
        if not cursor.startswith(day):
            break
    # 5 items on the 30th in pages of 3, then the 29th's items with has-next still true.
    assert [c[:8] for c in cursors] == ["20260530", "20260530", "20260529"]
    assert all(len(c) == 19 for c in cursors)
    assert _attr(fragment, "data-has-next") == "false"


def test_a_day_fits_one_page_of_36_by_default(fake: FakeNaver) -> None:
    assert fake.world.page_size == 36
    fragment = _section_page(fake, "101", "258", "20260530")
    assert len(CARD_LINK.findall(fragment)) == 5  # the whole day; the 29th comes next
    assert _attr(fragment, "data-has-next") == "true"
    nxt = _section_page(fake, "101", "258", "20260530", _attr(fragment, "data-cursor"), 2)
    assert _attr(nxt, "data-cursor").startswith("20260529")
    assert _attr(nxt, "data-has-next") == "false"


def test_section_template_page_no_alone_does_not_advance(fake: FakeNaver) -> None:
    first = _section_page(fake, "101", "258", "20260530", page=1)
    again = _section_page(fake, "101", "258", "20260530", page=2)
    assert CARD_LINK.findall(first) == CARD_LINK.findall(again)
    assert _attr(again, "data-page-no") == "2"


def test_cross_listed_article_appears_in_both_sections(fake: FakeNaver) -> None:
    politics = _section_page(fake, "100", "265", "20260530")
    economy = _section_page(fake, "101", "259", "20260530")
    assert ("082", "0001260001") in CARD_LINK.findall(politics)
    assert ("082", "0001260001") in CARD_LINK.findall(economy)


def test_section_cards_use_the_real_markup(small_pages: FakeNaver) -> None:
    fragment = _section_page(small_pages, "100", "264", "20260530")
    assert fragment.startswith('<div class="section_latest_article _CONTENT_LIST _PERSIST_META"')
    assert 'data-cursor-name="next"' in fragment and '<ul class="sa_list">' in fragment
    for cls in ("sa_thumb_link", "sa_text_strong", "sa_text_lede", "sa_text_press"):
        assert fragment.count(f'class="{cls}') == 3, cls
    # Newest first, and the first item is the one published at 23:59:50.
    assert CARD_LINK.findall(fragment)[0] == ("001", "0015100001")
    cursor = _attr(fragment, "data-cursor")  # the last card's: 19 digits, like Naver's
    assert re.fullmatch(r"2026053009051\d{6}", cursor) and cursor.startswith("20260530090512")


# -- cursors of the "more" endpoint -----------------------------------------------------------

DAY = "20260530"


def _tied_world(cursor_style: str = "real") -> World:
    """200 articles in 100/264 on the 30th, five to a second (a tie group straddles every
    page boundary of 36: 36 = 7 * 5 + 1), and 7 on the 29th; none in another listing."""
    world = World(cursor_style=cursor_style)
    for n in range(200):
        minute = 24 * 60 - 1 - n // 5  # five to a minute's :59, newest at 23:59:59
        world.add_article(
            ArticleSpec(
                oid=f"{1 + n % 7:03d}",
                aid=f"{n + 1:010d}",
                sid1="100",
                sid2="264",
                published=f"2026-05-30 {minute // 60:02d}:{minute % 60:02d}:59",
                title=f"기사 {n}",
                paragraphs=["본문."],
            )
        )
    for n in range(7):
        world.add_article(
            ArticleSpec(
                oid="001",
                aid=f"{9_000_000_000 + n:010d}",
                sid1="100",
                sid2="264",
                published=f"2026-05-29 1{n}:00:00",
                title=f"전날 기사 {n}",
            )
        )
    return world


def _walk(
    fake: FakeNaver, day: str = DAY, *, max_pages: int = 20
) -> list[tuple[list[tuple[str, str]], str, str]]:
    """Every page of 100/264 from the first: (cards, data-cursor, data-has-next), passing each
    cursor back exactly as given, until has-next is false (or ``max_pages``)."""
    out = []
    cursor = ""
    for page in range(1, max_pages + 1):
        fragment = _section_page(fake, "100", "264", day, cursor, page)
        cursor = _attr(fragment, "data-cursor")
        has_next = _attr(fragment, "data-has-next")
        out.append((CARD_LINK.findall(fragment), cursor, has_next))
        if has_next != "true":
            break
    return out


def test_listing_keys_are_19_digits_strictly_decreasing_through_ties() -> None:
    world = _tied_world()
    listing = world.latest_listing("100", "264")
    keys = [key for key, _ in listing]
    assert keys == listing_keys([a for _, a in listing])
    assert all(re.fullmatch(r"\d{19}", k) and k.startswith(a.cursor) for k, a in listing)
    assert all(newer > older for newer, older in itertools.pairwise(keys))
    assert len({k[:14] for k in keys}) < len(keys)  # there are ties to break


def test_real_cursors_page_through_a_day_36_cards_a_page() -> None:
    world = _tied_world()
    with FakeNaver(world) as fake:
        walk = _walk(fake)
    expected = [a.key for a in world.listed("100", "264")]
    of_day = [(oid, aid) for oid, aid in expected if not aid.startswith("9")]
    cursors = [cursor for _, cursor, _ in walk]
    assert all(re.fullmatch(r"\d{19}", c) for c in cursors), cursors
    assert all(a > b for a, b in itertools.pairwise(cursors))  # strictly down
    day_pages = [cards for cards, cursor, _ in walk if cursor.startswith(DAY)]
    assert [len(cards) for cards in day_pages] == [36] * 5 + [20]
    seen = [card for cards in day_pages for card in cards]
    assert seen == of_day  # newest first, no duplicate, nothing missing (ties included)
    # Then the 29th, in one page, and the end.
    assert walk[-1][1].startswith("20260529") and len(walk[-1][0]) == 7
    assert walk[-1][2] == "false"
    assert [card for cards, _, _ in walk for card in cards] == expected


def test_short_cursors_are_the_old_14_digits() -> None:
    with FakeNaver(default_world(page_size=3)) as fake:
        fake.world.cursor_style = "short"
        walk = _walk(fake)
        listed = [a for a in fake.world.listed("100", "264") if a.day in ("20260529", DAY)]
    assert all(re.fullmatch(r"\d{14}", c) for _, c, _ in walk)
    # The cursor is the last card's publication second, as before.
    assert [c for _, c, _ in walk][:2] == [listed[2].cursor, listed[3].cursor]
    assert [card for cards, _, _ in walk for card in cards] == [a.key for a in listed]
    # Legacy semantics: strictly older seconds, so a tie at a page boundary is skipped.
    tied = _tied_world("short")
    with FakeNaver(tied) as fake:
        short_walk = _walk(fake)
    seen = {card for cards, _, _ in short_walk for card in cards}
    lost = [a for a in tied.listed("100", "264") if a.key not in seen]
    assert len(seen) == 5 * 36 + 7 and len(lost) == 5 * 4
    assert {a.cursor for a in lost} <= {cursor for _, cursor, _ in short_walk}


def test_opaque_cursors_round_trip() -> None:
    real, opaque = _tied_world(), _tied_world("opaque")
    with FakeNaver(real) as fake:
        real_walk = _walk(fake)
    with FakeNaver(opaque) as fake:
        walk = _walk(fake)
        tokens = [cursor for _, cursor, _ in walk]
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+", t) and re.search(r"[A-Za-z]", t) for t in tokens)
        assert not any(t.startswith(("2026", "2025")) for t in tokens)
        assert len(set(tokens)) == len(tokens)
        # Decoded back to the real cursor of the same card.
        assert [opaque.decode_cursor(t) for t in tokens] == [c for _, c, _ in real_walk]
        assert [cards for cards, _, _ in walk] == [cards for cards, _, _ in real_walk]
        # A token the fake cannot decode (or a digits cursor) answers the first page.
        first = CARD_LINK.findall(_section_page(fake, "100", "264", DAY))
        for bad in ("garbage", tokens[0][:-3], real_walk[0][1], "!!"):
            assert CARD_LINK.findall(_section_page(fake, "100", "264", DAY, bad)) == first, bad
    assert opaque.decode_cursor("") is None


def test_repeat_cursor_loops_on_the_first_page() -> None:
    world = _tied_world("repeat")
    with FakeNaver(world) as fake:
        walk = _walk(fake, max_pages=4)
    assert len(walk) == 4
    cards, cursor, has_next = walk[0]
    assert len(cards) == 36 and re.fullmatch(r"\d{19}", cursor) and has_next == "true"
    assert all(page == (cards, cursor, "true") for page in walk)


def test_cursor_style_is_checked_and_settable_by_control() -> None:
    assert CURSOR_STYLES == ("real", "short", "opaque", "repeat")
    assert World().cursor_style == "real" and World().page_size == 36
    with pytest.raises(ValueError):
        World(cursor_style="long")
    with FakeNaver(default_world()) as fake:
        assert control(fake.port, "settings", {"cursor_style": "opaque"}) == {"ok": True}
        assert fake.world.cursor_style == "opaque"
        with pytest.raises(urllib.error.HTTPError) as raised:
            control(fake.port, "settings", {"cursor_style": "long"})
        with raised.value as error:
            assert error.code == 400
        assert fake.world.cursor_style == "opaque"


# -- old list.naver pages ---------------------------------------------------------------------


def _old_list(fake: FakeNaver, query: str) -> str:
    status, headers, body = _get(fake, f"https://news.naver.com/main/list.naver?{query}")
    assert status == 200
    assert headers["Content-Type"] == "text/html;charset=EUC-KR"
    return body.decode("cp949")


def _old_links(page: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<dt>\s*<a href="https://n\.news\.naver\.com/mnews/article/(\d{3})/(\d{10})\?sid=\d+">',
        page,
    )


def test_ls2d_list_is_euc_kr_with_real_markup(fake: FakeNaver) -> None:
    page = _old_list(fake, "mode=LS2D&mid=shm&sid1=101&sid2=258&date=20260530&page=1")
    assert '<meta charset="euc-kr">' in page
    assert '<ul class="type06_headline">' in page and '<ul class="type06">' in page
    links = _old_links(page)
    assert links == [("421", "0008810003"), ("003", "0012610002"), ("001", "0015100005"),
                     ("640", "0000080001")]  # fmt: skip
    assert '<span class="writing">뉴스1</span>' in page
    assert "<strong>1</strong>" in page
    assert 'href="?mode=LS2D&mid=shm&sid1=101&sid2=258&date=20260530&page=2"' in page
    page2 = _old_list(fake, "mode=LS2D&mid=shm&sid1=101&sid2=258&date=20260530&page=2")
    assert _old_links(page2) == [("421", "0008810004")]


def test_old_list_past_the_end_returns_the_last_page(fake: FakeNaver) -> None:
    last = _old_list(fake, "mode=LS2D&mid=shm&sid1=101&sid2=258&date=20260530&page=2")
    past = _old_list(fake, "mode=LS2D&mid=shm&sid1=101&sid2=258&date=20260530&page=99")
    assert _old_links(past) == _old_links(last)
    assert "<strong>2</strong>" in past


def test_lsd_and_lpod_lists(fake: FakeNaver) -> None:
    section = _old_list(fake, "mode=LSD&mid=sec&sid1=100&date=20260529&page=1")
    assert len(_old_links(section)) == 4
    press = _old_list(fake, "mode=LPOD&mid=sec&oid=421&date=20260530&page=1")
    assert all(oid == "421" for oid, _ in _old_links(press))
    assert len(_old_links(press)) == 4


def test_old_list_paging_blocks_of_ten() -> None:
    world = synthetic_world(300, seed=3, old_page_size=2)
    assert len([a for a in world.listed("100") if a.day == "20260530"]) > 24
    with FakeNaver(world) as fake:
        page = _old_list(fake, "mode=LSD&mid=sec&sid1=100&date=20260530&page=12")
    assert "<strong>12</strong>" in page
    assert 'page=10" class="pre nclicks(fls.page)">' in page
    assert 'page=11" class="nclicks(fls.page)">11</a>' in page
    assert 'page=21" class="next nclicks(fls.page)">' in page
    assert len(_old_links(page)) == 2


# -- transport ------------------------------------------------------------------------------


def test_keep_alive_and_head_through_the_tunnel(fake: FakeNaver) -> None:
    connection = http.client.HTTPSConnection("127.0.0.1", fake.port, context=_tls_context())
    connection.set_tunnel("n.news.naver.com", 443)
    try:
        lengths = []
        for method in ("GET", "HEAD", "GET"):
            connection.request(method, "/mnews/article/421/0008810001")
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200
            lengths.append((int(response.getheader("Content-Length") or -1), len(body)))
    finally:
        connection.close()
    size = lengths[0][0]
    assert lengths == [(size, size), (size, 0), (size, size)]
    assert fake.count("/mnews/article/421/0008810001") == 3
    assert fake.count("0008810001", method="HEAD") == 1


def test_concurrent_requests(fake: FakeNaver) -> None:
    urls = [a.url for a in fake.world.articles if a.listed]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: _get(fake, url)[0], urls * 2))
    assert statuses == [200] * len(urls) * 2
    assert fake.count(lambda method, url: "/mnews/article/" in url) == len(urls) * 2
    fake.reset_log()
    assert fake.requests == []


def test_overrides_and_log_file(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    url = "https://n.news.naver.com/mnews/article/001/0015100001"
    with FakeNaver(default_world(), log_path=log) as fake:
        fake.world.set_override(url, Override(status=503, body=b"busy", times=1))
        assert _get(fake, url)[:1] == (503,)
        assert _get(fake, url)[0] == 200
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["method"], r["url"], r["status"]) for r in lines] == [
        ("GET", url, 503),
        ("GET", url, 200),
    ]


def test_plain_http_absolute_uri_is_answered(fake: FakeNaver) -> None:
    status, _, body = _get(fake, "http://n.news.naver.com/mnews/article/421/0008810001")
    assert status == 200 and b'id="title_area"' in body
    assert fake.requests[-1] == ("GET", "http://n.news.naver.com/mnews/article/421/0008810001")


PROBE_SPIDER = """
import scrapy


class Probe(scrapy.Spider):
    name = "probe"
    custom_settings = {"ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False}

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url)

    def parse(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "encoding": response.encoding,
            "title": response.css("#title_area span::text, #articleTitle::text").get(),
        }
"""


def test_scrapy_reaches_the_fake_through_proxy_env(tmp_path: Path) -> None:
    """Scrapy's own proxy support (CONNECT + TLS via Twisted) talks to the fake."""
    urls = [
        "https://n.news.naver.com/mnews/article/001/0015100001",
        "https://n.news.naver.com/mnews/article/029/0002625369",
        "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=001&oid=082&aid=0001260001",
        "http://n.news.naver.com/mnews/article/421/0008810001",
    ]
    spider = tmp_path / "probe.py"
    spider.write_text(f"URLS = {urls!r}\n{PROBE_SPIDER}")
    output = tmp_path / "items.jsonl"
    with FakeNaver(default_world()) as fake:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "runspider", str(spider), "-o", f"{output}:jsonl",
             "-s", "LOG_LEVEL=WARNING"],
            cwd=tmp_path,
            env={**os.environ, **fake.env()},
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        served = fake.requests
    items = {item["url"]: item for item in map(json.loads, output.read_text().splitlines())}
    assert items[urls[0]]["title"] == "자정 직전 송고된 선거 관리 점검 기사"
    assert items[urls[1]]["encoding"] == "cp949"
    moved = "https://n.news.naver.com/mnews/article/082/0001260001?sid=100"
    assert items[moved]["status"] == 200
    assert items[urls[3]]["status"] == 200
    assert sorted(url for _, url in served) == sorted([*urls, moved])


# -- worlds ---------------------------------------------------------------------------------


def test_default_world_shape() -> None:
    world = default_world()
    for day in ("20260529", "20260530"):
        for sid1, sid2s in (("100", ("264", "265")), ("101", ("259", "258"))):
            for sid2 in sid2s:
                listed = [a for a in world.listed(sid1, sid2) if a.day == day]
                assert 2 <= len(listed) <= 5
                assert len({a.cursor for a in listed}) == len(listed)  # cursors never tie
        for oid in ("001", "421"):
            assert any(a.day == day for a in world.listed_by_press(oid))
    times = {a.published[11:] for a in world.articles if a.listed}
    assert {"00:00:30", "23:59:50"} <= times


def test_synthetic_world_is_deterministic_and_renders() -> None:
    first, second = synthetic_world(60, seed=7), synthetic_world(60, seed=7)
    assert [(a.key, a.title) for a in first] == [(a.key, a.title) for a in second]
    assert {a.sid1 for a in first} == {"100", "101", "102", "103", "104", "105"}
    assert len({a.base for a in first}) == 5
    assert len({a.cursor for a in first}) == 60
    spec = first.articles[0]
    with FakeNaver(first) as fake:
        status, _, body = _get(fake, spec.url)
    assert status == 200 and spec.paragraphs[0] in body.decode()


def test_article_spec_validates() -> None:
    with pytest.raises(ValueError):
        ArticleSpec("1", "0000000001", "100", "264", "2026-05-30 00:00:00", "t")
    with pytest.raises(ValueError):
        ArticleSpec("001", "0000000001", "100", "264", "2026-05-30", "t")


# -- the command line -----------------------------------------------------------------------


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakenaver", "--port", "0", "--world", "default",
         "--log", str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"READY (\d+)\n", line)
        assert match, line
        port = int(match.group(1))
        assert control(port, "health", method="GET")["ok"] is True
        control(port, "articles/001/0015100001", {"title": "바뀐 제목"})
        context = _tls_context()
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
        connection.set_tunnel("n.news.naver.com", 443)
        try:
            connection.request("GET", "/mnews/article/001/0015100001")
            response = connection.getresponse()
            assert response.status == 200
            assert "바뀐 제목" in response.read().decode()
        finally:
            connection.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[-1]["url"] == "https://n.news.naver.com/mnews/article/001/0015100001"
