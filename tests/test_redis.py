"""Scale-out: several ``scrapy crawl naver`` workers share one crawl through a real
redis-server (started here on a free 127.0.0.1 port and stopped by PID)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import redis

from tests.conftest import ROOT
from tests.e2e import article_requests, crawl_command, crawl_env, expected_name, files, index_rows
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import synthetic_world
from tests.services import ServerProcess, free_port, start_process

pytestmark = pytest.mark.e2e
DAY = "2026-05-30"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int]]:
    program = shutil.which("redis-server")
    assert program, "Debian's redis-server is needed: bash .ci/setup installs it"
    port = free_port()
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = start_process(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        ready=lambda: bool(redis.Redis(port=port).ping()),
        timeout=20,
    )
    try:
        yield server, port
    finally:
        server.stop()


def _workers(
    fake: FakeNaver, out: Path, port: int, n: int, *, stagger: float = 0.0, **settings: str
) -> list[subprocess.Popen[str]]:
    procs = []
    for i in range(n):
        command = crawl_command(
            out, f"date={DAY}", NEWSBOT_REDIS_URL=f"redis://127.0.0.1:{port}/0", **settings
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
