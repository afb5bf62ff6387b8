"""Naver News sections (sid1) and their sub-sections (sid2), as listed by the site."""

from __future__ import annotations

#: sid1 → name, for the six news sections collected by default.
SECTIONS: dict[str, str] = {
    "100": "정치",
    "101": "경제",
    "102": "사회",
    "103": "생활/문화",
    "104": "세계",
    "105": "IT/과학",
}

#: sid1 → sid2 list, in the site's order. Note ``59b`` (인권/복지) is not numeric.
SUBSECTIONS: dict[str, tuple[str, ...]] = {
    "100": ("264", "265", "268", "266", "267", "269"),
    "101": ("259", "258", "261", "771", "260", "262", "310", "263"),
    "102": ("249", "250", "251", "254", "252", "59b", "255", "256", "276", "257"),
    "103": ("241", "239", "240", "237", "238", "376", "242", "243", "244", "248", "245"),
    "104": ("231", "232", "233", "234", "322"),
    "105": ("731", "226", "227", "230", "732", "283", "229", "228"),
}

DEFAULT_SECTIONS: tuple[str, ...] = tuple(SECTIONS)

#: sid1 → name of the other sections articles carry (their front matter's ``sid``): those of
#: the entertainment and sports hosts and 오피니언 (110: columns and editorials, reached
#: through the press lists or by URL). The read side (``export --sections``, ``stats``)
#: names them.
OTHER_SECTIONS: dict[str, str] = {"106": "연예", "107": "스포츠", "110": "오피니언"}

#: English names of the sections (lower case), as Naver's English pages name them.
ENGLISH: dict[str, str] = {
    "100": "politics",
    "101": "economy",
    "102": "society",
    "103": "life",
    "104": "world",
    "105": "it",
}
#: Other names users type for the same sections.
ALIASES: dict[str, str] = {
    "생활": "103",
    "문화": "103",
    "생활문화": "103",
    "culture": "103",
    "it과학": "105",
    "과학": "105",
    "science": "105",
    "tech": "105",
    "연예": "106",
    "entertainment": "106",
    "entertain": "106",
    "스포츠": "107",
    "sports": "107",
    "sport": "107",
}


def section_code(name: str) -> str | None:
    """The sid1 of a section given by code, Korean or English name (``정치``, ``politics``,
    ``IT/과학``, ``sports``), or ``None``."""
    text = name.strip().lower()
    if text in SECTIONS or text in ("106", "107"):
        return text
    for sid, korean in SECTIONS.items():
        if text in (korean.lower(), korean.replace("/", "").lower(), ENGLISH[sid]):
            return sid
    return ALIASES.get(text.replace("/", "").replace(" ", ""))


#: Sub-section names known from the site (shared/docs/naver.md); the others are shown by code.
SUBSECTION_NAMES: dict[str, str] = {
    "259": "금융",
    "258": "증권",
    "261": "산업/재계",
    "771": "중기/벤처",
    "260": "부동산",
    "262": "글로벌경제",
    "310": "생활경제",
    "263": "경제일반",
    "59b": "인권/복지",
}
