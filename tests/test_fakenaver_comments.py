"""The fake Naver's comment API (댓글): real envelope and fields, cursor paging, Referer."""

from __future__ import annotations

import json
import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.fakenaver import (
    COMMENT_OFF,
    DEFAULT_COMMENTS,
    HOSTILE_TEXTS,
    ArticleSpec,
    Comment,
    CommentBox,
    FakeNaver,
    Override,
    World,
    default_world,
    synthetic_world,
)

REAL_SAMPLE = (
    Path(__file__).parent
    / "fixtures"
    / "comments"
    / "cbox_news015_0002303155_pageSize100_2022-02-18.body.jsonp"
)
API = "https://apis.naver.com/commentBox/cbox/web_naver_list_jsonp.json"
JSONP = re.compile(r"\s*([A-Za-z_$][\w$.]*)\((.*)\);?\s*", re.DOTALL)
MANY, HOSTILE, OFF, NONE = DEFAULT_COMMENTS
_DEFAULT = object()


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()) as server:
        yield server


def _opener(fake: FakeNaver) -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": fake.proxy_url, "https": fake.proxy_url}),
        urllib.request.HTTPSHandler(context=context),
    )


def _url(oid: str, aid: str, **params: str | int) -> str:
    query: dict[str, str | int] = {
        "ticket": "news",
        "pool": "cbox5",
        "lang": "ko",
        "country": "KR",
        "objectId": f"news{oid},{aid}",  # urlencode sends the comma as %2C, like N2H4
        "pageSize": 100,
        "sort": "new",
        "includeAllStatus": "true",
        "pageType": "more",
    }
    query.update(params)
    return f"{API}?{urlencode(query)}"


def _fetch(
    fake: FakeNaver, url: str, referer: object = _DEFAULT
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET with the article's Referer (None: no Referer)."""
    if referer is _DEFAULT:
        match = re.search(r"objectId=news(\d{3})(?:%2C|,)(\d{10})", url)
        assert match
        referer = f"https://n.news.naver.com/mnews/article/{match[1]}/{match[2]}"
    headers = {} if referer is None else {"Referer": str(referer)}
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener(fake).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _unwrap(body: bytes) -> tuple[str, dict[str, Any]]:
    match = JSONP.fullmatch(body.decode("utf-8"))
    assert match, body[:200]
    payload = json.loads(match[2])
    assert isinstance(payload, dict)
    return match[1], payload


def _get(fake: FakeNaver, url: str, referer: object = _DEFAULT) -> dict[str, Any]:
    status, headers, body = _fetch(fake, url, referer)
    assert status == 200
    assert headers["Content-Type"] == "application/javascript;charset=UTF-8"
    return _unwrap(body)[1]


def _walk(fake: FakeNaver, oid: str, aid: str, **params: str | int) -> list[list[dict[str, Any]]]:
    """Every page of a list, following ``morePage.next`` until a page comes back empty."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(50):
        extra: dict[str, str | int] = dict(params)
        if cursor is not None:
            extra.update({"moreParam.direction": "next", "moreParam.next": cursor})
        result = _get(fake, _url(oid, aid, **extra))["result"]
        if not result["commentList"]:
            return pages
        pages.append(result["commentList"])
        cursor = result["morePage"]["next"]
        assert cursor
    raise AssertionError("the cursor never ran out")


def _numbers(items: list[dict[str, Any]]) -> list[str]:
    return [item["commentNo"] for item in items]


# -- the shape -------------------------------------------------------------------------------


def test_body_is_jsonp_with_the_keys_of_the_real_answer(fake: FakeNaver) -> None:
    _, real = _unwrap(REAL_SAMPLE.read_bytes())
    status, headers, body = _fetch(fake, _url(*MANY))
    assert status == 200
    assert headers["Content-Type"] == "application/javascript;charset=UTF-8"
    assert body.startswith(b'_callback({"success":true,"code":"1000",')
    assert body.endswith(b"});")
    callback, ours = _unwrap(body)
    assert callback == "_callback"
    assert set(ours) == set(real)
    assert set(ours["result"]) == set(real["result"])
    for key in ("count", "pageModel", "morePage", "exposureConfig"):
        assert set(ours["result"][key]) == set(real["result"][key]), key
    real_item = real["result"]["commentList"][0]
    for item in ours["result"]["commentList"]:
        assert set(item) == set(real_item)
        assert list(item) == list(real_item)  # the same order, too
    assert (ours["success"], ours["code"], ours["lang"], ours["country"]) == (
        True,
        "1000",
        "ko",
        "KR",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", ours["date"])
    first = ours["result"]["commentList"][0]
    assert first["objectId"] == "news001,0015100001" and first["ticket"] == "news"
    assert (
        re.fullmatch(r"\d+", first["commentNo"]) and first["parentCommentNo"] == first["commentNo"]
    )
    assert first["replyLevel"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0900", first["regTime"])
    assert (
        re.fullmatch(r"[a-z0-9]{4}\*{4}", first["userName"])
        and first["userName"] == first["maskedUserId"]
    )
    assert ours["result"]["exposureConfig"] == {"reason": None, "status": "COMMENT_ON"}
    assert ours["result"]["morePage"]["end"] is None and ours["result"]["morePage"]["start"] is None


def test_item_fields_are_the_world_s_comment(fake: FakeNaver) -> None:
    world = fake.world
    spec = world.get_article(*MANY)
    assert spec is not None
    world.add_comment(
        *MANY,
        contents="마지막 댓글",
        user="kimm****",
        reg_time="2026-06-01 07:08:09",
        likes=7,
        dislikes=2,
    )
    item = _get(fake, _url(*MANY))["result"]["commentList"][0]
    truth = world.comments(*MANY).top_level()[0]
    assert truth.contents == "마지막 댓글"
    assert item["commentNo"] == truth.comment_no
    assert int(truth.comment_no) > max(
        int(c.comment_no) for c in world.comments(*MANY).comments[:-1]
    )
    assert (item["contents"], item["userName"], item["maskedUserName"]) == (
        "마지막 댓글",
        "kimm****",
        "ki****",
    )
    assert (item["sympathyCount"], item["antipathyCount"]) == (7, 2)
    assert item["regTime"] == item["modTime"] == "2026-06-01T07:08:09+0900"
    assert item["regTimeGmt"] == "2026-05-31T22:08:09+0000"
    assert item["sortValue"] == 1780265289000
    assert item["deleted"] is False and item["status"] == 0 and item["best"] is False


def test_callback_name_and_raw_comma(fake: FakeNaver) -> None:
    url = _url(*MANY, _callback="jQuery3210_1700000000000").replace("%2C", ",")
    assert "objectId=news001,0015100001" in url
    status, _, body = _fetch(fake, url)
    assert status == 200 and body.startswith(b"jQuery3210_1700000000000({")
    assert _unwrap(body)[1]["code"] == "1000"


def test_hostile_text_survives_the_jsonp(fake: FakeNaver) -> None:
    items = _get(fake, _url(*HOSTILE))["result"]["commentList"]
    contents = {item["contents"] for item in items}
    assert set(HOSTILE_TEXTS) <= contents  # \u2028, astral characters, backslashes, \r\n
    assert any("\u2028" in text for text in contents)
    assert any(len(text) >= 2000 for text in contents)


# -- paging ----------------------------------------------------------------------------------


def test_cursor_pages_through_250_comments_each_once(fake: FakeNaver) -> None:
    truth = [c.comment_no for c in fake.world.comments(*MANY).top_level()]
    assert len(truth) == 250
    pages = _walk(fake, *MANY)
    assert [len(page) for page in pages] == [100, 100, 50]
    assert [n for page in pages for n in _numbers(page)] == truth  # newest first, no repeat
    assert all(item["replyLevel"] == 1 for page in pages for item in page)
    result = _get(fake, _url(*MANY))["result"]
    assert result["pageModel"]["totalRows"] == 250
    assert result["pageModel"]["totalPages"] == 3
    assert result["morePage"]["prev"] != result["morePage"]["next"]


def test_cursor_pages_exactly_through_ties() -> None:
    """300 comments of one second: the cursor still splits them exactly."""
    world = World([ArticleSpec("001", "0000000001", "100", "264", "2026-05-30 10:00:00", "t")])
    world.set_comments(
        "001",
        "0000000001",
        [
            Comment(str(5000 + n), contents=f"댓글 {n}", reg_time="2026-05-30 11:00:00")
            for n in range(300)
        ],
    )
    with FakeNaver(world) as fake:
        pages = _walk(fake, "001", "0000000001", pageSize=100)
        last = _get(fake, _url("001", "0000000001", pageSize=100))["result"]
    assert [len(p) for p in pages] == [100, 100, 100]
    assert [n for p in pages for n in _numbers(p)] == [str(5299 - n) for n in range(300)]
    assert last["pageModel"]["totalRows"] == 300


def test_last_page_still_has_a_next_token(fake: FakeNaver) -> None:
    first = _get(fake, _url(*MANY, pageSize=100))["result"]
    second = _get(
        fake,
        _url(*MANY, **{"moreParam.direction": "next", "moreParam.next": first["morePage"]["next"]}),
    )["result"]
    third = _get(
        fake,
        _url(
            *MANY, **{"moreParam.direction": "next", "moreParam.next": second["morePage"]["next"]}
        ),
    )["result"]
    assert len(third["commentList"]) == 50 and third["morePage"]["next"]
    assert third["morePage"]["end"] is None
    assert (third["pageModel"]["page"], third["pageModel"]["nextPage"]) == (3, 0)
    after = _get(
        fake,
        _url(*MANY, **{"moreParam.direction": "next", "moreParam.next": third["morePage"]["next"]}),
    )["result"]
    assert after["commentList"] == []


def test_page_parameter_answers_the_first_page_again(fake: FakeNaver) -> None:
    first = _numbers(_get(fake, _url(*MANY))["result"]["commentList"])
    for page in (2, 3):
        again = _get(fake, _url(*MANY, page=page))["result"]
        assert _numbers(again["commentList"]) == first
        assert again["pageModel"]["page"] == 1


def test_an_undecodable_cursor_answers_the_first_page(fake: FakeNaver) -> None:
    first = _numbers(_get(fake, _url(*MANY))["result"]["commentList"])
    for token in ("04kc738jmavn8", "not-a-cursor", "zzzz", ""):
        url = _url(*MANY, **{"moreParam.direction": "next", "moreParam.next": token})
        assert _numbers(_get(fake, url)["result"]["commentList"]) == first, token


def test_page_size_is_clamped(fake: FakeNaver) -> None:
    assert len(_get(fake, _url(*MANY, pageSize=500))["result"]["commentList"]) == 100
    result = _get(fake, _url(*MANY, pageSize=0))["result"]
    assert len(result["commentList"]) == 1 and result["pageModel"]["pageSize"] == 1


def test_page_size_1_is_the_count_probe(fake: FakeNaver) -> None:
    box = fake.world.comments(*MANY)
    result = _get(fake, _url(*MANY, pageSize=1))["result"]
    assert len(result["commentList"]) == 1
    assert result["count"]["total"] == len(box.comments)
    assert result["count"] == box.counts()
    count = result["count"]
    assert count["total"] == count["comment"] + count["reply"]
    assert count["comment"] == 250 and count["reply"] == sum(c.is_reply for c in box.comments)
    assert count["delCommentByUser"] == sum(c.deleted for c in box.comments) > 0
    assert count["exposeCount"] == sum(not c.deleted for c in box.top_level())
    assert result["pageModel"]["totalRows"] == 250
    assert result["pageModel"]["totalPages"] == 250


# -- replies and deleted comments --------------------------------------------------------------


def test_replies_by_parent_comment_no(fake: FakeNaver) -> None:
    box = fake.world.comments(*MANY)
    parent = box.top_level()[-1]  # the oldest comment: 120 replies
    truth = box.replies(parent.comment_no)
    assert len(truth) == 120
    pages = _walk(fake, *MANY, parentCommentNo=parent.comment_no)
    assert [len(p) for p in pages] == [100, 20]
    items = [item for page in pages for item in page]
    assert _numbers(items) == [c.comment_no for c in truth]
    assert {(i["replyLevel"], i["parentCommentNo"]) for i in items} == {(2, parent.comment_no)}
    assert all(int(i["commentNo"]) > int(parent.comment_no) for i in items)
    result = _get(fake, _url(*MANY, parentCommentNo=parent.comment_no))["result"]
    assert result["pageModel"]["totalRows"] == 120
    assert result["count"] == box.counts()  # the article's count, not the list's
    listed = next(
        i for page in _walk(fake, *MANY) for i in page if i["commentNo"] == parent.comment_no
    )
    assert listed["replyAllCount"] == 120
    assert listed["replyCount"] == sum(not c.deleted for c in truth)


def test_deleted_comments_are_listed_with_empty_contents(fake: FakeNaver) -> None:
    box = fake.world.comments(*MANY)
    deleted = {c.comment_no for c in box.top_level() if c.deleted}
    assert deleted
    items = [item for page in _walk(fake, *MANY) for item in page]
    flagged = {i["commentNo"] for i in items if i["deleted"]}
    assert flagged == deleted
    assert all(i["contents"] == "" for i in items if i["deleted"])
    assert all(i["contents"] for i in items if not i["deleted"])
    # A deleted reply, too.
    reply = next(c for c in box.comments if c.is_reply and c.deleted)
    assert reply.parent_no is not None
    replies = [i for p in _walk(fake, *MANY, parentCommentNo=reply.parent_no) for i in p]
    listed = next(i for i in replies if i["commentNo"] == reply.comment_no)
    assert listed["deleted"] is True and listed["contents"] == ""


def test_delete_and_add_comment_change_the_answer(fake: FakeNaver) -> None:
    world = fake.world
    newest = world.comments(*HOSTILE).top_level(include_deleted=False)[0]
    world.delete_comment(*HOSTILE, newest.comment_no)
    truth = world.comments(*HOSTILE).get(newest.comment_no)
    assert truth is not None and truth.deleted and truth.contents == ""
    items = _get(fake, _url(*HOSTILE))["result"]["commentList"]
    item = next(i for i in items if i["commentNo"] == newest.comment_no)
    assert item["deleted"] is True and item["contents"] == ""
    added = world.add_comment(*HOSTILE, contents="새 댓글")
    reply = world.add_comment(*HOSTILE, parent_no=added.comment_no, contents="새 답글")
    assert int(reply.comment_no) > int(added.comment_no)
    assert _get(fake, _url(*HOSTILE))["result"]["commentList"][0]["commentNo"] == added.comment_no
    replies = _get(fake, _url(*HOSTILE, parentCommentNo=added.comment_no))["result"]
    assert [(i["commentNo"], i["contents"]) for i in replies["commentList"]] == [
        (reply.comment_no, "새 답글")
    ]


def test_without_include_all_status_deleted_ones_are_left_out(fake: FakeNaver) -> None:
    box = fake.world.comments(*MANY)
    url = _url(*MANY).replace("includeAllStatus=true", "includeAllStatus=false")
    result = _get(fake, url)["result"]
    assert result["pageModel"]["totalRows"] == sum(not c.deleted for c in box.top_level())
    assert not any(i["deleted"] for i in result["commentList"])


# -- refusals and failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "referer",
    [None, "https://news.google.com/", "https://m.news.naver.com/article/001/0015100001"],
)
def test_no_n_news_referer_is_code_3999(fake: FakeNaver, referer: str | None) -> None:
    payload = _get(fake, _url(*MANY), referer=referer)
    assert payload["success"] is False
    assert payload["code"] == "3999"
    assert payload["message"] == "잘못된 접근입니다"


def test_referer_of_the_comment_page_is_accepted(fake: FakeNaver) -> None:
    referer = "https://n.news.naver.com/article/comment/001/0015100001"
    assert _get(fake, _url(*MANY), referer=referer)["code"] == "1000"


def test_unknown_article_or_bad_object_id(fake: FakeNaver) -> None:
    for url in (
        _url("001", "0099999999"),
        _url("001", "0015999999"),  # deleted article
        _url(*MANY).replace("objectId=news001%2C0015100001", "objectId=001%2C0015100001"),
        _url(*MANY).replace("objectId=news001%2C0015100001", "objectId="),
    ):
        payload = _get(fake, url, referer="https://n.news.naver.com/mnews/article/001/0015100001")
        assert payload["success"] is False and payload["code"] == "4004", url


def test_comments_off(fake: FakeNaver) -> None:
    result = _get(fake, _url(*OFF))["result"]
    assert result["exposureConfig"]["status"] == COMMENT_OFF
    assert result["commentList"] == [] and result["count"]["total"] == 0
    assert len(fake.world.comments(*OFF).comments) == 5  # still there, not shown
    fake.world.set_comments_off(*HOSTILE)
    assert _get(fake, _url(*HOSTILE))["result"]["exposureConfig"]["status"] == COMMENT_OFF
    fake.world.set_comments_off(*HOSTILE, off=False)
    assert _get(fake, _url(*HOSTILE))["result"]["exposureConfig"]["status"] == "COMMENT_ON"


def test_article_without_comments(fake: FakeNaver) -> None:
    result = _get(fake, _url(*NONE))["result"]
    assert result["commentList"] == []
    assert result["count"]["total"] == 0 and result["pageModel"]["totalRows"] == 0
    assert result["exposureConfig"]["status"] == "COMMENT_ON"


def test_fail_comments_answers_the_status(fake: FakeNaver) -> None:
    fake.world.fail_comments(*MANY)
    assert _fetch(fake, _url(*MANY))[0] == 500
    assert _fetch(fake, _url(*MANY, parentCommentNo="1"))[0] == 500
    assert _fetch(fake, _url(*MANY), referer=None)[0] == 500
    assert _fetch(fake, _url(*HOSTILE))[0] == 200  # only that article
    fake.world.fail_comments(*MANY, status=None)
    assert _fetch(fake, _url(*MANY))[0] == 200
    fake.world.fail_comments(*MANY, status=503, times=2)
    assert [_fetch(fake, _url(*MANY))[0] for _ in range(3)] == [503, 503, 200]


def test_override_of_an_exact_comment_url(fake: FakeNaver) -> None:
    url = _url(*MANY)
    fake.world.set_override(url, Override(status=429, body=b"slow down", times=1))
    assert _fetch(fake, url)[:1] == (429,)
    assert _fetch(fake, url)[0] == 200


def test_referer_is_recorded(fake: FakeNaver, tmp_path: Path) -> None:
    referer = "https://n.news.naver.com/mnews/article/001/0015100001"
    _fetch(fake, _url(*MANY), referer=referer)
    _fetch(fake, _url(*MANY), referer=None)
    first, second = fake.records[-2:]
    assert (first.status, first.referer) == (200, referer)
    assert second.referer is None
    assert first.url.startswith(API) and first.method == "GET"
    log = tmp_path / "log.jsonl"
    with FakeNaver(default_world(), log_path=log) as logged:
        _fetch(logged, _url(*MANY), referer=referer)
    assert json.loads(log.read_text().splitlines()[-1])["referer"] == referer


# -- worlds ----------------------------------------------------------------------------------


def test_synthetic_world_comments_are_lazy_deterministic_and_varied() -> None:
    world = synthetic_world(400, seed=3, comments=True)
    assert world._comment_boxes == {}  # nothing built before anyone asks
    again = synthetic_world(400, seed=3, comments=True)
    boxes = [world.comments(a.oid, a.aid) for a in world.articles]
    assert boxes == [again.comments(a.oid, a.aid) for a in again.articles]
    sizes = [len(b.top_level()) for b in boxes]
    assert sum(n == 0 for n in sizes) > 40
    assert sum(1 <= n <= 20 for n in sizes) > 150
    assert sum(n > 100 for n in sizes) >= 10
    assert any(b.off for b in boxes)
    assert all(any(c.is_reply for c in b.comments) for b in boxes if len(b.top_level()) > 100)
    assert any(c.deleted and c.is_reply for b in boxes for c in b.comments)
    assert any(c.deleted and not c.is_reply for b in boxes for c in b.comments)
    numbers = [c.comment_no for b in boxes for c in b.comments]
    assert len(numbers) == len(set(numbers))  # unique across the world
    assert synthetic_world(5).comments(*synthetic_world(5).articles[0].key).comments == []


def test_comment_counts_and_many_replies_helper() -> None:
    world = World([ArticleSpec("001", "0000000001", "100", "264", "2026-05-30 10:00:00", "t")])
    world.add_article(ArticleSpec("001", "0000000002", "100", "264", "2026-05-30 11:00:00", "u"))
    world.comment_counts[("001", "0000000001")] = 130
    assert len(world.comments("001", "0000000001").top_level()) == 130
    box = world.generate_comments("001", "0000000002", 3, replies={1: 150})
    middle = sorted(box.top_level(), key=lambda c: c.key)[1]
    assert len(box.replies(middle.comment_no)) == 150
    with FakeNaver(world) as fake:
        pages = _walk(fake, "001", "0000000002", parentCommentNo=middle.comment_no)
    assert [len(p) for p in pages] == [100, 50]


def test_world_checks_comment_boxes() -> None:
    world = World([ArticleSpec("001", "0000000001", "100", "264", "2026-05-30 10:00:00", "t")])
    with pytest.raises(KeyError):
        world.comments("001", "0000000002")
    with pytest.raises(ValueError):
        CommentBox([Comment("1"), Comment("1")])
    with pytest.raises(ValueError):
        CommentBox([Comment("2", parent_no="1")])  # no such parent
    with pytest.raises(ValueError):
        CommentBox([Comment("1"), Comment("2", parent_no="1"), Comment("3", parent_no="2")])
    with pytest.raises(ValueError):
        Comment("12a")
    with pytest.raises(ValueError):
        Comment("1", reg_time="2026-05-30")
    with pytest.raises(KeyError):
        world.delete_comment("001", "0000000001", "999")
