"""The fake's Search API (``openapi.naver.com/v1/search/news.json``), in the documented
shape (shared/docs/naver.md, "Keyword search"; developers.naver.com's news search page):

``{"lastBuildDate": RFC-822, "total": N, "start": S, "display": D, "items": [{"title",
"originallink", "link", "description", "pubDate"}]}``, titles and descriptions with ``<b>``
around the words searched and HTML entities (``&quot;``, ``&amp;``); ``link`` is the n.news
(sports: m.sports, entertainment: m.entertain) URL of a Naver article and the press's own URL
otherwise. ``display`` 1..100, ``start`` 1..1000, ``sort`` sim|date; errors
``{"errorMessage", "errorCode"}`` with 400 (SE01..SE04), 401 (024), 403, 429 (010).

What matches: every article of the world whose title or text holds every word of the query
(case-insensitively), and the press-only results added with ``World.add_search_result``;
newest first. Knobs for an API that cannot be trusted: ``World.search_repeat_first_page``,
``World.search_start_answered``, ``World.search_shown_dates``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

SEARCH_PATH = "/v1/search/news.json"
KST = timezone(timedelta(hours=9))
_JSON = "application/json;charset=utf-8"
#: The key the fake accepts unless the world says otherwise.
TEST_KEY = ("fake-client-id", "fake-client-secret")


@dataclass(frozen=True)
class SearchResult:
    """A press-only result (``link`` is the press's own page, not a Naver article)."""

    title: str
    url: str
    published: str  # YYYY-MM-DD HH:MM:SS, Korea time
    description: str = ""


def rfc822(stamp: str) -> str:
    """``2026-05-30 14:02:00`` (KST) -> ``Sat, 30 May 2026 14:02:00 +0900``."""
    return format_datetime(datetime.fromisoformat(stamp).replace(tzinfo=KST))


def marked(text: str, words: list[str]) -> str:
    """``text`` HTML-escaped, each word searched in ``<b>``, as the API gives titles."""
    escaped = html.escape(text, quote=True)
    for word in words:
        target = html.escape(word, quote=True)
        escaped = re.sub(re.escape(target), lambda m: f"<b>{m[0]}</b>", escaped, flags=re.I)
    return escaped


def error(status: int, code: str, message: str) -> tuple[int, bytes]:
    body = json.dumps({"errorMessage": message, "errorCode": code}, ensure_ascii=False)
    return status, body.encode()


def answer(
    query: dict[str, str],
    headers: Mapping[str, str] | None,
    world: Any,
) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of one Search API call."""
    json_headers = {"Content-Type": _JSON}

    def header(name: str) -> str | None:
        if headers is None:
            return None
        return next((str(v) for k, v in headers.items() if k.lower() == name.lower()), None)

    key = (header("X-Naver-Client-Id"), header("X-Naver-Client-Secret"))
    if world.search_key is not None and key != world.search_key:
        status, body = error(
            401, "024", "Not Exist Client ID : Authentication failed. (인증에 실패했습니다.)"
        )
        return status, body, json_headers
    if world.search_forbidden:
        status, body = error(
            403, "024", "Scope Status Invalid : Authentication failed. (권한이 없습니다.)"
        )
        return status, body, json_headers
    if world.search_quota is not None:
        if world.search_quota <= 0:
            status, body = error(429, "010", "Query limit exceeded. (호출 한도를 초과했습니다.)")
            return status, body, json_headers
        world.search_quota -= 1
    text = query.get("query", "").strip()
    if not text:
        status, body = error(400, "SE01", "Incorrect query request (잘못된 쿼리요청입니다.)")
        return status, body, json_headers
    try:
        display = int(query.get("display") or "10")
        start = int(query.get("start") or "1")
    except ValueError:
        status, body = error(400, "SE02", "Invalid display value (부적절한 display 값입니다.)")
        return status, body, json_headers
    if not 1 <= display <= 100:
        status, body = error(400, "SE02", "Invalid display value (부적절한 display 값입니다.)")
        return status, body, json_headers
    if not 1 <= start <= 1000:
        status, body = error(400, "SE03", "Invalid start value (부적절한 start 값입니다.)")
        return status, body, json_headers
    if query.get("sort", "sim") not in ("sim", "date"):
        status, body = error(400, "SE04", "Invalid sort value (부적절한 sort 값입니다.)")
        return status, body, json_headers
    words = text.split()
    items = matches(world, words)
    first = 1 if world.search_repeat_first_page else start
    page = items[first - 1 : first - 1 + display]
    payload = {
        "lastBuildDate": format_datetime(datetime.now(KST)),
        "total": len(items),
        "start": start if world.search_start_answered is None else world.search_start_answered,
        "display": len(page),
        "items": [item for _, item in page],
    }
    return 200, json.dumps(payload, ensure_ascii=False).encode(), json_headers


def matches(world: Any, words: list[str]) -> list[tuple[str, dict[str, str]]]:
    """(published, item) of every result for ``words``, newest first."""
    lowered = [w.lower() for w in words]
    found: list[tuple[str, dict[str, str]]] = []
    for spec in world.articles:
        if spec.deleted:
            continue
        text = (spec.title + " " + " ".join(spec.paragraphs)).lower()
        if not all(w in text for w in lowered):
            continue
        item = _article_item(spec, words)
        shown = world.search_shown_dates.get(spec.key)
        if shown is not None:  # sorted by its own date, shown with another
            item["pubDate"] = rfc822(shown)
        found.append((spec.published, item))
    for result in world.search_results.get(" ".join(lowered), ()):
        found.append(
            (
                result.published,
                {
                    "title": marked(result.title, words),
                    "originallink": result.url,
                    "link": result.url,
                    "description": marked(result.description, words),
                    "pubDate": rfc822(result.published),
                },
            )
        )
    found.sort(key=lambda pair: pair[0], reverse=True)
    return found


def _article_item(spec: Any, words: list[str]) -> dict[str, str]:
    if spec.sid1 == "107":
        link = f"https://m.sports.naver.com/{spec.sid2 or 'general'}/article/{spec.oid}/{spec.aid}"
    elif spec.sid1 == "106":
        link = f"https://m.entertain.naver.com/article/{spec.oid}/{spec.aid}"
    else:
        link = f"https://n.news.naver.com/mnews/article/{spec.oid}/{spec.aid}?sid={spec.sid1}"
    return {
        "title": marked(spec.title, words),
        "originallink": f"https://press{spec.oid}.example/news/{spec.aid}",
        "link": link,
        "description": marked(spec.lede, words),
        "pubDate": rfc822(spec.published),
    }
