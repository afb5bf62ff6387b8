"""The Redis client every worker's call goes through: timeouts, a bounded retry, and URLs
fit for a log line (the password masked)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy.settings import BaseSettings

#: Defaults of NEWSBOT_REDIS_TIMEOUT and NEWSBOT_REDIS_RETRIES (newsbot/settings.py).
REDIS_TIMEOUT = 5.0
REDIS_RETRIES = 4
#: The waits between tries of a failed call: 1, 2, 4, 4, … seconds (11 s for 4 retries).
_BACKOFF = ExponentialBackoff(cap=4.0, base=0.5)

T = TypeVar("T")


def as_text(value: Any) -> str:
    """A Redis answer (bytes, or None for a missing key) as text."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


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


def server_url(server: redis.Redis) -> str:
    """``redis://host:port/db`` of a client (no password): where it connects, for a log line."""
    kwargs = server.connection_pool.connection_kwargs
    host, port, db = kwargs.get("host", "localhost"), kwargs.get("port", 6379), kwargs.get("db", 0)
    return f"redis://{host}:{port}/{db}"
