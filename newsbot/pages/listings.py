"""Listing pages: which articles a listing names, and where its next page is."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from newsbot.errors import ExtractError, InvalidArticleUrl
from newsbot.urls import ArticleId, parse_article_url

TEMPLATE_KEY = "SECTION_ARTICLE_LIST_FOR_LATEST"


class ListingError(ExtractError):
    """A listing response is not in the shape newsbot knows."""


@dataclass
class Listing:
    """Articles named by one listing page, in page order, and how to continue."""

    articles: list[ArticleId] = field(default_factory=list)
    rejected: int = 0  # links that looked like articles but are not valid article URLs
    # The "more" endpoint's ``data-cursor``, exactly as the page gave it (an opaque token: 19
    # digits on the real FOR_LATEST lists, 14 on the section page; see newsbot.sources).
    cursor: str | None = None
    has_next: bool = False
    # Whether the page says anything about a next page (its ``[data-has-next]`` wrapper): a
    # page of cards without it is a changed layout, not the end of the list.
    paging_said: bool = True
    cards: int = 0  # cards (or JSON items) on the page, valid article links or not
    total: int | None = None  # JSON lists: the total the endpoint reports
    current_page: int | None = None  # old lists: the page number shown as current
    pages: list[int] = field(default_factory=list)  # old lists: page numbers linked
    # The Search API: the kind of each article not on the source's site (key -> kind), the
    # results that are not Naver articles ({url, title, published}), how many results were
    # newer than the dates, whether one was older, and the oldest date seen.
    kinds: dict[str, str] = field(default_factory=dict)
    offsite: list[dict[str, str]] = field(default_factory=list)
    newer: int = 0
    before_day: bool = False
    oldest: str | None = None
    # The Search API's paging, checked by ``newsbot.sources.next_step``: results with a date,
    # how many of them are older than the dates, how many older ones end the page (in the
    # API's order), the ``start`` asked (from the URL; None if it does not say) and the one
    # the answer gives, and a digest of every result on the page (a page served again).
    dated: int = 0
    older: int = 0
    older_at_end: int = 0
    start_asked: int | None = None
    start_given: int | None = None
    digest: str | None = None


def _article_ids(hrefs: list[str], base: str) -> tuple[list[ArticleId], int]:
    found: dict[ArticleId, None] = {}
    rejected = 0
    for href in hrefs:
        url = urljoin(base, href.strip())
        try:
            found[parse_article_url(url)] = None
        except InvalidArticleUrl:
            if "/article/" in url or "read.n" in url:
                rejected += 1
    return list(found), rejected


def parse_section_cards(selector: Selector, base: str) -> Listing:
    """``li.sa_item`` cards and the ``data-cursor``/``data-has-next`` of their wrapper."""
    hrefs = selector.css("li.sa_item a.sa_text_title::attr(href)").getall()
    if not hrefs:  # a card without the title class: take its thumbnail link
        hrefs = selector.css("li.sa_item a::attr(href)").getall()
    articles, rejected = _article_ids(hrefs, base)
    meta = selector.css("[data-has-next]")
    cursor = meta.attrib.get("data-cursor") if meta else None
    has_next = bool(meta) and meta.attrib.get("data-has-next", "").strip().lower() == "true"
    return Listing(
        articles=articles,
        rejected=rejected,
        cursor=cursor or None,
        has_next=has_next,
        paging_said=bool(meta),
        cards=len(selector.css("li.sa_item")),
    )


def parse_section_more(body: str, base: str) -> Listing:
    """The JSON of ``section/template/SECTION_ARTICLE_LIST_FOR_LATEST``:
    ``{"renderedComponent": {"SECTION_ARTICLE_LIST_FOR_LATEST": "<html fragment>"}}``."""
    try:
        data = json.loads(body)
        fragment = data["renderedComponent"][TEMPLATE_KEY]
    except (ValueError, KeyError, TypeError) as exc:
        raise ListingError(f"not a {TEMPLATE_KEY} response: {exc!s:.100}") from None
    if not isinstance(fragment, str):
        raise ListingError(f"{TEMPLATE_KEY} is not an HTML fragment")
    if not fragment.strip():
        return Listing()
    return parse_section_cards(Selector(text=fragment), base)


def parse_old_list(selector: Selector, base: str) -> Listing:
    """Old ``main/list.naver`` pages (LSD, LS2D, LPOD): ``ul.type06_headline``/``ul.type06``
    items and the ``div.paging`` links. Served as EUC-KR: decode before parsing.

    Every real list page (LSD, LS2D, LPOD, its Yonhap flash variant, the 2020 and 2026
    samples) has a ``div.list_body``: a page without one (an error or captcha page, a
    changed layout) raises ``ListingError`` instead of reading as an empty list."""
    if not selector.css("div.list_body"):
        raise ListingError("not a list.naver page (no div.list_body)")
    hrefs = selector.css(
        "ul.type06_headline li dl dt:not(.photo) a::attr(href), "
        "ul.type06 li dl dt:not(.photo) a::attr(href), "
        "ul.type02 li a::attr(href)"
    ).getall()
    articles, rejected = _article_ids(hrefs, base)
    pages: list[int] = []
    for href in selector.css("div.paging a::attr(href)").getall():
        values = parse_qs(urlsplit(href).query).get("page")
        if values and values[0].isdigit():
            pages.append(int(values[0]))
    current_text = (selector.css("div.paging strong::text").get() or "").strip()
    return Listing(
        articles=articles,
        rejected=rejected,
        cards=len(hrefs),
        current_page=int(current_text) if current_text.isdigit() else None,
        pages=sorted(set(pages)),
    )
