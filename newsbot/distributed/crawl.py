"""One worker's view of the shared crawl state in Redis: joining, the roster and heartbeats,
the queue's push and pop, the end of the crawl, the sweep after a dead worker, giving up.

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
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import redis
from redis.retry import Retry
from scrapy.crawler import Crawler
from twisted.internet import task

from newsbot.distributed.client import as_text, mask_url, server_url
from newsbot.distributed.shared_ledger import LEDGER_TTL_SECONDS, SharedLedger
from newsbot.ledger import Ledger

# The package's name, as before the split: log lines keep naming ``newsbot.distributed``.
logger = logging.getLogger("newsbot.distributed")

HEARTBEAT_SECONDS = 3.0
#: A worker whose heartbeat is older than this is dead.
WORKER_TTL_SECONDS = 15
#: How long the "done" mark keeps late workers from starting the same crawl again.
DONE_TTL_SECONDS = 60
#: How long a worker's "stop the crawl" stays for the others (a new start clears it).
STOP_TTL_SECONDS = 86_400

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


def crawl_id(signature: dict[str, Any]) -> str:
    """Workers started with the same arguments (and output directory: the caller puts it
    in) get the same id, hence the same keys."""
    text = json.dumps(signature, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        self.where = mask_url(url) if url else server_url(server)
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
            return as_text(value) if value else None
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
        self.run, self.sweeps_seen = as_text(run), int(sweeps)
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
            text = as_text(answer)
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
