"""Sports and entertainment: the JSON gateways (article and list endpoints).

``api-gw.sports.naver.com/news/article/{oid}/{aid}`` and
``api-gw.entertain.naver.com/news/article/{oid}/{aid}`` answer the same body (captured
2026-10; shape in docs/naver.md): ``{"code", "success", "result": {"articleInfo":
{"article": {…}, "journalistCards": …}, "officeInfo": {"hname"}}}``. The article's HTML
``content`` uses the ``#dic_area`` markup and goes through the same body walk.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any, ClassVar

from parsel import Selector

from newsbot.authors import Author, merge_authors, parse_byline
from newsbot.dates import iso_kst
from newsbot.errors import ArticleNotFound, ExtractError, InvalidArticleUrl
from newsbot.pages.base import ArticlePage
from newsbot.pages.body import Body, extract_body_html
from newsbot.sites import SITES, Kind
from newsbot.text import clean_inline
from newsbot.urls import ENTERTAIN, SPORTS, ArticleId, parse_any_article_url

#: Sports list sections (``api-gw.sports.naver.com/news/articles/{section}``).
SPORTS_SECTIONS: tuple[str, ...] = (
    "kbaseball", "wbaseball", "kfootball", "wfootball", "basketball", "volleyball", "golf",
    "general",
)  # fmt: skip


class ApiShapeError(ExtractError):
    """A JSON answer that is not in the documented shape (the endpoint changed or failed)."""


def _load(body: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ApiShapeError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiShapeError("not a JSON object")
    return data


def _list(value: Any) -> list[Any]:
    """A JSON value that should be a list; anything else counts as empty."""
    return value if isinstance(value, list) else []


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class ApiArticle(ArticlePage):
    """An article from the sports/entertainment JSON article endpoint.

    Sample: https://api-gw.sports.naver.com/news/article/001/0016364477 (captured 2026-10).
    """

    kind: ClassVar[str] = SPORTS

    def __init__(self, article_id: ArticleId, data: dict[str, Any]) -> None:
        self.data = data
        self.article = _dig(data, "result", "articleInfo", "article")
        content = self.article.get("content") if isinstance(self.article, dict) else None
        super().__init__(article_id, Selector(text=content or "<html></html>"))

    @classmethod
    def from_json(cls, article_id: ArticleId, body: str | bytes) -> ApiArticle:
        """Parse an endpoint answer. ``ArticleNotFound`` when it says the article is missing
        or deleted; ``ApiShapeError`` when it is not in the documented shape."""
        data = _load(body)
        if "success" not in data and "result" not in data:
            raise ApiShapeError("no 'success' or 'result' in the answer")
        if data.get("success") is not True:
            raise ArticleNotFound(f"the API says no such article (code {data.get('code')!r})")
        article = _dig(data, "result", "articleInfo", "article")
        if not isinstance(article, dict):
            raise ArticleNotFound("the answer has no result.articleInfo.article")
        if not (article.get("content") or article.get("refinedContent")):
            raise ArticleNotFound("the article's content is empty")
        if not isinstance(article.get("content") or "", str):
            raise ApiShapeError("article content is not text")
        page = cls(article_id, data)
        declared = (article.get("officeId"), article.get("articleId"))
        if all(declared) and declared != (article_id.oid, article_id.aid):
            raise ApiShapeError(f"the answer is article {declared[0]}_{declared[1]}")
        return page

    def _text(self, key: str) -> str | None:
        value = self.article.get(key) if isinstance(self.article, dict) else None
        return clean_inline(value) if isinstance(value, str) else None

    def title(self) -> str | None:
        return self._text("title")

    def publisher(self) -> str | None:
        name = _dig(self.data, "result", "officeInfo", "hname")
        return clean_inline(name) if isinstance(name, str) else None

    def categories(self) -> list[str]:
        labels: list[str] = []
        for section in _list(self.article.get("sections")):
            if isinstance(section, dict):
                for key in ("firstSectionName", "secondSectionName", "thirdSectionName"):
                    label = (
                        clean_inline(section.get(key))
                        if isinstance(section.get(key), str)
                        else None
                    )
                    if label:
                        labels.append(label)
        return list(dict.fromkeys(labels))

    def sid(self) -> str | None:
        return SITES[Kind(self.kind)].sid

    def authors(self) -> list[Author]:
        names: list[str] = []
        emails: list[Author] = []
        cards = _dig(self.data, "result", "articleInfo", "journalistCards", "cards") or []
        for card in cards if isinstance(cards, list) else []:
            if isinstance(card, dict) and isinstance(card.get("name"), str):
                names.append(card["name"])
                email = card.get("email")
                emails.append({"name": clean_inline(card["name"]) or "", "email": email or None})
        bylines = parse_byline(self._text("reporter"))
        return merge_authors(names, emails + bylines, publisher=self.publisher()) or (
            self.body.byline_authors
        )

    def published_at(self) -> str | None:
        return iso_kst(self._text("serviceDatetime"))

    def modified_at(self) -> str | None:
        modified = iso_kst(self._text("modifyDatetime"))
        return modified if modified != self.published_at() else None

    def original_url(self) -> str | None:
        url = _dig(self.article, "orgUrl", "pc", "url")
        return clean_inline(url) if isinstance(url, str) else None

    @cached_property
    def body(self) -> Body:
        content = self.article.get("content") or ""
        if not content.strip():  # only the plain-text version: paragraphs by line
            text = self.article.get("refinedContent") or ""
            content = "<br><br>".join(
                line.replace("&", "&amp;").replace("<", "&lt;") for line in text.split("\n")
            )
        return extract_body_html(content)


class SportsApiArticle(ApiArticle):
    """Sports (sid 107) articles from ``api-gw.sports.naver.com`` (seen 2026-10)."""

    name = "sports-api"
    kind = SPORTS


class EntertainApiArticle(ApiArticle):
    """Entertainment (sid 106) articles from ``api-gw.entertain.naver.com`` (seen 2026-10)."""

    name = "entertain-api"
    kind = ENTERTAIN


API_LAYOUTS: dict[str, type[ApiArticle]] = {
    SPORTS: SportsApiArticle,
    ENTERTAIN: EntertainApiArticle,
}


def _parse_list(body: str | bytes, what: str) -> tuple[list[ArticleId], int | None, int]:
    """(articles, totalCount, items that name no valid article)."""
    data = _load(body)
    result = data.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("newsList", []), list):
        raise ApiShapeError(f"no result.newsList in the {what} list")
    found: dict[ArticleId, None] = {}
    rejected = 0
    for item in result.get("newsList") or []:
        if not isinstance(item, dict):
            rejected += 1
            continue
        oid, aid = str(item.get("oid") or ""), str(item.get("aid") or "")
        try:
            if oid or aid:
                found[ArticleId(oid, aid)] = None
            else:  # entertainment items carry no ids: take them from the url
                found[parse_any_article_url(str(item.get("url") or ""))[0]] = None
        except InvalidArticleUrl:
            rejected += 1
    total = result.get("totalCount")
    return list(found), total if isinstance(total, int) else None, rejected


def parse_sports_list(body: str | bytes) -> tuple[list[ArticleId], int | None, int]:
    """``result.newsList[]`` items (``oid``, ``aid``, ``dateTime`` with ``T`` or a space) and
    ``result.totalCount`` of ``news/articles/{section}``."""
    return _parse_list(body, "sports")


def parse_entertain_list(body: str | bytes) -> tuple[list[ArticleId], int | None, int]:
    """``result.newsList[]`` of ``news/articles``: the items carry no ids, so they are taken
    from each item's ``url``; ``totalCount`` when present."""
    return _parse_list(body, "entertainment")
