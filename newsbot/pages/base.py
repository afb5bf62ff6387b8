"""The page-class contract: a layout turns one article page into the item's fields."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from parsel import Selector

from newsbot.authors import Author, author_line
from newsbot.errors import EmptyArticle
from newsbot.items import Article, Image
from newsbot.pages.body import Body
from newsbot.text import clean_inline
from newsbot.urls import NEWS, ArticleId, article_url


class ArticlePage:
    """Base of every layout. Subclasses set ``name`` and ``markers`` and implement the
    field methods; each returns ``None`` (or ``[]``) when the page does not have it.

    A page class never builds requests, reads settings or touches stats.
    """

    #: Layout name written to the item's ``layout`` field and the per-layout stats.
    name: ClassVar[str] = ""
    #: CSS selectors that must all match for this layout to be chosen.
    markers: ClassVar[tuple[str, ...]] = ()
    #: Which site the article is on (news, sports, entertain): decides its canonical ``url``.
    kind: ClassVar[str] = NEWS

    def __init__(self, article_id: ArticleId, selector: Selector) -> None:
        self.article_id = article_id
        self.sel = selector

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        return bool(cls.markers) and all(selector.css(m) for m in cls.markers)

    # -- helpers -------------------------------------------------------------------------
    def first_text(self, *queries: str) -> str | None:
        """The first non-empty cleaned text among the CSS queries (each ``::text``-like)."""
        for query in queries:
            for value in self.sel.css(query).getall():
                text = clean_inline(value)
                if text:
                    return text
        return None

    def element_text(self, *queries: str) -> str | None:
        """All the text of the first element matched (inline markup included), cleaned."""
        for query in queries:
            for element in self.sel.css(query):
                text = clean_inline(element.xpath("string()").get())
                if text:
                    return text
        return None

    def publisher_from_meta(self) -> str | None:
        """The press from ``twitter:creator``, else ``og:article:author`` ("부산일보 | 네이버")."""
        creator = self.meta("twitter:creator")
        if creator:
            return creator
        author = self.meta("og:article:author")
        return clean_inline(author.split("|")[0]) if author else None

    def meta(self, key: str) -> str | None:
        return self.first_text(f'meta[property="{key}"]::attr(content)') or self.first_text(
            f'meta[name="{key}"]::attr(content)'
        )

    # -- fields ----------------------------------------------------------------------------
    def title(self) -> str | None:
        raise NotImplementedError

    def publisher(self) -> str | None:
        raise NotImplementedError

    def categories(self) -> list[str]:
        return []

    def sid(self) -> str | None:
        return None

    def authors(self) -> list[Author]:
        return []

    def published_at(self) -> str | None:
        raise NotImplementedError

    def modified_at(self) -> str | None:
        return None

    def original_url(self) -> str | None:
        return None

    @cached_property
    def body(self) -> Body:
        raise NotImplementedError

    def content(self) -> str:
        return self.body.content

    def subtitle(self) -> str | None:
        return self.body.subtitle

    def images(self) -> list[Image]:
        return self.body.images

    # -- the item -------------------------------------------------------------------------
    def to_article(self, crawled_at: str | None) -> Article:
        """All fields as an ``Article`` (not yet normalised or hashed: the pipelines do that)."""
        title = self.title()
        content = self.content()
        if not title or not content:
            missing = "title" if not title else "body text"
            raise EmptyArticle(f"{self.name}: page has no {missing}")
        authors = self.authors()
        categories = self.categories()
        return Article(
            id=self.article_id.key,
            title=title,
            category=categories[0] if categories else None,
            publisher=self.publisher(),
            author=author_line(authors),
            published_at=self.published_at(),
            crawled_at=crawled_at,
            url=article_url(self.article_id, self.kind),
            oid=self.article_id.oid,
            aid=self.article_id.aid,
            content_hash=None,
            subtitle=self.subtitle(),
            categories=categories,
            sid=self.sid(),
            authors=authors,
            modified_at=self.modified_at(),
            original_url=self.original_url(),
            images=self.images(),
            layout=self.name,
            content=content,
        )
