"""Scale-out: several ``scrapy crawl naver`` workers share one crawl through a real
redis-server (started here on a free 127.0.0.1 port and stopped by PID)."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis

from newsbot.search import search_url
from tests.conftest import ROOT
from tests.e2e import article_requests, crawl_command, crawl_env, expected_name, files, index_rows
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world
from tests.services import ServerProcess, free_port, start_redis

pytestmark = pytest.mark.e2e
DAY = "2026-05-30"


def _workers(
    fake: FakeNaver,
    out: Path,
    port: int,
    n: int,
    *,
    stagger: float = 0.0,
    url: str | None = None,
    args: tuple[str, ...] = (),
    **settings: str,
) -> list[subprocess.Popen[str]]:
    procs = []
    for i in range(n):
        command = crawl_command(
            out,
            f"date={DAY}",
            *args,
            NEWSBOT_REDIS_URL=url or f"redis://127.0.0.1:{port}/0",
            **settings,
        )
        with (out.parent / f"worker{i}.log").open("w") as log:  # the child keeps its copy
            procs.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=crawl_env(fake),
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    text=True,
                )
            )
        time.sleep(stagger)
    return procs


def _expected(world_articles: list[object]) -> set[str]:
    return {expected_name(a) for a in world_articles if a.day == DAY.replace("-", "")}  # type: ignore[attr-defined]


def test_three_workers_share_one_crawl(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    _, port = redis_server
    world = synthetic_world(240, DAY, seed=3)
    world.delay = 0.01
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        started = time.monotonic()
        procs = _workers(fake, out, port, 3, stagger=1.5)  # the third joins late
        codes = [p.wait(timeout=240) for p in procs]
        elapsed = time.monotonic() - started
        requests = [url for _, url in fake.requests]
    logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(3)]
    assert codes == [0, 0, 0], "\n".join(log[-2000:] for log in logs)
    assert set(files(out)) == _expected(world.articles)
    fetched = article_requests_from(requests)
    assert len(fetched) == len(set(fetched)) == 240  # each article fetched by exactly one worker
    listings = [u for u in requests if "/article/" not in u]
    assert len(listings) == len(set(listings))  # listings walked once
    collected = [int(_stat(log, "newsbot/articles/new") or 0) for log in logs]
    assert sum(collected) == 240
    assert sum(1 for c in collected if c > 0) >= 2  # the work was shared
    # All stopped because the crawl was done: not at once, not never.
    assert all("the shared crawl is done" in log for log in logs)
    assert elapsed < 200
    server = redis.Redis(port=port)
    keys = {k.decode() for k in server.keys("*")}
    # Only the "done" mark and the finished run's ledger are left, and both expire.
    assert all(k.endswith(":done") or ":ledger:" in k for k in keys), keys
    assert all(server.ttl(k) > 0 for k in keys), keys
    # Every worker's verdict covers the whole crawl; each report shows its own share.
    reports = [json.loads(p.read_text()) for p in sorted((out / "reports").glob("crawl-*.json"))]
    assert len(reports) == 3 and all(r["status"] == "ok" for r in reports)
    joined = [r for r in reports if "worker" in r]  # a late one may find the crawl done
    assert len(joined) >= 2
    for report in joined:
        assert report["unaccounted"] == [] and report["failed_walks"] == []
        assert report["counts"]["new"] == 240
        assert sum(t["named"] for t in report["totals"].values()) == 240
    assert sum(r["worker"]["counts"]["new"] for r in joined) == 240
    assert all(log.rstrip().splitlines()[-1].endswith(".json") for log in logs)
    assert all("newsbot: crawl OK" in log.rstrip().splitlines()[-1] for log in logs)
    # The incremental check works across workers: a second run fetches no article.
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 2, stagger=0.5)
        # Within the "done" mark's life a new run of the same crawl is already finished;
        # wait for it to expire to check the incremental skip across workers.
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
    redis.Redis(port=port).flushall()
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 2, stagger=0.5)
        assert [p.wait(timeout=240) for p in procs] == [0, 0]
        assert article_requests(fake) == []


def article_requests_from(urls: list[str]) -> list[str]:
    return [u for u in urls if "/article/" in u]


def _stat(log: str, name: str) -> str | None:
    for line in log.splitlines():
        line = line.strip().lstrip("{")
        if line.startswith(f"'{name}':"):
            return line.split(":", 1)[1].strip().rstrip(",}")
    return None


def test_a_killed_worker_loses_no_articles(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    _, port = redis_server
    world = synthetic_world(200, DAY, seed=5)
    world.delay = 0.03
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 3, stagger=0.3, CONCURRENT_REQUESTS="4")
        deadline = time.monotonic() + 60
        while len(files(out)) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(procs[0].pid, signal.SIGKILL)
        codes = [p.wait(timeout=240) for p in procs]
        requests = [url for _, url in fake.requests]
    assert codes[0] == -signal.SIGKILL
    logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(3)]
    assert codes[1:] == [0, 0], "\n".join(log[-2000:] for log in logs)
    assert set(files(out)) == _expected(world.articles)  # the others finished its share
    assert any("stopped with work in hand" in log for log in logs[1:])
    written = {r[1] for r in index_rows(out).values() if r[0] == "written"}
    assert written == set(files(out))
    counts = Counter(article_requests_from(requests))
    # Only what the killed worker held when it died may have been fetched twice.
    assert sum(n - 1 for n in counts.values()) <= 8
    assert not [p for p in out.rglob("*") if p.name.startswith(".newsbot-tmp-")]


def test_every_worker_notices_a_sweep_once(redis_server: tuple[ServerProcess, int]) -> None:
    from newsbot.distributed import RedisCrawl

    _, port = redis_server
    server = redis.Redis(port=port)
    sweeper, other = RedisCrawl(server, "sweeps"), RedisCrawl(server, "sweeps")
    for worker in (sweeper, other):
        worker.join()
    assert not other.new_sweep()
    assert sweeper.claim_sweep(["dead-worker"])
    assert not sweeper.new_sweep()  # it swept: nothing to notice
    assert other.new_sweep()
    assert not other.new_sweep()  # once
    late = RedisCrawl(server, "sweeps")
    late.join()
    assert not late.new_sweep()  # a worker that joins after a sweep has seen nothing yet
    for worker in (sweeper, other, late):
        worker.leave(done=True)
    assert not server.keys("newsbot:sweeps:*")


def test_articles_seen_before_a_sweep_are_scheduled_again(tmp_path: Path) -> None:
    # The dead worker may have popped any article this worker listed: after a sweep, the
    # sweep's listing pages must schedule those again (not count them as duplicates).
    from scrapy.utils.test import get_crawler

    from newsbot.pages.listings import Listing
    from newsbot.sources import Walk
    from newsbot.spiders.naver import NaverSpider
    from newsbot.urls import ArticleId

    class Sweeps:
        def __init__(self) -> None:
            self.pending = False

        def new_sweep(self) -> bool:
            seen, self.pending = self.pending, False
            return seen

    crawler = get_crawler(NaverSpider, settings_dict={"NEWSBOT_OUTPUT_DIR": str(tmp_path)})
    spider = NaverSpider.from_crawler(crawler, date=DAY)
    sweeps = Sweeps()
    spider.redis_crawl = sweeps  # type: ignore[assignment]
    assert spider.index is not None
    spider.index.close()
    spider.index = None  # nothing collected yet
    listing = Listing(articles=[ArticleId("001", "0000000001"), ArticleId("001", "0000000002")])
    walk = Walk("latest", date.fromisoformat(DAY), ("100", "264"))
    assert len(list(spider.listed(listing, walk))) == 2
    assert list(spider.listed(listing, walk)) == []  # listed twice in one walk: once
    sweeps.pending = True
    assert [r.url for r in spider.listed(listing, walk)] == [
        "https://n.news.naver.com/mnews/article/001/0000000001",
        "https://n.news.naver.com/mnews/article/001/0000000002",
    ]


# -- Redis failing: lost state, gone for good, hostile queue entries (issue 13) -----------
def _wait_for_files(out: Path, n: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while len(files(out)) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(files(out))


def _reports(out: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((out / "reports").glob("crawl-*.json"))]


def test_a_redis_restarted_empty_fails_every_worker(tmp_path: Path) -> None:
    from newsbot.distributed import LOST_REASON

    port = free_port()
    server = start_redis(tmp_path / "redis-1", port)
    world = synthetic_world(400, DAY, seed=7)
    world.delay = 0.05
    out = tmp_path / "out"
    try:
        with FakeNaver(world).start() as fake:
            procs = _workers(fake, out, port, 2, stagger=0.3, CONCURRENT_REQUESTS="4")
            at_restart = _wait_for_files(out, 40)
            server.stop()  # by PID; it saves nothing
            server = start_redis(tmp_path / "redis-2", port)  # the same port, empty
            codes = [p.wait(timeout=120) for p in procs]
        for i in range(2):  # kept for a look: the second run writes worker<i>.log again
            (tmp_path / f"worker{i}.log").rename(tmp_path / f"lost{i}.log")
        logs = [(tmp_path / f"lost{i}.log").read_text() for i in range(2)]
        assert 40 <= at_restart < 400
        assert codes == [1, 1], "\n".join(log[-3000:] for log in logs)
        for log in logs:
            assert log.count(f"ERROR: {LOST_REASON}") == 1, log[-3000:]
            last = log.rstrip().splitlines()[-1]
            assert f"newsbot: crawl FAILED: {LOST_REASON}" in last
            assert "Traceback" not in log
        reports = _reports(out)
        assert len(reports) == 2
        assert all(r["status"] == "failed" and r["reason"] == LOST_REASON for r in reports)
        # Nothing of the lost pass is left to get in the way (the lost workers wrote nothing
        # into the new state but a ledger that expires), and running it again completes it.
        left = redis.Redis(port=port)
        assert all(left.ttl(k) > 0 for k in left.keys("*"))
        with FakeNaver(world).start() as fake:
            procs = _workers(fake, out, port, 2, stagger=0.3)
            codes = [p.wait(timeout=240) for p in procs]
            fetched = article_requests(fake)
        logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
        assert codes == [0, 0], "\n".join(log[-3000:] for log in logs)
        assert set(files(out)) == _expected(world.articles)
        assert len(fetched) < 400  # what the lost pass wrote was not fetched again
    finally:
        server.stop()


def test_a_redis_that_dies_fails_the_worker_in_bounded_time(tmp_path: Path) -> None:
    port = free_port()
    password = "s3cret-pw"
    server = start_redis(tmp_path / "redis", port, password=password)
    world = synthetic_world(400, DAY, seed=8)
    world.delay = 0.05
    out = tmp_path / "out"
    url = f"redis://:{password}@127.0.0.1:{port}/0"  # AUTH works, and is never printed
    try:
        with FakeNaver(world).start() as fake:
            procs = _workers(fake, out, port, 2, stagger=0.3, url=url, CONCURRENT_REQUESTS="4")
            _wait_for_files(out, 40)
            os.kill(server.pid, signal.SIGKILL)  # and it stays down
            killed = time.monotonic()
            codes = [p.wait(timeout=120) for p in procs]
            elapsed = time.monotonic() - killed
    finally:
        server.stop()
    logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
    assert codes == [1, 1], "\n".join(log[-3000:] for log in logs)
    assert elapsed < 60
    where = f"redis://:***@127.0.0.1:{port}/0"
    for log in logs:
        lines = [line for line in log.splitlines() if "ERROR: cannot reach Redis at" in line]
        assert len(lines) == 1, log[-3000:]  # one line, no storm
        assert f"cannot reach Redis at {where}: " in lines[0]
        assert f"newsbot: crawl FAILED: cannot reach Redis at {where}" in log.splitlines()[-1]
        assert "Traceback" not in log
        assert password not in log
    reports = _reports(out)
    assert len(reports) == 2 and all(r["status"] == "failed" for r in reports)


class _CreatesAFile:
    """Unpickling this opens (so creates) ``path``: what a hostile queue entry could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.path), "w")


def _redis_spider(tmp_path: Path, port: int, out: str = "out") -> tuple[Any, Any]:
    from scrapy.utils.test import get_crawler

    from newsbot.spiders.naver import NaverSpider

    settings = {
        "NEWSBOT_OUTPUT_DIR": str(tmp_path / out),
        "NEWSBOT_REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "NEWSBOT_REDIS_RETRIES": 0,
    }
    crawler = get_crawler(NaverSpider, settings_dict=settings)
    return crawler, NaverSpider.from_crawler(crawler, date=DAY)


def _close(spider: Any) -> None:
    spider.redis_crawl.leave(done=False)
    spider.index.close()


def test_a_pickle_in_the_queue_is_never_unpickled(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    from newsbot.distributed import JSON_REQUESTS, RedisCrawlScheduler
    from newsbot.sources import Walk
    from newsbot.urls import ArticleId

    _, port = redis_server
    sanity = tmp_path / "sanity"
    pickle.loads(pickle.dumps(_CreatesAFile(sanity))).close()
    assert sanity.exists()  # the payload does what it says when unpickled

    crawler, spider = _redis_spider(tmp_path, port)
    assert spider.redis_crawl.open(spider.ledger)
    spider.ledger.named("001_0000000001", Walk("urls", None))  # as a walk of the crawl would
    scheduler = RedisCrawlScheduler.from_crawler(crawler)
    scheduler.open(spider)
    wanted = spider.article_request(ArticleId("001", "0000000001"))
    assert scheduler.enqueue_request(wanted)
    marker = tmp_path / "pwned"
    as_dict = wanted.to_dict(spider=spider)
    hostile = {
        pickle.dumps(_CreatesAFile(marker)): -300,
        JSON_REQUESTS.dumps({**as_dict, "callback": "closed"}): -200,
        JSON_REQUESTS.dumps({**as_dict, "_class": "os.system"}): -100,
    }
    server = redis.Redis(port=port)
    server.zadd(spider.redis_crawl.queue_key, hostile)  # popped before the real one
    request = scheduler.next_request()
    assert request is not None and request.url == wanted.url
    assert request.callback == spider.parse_article
    assert not marker.exists()
    assert crawler.stats.get_value("newsbot/redis/refused") == 3
    assert scheduler.next_request() is None
    assert spider.redis_crawl.failure is None  # refused entries do not stop the worker
    _close(spider)


def test_every_request_kind_survives_the_queue(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    from scrapy.utils.request import request_from_dict

    from newsbot.distributed import JSON_REQUESTS, RedisCrawlScheduler
    from newsbot.sources import Progress, Walk
    from newsbot.urls import SPORTS, ArticleId

    _, port = redis_server
    crawler, spider = _redis_spider(tmp_path, port)
    walk = Walk("latest", date.fromisoformat(DAY), ("100", "264"))
    progress = Progress(page=3, found=72, cursors=["2026053012000012345"], pages=["ab", "cd"])
    listing = spider.listing_request(walk, progress, "2026053012000012345")
    later = Progress(page=4, found=96, cursors=[*progress.cursors, "2026053011000054321"])
    retried = spider.listing_request(walk, later, "2026053011000054321")
    retried = retried.replace(
        meta={**retried.meta, "retry_times": 1, "download_slot": "x", "download_latency": 0.5},
    )
    via_redis = [
        listing,
        retried,
        spider.article_request(ArticleId("001", "0000000001")),
        spider.article_request(ArticleId("001", "0000000002"), hops=2),
        spider.api_request(ArticleId("076", "0000000003"), SPORTS),
        _comments_request(spider),
    ]
    for request in via_redis:
        original = request.to_dict(spider=spider)
        text = JSON_REQUESTS.dumps(original)
        json.loads(text)  # plain JSON
        back = request_from_dict(JSON_REQUESTS.loads(text), spider=spider)
        assert back.to_dict(spider=spider) == original
        if "article_id" in back.cb_kwargs:
            assert isinstance(back.cb_kwargs["article_id"], ArticleId)
    # Browser requests' meta holds PageMethod objects, which JSON cannot carry: they stay in
    # the worker that made them (taken first), with their meta as it was.
    browser = spider.browser_request(ArticleId("076", "0000000004"), SPORTS)
    with pytest.raises(TypeError):
        JSON_REQUESTS.dumps(browser.to_dict(spider=spider))

    assert spider.redis_crawl.open(spider.ledger)
    # What the crawl issued: its walk planned, its articles named (a queued request of any
    # other walk or article is refused).
    spider.ledger.plan(walk)
    for key in ("001_0000000001", "001_0000000002", "076_0000000003", "001_0000000005"):
        spider.ledger.named(key, walk)
    scheduler = RedisCrawlScheduler.from_crawler(crawler)
    scheduler.open(spider)
    for request in [*via_redis, browser]:
        assert scheduler.enqueue_request(request)
    server = redis.Redis(port=port)
    entries = server.zrange(spider.redis_crawl.queue_key, 0, -1)
    assert len(entries) == len(via_redis)
    assert all(isinstance(json.loads(e), dict) for e in entries)
    first = scheduler.next_request()
    assert first is browser and first.meta["playwright_page_methods"]
    popped = [scheduler.next_request() for _ in via_redis]
    assert scheduler.next_request() is None
    by_url = {r.to_dict(spider=spider)["url"]: r.to_dict(spider=spider) for r in via_redis}
    assert {r.url: r.to_dict(spider=spider) for r in popped if r is not None} == by_url
    _close(spider)


def _comments_request(spider: Any) -> Any:
    """A comment request half-way through a thread: its ids, cursor and counters travel in
    cb_kwargs, as plain JSON (what it read stays out of the queue)."""
    from newsbot.comments import Mode, Thread

    thread = Thread.start(
        "001_0000000005", Mode.ALL, template="view_politics", previous=3, previous_counts={"a": 1}
    )
    thread.phase, thread.cursor, thread.seen = "list", "04kc", ["04kc"]
    thread.next_parent, thread.held = 1, 1
    return spider.comment_fetch.request(thread)


def test_comment_outcomes_are_shared(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    _, port = redis_server
    _, spider = _redis_spider(tmp_path, port)
    assert spider.redis_crawl.open(spider.ledger)
    spider.ledger.comments("001_0000000001", "failed", "HTTP 500 after 4 retries")
    spider.ledger.comments("001_0000000002", "collected")
    spider.ledger.comments("001_0000000003", "failed", "x")
    spider.ledger.comments("001_0000000003", "unchanged")  # a later outcome replaces it
    data = spider.ledger.shared.snapshot()
    assert data.comments == {
        "001_0000000001": "failed",
        "001_0000000002": "collected",
        "001_0000000003": "unchanged",
    }
    assert data.comment_reasons == {"001_0000000001": "HTTP 500 after 4 retries"}
    _close(spider)


def test_the_output_directory_is_part_of_the_crawl_id(tmp_path: Path) -> None:
    port = free_port()  # nothing listens: making a spider does not connect
    spiders = [_redis_spider(tmp_path, port, out)[1] for out in ("a", "b", "a")]
    prefixes = [s.redis_crawl.prefix for s in spiders]
    for spider in spiders:
        spider.index.close()
    assert prefixes[0] != prefixes[1]
    assert prefixes[0] == prefixes[2]


def test_a_lost_epoch_is_noticed_by_every_call(redis_server: tuple[ServerProcess, int]) -> None:
    from scrapy.utils.test import get_crawler

    from newsbot.distributed import LOST_REASON, RedisCrawl

    _, port = redis_server
    server = redis.Redis(port=port)
    calls = {
        "pop": lambda c: c.pop(),
        "push": lambda c: c.push("{}", "fp", 0),
        "heartbeat": lambda c: c.beat(),
        "idle check": lambda c: c.crawl_done(),
    }
    for name, call in calls.items():
        crawler = get_crawler()
        crawl = RedisCrawl(server, "epoch", crawler=crawler)
        crawl.join()
        server.flushall()  # what a restart without persistence does
        call(crawl)
        assert crawl.failure == LOST_REASON, name
        assert crawler.stats.get_value("newsbot/exit_reason") == LOST_REASON
        assert server.keys("*") == [], name  # nothing written into the new state
        crawl.leave(done=False)


def test_a_redis_that_does_not_answer_makes_the_worker_give_up() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.test import get_crawler

    from newsbot.distributed import RedisCrawl, redis_client

    url = f"redis://user:pw-123@127.0.0.1:{free_port()}/0"
    client = redis_client(Settings({"NEWSBOT_REDIS_URL": url, "NEWSBOT_REDIS_RETRIES": 1}))
    crawler = get_crawler()
    crawl = RedisCrawl(client, "gone", crawler=crawler, url=url)
    crawl.joined = True  # as if Redis had died after the join
    started = time.monotonic()
    assert crawl.pop() is None
    assert time.monotonic() - started < 5  # one retry, after 1 s
    reason = crawler.stats.get_value("newsbot/exit_reason")
    assert reason.startswith(f"cannot reach Redis at redis://user:***@{url.split('@')[1]}: ")
    assert "pw-123" not in reason
    # Given up: nothing calls Redis any more (no wait, no second line).
    started = time.monotonic()
    assert (
        crawl.queued() == 0
        and crawl.push("{}", "", 0) == ""
        and crawl.crawl_done()
        == (
            False,
            [],
        )
    )
    assert time.monotonic() - started < 0.1


def test_a_redis_url_password_is_never_printed(tmp_path: Path) -> None:
    from newsbot.distributed import mask_url

    assert mask_url("redis://user:secret@h:6379/0") == "redis://user:***@h:6379/0"
    assert mask_url("rediss://:secret@h/1") == "rediss://:***@h/1"
    assert mask_url("redis://h/0?password=secret&x=1") == "redis://h/0?password=***&x=1"
    assert mask_url("redis://h:6379/0") == "redis://h:6379/0"
    url = f"redis://user:secret-99@127.0.0.1:{free_port()}/0"
    done = subprocess.run(
        crawl_command(tmp_path / "out", f"date={DAY}", NEWSBOT_REDIS_URL=url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "newsbot: error: NEWSBOT_REDIS_URL=redis://user:***@127.0.0.1:" in done.stderr
    assert "secret-99" not in done.stderr + done.stdout


def test_a_proxy_named_in_the_queue_is_never_used() -> None:
    # Whoever else can write to the Redis must not route a worker through their proxy.
    from newsbot.distributed import JSON_REQUESTS

    entry = {
        "url": "https://n.news.naver.com/mnews/article/001/0000000001",
        "callback": "parse_article",
        "meta": {
            "proxy": "http://attacker.example:8080",
            "_auth_proxy": "x",
            "dont_redirect": True,
        },
    }
    decoded = JSON_REQUESTS.loads(JSON_REQUESTS.dumps(entry))
    assert decoded["meta"] == {"dont_redirect": True}


def test_two_workers_collect_every_comment_once(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    """Comment requests carry their thread's ids and cursor through the shared queue as
    JSON, what was read goes to the shared output directory: any worker may take the next
    page; each article's comments are written whole, once."""
    _, port = redis_server
    world = synthetic_world(60, DAY, seed=5, comments=True)
    big = world.articles[0]
    world.comment_counts[(big.oid, big.aid)] = 230  # three pages
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 2, stagger=0.5, args=("comments=all",))
        codes = [p.wait(timeout=240) for p in procs]
        referers = [r.referer for r in fake.records if "apis.naver.com" in r.url]
    logs = [(out.parent / f"worker{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], "\n".join(log[-2000:] for log in logs)
    written = files(out)
    assert set(written) == _expected(world.articles)
    assert referers and all(r and r.startswith("https://n.news.naver.com/") for r in referers)
    for path in written.values():
        oid, aid = path.stem.split("_")
        box = world.comments(oid, aid)
        lines = path.with_name(f"{path.stem}.comments.jsonl").read_text("utf-8").splitlines()
        numbers = [json.loads(line)["comment_no"] for line in lines]
        assert len(numbers) == len(set(numbers)), path.name
        assert set(numbers) == (set() if box.off else {c.comment_no for c in box.comments})


def test_two_workers_share_a_keyword_crawl_and_redis_never_holds_the_key(
    redis_server: tuple[ServerProcess, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query's pages are one walk shared through the queue; its press-only results are
    reported once by the shared ledger; the key is on no queued request (a search request
    retried after a 503 goes back through Redis)."""
    from tests.fakenaver import TEST_KEY, Override, SearchResult

    _, port = redis_server
    world = synthetic_world(400, DAY, seed=7)
    for spec in world.articles[::2]:  # 200 articles hold the word: two pages and a bit
        spec.paragraphs = [*spec.paragraphs, "오늘의 검색시험어 소식"]
    world.add_search_result(
        "검색시험어",
        SearchResult("검색시험어 단독", "https://www.press.example/x/1", f"{DAY} 12:00:00"),
    )
    world.set_override(search_url("검색시험어", 101), Override(503, times=1))
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_ID", TEST_KEY[0])
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_SECRET", TEST_KEY[1])
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 2, stagger=0.3, args=("query=검색시험어",))
        codes = [p.wait(timeout=240) for p in procs]
        searched = [r for r in fake.records if "openapi.naver.com" in r.url]
    logs = [(out.parent / f"worker{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], "\n".join(log[-2000:] for log in logs)
    expected = {expected_name(a) for a in world.articles[::2]}
    assert set(files(out)) == expected
    assert [r.status for r in searched] == [200, 503, 200, 200]
    reports = [json.loads(p.read_text()) for p in sorted((out / "reports").glob("*.json"))]
    assert len(reports) == 2
    for data in reports:
        assert [item["url"] for item in data["not_on_naver"]] == ["https://www.press.example/x/1"]
    server = redis.Redis(port=port)
    for key in server.keys("*"):
        kind = server.type(key)
        dump = server.dump(key) or b""
        assert TEST_KEY[1].encode() not in dump, (key, kind)
    assert all(TEST_KEY[1] not in log for log in logs)


def test_a_retried_search_request_goes_into_the_queue_without_the_key(
    redis_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    from scrapy.downloadermiddlewares.retry import get_retry_request
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from newsbot.distributed import RedisCrawlScheduler
    from newsbot.middlewares import SearchApiKeyMiddleware
    from newsbot.sources import Progress, Walk

    _, port = redis_server
    crawler, spider = _redis_spider(tmp_path, port)
    key = get_crawler(
        settings_dict={"NEWSBOT_NAVER_CLIENT_ID": "id-1", "NEWSBOT_NAVER_CLIENT_SECRET": "secret-1"}
    )
    middleware = SearchApiKeyMiddleware.from_crawler(key)
    walk = Walk.search("반도체", date.fromisoformat(DAY), date.fromisoformat(DAY))
    request = spider.listing_request(walk, Progress())
    middleware.process_request(request)
    assert request.headers["X-Naver-Client-Secret"] == b"secret-1"
    middleware.process_response(request, Response(request.url, status=503))
    retry = get_retry_request(request, spider=spider, reason="503")
    assert retry is not None
    assert spider.redis_crawl.open(spider.ledger)
    scheduler = RedisCrawlScheduler.from_crawler(crawler)
    scheduler.open(spider)
    assert scheduler.enqueue_request(retry)
    [entry] = redis.Redis(port=port).zrange(spider.redis_crawl.queue_key, 0, -1)
    assert b"secret-1" not in entry and b"id-1" not in entry
    assert b"openapi.naver.com" in entry
    _close(spider)


def test_a_refused_key_stops_every_worker_after_one_call(
    redis_server: tuple[ServerProcess, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakenaver import TEST_KEY, Override

    _, port = redis_server
    world = synthetic_world(20, DAY, seed=8)
    # The refusal comes late enough for the second worker to have joined the crawl.
    body = b'{"errorMessage": "Authentication failed", "errorCode": "024"}'
    refusal = Override(401, {"Content-Type": "application/json"}, body, delay=2.0)
    world.set_override(search_url("국회", 1), refusal)
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_ID", TEST_KEY[0])
    monkeypatch.setenv("NEWSBOT_NAVER_CLIENT_SECRET", "not-the-secret")
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        procs = _workers(fake, out, port, 2, stagger=0.3, args=("query=국회",))
        codes = [p.wait(timeout=240) for p in procs]
        searched = [r for r in fake.records if "openapi.naver.com" in r.url]
    logs = [(out.parent / f"worker{i}.log").read_text() for i in range(2)]
    assert codes == [1, 1], "\n".join(log[-2000:] for log in logs)
    assert [r.status for r in searched] == [401]
    for log in logs:
        assert "crawl FAILED: the Search API refused the key (HTTP 401" in log.splitlines()[-1]
    assert redis.Redis(port=port).keys("*:stopped:*") == []  # the pass is over: cleared
