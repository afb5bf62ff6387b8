"""The page-class contract: a layout turns one article page into the item's fields."""

from __future__ import annotations

import re
from functools import cache, cached_property
from typing import Any, ClassVar

import lxml.etree
from parsel import Selector
from parsel.csstranslator import css2xpath

from newsbot.authors import Author, author_line
from newsbot.errors import EmptyArticle
from newsbot.items import Article, Image
from newsbot.pages.body import Body
from newsbot.text import clean_inline
from newsbot.urls import NEWS, ArticleId, article_url

#: (id, tag, class): "the nearest <tag class=…> around the element with this id".
Around = tuple[str, str, str]
_ID_QUERY_RE = re.compile(r"(?P<tag>[a-z0-9]*)#(?P<id>[A-Za-z][\w-]*)")


@cache
def _compiled(query: str) -> lxml.etree.XPath:
    return lxml.etree.XPath(css2xpath(query), smart_strings=False)


def css_all(scope: Selector, query: str) -> list[Any]:
    """What ``scope.css(query)`` finds, as plain lxml results: elements, or strings for
    ``::text`` and ``::attr(…)``. The query is translated and compiled once per process
    (parsel does both on every call, a few times the cost of a small query itself)."""
    found = _compiled(query)(scope.root)
    assert isinstance(found, list)
    return found


_STRING = lxml.etree.XPath("string()", smart_strings=False)


def string_of(element: Any) -> str:
    """All the text of an lxml element (XPath ``string()``)."""
    return str(_STRING(element))


def by_id(selector: Selector, element_id: str, tag: str = "") -> Selector | None:
    """The element with this ``id`` (and tag, if given), found through libxml2's ID table:
    a lookup, not a walk over the whole page as a ``#id`` CSS query would be."""
    for found in selector.xpath(f"id('{element_id}')"):
        if not tag or found.root.tag == tag:
            return found
    return None


def _metas(elements: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in elements:
        key = element.get("property") or element.get("name")
        content = element.get("content")
        if key and content and key not in found:
            found[key] = content
    return found


class Probe:
    """Answers "does the page have an element matching this CSS query?", each query once.

    Layout selection asks overlapping questions (every n.news layout checks ``#dic_area``):
    each is a walk over the whole document, so the answers are kept.
    """

    def __init__(self, selector: Selector) -> None:
        self.sel = selector
        self._answers: dict[tuple[str, str | None], bool] = {}
        self._scopes: dict[str, Selector | None] = {}

    def has(self, query: str, *, within: str | None = None, around: Around | None = None) -> bool:
        """Whether ``query`` matches (inside the first ``within`` element when given and
        present, so that a small part of the page is searched; ``around`` as for ``scope``)."""
        answer = self._answers.get((query, within))
        if answer is None:
            scope = self.scope(within, around=around) if within is not None else None
            if scope is None:  # (not `or`: a Selector's truth value serialises the element)
                scope = self.sel
            simple = _ID_QUERY_RE.fullmatch(query)
            if simple is not None:
                found = by_id(self.sel, simple["id"], simple["tag"])
                answer = found is not None
            else:
                answer = bool(css_all(scope, query))
            self._answers[(query, within)] = answer
        return answer

    def scope(self, query: str, *, around: Around | None = None) -> Selector | None:
        """The first element matching ``query`` (kept for later questions and for the page).

        ``around`` = (id, tag, class) names the element more cheaply: the nearest ``tag``
        with that class enclosing the element with that id (a walk up a few parents).
        Otherwise, or when that finds nothing, a query that starts with an id
        (``#ct div.media_end_head``) is looked for inside that element, found by ID lookup;
        then in the whole page."""
        if query not in self._scopes:
            if around is not None:
                enclosing = self.enclosing(*around)
                if enclosing is not None:
                    self._scopes[query] = enclosing
                    return enclosing
            found: list[Any] = []
            first, _, rest = query.partition(" ")
            if first.startswith("#") and rest:
                container = by_id(self.sel, first[1:])
                if container is not None:
                    found = css_all(container, rest)
            if not found:
                found = css_all(self.sel, rest if first.startswith("#") and rest else query)
            self._scopes[query] = Selector(root=found[0], type="html") if found else None
        return self._scopes[query]

    def enclosing(self, element_id: str, tag: str, class_name: str) -> Selector | None:
        """The nearest ``tag`` element with class ``class_name`` around the element with
        this id, or ``None``."""
        anchor = by_id(self.sel, element_id)
        if anchor is None:
            return None
        for element in anchor.root.iterancestors(tag):
            if class_name in (element.get("class") or "").split():
                return Selector(root=element, type="html")
        return None


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
    #: ``newsbot doctor`` puts a list here: every query a field method tries (``first_text``,
    #: ``element_text``, ``meta``), with whether it gave the value. None: nothing is kept.
    trace: list[tuple[str, bool]] | None = None

    def __init__(
        self, article_id: ArticleId, selector: Selector, probe: Probe | None = None
    ) -> None:
        self.article_id = article_id
        self.sel = selector
        self.probe = probe or Probe(selector)

    @classmethod
    def matches(cls, probe: Probe) -> bool:
        return bool(cls.markers) and all(probe.has(m) for m in cls.markers)

    # -- helpers -------------------------------------------------------------------------
    #: CSS query of the element holding the article header, if the layout has one: header
    #: fields are looked up inside it (a few dozen elements, not the whole page), then in
    #: the whole page if it does not have them.
    head_query: ClassVar[str | None] = None
    #: A cheaper way to the same element, tried first (see ``Probe.scope``).
    head_around: ClassVar[Around | None] = None

    @cached_property
    def head(self) -> Selector | None:
        if not self.head_query:
            return None
        return self.probe.scope(self.head_query, around=self.head_around)

    def _scopes(self, in_head: bool) -> tuple[Selector, ...]:
        if in_head and self.head is not None:
            return (self.head, self.sel)
        return (self.sel,)

    def first_text(self, *queries: str, in_head: bool = False) -> str | None:
        """The first non-empty cleaned text among the CSS queries (each ``::text``-like)."""
        for scope in self._scopes(in_head):
            for query in queries:
                for value in css_all(scope, query):
                    text = clean_inline(value)
                    if text:
                        if self.trace is not None:
                            self.trace.append((query, True))
                        return text
                if self.trace is not None:
                    self.trace.append((query, False))
        return None

    def element_text(self, *queries: str, in_head: bool = False) -> str | None:
        """All the text of the first element matched (inline markup included), cleaned."""
        for scope in self._scopes(in_head):
            for query in queries:
                for element in css_all(scope, query):
                    text = clean_inline(string_of(element))
                    if text:
                        if self.trace is not None:
                            self.trace.append((query, True))
                        return text
                if self.trace is not None:
                    self.trace.append((query, False))
        return None

    def publisher_from_meta(self) -> str | None:
        """The press from ``twitter:creator``, else ``og:article:author`` ("부산일보 | 네이버")."""
        creator = self.meta("twitter:creator")
        if creator:
            return creator
        author = self.meta("og:article:author")
        return clean_inline(author.split("|")[0]) if author else None

    @cached_property
    def head_metas(self) -> dict[str, str] | None:
        """The ``<meta>`` of the page's ``<head>`` when nothing comes before it (then they
        are the first of the page in document order), else ``None``. Reading them costs a
        few children, where a walk of a 3,000-node page costs ~0.4 ms."""
        root = self.sel.root
        first = next(root.iterchildren(lxml.etree.Element), None)
        if first is None or first.tag != "head" or root.tag != "html":
            return None
        return _metas(first.iter("meta"))

    @cached_property
    def metas(self) -> dict[str, str]:
        """Every ``<meta property|name=… content=…>`` of the page (the first of each name)."""
        return _metas(self.sel.root.iter("meta"))

    def meta(self, key: str) -> str | None:
        head = self.head_metas
        value = head.get(key) if head is not None else None
        if value is None:  # not in <head>: a meta the parser moved into <body>, or none
            value = self.metas.get(key)
        text = clean_inline(value)
        if self.trace is not None:
            self.trace.append((f"meta {key}", bool(text)))
        return text

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
