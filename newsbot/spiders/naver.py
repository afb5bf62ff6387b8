"""The ``naver`` spider: walk Naver News listings and fetch each article once."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from newsbot import __version__, config, runtime
from newsbot.args import CrawlArgs, parse_args
from newsbot.article import decode_html, page_for, selector_from_bytes
from newsbot.browser import browser_settings
from newsbot.comments import (
    COMMENT_HOST,
    CommentStash,
    Mode,
    template_id_of,
)
from newsbot.comments.fetch import CommentFetch
from newsbot.dates import kst_date_of, now_kst, to_iso
from newsbot.errors import (
    ArticleMismatch,
    ArticleNotFound,
    EmptyArticle,
    ExtractError,
    UnknownLayout,
    describe_exception,
    describe_failure,
    failure_kind,
    plain_failure,
)
from newsbot.items import Article, ArticleComments
from newsbot.job import JobState
from newsbot.ledger import Ledger, Outcome, WalkEnd, crawl_ledger
from newsbot.output.index import DELETED, OUT_OF_RANGE, REDIRECTED, Index
from newsbot.output.store import remove_temp_files
from newsbot.pages.api import (
    API_LAYOUTS,
)
from newsbot.pages.base import Probe
from newsbot.pages.listings import Listing
from newsbot.pages.rendered import BODY_QUERIES, RENDERED_LAYOUTS
from newsbot.search import refusal, require_credentials
from newsbot.sites import SITES, Kind
from newsbot.sources import (
    MAX_LISTING_PAGES,
    NOTHING_LISTED,
    SOURCES,
    Capped,
    End,
    Next,
    Paging,
    Progress,
    Walk,
    cursor_is_known,
    next_step,
    page_digest,
    seed_walks,
)
from newsbot.urls import (
    ENTERTAIN,
    NEWS,
    NEWS_HOSTS,
    SPORTS,
    ArticleId,
    api_url,
    article_url,
    is_naver_host,
    parse_any_article_url,
)

if TYPE_CHECKING:
    from newsbot.distributed import RedisCrawl

logger = logging.getLogger(__name__)

_REDIRECT_CODES = (301, 302, 303, 307, 308)
#: The callbacks whose requests go through the Redis queue, each with its errback (an entry
#: naming any other is refused: ``newsbot.distributed``). Browser requests never go there.
QUEUED_CALLBACKS = {
    "parse_listing": "listing_failed",
    "parse_article": "article_failed",
    "parse_api_article": "api_failed",
    "parse_comments": "comments_failed",
}
#: Listing walks started at once; each walk that ends starts the next one.
SEED_WINDOW = 200


class NaverSpider(scrapy.Spider):
    """Collect Naver News articles by date and section, by press, or from a URL list.

    Arguments (``-a``): ``date`` or ``start``/``end``, ``sections``, ``subsections``,
    ``press``, ``urls``, ``refresh`` — see ``newsbot.args`` and the README.
    """

    name = "naver"
    allowed_domains: ClassVar[list[str]] = ["naver.com"]

    def __init__(self, **kwargs: Any) -> None:
        self.job_id = str(kwargs.get("_job", "")) or None  # Scrapyd's job id
        super().__init__()
        # Arguments starting with "_" are Scrapyd's own (_job, _version), not the user's.
        self.crawl_args: CrawlArgs = parse_args(
            {k: v for k, v in kwargs.items() if not k.startswith("_")}
        )
        # Articles considered since the last Redis sweep (None: none yet, the ledger says).
        self.scheduled: set[str] | None = None
        self.seeds: Iterator[scrapy.Request] | None = None  # the seeds not started yet
        self.ledger = Ledger()  # replaced by the crawler's own in from_crawler
        self.cursor_drift = False  # a cursor of an unknown shape was seen (logged once)
        self.index: Index | None = None
        self.job: JobState | None = None
        self.redis_crawl: RedisCrawl | None = None
        self.crawl_finished = False
        self.limit = 0  # articles still to request before NEWSBOT_LIMIT (0: no limit)
        self.limit_reached = False
        self.comment_fetch: CommentFetch  # the comment requests (made in from_crawler)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config.apply_environment(settings)  # (again: a crawler made without the command)
        settings.set("USER_AGENT", user_agent(settings), priority="spider")
        if settings.get("NEWSBOT_REDIS_URL"):
            # Scale-out: the queue and dupefilter live in Redis (newsbot.distributed).
            settings.set("SCHEDULER", "newsbot.distributed.RedisCrawlScheduler", priority="spider")
        for name, value in browser_settings(settings).items():
            settings.set(name, value, priority="spider")
        # Comment requests: a download slot of their own (concurrency, fixed delay).
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(
            COMMENT_HOST,
            {
                "concurrency": max(1, settings.getint("NEWSBOT_COMMENTS_CONCURRENCY", 1)),
                "delay": settings.getfloat("NEWSBOT_COMMENTS_DELAY", 0.5),
            },
        )
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NaverSpider:
        spider: NaverSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.ledger = crawl_ledger(crawler)
        spider.ledger.args, spider.ledger.job_id = spider.crawl_args, spider.job_id
        settings = crawler.settings
        root = Path(settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        spider.index = Index(root)
        stash = CommentStash(root)
        spider.limit = settings.getint("NEWSBOT_LIMIT")
        left = remove_temp_files(root)
        if left:
            logger.warning("removed %d temporary file(s) left by an interrupted crawl", left)
        # Comment threads killed crawls left: untouched for an hour (a day with Redis: other
        # workers' threads may be under way; a thread resumes from no JOBDIR, which keeps
        # no request, so another crawl's in the same directory is the only one to spare).
        stash.clear(older_than=86400.0 if settings.get("NEWSBOT_REDIS_URL") else 3600.0)
        a = spider.crawl_args
        signature: dict[str, object] = {
            "dates": [str(a.dates[0]), str(a.dates[-1])],
            "sections": list(a.sections),
            "subsections": list(a.subsections),
            "press": list(a.press),
            "urls": [f"{i.key}:{kind}" for i, kind in a.urls],
            "refresh": a.refresh,
        }
        if a.comments is not Mode.OFF:  # (absent when off: the ids of earlier crawls stay)
            signature["comments"] = a.comments.value
        if a.query:  # (absent otherwise, as comments)
            signature["query"] = a.query
            require_credentials(settings)  # (scrapy crawl checks it first: exit 2)
        redis_url = settings.get("NEWSBOT_REDIS_URL")
        if redis_url:
            # Imported here: redis and scrapy-redis cost ~0.05 s at every start otherwise.
            from newsbot.distributed import RedisCrawl, crawl_id, redis_client

            # The output directory is part of the crawl: the same arguments into another
            # directory (another index) are another crawl, with keys of their own.
            crawl = crawl_id({**signature, "output": str(root)})
            spider.redis_crawl = RedisCrawl(
                redis_client(settings), crawl, crawler=crawler, url=redis_url
            )
        jobdir = settings.get("JOBDIR")
        if jobdir:
            spider.job = JobState(Path(jobdir), {**signature, "output": str(root)})
            if spider.job.resumed:
                logger.info(
                    "resuming job in %s: %d article(s) already finished",
                    jobdir,
                    spider.job.finished_count,
                )
        spider.comment_fetch = CommentFetch(
            spider.crawl_args,
            spider.index,
            spider.ledger,
            stash,
            spider.count,
            callback=spider.parse_comments,
            errback=spider.comments_failed,
            job=spider.job,
            personal=settings.getbool("NEWSBOT_COMMENTS_PERSONAL_FIELDS"),
        )
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def on_idle(self) -> None:
        """Nothing queued, nothing under way: start the next seeds while there are any.
        Redis mode: stay up while the crawl has work anywhere; sweep for dead workers;
        close when Redis failed or lost the crawl's state (the verdict says which)."""
        if self.start_seeds(SEED_WINDOW):
            raise DontCloseSpider
        if self.redis_crawl is None:
            return
        stopped = self.redis_crawl.stopped()
        if stopped:
            from scrapy.exceptions import CloseSpider

            assert self.crawler.stats is not None
            if not self.crawler.stats.get_value("newsbot/exit_reason"):
                self.crawler.stats.set_value("newsbot/exit_reason", stopped)
            logger.error("another worker stopped the crawl: %s", stopped)
            self.crawl_finished = True  # over for every worker: the next start is a new pass
            raise CloseSpider("search_refused")
        done, dead = self.redis_crawl.crawl_done()
        if self.redis_crawl.failure is not None:
            from scrapy.exceptions import CloseSpider

            raise CloseSpider(self.redis_crawl.close_reason)
        if done:
            self.crawl_finished = True
            logger.info("the shared crawl is done: closing")
            return
        if dead and self.redis_crawl.claim_sweep(dead):
            logger.warning(
                "worker(s) %s stopped with work in hand: walking the listings again to "
                "fetch what they lost",
                ", ".join(dead),
            )
            self.count("newsbot/redis/sweeps")
            self.scheduled = set()
            self.seeds = self.seed_requests()
            self.start_seeds(SEED_WINDOW)
        raise DontCloseSpider

    def closed(self, reason: str) -> None:
        if self.index is not None and self.redis_crawl is not None:
            # A dead worker's temporary files: only workers that share a directory leave
            # them behind while others run (a single crawl's are removed at its next start).
            remove_temp_files(self.index.root)
        if self.redis_crawl is not None:
            self.redis_crawl.leave(done=self.crawl_finished)
        if self.job is not None:
            self.job.close()
        if self.index is not None:
            self.index.close()

    # -- seeds -------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.settings.getbool("NEWSBOT_RUNTIME_TUNING"):
            runtime.tune()
        # Redis: join the shared crawl (nothing to do if it was just finished, or Redis fails).
        if self.redis_crawl is not None and not self.redis_crawl.open(self.ledger):
            return
        # Seeds are made as the crawl needs them: SEED_WINDOW walks at first, then one more
        # each time a walk ends (and a window's worth whenever the crawl runs dry), so a
        # 10-year range (175,000 walks) does not queue them all at start.
        self.seeds = self.seed_requests()
        window = None if self.crawl_args.mode == "urls" else SEED_WINDOW
        for request in itertools.islice(self.seeds, window):
            if self.redis_crawl is not None and self.redis_crawl.failure is not None:
                return  # Redis failed: the worker is closing
            yield request

    def start_seeds(self, count: int) -> bool:
        """Schedule up to ``count`` more seeds; whether there were any."""
        more = list(self.more_seeds(count))
        assert self.crawler.engine is not None
        for request in more:
            self.crawler.engine.crawl(request)
        return bool(more)

    def more_seeds(self, count: int = 1) -> Iterator[scrapy.Request]:
        """The next seeds, when a walk has ended."""
        if self.seeds is not None:
            if self.redis_crawl is not None and self.redis_crawl.failure is not None:
                return
            yield from itertools.islice(self.seeds, count)

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """The first requests: listing walks (or the articles of ``urls=``)."""
        args = self.crawl_args
        if args.mode == "urls":
            walk = Walk("urls", None)
            self.ledger.plan(walk)
            for article_id, kind in args.urls:
                yield from self.consider(article_id, walk, kind)
            self.ledger.end(walk, WalkEnd.END_OF_LIST, f"{len(args.urls)} URL(s) given")
            return
        for walk in seed_walks(args):
            self.ledger.plan(walk)
            yield self.listing_request(walk, Progress())

    # -- listings ----------------------------------------------------------------------
    def listing_request(self, walk: Walk, progress: Progress, cursor: str = "") -> scrapy.Request:
        """Page ``progress.page`` of a walk, as its source (``newsbot.sources``) says."""
        source = SOURCES[walk.source]
        headers = {"Accept": "application/json"} if source.accept_json else {}
        referer = source.referer(walk)
        if referer:
            headers["Referer"] = referer
        meta: dict[str, Any] = {}
        if source.refusals:
            # Answered by parse_listing (one clear line), not retried: a refused key or a
            # used-up quota is not better a minute later.
            meta = {
                "handle_httpstatus_list": list(source.refusals),
                "dont_retry_http_codes": list(source.refusals),
            }
        return scrapy.Request(
            source.url(walk, progress.page, cursor),
            callback=self.parse_listing,
            errback=self.listing_failed,
            headers=headers,
            cb_kwargs={"walk": walk.id, "progress": progress.to_dict()},
            meta=meta,
            priority=source.priority,
        )

    def parse_listing(
        self, response: Response, walk: str, progress: dict[str, Any]
    ) -> Iterator[scrapy.Request]:
        """One listing page: schedule its articles, then the walk's next step."""
        current = Walk.parse(walk)
        source = SOURCES[current.source]
        state = Progress.from_dict(progress)
        if source.refusals and response.status in source.refusals:
            self.refused(current, response)
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        try:
            listing = source.parse(response.body, content_type or None, response.url, current)
        except Exception as exc:  # ListingError, ApiShapeError, or a hostile answer
            yield from self.walk_cannot_go_on(
                current,
                response.url,
                f"the answer is not in the known shape ({describe_exception(exc)})",
                found=state.found,
            )
            return
        if (
            source.paging is Paging.PAGE_LINKS
            and listing.current_page is not None
            and listing.current_page != state.page
        ):
            # Past the last page Naver shows the last page again.
            self.ledger.page(current, 0)
            self.ledger.end(current, WalkEnd.END_OF_LIST, f"page {state.page} is past the last")
            yield from self.more_seeds()
            return
        self.count("newsbot/listing/pages")
        self.ledger.page(current, len(listing.articles), listing.rejected)
        if source.paging is Paging.OFFSET:
            self.searched(current, listing)
        yield from self.listed(listing, current, source.kind)
        if listing.cursor and not cursor_is_known(listing.cursor) and not self.cursor_drift:
            self.cursor_drift = True
            self.count("newsbot/listing/cursor_unknown")
            logger.warning(
                "drift: %s gave a cursor of a shape never seen before (%r); passing it back "
                "as it is (newsbot/listing/cursor_unknown)",
                response.url,
                listing.cursor[:80],
            )
        step = next_step(source, current, listing, state, page_cap=MAX_LISTING_PAGES)
        if isinstance(step, Next) and self.limit_reached:
            self.ledger.end(current, WalkEnd.LIMIT, "stopped at NEWSBOT_LIMIT (a sample)")
        elif isinstance(step, Next):
            state.found += len(listing.articles)
            state.pages.append(page_digest(listing))
            if step.cursor:
                state.cursors.append(step.cursor)
            state.page = step.page
            yield self.listing_request(current, state, step.cursor)
        elif isinstance(step, End):
            end = WalkEnd.BEFORE_DAY if step.reason == "before_day" else WalkEnd.END_OF_LIST
            self.ledger.end(current, end, step.detail)
            yield from self.more_seeds()
        elif isinstance(step, Capped):
            self.count("newsbot/search/capped")
            self.ledger.end(current, WalkEnd.CAPPED, step.detail)
            logger.warning("%s", step.detail)
            yield from self.more_seeds()
        else:
            found = state.found + len(listing.articles)
            yield from self.walk_cannot_go_on(
                current, response.url, step.detail, failed=False, found=found
            )

    def searched(self, walk: Walk, listing: Listing) -> None:
        """A Search API page: its results outside Naver go to the report, never fetched."""
        self.count("newsbot/search/pages")
        if listing.total is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.max_value("newsbot/search/total", listing.total)
        if listing.newer:
            self.count("newsbot/search/newer", listing.newer)
        for item in listing.offsite:
            self.count("newsbot/search/not_on_naver")
            self.ledger.offsite(item["url"], item["title"], item["published"], walk)

    def refused(self, walk: Walk, response: Response) -> None:
        """The Search API refused (bad key, parameters, quota): the crawl fails, in one line,
        and stops; articles already written are whole, nothing else is started."""
        reason = refusal(response.status, response.body)
        self.count(f"newsbot/search/http_{response.status}")
        self.ledger.listing_failure(response.url, reason)
        self.ledger.end(walk, WalkEnd.FAILED, reason)
        assert self.crawler.stats is not None and self.crawler.engine is not None
        if not self.crawler.stats.get_value("newsbot/exit_reason"):
            self.crawler.stats.set_value("newsbot/exit_reason", reason)
        logger.error("%s; stopping the crawl", reason)
        self.seeds = None  # nothing more is started
        if self.redis_crawl is not None:
            self.redis_crawl.stop_all(reason)  # and the other workers do not ask again
            self.crawl_finished = True  # this pass is over: the next start is a new one
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="search_refused"))

    def walk_cannot_go_on(
        self, walk: Walk, url: str, reason: str, *, failed: bool = True, found: int = 0
    ) -> Iterator[scrapy.Request]:
        """Hand the walk to its source's fallback (which lists the same articles), or record
        it as failed. ``failed`` says whether a listing page itself failed (it is reported
        under ``listing_failures``) or the walk just cannot continue (a loop, the page cap)."""
        if failed:
            self.count("newsbot/listing/failed")
            self.ledger.listing_failure(url, reason)
        assert self.crawler.stats is not None
        unreachable = self.crawler.stats.get_value("newsbot/unreachable")
        fallback_source = SOURCES[walk.source].fallback
        if unreachable:  # the crawl is stopping, said once: no fallback, no more lines
            self.ledger.end(walk, WalkEnd.FAILED, reason)
            return
        if fallback_source is None:
            self.ledger.end(walk, WalkEnd.FAILED, reason)
            logger.error("listing walk %s failed: %s: %s", walk.id, url, reason)
            yield from self.more_seeds()
            return
        fallback = Walk(fallback_source, walk.day, walk.scope)
        self.count("newsbot/listing/fallback")
        self.ledger.end(walk, WalkEnd.FALLBACK, reason, fallback)
        # A list with nothing for the day is common (small sub-sections, old days); a
        # failure, a loop or the page cap is worth a warning.
        log = logger.debug if reason == NOTHING_LISTED else logger.warning
        log("listing walk %s: %s (%s); walking %s instead", walk.id, reason, url, fallback.id)
        yield self.listing_request(fallback, Progress(replaces=found))

    def listing_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        walk = Walk.parse(request.cb_kwargs["walk"])
        found = int(request.cb_kwargs["progress"].get("found", 0))
        yield from self.walk_cannot_go_on(
            walk, request.url, describe_failure(failure, request), found=found
        )

    def listed(self, listing: Listing, walk: Walk, kind: str = NEWS) -> Iterator[scrapy.Request]:
        """Schedule a listing page's articles."""
        self.forget_listed_after_sweep()
        if listing.rejected:
            self.count("newsbot/listing/rejected_links", listing.rejected)
        for article_id in listing.articles:
            yield from self.consider(article_id, walk, listing.kinds.get(article_id.key, kind))

    def forget_listed_after_sweep(self) -> None:
        """Redis mode: once another worker has swept for a dead one, the articles this
        worker saw listed may be among the dead worker's lost requests: forget them, so that
        the sweep's listing pages schedule them again (the index skips what was collected)."""
        if self.redis_crawl is not None and self.redis_crawl.new_sweep():
            self.scheduled = set()

    # -- articles ----------------------------------------------------------------------
    def consider(
        self, article_id: ArticleId, walk: Walk, kind: str = NEWS
    ) -> Iterator[scrapy.Request]:
        """Schedule an article unless this run already has, or it is already collected."""
        key = article_id.key
        if self.limit_reached:
            return  # a sample (NEWSBOT_LIMIT): articles past it are not named
        if self.scheduled is None:  # the ledger knows every article named so far
            if self.ledger.is_named(key):
                self.count("newsbot/listing/duplicates")
                return
        elif key in self.scheduled:
            self.count("newsbot/listing/duplicates")
            return
        else:
            self.scheduled.add(key)
        if not self.ledger.named(key, walk) and self.scheduled is None:
            # Another worker named it first (Redis): its request and, once the article is
            # written, its comments are that worker's. (After a sweep every listed article
            # is considered again: a dead worker's may be among them.)
            self.count("newsbot/listing/duplicates")
            return
        self.count("newsbot/listing/articles")
        if self.already_collected(key):
            self.ledger.outcome(key, Outcome.SKIPPED)
            self.count("newsbot/articles/skipped")
            if self.crawl_args.comments is not Mode.OFF:
                yield from self.comment_fetch.of_collected(article_id, kind)
            return
        self.count("newsbot/articles/requested")
        if self.limit:
            self.limit -= 1
            if not self.limit:
                self.reach_limit()
        yield (
            self.article_request(article_id) if kind == NEWS else self.api_request(article_id, kind)
        )

    def reach_limit(self) -> None:
        """``NEWSBOT_LIMIT`` articles requested: a sample. No article is named after them,
        no seed started, and each walk ends at its next page (``WalkEnd.LIMIT``)."""
        self.limit_reached = True
        self.seeds = iter(())
        limit = self.settings.getint("NEWSBOT_LIMIT")
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("newsbot/limit", limit)
        logger.info(
            "newsbot: %d article(s) requested (--limit %d): finishing those, reading no more "
            "listings",
            limit,
            limit,
        )

    def already_collected(self, key: str) -> bool:
        if self.job is not None and self.job.is_done(key):
            return True
        if self.crawl_args.refresh or self.index is None:
            return False
        entry = self.index.get(key)
        if entry is None:
            return False
        if entry.status == REDIRECTED:  # recorded by versions that did not follow them
            return False
        if entry.status == OUT_OF_RANGE:
            # Known to belong to another day: skip it unless that day is asked for now.
            return not (
                entry.published_at and self.crawl_args.covers(kst_date_of(entry.published_at))
            )
        return True

    # -- comments (newsbot.comments.fetch) ------------------------------------------------
    def parse_comments(
        self, response: Response, thread: dict[str, Any]
    ) -> Iterator[ArticleComments | scrapy.Request]:
        yield from self.comment_fetch.parse(response, thread)

    def comments_failed(self, failure: Failure) -> Iterator[ArticleComments]:
        yield from self.comment_fetch.failed(failure)

    def article_request(self, article_id: ArticleId, hops: int = 0) -> scrapy.Request:
        return scrapy.Request(
            article_id.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"article_id": article_id, "hops": hops},
            meta={"dont_redirect": True, "handle_httpstatus_list": [*_REDIRECT_CODES, 404, 410]},
            dont_filter=hops > 0,
        )

    def parse_article(
        self, response: Response, article_id: ArticleId, hops: int
    ) -> Iterator[Article | scrapy.Request]:
        if response.status in _REDIRECT_CODES:
            yield from self.follow_redirect(response, article_id, hops)
            return
        if response.status in (404, 410):
            reason = f"HTTP {response.status}"
            self.finish(article_id, DELETED, "newsbot/articles/deleted", reason)
            logger.info("deleted: %s (%s)", article_id.url, reason)
            return
        if _too_short(response.body):
            yield from self.retry_or_fail(response, article_id, "empty_page")
            return
        if len(response.body) < 20_000:
            match = _JS_REDIRECT_RE.search(_text(response))
            if match and not _LAYOUT_HINT_RE.search(response.body):
                yield from self.follow_redirect(response, article_id, hops, match["url"])
                return
        try:
            page = page_for(article_id, _selector(response))
            article = page.to_article(to_iso(now_kst()))
        except ArticleNotFound as exc:
            self.finish(article_id, DELETED, "newsbot/articles/deleted", str(exc))
            logger.info("deleted: %s (%s)", article_id.url, exc)
            return
        except (UnknownLayout, EmptyArticle, ArticleMismatch, ExtractError) as exc:
            kind = {
                UnknownLayout: "unknown_layout",
                EmptyArticle: "empty",
                ArticleMismatch: "mismatch",
            }.get(type(exc), "extract_error")
            self.fail(article_id, kind, str(exc))
            return
        except Exception as exc:  # a bug or a hostile page: this article's failure, named
            self.fail(article_id, "extract_error", describe_exception(exc))
            return
        # Finished (for JobState) once the export pipeline has written it.
        template = (
            template_id_of(response.body) if self.crawl_args.comments is not Mode.OFF else None
        )
        yield from self.comment_fetch.with_article(article_id, article, NEWS, template)

    def retry_or_fail(
        self, response: Response, article_id: ArticleId, reason: str
    ) -> Iterator[scrapy.Request]:
        """A broken 200 answer (empty, cut short): retried like a 5xx, within RETRY_TIMES."""
        assert response.request is not None
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is None:
            self.fail(article_id, reason, f"{reason} after retries")
        else:
            yield retry

    def follow_redirect(
        self, response: Response, article_id: ArticleId, hops: int, location: str | None = None
    ) -> Iterator[scrapy.Request]:
        if location is None:
            location = (response.headers.get(b"Location") or b"").decode("latin-1")
        target = urljoin(response.url, location)
        host = (urlsplit(target).hostname or "").lower()
        try:
            target_id, kind = parse_any_article_url(target)
        except ValueError:
            target_id, kind = None, None
        if target_id == article_id and kind in (SPORTS, ENTERTAIN):
            # 연예/스포츠 articles leave n.news: collect them from their JSON endpoint.
            self.count("newsbot/articles/redirected")
            self.count(f"newsbot/redirected/{host}")
            logger.info("redirected off n.news: %s -> %s (%s)", article_id.url, target, kind)
            yield self.api_request(article_id, kind)
            return
        same = target_id == article_id and kind == NEWS and host in NEWS_HOSTS
        if same and hops < 3:
            yield self.article_request(article_id, hops + 1)
        else:
            where = target if is_naver_host(target) else "a non-Naver address"
            self.fail(article_id, "redirect", f"redirected to {where}")

    def api_request(self, article_id: ArticleId, kind: str) -> scrapy.Request:
        return scrapy.Request(
            api_url(article_id, kind),
            callback=self.parse_api_article,
            errback=self.api_failed,
            headers={"Referer": SITES[Kind(kind)].app, "Accept": "application/json"},
            cb_kwargs={"article_id": article_id, "kind": kind},
            meta={"handle_httpstatus_list": [404, 410]},
        )

    def parse_api_article(
        self, response: Response, article_id: ArticleId, kind: str
    ) -> Iterator[Article | scrapy.Request]:
        try:
            page = API_LAYOUTS[kind].from_json(article_id, response.body)
            article = page.to_article(to_iso(now_kst()))
        except ArticleNotFound as exc:
            self.finish(article_id, DELETED, "newsbot/articles/deleted", str(exc))
            logger.info("deleted: %s (%s)", api_url(article_id, kind), exc)
            return
        except Exception as exc:
            # The endpoint answered, but not with an article we can read (not in the
            # documented shape, a value of the wrong type): render the page instead.
            self.count("newsbot/api/unusable")
            logger.warning(
                "%s: %s; rendering the page instead", response.url, describe_exception(exc)
            )
            yield self.browser_request(article_id, kind)
            return
        yield from self.comment_fetch.with_article(article_id, article, kind)

    def api_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        article_id: ArticleId = request.cb_kwargs["article_id"]
        kind: str = request.cb_kwargs["kind"]
        self.count("newsbot/api/failed")
        logger.warning("%s failed (%s); rendering the page instead", request.url, _reason(failure))
        yield self.browser_request(article_id, kind)

    def browser_request(self, article_id: ArticleId, kind: str) -> scrapy.Request:
        from scrapy_playwright.page import PageMethod

        timeout = self.settings.getfloat("NEWSBOT_BROWSER_TIMEOUT") * 1000
        self.count("newsbot/browser/requests")
        return scrapy.Request(
            article_url(article_id, kind),
            callback=self.parse_rendered,
            errback=self.browser_failed,
            cb_kwargs={"article_id": article_id, "kind": kind},
            meta={
                "playwright": True,
                "playwright_page_methods": [
                    PageMethod("wait_for_selector", ", ".join(BODY_QUERIES), timeout=timeout)
                ],
                "dont_retry": True,
            },
            dont_filter=True,
        )

    def parse_rendered(
        self, response: Response, article_id: ArticleId, kind: str
    ) -> Iterator[Article | scrapy.Request]:
        try:
            page = RENDERED_LAYOUTS[kind](article_id, _selector(response))
            if not page.matches(Probe(page.sel)):
                raise UnknownLayout("the rendered page has no article body")
            article = page.to_article(to_iso(now_kst()))
        except Exception as exc:  # an ExtractError, or a bug or a hostile page: named
            self.fail(article_id, "browser_page", describe_exception(exc))
            return
        yield from self.comment_fetch.with_article(article_id, article, kind)

    def browser_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.count("newsbot/browser/failed")
        self.fail(request.cb_kwargs["article_id"], "browser", _reason(failure))

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        article_id: ArticleId = request.cb_kwargs["article_id"]
        if isinstance(failure.value, HttpError):
            kind = f"http_{failure.value.response.status}"
        else:
            kind = failure_kind(failure.value)  # connection_lost, not DownloadFailedError
        self.fail(article_id, kind, describe_failure(failure, request))

    # -- bookkeeping -------------------------------------------------------------------
    def finish(
        self, article_id: ArticleId, status: str, stat: str, reason: str | None = None
    ) -> None:
        assert self.index is not None
        self.index.record(article_id.key, status=status, crawled_at=to_iso(now_kst()) or "")
        if self.job is not None:
            self.job.mark_done(article_id.key)
        if status == DELETED:
            self.ledger.outcome(article_id.key, Outcome.DELETED, reason or "deleted")
        self.count(stat)

    def fail(self, article_id: ArticleId, kind: str, reason: str) -> None:
        self.ledger.outcome(article_id.key, Outcome.FAILED, f"{kind}: {reason}")
        self.count("newsbot/articles/failed")
        self.count(f"newsbot/failed/{kind}")
        logger.error("failed: %s: %s", article_id.url, reason)

    def count(self, key: str, value: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, value)


def user_agent(settings: BaseSettings) -> str:
    """newsbot's honest User-Agent, with the contact the user set (``NEWSBOT_CONTACT``)."""
    contact = settings.get("NEWSBOT_CONTACT") or "set NEWSBOT_CONTACT"
    return f"newsbot/{__version__} (Naver News archiver; contact: {contact})"


def _text(response: Response) -> str:
    """The body as text (``newsbot.article.decode_html``: valid UTF-8 first, then the
    declared charset — a wrong ``Content-Type`` charset does not garble a page)."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return decode_html(response.body, content_type or None)


def _selector(response: Response) -> Selector:
    if not isinstance(response, TextResponse):
        raise ExtractError(f"not a text response ({type(response).__name__})")
    if response.meta.get("playwright"):
        return response.selector  # the rendered DOM, already text
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return selector_from_bytes(response.body, content_type or None)


# <script>top.location.href='https://n.news.naver.com/…';</script> (Naver's JavaScript redirect)
_JS_REDIRECT_RE = re.compile(
    r"(?:top|window|self|document)\.location(?:\.href)?\s*=\s*['\"](?P<url>https?://[^'\"]{1,500})['\"]"
)
#: A 200 answer shorter than this is not a page (a blocked or broken answer): retried.
MIN_PAGE_BYTES = 64
_LAYOUT_HINT_RE = re.compile(rb'id="(?:dic_area|articleBodyContents)"')


def _too_short(body: bytes) -> bool:
    """Fewer than ``MIN_PAGE_BYTES`` bytes besides surrounding whitespace (a page's first
    bytes decide it without copying the whole page)."""
    head = body[:4096]
    if len(head.strip()) >= MIN_PAGE_BYTES:
        return False
    return len(body.strip()) < MIN_PAGE_BYTES


def _reason(failure: Failure) -> str:
    return plain_failure(failure.value)
