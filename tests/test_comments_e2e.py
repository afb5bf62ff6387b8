"""End to end: ``-a comments=all|count`` with the real ``scrapy crawl naver`` against the
fake Naver's comment API (``tests/fakenaver/comments.py``, shaped like the real answers)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsbot.dates import iso_kst
from newsbot.output.markdown import split_markdown
from newsbot.output.verify import verify_text
from tests.e2e import crawl_env, expected_for_sections, files, run_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.comments import CommentBox
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e
ARGS = ("date=2026-05-30", "sections=100")
BIG = ("001", "0015100001")  # 250 comments, one with 120 replies, some deleted
HOSTILE = ("421", "0008810001")  # every hostile text, each with a reply
OFF = ("082", "0001260001")  # comments switched off
NONE = ("003", "0012610001")  # no comment at all


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


def comment_requests(fake: FakeNaver) -> list[Any]:
    return [r for r in fake.records if urlsplit(r.url).hostname == "apis.naver.com"]


def key_of(url: str) -> str:
    object_id = parse_qs(urlsplit(url).query)["objectId"][0]
    return object_id.removeprefix("news").replace(",", "_")


def expected_records(box: CommentBox) -> dict[str, dict[str, Any]]:
    """What the .comments.jsonl must say of each comment, from the fake's own data."""
    out = {}
    for c in box.comments:
        replies = [] if c.parent_no else box.replies(c.comment_no)
        out[c.comment_no] = {
            "comment_no": c.comment_no,
            "parent_comment_no": c.parent_no,
            "created_at": iso_kst(c.reg_time),
            "contents": "" if c.deleted else c.contents,
            "likes": c.likes,
            "dislikes": c.dislikes,
            "reply_count": len(replies),
            "deleted": c.deleted,
            "best": c.best,
        }
        if not c.deleted:
            out[c.comment_no]["user"] = c.user
    return out


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert b"\r" not in data.replace(b"\\r", b"")  # escaped, never raw
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def check_comments(out: Path, fake: FakeNaver, name: str) -> list[dict[str, Any]]:
    """The article's .comments.jsonl holds every comment and reply of the fake exactly once,
    as the fake has them; its front matter's comment_count is the API's total."""
    md = out / name
    oid, aid = md.stem.split("_")
    box = fake.world.comments(oid, aid)
    front = split_markdown(md.read_text(encoding="utf-8")).front_matter
    assert verify_text(md.read_text(encoding="utf-8")) is None
    total = 0 if box.off else box.counts()["total"]
    assert front["comment_count"] == total, name
    records = read_jsonl(md.with_name(md.stem + ".comments.jsonl"))
    numbers = [r["comment_no"] for r in records]
    assert len(numbers) == len(set(numbers)), f"{name}: a comment written twice"
    expected = {} if box.off else expected_records(box)
    assert set(numbers) == set(expected), name
    for record in records:
        want = expected[record["comment_no"]]
        assert {k: record[k] for k in want} == want, record["comment_no"]
        assert set(record) >= {"comment_no", "parent_comment_no", "contents", "created_at"}
        assert "user_id_no" not in record and "user_profile_image" not in record
    return records


def test_comments_all_writes_every_comment_and_reply_once(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, *ARGS, "comments=all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "newsbot: crawl OK" in result.stderr
    written = files(out)
    assert set(written) == expected_for_sections(fake.world, {"20260530"}, {"100"})
    for name in written:
        check_comments(out, fake, name)
    by_key = {p.stem: p for p in written.values()}
    assert {f"{oid}_{aid}" for oid, aid in (BIG, HOSTILE, OFF, NONE)} <= set(by_key)
    # The big thread needed paging: 250 comments in 3 pages, 120 replies of one in 2.
    big = read_jsonl(by_key["001_0015100001"].with_name("001_0015100001.comments.jsonl"))
    assert sum(r["parent_comment_no"] is None for r in big) == 250
    assert max(Counter(r["parent_comment_no"] for r in big if r["parent_comment_no"]).values()) == (
        120
    )
    assert any(r["deleted"] for r in big)
    # Hostile text arrives exactly (quotes, CR LF, ---, {{ }}, emoji, U+2028).
    check_comments(out, fake, by_key["421_0008810001"].relative_to(out).as_posix())
    # Comments off: recorded, not an error; an empty file, count 0.
    off = by_key["082_0001260001"]
    assert off.with_name("082_0001260001.comments.jsonl").read_bytes() == b""
    # Every comment request had its Referer on n.news; none used page=.
    requests = comment_requests(fake)
    assert requests
    for record in requests:
        assert record.referer == (
            f"https://n.news.naver.com/mnews/article/{key_of(record.url).replace('_', '/')}"
        )
        query = parse_qs(urlsplit(record.url).query)
        assert "page" not in query and query["pageType"] == ["more"]
        assert query["pageSize"] == ["100"]  # a first crawl reads the list at once
    # The template id of the article page was sent.
    assert all("templateId" in parse_qs(urlsplit(r.url).query) for r in requests)
    # The output directory verifies: each article and each .comments.jsonl, whole.
    verified = run_newsbot("verify", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    threads = list(out.rglob("*.comments.jsonl"))
    assert threads and verified.stdout.endswith(f"{len(written) + len(threads)} ok, 0 failed\n")
    # The report has the comments' account.
    report = json.loads(sorted((out / "reports").glob("crawl-*.json"))[-1].read_text("utf-8"))
    assert report["arguments"]["comments"] == "all"
    assert report["comments"]["failures"] == {} and report["comments"]["unaccounted"] == []
    assert report["comments"]["counts"]["off"] == 1
    assert report["comments"]["counts"]["collected"] == len(written) - 1


def test_a_rerun_adds_only_what_is_new(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_crawl(fake, out, *ARGS, "comments=all")
    assert first.returncode == 0, first.stderr[-3000:]
    written = files(out)
    by_key = {p.stem: p for p in written.values()}
    big_file = by_key["001_0015100001"].with_name("001_0015100001.comments.jsonl")
    before = {r["comment_no"]: r for r in read_jsonl(big_file)}
    # Between the runs: one new comment and a reply in the big thread, and a comment of
    # the hostile one deleted (its count.total does not change: delCommentByUser does).
    new = fake.world.add_comment(*BIG, contents='새 댓글 "new"')
    reply = fake.world.add_comment(*BIG, parent_no=new.comment_no, contents="답글")
    hostile_box = fake.world.comments(*HOSTILE)
    victim = next(c for c in hostile_box.comments if not c.deleted and c.parent_no is None)
    fake.world.delete_comment(*HOSTILE, victim.comment_no)
    fake.reset_log()

    again = run_crawl(fake, out, *ARGS, "comments=all")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "newsbot: crawl OK" in again.stderr
    assert not [r for r in fake.records if "/mnews/article/" in r.url]  # no page again
    after = read_jsonl(big_file)
    numbers = [r["comment_no"] for r in after]
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == set(before) | {new.comment_no, reply.comment_no}
    for name in written:
        check_comments(out, fake, name)  # the union is exactly what the fake has now
    deleted = {
        r["comment_no"]: r
        for r in read_jsonl(by_key["421_0008810001"].with_name("421_0008810001.comments.jsonl"))
    }[victim.comment_no]
    assert deleted["deleted"] is True and deleted["contents"] == ""  # its text not kept
    # Articles whose count did not change: one probe each, nothing more.
    per_article = Counter(key_of(r.url) for r in comment_requests(fake))
    changed = {"001_0015100001", "421_0008810001"}
    for key, n in per_article.items():
        if key not in changed:
            assert n == 1, key
    assert per_article["001_0015100001"] > 1 and per_article["421_0008810001"] > 1
    probes = [r for r in comment_requests(fake) if "pageSize=1&" in r.url + "&"]
    assert len(probes) == len(written)  # every article's count was probed first


def test_deleted_text_kept_when_asked(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_crawl(fake, out, *ARGS, "comments=all").returncode == 0
    box = fake.world.comments(*HOSTILE)
    victim = next(c for c in box.comments if not c.deleted and c.parent_no is None)
    fake.world.delete_comment(*HOSTILE, victim.comment_no)
    result = run_crawl(fake, out, *ARGS, "comments=all", NEWSBOT_COMMENTS_KEEP_DELETED_TEXT="True")
    assert result.returncode == 0, result.stderr[-3000:]
    path = next(out.rglob("421_0008810001.comments.jsonl"))
    record = {r["comment_no"]: r for r in read_jsonl(path)}[victim.comment_no]
    assert record["deleted"] is True and record["contents"] == victim.contents


def test_comments_count_writes_only_the_counts(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_crawl(fake, out, *ARGS, "comments=count")
    assert result.returncode == 0, result.stderr[-3000:]
    written = files(out)
    assert not list(out.rglob("*.comments.jsonl"))
    requests = comment_requests(fake)
    assert Counter(key_of(r.url) for r in requests) == Counter(p.stem for p in written.values())
    for record in requests:
        assert parse_qs(urlsplit(record.url).query)["pageSize"] == ["1"]
        assert record.referer and record.referer.startswith("https://n.news.naver.com/")
    for path in written.values():
        oid, aid = path.stem.split("_")
        box = fake.world.comments(oid, aid)
        front = split_markdown(path.read_text(encoding="utf-8")).front_matter
        assert front["comment_count"] == (0 if box.off else box.counts()["total"])


def test_failed_comments_keep_the_article_and_make_the_crawl_incomplete(
    fake: FakeNaver, tmp_path: Path
) -> None:
    fake.world.fail_comments(*BIG, status=500)
    out = tmp_path / "out"
    result = run_crawl(fake, out, *ARGS, "comments=all", RETRY_TIMES="1")
    assert result.returncode == 4, result.stderr[-3000:]
    assert "newsbot: crawl INCOMPLETE" in result.stderr
    assert "comments of 1 article(s) could not be fetched" in result.stderr
    md = next(out.rglob("001_0015100001.md"))  # the article is written all the same
    assert verify_text(md.read_text(encoding="utf-8")) is None
    report = json.loads(sorted((out / "reports").glob("crawl-*.json"))[-1].read_text("utf-8"))
    assert list(report["comments"]["failures"]) == ["001_0015100001"]
    assert "HTTP 500" in report["comments"]["failures"]["001_0015100001"]
    # A later run gets them.
    fake.world.fail_comments(*BIG, status=None)
    result = run_crawl(fake, out, *ARGS, "comments=all")
    assert result.returncode == 0, result.stderr[-3000:]
    check_comments(out, fake, md.relative_to(out).as_posix())


def test_sports_comments_are_not_collected(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    url = "https://n.news.naver.com/mnews/article/117/0003900001"  # redirects to m.sports
    result = run_crawl(fake, out, f"urls={url}", "comments=all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not comment_requests(fake)
    report = json.loads(sorted((out / "reports").glob("crawl-*.json"))[-1].read_text("utf-8"))
    assert report["comments"]["counts"] == {"not_collected": 1}


def test_reparse_rebuilds_comments_without_a_request(fake: FakeNaver, tmp_path: Path) -> None:
    """With NEWSBOT_ARCHIVE on, comment answers are archived; ``reparse`` into an empty
    directory writes the same .comments.jsonl files and comment_count, offline."""
    out = tmp_path / "out"
    result = run_crawl(fake, out, *ARGS, "comments=all", NEWSBOT_ARCHIVE="True")
    assert result.returncode == 0, result.stderr[-3000:]
    crawled = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.comments.jsonl")}
    assert len(crawled) == len(files(out))
    fake.reset_log()
    fresh = tmp_path / "fresh"
    reparsed = run_newsbot(
        "reparse", str(out / "archive"), "--output", str(fresh), env=crawl_env(fake)
    )
    assert reparsed.returncode == 0, reparsed.stderr[-3000:]
    assert not fake.records  # not one request
    assert f"comments of {len(crawled)} article(s)" in reparsed.stdout
    again = {
        p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*.comments.jsonl")
    }
    assert again == crawled
    for name in files(out):
        front = split_markdown((fresh / name).read_text(encoding="utf-8")).front_matter
        original = split_markdown((out / name).read_text(encoding="utf-8")).front_matter
        assert front["comment_count"] == original["comment_count"]
        assert (fresh / name).read_text(encoding="utf-8").replace(front["crawled_at"], "T") == (
            out / name
        ).read_text(encoding="utf-8").replace(original["crawled_at"], "T")
