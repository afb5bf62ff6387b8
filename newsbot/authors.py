"""Journalist names and e-mails from Naver's header elements and bylines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypedDict

from newsbot.text import clean_inline


class Author(TypedDict):
    name: str
    email: str | None


# Bounded parts (RFC 5321's 64 and 255): a long run of letters costs a bounded look at each
# position, never a scan to its end (page text is the site's, and may be hostile).
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
# Job titles that follow a name: "홍길동 기자", "홍길동 선임기자", "홍길동 특파원" …
# (A leading run of spaces is tried from its first space only: "(?<!\s)", so that a long run
# is not scanned again from each of its spaces. The same below.)
_TITLE_RE = re.compile(
    r"(?<!\s)\s*(?:(?:선임|수석|전문|인턴|수습|객원|사진|영상|취재|편집|논설)?기자|특파원|논설위원|"
    r"칼럼니스트|기자단)\s*$"
)
_BY_RE = re.compile(r"^\s*by\s+", re.IGNORECASE)
# A bracketed job title after the title word: "박준하 기자(전통주 소믈리에)".
_TITLE_NOTE_RE = re.compile(r"(?:(?<=기자)|(?<=특파원))\s*[(\[][^()\[\]@]{1,20}[)\]]")
_SPLIT_RE = re.compile(r"(?<!\s)\s*(?:[,/·]|\s및\s)\s*|(?<=기자)\s+|(?<=특파원)\s+")
_BRACKETS = "[]()<>{}【】〔〕「」『』"
_NO_BRACKETS = str.maketrans(_BRACKETS, " " * len(_BRACKETS))
#: What is read of a byline (a real one is a few dozen characters; the rest of a longer
#: text is not looked at) and the longest text that may be one name with its title and
#: e-mail: page text is the site's, and may be hostile.
MAX_BYLINE = 2000
MAX_NAME = 300
# A name: Hangul (2–5 syllables) or words in Latin letters (e.g. "PARK EUN-JEE").
_NAME_RE = re.compile(r"(?:[가-힣]{2,5}|[A-Za-z][A-Za-z.'-]*(?: [A-Za-z][A-Za-z.'-]*){0,4})")


def clean_name(raw: str | None) -> str | None:
    """``"송현수 기자"`` → ``"송현수"``; ``"BY PARK EUN-JEE"`` → ``"PARK EUN-JEE"``.

    Returns ``None`` when what is left is not a plausible person's name.
    """
    text = clean_inline(raw[:MAX_BYLINE] if raw else raw)
    if not text or len(text) > MAX_NAME:
        return None
    text = EMAIL_RE.sub(" ", text)
    text = _TITLE_NOTE_RE.sub("", text)
    text = text.translate(_NO_BRACKETS)
    text = _BY_RE.sub("", text)
    text = _TITLE_RE.sub("", text).strip(" =·,:")
    text = re.sub(r"\s+", " ", text).strip()
    return text if _NAME_RE.fullmatch(text) else None


def parse_byline(raw: str | None) -> list[Author]:
    """Authors named by a byline such as ``"송현수 기자(songh@busan.com)"``,
    ``"조민정(jjung@edaily.co.kr)"``, ``"BY PARK EUN-JEE [park@x.com]"`` or
    ``"김철수·이영희 기자"``. Parts that are not a name are left out."""
    text = clean_inline(raw[:MAX_BYLINE] if raw else raw)
    if not text:
        return []
    authors: list[Author] = []
    # Attach each e-mail to the name written before it.
    pieces = re.split(f"({EMAIL_RE.pattern})", text)
    pending: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 1:  # an e-mail
            names = [n for n in (clean_name(p) for p in pending) if n]
            if names:
                authors.extend({"name": n, "email": None} for n in names[:-1])
                authors.append({"name": names[-1], "email": piece})
            pending = []
        else:
            pending = [p for p in _SPLIT_RE.split(piece) if p.strip(" ()[]")]
    for part in pending:
        name = clean_name(part)
        if name:
            authors.append({"name": name, "email": None})
    return dedupe(authors)


def dedupe(authors: Iterable[Author]) -> list[Author]:
    """One entry per name, in first-seen order; an e-mail found later fills a gap."""
    merged: dict[str, Author] = {}
    for author in authors:
        seen = merged.get(author["name"])
        if seen is None:
            merged[author["name"]] = {"name": author["name"], "email": author["email"]}
        elif seen["email"] is None:
            seen["email"] = author["email"]
    return list(merged.values())


def merge_authors(
    names: Iterable[str | None], bylines: Iterable[Author], *, publisher: str | None
) -> list[Author]:
    """Journalists from the header (``names``), with e-mails from the bylines.

    With no header names the bylines stand alone. An entry that only names the press
    (``"뉴스타파 webmaster@newstapa.org"``) is not an author.
    """
    byline_list = list(bylines)
    emails = {a["name"]: a["email"] for a in byline_list if a["email"]}
    header = [n for n in (clean_name(x) for x in names) if n]
    if header:
        authors: list[Author] = [{"name": n, "email": emails.get(n)} for n in header]
    else:
        authors = byline_list
    press = clean_inline(publisher)
    return dedupe(a for a in authors if a["name"] != press)


def author_line(authors: list[Author]) -> str | None:
    """The names joined with ``", "``, or ``None`` when there are none."""
    return ", ".join(a["name"] for a in authors) or None
