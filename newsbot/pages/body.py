"""Article bodies: walk Naver's body markup into paragraphs, images and the sub-headline.

Naver bodies are text sitting directly in the body element with ``<br><br>`` between
paragraphs, photos in ``span.end_photo_org`` with an ``em.img_desc`` caption, the press's
sub-headline in ``strong.media_end_summary``, and video players that may carry ``<style>``
and ``<script>``. The walk reads the tree without changing it (a response's tree is shared).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import html as lxml_html
from lxml.etree import _Element

from newsbot.authors import EMAIL_RE, Author, parse_byline
from newsbot.items import Image
from newsbot.text import clean_inline, join_paragraphs

# Never text: players, embeds, forms, scripts.
_SKIP_TAGS = frozenset(
    {
        "script", "style", "iframe", "noscript", "object", "embed", "video", "audio",
        "button", "select", "input", "textarea", "template", "svg", "canvas", "map", "head",
    }
)  # fmt: skip
_SKIP_CLASSES = frozenset(
    {"vod_player_wrap", "_VOD_PLAYER_WRAP", "video_area", "end_video", "media_end_correction"}
)
# Elements that start and end a paragraph.
_BLOCK_TAGS = frozenset(
    {
        "div", "p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "section", "article", "figure", "figcaption", "dl", "dt", "dd", "pre", "hr", "tr",
        "header", "footer", "aside", "center", "address", "caption",
    }
)  # fmt: skip
_COPYRIGHT_RE = re.compile(r"^(?:ⓒ|©|\(c\)|copyright\b|저작권자|<저작권자|무단\s?전재)", re.I)
# A closing byline glued to the last paragraph: "… 날을 세웠다. 김미경기자 the13ook@dt.co.kr"
# A bracketed job title may sit between name and e-mail: "박준하 기자(전통주 소믈리에) june@…".
_TRAILING_BYLINE_RE = re.compile(
    r"(?<!\s)\s*(?P<byline>[가-힣]{2,4} ?(?:[가-힣]{0,3}기자|특파원)"
    r"(?:\s*[(\[][^()\[\]@]{1,20}[)\]])?\s*(?:" + EMAIL_RE.pattern + r")(?:\s*\(END\))?)\s*$"
)
_EMAIL_ONLY_RE = re.compile(r"^[\[(<]?\s*(?:" + EMAIL_RE.pattern + r")\s*[\])>]?(?:\s*\(END\))?$")


def _classes(el: _Element) -> set[str]:
    return set((el.get("class") or "").split())


@dataclass
class Body:
    """What a body holds besides its text: images, sub-headline, trailing byline."""

    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    subtitle: str | None = None
    byline_authors: list[Author] = field(default_factory=list)

    @property
    def content(self) -> str:
        return join_paragraphs(self.paragraphs)


#: Decides something about one element of a body (see ``extract_body``).
ElementRule = Callable[[_Element], bool]


class _Walker:
    def __init__(
        self,
        drop_link: re.Pattern[str] | None,
        drop: ElementRule | None = None,
        heading: ElementRule | None = None,
    ) -> None:
        self.body = Body()
        self.buffer: list[str] = []
        self.drop_link = drop_link
        self.drop = drop
        self.heading = heading

    def text(self, value: str | None) -> None:
        if value:
            self.buffer.append(value)

    def brk(self) -> None:
        if self.buffer:
            paragraph = clean_inline("".join(self.buffer))
            if paragraph:
                self.body.paragraphs.append(paragraph)
            self.buffer = []

    def walk(self, parent: _Element) -> None:
        self.text(parent.text)
        for child in parent:
            self.element(child)
            self.text(child.tail)

    def element(self, el: _Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comment or processing instruction
            return
        tag = tag.lower()
        classes = _classes(el)
        if tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
            return
        if self.drop is not None and self.drop(el):
            return
        if tag == "br":
            self.brk()
        elif "end_photo_org" in classes:
            self.photo(el)
        elif tag == "em" and "img_desc" in classes:
            return  # a caption outside its photo span is still a caption
        elif tag == "strong" and "media_end_summary" in classes:
            self.subtitle(el)
        elif tag == "table":
            self.brk()
            self.table(el)
        elif (
            tag == "a" and self.drop_link is not None and self.drop_link.search(el.get("href", ""))
        ):
            return
        elif tag == "img":
            self.image(el, None)
        elif tag in _BLOCK_TAGS or (self.heading is not None and self.heading(el)):
            self.brk()
            self.walk(el)
            self.brk()
        else:
            self.walk(el)

    def subtitle(self, el: _Element) -> None:
        lines: list[str] = []
        current: list[str] = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and child.tag.lower() == "br":
                lines.append("".join(current))
                current = []
            elif isinstance(child.tag, str):
                current.append(child.text_content())
            current.append(child.tail or "")
        lines.append("".join(current))
        cleaned = [line for line in (clean_inline(x) for x in lines) if line]
        if cleaned and self.body.subtitle is None:
            self.body.subtitle = "\n".join(cleaned)

    def image(self, img: _Element, caption: str | None) -> None:
        url = img.get("data-src") or img.get("src")
        if url and not url.startswith("data:"):
            self.body.images.append({"url": url.strip(), "caption": caption})

    def photo(self, el: _Element, caption: str | None = None) -> None:
        if caption is None:
            captions = [c.text_content() for c in el.iter("em") if "img_desc" in _classes(c)]
            caption = clean_inline(" ".join(captions))
        for img in el.iter("img"):
            self.image(img, caption)

    def table(self, table: _Element) -> None:
        if any(True for _ in table.iter("img")):
            # A layout table around a photo (2022 pages): its other cells are the caption.
            self.photo(table, _text_without_photos(table))
            return
        rows = [
            [
                _cell_text(cell)
                for cell in row
                if isinstance(cell.tag, str) and cell.tag in ("td", "th")
            ]
            for row in table.iter("tr")
        ]
        rows = [row for row in rows if any(row)]
        if not rows:
            return
        width = max(len(row) for row in rows)
        if width == 1 or (len(rows) == 1 and width <= 1):
            for row in rows:
                self.body.paragraphs.extend(cell for cell in row if cell)
            return
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        self.body.paragraphs.append("\n".join(lines))


def _cell_text(cell: _Element) -> str:
    return (clean_inline(cell.text_content()) or "").replace("|", "\\|")


def _text_without_photos(table: _Element) -> str | None:
    parts: list[str] = []

    def collect(el: _Element) -> None:
        if not isinstance(el.tag, str) or el.tag.lower() in _SKIP_TAGS:
            return
        if "end_photo_org" in _classes(el):
            parts.extend(c.text_content() for c in el.iter("em") if "img_desc" in _classes(c))
            return
        if el.text:
            parts.append(el.text)
        for child in el:
            collect(child)
            if child.tail:
                parts.append(child.tail)
        parts.append(" ")

    collect(table)
    return clean_inline(" ".join(parts))


def _strip_trailing_boilerplate(body: Body) -> None:
    """Drop what presses append inside the body: e-mail-only and copyright lines at the end,
    and a closing ``NAME 기자 e-mail`` glued to the last paragraph (kept as a byline)."""
    paragraphs = body.paragraphs
    while paragraphs:
        last = paragraphs[-1]
        if _EMAIL_ONLY_RE.match(last) or (_COPYRIGHT_RE.match(last) and len(last) < 200):
            paragraphs.pop()
            continue
        match = _TRAILING_BYLINE_RE.search(last)
        if match:
            body.byline_authors = parse_byline(match["byline"])
            rest = last[: match.start()].strip()
            if rest:
                paragraphs[-1] = rest
            else:
                paragraphs.pop()
        break


def extract_body(
    element: _Element,
    *,
    drop_link: re.Pattern[str] | None = None,
    press: str | None = None,
    drop: ElementRule | None = None,
    heading: ElementRule | None = None,
) -> Body:
    """Paragraphs, images and sub-headline of a body element.

    Every run of ``<br>`` and every block element ends a paragraph; whitespace inside a
    paragraph collapses to one space. Photos with their captions, the sub-headline, video
    players, scripts and styles are kept out of the text. ``drop_link`` removes links (with
    their text) whose href matches, e.g. a press's promotional links; a paragraph left with
    nothing but the ``press`` name and separators is dropped with them. ``drop`` removes
    any element it accepts (with its text); an element ``heading`` accepts is a paragraph
    of its own, as a block element is.
    """
    walker = _Walker(drop_link, drop, heading)
    walker.walk(element)
    walker.brk()
    if drop_link is not None and press:
        paragraphs = walker.body.paragraphs
        paragraphs[:] = [p for p in paragraphs if p.replace(press, "").strip(" /|·-")]
    _strip_trailing_boilerplate(walker.body)
    return walker.body


def extract_body_html(fragment: str) -> Body:
    """``extract_body`` over an HTML fragment (the JSON article APIs' ``content``)."""
    return extract_body(lxml_html.fragment_fromstring(fragment, create_parent="div"))
