"""Scale-out on Redis: several workers share one crawl through scrapy-redis.

With ``NEWSBOT_REDIS_URL`` set, every worker started with the same arguments and the same
output directory uses one scrapy-redis priority queue and one scrapy-redis dupefilter,
under keys named after the crawl (``newsbot:<crawl id>:…``, the id a hash of the arguments
and the output directory). Listing pages and articles go through the shared dupefilter, so
each is fetched by one worker; any worker takes whatever is queued, including one that
joins late.

scrapy-redis 0.9.1 needs care with Scrapy 2.19, and this package is where it is taken:

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
* Its queues pickle requests by default: whoever can write to the Redis would run code in
  every worker. Requests go in as JSON here (``JSON_REQUESTS``), and an entry that is not
  the JSON of one of newsbot's requests is refused, logged and counted, never executed.
  Browser requests never go to Redis (their meta holds scrapy-playwright ``PageMethod``
  objects): they stay in the memory of the worker that made them, as its follow-up.

One module per part, each importing only those listed before it (no cycle):

* ``client``: the Redis client (timeouts, a bounded retry) and URLs fit for a log line;
* ``serializer``: requests as JSON in the queue, anything else refused;
* ``shared_ledger``: the crawl ledger's records shared in Redis;
* ``crawl``: one worker's view of the shared crawl (``RedisCrawl``): join, heartbeat, push
  and pop, the end of the crawl, the sweep after a dead worker, giving up;
* ``scheduler``: ``RedisCrawlScheduler``, the ``SCHEDULER`` the spider sets
  (``newsbot.distributed.RedisCrawlScheduler``, re-exported here as every name below).
"""

from __future__ import annotations

from newsbot.distributed.client import (
    REDIS_RETRIES,
    REDIS_TIMEOUT,
    BoundedRetry,
    mask_url,
    redis_client,
)
from newsbot.distributed.crawl import (
    DONE_TTL_SECONDS,
    HEARTBEAT_SECONDS,
    LOST_REASON,
    STOP_TTL_SECONDS,
    WORKER_TTL_SECONDS,
    RedisCrawl,
    crawl_id,
)
from newsbot.distributed.scheduler import RedisCrawlScheduler
from newsbot.distributed.serializer import JSON_REQUESTS, JsonRequests, RefusedRequest
from newsbot.distributed.shared_ledger import LEDGER_TTL_SECONDS, SharedLedger

__all__ = [
    "DONE_TTL_SECONDS",
    "HEARTBEAT_SECONDS",
    "JSON_REQUESTS",
    "LEDGER_TTL_SECONDS",
    "LOST_REASON",
    "REDIS_RETRIES",
    "REDIS_TIMEOUT",
    "STOP_TTL_SECONDS",
    "WORKER_TTL_SECONDS",
    "BoundedRetry",
    "JsonRequests",
    "RedisCrawl",
    "RedisCrawlScheduler",
    "RefusedRequest",
    "SharedLedger",
    "crawl_id",
    "mask_url",
    "redis_client",
]
