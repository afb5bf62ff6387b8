"""Downloader middlewares: polite retries (backoff, ``Retry-After``) and proxy-friendly setup."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor, task

from newsbot.errors import unreachable
from newsbot.search import ID_HEADER, SEARCH_HOST, SECRET_HEADER, credentials

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


#: Failures to resolve or connect a host must reach before it counts as unreachable (one
#: retry, after ``NEWSBOT_RETRY_BACKOFF``: a passing DNS hiccup does not stop a crawl).
UNREACHABLE_AFTER = 2


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, plus a wait before each retry: what ``Retry-After`` asks for on
    429/503 (capped by ``NEWSBOT_RETRY_AFTER_MAX``), otherwise exponential backoff from
    ``NEWSBOT_RETRY_BACKOFF`` seconds. A ``Retry-After`` also slows the host's download slot."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.backoff = settings.getfloat("NEWSBOT_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("NEWSBOT_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("NEWSBOT_RETRY_AFTER_MAX")
        # Whether anything answered yet (the site, or the proxy on its behalf). Until then a
        # host whose name does not resolve, or whose connection (or proxy) refuses, twice
        # is unreachable; once every host tried is, the crawl stops at once, named
        # (``unreachable``), instead of minutes of backoff for every request.
        self.reached = False
        self.tried: set[str] = set()
        self.refusals: dict[str, int] = {}
        self.stopped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteRetryMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.stopped:  # the site cannot be reached: what was queued is not sent
            raise IgnoreRequest("not sent: the site cannot be reached")
        if not self.reached:
            self.tried.add(urlparse_cached(request).hostname or "")

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        self.reached = True
        if (
            request.meta.get("dont_retry", False)
            or response.status not in self.retry_http_codes
            or response.status in request.meta.get("dont_retry_http_codes", ())
        ):
            return response
        retry = super().process_response(request, response)
        if isinstance(retry, Request):
            wait = None
            if response.status in (429, 503):
                wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                wait = min(wait, self.retry_after_max)
                self._slow_down_slot(request, wait)
                self._stat("newsbot/retry/retry_after", 1)
            else:
                wait = self._backoff(retry)
            await self._sleep(wait)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if self.stopped:
            return None
        if not self.reached:
            why = unreachable(request, exception)
            if why is not None:
                host = urlparse_cached(request).hostname or ""
                self.refusals[host] = self.refusals.get(host, 0) + 1
                if self.refusals[host] >= UNREACHABLE_AFTER and all(
                    self.refusals.get(h, 0) >= UNREACHABLE_AFTER for h in self.tried
                ):
                    self._stop_unreachable(why)
                    return None  # its errback records it; the crawl is closing
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await self._sleep(self._backoff(retry))
        return retry

    def _stop_unreachable(self, why: str) -> None:
        self.stopped = True
        stats, engine = self.crawler.stats, self.crawler.engine
        if stats is None or engine is None or stats.get_value("newsbot/exit_reason"):
            return  # (already stopping)
        logger.error("%s: stopping the crawl", why)
        stats.set_value("newsbot/exit_reason", why)
        stats.set_value("newsbot/unreachable", 1)
        deferred_from_coro(engine.close_spider_async(reason="unreachable"))

    def _backoff(self, retry: Request) -> float:
        attempt = max(1, int(retry.meta.get("retry_times", 1)))
        delay = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        jitter = random.uniform(0.75, 1.25)  # workers don't retry in step
        return float(delay * jitter)

    def _slow_down_slot(self, request: Request, wait: float) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < wait:
            slot.delay = wait

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self._stat("newsbot/retry/wait_ms", round(seconds * 1000))
        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))

    def _stat(self, key: str, value: int) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, value)


class KeepRefererRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, with the Referer header left as the request had it.

    newsbot does not run Scrapy's RefererMiddleware (it would add a layer to every
    response's output for a header Naver's pages do not need); the requests that need a
    Referer (the sports/entertainment JSON endpoints) set it themselves. Scrapy's own
    middleware would then drop that header on a redirect and warn at every start.
    """

    def handle_referer(self, request: Request, response: Response) -> None:
        return None

    def _engine_started(self) -> None:  # Scrapy's looks for RefererMiddleware, and warns
        return None


class SearchApiKeyMiddleware:
    """Adds the Search API's key (``newsbot.search.credentials``) to a request for
    ``openapi.naver.com`` as it goes out, and takes it off the request again when the
    answer (or a failure) comes back: a request that is retried, redirected, queued in
    Redis, cached (``HTTPCACHE_ENABLED``) or logged never carries it. Runs after the retry,
    redirect and cache middlewares on the way out and before them on the way back; only
    over HTTPS."""

    def __init__(self, crawler: Crawler) -> None:
        key = credentials(crawler.settings)
        if key is None:
            raise NotConfigured  # no key: nothing to add (and no cost on every request)
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SearchApiKeyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.hostname == SEARCH_HOST and parts.scheme == "https":  # never in clear text
            request.headers[ID_HEADER], request.headers[SECRET_HEADER] = self.key

    def process_response(self, request: Request, response: Response) -> Response:
        _forget_key(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        _forget_key(request)


def _forget_key(request: Request) -> None:
    if urlparse_cached(request).hostname == SEARCH_HOST:
        for name in (ID_HEADER, SECRET_HEADER):
            request.headers.pop(name, None)
