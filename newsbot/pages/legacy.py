"""The legacy pre-2022 article layout of news.naver.com/main/read.nhn (later read.naver)."""

from __future__ import annotations

import re
from functools import cached_property

from lxml.etree import _Element

from newsbot.authors import EMAIL_RE, Author, merge_authors, parse_byline
from newsbot.dates import iso_kst
from newsbot.pages.base import ArticlePage, by_id, css_all, string_of
from newsbot.pages.body import Body, extract_body
from newsbot.text import clean_inline

# The press's promotional links in legacy bodies ("채널 구독", "뉴스스탠드 구독",
# "… 홈페이지 바로가기", e.g. https://news.naver.com/main/read.nhn?oid=029&aid=0002625369),
# and tracked promotion links with a did=/plink= parameter ("… #흥(클릭!)" of
# https://news.naver.com/main/read.naver?oid=001&aid=0009205077).
_PROMO_LINK_RE = re.compile(
    r"^(?:https?:)?//(?:media\.naver\.com/channel|newsstand\.naver\.com|[^/]*naver\.com/.*promotion)"
    r"|^https?://(?:www\.)?[^/]+/?$"
    r"|[?&](?:did|plink)="
)
# A link whose text is a promotion: "▶ … 보기", "☞ … 바로가기", "…(클릭!)".
_PROMO_TEXT_RE = re.compile(r"^\s*[▶►☞]|\(클릭!?\)\s*$|클릭!\s*$")
# Classes of body elements that are never article text: the "동영상 뉴스" VOD block.
_DROP_CLASSES = frozenset({"vod_area"})
# A copyright notice, also where it does not start its paragraph
# ("※ ⓒ SBS & SBS Digital News Lab : 무단복제 및 재배포 금지").
_COPYRIGHT_RE = re.compile(
    r"(?:^|(?<=\s))[※*\[<(]?\s{0,3}(?:ⓒ|©|\(c\)|copyright\b|<?저작권자)"
    r"[^\n]{0,160}?(?:금지|reserved\.?|무단\s?전재)[\])>.]*\s*$",
    re.IGNORECASE,
)
# A paragraph that is nothing but a byline: "홍길동 기자", "김철수·이영희 기자 a@b.kr",
# "박찬범 기자(cbcb@sbs.co.kr)", "조민정(jjung@edaily.co.kr)".
_NAMES = r"[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4})*"
_BYLINE_PARAGRAPH_RE = re.compile(
    rf"^[\[(]?\s*(?:{_NAMES}\s?(?:[가-힣]{{0,3}}기자|특파원)(?:\s*[(\[][^()\[\]@]{{1,20}}[)\]])?"
    rf"(?:\s*[(\[<]?\s*(?:{EMAIL_RE.pattern})\s*[)\]>]?)?"
    rf"|{_NAMES}\s*[(\[<]\s*(?:{EMAIL_RE.pattern})\s*[)\]>])\s*[\])]?$"
)
# The section code in the page's scripts: ReadingObserver.start(…, {oid: '001', sid: '102'}).
_SCRIPT_SID_RE = re.compile(r"\bsid\s*:\s*['\"](\d{3})['\"]")
_MENU_SID_RE = re.compile(r"[?&]sid1=(\d{3})\b")


def _is_promotion(el: _Element) -> bool:
    """Body elements that are not article text: the VOD block and promotion links."""
    if set((el.get("class") or "").split()) & _DROP_CLASSES:
        return True
    if el.tag != "a":
        return False
    return bool(_PROMO_TEXT_RE.search(string_of(el)))


def _is_heading(el: _Element) -> bool:
    """A sub-heading: an inline-styled ``<strong>`` (``<strong class=subTitle_s0 style=…>``)."""
    return el.tag == "strong" and bool(el.get("style"))


def _clean_paragraphs(body: Body) -> None:
    """Drop copyright notices wherever they sit in a paragraph, and paragraphs that are only
    a byline (taken as the byline when the body has none at its end)."""
    kept: list[str] = []
    for paragraph in body.paragraphs:
        paragraph = _COPYRIGHT_RE.sub("", paragraph).strip()
        if not paragraph:
            continue
        if _BYLINE_PARAGRAPH_RE.match(paragraph):
            if not body.byline_authors:
                body.byline_authors = parse_byline(paragraph)
            continue
        kept.append(paragraph)
    body.paragraphs[:] = kept


class LegacyReadNhn(ArticlePage):
    """Legacy ``read.nhn`` / ``read.naver`` layout: ``h3#articleTitle``, ``span.t11`` date,
    ``div#articleBodyContents``; served as EUC-KR. The reporter is often only outside the
    body (``div.byline p.b_text``, the journalist card); the section only in the scripts
    and the selected menu item (``sid1=001`` in the URL means breaking news).

    Samples: https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369
    (seen 2020-09), https://news.naver.com/main/read.naver?mode=LSD&mid=shm&sid1=103&oid=081&aid=0003219994
    (seen 2021-10).
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

    def sid(self) -> str | None:
        for script in css_all(self.sel, "script::text"):
            found = _SCRIPT_SID_RE.search(script)
            if found:
                return found[1]
        for href in css_all(self.sel, "li.on a::attr(href)"):
            found = _MENU_SID_RE.search(href)
            if found and found[1] != "001":
                return found[1]
        return None

    def authors(self) -> list[Author]:
        if self.body.byline_authors:
            return self.body.byline_authors
        bylines: list[Author] = []
        for element in css_all(self.sel, "div.byline p, p.b_text"):
            bylines = parse_byline(string_of(element))
            if bylines:
                break
        cards = [string_of(e) for e in css_all(self.sel, ".journalistcard_summary_name")]
        return merge_authors(cards, bylines, publisher=self.publisher())

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
        body = extract_body(
            element.root,
            drop_link=_PROMO_LINK_RE,
            press=self.publisher(),
            drop=_is_promotion,
            heading=_is_heading,
        )
        _clean_paragraphs(body)
        return body
