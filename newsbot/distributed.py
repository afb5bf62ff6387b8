"""Scale-out on Redis: several workers share one crawl through scrapy-redis.

With ``NEWSBOT_REDIS_URL`` set, every worker started with the same arguments uses one
scrapy-redis priority queue and one scrapy-redis dupefilter, under keys named after the
crawl (``newsbot:<crawl id>:…``, the id a hash of the arguments). Listing pages and
articles go through the shared dupefilter, so each is fetched by one worker; any worker
takes whatever is queued, including one that joins late.

scrapy-redis 0.9.1 needs care with Scrapy 2.19, and this module is where it is taken:

* Its scheduler flushes the shared queue and dupefilter when *any* worker closes unless
  ``SCHEDULER_PERSIST`` is on: ``persist`` is always on here, and the crawl's keys are
  removed only when the whole crawl is done.
* ``RedisSpider``'s idle-close timer counts from import time (a class attribute), so a
  worker up for longer than ``MAX_IDLE_TIME_BEFORE_CLOSE`` closes at once. newsbot's spider
  is not a ``RedisSpider``: a worker stays up while the crawl has work anywhere, and closes
  when the shared state says the crawl is done (``RedisCrawl.crawl_done``).
* Seeds pushed into Redis for a ``RedisSpider`` are made with ``dont_filter=True`` and skip
  the dupefilter. newsbot's seeds are its listing requests, made from the arguments and
  filtered like everything else, so N workers walk each listing once.

A worker that dies (or is stopped) takes the requests it had popped with it: they are in
the dupefilter, so nobody would fetch them again. Every worker keeps a heartbeat key;
when the live workers are all idle and the queue is empty, a missing heartbeat means lost
work, and one worker *sweeps*: it clears the dupefilter and walks the listings again,
fetching only what the index does not hold yet — the same way a single crawl resumes.
Every worker also forgets the articles it has seen listed (its own shortcut past the
dupefilter) once it notices a sweep, since the dead worker may have held any of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import uuid
from typing import Any

import redis
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from newsbot.ledger import LedgerData, Outcome, WalkRecord, outcome_rank

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 3.0
#: A worker whose heartbeat is older than this is dead.
WORKER_TTL_SECONDS = 15
#: How long the "done" mark keeps late workers from starting the same crawl again.
DONE_TTL_SECONDS = 60

# Pop the most urgent request and mark the worker busy in one step, so that "queue empty and
# every worker idle" can never be seen while a request is between the two.
_POP_LUA = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0)
if #items == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('SET', KEYS[2], 'busy', 'EX', ARGV[1])
return items[1]
"""
# Done when nothing is queued and every registered worker is alive and idle. Returns
# 'done', 'busy' or 'dead:<id>,<id>' (workers whose heartbeat is gone).
_DONE_LUA = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 'done' end
if redis.call('ZCARD', KEYS[1]) > 0 then return 'busy' end
local dead = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local state = redis.call('GET', ARGV[1] .. id)
  if not state then table.insert(dead, id)
  elseif state ~= 'idle' then return 'busy' end
end
if #dead > 0 then return 'dead:' .. table.concat(dead, ',') end
redis.call('SET', KEYS[3], '1', 'EX', ARGV[2])
return 'done'
"""


# Set an article's outcome unless it has a more definite one already (see newsbot.ledger):
# values are "<rank>:<outcome>"; the reason is kept for failed and deleted articles only.
_OUTCOME_LUA = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and tonumber(string.match(old, '^(%d+):')) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
else redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
"""
#: How long a finished crawl's ledger stays in Redis (for workers still writing reports).
LEDGER_TTL_SECONDS = 24 * 3600


def _str(value: Any) -> str:
    """A Redis answer (bytes, or None for a missing key) as text."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def crawl_id(signature: dict[str, Any]) -> str:
    """Workers started with the same arguments get the same id, hence the same keys."""
    text = json.dumps(signature, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class RedisCrawl:
    """One worker's view of the shared crawl state in Redis."""

    def __init__(self, server: redis.Redis, crawl: str) -> None:
        self.server = server
        self.prefix = f"newsbot:{crawl}"
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.queue_key = f"{self.prefix}:requests"
        self.dupefilter_key = f"{self.prefix}:dupefilter"
        self.workers_key = f"{self.prefix}:workers"
        self.state_prefix = f"{self.prefix}:state:"
        self.done_key = f"{self.prefix}:done"
        self.sweep_key = f"{self.prefix}:sweep"
        self.sweeps_key = f"{self.prefix}:sweeps"  # how many sweeps the crawl has had
        self.sweeps_seen = 0
        self.run_key = f"{self.prefix}:run"  # this pass of the crawl (its ledger's name)
        self.run = ""
        self._pop = server.register_script(_POP_LUA)
        self._done = server.register_script(_DONE_LUA)
        self.heartbeat: task.LoopingCall | None = None
        self.state = "busy"

    @property
    def state_key(self) -> str:
        return self.state_prefix + self.worker

    def already_done(self) -> bool:
        return bool(self.server.exists(self.done_key))

    def join(self) -> None:
        self.server.set(self.run_key, uuid.uuid4().hex[:12], nx=True)
        self.run = _str(self.server.get(self.run_key))
        self.server.sadd(self.workers_key, self.worker)
        self.sweeps_seen = int(self.server.get(self.sweeps_key) or 0)
        self.set_state("busy")
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)

    def beat(self) -> None:
        try:
            self.server.set(self.state_key, self.state, ex=WORKER_TTL_SECONDS)
        except redis.RedisError as exc:
            logger.error("redis heartbeat failed: %s", exc)

    def set_state(self, state: str) -> None:
        self.state = state
        self.server.set(self.state_key, state, ex=WORKER_TTL_SECONDS)

    def pop(self) -> bytes | None:
        data = self._pop(keys=[self.queue_key, self.state_key], args=[WORKER_TTL_SECONDS])
        if data:
            self.state = "busy"
        return data if isinstance(data, bytes) else None

    def crawl_done(self) -> tuple[bool, list[str]]:
        """Mark this worker idle, then ask: is the whole crawl done? Also returns the workers
        found dead (their popped requests are lost: the caller sweeps)."""
        self.set_state("idle")
        answer = self._done(
            keys=[self.queue_key, self.workers_key, self.done_key],
            args=[self.state_prefix, DONE_TTL_SECONDS],
        )
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        if text.startswith("dead:"):
            return False, text[5:].split(",")
        return text == "done", []

    def claim_sweep(self, dead: list[str]) -> bool:
        """One worker (the first to ask) sweeps for the dead ones; they leave the roster."""
        if not self.server.set(self.sweep_key, self.worker, nx=True, ex=WORKER_TTL_SECONDS):
            return False
        self.server.srem(self.workers_key, *dead)
        self.server.delete(self.dupefilter_key)
        self.sweeps_seen = int(self.server.incr(self.sweeps_key))
        self.set_state("busy")
        return True

    def new_sweep(self) -> bool:
        """Whether a sweep began since this worker last asked (or since it joined)."""
        try:
            sweeps = int(self.server.get(self.sweeps_key) or 0)
        except redis.RedisError as exc:
            logger.error("redis: reading the sweep count failed: %s", exc)
            return False
        if sweeps == self.sweeps_seen:
            return False
        self.sweeps_seen = sweeps
        return True

    def leave(self, *, done: bool) -> None:
        """On close. When the crawl is done the last worker removes its keys; when it is not
        (this worker was stopped), its state goes but it stays on the roster, so the others
        see the work it held as lost and sweep."""
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        try:
            self.server.delete(self.state_key)
            if done:
                self.server.srem(self.workers_key, self.worker)
                if not self.server.scard(self.workers_key):
                    self.server.delete(
                        self.queue_key,
                        self.dupefilter_key,
                        self.workers_key,
                        self.sweep_key,
                        self.sweeps_key,
                        self.run_key,
                    )
                    # The ledger stays a while: other workers may still be reporting.
                    for key in self.server.scan_iter(f"{self.prefix}:ledger:{self.run}:*"):
                        self.server.expire(key, LEDGER_TTL_SECONDS)
        except redis.RedisError as exc:
            logger.error("redis: leaving the crawl failed: %s", exc)


class SharedLedger:
    """The crawl ledger's records in Redis (``newsbot.ledger.Shared``), under
    ``newsbot:<crawl>:ledger:<run>:…``: every worker writes its walks, pages, articles and
    outcomes there, so any worker's ``reconcile()`` covers the whole crawl."""

    def __init__(self, server: redis.Redis, crawl: RedisCrawl) -> None:
        self.server = server
        base = f"{crawl.prefix}:ledger:{crawl.run}"
        self.walks_key, self.pages_key = f"{base}:walks", f"{base}:pages"
        self.articles_key, self.ends_key = f"{base}:walk_articles", f"{base}:ends"
        self.failures_key, self.named_key = f"{base}:listing_failures", f"{base}:named"
        self.outcomes_key, self.reasons_key = f"{base}:outcomes", f"{base}:reasons"
        self._outcome = server.register_script(_OUTCOME_LUA)

    def plan(self, record: WalkRecord) -> None:
        data = {"source": record.source, "day": record.day, "section": record.section}
        self.server.hsetnx(self.walks_key, record.id, json.dumps(data))

    def page(self, walk_id: str, articles: int) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.hincrby(self.pages_key, walk_id, 1)
        pipe.hincrby(self.articles_key, walk_id, articles)
        pipe.execute()

    def end(self, walk_id: str, end: str, detail: str, fallback: str | None) -> None:
        data = {"end": end, "detail": detail, "fallback": fallback}
        self.server.hset(self.ends_key, walk_id, json.dumps(data))

    def listing_failure(self, url: str, reason: str) -> None:
        self.server.hset(self.failures_key, url, reason)

    def named(self, key: str, walk_id: str) -> None:
        self.server.hsetnx(self.named_key, key, walk_id)

    def outcome(self, key: str, outcome: str, reason: str | None) -> None:
        rank = outcome_rank(Outcome(outcome))
        self._outcome(
            keys=[self.outcomes_key, self.reasons_key], args=[key, rank, outcome, reason or ""]
        )

    def snapshot(self) -> LedgerData:
        def strings(key: str) -> dict[str, str]:
            return {_str(k): _str(v) for k, v in self.server.hgetall(key).items()}

        walks: dict[str, WalkRecord] = {}
        pages, articles, ends = (
            strings(self.pages_key),
            strings(self.articles_key),
            strings(self.ends_key),
        )
        for walk_id, text in strings(self.walks_key).items():
            info = json.loads(text)
            record = WalkRecord(walk_id, info["source"], info["day"], info["section"])
            record.pages, record.articles = (
                int(pages.get(walk_id, 0)),
                int(articles.get(walk_id, 0)),
            )
            if walk_id in ends:
                end = json.loads(ends[walk_id])
                record.end, record.detail, record.fallback = (
                    end["end"],
                    end["detail"],
                    end["fallback"],
                )
            walks[walk_id] = record
        outcomes = {k: v.partition(":")[2] for k, v in strings(self.outcomes_key).items()}
        reasons = strings(self.reasons_key)
        return LedgerData(
            walks=walks,
            named=strings(self.named_key),
            outcomes=outcomes,
            reasons={k: v for k, v in reasons.items() if outcomes.get(k) in ("failed", "deleted")},
            listing_failures=strings(self.failures_key),
        )


class RedisCrawlScheduler(RedisScheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler (priority queue + dupefilter in Redis) on the crawl's keys,
    never flushing shared state on close, popping through ``RedisCrawl``."""

    crawl: RedisCrawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisCrawlScheduler:
        url = crawler.settings.get("NEWSBOT_REDIS_URL")
        server = redis.Redis.from_url(url)
        server.ping()
        scheduler = cls(
            server=server,
            persist=True,
            queue_cls="scrapy_redis.queue.PriorityQueue",
            dupefilter_cls="scrapy_redis.dupefilter.RFPDupeFilter",
            serializer=None,
        )
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Any) -> None:
        crawl: RedisCrawl = spider.redis_crawl
        self.crawl = crawl
        self.queue_key = crawl.queue_key
        self.df = RFPDupeFilter(self.server, key=crawl.dupefilter_key)
        super().open(spider)

    def close(self, reason: str) -> None:
        return None  # shared state is never flushed by one worker (see the module doc)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            if self.stats is not None:
                self.stats.inc_value("scheduler/filtered/redis")
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        data = self.crawl.pop()
        if data is None:
            return None
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        request: Request = self.queue._decode_request(data)
        return request
