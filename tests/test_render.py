"""Markdown rendering: front matter that always reads back, body = content, no escaping."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbot.article import decode_html, extract_article
from newsbot.items import Article
from newsbot.output.hashing import content_hash
from newsbot.output.markdown import split_markdown
from newsbot.output.verify import verify_text
from newsbot.render import render_article, yaml_scalar
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, TESTS, article_fixtures

GOLDEN = TESTS / "fixtures" / "golden"
FRONT_KEYS_FIRST = [
    "id", "title", "category", "publisher", "author", "published_at", "crawled_at",
    "url", "oid", "aid", "content_hash",
]  # fmt: skip

# Every string YAML could misread, plus arbitrary text (surrogates included).
nasty = st.sampled_from(
    [
        "001", "0012345670", "001_0012345670", "1e3", "0x1F", "true", "no", "null", "~", "",
        "---", "...", "- a", "? x", ": ", "a: b", "#c", "a #b", "[x]", "{y}", "*r", "&a", "!t",
        "|", ">", "%d", "@x", "`b`", "'q'", '"q"', "\\", "a\nb", "\r\n", "\t", "\x00", "\x85",
        "\u2028", "\u2029", "\ufeff", "\ufffe", "\ud800", "\U0001f600", "{{ x }}", "{% if %}",
        "  lead", "trail  ", "\u202eRTL",
    ]
)  # fmt: skip
any_text = st.text(alphabet=st.characters(codec=None)) | nasty | st.lists(nasty).map("".join)


@given(any_text)
@settings(max_examples=500)
def test_yaml_scalar_round_trips_any_string(value: str) -> None:
    document = f"key: {yaml_scalar(value)}\n"
    assert "\n" not in yaml_scalar(value)
    assert yaml.safe_load(document) == {"key": value}


@given(st.lists(st.fixed_dictionaries({"name": any_text, "email": st.none() | any_text})))
def test_yaml_flow_lists_round_trip(value: list[dict[str, str | None]]) -> None:
    assert yaml.safe_load(f"k: {yaml_scalar(value)}") == {"k": value}


def _article(**overrides: object) -> Article:
    base = Article(
        id="001_0012345670", title="t", category=None, publisher="연합뉴스", author=None,
        published_at="2026-01-02T00:00:00+09:00", crawled_at=FROZEN_CRAWLED_AT,
        url="https://n.news.naver.com/mnews/article/001/0012345670", oid="001",
        aid="0012345670", content_hash=None, subtitle=None, content="본문",
    )  # fmt: skip
    article = dataclasses.replace(base, **overrides)  # type: ignore[arg-type]
    article.content_hash = content_hash(article.content)
    return article


single_line = any_text.map(lambda s: " ".join(s.split()) or "x")


@given(title=single_line, publisher=single_line, subtitle=st.none() | any_text, caption=any_text)
@settings(max_examples=200)
def test_front_matter_reads_back_exactly(
    title: str, publisher: str, subtitle: str | None, caption: str
) -> None:
    article = _article(
        title=title,
        publisher=publisher,
        subtitle=subtitle,
        categories=[title, "사회"],
        images=[{"url": "https://imgnews.pstatic.net/x.jpg?type=w647", "caption": caption}],
        authors=[{"name": publisher, "email": None}],
    )
    text = render_article(article.to_dict())
    front = split_markdown(text).front_matter
    expected = article.to_dict()
    del expected["content"]
    del expected["comment_count"]  # written only when comments were asked for
    assert front == expected
    assert list(front)[: len(FRONT_KEYS_FIRST)] == FRONT_KEYS_FIRST


@pytest.mark.parametrize("count", [0, 1, 12345])
def test_comment_count_is_the_last_key_when_known(count: int) -> None:
    article = _article()
    article.comment_count = count
    front = split_markdown(render_article(article.to_dict())).front_matter
    assert list(front)[-1] == "comment_count"
    assert front["comment_count"] == count
    assert list(front)[: len(FRONT_KEYS_FIRST)] == FRONT_KEYS_FIRST


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_body_is_exactly_content(content: str) -> None:
    from newsbot.text import normalize_text

    content = normalize_text(content) or "x"
    article = _article(content=content)
    text = render_article(article.to_dict())
    assert split_markdown(text).body == content
    assert verify_text(text) is None


def test_template_never_evaluates_page_text() -> None:
    article = _article(title="{{ 7*7 }} {% raw %}", content="{{ item.url }}\n\n{% for x in y %}")
    text = render_article(article.to_dict())
    assert "# {{ 7*7 }} {% raw %}\n" in text
    assert "\n{{ item.url }}\n\n{% for x in y %}\n" in text


def test_no_html_escaping() -> None:
    article = _article(title='"Q" & <A>', content="He said \"no\" & 'yes' <b>")
    text = render_article(article.to_dict())
    assert "&quot;" not in text and "&amp;" not in text and "&#" not in text
    assert "He said \"no\" & 'yes' <b>" in text


def test_verify_detects_a_changed_body() -> None:
    text = render_article(_article(content="one\n\ntwo").to_dict())
    assert verify_text(text.replace("two", "too")) is not None


@pytest.mark.parametrize("name", ["082_0001252309", "640_0000077240"])
def test_golden_markdown(name: str) -> None:
    fixture = next(f for f in article_fixtures() if f.name == name)
    article = extract_article(fixture.url, decode_html(fixture.body), crawled_at=FROZEN_CRAWLED_AT)
    expected = (GOLDEN / f"{name}.md").read_bytes()
    assert render_article(article.to_dict()).encode("utf-8") == expected


def test_packaged_template_is_the_top_level_one() -> None:
    packaged = Path(__file__).parents[1] / "newsbot" / "templates" / "article.md.j2"
    top = Path(__file__).parents[1] / "templates" / "article.md.j2"
    assert packaged.resolve() == top.resolve()
    assert ARTICLES.exists()
