"""The doctor's spider: the announced requests of a crawl's every step, each answer judged
by its check (``newsbot.doctor.checks``)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy import signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefusedError
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from newsbot.comments import comment_url, template_id_of
from newsbot.comments import referer as comment_referer
from newsbot.doctor.checks import (
    DRIFT,
    FAILED,
    OK,
    QUIET,
    SKIPPED,
    Check,
    FieldSeen,
    blocking_sign,
    check_api_article,
    check_comment_probe,
    check_cursor_page,
    check_fields,
    check_list,
    check_news_article,
    check_robots,
    check_search,
)
from newsbot.errors import describe_exception, describe_failure, unreachable
from newsbot.pages.listings import Listing
from newsbot.search import REFUSALS, credentials, search_url
from newsbot.sites import SITES, Kind
from newsbot.sources import SOURCES, Walk
from newsbot.urls import ArticleId

#: One sub-section of each of two sections: busy every day on the real site.
SECTIONS_CHECKED: tuple[tuple[str, str], ...] = (("100", "264"), ("101", "258"))
LIST_PAGES = 3  # the first page and two next pages of each cursor list
#: The press list checked when no section list named a press (연합뉴스: dozens of articles
#: every day); else the press of the first article the day's first section list names.
PRESS_CHECKED = "001"
SPORTS_CHECKED = "kbaseball"
NEWS_ARTICLES = 3
SEARCH_QUERY = "뉴스"
#: Failures before any connection to the site (its name not found, the connection refused,
#: the proxy's CONNECT refused): the request never reached it, so it is not counted among
#: the requests made. (A timeout may come before or after the request was sent: counted.)
_NEVER_SENT = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    TunnelError,
    DNSLookupError,  # (Twisted's own, where Scrapy does not wrap them)
    TxConnectionRefusedError,
)


def planned_requests(search: bool) -> int:
    """The most requests the doctor makes: robots.txt (2), the cursor lists, the old and
    press lists, the sports and entertainment lists, the articles, the comment probe and
    (with a key) one Search API call."""
    lists = len(SECTIONS_CHECKED) * LIST_PAGES + 1 + 1 + 2
    return 2 + lists + NEWS_ARTICLES + 2 + 1 + (1 if search else 0)


def _guarded(method: Any) -> Any:
    """A callback whose own error is its step's failure, in the table, not only in a log."""

    def guarded(self: DoctorSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            result = method(self, response, **kwargs)
            if result is not None:
                yield from result
        except Exception as exc:
            why = f"the doctor could not check this: {describe_exception(exc)}"
            self.record(Check(kwargs["step"], FAILED, why), kwargs["order"])

    guarded.__name__ = method.__name__
    return guarded


class DoctorSpider(scrapy.Spider):
    """Makes the doctor's requests; every answer becomes a ``Check``."""

    name = "newsbot-doctor"

    def __init__(self, day: date, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day = day
        self.checks: list[Check] = []
        self.budget = 0
        self.asked = 0
        self.sent = 0
        self.unreachable: str | None = None  # why no request got through, if none did
        self.answers = 0
        self.blocked: list[str] = []
        self.news: list[ArticleId] = []  # n.news articles taken from the lists
        self.press: str | None = None  # the press whose list is checked, once chosen
        self.first_pages = 0  # section lists' first pages answered (or failed)
        self.fields: list[dict[str, FieldSeen]] = []
        self.search_key = False
        self.obey_robots = False
        self.probed_comments = False  # the comment count is probed on the first article

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from newsbot.spiders.naver import user_agent

        settings.set("USER_AGENT", user_agent(settings), priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DoctorSpider:
        spider: DoctorSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.search_key = credentials(crawler.settings) is not None
        spider.obey_robots = crawler.settings.getbool("NEWSBOT_DOCTOR_OBEY")
        spider.budget = planned_requests(spider.search_key)
        crawler.signals.connect(spider.reached, signal=signals.request_reached_downloader)
        return spider

    def reached(self, request: scrapy.Request) -> None:
        """Counted as it goes to the network (taken back by ``failed`` if it never did)."""
        self.sent += 1

    def record(self, check: Check, order: int) -> None:
        check.order = order
        self.checks.append(check)
        mark = {OK: "ok", DRIFT: "DRIFT", FAILED: "FAILED", SKIPPED: "skipped", QUIET: "quiet"}[
            check.status
        ]
        print(f"  {mark:7} {check.step}", file=sys.stderr, flush=True)

    def ask(
        self, step: str, url: str, callback: Any, order: int, **kwargs: Any
    ) -> Iterator[scrapy.Request]:
        """A request, if the announced budget allows it (it always should)."""
        if self.asked >= self.budget:
            # A check lost: never silently (the budget is computed to fit every step).
            self.record(Check(step, DRIFT, "not checked: the announced requests are used"), order)
            return
        self.asked += 1
        headers = kwargs.pop("headers", {})
        cb_kwargs = {"step": step, "order": order, **kwargs}
        yield scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            headers=headers,
            cb_kwargs=cb_kwargs,
            meta={"dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": True},
            dont_filter=True,
        )

    def answered(self, response: Response, step: str, order: int) -> bool:
        """Count the answer; a blocking sign fails the step (and is reported at the end)."""
        self.answers += 1
        sign = blocking_sign(response.status, response.body)
        if sign is None and response.status == 200:
            return True
        host = urlparse_cached(response).hostname or ""
        if sign is not None:
            self.blocked.append(f"{sign} from {host}")
            self.record(Check(step, FAILED, f"blocked: {sign}", {"status": response.status}), order)
        else:
            self.record(
                Check(step, FAILED, f"HTTP {response.status}", {"status": response.status}), order
            )
        return False

    def failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        step, order = request.cb_kwargs["step"], request.cb_kwargs["order"]
        if isinstance(failure.value, _NEVER_SENT):
            self.sent -= 1  # no connection to the site: nothing of the request reached it
        self.unreachable = self.unreachable or unreachable(request, failure.value)
        self.record(Check(step, FAILED, describe_failure(failure, request)), order)
        if request.callback == self.parse_cursor_page and request.cb_kwargs["page"] == 1:
            yield from self.press_list(None)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        day = self.day
        for n, host in enumerate(("news.naver.com", "n.news.naver.com")):
            for request in self.ask(
                f"robots.txt {host}", f"https://{host}/robots.txt", self.parse_robots, n, host=host
            ):
                yield request
        for n, (sid1, sid2) in enumerate(SECTIONS_CHECKED):
            walk = Walk("latest", day, (sid1, sid2))
            for request in self.cursor_page(walk, 1, "", 10 + 10 * n):
                yield request
        # (The press list follows the section lists: a press they name for the day.)
        lists = (
            (0, "old list 100/264", Walk("old_list", day, SECTIONS_CHECKED[0])),
            (2, f"sports list {SPORTS_CHECKED}", Walk("sports_list", day, (SPORTS_CHECKED,))),
            (3, "entertainment list", Walk("entertain_list", day)),
        )
        for n, step, walk in lists:
            for request in self.list_request(step, walk, 40 + 10 * n):
                yield request
        if self.search_key:
            headers = {"Accept": "application/json"}
            for request in self.ask(
                "Search API",
                search_url(SEARCH_QUERY, 1, display=10),
                self.parse_search,
                95,
                headers=headers,
            ):
                yield request
        else:
            self.record(
                Check(
                    "Search API",
                    SKIPPED,
                    "no key (NEWSBOT_NAVER_CLIENT_ID, NEWSBOT_NAVER_CLIENT_SECRET): not checked",
                ),
                95,
            )

    def list_request(self, step: str, walk: Walk, order: int) -> Iterator[scrapy.Request]:
        source = SOURCES[walk.source]
        headers = {"Accept": "application/json"} if source.accept_json else {}
        referer = source.referer(walk)
        if referer:
            headers["Referer"] = referer
        yield from self.ask(
            step, source.url(walk, 1, ""), self.parse_list, order, walk=walk.id, headers=headers
        )

    def press_list(self, listing: Listing | None) -> Iterator[scrapy.Request]:
        """The press list of the first press a section list of the day names, once; with
        none named by either section's first page, 연합뉴스 (``PRESS_CHECKED``)."""
        self.first_pages += 1
        if self.press is not None:
            return
        if listing is not None and listing.articles:
            self.press = listing.articles[0].oid
        elif self.first_pages < len(SECTIONS_CHECKED):
            return  # the other section's first page may name one
        else:
            self.press = PRESS_CHECKED
        walk = Walk("press", self.day, (self.press,))
        yield from self.list_request(f"press list {self.press}", walk, 50)

    def cursor_page(
        self, walk: Walk, page: int, cursor: str, order: int, previous: str | None = None
    ) -> Iterator[scrapy.Request]:
        source = SOURCES["latest"]
        step = f"cursor list {'/'.join(walk.scope)} page {page}"
        headers = {"Referer": source.referer(walk) or ""}
        yield from self.ask(
            step,
            source.url(walk, page, cursor),
            self.parse_cursor_page,
            order + page,
            walk=walk.id,
            page=page,
            previous=previous,
            headers=headers,
        )

    @_guarded
    def parse_robots(self, response: Response, step: str, order: int, host: str) -> None:
        self.answers += 1
        if response.status in (403, 429):
            self.blocked.append(f"HTTP {response.status} from {host}")
        self.record(check_robots(host, response.status, response.body, self.obey_robots), order)

    @_guarded
    def parse_cursor_page(
        self, response: Response, step: str, order: int, walk: str, page: int, previous: str | None
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            if page == 1:
                yield from self.press_list(None)
            return
        current = Walk.parse(walk)
        check, listing = check_cursor_page(
            response.body, _content_type(response), response.url, current, page, previous
        )
        self.record(check, order)
        if page == 1:
            yield from self.press_list(listing)
        if listing is None:
            return
        if page == 1:
            yield from self.take_news(listing)
        if (
            check.status != FAILED
            and listing.has_next
            and listing.cursor
            and page < LIST_PAGES
            and listing.cursor != previous
        ):
            yield from self.cursor_page(
                current, page + 1, listing.cursor, order - page, listing.cursor
            )

    @_guarded
    def parse_list(
        self, response: Response, step: str, order: int, walk: str
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            return
        current = Walk.parse(walk)
        check, listing = check_list(
            step, current.source, response.body, _content_type(response), response.url, current
        )
        self.record(check, order)
        if listing is None or not listing.articles:
            return
        if current.source in ("old_list", "press"):
            yield from self.take_news(listing)
        elif current.source == "sports_list":
            yield from self.api_article(listing.articles[0], Kind.SPORTS, 90)
        elif current.source == "entertain_list":
            yield from self.api_article(listing.articles[0], Kind.ENTERTAIN, 91)

    def take_news(self, listing: Listing) -> Iterator[scrapy.Request]:
        """The first article of a list not already taken, while fewer than NEWS_ARTICLES."""
        for article_id in listing.articles:
            if len(self.news) >= NEWS_ARTICLES:
                return
            if article_id in self.news:
                continue
            self.news.append(article_id)
            order = 74 + len(self.news)  # after the lists, before sports and entertainment
            yield from self.ask(
                f"article n.news {article_id.key}",
                article_id.url,
                self.parse_news,
                order,
                article_id=article_id,
            )
            return

    @_guarded
    def parse_news(
        self, response: Response, step: str, order: int, article_id: ArticleId
    ) -> Iterator[scrapy.Request]:
        if not self.answered(response, step, order):
            return
        check, seen = check_news_article(
            article_id, response.body, _content_type(response), self.day
        )
        self.record(check, order)
        if seen is not None:
            self.fields.append(seen)
        if not self.probed_comments and check.status != FAILED:
            self.probed_comments = True
            url = comment_url(article_id, page_size=1, template=template_id_of(response.body))
            headers = {"Referer": comment_referer(article_id), "Accept": "*/*"}
            yield from self.ask(
                f"comment count {article_id.key}",
                url,
                self.parse_comments,
                92,
                article_id=article_id,
                headers=headers,
            )

    def api_article(
        self, article_id: ArticleId, kind: Kind, order: int
    ) -> Iterator[scrapy.Request]:
        from newsbot.urls import api_url

        headers = {"Referer": SITES[kind].app, "Accept": "application/json"}
        yield from self.ask(
            f"article {kind.value} {article_id.key}",
            api_url(article_id, kind.value),
            self.parse_api_article,
            order,
            article_id=article_id,
            kind=kind.value,
            headers=headers,
        )

    @_guarded
    def parse_api_article(
        self, response: Response, step: str, order: int, article_id: ArticleId, kind: str
    ) -> None:
        if self.answered(response, step, order):
            self.record(check_api_article(kind, article_id, response.body), order)

    @_guarded
    def parse_comments(
        self, response: Response, step: str, order: int, article_id: ArticleId
    ) -> None:
        if self.answered(response, step, order):
            self.record(check_comment_probe(article_id, response.body), order)

    @_guarded
    def parse_search(self, response: Response, step: str, order: int) -> None:
        if response.status == 200 or response.status in REFUSALS:
            # The API's answer, or its own refusal (in its words, not a sign of blocking).
            self.answers += 1
            self.record(check_search(response.status, response.body), order)
        else:
            self.answered(response, step, order)  # (counted there)

    def closed(self, reason: str) -> None:
        self.record(check_fields(self.fields), 93)
        if self.blocked:
            counted = dict(Counter(self.blocked))
            signs = ", ".join(f"{s} ({n})" for s, n in counted.items())
            self.record(Check("blocking", FAILED, f"blocked: {signs}", {"signs": counted}), 99)
        else:
            self.record(
                Check(
                    "blocking",
                    OK,
                    f"no 403, 429, captcha or empty answer in {self.answers} answers",
                ),
                99,
            )


def _content_type(response: Response) -> str | None:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
