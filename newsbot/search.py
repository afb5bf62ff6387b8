"""Naver's official Search API (``openapi.naver.com/v1/search/news.json``): the sanctioned
way to find articles by keyword (docs/naver.md, "Keyword search").

An answer is ``{"lastBuildDate", "total", "start", "display", "items": [{"title",
"originallink", "link", "description", "pubDate"}]}``; ``title`` carries ``<b>`` tags and
HTML entities, ``pubDate`` is RFC-822 (``Mon, 26 Sep 2016 07:50:00 +0900``) and ``link``
is the n.news (or sports / entertainment) URL when Naver hosts the article, else the
press's own. At most 100 items a call and ``start`` ≤ 1,000: the API gives the first
1,000 results of a query and no more. Errors are ``{"errorMessage", "errorCode"}`` with
HTTP 400 (bad parameters), 401 (bad credentials), 403 (the application may not use the
API) or 429 (the day's quota).

The keys (``NEWSBOT_NAVER_CLIENT_ID`` / ``NEWSBOT_NAVER_CLIENT_SECRET``) are read from the
settings, else from environment variables of the same names, and are added to a request
by ``newsbot.middlewares.SearchApiKeyMiddleware`` as it is sent: never stored in a
request that is queued (Redis), retried, logged or archived.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from scrapy.settings import BaseSettings

from newsbot.comments import json_int
from newsbot.dates import KST
from newsbot.errors import ConfigError, ExtractError, InvalidArticleUrl
from newsbot.urls import ArticleId, parse_any_article_url

SEARCH_HOST = "openapi.naver.com"
SEARCH_URL = f"https://{SEARCH_HOST}/v1/search/news.json"
#: Results asked for a call (the API's maximum).
PAGE_SIZE = 100
#: The API refuses a ``start`` past this: a query gives its first 1,000 results only.
MAX_START = 1000
ID_SETTING = "NEWSBOT_NAVER_CLIENT_ID"
SECRET_SETTING = "NEWSBOT_NAVER_CLIENT_SECRET"
ID_HEADER, SECRET_HEADER = "X-Naver-Client-Id", "X-Naver-Client-Secret"
#: Where a key is had (free; "검색" is the API to add to the application).
REGISTER_URL = "https://developers.naver.com/apps/#/register"
#: The longest query accepted (the API's own limit is not documented; a longer one is a
#: mistake, such as a file pasted in).
MAX_QUERY_CHARS = 500
#: HTTP statuses of the API's refusals: the search answers them itself (not retried).
REFUSALS = (400, 401, 403, 429)
_TAG_RE = re.compile(r"<[^>]{0,200}>")
_SPACE_RE = re.compile(r"\s+")


class SearchApiError(ExtractError):
    """A Search API answer not in the documented shape."""


def credentials(settings: BaseSettings) -> tuple[str, str] | None:
    """(client id, client secret) from the settings, else the environment; None when
    either is missing."""
    client_id = str(settings.get(ID_SETTING) or os.environ.get(ID_SETTING) or "").strip()
    secret = str(settings.get(SECRET_SETTING) or os.environ.get(SECRET_SETTING) or "").strip()
    if not client_id or not secret:
        return None
    return client_id, secret


def require_credentials(settings: BaseSettings) -> tuple[str, str]:
    found = credentials(settings)
    if found is None:
        raise ConfigError(
            f"-a query needs a key of Naver's Search API: set {ID_SETTING} and {SECRET_SETTING} "
            f"(environment variables, or -s settings); an application's key is free at "
            f"{REGISTER_URL} (add the API 검색)"
        )
    return found


def search_url(query: str, start: int, display: int = PAGE_SIZE) -> str:
    """Newest first (``sort=date``): a walk ends when the results leave the dates."""
    params = {"query": query, "display": display, "start": start, "sort": "date"}
    return f"{SEARCH_URL}?{urlencode(params)}"


def start_of(page: int) -> int:
    """The ``start`` of page ``page`` (1, 101, 201 …)."""
    return 1 + (page - 1) * PAGE_SIZE


def plain(text: object) -> str:
    """A title or description as text: ``<b>`` tags out, entities decoded, spaces single."""
    if not isinstance(text, str):
        return ""
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub("", text))).strip()


def published(value: object) -> datetime | None:
    """``pubDate`` (RFC-822) in Korea time; None if it is not a date."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=KST)  # the API's dates are Korea time
    return when.astimezone(KST)


@dataclass(frozen=True)
class SearchItem:
    """One result: a Naver article (``article``, ``kind``) or a press's own page."""

    title: str
    link: str
    originallink: str
    published: datetime | None
    article: ArticleId | None = None
    kind: str | None = None  # news, sports or entertain


@dataclass
class SearchPage:
    total: int
    start: int
    items: list[SearchItem] = field(default_factory=list)
    rejected: int = 0  # items not in the documented shape (no link): counted as drift


def parse_search_page(body: bytes) -> SearchPage:
    """A successful answer; raises ``SearchApiError`` when it is not in the documented shape."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SearchApiError(f"the Search API's answer is not JSON: {exc!s:.100}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise SearchApiError("the Search API's answer has no items list")
    total, start = json_int(data.get("total")), json_int(data.get("start"))
    if total is None or start is None:
        raise SearchApiError("the Search API's answer has no total or start")
    page = SearchPage(total=total, start=start)
    for raw in data["items"]:
        item = _item(raw)
        if item is None:
            page.rejected += 1
        else:
            page.items.append(item)
    return page


def _item(raw: Any) -> SearchItem | None:
    if not isinstance(raw, dict):
        return None
    link, original = (
        value.strip() if isinstance(value := raw.get(name), str) else ""
        for name in ("link", "originallink")
    )
    if not link and not original:
        return None
    article: ArticleId | None = None
    kind: str | None = None
    for candidate in (link, original):  # an n.news link may come as either
        if not candidate:
            continue
        try:
            article, kind = parse_any_article_url(candidate)
            break
        except InvalidArticleUrl:
            continue
    return SearchItem(
        title=plain(raw.get("title")),
        link=link or original,
        originallink=original,
        published=published(raw.get("pubDate")),
        article=article,
        kind=kind,
    )


def refusal(status: int, body: bytes) -> str:
    """The one line that says why the API refused (400, 401, 403, 429 or another status)."""
    message, code = "", ""
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            message = str(data.get("errorMessage") or "")[:200]
            code = str(data.get("errorCode") or "")[:20]
    except (ValueError, UnicodeDecodeError):
        pass
    said = f" ({code}: {message})" if code or message else ""
    if status == 401:
        return (
            f"the Search API refused the key (HTTP 401{said}): check {ID_SETTING} and "
            f"{SECRET_SETTING}"
        )
    if status == 403:
        return (
            f"the Search API refused this application (HTTP 403{said}): add the API 검색 "
            f"to it at {REGISTER_URL}"
        )
    if status == 429:
        return (
            f"the Search API's quota is used up (HTTP 429{said}): 25,000 calls a day per "
            "application; run the query again tomorrow (what was collected is written)"
        )
    if status == 400:
        return f"the Search API refused the request's parameters (HTTP 400{said})"
    return f"the Search API answered HTTP {status}{said}"
