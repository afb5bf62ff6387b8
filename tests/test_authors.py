"""Author cleaning: names without titles or brackets, e-mails kept, press names dropped."""

from __future__ import annotations

import pytest

from newsbot.authors import clean_name, merge_authors, parse_byline
from newsbot.pages.body import extract_body_html

NAMES = [
    ("송현수 기자", "송현수"),
    ("송현수기자", "송현수"),
    ("홍길동 선임기자", "홍길동"),
    ("김철수 특파원", "김철수"),
    ("[김영민 기자]", "김영민"),
    ("(김영민 기자)", "김영민"),
    ("BY PARK EUN-JEE", "PARK EUN-JEE"),
    ("by Lee Ho-jeong", "Lee Ho-jeong"),
    ("  김영민\u200b 기자 ", "김영민"),
    ("기자", None),
    ("", None),
    (None, None),
    ("[이데일리 조민정 기자]", None),  # a dateline, not a bare name
    ("webmaster@newstapa.org", None),
]

BYLINES = [
    ("송현수 기자(songh@busan.com)", [("송현수", "songh@busan.com")]),
    ("조민정(jjung@edaily.co.kr)", [("조민정", "jjung@edaily.co.kr")]),
    (
        "BY PARK EUN-JEE [park.eunjee@joongang.co.kr]",
        [("PARK EUN-JEE", "park.eunjee@joongang.co.kr")],
    ),
    ("김미경기자 the13ook@dt.co.kr", [("김미경", "the13ook@dt.co.kr")]),
    ("김철수·이영희 기자", [("김철수", None), ("이영희", None)]),
    ("김철수 기자, 이영희 기자", [("김철수", None), ("이영희", None)]),
    (
        "홍길동 기자 hong@a.com / 김영희 기자 kim@b.co.kr",
        [("홍길동", "hong@a.com"), ("김영희", "kim@b.co.kr")],
    ),
    ("송현수 기자 송현수 기자(songh@busan.com)", [("송현수", "songh@busan.com")]),
    ("박준하 기자(전통주 소믈리에) june@a.co.kr", [("박준하", "june@a.co.kr")]),
    ("", []),
]


@pytest.mark.parametrize(("raw", "expected"), NAMES)
def test_clean_name(raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), BYLINES)
def test_parse_byline(raw: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(a["name"], a["email"]) for a in parse_byline(raw)] == expected


def test_merge_takes_emails_from_byline_and_drops_the_press() -> None:
    bylines = parse_byline("송현수 기자(songh@busan.com)")
    assert merge_authors(["송현수 기자", "송현수 기자"], bylines, publisher="부산일보") == [
        {"name": "송현수", "email": "songh@busan.com"}
    ]
    press_only = parse_byline("뉴스타파 webmaster@newstapa.org")
    assert merge_authors([], press_only, publisher="뉴스타파") == []
    assert merge_authors([], [], publisher=None) == []


def test_trailing_byline_with_a_bracketed_job_title() -> None:
    # "… 박준하 기자(전통주 소믈리에) june@…" closing the last paragraph of a current page.
    body = extract_body_html("본문.<br><br>술 이야기다. 박준하 기자(전통주 소믈리에) june@a.co.kr")
    assert body.content == "본문.\n\n술 이야기다."
    assert body.byline_authors == [{"name": "박준하", "email": "june@a.co.kr"}]
