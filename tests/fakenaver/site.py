"""The fake Naver's URL routing: (method, absolute URL) -> Response, read from the World."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import comments, pages, search
from .world import SECTION_NAMES, ArticleSpec, World

__all__ = ["NAVER_HOSTS", "ROBOTS_TXT", "Response", "Site"]

#: Hosts the fake answers for; a request for any other host is refused with 502.
NAVER_HOSTS: frozenset[str] = frozenset(
    {
        "naver.com",
        "www.naver.com",
        "news.naver.com",
        "n.news.naver.com",
        "m.news.naver.com",
        "media.naver.com",
        "sports.naver.com",
        "m.sports.naver.com",
        "sports.news.naver.com",
        "entertain.naver.com",
        "m.entertain.naver.com",
        "api-gw.sports.naver.com",
        "api-gw.entertain.naver.com",
        "apis.naver.com",
        "openapi.naver.com",
    }
)

#: Like the real robots.txt of news.naver.com and n.news.naver.com: no crawler is allowed.
ROBOTS_TXT = "User-agent: *\nDisallow: /\n"

_JSON = "application/json; charset=UTF-8"
_SECTION_TEMPLATES = ("SECTION_ARTICLE_LIST_FOR_LATEST", "SECTION_ARTICLE_LIST")
_ARTICLE_PATH = re.compile(r"/(?:mnews/)?article/(\d{3})/(\d{10})/?")
_SPORTS_PATH = re.compile(r"/(?:[\w-]+/)?article/(\d{3})/(\d{10})/?")
_ENTERTAIN_PATH = re.compile(r"/(?:now/)?article/(\d{3})/(\d{10})/?")
_API_PATH = re.compile(r"/news/article/(\d{3})/(\d{10})/?")
_SPORTS_LIST_PATH = re.compile(r"/news/articles/([a-z0-9]+)/?")
_DAY = re.compile(r"\d{8}")
COMMENT_PATH = "/commentBox/cbox/web_naver_list_jsonp.json"
#: A comment request is answered only with a Referer starting so (else code 3999).
COMMENT_REFERER_PREFIXES: tuple[str, ...] = ("https://n.news.naver.com/",)
_JSONP = "application/javascript;charset=UTF-8"
_OBJECT_ID = re.compile(r"news(\d{3}),(\d{10})")
_CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,63}")


@dataclass
class Response:
    """What the server writes back; ``drop`` closes the connection without an answer."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    close_after: bool = False


def _html(status: int, body: bytes, content_type: str = pages.UTF8_HTML) -> Response:
    return Response(status, body, {"Content-Type": content_type})


def _not_found() -> Response:
    return _html(404, pages.not_found_page())


def _redirect(location: str) -> Response:
    body = f'<html><body><a href="{location}">moved</a></body></html>'.encode()
    return Response(302, body, {"Location": location, "Content-Type": pages.UTF8_HTML})


_NO_CACHE = "no-cache, no-store, proxy-revalidate, max-age=0"


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), None)


def _query(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _page(items: list[ArticleSpec], query: dict[str, str]) -> tuple[list[ArticleSpec], int]:
    try:
        page = max(1, int(query.get("page") or "1"))
        size = max(1, min(100, int(query.get("pageSize") or "20")))
    except ValueError:
        page, size = 1, 20
    return items[(page - 1) * size : page * size], len(items)


class Site:
    """Answers Naver URLs from a :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world

    def respond(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Response:
        """The answer to ``method url`` (HEAD is answered like GET; the server drops the body).

        ``headers`` are the request's (any mapping; names are matched case-insensitively):
        the comment API reads the Referer, the Search API its key. ``World.markup_changes``
        (the site changing its markup) are applied to every body served.
        """
        response = self._respond(method, url, headers)
        changes = self.world.markup_changes
        if changes and response.body:
            body = response.body
            for old, new in changes:
                body = body.replace(old, new)
            response.body = body
        return response

    def _respond(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Response:
        override = self.world.take_override(url)
        if override is not None:
            return Response(
                override.status,
                override.body,
                dict(override.headers),
                delay=override.delay,
                drop=override.drop_connection,
                close_after=override.close_after,
            )
        if method not in ("GET", "HEAD"):
            return Response(405, b"", {"Allow": "GET, HEAD"})
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path or "/"
        query = _query(parts.query)
        if path == "/robots.txt" and host in ("news.naver.com", "n.news.naver.com"):
            return Response(200, ROBOTS_TXT.encode(), {"Content-Type": "text/plain"})
        if host == "n.news.naver.com":
            match = _ARTICLE_PATH.fullmatch(path)
            if match:
                return self._article(*match.groups())
        elif host == "m.news.naver.com":
            match = _ARTICLE_PATH.fullmatch(path)
            if match and self.world.get_article(*match.groups()):
                return _redirect(
                    f"https://n.news.naver.com/mnews/article/{'/'.join(match.groups())}"
                )
        elif host == "news.naver.com":
            return self._news(path, query)
        elif host in ("m.sports.naver.com", "m.entertain.naver.com"):
            pattern = _SPORTS_PATH if host == "m.sports.naver.com" else _ENTERTAIN_PATH
            match = pattern.fullmatch(path)
            if match:
                return self._app_shell(host, *match.groups())
        elif host in ("api-gw.sports.naver.com", "api-gw.entertain.naver.com"):
            match = _API_PATH.fullmatch(path)
            if match:
                return self._api_article(*match.groups())
            list_match = _SPORTS_LIST_PATH.fullmatch(path)
            if host == "api-gw.sports.naver.com" and list_match:
                return self._sports_list(list_match[1], query)
            if host == "api-gw.entertain.naver.com" and path.rstrip("/") == "/news/articles":
                return self._entertain_list(query)
        elif host == "apis.naver.com" and path == COMMENT_PATH:
            return self._comments(query, _header(headers, "Referer"))
        elif host == "openapi.naver.com" and path == search.SEARCH_PATH:
            with self.world._lock:  # the quota is counted down
                status, body, json_headers = search.answer(query, headers, self.world)
            return Response(status, body, json_headers)
        return _not_found()

    # -- articles ---------------------------------------------------------------------------

    def _live(self, oid: str, aid: str) -> ArticleSpec | None:
        spec = self.world.get_article(oid, aid)
        return None if spec is None or spec.deleted else spec

    def _article(self, oid: str, aid: str) -> Response:
        spec = self._live(oid, aid)
        if spec is None:
            return _not_found()
        if spec.redirect_to:
            return _redirect(spec.redirect_to)
        body, content_type = pages.article_page(spec)
        return _html(200, body, content_type)

    def _legacy_read(self, query: dict[str, str]) -> Response:
        # https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369
        oid, aid = query.get("oid", ""), query.get("aid", "")
        if not re.fullmatch(r"\d{3}", oid) or not re.fullmatch(r"\d{10}", aid):
            return _not_found()
        spec = self.world.get_article(oid, aid)
        location = f"https://n.news.naver.com/mnews/article/{oid}/{aid}"
        if spec is not None:
            location += f"?sid={spec.sid1}"
        return _redirect(location)

    def _app_shell(self, host: str, oid: str, aid: str) -> Response:
        """m.sports / m.entertain article URLs: a JavaScript app whose HTML holds no article.

        The article is in the page only after its script runs (``pages.rendered_app_page``).
        """
        spec = self._live(oid, aid)
        if spec is None or not spec.redirect_to or urlsplit(spec.redirect_to).hostname != host:
            return _not_found()
        return _html(200, pages.rendered_app_page(spec, host))

    def _sports_list(self, section: str, query: dict[str, str]) -> Response:
        """``news/articles/{section}?sort=latest&date=&page=&pageSize=``: ``result.newsList``
        with ``oid``/``aid`` and ``dateTime`` (``T`` or a space), paged by ``totalCount``."""
        day = self._day(query)
        of_day = [a for a in self.world.listed("107", section) if a.day == day]
        page_items, total = _page(of_day, query)
        items = [
            {
                "oid": a.oid,
                "aid": a.aid,
                "title": a.title,
                "subContent": a.lede,
                "thumbnail": "",
                "sourceName": a.publisher,
                "sportsSection": section,
                "dateTime": a.published.replace(" ", "T") if n % 2 else a.published,
            }
            for n, a in enumerate(page_items)
        ]
        payload = {"code": 200, "success": True, "result": {"newsList": items, "totalCount": total}}
        return Response(
            200, json.dumps(payload, ensure_ascii=False).encode(), {"Content-Type": _JSON}
        )

    def _entertain_list(self, query: dict[str, str]) -> Response:
        """``news/articles?date=&page=&pageSize=``: items without ids (only a ``url``) and a
        relative ``articleTime``; no total: an empty ``newsList`` ends the list."""
        day = self._day(query)
        of_day = [a for a in self.world.listed("106") if a.day == day]
        page_items, _ = _page(of_day, query)
        forms = (
            "https://m.entertain.naver.com/article/{}/{}",
            "https://m.entertain.naver.com/now/article/{}/{}",
        )
        items = [
            {
                "title": a.title,
                "url": forms[n % 2].format(a.oid, a.aid),
                "officeName": a.publisher,
                "subContent": a.lede,
                "thumbnail": "",
                "articleTime": f"{n + 1}분전",
            }
            for n, a in enumerate(page_items)
        ]
        payload = {"code": 200, "success": True, "result": {"newsList": items}}
        return Response(
            200, json.dumps(payload, ensure_ascii=False).encode(), {"Content-Type": _JSON}
        )

    def _api_article(self, oid: str, aid: str) -> Response:
        """The sports/entertainment JSON gateway (shape from shared/docs/naver.md)."""
        spec = self._live(oid, aid)
        if spec is None:
            payload: dict[str, object] = {"code": 404, "success": False, "message": "not found"}
            return Response(404, json.dumps(payload).encode(), {"Content-Type": _JSON})
        content = pages.body_html(spec).strip()
        article = {
            "officeId": spec.oid,
            "articleId": spec.aid,
            "title": spec.title,
            "content": content,
            "refinedContent": "\n".join(spec.paragraphs),
            "subcontent": spec.summary or "",
            "serviceDatetime": spec.published,
            "modifyDatetime": spec.modified or spec.published,
            "reporter": "",
            "sections": [{"firstSectionName": SECTION_NAMES.get(spec.sid1, spec.sid1)}],
            "imageFiles": [],
            "orgUrl": {"pc": {"url": spec.url}},
        }
        payload = {
            "code": 200,
            "success": True,
            "result": {
                "articleInfo": {
                    "article": article,
                    "journalistCards": {"cards": []},
                    "copyright": f"Copyright ⓒ {spec.publisher}. All rights reserved.",
                },
                "officeInfo": {"hname": spec.publisher},
            },
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        return Response(200, body, {"Content-Type": _JSON})

    # -- comments (apis.naver.com) ------------------------------------------------------------

    def _comments(self, query: dict[str, str], referer: str | None) -> Response:
        """The comment box API (``comments.py``; shared/docs/naver.md, "Comments (댓글)").

        In order: a failure set by ``World.fail_comments`` (that HTTP status, empty body);
        no n.news Referer: ``success:false``, code ``3999``, "잘못된 접근입니다" (real); a
        ``ticket`` other than ``news``: the same (made up); an ``objectId`` that is not
        ``news{oid},{aid}`` of an article in the world (or one deleted): code ``4004``,
        "존재하지 않는 기사입니다" (made up). Every answer is HTTP 200 JSONP, wrapped in
        ``_callback`` or the name passed as ``_callback=``. The Referer must start with one of
        :data:`COMMENT_REFERER_PREFIXES` (n.news, as the docs' 2024-2026 notes say; the 2022
        recording was still answered with a ``news.naver.com/main/read.nhn`` Referer). The
        request's ``templateId`` is not read: items carry the box's (or the section's).
        """
        callback = query.get("_callback") or "_callback"
        if not _CALLBACK.fullmatch(callback):
            callback = "_callback"
        lang = query.get("lang") or "ko"
        country = query.get("country") or "KR"
        match = _OBJECT_ID.fullmatch(query.get("objectId", "").strip())
        if match:
            status = self.world.take_comment_failure(match[1], match[2])
            if status is not None:
                return Response(status, b"", {"Content-Type": "text/plain"})

        def answer(payload: dict[str, Any]) -> Response:
            headers = {"Content-Type": _JSONP, "Cache-Control": _NO_CACHE}
            return Response(200, comments.jsonp(callback, payload), headers)

        def failure(code: str, message: str) -> Response:
            payload = comments.envelope(
                None, success=False, code=code, message=message, lang=lang, country=country
            )
            return answer(payload)

        if referer is None or not referer.startswith(COMMENT_REFERER_PREFIXES):
            return failure("3999", "잘못된 접근입니다")
        if query.get("ticket", "news") != "news":
            return failure("3999", "잘못된 접근입니다")
        spec = self._live(match[1], match[2]) if match else None
        if match is None or spec is None:
            return failure("4004", "존재하지 않는 기사입니다")
        box = self.world.comments(spec.oid, spec.aid)
        result = comments.list_result(
            box,
            object_id=f"news{spec.oid},{spec.aid}",
            template_id=box.template_id or comments.template_for(spec.sid1),
            query=query,
            lang=lang,
            country=country,
        )
        return answer(comments.envelope(result, lang=lang, country=country))

    # -- news.naver.com ---------------------------------------------------------------------

    def _news(self, path: str, query: dict[str, str]) -> Response:
        if path in ("/main/read.naver", "/main/read.nhn"):
            return self._legacy_read(query)
        if path.startswith("/section/template/"):
            template = path.rsplit("/", 1)[1]
            if template in _SECTION_TEMPLATES:
                return self._section_template(template, query)
        if path in ("/main/list.naver", "/main/list.nhn"):
            return self._old_list(query)
        return _not_found()

    def _day(self, query: dict[str, str]) -> str | None:
        day = query.get("date") or self.world.newest_day()
        return day if _DAY.fullmatch(day) else None

    def _section_template(self, template: str, query: dict[str, str]) -> Response:
        """One page of the "more" list of a (sub-)section for one day.

        Like Naver's ``SECTION_ARTICLE_LIST_FOR_LATEST`` (shared/docs/naver.md, "Discovery
        (listings)"): ``world.page_size`` cards a page (Naver: 36), paging by ``next`` only
        (``pageNo`` is echoed, never used): ``next`` empty starts at the newest item of the
        day, otherwise items strictly older than the cursor are listed, and the page's
        ``data-cursor`` is its last card's. Real cursors are 19 digits, ``YYYYMMDDHHMMSS`` + 5
        (``2024112517083827169``), not the section home page's 14; ``world.cursor_style``
        picks the shape ("real", "short", "opaque", "repeat": see :class:`World`). A ``next``
        the style cannot decode answers the first page; a page with no card echoes ``next``.
        Past the day's last item the list runs on into the previous day, as Naver's does, so
        clients must stop when the cursor leaves the day. ``SECTION_ARTICLE_LIST`` (the
        section-wide variant) is answered the same way.
        """
        sid1, sid2 = query.get("sid", ""), query.get("sid2", "")
        cursor = query.get("next", "")
        page_no = query.get("pageNo") or "1"
        day = self._day(query)
        world = self.world
        repeat = world.cursor_style == "repeat"
        page: list[tuple[str, ArticleSpec]] = []
        has_next = False
        if day is not None and sid1:
            previous = (datetime.strptime(day, "%Y%m%d") - timedelta(days=1)).strftime("%Y%m%d")
            timeline = [
                (key, a) for key, a in world.latest_listing(sid1, sid2) if a.day in (day, previous)
            ]
            after = None if repeat else world.decode_cursor(cursor)
            if after is not None:
                timeline = [(key, a) for key, a in timeline if key < after]
            page = timeline[: max(1, world.page_size)]
            if not world.mix_days_in_page and page and page[0][1].day == day:
                page = [(key, a) for key, a in page if a.day == day]
            has_next = len(timeline) > len(page) or (repeat and bool(page))
        fragment = pages.section_fragment(
            template_name=template,
            sid1=sid1,
            sid2=sid2,
            day=day or "",
            page_no=page_no,
            items=[a for _, a in page],
            has_next=has_next,
            cursor=world.encode_cursor(page[-1][0]) if page else cursor,
        )
        return Response(200, pages.section_json(template, fragment), {"Content-Type": _JSON})

    def _old_list(self, query: dict[str, str]) -> Response:
        """``list.naver`` by section (LSD), sub-section (LS2D) or press (LPOD), EUC-KR."""
        mode = query.get("mode", "")
        day = self._day(query)
        if day is None:
            return _not_found()
        if mode == "LSD":
            sid1 = query.get("sid1", "")
            articles = self.world.listed(sid1) if sid1 else []
            params = f"mode=LSD&mid={query.get('mid', 'shm')}&sid1={sid1}&date={day}"
        elif mode == "LS2D":
            sid1, sid2 = query.get("sid1", ""), query.get("sid2", "")
            articles = self.world.listed(sid1, sid2) if sid1 and sid2 else []
            params = f"mode=LS2D&mid={query.get('mid', 'shm')}&sid1={sid1}&sid2={sid2}&date={day}"
        elif mode == "LPOD":
            oid = query.get("oid", "")
            articles = self.world.listed_by_press(oid) if oid else []
            params = f"mode=LPOD&mid={query.get('mid', 'sec')}&oid={oid}&date={day}"
        else:
            return _not_found()
        of_day = [a for a in articles if a.day == day]
        size = max(1, self.world.old_page_size)
        last = max(1, math.ceil(len(of_day) / size))
        try:
            page = int(query.get("page") or "1")
        except ValueError:
            page = 1
        page = min(max(page, 1), last)  # Naver answers a page past the end with the last one
        body = pages.old_list_page(
            query=params,
            day=day,
            page=page,
            last_page=last,
            items=of_day[(page - 1) * size : page * size],
        )
        return _html(200, body, pages.EUCKR_HTML)
