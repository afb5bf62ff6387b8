"""Root cause: the Redis queue was trusted. A comment request carried the whole article and
every comment read so far through Redis (article text in Redis; a 20,000-comment thread
moved 2.6 GB), and a worker trusted what came back: one forged JSON entry became an article
with a valid hash in the corpus. Now a queued request carries ids, cursors and counters
only, and each entry taken from the queue is checked against what this crawl issued."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis

from newsbot.comments import Mode, Thread
from newsbot.distributed import JSON_REQUESTS, RedisCrawlScheduler
from newsbot.sources import Progress, Walk
from newsbot.urls import ArticleId
from tests.e2e import collectable, expected_name, files, start_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world

pytestmark = pytest.mark.e2e
DAY = "2026-05-30"
NAMED = ArticleId("001", "0000000001")  # named by the crawl's walk
STRANGER = ArticleId("001", "0000000999")  # named by none


def _spider(tmp_path: Path, port: int, **args: str) -> tuple[Any, Any]:
    from scrapy.utils.test import get_crawler

    from newsbot.spiders.naver import NaverSpider

    settings = {
        "NEWSBOT_OUTPUT_DIR": str(tmp_path / "out"),
        "NEWSBOT_REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "NEWSBOT_REDIS_RETRIES": 0,
    }
    crawler = get_crawler(NaverSpider, settings_dict=settings)
    return crawler, NaverSpider.from_crawler(crawler, date=DAY, **args)


def _forged_article() -> dict[str, Any]:
    """What a forger would put in the old comment request's ``article``."""
    return {
        "id": STRANGER.key,
        "title": "forged",
        "category": None,
        "publisher": "nobody",
        "author": None,
        "published_at": "2026-05-30T10:00:00+09:00",
        "crawled_at": "2026-05-30T11:00:00+09:00",
        "url": STRANGER.url,
        "oid": STRANGER.oid,
        "aid": STRANGER.aid,
        "content_hash": None,
        "subtitle": None,
        "content": "forged text",
    }


def _entries(spider: Any, walk: Walk) -> dict[str, dict[str, Any]]:
    """Hostile entries, each in the shape of one of newsbot's requests."""
    real_article = spider.article_request(NAMED).to_dict(spider=spider)
    thread = Thread.start(STRANGER.key, Mode.ALL)
    comments = spider.comment_fetch.request(thread).to_dict(spider=spider)
    named_thread = spider.comment_fetch.request(Thread.start(NAMED.key, Mode.ALL)).to_dict(
        spider=spider
    )
    listing = spider.listing_request(walk, Progress()).to_dict(spider=spider)
    return {
        # the old comment request: the article rides along, to be yielded when it ends
        "article in a comment request": {
            **comments,
            "cb_kwargs": {"thread": thread.to_dict(), "article": _forged_article()},
        },
        "comments of an article no walk named": comments,
        "an article no walk named": spider.article_request(STRANGER).to_dict(spider=spider),
        "a URL that is not the article's": {
            **real_article,
            "url": "https://n.news.naver.com/mnews/article/001/0000000999",
        },
        "a body": {**real_article, "method": "POST", "body": b"x=1"},
        "another errback": {**real_article, "errback": "listing_failed"},
        "a walk the crawl never planned": {
            **listing,
            "cb_kwargs": {
                "walk": Walk("latest", date(2020, 1, 1), ("100", "264")).id,
                "progress": Progress().to_dict(),
            },
        },
        "a listing page at a URL of its own": {
            **listing,
            "url": "https://news.naver.com/section/template/SECTION_ARTICLE_LIST?x=1",
        },
        "an article page redirected anywhere": {
            **real_article,
            "url": "https://blog.naver.com/someone/1",
            "meta": {**real_article["meta"], "redirect_urls": [NAMED.url]},
        },
        "a listing page redirected off its host": {
            **listing,
            "url": "https://blog.naver.com/someone/2",
            "meta": {**listing["meta"], "redirect_urls": [listing["url"]]},
        },
        "a redirect from a URL the crawl never made": {
            **listing,
            "url": "https://news.naver.com/section/100",
            "meta": {**listing["meta"], "redirect_urls": ["https://news.naver.com/x"]},
        },
        "a thread with extra fields": {
            **named_thread,
            "cb_kwargs": {"thread": {**thread.to_dict(), "key": NAMED.key, "comments": {}}},
        },
        "a thread with a cursor not in its URL": {
            **named_thread,
            "cb_kwargs": {"thread": {**Thread.start(NAMED.key, Mode.ALL).to_dict(), "cursor": "x"}},
        },
    }


def test_a_queued_request_carries_no_article_and_no_comments(
    redis_server: tuple[Any, int], tmp_path: Path
) -> None:
    _, port = redis_server
    _, spider = _spider(tmp_path, port, comments="all")
    thread = Thread.start(NAMED.key, Mode.ALL)
    for n in range(5):  # 500 comments read
        thread.read.records.update(
            {str(10_000 + 100 * n + i): {"comment_no": "x", "contents": "글"} for i in range(100)}
        )
    thread.held = len(thread.read.records)
    text = JSON_REQUESTS.dumps(spider.comment_fetch.request(thread).to_dict(spider=spider))
    assert len(text) < 1500 and "글" not in text and "10000" not in text
    assert set(json.loads(text)["cb_kwargs"]) == {"thread"}
    spider.index.close()


def test_forged_entries_are_refused_and_real_ones_pass(
    redis_server: tuple[Any, int], tmp_path: Path
) -> None:
    _, port = redis_server
    crawler, spider = _spider(tmp_path, port, comments="all")
    assert spider.redis_crawl.open(spider.ledger)
    walk = Walk("latest", date.fromisoformat(DAY), ("100", "264"))
    spider.ledger.plan(walk)
    spider.ledger.named(NAMED.key, walk)
    scheduler = RedisCrawlScheduler.from_crawler(crawler)
    scheduler.open(spider)
    server = redis.Redis(port=port)
    forged = _entries(spider, walk)
    server.zadd(
        spider.redis_crawl.queue_key,
        {JSON_REQUESTS.dumps(entry): -1000 + i for i, entry in enumerate(forged.values())},
    )
    assert scheduler.next_request() is None, "a forged entry was taken"
    assert crawler.stats.get_value("newsbot/redis/refused") == len(forged)
    # What the crawl itself issued still passes, from this worker or another.
    listing = spider.listing_request(walk, Progress())
    moved = listing.replace(
        url="https://news.naver.com/section/template/moved",
        meta={**listing.meta, "redirect_urls": [listing.url]},
    )
    real = [
        spider.article_request(NAMED),
        listing,
        moved,  # redirected by Scrapy on the same host, then queued again
        spider.comment_fetch.request(Thread.start(NAMED.key, Mode.ALL)),
    ]
    for request in real:
        assert scheduler.enqueue_request(request)
    popped = [scheduler.next_request() for _ in real]
    assert sorted(r.url for r in popped if r is not None) == sorted(r.url for r in real)
    assert crawler.stats.get_value("newsbot/redis/refused") == len(forged)
    spider.redis_crawl.leave(done=False)
    spider.index.close()


def test_a_forged_entry_in_a_live_crawl_never_reaches_the_corpus(
    redis_server: tuple[Any, int], tmp_path: Path
) -> None:
    """A worker of a real crawl pops a forged comment request carrying an article: it is
    refused (a count and a line), and the corpus holds the crawl's articles only."""
    _, port = redis_server
    world = synthetic_world(8, DAY, seed=2, comments=True)
    world.delay = 0.3  # the crawl is still running when the entry is slipped in
    out = tmp_path / "out"
    # The crawl's queue (its name comes from the arguments and the output directory).
    _, spider = _spider(tmp_path, port, comments="all")
    queue_key = spider.redis_crawl.queue_key
    thread = Thread.start(STRANGER.key, Mode.COUNT)
    entry = {
        **spider.comment_fetch.request(thread).to_dict(spider=spider),
        "cb_kwargs": {"thread": thread.to_dict(), "article": _forged_article()},
    }
    spider.index.close()
    server = redis.Redis(port=port)
    with FakeNaver(world).start() as fake:
        proc = start_crawl(
            fake,
            out,
            f"date={DAY}",
            "comments=all",
            NEWSBOT_REDIS_URL=f"redis://127.0.0.1:{port}/0",
        )
        deadline = time.monotonic() + 60
        while not server.zcard(queue_key) and time.monotonic() < deadline:
            time.sleep(0.02)
        server.zadd(queue_key, {JSON_REQUESTS.dumps(entry): -1000})  # popped next
        _, stderr = proc.communicate(timeout=180)
    assert STRANGER.key + ".md" not in {p.name for p in files(out).values()}
    assert proc.returncode == 0, stderr[-3000:]
    assert "refused an entry of the Redis queue" in stderr
    assert "newsbot/redis/refused': 1" in stderr
    day = DAY.replace("-", "")
    assert set(files(out)) == {expected_name(a) for a in collectable(world) if a.day == day}


def test_a_thread_moving_between_workers_reads_each_stashed_byte_once_per_worker(
    tmp_path: Path,
) -> None:
    """What a thread read stays out of its requests: the next page may go to any worker,
    which reads only what was appended since it last saw the thread (a whole re-read per
    page made a long thread quadratic), and ends with every comment read."""
    from newsbot.comments import CommentPage, CommentStash, Done, Fetch

    def page(numbers: list[str], cursor: str | None) -> CommentPage:
        comments = [
            {"comment_no": n, "parent_comment_no": None, "reply_count": 0, "contents": "글"}
            for n in numbers
        ]
        return CommentPage(10_000, "COMMENT_ON", comments, cursor, None, 10_000, items=len(numbers))

    workers = [CommentStash(tmp_path), CommentStash(tmp_path), CommentStash(tmp_path)]
    thread = Thread.start(NAMED.key, Mode.ALL)
    workers[0].start(thread)
    pages = 100
    for n in range(pages):
        worker = workers[n % 3]  # as the shared queue hands the pages out
        state = Thread.from_dict(json.loads(json.dumps(thread.to_dict())))
        worker.load(state)
        numbers = [str(1_000_000 - 100 * n - i) for i in range(100)]
        step = state.take(page(numbers, f"c{n}" if n < pages - 1 else None))
        worker.save(state)
        thread = state
        assert isinstance(step, Fetch if n < pages - 1 else Done)
    assert len(thread.comments) == 100 * pages == thread.held
    size = workers[0].path(thread).stat().st_size
    assert thread.stashed == size
    for worker in workers:
        assert worker.bytes_read <= size  # each byte at most once per worker, not per page
    # A fourth worker, new to the thread, reads it whole once and finds every comment.
    late = CommentStash(tmp_path)
    again = Thread.from_dict(thread.to_dict())
    late.load(again)
    assert late.bytes_read == size and len(again.comments) == 100 * pages


def test_a_stash_that_lost_bytes_fails_the_thread_by_name(tmp_path: Path) -> None:
    from newsbot.comments import CommentPage, CommentStash, StashLost

    stash = CommentStash(tmp_path)
    thread = Thread.start(NAMED.key, Mode.ALL)
    stash.start(thread)
    record = {"comment_no": "5", "parent_comment_no": None, "reply_count": 0}
    thread.take(CommentPage(2, "COMMENT_ON", [record], "c1", None, 2, items=1))
    stash.save(thread)
    stash.path(thread).write_bytes(b"")  # the file emptied (not shared, removed, cut)
    other = CommentStash(tmp_path)
    with pytest.raises(StashLost, match="bytes the thread wrote"):
        other.load(Thread.from_dict(thread.to_dict()))
