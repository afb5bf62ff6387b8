"""newsbot.comments: the comment API read from real answers, the paging rules, the merge."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsbot.comments import (
    MAX_PAGES,
    CommentApiError,
    CommentPage,
    Done,
    Fetch,
    Mode,
    Status,
    Thread,
    comment_record,
    comment_time,
    comment_url,
    dump_jsonl,
    merge_comments,
    parse_comment_page,
    read_jsonl,
    referer,
    template_id_of,
    unwrap_jsonp,
)
from newsbot.urls import ArticleId

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "comments"
PROBE = REAL / "cbox_news015_0002303155_pageSize1_2022-02-18.body.jsonp"
ALL_015 = REAL / "cbox_news015_0002303155_pageSize100_2022-02-18.body.jsonp"
TEN_001 = REAL / "cbox_news001_0009205077_pageSize10_2022-02-18.body.jsonp"


# -- real answers (labelled by reading the bodies, not from newsbot's output) ----------------


def test_real_probe_gives_the_count_and_one_comment() -> None:
    page = parse_comment_page(PROBE.read_bytes())
    assert page.total == 3
    assert page.status == "COMMENT_ON" and page.on
    assert page.total_rows == 3
    assert page.next == "04kc74c08jz5c" and page.end is None
    assert [c["comment_no"] for c in page.comments] == ["1077873075"]


def test_real_full_page_gives_every_comment() -> None:
    page = parse_comment_page(ALL_015.read_bytes())
    assert page.total == 3 and page.total_rows == 3
    assert [c["comment_no"] for c in page.comments] == ["1077873075", "1077872715", "1077872635"]
    first = page.comments[0]
    assert first == {
        "comment_no": "1077873075",
        "parent_comment_no": None,
        "created_at": "2017-09-25T01:00:43+09:00",
        "modified_at": "2017-09-25T01:00:43+09:00",
        "user": "park****",
        "contents": "test",
        "likes": 0,
        "dislikes": 0,
        "reply_count": 0,
        "best": False,
        "deleted": False,
    }
    # No personal field unless asked for.
    assert "user_id_no" not in first and "user_profile_image" not in first


def test_real_page_with_personal_fields() -> None:
    page = parse_comment_page(ALL_015.read_bytes(), personal=True)
    assert page.comments[0]["user_id_no"] == "Rsvz"
    assert page.comments[0]["user_profile_image"] is None  # "" in the answer


def test_real_001_page() -> None:
    page = parse_comment_page(TEN_001.read_bytes())
    assert page.total == 1
    [comment] = page.comments
    assert comment["comment_no"] == "917027292"
    assert comment["created_at"] == "2017-05-01T02:39:37+09:00"


def test_recorded_exchange_sent_a_referer() -> None:
    """What N2H4 sent (the cassette): a Referer on Naver; newsbot sends one on n.news."""
    cassette = (REAL / "n2h4_vcr_AllComment_2022-02-18.yml").read_bytes()
    sent = re.findall(rb"\n +Referer: (\S+)", cassette)
    assert len(sent) == 2 and all(r.startswith(b"https://news.naver.com/") for r in sent)


def test_real_thread_paging_stops_at_total_rows() -> None:
    """The real last page still names a ``next`` cursor: the count decides the end."""
    thread = Thread.start("015_0002303155", Mode.ALL)
    assert thread.phase == "list"
    step = thread.take(parse_comment_page(ALL_015.read_bytes()))
    assert step == Done(Status.COLLECTED)
    assert thread.count == 3 and len(thread.comments) == 3 and thread.requests == 1


@pytest.mark.parametrize(
    ("mode", "previous", "expected"),
    [
        (Mode.COUNT, None, Done(Status.COLLECTED)),
        (Mode.COUNT, 3, Done(Status.COLLECTED)),
        (Mode.ALL, 3, Done(Status.UNCHANGED)),
    ],
)
def test_real_probe(mode: Mode, previous: int | None, expected: Done) -> None:
    thread = Thread.start("015_0002303155", mode, previous=previous)
    assert thread.phase == "probe"
    assert parse_qs(urlsplit(thread.url()).query)["pageSize"] == ["1"]
    assert thread.take(parse_comment_page(PROBE.read_bytes())) == expected
    assert thread.count == 3


def test_real_probe_with_a_new_count_goes_on_to_the_list() -> None:
    thread = Thread.start("015_0002303155", Mode.ALL, previous=2)
    step = thread.take(parse_comment_page(PROBE.read_bytes()))
    assert isinstance(step, Fetch)
    query = parse_qs(urlsplit(step.url).query)
    assert query["pageSize"] == ["100"] and "moreParam.next" not in query
    assert thread.comments == {}  # the probe's one comment is read again with the list


def test_template_id_from_saved_pages() -> None:
    articles = FIXTURES / "articles"
    assert template_id_of((articles / "003_0012577249" / "body.html").read_bytes()) == (
        "view_economy"
    )
    assert template_id_of(b"<html>no comment box</html>") is None


# -- requests ------------------------------------------------------------------------------


def test_comment_url_has_what_the_site_expects() -> None:
    article = ArticleId("015", "0002303155")
    url = comment_url(article, template="view_politics", cursor="04kc738jmavn8", parent="123")
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.hostname == "apis.naver.com"
    assert parts.path == "/commentBox/cbox/web_naver_list_jsonp.json"
    query = parse_qs(parts.query)
    assert query["objectId"] == ["news015,0002303155"]
    assert query["templateId"] == ["view_politics"]
    assert query["pageType"] == ["more"] and query["pageSize"] == ["100"]
    assert query["moreParam.direction"] == ["next"]
    assert query["moreParam.next"] == ["04kc738jmavn8"]
    assert query["parentCommentNo"] == ["123"]
    assert query["includeAllStatus"] == ["true"] and query["sort"] == ["new"]
    assert "page" not in query  # page= gives the first page again (N2H4 #137)
    assert referer(article) == "https://n.news.naver.com/mnews/article/015/0002303155"


def test_cursor_is_passed_back_exactly() -> None:
    weird = "a+b/c=d&e%f 한"
    query = parse_qs(urlsplit(comment_url(ArticleId("001", "0000000001"), cursor=weird)).query)
    assert query["moreParam.next"] == [weird]


# -- JSONP and hostile answers --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'_callback({"a": 1});',
        b'_callback({"a": 1})',
        b'  jQuery1234_5678({"a": 1});\n',
        b'/**/ cb.x({"a": 1});',
        b'{"a": 1}',
    ],
)
def test_unwrap_jsonp(body: bytes) -> None:
    assert unwrap_jsonp(body) == {"a": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not JSONP"),
        (b"alert(1)", "not a JSON object"),
        (b"_callback([1, 2]);", "not a JSON object"),
        (
            '_callback({"success":false,"code":"3999","message":"잘못된 접근입니다"});'.encode(),
            "code 3999: 잘못된 접근입니다",
        ),
        (b'_callback({"success":true,"code":"1000"});', "no result"),
        (b'_callback({"success":true,"result":{"commentList":{}}});', "not a list"),
    ],
)
def test_bad_answers_are_named(body: bytes, message: str) -> None:
    with pytest.raises(CommentApiError, match=message):
        parse_comment_page(body)


def test_items_without_a_number_are_counted_not_kept() -> None:
    body = {
        "success": True,
        "result": {
            "commentList": [{"commentNo": "12", "contents": "x"}, {"contents": "y"}, "junk"],
            "count": {"total": "2"},
        },
    }
    page = parse_comment_page(b"_callback(" + json.dumps(body).encode() + b");")
    assert [c["comment_no"] for c in page.comments] == ["12"]
    assert page.rejected == 2 and page.total == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-02-18T22:31:11+0900", "2022-02-18T22:31:11+09:00"),
        ("2022-02-18T13:31:11+0000", "2022-02-18T22:31:11+09:00"),
        ("2022-02-30T22:31:11+0900", None),
        ("", None),
        (None, None),
        (1645191071, None),
    ],
)
def test_comment_time(value: object, expected: str | None) -> None:
    assert comment_time(value) == expected


def test_comment_record_numbers_and_replies() -> None:
    reply = comment_record(
        {"commentNo": 22, "parentCommentNo": "21", "replyLevel": 2, "contents": "<br>x\r\ny"}
    )
    assert reply is not None
    assert reply["comment_no"] == "22" and reply["parent_comment_no"] == "21"
    assert reply["contents"] == "<br>x\r\ny"  # the API's text, as it is
    top = comment_record({"commentNo": "21", "parentCommentNo": "21", "replyAllCount": 3})
    assert top is not None and top["parent_comment_no"] is None and top["reply_count"] == 3
    assert comment_record({"commentNo": True}) is None
    assert comment_record({"commentNo": "12a"}) is None


# -- paging --------------------------------------------------------------------------------


def page(
    numbers: list[str],
    *,
    total_rows: int | None = 10**6,  # (a short page before totalRows does not end a list)
    next_cursor: str | None = "n",
    end: str | None = None,
    total: int | None = 10,
    status: str = "COMMENT_ON",
    parent: str | None = None,
    replies: dict[str, int] | None = None,
) -> CommentPage:
    comments = [
        {
            "comment_no": n,
            "parent_comment_no": parent,
            "reply_count": (replies or {}).get(n, 0),
            "deleted": False,
        }
        for n in numbers
    ]
    return CommentPage(total, status, comments, next_cursor, end, total_rows, items=len(numbers))


def urls(step: Fetch | Done) -> dict[str, list[str]]:
    assert isinstance(step, Fetch), step
    return parse_qs(urlsplit(step.url).query)


def test_pages_along_the_cursor_then_replies() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    step = thread.take(page(["5", "4"], total_rows=4, next_cursor="c1", replies={"4": 2}))
    assert urls(step)["moreParam.next"] == ["c1"]
    step = thread.take(page(["3", "2"], total_rows=4, next_cursor="c2", replies={"2": 1}))
    query = urls(step)  # the list is whole (4 of 4): the replies of 4, then of 2
    assert query["parentCommentNo"] == ["4"] and "moreParam.next" not in query
    step = thread.take(page(["7", "6"], parent="4", total_rows=2, next_cursor="r1"))
    assert urls(step)["parentCommentNo"] == ["2"]
    step = thread.take(page(["8"], parent="2", total_rows=1))
    assert step == Done(Status.COLLECTED)
    assert sorted(thread.comments, key=int) == ["2", "3", "4", "5", "6", "7", "8"]
    assert thread.requests == 4


@pytest.mark.parametrize(
    ("last", "why"),
    [
        (page([], next_cursor="x"), "empty page"),
        (page(["3"], next_cursor=None), "no next cursor"),
        (page(["3"], next_cursor="e", end="e"), "next is the end"),
        (page(["3"], total_rows=3), "count reached"),
    ],
)
def test_a_list_ends(last: CommentPage, why: str) -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    assert isinstance(thread.take(page(["5", "4"], next_cursor="c1")), Fetch)
    assert thread.take(last) == Done(Status.COLLECTED), why


def test_a_repeated_cursor_fails_the_thread() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    thread.take(page(["5"], next_cursor="c1"))
    thread.take(page(["4"], next_cursor="c2"))
    step = thread.take(page(["3"], next_cursor="c1"))
    assert isinstance(step, Done) and step.status == Status.FAILED
    assert "repeated the cursor" in (step.reason or "")


def test_a_page_of_old_comments_fails_the_thread() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    thread.take(page(["5"], next_cursor="c1"))
    step = thread.take(page(["5"], next_cursor="c2"))
    assert isinstance(step, Done) and step.status == Status.FAILED


def test_page_cap() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    step: Fetch | Done = Fetch("")
    for n in range(MAX_PAGES):
        step = thread.take(page([str(10_000_000 - n)], next_cursor=f"c{n}"))
    assert isinstance(step, Done) and step.status == Status.FAILED
    assert f"more than {MAX_PAGES} pages" in (step.reason or "")


def test_comments_switched_off() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    assert thread.take(page([], status="COMMENT_OFF", total=0)) == Done(Status.OFF)
    probe = Thread.start("001_0000000001", Mode.COUNT)
    assert probe.take(page([], status="COMMENT_OFF", total=0)) == Done(Status.OFF)
    assert probe.count == 0


def test_a_probe_of_comments_switched_off_says_off() -> None:
    """A re-run of comments=all reports an article with comments off as off, not unchanged."""
    thread = Thread.start("001_0000000001", Mode.ALL, previous=0, previous_counts={"total": 0})
    assert thread.take(page([], status="COMMENT_OFF", total=0)) == Done(Status.OFF)


def test_the_next_request_carries_no_comments() -> None:
    """A request carries the thread's ids, cursor and counters, never what was read (it
    goes through Redis: a 20,000-comment thread once moved 2.6 GB through it)."""
    thread = Thread.start("001_0000000001", Mode.ALL)
    for n in range(3):
        numbers = [str(100_000 - 100 * n - i) for i in range(100)]
        thread.take(page(numbers, next_cursor=f"c{n}", replies={numbers[0]: 1}))
    assert len(thread.comments) == 300 and thread.held == 300
    data = thread.to_dict()
    assert "comments" not in data and "read" not in data
    text = json.dumps(data)
    assert len(text) < 600 and "99999" not in text  # no comment number rides along


def test_a_reply_list_that_repeats_its_parent_keeps_only_replies() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    thread.take(page(["9"], total_rows=1, replies={"9": 1}))
    parent_again = {"comment_no": "9", "parent_comment_no": None, "reply_count": 1}
    reply = {"comment_no": "10", "parent_comment_no": "9", "reply_count": 0}
    step = thread.take(CommentPage(2, "COMMENT_ON", [parent_again, reply], "r", None, 1))
    assert step == Done(Status.COLLECTED)
    assert thread.comments["9"]["parent_comment_no"] is None


def test_thread_travels_as_plain_json() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL, template="view_politics", previous=4)
    thread.take(page(["5"], next_cursor="c1"))
    again = Thread.from_dict(json.loads(json.dumps(thread.to_dict())))
    assert again == thread


# -- the file ------------------------------------------------------------------------------


def rec(number: str, parent: str | None = None, **values: Any) -> dict[str, Any]:
    base = {"comment_no": number, "parent_comment_no": parent, "contents": f"c{number}"}
    return base | {"deleted": False} | values


def test_merge_is_a_union_in_reading_order() -> None:
    old = [rec("10"), rec("12", "10"), rec("9")]
    new = [rec("100"), rec("10", likes=5), rec("11", "10")]
    merged = merge_comments(old, new)
    assert [r["comment_no"] for r in merged] == ["9", "10", "11", "12", "100"]
    assert merged[1]["likes"] == 5  # what was read now wins


@pytest.mark.parametrize(("keep", "text"), [(False, ""), (True, "c10")])
def test_merge_deleted_text(keep: bool, text: str) -> None:
    merged = merge_comments(
        [rec("10", user="kim****")],
        [rec("10", deleted=True, contents="", user=None)],
        keep_deleted_text=keep,
    )
    assert merged == [rec("10", deleted=True, contents=text, user="kim****")]


def test_merge_keeps_what_is_no_longer_listed() -> None:
    assert [r["comment_no"] for r in merge_comments([rec("1"), rec("2")], [rec("2")])] == [
        "1",
        "2",
    ]


HOSTILE = [
    "quote \" and ' and \\ backslash",
    "line\r\nbreak\rand<br>tag",
    "---\nlayout: evil\n---",
    "{{ item.title }} {% if x %}",
    "emoji 😀 𝕏 \u2028 \u2029 \x00 \ufeff",
]


def test_jsonl_round_trips_hostile_text() -> None:
    records = [rec(str(n), contents=text) for n, text in enumerate(HOSTILE, start=1)]
    data = dump_jsonl(records)
    assert data.count(b"\n") == len(records)  # one line each, whatever the text
    for line in data.decode("utf-8").split("\n")[:-1]:
        assert "\u2028" not in line and "\u2029" not in line
    again, bad = read_jsonl(data)
    assert again == records and bad == 0


def test_read_jsonl_counts_bad_lines() -> None:
    data = b'{"comment_no": "1"}\nnot json\n[1]\n{"comment_no": "x"}\n\n'
    records, bad = read_jsonl(data)
    assert records == [{"comment_no": "1"}] and bad == 3
    assert dump_jsonl([]) == b""


# -- the spider's side: every end of a thread gives the article and the comments' outcome --


def _spider(tmp_path: Path, mode: str = "all") -> Any:
    from scrapy.utils.test import get_crawler

    from newsbot.spiders.naver import NaverSpider

    crawler = get_crawler(NaverSpider, settings_dict={"NEWSBOT_OUTPUT_DIR": str(tmp_path)})
    return NaverSpider.from_crawler(crawler, date="2026-05-30", comments=mode)


def _article() -> Any:
    from newsbot.items import Article

    return Article(
        id="015_0002303155",
        title="t",
        category=None,
        publisher="p",
        author=None,
        published_at="2026-05-30T10:00:00+09:00",
        crawled_at="2026-05-30T11:00:00+09:00",
        url="https://n.news.naver.com/mnews/article/015/0002303155",
        oid="015",
        aid="0002303155",
        content_hash=None,
        subtitle=None,
        content="본문",
    )


def _answer(request: Any, body: bytes) -> Any:
    from scrapy.http import TextResponse

    return TextResponse(request.url, body=body, request=request)


def test_spider_walks_a_real_thread_after_yielding_the_article(tmp_path: Path) -> None:
    from newsbot.items import ArticleComments

    spider = _spider(tmp_path)
    article = _article()
    first, request = list(
        spider.comment_fetch.with_article(ArticleId("015", "0002303155"), article, "news")
    )
    assert first is article and article.comments_follow  # written first, finished later
    assert article.content == "본문" and article.comments is None
    assert request.headers[b"Referer"] == (b"https://n.news.naver.com/mnews/article/015/0002303155")
    assert request.meta["download_slot"] == "apis.naver.com"
    assert set(request.cb_kwargs) == {"thread"}  # no article in the request
    [item] = list(request.callback(_answer(request, ALL_015.read_bytes()), **request.cb_kwargs))
    assert isinstance(item, ArticleComments) and item.id == "015_0002303155"
    assert item.count == 3 and item.status == "collected"
    assert [c["comment_no"] for c in item.comments] == [
        "1077873075",
        "1077872715",
        "1077872635",
    ]
    assert not list((tmp_path / ".newsbot-comments").glob("*"))  # the stash is gone


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '_callback({"success":false,"code":"3999","message":"잘못된 접근입니다"});'.encode(),
            "code 3999",
        ),
        (b"<html>blocked</html>", "not JSONP"),
    ],
)
def test_spider_refused_thread_is_a_named_failure_after_the_article(
    tmp_path: Path, body: bytes, reason: str
) -> None:
    spider = _spider(tmp_path)
    article = _article()
    first, request = list(
        spider.comment_fetch.with_article(ArticleId("015", "0002303155"), article, "news")
    )
    assert first.content == "본문"  # the article is never lost
    [item] = list(request.callback(_answer(request, body), **request.cb_kwargs))
    assert item.status == "failed" and reason in item.reason
    assert item.count is None


def test_spider_count_mode_probes_once(tmp_path: Path) -> None:
    spider = _spider(tmp_path, "count")
    _, request = list(
        spider.comment_fetch.with_article(ArticleId("015", "0002303155"), _article(), "news")
    )
    assert parse_qs(urlsplit(request.url).query)["pageSize"] == ["1"]
    [item] = list(request.callback(_answer(request, PROBE.read_bytes()), **request.cb_kwargs))
    assert item.count == 3 and item.comments == []


def test_spider_off_mode_yields_the_article_alone(tmp_path: Path) -> None:
    spider = _spider(tmp_path, "off")
    article = _article()
    assert list(
        spider.comment_fetch.with_article(ArticleId("015", "0002303155"), article, "news")
    ) == [article]
    assert article.comments is None


def test_a_full_page_goes_on_even_when_total_rows_is_reached() -> None:
    """totalRows has been seen to run short of what a list holds: a full page is followed
    by the next; the empty page after the last ends the list."""
    thread = Thread.start("001_0000000001", Mode.ALL)
    full = [str(1000 - n) for n in range(100)]
    step = thread.take(page(full, total_rows=100, next_cursor="c1"))
    assert urls(step)["moreParam.next"] == ["c1"]
    assert thread.take(page([], total_rows=100, next_cursor="c1")) == Done(Status.COLLECTED)


def test_a_page_of_unreadable_items_fails_the_thread() -> None:
    thread = Thread.start("001_0000000001", Mode.ALL)
    unreadable = CommentPage(5, "COMMENT_ON", [], "c1", None, 5, rejected=3, items=3)
    step = thread.take(unreadable)
    assert isinstance(step, Done) and step.status == Status.FAILED
    assert "none of which could be read" in (step.reason or "")


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    record = comment_record({"commentNo": "1", "contents": "a\ud800b", "maskedUserId": "\udfffx"})
    assert record is not None
    assert record["contents"] == "a\ufffdb" and record["user"] == "\ufffdx"
    dump_jsonl([record]).decode("utf-8")  # writable as UTF-8


# -- the store: the baseline of the next run's probe -----------------------------------------


def _store(tmp_path: Path) -> Any:
    from newsbot.article import finalize
    from newsbot.output.store import OutputStore

    store = OutputStore(tmp_path)
    store.save(finalize(_article()))
    return store


def _saved(store: Any, status: str, mode: str = "all", count: int = 3) -> Any:
    from newsbot.items import ArticleComments

    records = [rec("1"), rec("2")] if mode == "all" else []
    item = ArticleComments("015_0002303155", mode, status, count, records, {"total": count})
    store.save_comments(item, "2026-05-30T12:00:00+09:00")
    return store.index.get("015_0002303155")


def test_only_a_whole_read_is_the_next_runs_baseline(tmp_path: Path) -> None:
    store = _store(tmp_path)
    entry = _saved(store, "collected")
    assert entry.comment_counts == {"total": 3} and entry.comment_count == 3
    entry = _saved(store, "collected", mode="count", count=5)  # comments=count: a count only
    assert entry.comment_count == 5 and entry.comment_counts == {"total": 3}
    entry = _saved(store, "failed", count=7)  # read part way: no baseline, all read again
    assert entry.comment_counts is None and entry.comment_count == 7
    store.index.close()


def test_the_spider_probes_only_after_a_whole_read(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    store = _store(tmp_path)
    _saved(store, "failed")
    assert spider.comment_fetch.known(spider.index.get("015_0002303155")) == {}
    _saved(store, "collected")
    known = spider.comment_fetch.known(spider.index.get("015_0002303155"))
    assert known == {"previous": 3, "previous_counts": {"total": 3}}
    store.index.close()
    spider.index.close()


def test_comments_move_with_their_article(tmp_path: Path) -> None:
    from newsbot.article import finalize

    store = _store(tmp_path)
    _saved(store, "collected")
    old = tmp_path / "2026/05/30/015_0002303155.comments.jsonl"
    assert old.is_file()
    moved = _article()
    moved.published_at = "2026-05-31T10:00:00+09:00"
    store.save(finalize(moved))
    assert not old.exists()
    assert (tmp_path / "2026/05/31/015_0002303155.comments.jsonl").is_file()
    assert (tmp_path / "2026/05/31/015_0002303155.md").is_file()
    store.index.close()


def test_a_custom_template_is_rendered_again_with_the_count(tmp_path: Path) -> None:
    from newsbot.article import finalize
    from newsbot.items import ArticleComments
    from newsbot.output.store import OutputStore
    from newsbot.output.verify import Verifier

    template = tmp_path / "t.md.j2"
    template.write_text(
        "---\nid: {{ item.id | yaml }}\ncontent_hash: {{ item.content_hash | yaml }}\n"
        "{% if item.comment_count is defined and item.comment_count is not none %}"
        "comment_count: {{ item.comment_count | yaml }}\n{% endif %}---\n\n"
        "Comments: {{ item.comment_count if item.comment_count is defined"
        " and item.comment_count is not none else '-' }}\n\n"
        "{{ item.content }}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    store = OutputStore(out, template=str(template))
    store.save(finalize(_article()))
    item = ArticleComments("015_0002303155", "count", "collected", 9, [], {"total": 9})
    store.save_comments(item, "2026-05-30T12:00:00+09:00")
    text = (out / "2026/05/30/015_0002303155.md").read_text(encoding="utf-8")
    assert "Comments: 9" in text and "comment_count: 9" in text
    assert Verifier(str(template)).check_text(text).problem is None
    store.index.close()
