"""Scale-out on Redis: several workers share one crawl through scrapy-redis.

With ``NEWSBOT_REDIS_URL`` set, every worker started with the same arguments and the same
output directory uses one scrapy-redis priority queue and one scrapy-redis dupefilter,
under keys named after the crawl (``newsbot:<crawl id>:…``, the id a hash of the arguments
and the output directory). Listing pages and articles go through the shared dupefilter, so
each is fetched by one worker; any worker takes whatever is queued, including one that
joins late.

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
* Its queues pickle requests by default: whoever can write to the Redis would run code in
  every worker. Requests go in as JSON here (``JSON_REQUESTS``), and an entry that is not
  the JSON of one of newsbot's requests is refused, logged and counted, never executed.
  Browser requests never go to Redis (their meta holds scrapy-playwright ``PageMethod``
  objects): they stay in the memory of the worker that made them, as its follow-up.

A worker that dies (or is stopped) takes the requests it had popped with it: they are in
the dupefilter, so nobody would fetch them again. Every worker keeps a heartbeat key;
when the live workers are all idle and the queue is empty, a missing heartbeat means lost
work, and one worker *sweeps*: it clears the dupefilter and walks the listings again,
fetching only what the index does not hold yet — the same way a single crawl resumes.
Every worker also forgets the articles it has seen listed (its own shortcut past the
dupefilter) once it notices a sweep, since the dead worker may have held any of them.

Redis itself can fail in two ways, and neither may end in an "ok" verdict:

* It loses the crawl's state (restarted empty, flushed): the *run key* (``…:run``, this
  pass's id, set by the first worker to join) is the crawl's epoch. Every pop, push, idle
  check and heartbeat checks it in the same Lua step; gone or changed means the state is
  lost, and the worker closes ``failed`` with that reason (see ``RedisCrawl.state_lost``).
* It stops answering: every call goes through one client with socket timeouts and a
  bounded retry (``redis_client``); when a call gives up the worker logs one line, stops
  calling Redis, and closes ``failed`` (``RedisCrawl.unreachable``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import socket
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from newsbot.ledger import Ledger, LedgerData, Outcome, WalkRecord, outcome_rank
from newsbot.spiders.naver import QUEUED_CALLBACKS
from newsbot.urls import ArticleId

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 3.0
#: A worker whose heartbeat is older than this is dead.
WORKER_TTL_SECONDS = 15
#: How long the "done" mark keeps late workers from starting the same crawl again.
DONE_TTL_SECONDS = 60
#: How long a worker's "stop the crawl" stays for the others (a new start clears it).
STOP_TTL_SECONDS = 86_400
#: Defaults of NEWSBOT_REDIS_TIMEOUT and NEWSBOT_REDIS_RETRIES (newsbot/settings.py).
REDIS_TIMEOUT = 5.0
REDIS_RETRIES = 4
#: The waits between tries of a failed call: 1, 2, 4, 4, … seconds (11 s for 4 retries).
_BACKOFF = ExponentialBackoff(cap=4.0, base=0.5)

LOST_REASON = (
    "the Redis state of this crawl was lost (redis restarted or flushed?): run the crawl "
    "again (what was collected is in the index and is not fetched again)"
)

# Join the crawl: the first worker of a pass sets the run key (the crawl's epoch) and clears
# what a lost pass may have left (a queue and a dupefilter without their run key would
# filter requests nobody will fetch); every worker enters the roster, busy.
_JOIN_LUA = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SET', KEYS[7], 'busy', 'EX', ARGV[3])
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[3]) or '0'}
"""
# Set this worker's state (its heartbeat), unless the crawl's epoch is gone: returns 0 then.
_STATE_LUA = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
"""
# Pop the most urgent request and mark the worker busy in one step, so that "queue empty and
# every worker idle" can never be seen while a request is between the two. 0: epoch gone.
_POP_LUA = """
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return 0 end
local items = redis.call('ZRANGE', KEYS[1], 0, 0)
if #items == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('SET', KEYS[2], 'busy', 'EX', ARGV[1])
return items[1]
"""
# Queue a request unless its fingerprint (ARGV[2], '' for dont_filter) was seen: 1 queued,
# 0 seen, -1 epoch gone (nothing is written into a state that is not this crawl's).
_PUSH_LUA = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if ARGV[2] ~= '' and redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""
# Mark this worker idle and ask whether the crawl is done: nothing queued and every
# registered worker alive and idle. Returns 'lost' (epoch gone), 'done', 'busy' or
# 'dead:<id>,<id>' (workers whose heartbeat is gone).
_DONE_LUA = """
if redis.call('GET', KEYS[4]) ~= ARGV[3] then return 'lost' end
redis.call('SET', KEYS[5], 'idle', 'EX', ARGV[4])
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

T = TypeVar("T")


def _str(value: Any) -> str:
    """A Redis answer (bytes, or None for a missing key) as text."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def crawl_id(signature: dict[str, Any]) -> str:
    """Workers started with the same arguments (and output directory: the caller puts it
    in) get the same id, hence the same keys."""
    text = json.dumps(signature, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- the client ----------------------------------------------------------------------------
_QUERY_PASSWORD_RE = re.compile(r"(?i)((?:^|&)password=)[^&]*")


def mask_url(url: str) -> str:
    """``redis://user:***@host:6379/0``: a Redis URL fit for a log line (its password, in the
    user part or in a ``?password=`` query, replaced by ``***``)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<a Redis URL that cannot be parsed>"
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    query = _QUERY_PASSWORD_RE.sub(r"\1***", parts.query)
    if netloc == parts.netloc and query == parts.query:
        return url
    masked = urlunsplit(parts._replace(netloc=netloc, query=query))
    if not netloc and url.startswith(f"{parts.scheme}://"):  # unix:///path: keep the //
        masked = f"{parts.scheme}://" + masked[len(parts.scheme) + 1 :]
    return masked


class BoundedRetry(Retry):
    """redis-py's ``Retry``, applied once per call: redis-py retries a command's reconnect
    inside the command's own retry, which squares the tries (5 tries would be 25, and a
    minute of waiting). A reconnect inside a retried call is tried once; the call retries."""

    def __init__(self, retries: int) -> None:
        super().__init__(_BACKOFF, retries)
        self._depth = 0

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        if self._depth:
            return do()
        self._depth += 1
        try:
            return super().call_with_retry(do, fail, is_retryable, with_failure_count)
        finally:
            self._depth -= 1


def redis_client(settings: BaseSettings, *, retries: int | None = None) -> redis.Redis:
    """The client every Redis call of a worker goes through: a connect or an answer that
    takes longer than ``NEWSBOT_REDIS_TIMEOUT`` fails, and a failed call is tried again
    ``NEWSBOT_REDIS_RETRIES`` times (waiting 1, 2, 4, 4 s) before it raises. A Redis that is
    down makes a call give up after ~11 s (~36 s if it does not even refuse connections)."""
    timeout = settings.getfloat("NEWSBOT_REDIS_TIMEOUT", REDIS_TIMEOUT)
    if retries is None:
        retries = settings.getint("NEWSBOT_REDIS_RETRIES", REDIS_RETRIES)
    return redis.Redis.from_url(
        settings.get("NEWSBOT_REDIS_URL"),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=BoundedRetry(max(retries, 0)),
    )


def _where(server: redis.Redis) -> str:
    kwargs = server.connection_pool.connection_kwargs
    host, port, db = kwargs.get("host", "localhost"), kwargs.get("port", 6379), kwargs.get("db", 0)
    return f"redis://{host}:{port}/{db}"


# -- requests as JSON ----------------------------------------------------------------------
_BYTES, _ARTICLE, _MAP = "__bytes__", "__article_id__", "__map__"
_TAGS = frozenset({_BYTES, _ARTICLE, _MAP})
#: The spider methods a queued request may name: an entry naming any other is refused.
_CALLBACKS = frozenset(QUEUED_CALLBACKS)
_ERRBACKS = frozenset(QUEUED_CALLBACKS.values())
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "method": str,
    "headers": dict,
    "body": bytes,
    "cookies": (dict, list),
    "meta": dict,
    "encoding": str,
    "priority": int,
    "dont_filter": bool,
    "flags": list,
    "cb_kwargs": dict,
}


#: Request meta that says where a request is sent from or through: never taken from the queue.
_ROUTING_META = frozenset({"proxy", "_auth_proxy", "bindaddress"})


class RefusedRequest(ValueError):
    """A queue entry that is not the JSON of one of newsbot's requests."""


def _encode(value: Any) -> Any:
    """Plain JSON data, with tags for what JSON lacks: bytes (``{"__bytes__": latin-1
    text}``, exact for any byte), article ids (``{"__article_id__": "001_0000000001"}``),
    and dicts whose keys are not text (``{"__map__": [[key, value], …]}``: headers)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {_BYTES: value.decode("latin-1")}
    if isinstance(value, ArticleId):
        return {_ARTICLE: value.key}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        keys = list(value)
        if all(isinstance(k, str) for k in keys) and not (len(keys) == 1 and keys[0] in _TAGS):
            return {k: _encode(v) for k, v in value.items()}
        return {_MAP: [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"a {type(value).__name__} cannot go into Redis as JSON")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == _BYTES:
            if not isinstance(inner, str):
                raise RefusedRequest("a __bytes__ value that is not text")
            return inner.encode("latin-1")
        if tag == _ARTICLE:
            if not isinstance(inner, str):
                raise RefusedRequest("an __article_id__ that is not text")
            return ArticleId.from_key(inner)
        if tag == _MAP:
            if not isinstance(inner, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in inner
            ):
                raise RefusedRequest("a __map__ that is not a list of pairs")
            pairs = [(_decode(k), _decode(v)) for k, v in inner]
            if not all(isinstance(k, str | bytes | int) for k, _ in pairs):
                raise RefusedRequest("a __map__ key that is not text, bytes or a number")
            return dict(pairs)
    return {k: _decode(v) for k, v in value.items()}


def _check_request(data: Any) -> dict[str, Any]:
    """``data`` if it has the shape of ``Request.to_dict()`` of a newsbot request."""
    if not isinstance(data, dict):
        raise RefusedRequest("not a JSON object")
    unknown = set(data) - set(_FIELD_TYPES) - {"callback", "errback"}
    if unknown:  # "_class" among them: a Request subclass newsbot never makes
        raise RefusedRequest(f"unknown field(s) {', '.join(sorted(unknown))}")
    for name, kind in _FIELD_TYPES.items():
        if name in data and not isinstance(data[name], kind):
            raise RefusedRequest(f"{name} is a {type(data[name]).__name__}")
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise RefusedRequest("no http(s) url")
    if data.get("method", "GET") not in ("GET", "HEAD", "POST"):
        raise RefusedRequest(f"method {data['method']!r}")
    if data.get("callback") not in _CALLBACKS | {None}:
        raise RefusedRequest(f"callback {data['callback']!r} is not one of the spider's")
    if data.get("errback") not in _ERRBACKS | {None}:
        raise RefusedRequest(f"errback {data['errback']!r} is not one of the spider's")
    for name in ("meta", "cb_kwargs"):
        if not all(isinstance(k, str) for k in data.get(name, {})):
            raise RefusedRequest(f"{name} has keys that are not text")
    for key in _ROUTING_META & set(data.get("meta", {})):
        # Each worker sends through its own environment's proxy (Scrapy's proxy middleware
        # sets it again): one named in the queue, perhaps by whoever else can write to this
        # Redis, would see every page.
        del data["meta"][key]
    for key, values in data.get("headers", {}).items():
        if not isinstance(key, bytes) or not (
            isinstance(values, list) and all(isinstance(v, bytes) for v in values)
        ):
            raise RefusedRequest("headers are not bytes")
    return data


class JsonRequests:
    """scrapy-redis's ``serializer`` (an object with ``dumps`` and ``loads``): a request
    (``Request.to_dict``) as JSON text, never pickle. ``dumps`` raises ``TypeError`` for a
    value JSON cannot carry; ``loads`` raises ``RefusedRequest`` for anything but the JSON
    of one of newsbot's requests."""

    @staticmethod
    def dumps(obj: dict[str, Any]) -> str:
        return json.dumps(_encode(obj), separators=(",", ":"), allow_nan=False)

    @staticmethod
    def loads(data: bytes | str) -> dict[str, Any]:
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError) as exc:  # pickle, or any other bytes
            raise RefusedRequest(f"not JSON ({exc})") from None
        try:
            return _check_request(_decode(raw))
        except RefusedRequest:
            raise
        except (ValueError, TypeError, RecursionError) as exc:  # a bad article id, …
            raise RefusedRequest(str(exc)) from None


JSON_REQUESTS = JsonRequests()


# -- the shared crawl ----------------------------------------------------------------------
class RedisCrawl:
    """One worker's view of the shared crawl state in Redis.

    Once a Redis call fails for good (``unreachable``) or the crawl's state is found lost
    (``state_lost``), ``failure`` holds the reason: no further call is made, the ledger is
    this worker's own again, the verdict is ``failed`` with that reason, and the spider
    closes at its next idle check (``NaverSpider.on_idle``)."""

    def __init__(
        self,
        server: redis.Redis,
        crawl: str,
        *,
        crawler: Crawler | None = None,
        url: str = "",
    ) -> None:
        self.server = server
        self.crawler = crawler
        self.where = mask_url(url) if url else _where(server)
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
        # This pass of the crawl: its epoch (gone or changed = the state was lost) and the
        # name of its ledger.
        self.run_key = f"{self.prefix}:run"
        self.run = ""
        self.joined = False
        self.failure: str | None = None  # why this worker gave up on the shared crawl
        self.close_reason = ""  # the spider's close reason then
        self.ledger: Ledger | None = None
        self._join = server.register_script(_JOIN_LUA)
        self._state = server.register_script(_STATE_LUA)
        self._pop = server.register_script(_POP_LUA)
        self._push = server.register_script(_PUSH_LUA)
        self._done = server.register_script(_DONE_LUA)
        self.heartbeat: task.LoopingCall | None = None
        self.state = "busy"

    @property
    def state_key(self) -> str:
        return self.state_prefix + self.worker

    @property
    def stop_key(self) -> str:
        """Why a worker stopped this pass of the crawl (the Search API refused its key or
        quota): the others stop too instead of asking again. A later pass has its own."""
        return f"{self.prefix}:stopped:{self.run}"

    # -- stopping every worker ------------------------------------------------------------
    def stop_all(self, reason: str) -> None:
        """Every running worker stops, with ``reason`` as its verdict (``stopped``)."""
        with self.calls():
            self.server.set(self.stop_key, reason, ex=STOP_TTL_SECONDS)

    def stopped(self) -> str | None:
        """Why another worker stopped the crawl, or None."""
        if self.failure is not None or not self.joined:
            return None
        with self.calls():
            value = self.server.get(self.stop_key)
            return _str(value) if value else None
        return None

    # -- failures -------------------------------------------------------------------------
    @contextlib.contextmanager
    def calls(self) -> Iterator[None]:
        """Around Redis calls: one that fails for good makes the worker give up."""
        try:
            yield
        except redis.RedisError as exc:
            self.unreachable(exc)

    def unreachable(self, exc: redis.RedisError) -> None:
        """A Redis call failed after its retries (or Redis refused it): give up."""
        if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            retry = self.server.connection_pool.connection_kwargs.get("retry")
            tries = retry.get_retries() + 1 if isinstance(retry, Retry) else 1
            why = f"cannot reach Redis at {self.where}: {exc} (gave up after {tries} tries)"
        else:  # an error answer: out of memory, a read-only replica, no permission, …
            why = f"Redis at {self.where} refused a command: {type(exc).__name__}: {exc}"
        self._give_up(why, "redis_unreachable")

    def state_lost(self) -> None:
        """The crawl's run key is gone or changed: Redis restarted empty or was flushed, and
        the queue, the dupefilter, the roster and the shared ledger went with it.

        The verdict is ``failed`` (exit 1), not ``incomplete`` (4). ``incomplete`` is the
        ledger's account (articles named without an outcome, walks unfinished), and that
        account was in the Redis that lost it: what is left names neither the other workers'
        share nor what nobody had taken yet, and could come out as anything — "ok" on a
        ledger the restart emptied, or "collected none" for a worker that had just joined
        (CrawlReport's earlier checks outrank a failed walk recorded in the ledger). The one
        honest verdict is the lost state itself, with "run the crawl again", and CrawlReport
        takes a reason of our own only through ``newsbot/exit_reason``, which is ``failed``.
        It is as serious as it sounds — the crawl's result is unknown — and a second run is
        cheap: what was collected is in the index and is skipped."""
        self._give_up(LOST_REASON, "redis_state_lost")

    def _give_up(self, why: str, close_reason: str) -> None:
        if self.failure is not None:
            return  # the first failure is the one reported; nothing more is logged
        self.failure, self.close_reason = why, close_reason
        logger.error("%s", why)
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.ledger is not None:
            # The shared ledger is gone (lost) or out of reach: the report is made from this
            # worker's own records, under the verdict set here.
            self.ledger.shared = None
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None:
            stats.inc_value(f"newsbot/redis/{close_reason}")
            if not stats.get_value("newsbot/exit_reason"):
                stats.set_value("newsbot/exit_reason", why)

    # -- joining and leaving --------------------------------------------------------------
    def open(self, ledger: Ledger) -> bool:
        """Join the crawl (``start()``) and share the ledger. False when there is nothing
        to do: other workers finished the crawl moments ago, or Redis does not answer."""
        self.ledger = ledger
        with self.calls():
            if self.already_done():
                logger.info("this crawl was finished moments ago by other workers: nothing to do")
                return False
            self.join()
            ledger.shared = SharedLedger(self.server, self)
            logger.info("worker %s joined crawl %s", self.worker, self.prefix)
            return True
        return False

    def already_done(self) -> bool:
        return bool(self.server.exists(self.done_key))

    def join(self) -> None:
        keys = [
            self.run_key,
            self.workers_key,
            self.sweeps_key,
            self.queue_key,
            self.dupefilter_key,
            self.sweep_key,
            self.state_key,
        ]
        run, sweeps = self._join(
            keys=keys, args=[uuid.uuid4().hex[:12], self.worker, WORKER_TTL_SECONDS]
        )
        self.run, self.sweeps_seen = _str(run), int(sweeps)
        self.joined = True
        self.state = "busy"
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)

    def beat(self) -> None:
        if self.failure is not None:
            if self.heartbeat is not None and self.heartbeat.running:
                self.heartbeat.stop()
            return
        with self.calls():
            self.set_state(self.state)

    def set_state(self, state: str) -> None:
        self.state = state
        ok = self._state(
            keys=[self.run_key, self.state_key], args=[self.run, state, WORKER_TTL_SECONDS]
        )
        if not ok:
            self.state_lost()

    def leave(self, *, done: bool) -> None:
        """On close. When the crawl is done the last worker removes its keys; when it is not
        (this worker was stopped), its state goes but it stays on the roster, so the others
        see the work it held as lost and sweep. After a failure nothing is removed: the keys
        are out of reach, or (state lost) may be a new pass's."""
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if not self.joined:
            return
        if self.close_reason == "redis_state_lost":
            with self.calls():
                # What this worker wrote into the new state under its lost run's name.
                self.server.delete(self.state_key)
                self._expire_ledger()
            return
        if self.failure is not None:
            return
        with self.calls():
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
                        self.stop_key,
                    )
                    # The ledger stays a while: other workers may still be reporting.
                    self._expire_ledger()

    def _expire_ledger(self) -> None:
        for key in self.server.scan_iter(f"{self.prefix}:ledger:{self.run}:*"):
            self.server.expire(key, LEDGER_TTL_SECONDS)

    # -- the queue ------------------------------------------------------------------------
    def queued(self) -> int:
        """How many requests wait in the shared queue."""
        if self.failure is not None:
            return 0
        with self.calls():
            return int(self.server.zcard(self.queue_key))
        return 0

    def push(self, data: str, fingerprint: str, score: float) -> str:
        """Queue an encoded request: ``queued``, ``seen`` (the dupefilter had it) or ``""``
        (not queued: this worker gave up on the shared crawl, or has not joined it)."""
        if self.failure is not None or not self.joined:
            return ""
        with self.calls():
            answer = self._push(
                keys=[self.run_key, self.dupefilter_key, self.queue_key],
                args=[self.run, fingerprint, score, data],
            )
            if answer == -1:
                self.state_lost()
                return ""
            return "queued" if answer == 1 else "seen"
        return ""

    def pop(self) -> bytes | None:
        if self.failure is not None or not self.joined:
            return None  # (the engine asks before start() has joined)
        with self.calls():
            data = self._pop(
                keys=[self.queue_key, self.state_key, self.run_key],
                args=[WORKER_TTL_SECONDS, self.run],
            )
            if isinstance(data, bytes):
                self.state = "busy"
                return data
            if data == 0:
                self.state_lost()
        return None

    # -- the end of the crawl -------------------------------------------------------------
    def crawl_done(self) -> tuple[bool, list[str]]:
        """Mark this worker idle, then ask: is the whole crawl done? Also returns the workers
        found dead (their popped requests are lost: the caller sweeps). A worker that never
        joined (the crawl was done already) is done."""
        if not self.joined:
            return True, []
        if self.failure is not None:
            return False, []
        with self.calls():
            answer = self._done(
                keys=[
                    self.queue_key,
                    self.workers_key,
                    self.done_key,
                    self.run_key,
                    self.state_key,
                ],
                args=[self.state_prefix, DONE_TTL_SECONDS, self.run, WORKER_TTL_SECONDS],
            )
            text = _str(answer)
            if text == "lost":
                self.state_lost()
                return False, []
            self.state = "idle"
            if text.startswith("dead:"):
                return False, text[5:].split(",")
            return text == "done", []
        return False, []

    def claim_sweep(self, dead: list[str]) -> bool:
        """One worker (the first to ask) sweeps for the dead ones; they leave the roster."""
        if self.failure is not None:
            return False
        with self.calls():
            if not self.server.set(self.sweep_key, self.worker, nx=True, ex=WORKER_TTL_SECONDS):
                return False
            self.server.srem(self.workers_key, *dead)
            self.server.delete(self.dupefilter_key)
            self.sweeps_seen = int(self.server.incr(self.sweeps_key))
            self.set_state("busy")
            return self.failure is None
        return False

    def new_sweep(self) -> bool:
        """Whether a sweep began since this worker last asked (or since it joined)."""
        if self.failure is not None:
            return False
        with self.calls():
            sweeps = int(self.server.get(self.sweeps_key) or 0)
            if sweeps == self.sweeps_seen:
                return False
            self.sweeps_seen = sweeps
            return True
        return False


class SharedLedger:
    """The crawl ledger's records in Redis (``newsbot.ledger.Shared``), under
    ``newsbot:<crawl>:ledger:<run>:…``: every worker writes its walks, pages, articles and
    outcomes there, so any worker's ``reconcile()`` covers the whole crawl. A Redis failure
    here makes the worker give up (``RedisCrawl.calls``) instead of failing a callback."""

    def __init__(self, server: redis.Redis, crawl: RedisCrawl) -> None:
        self.server = server
        self.crawl = crawl
        base = f"{crawl.prefix}:ledger:{crawl.run}"
        self.walks_key, self.pages_key = f"{base}:walks", f"{base}:pages"
        self.articles_key, self.ends_key = f"{base}:walk_articles", f"{base}:ends"
        self.rejected_key = f"{base}:walk_rejected"
        self.failures_key, self.named_key = f"{base}:listing_failures", f"{base}:named"
        self.outcomes_key, self.reasons_key = f"{base}:outcomes", f"{base}:reasons"
        self.comments_key = f"{base}:comments"
        self.comment_reasons_key = f"{base}:comment_reasons"
        self.offsite_key = f"{base}:offsite"
        self._outcome = server.register_script(_OUTCOME_LUA)

    def plan(self, record: WalkRecord) -> None:
        data = {"source": record.source, "day": record.day, "section": record.section}
        with self.crawl.calls():
            self.server.hsetnx(self.walks_key, record.id, json.dumps(data))

    def page(self, walk_id: str, articles: int, rejected: int) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.hincrby(self.pages_key, walk_id, 1)
        pipe.hincrby(self.articles_key, walk_id, articles)
        if rejected:
            pipe.hincrby(self.rejected_key, walk_id, rejected)
        with self.crawl.calls():
            pipe.execute()

    def end(self, walk_id: str, end: str, detail: str, fallback: str | None) -> None:
        data = {"end": end, "detail": detail, "fallback": fallback}
        with self.crawl.calls():
            self.server.hset(self.ends_key, walk_id, json.dumps(data))

    def listing_failure(self, url: str, reason: str) -> None:
        with self.crawl.calls():
            self.server.hset(self.failures_key, url, reason)

    def named(self, key: str, walk_id: str) -> bool:
        """Whether no worker named the article before."""
        with self.crawl.calls():
            return bool(self.server.hsetnx(self.named_key, key, walk_id))
        return True

    def outcome(self, key: str, outcome: str, reason: str | None) -> None:
        rank = outcome_rank(Outcome(outcome))
        with self.crawl.calls():
            self._outcome(
                keys=[self.outcomes_key, self.reasons_key],
                args=[key, rank, outcome, reason or ""],
            )

    def comments(self, key: str, status: str, reason: str | None) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.hset(self.comments_key, key, status)
        if status == "failed":
            pipe.hset(self.comment_reasons_key, key, reason or status)
        else:
            pipe.hdel(self.comment_reasons_key, key)
        with self.crawl.calls():
            pipe.execute()

    def offsite(self, url: str, info: dict[str, str]) -> None:
        with self.crawl.calls():
            self.server.hsetnx(self.offsite_key, url, json.dumps(info, ensure_ascii=False))

    def knows(self, key: str) -> bool:
        with self.crawl.calls():
            return bool(self.server.hexists(self.named_key, key))
        return False

    def knows_walk(self, walk_id: str) -> bool:
        with self.crawl.calls():
            return bool(self.server.hexists(self.walks_key, walk_id))
        return False

    def snapshot(self) -> LedgerData:
        """Every worker's records; this worker's own if Redis fails now (it gives up, and
        the verdict says so)."""
        with self.crawl.calls():
            return self._snapshot()
        ledger = self.crawl.ledger
        return ledger.data() if ledger is not None else LedgerData()

    def _snapshot(self) -> LedgerData:
        def strings(key: str) -> dict[str, str]:
            return {_str(k): _str(v) for k, v in self.server.hgetall(key).items()}

        walks: dict[str, WalkRecord] = {}
        pages, articles, ends = (
            strings(self.pages_key),
            strings(self.articles_key),
            strings(self.ends_key),
        )
        rejected = strings(self.rejected_key)
        for walk_id, text in strings(self.walks_key).items():
            info = json.loads(text)
            record = WalkRecord(walk_id, info["source"], info["day"], info["section"])
            record.pages, record.articles = (
                int(pages.get(walk_id, 0)),
                int(articles.get(walk_id, 0)),
            )
            record.rejected = int(rejected.get(walk_id, 0))
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
            comments=strings(self.comments_key),
            comment_reasons=strings(self.comment_reasons_key),
            offsite={k: json.loads(v) for k, v in strings(self.offsite_key).items()},
        )


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
        return None  # shared state is never flushed by one worker (see the module doc)

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
            problem = self.spider.queued_problem(request)
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
