"""Whether a request taken from the shared queue is one this crawl issued: each entry popped
from Redis is rebuilt from its arguments as the crawl would make it, and refused unless it
matches (``RedisCrawlScheduler.next_request``; counted in ``newsbot/redis/refused``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from w3lib.url import safe_url_string

from newsbot.comments import Thread
from newsbot.errors import describe_exception
from newsbot.ledger import Ledger
from newsbot.sources import SOURCES, Progress, Walk
from newsbot.spiders.naver import QUEUED_CALLBACKS
from newsbot.urls import ENTERTAIN, SPORTS, ArticleId, api_url


class NotIssued(Exception):
    """A queued request of a walk or an article this crawl does not have (the reason)."""


def queued_problem(request: Request, ledger: Ledger) -> str | None:
    """Why a request taken from the shared queue is not one this crawl issued (``None``:
    it is). Each is rebuilt from its ``cb_kwargs`` as the crawl would make it and must
    match: its callback and errback, a GET without a body, a walk this crawl planned or
    an article a walk of it named, and the very URL (or a redirect from it)."""
    callback = getattr(request.callback, "__name__", None)
    errback = getattr(request.errback, "__name__", None)
    if callback not in QUEUED_CALLBACKS or errback != QUEUED_CALLBACKS[callback]:
        return f"callback {callback!r} with errback {errback!r} is not a pair it makes"
    if request.method != "GET" or request.body:
        return f"a {request.method} with a body of {len(request.body)} byte(s)"
    kwargs = request.cb_kwargs
    try:
        expected = _rebuild(callback, kwargs, ledger)
    except NotIssued as exc:
        return str(exc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"its arguments are not the crawl's ({describe_exception(exc)[:200]})"
    urls = {safe_url_string(u) for u in expected}  # as a Request holds them (escaped)
    redirects = request.meta.get("redirect_urls")
    if not redirects:
        if request.url not in urls:
            return f"its URL is not the one the crawl made for it ({request.url[:120]})"
        return None
    # Redirected by Scrapy on its way (never an article page: those are followed by
    # hand): from the URL the crawl made, and on the same host.
    first = redirects[0] if isinstance(redirects, list) else None
    if callback == "parse_article" or first not in urls:
        return f"a redirect the crawl did not follow ({str(first)[:120]})"
    if urlsplit(request.url).hostname != urlsplit(first).hostname:
        return f"redirected off {urlsplit(first).hostname} ({request.url[:120]})"
    return None


def _rebuild(callback: str, kwargs: dict[str, Any], ledger: Ledger) -> tuple[str, ...]:
    """The URL(s) the crawl makes for a request to ``callback`` with ``kwargs``;
    ``NotIssued`` for a walk or an article that is not this crawl's."""
    if callback == "parse_listing":
        if set(kwargs) != {"walk", "progress"} or not isinstance(kwargs["walk"], str):
            raise ValueError("not a listing page's arguments")
        walk, progress = Walk.parse(kwargs["walk"]), Progress.from_dict(kwargs["progress"])
        if walk.source not in SOURCES or not ledger.knows_walk(walk.id):
            raise NotIssued(f"walk {walk.id[:80]!r} is not one of this crawl's")
        source = SOURCES[walk.source]
        cursors = ("", progress.cursors[-1]) if progress.cursors else ("",)
        return tuple(source.url(walk, progress.page, c) for c in cursors)
    if callback == "parse_comments":
        if set(kwargs) != {"thread"}:
            raise ValueError("not a comment thread's arguments")
        thread = Thread.from_dict(kwargs["thread"])
        key, url = thread.key, thread.url()
    else:
        article_id = kwargs["article_id"]
        if not isinstance(article_id, ArticleId):
            raise TypeError("article_id is not an article id")
        key = article_id.key
        if callback == "parse_article":
            hops = kwargs["hops"]
            if set(kwargs) != {"article_id", "hops"} or type(hops) is not int:
                raise ValueError("not an article's arguments")
            if not 0 <= hops <= 3:
                raise ValueError(f"{hops} redirect hops")
            url = article_id.url
        else:
            kind = kwargs["kind"]
            if set(kwargs) != {"article_id", "kind"} or kind not in (SPORTS, ENTERTAIN):
                raise ValueError("not a sports or entertainment article's arguments")
            url = api_url(article_id, kind)
    if not ledger.knows(key):
        raise NotIssued(f"article {key} was named by no walk of this crawl")
    return (url,)
