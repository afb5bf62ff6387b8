"""What an archived page holds: why no article, its article, or which comment answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from newsbot.archive.read import ArchivedPage
from newsbot.article import decode_html, finalize, page_for
from newsbot.comments import COMMENT_API, COMMENT_HOST
from newsbot.dates import to_iso
from newsbot.errors import InvalidArticleUrl
from newsbot.items import Article
from newsbot.pages.api import API_LAYOUTS
from newsbot.pages.rendered import RENDERED_LAYOUTS
from newsbot.sites import SITES
from newsbot.urls import NEWS, ArticleId, parse_any_article_url

_API_HOSTS = {site.api_host: kind for kind, site in SITES.items() if site.api_host}


def skip_reason(page: ArchivedPage) -> str | None:
    """Why ``page`` holds no article to extract (the kind a reparse counts it under), or
    ``None`` when it should hold one: ``robots.txt``, ``non-Naver``, ``not 200``,
    ``not an article`` (a Naver listing, search, a JSON list endpoint …) and ``app shell``
    (a sports or entertainment page fetched without a browser: no article in it)."""
    try:
        parts = urlsplit(page.url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "non-Naver"
    if parts.path == "/robots.txt":
        return "robots.txt"
    if _comment_page(page.url) is not None:
        return None if page.status == 200 else "not 200"
    if not (host == "naver.com" or host.endswith(".naver.com")):
        return "non-Naver"
    if page.status != 200:
        return "not 200"
    if host in _API_HOSTS:
        segments = parts.path.rstrip("/").split("/")
        return None if len(segments) >= 5 and segments[-3] == "article" else "not an article"
    try:
        _, kind = parse_any_article_url(page.url)
    except InvalidArticleUrl:
        return "not an article"
    if kind != NEWS and not page.rendered:
        return "app shell"
    return None


def extract_archived(page: ArchivedPage) -> Article | None:
    """The article in an archived response, or ``None`` when it is not an article page
    (a listing, a redirect, an error). Raises ``ExtractError`` when it should be one."""
    if page.status != 200:
        return None
    host = (urlsplit(page.url).hostname or "").lower()
    crawled_at = to_iso(datetime.fromisoformat(page.fetched)) if page.fetched else None
    if host in _API_HOSTS:
        parts = urlsplit(page.url).path.rstrip("/").split("/")
        if len(parts) < 5 or parts[-3] != "article":
            return None  # a list endpoint
        from newsbot.urls import ArticleId

        try:
            article_id = ArticleId(parts[-2], parts[-1])
        except InvalidArticleUrl:
            return None  # not an article newsbot asked for (e.g. a redirect to a bad id)
        return finalize(
            API_LAYOUTS[_API_HOSTS[host]].from_json(article_id, page.body).to_article(crawled_at)
        )
    try:
        article_id, kind = parse_any_article_url(page.url)
    except InvalidArticleUrl:
        return None
    html = decode_html(page.body, page.content_type)
    if kind == NEWS:
        return finalize(page_for(article_id, Selector(text=html)).to_article(crawled_at))
    if page.rendered:
        rendered = RENDERED_LAYOUTS[kind](article_id, Selector(text=html))
        return finalize(rendered.to_article(crawled_at))
    return None  # an app shell fetched without a browser holds no article


_COMMENT_PATH = urlsplit(COMMENT_API).path


@dataclass(frozen=True)
class _CommentRequest:
    """What a comment API URL asked for."""

    article: ArticleId
    probe: bool  # pageSize=1: the count only
    first: bool  # the first page of the comment list (not a next page, not replies)
    parent: str | None  # the comment whose replies this page lists


def _comment_page(url: str) -> _CommentRequest | None:
    """The article and kind of a comment API URL newsbot makes (``None``: not one)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() != COMMENT_HOST or parts.path != _COMMENT_PATH:
        return None
    query = parse_qs(parts.query)
    object_id = (query.get("objectId") or [""])[0]
    oid, _, aid = object_id.removeprefix("news").partition(",")
    if not object_id.startswith("news"):
        return None
    try:
        article = ArticleId(oid, aid)
    except (InvalidArticleUrl, ValueError):
        return None
    probe = (query.get("pageSize") or [""])[0] == "1"
    first = "moreParam.next" not in query and "parentCommentNo" not in query
    parents = query.get("parentCommentNo")
    parent = parents[0] if parents else None
    return _CommentRequest(article, probe, first, parent)


def _article_key(page: ArchivedPage) -> str | None:
    """The article a page would be written as (``oid_aid``), or ``None`` for a page that
    holds none, or whose article only its extraction can tell."""
    if skip_reason(page) is not None or _comment_page(page.url) is not None:
        return None
    try:
        parts = urlsplit(page.url)
        if (parts.hostname or "").lower() in _API_HOSTS:
            segments = parts.path.rstrip("/").split("/")
            return ArticleId(segments[-2], segments[-1]).key
        return parse_any_article_url(page.url)[0].key
    except (InvalidArticleUrl, ValueError, IndexError):
        return None
