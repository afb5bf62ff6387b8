"""The n.news.naver.com article layouts (2022 to today)."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from newsbot.authors import Author, merge_authors, parse_byline
from newsbot.dates import iso_kst
from newsbot.pages.base import ArticlePage, Probe, by_id, css_all, string_of
from newsbot.pages.body import Body, extract_body
from newsbot.text import clean_inline

_SECTION_RE = re.compile(r"(?:^|,)\s*section=([0-9A-Za-z]+)")
_TITLE_SUFFIX_RE = re.compile(r"(?<!\s)\s*[:|-]\s*네이버\s*뉴스\s*$")


class NNews2023(ArticlePage):
    """Current n.news layout: body in ``article#dic_area``, press logo image in the header.

    Sample: https://n.news.naver.com/mnews/article/082/0001252309 (seen 2023-11 to 2025-09).
    """

    name = "nnews-2023"
    markers = ("article#dic_area",)
    body_query = "#dic_area"
    # The header sits in div#ct, the body, byline and categories in div#contents: fields are
    # looked for there (found by ID lookup), and in the whole page if they are not.
    head_query = "#ct div.media_end_head"
    head_around = ("title_area", "div", "media_end_head")  # the headline's header block

    @cached_property
    def contents(self) -> Selector:
        found = by_id(self.sel, "contents")  # not `or`: a Selector's truth serialises it
        return found if found is not None else self.main

    @cached_property
    def main(self) -> Selector:
        """``div#ct``, the article column (header, body, byline: a fifth of the page), else
        the whole page: where a field missing from its usual block is looked for. Every
        optional field that a page lacks would otherwise cost a walk of the whole page
        (~0.4 ms), navigation and rankings included, whose names are other articles'."""
        found = by_id(self.sel, "ct")
        return found if found is not None else self.sel

    def title(self) -> str | None:
        title = self.element_text("#title_area", "h2.media_end_head_headline", in_head=True)
        if title:
            return title
        fallback = (
            self.meta("og:title") or self.meta("twitter:title") or self.first_text("title::text")
        )
        return _TITLE_SUFFIX_RE.sub("", fallback) if fallback else None

    @cached_property
    def press(self) -> str | None:
        press = self.first_text(
            "img.media_end_head_top_logo_img::attr(alt)",
            "img.media_end_head_top_logo_img::attr(title)",
            ".media_end_head_top_logo_text::text",
            in_head=True,
        )
        return press or self.publisher_from_meta()

    def publisher(self) -> str | None:
        return self.press

    def categories(self) -> list[str]:
        query = "em.media_end_categorize_item::text"
        found = css_all(self.contents, query) or css_all(self.main, query)
        labels = [clean_inline(x) for x in found]
        return list(dict.fromkeys(label for label in labels if label))

    def sid(self) -> str | None:
        analysis = self.meta("napp-site-analysis") or ""
        match = _SECTION_RE.search(analysis)
        if match:
            return match[1]
        og_url = self.meta("og:url")
        if og_url:
            values = parse_qs(urlsplit(og_url).query).get("sid")
            if values and values[0].strip():
                return values[0].strip()
        return None

    def journalist_names(self) -> list[str]:
        scope = self.head if self.head is not None else self.sel
        query = "em.media_end_head_journalist_name::text"
        names: list[str] = css_all(scope, query)
        return names or css_all(self.main, query)

    def authors(self) -> list[Author]:
        bylines: list[Author] = []
        found = css_all(self.contents, "span.byline_s") or css_all(self.main, "span.byline_s")
        for element in found:
            bylines.extend(parse_byline(string_of(element)))
        names = self.journalist_names()
        if not bylines and not names:
            bylines = self.body.byline_authors
        return merge_authors(names, bylines, publisher=self.publisher())

    def published_at(self) -> str | None:
        stamp = self.first_text("span._ARTICLE_DATE_TIME::attr(data-date-time)", in_head=True)
        shown = None if stamp else self.first_text("span.media_end_head_info_datestamp_time::text")
        return iso_kst(stamp or shown)

    def modified_at(self) -> str | None:
        # Optional: looked for in the header only (the whole page when there is no header).
        scope = self.head if self.head is not None else self.sel
        found = css_all(scope, "span._ARTICLE_MODIFY_DATE_TIME::attr(data-modify-date-time)")
        return iso_kst(found[0] if found else None)

    def original_url(self) -> str | None:
        return self.first_text("a.media_end_head_origin_link::attr(href)", in_head=True)

    @cached_property
    def body(self) -> Body:
        found = by_id(self.sel, "dic_area")
        element = found if found is not None else self.sel.css(self.body_query)[0]
        return extract_body(element.root)


class NNews2022(NNews2023):
    """Transitional 2022 layout: the body is a ``div#dic_area``; photos sit in layout tables.

    Sample: https://n.news.naver.com/mnews/article/018/0005316196 (seen 2022-09).
    """

    name = "nnews-2022"
    markers = ("div#dic_area",)


class NNews2026(NNews2023):
    """2026 header: press name in ``span.media_end_head_top_press`` (from 2026-03) and the
    journalist/date block inside ``div.media_end_head_journalist_info`` (from 2026-02).

    Sample: https://n.news.naver.com/mnews/article/421/0008770777 (seen 2026-02).
    """

    name = "nnews-2026"
    markers = ("article#dic_area",)

    @classmethod
    def matches(cls, probe: Probe) -> bool:
        around = cls.head_around
        return super().matches(probe) and (
            probe.has("span.media_end_head_top_press", within=cls.head_query, around=around)
            or probe.has("div.media_end_head_journalist_info", within=cls.head_query, around=around)
        )

    @cached_property
    def press(self) -> str | None:
        press = self.first_text(
            "span.media_end_head_top_press::text",
            "img.media_end_head_top_logo_img::attr(alt)",
            "img.media_end_head_top_logo_img::attr(title)",
            ".media_end_head_top_logo_text::text",
            in_head=True,
        )
        return press or self.publisher_from_meta()

    def journalist_names(self) -> list[str]:
        scope = self.head if self.head is not None else self.sel
        query = ".media_end_head_journalist_info .media_end_head_journalist_name::text"
        names: list[str] = css_all(scope, query)
        return names or super().journalist_names()
