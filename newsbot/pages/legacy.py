"""The legacy pre-2022 article layout of news.naver.com/main/read.nhn."""

from __future__ import annotations

import re
from functools import cached_property

from newsbot.authors import Author
from newsbot.dates import iso_kst
from newsbot.pages.base import ArticlePage, by_id
from newsbot.pages.body import Body, extract_body
from newsbot.text import clean_inline

# The press's promotional links at the end of legacy bodies ("채널 구독", "뉴스스탠드 구독",
# "… 홈페이지 바로가기"), e.g. https://news.naver.com/main/read.nhn?oid=029&aid=0002625369
_PROMO_LINK_RE = re.compile(
    r"^(?:https?:)?//(?:media\.naver\.com/channel|newsstand\.naver\.com|[^/]*naver\.com/.*promotion)"
    r"|^https?://(?:www\.)?[^/]+/?$"
)


class LegacyReadNhn(ArticlePage):
    """Legacy ``read.nhn`` layout: ``h3#articleTitle``, ``span.t11`` date,
    ``div#articleBodyContents``; served as EUC-KR.

    Sample: https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369
    (seen 2020-09).
    """

    name = "legacy-readnhn"
    markers = ("#articleBodyContents", "#articleTitle")

    def title(self) -> str | None:
        return self.element_text("h3#articleTitle") or self.meta("og:title")

    def publisher(self) -> str | None:
        return (
            self.first_text(".press_logo img::attr(alt)", "div.press_logo img::attr(title)")
            or self.publisher_from_meta()
        )

    def categories(self) -> list[str]:
        labels = [
            clean_inline(x) for x in self.sel.css("em.guide_categorization_item::text").getall()
        ]
        return list(dict.fromkeys(label for label in labels if label))

    def authors(self) -> list[Author]:
        return self.body.byline_authors

    def published_at(self) -> str | None:
        return iso_kst(self.first_text("span.t11::text"))

    def modified_at(self) -> str | None:
        dates = [clean_inline(x) for x in self.sel.css("span.t11::text").getall()]
        return iso_kst(dates[1]) if len(dates) > 1 else None

    def original_url(self) -> str | None:
        return self.first_text("a.btn_artialoriginal::attr(href)")

    @cached_property
    def body(self) -> Body:
        found = by_id(self.sel, "articleBodyContents")
        element = found if found is not None else self.sel.css("#articleBodyContents")[0]
        return extract_body(
            element.root,
            drop_link=_PROMO_LINK_RE,
            press=self.publisher(),
        )
