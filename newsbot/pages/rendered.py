"""Sports and entertainment article pages as a browser renders them.

``m.sports.naver.com`` and ``m.entertain.naver.com`` send a JavaScript app shell with no
article in it; newsbot renders them in Chromium only when the JSON endpoint fails. No
rendered page has been saved: the markers follow public crawler code written 2023–2026
(the body is ``div._article_content`` with the ``#dic_area`` markup, the headline an
element whose class contains ``article_title``). Every field falls back to the page's
``og:``/``twitter:`` metadata, and a page without a body fails as ``UnknownLayout``.
"""

from __future__ import annotations

from functools import cached_property

from newsbot.authors import Author, merge_authors, parse_byline
from newsbot.dates import iso_kst
from newsbot.pages.base import ArticlePage, Probe
from newsbot.pages.body import Body, extract_body
from newsbot.sites import SITES, Kind
from newsbot.urls import ENTERTAIN, SPORTS

#: Where a rendered page keeps its body, newest first.
BODY_QUERIES = (
    "div._article_content",
    "#comp_news_article ._article_content",
    "#newsEndContents",
    "#articeBody",
)


class RenderedArticle(ArticlePage):
    """A sports/entertainment article page after JavaScript ran (m.sports / m.entertain)."""

    @classmethod
    def matches(cls, probe: Probe) -> bool:
        return any(probe.has(query) for query in BODY_QUERIES)

    def title(self) -> str | None:
        return self.element_text('[class*="article_title"]', "h2.end_tit", "h4.title") or self.meta(
            "og:title"
        )

    def publisher(self) -> str | None:
        return (
            self.first_text(
                '[class*="press_logo"] img::attr(alt)', '[class*="PressLogo"] img::attr(alt)'
            )
            or self.publisher_from_meta()
        )

    def categories(self) -> list[str]:
        label = self.first_text('[class*="section_name"]::text', '[class*="category"]::text')
        return [label] if label else []

    def sid(self) -> str | None:
        return SITES[Kind(self.kind)].sid

    def authors(self) -> list[Author]:
        names = self.sel.css('[class*="journalist_name"]::text').getall()
        bylines: list[Author] = []
        for text in self.sel.css('[class*="byline"]').xpath("string()").getall():
            bylines.extend(parse_byline(text))
        return merge_authors(names, bylines, publisher=self.publisher()) or self.body.byline_authors

    def published_at(self) -> str | None:
        for query in (
            '[class*="article_head_info"] em.date::text',
            "em.date::text",
            '[class*="date"]::text',
            'meta[property="article:published_time"]::attr(content)',
        ):
            for text in self.sel.css(query).getall():
                value = iso_kst(text)
                if value:
                    return value
        return None

    def original_url(self) -> str | None:
        return self.first_text('a[class*="origin"]::attr(href)')

    @cached_property
    def body(self) -> Body:
        for query in BODY_QUERIES:
            found = self.sel.css(query)
            if found:
                return extract_body(found[0].root)
        return Body()


class SportsRendered(RenderedArticle):
    """m.sports.naver.com/{sport}/article/{oid}/{aid} rendered (markers: see module doc)."""

    name = "sports-rendered"
    kind = SPORTS


class EntertainRendered(RenderedArticle):
    """m.entertain.naver.com/article/{oid}/{aid} rendered (markers: see module doc)."""

    name = "entertain-rendered"
    kind = ENTERTAIN


RENDERED_LAYOUTS: dict[str, type[RenderedArticle]] = {
    SPORTS: SportsRendered,
    ENTERTAIN: EntertainRendered,
}
