"""Every article fixture against its hand-checked expected.json, one test per field."""

from __future__ import annotations

from functools import cache

import pytest

from newsbot.article import decode_html, extract_article
from newsbot.items import FIELD_NAMES, Article
from newsbot.output.hashing import content_hash
from tests.conftest import FROZEN_CRAWLED_AT, ArticleFixture, article_fixtures

FIXTURES = {f.name: f for f in article_fixtures()}
# Not read from the page: when it was crawled, and the comment API's count.
CHECKED_FIELDS = [f for f in FIELD_NAMES if f not in ("crawled_at", "comment_count")]


@cache
def extracted(name: str) -> Article:
    fixture = FIXTURES[name]
    html = decode_html(fixture.body, fixture.meta.get("content_type"))
    return extract_article(fixture.url, html, crawled_at=FROZEN_CRAWLED_AT)


def test_fixture_set_covers_every_layout() -> None:
    layouts = {f.expected["layout"] for f in FIXTURES.values()}
    assert layouts == {"nnews-2026", "nnews-2023", "nnews-2022", "legacy-readnhn"}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_expected_lists_every_field(name: str) -> None:
    assert sorted(FIXTURES[name].expected) == sorted(CHECKED_FIELDS)


@pytest.mark.parametrize("field", CHECKED_FIELDS)
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_field(name: str, field: str) -> None:
    assert getattr(extracted(name), field) == FIXTURES[name].expected[field]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_hash_is_sha256_of_content(name: str) -> None:
    article = extracted(name)
    assert article.content_hash == content_hash(article.content)
    assert article.crawled_at == FROZEN_CRAWLED_AT


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_content_excludes_captions_and_subtitle(name: str) -> None:
    article = extracted(name)
    for image in article.images:
        if image["caption"] and len(image["caption"]) > 10:
            assert image["caption"] not in article.content
    if article.subtitle:
        for line in article.subtitle.split("\n"):
            assert line not in article.content
    assert "&quot;" not in article.content and "&#" not in article.content


def test_euc_kr_page_decodes_without_a_content_type() -> None:
    fixture: ArticleFixture = FIXTURES["derived_euckr_legacy_029_0002625369"]
    html = decode_html(fixture.body)  # falls back to <meta charset="euc-kr">
    article = extract_article(fixture.url, html, crawled_at=None)
    assert article.content == fixture.expected["content"]
