"""The Scrapy scheduler of a shared crawl: scrapy-redis's priority queue and dupefilter on
the crawl's keys, pushed and popped through ``RedisCrawl``, requests as JSON."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from newsbot.distributed.check import queued_problem
from newsbot.distributed.crawl import RedisCrawl
from newsbot.distributed.serializer import JSON_REQUESTS, RefusedRequest
from newsbot.ledger import crawl_ledger

# The package's name, as before the split: log lines keep naming ``newsbot.distributed``.
logger = logging.getLogger("newsbot.distributed")

#: How many refused queue entries are logged one by one (the rest are only counted).
_REFUSED_LOGGED = 10
#: How many refused entries one next_request() call skips before it returns nothing.
_REFUSED_PER_CALL = 100


class RedisCrawlScheduler(RedisScheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler (priority queue + dupefilter in Redis) on the crawl's keys,
    never flushing shared state on close, pushing and popping through ``RedisCrawl`` (in
    one Lua step each, checked against the crawl's epoch), requests as JSON.

    Requests the JSON form cannot carry stay in this worker's memory (``local``) and are
    taken first: browser requests, by design (their meta holds ``PageMethod`` objects; each
    is the follow-up of an article this worker holds, made with ``dont_filter``, like a
    retry), and anything else JSON cannot carry (a bug: logged once)."""

    crawl: RedisCrawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisCrawlScheduler:
        scheduler = cls(
            server=None,  # the spider's client (open): one client, one retry policy
            persist=True,
            queue_cls="scrapy_redis.queue.PriorityQueue",
            dupefilter_cls="scrapy_redis.dupefilter.RFPDupeFilter",
            serializer=JSON_REQUESTS,
        )
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Any) -> None:
        # Not scrapy-redis's open(): it only makes these, then counts the queue (a Redis
        # call made before start() has joined the crawl).
        crawl: RedisCrawl = spider.redis_crawl
        self.spider = spider
        self.crawl = crawl
        self.server = crawl.server
        self.queue_key = crawl.queue_key
        self.queue = PriorityQueue(
            server=self.server, spider=spider, key=crawl.queue_key, serializer=self.serializer
        )
        self.df = RFPDupeFilter(self.server, key=crawl.dupefilter_key)
        self.local: deque[Request] = deque()
        self.refused = 0
        self.unencodable_logged = False

    def close(self, reason: str) -> None:
        return None  # shared state is never flushed by one worker (see the package doc)

    def __len__(self) -> int:
        return len(self.local) + self.crawl.queued()

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.crawl.queued() > 0

    def count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def enqueue_request(self, request: Request) -> bool:
        if self.crawl.failure is not None:
            self.count("newsbot/redis/dropped")  # closing: the verdict is failed already
            return False
        if request.meta.get("playwright"):
            return self.keep_local(request)
        try:
            data = self.queue._encode_request(request)
        except (TypeError, ValueError) as exc:
            if not self.unencodable_logged:
                self.unencodable_logged = True
                logger.warning(
                    "a request cannot go into Redis as JSON (%s): %s; keeping such requests "
                    "in this worker (newsbot/redis/kept_local)",
                    exc,
                    request,
                )
            return self.keep_local(request)
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        answer = self.crawl.push(data, fingerprint, -request.priority)
        if answer == "seen":
            self.count("scheduler/filtered/redis")
            return False
        if answer != "queued":
            self.count("newsbot/redis/dropped")
            return False
        self.count("scheduler/enqueued/redis")
        return True

    def keep_local(self, request: Request) -> bool:
        self.local.append(request)
        self.count("newsbot/redis/kept_local")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        for _ in range(_REFUSED_PER_CALL):
            data = self.crawl.pop()
            if data is None:
                return None
            try:
                request: Request = self.queue._decode_request(data)
            except Exception as exc:  # RefusedRequest, or a callback the spider lacks
                self.refuse(data, exc)
                continue
            # One of newsbot's requests in shape: is it one this crawl issued?
            problem = queued_problem(request, crawl_ledger(self.crawler))
            if problem is not None:
                self.refuse(data, RefusedRequest(problem))
                continue
            self.count("scheduler/dequeued/redis")
            return request
        return None

    def refuse(self, data: bytes, exc: Exception) -> None:
        """A queue entry that is not one of newsbot's requests: never executed."""
        self.refused += 1
        self.count("newsbot/redis/refused")
        if self.refused <= _REFUSED_LOGGED:
            logger.error(
                "refused an entry of the Redis queue %s that is not a request this crawl "
                "made (%s): %r%s",
                self.crawl.queue_key,
                exc,
                data[:80],
                ""
                if self.refused < _REFUSED_LOGGED
                else "; further ones are only counted (newsbot/redis/refused)",
            )
