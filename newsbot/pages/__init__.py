"""Page classes: one per Naver layout, chosen by markers with ``select_layout``."""

from __future__ import annotations

from parsel import Selector

from newsbot.errors import ArticleNotFound, UnknownLayout
from newsbot.pages.base import ArticlePage, Probe
from newsbot.pages.legacy import LegacyReadNhn
from newsbot.pages.nnews import NNews2022, NNews2023, NNews2026
from newsbot.urls import ArticleId

#: Most specific first: a subclass's markers are a superset of its parent's.
LAYOUTS: tuple[type[ArticlePage], ...] = (NNews2026, NNews2023, NNews2022, LegacyReadNhn)


def select_layout(selector: Selector, probe: Probe | None = None) -> type[ArticlePage]:
    """The first layout whose markers match, or raise.

    ``ArticleNotFound`` for a page without any article title (Naver's deleted-article and
    error pages); ``UnknownLayout`` for a page with a title that no layout knows — the
    markup has changed and the parser needs a new layout.
    """
    probe = probe or Probe(selector)
    for layout in LAYOUTS:
        if layout.matches(probe):
            return layout
    if not selector.css("#title_area, h2.media_end_head_headline, #articleTitle, #dic_area"):
        if selector.css('meta[property="og:title"]'):
            raise UnknownLayout("no known Naver article layout matches this page")
        raise ArticleNotFound("the page holds no article (deleted, or an error page)")
    raise UnknownLayout("no known Naver article layout matches this page")


def parse_page(article_id: ArticleId, selector: Selector) -> ArticlePage:
    """The page object for an article page."""
    probe = Probe(selector)
    return select_layout(selector, probe)(article_id, selector, probe)


__all__ = ["LAYOUTS", "ArticlePage", "parse_page", "select_layout"]
