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
