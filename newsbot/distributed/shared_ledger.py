"""The crawl ledger's records shared in Redis, so every worker's account covers the whole
crawl (``newsbot:<crawl id>:ledger:<run>:…``)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Protocol

import redis

from newsbot.distributed.client import as_text
from newsbot.ledger import Ledger, LedgerData, Outcome, WalkRecord, outcome_rank

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


class SharedCrawl(Protocol):
    """What the shared ledger needs of the crawl it belongs to (``RedisCrawl``): its key
    prefix and run, the Redis calls guard that gives up on failure, this worker's ledger."""

    prefix: str
    run: str
    ledger: Ledger | None

    def calls(self) -> AbstractContextManager[None]: ...


class SharedLedger:
    """The crawl ledger's records in Redis (``newsbot.ledger.Shared``), under
    ``newsbot:<crawl>:ledger:<run>:…``: every worker writes its walks, pages, articles and
    outcomes there, so any worker's ``reconcile()`` covers the whole crawl. A Redis failure
    here makes the worker give up (``RedisCrawl.calls``) instead of failing a callback."""

    def __init__(self, server: redis.Redis, crawl: SharedCrawl) -> None:
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
            return {as_text(k): as_text(v) for k, v in self.server.hgetall(key).items()}

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
