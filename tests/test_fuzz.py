"""Fuzzing (hypothesis): the page parser and the URL canonicaliser, over mutated real pages
and URLs, raise nothing but newsbot's named errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbot.article import decode_html, extract_article
from newsbot.errors import NewsbotError
from newsbot.output.paths import article_path
from newsbot.urls import parse_any_article_url
from tests.conftest import article_fixtures

FIXTURES = article_fixtures()
SNIPPETS = [
    b"<", b">", b"</article>", b"<article id=\"dic_area\">", b"<br>", b"&#xD800;", b"&#0;",
    b"<strong class=\"media_end_summary\">", b"<table class=\"nbd_table\"><tr><td>", b"\x00",
    b"\xff\xfe", b"<!--", b"]]>", b"<script>", b"<span class=\"end_photo_org\"><img data-src=\"",
    b"data-date-time=\"9999-99-99 99:99:99\"", b"<em class=\"media_end_head_journalist_name\">",
]  # fmt: skip


@st.composite
def mutated_page(draw: st.DrawFn) -> tuple[str, bytes]:
    fixture = draw(st.sampled_from(FIXTURES))
    body = bytearray(fixture.body)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(body)))
        op = draw(st.sampled_from(["delete", "insert", "truncate", "flip"]))
        if op == "delete":
            del body[at : at + draw(st.integers(1, 5000))]
        elif op == "insert":
            body[at:at] = draw(st.sampled_from(SNIPPETS))
        elif op == "truncate":
            del body[at:]
        elif body and at < len(body):
            body[at] = draw(st.integers(0, 255))
    return fixture.url, bytes(body)


@given(mutated_page())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parser_on_mutated_pages(case: tuple[str, bytes]) -> None:
    url, body = case
    try:
        article = extract_article(url, decode_html(body), crawled_at=None)
    except NewsbotError:
        return
    assert article.title and article.content
    assert article.content_hash and len(article.content_hash) == 64


URL_PARTS = st.sampled_from(
    [
        "https://", "http://", "javascript:", "//", "n.news.naver.com", "m.sports.naver.com",
        "m.entertain.naver.com", "news.naver.com", "/mnews", "/article/", "/001", "/0015825533",
        "/..", "%2F", "?oid=001&aid=0015825533", "/main/read.nhn", "@", ":8080", "#", " ",
        "\x00", "０", "/kbaseball", "/now", "?", "&aid=1",
    ]
)  # fmt: skip


@given(st.lists(URL_PARTS, max_size=12).map("".join) | st.text(max_size=300))
@settings(max_examples=1000)
def test_url_canonicaliser(url: str) -> None:
    try:
        article_id, kind = parse_any_article_url(url)
    except NewsbotError:
        return
    assert kind in ("news", "sports", "entertain")
    assert article_id.oid.isascii() and article_id.oid.isdigit() and len(article_id.oid) == 3
    assert article_id.aid.isascii() and article_id.aid.isdigit() and len(article_id.aid) == 10
    root = Path("/tmp/newsbot-fuzz-root")
    path = article_path(root, article_id, date(2026, 5, 30))
    assert path.resolve().is_relative_to(root) and ".." not in path.parts
