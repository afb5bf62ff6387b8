"""Hostile input: page text that looks like YAML, Markdown or Jinja, control and invisible
characters, huge lines, and links that try to leave Naver or the output directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.output.markdown import split_markdown
from newsbot.output.paths import article_path
from newsbot.output.verify import verify_text
from newsbot.render import render_article
from newsbot.urls import ArticleId
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT
from tests.e2e import files, run_crawl, stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import ArticleSpec, Override, default_world

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
HOSTILE_TITLE = '---\nkey: value # {{ 7*7 }} {% if x %} *a* [b](c) &amp; <b>"q"</b> \u202eevil\u202c &#x1; &#xD800;'
HOSTILE_BODY = (
    "---<br><br>title: injected<br><br>{{ item.url }} {% for x in y %}{% endfor %}<br><br>"
    "# heading? | table | <br><br>\x01\x02 control &#x0B; &#xD800; \u200b\u202e<br><br>"
    + "긴줄"
    * 500_000  # a 1 MB single line
)


def _hostile_page() -> str:
    page = re.sub(
        r'(<h2 id="title_area"[^>]*><span>).*?(</span>)',
        lambda m: m[1] + HOSTILE_TITLE + m[2],
        PAGE,
        flags=re.S,
    )
    return re.sub(
        r'(<article id="dic_area"[^>]*>).*?(</article>)',
        lambda m: m[1] + HOSTILE_BODY + m[2],
        page,
        flags=re.S,
    )


def test_hostile_page_renders_valid_markdown_that_reads_back() -> None:
    article = extract_article(URL, _hostile_page(), crawled_at=FROZEN_CRAWLED_AT)
    assert "\n" not in article.title and "{{ 7*7 }}" in article.title and "\u202e" in article.title
    assert "\ud800" not in article.title and "\x01" not in article.title
    assert "{{ item.url }}" in article.content and "https://n.news" not in article.content
    assert "\x01" not in article.content and "\u200b" not in article.content
    assert max(len(line) for line in article.content.split("\n")) >= 1_000_000
    text = render_article(article.to_dict())
    assert text.count("\n---\n") >= 3
    parsed = split_markdown(text)
    expected = article.to_dict()
    del expected["content"]
    assert expected.pop("comment_count") is None  # written only when comments were asked for
    assert parsed.front_matter == expected
    assert parsed.body == article.content
    assert verify_text(text) is None
    assert "49" not in text.split("\n# ", 1)[1].split("\n", 1)[0]  # {{ 7*7 }} was not evaluated


def test_hostile_article_through_a_crawl(tmp_path: Path) -> None:
    world = default_world()
    spec = world.add_article(
        ArticleSpec(
            oid="001",
            aid="0015100099",
            sid1="100",
            sid2="264",
            published="2026-05-30 12:00:00",
            title='---: {{ 7*7 }} {% raw %} "q" #c \u202eRTL',
            paragraphs=["---", "key: {{ item }}", "{% for x in y %}", "| a | b |", "x" * 200_000],
        )
    )
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, f"urls={spec.url}")
    assert result.returncode == 0, result.stderr[-2000:]
    (path,) = files(out).values()
    text = path.read_text(encoding="utf-8")
    assert verify_text(text) is None
    front = split_markdown(text).front_matter
    assert front["title"] == spec.title and front["id"] == "001_0015100099"
    assert split_markdown(text).body.split("\n\n")[:4] == spec.paragraphs[:4]


BAD_LINKS = [
    "https://n.news.naver.com/mnews/article/abc/0000000001",
    "https://n.news.naver.com/mnews/article/001/00000000012345",
    "https://n.news.naver.com/mnews/article/001/../../../etc/passwd",
    "https://n.news.naver.com/mnews/article/001%2F0000000001",
    "https://n.news.naver.com/mnews/article/..%2F..%2F001/0000000001",
    "https://evil.example/mnews/article/001/0000000001",
    "https://n.news.naver.com.evil.example/mnews/article/001/0000000001",
    "javascript:fetch('https://n.news.naver.com/mnews/article/001/0000000001')",
    "data:text/html,<a href=https://n.news.naver.com/mnews/article/001/0000000001>",
    "//evil.example/article/001/0000000001",
]


def test_hostile_links_are_never_fetched_nor_used_as_paths(tmp_path: Path) -> None:
    world = default_world()
    good = "https://n.news.naver.com/mnews/article/421/0008810001"
    cards = "".join(
        f'<li class="sa_item"><a class="sa_text_title" href="{href}">x</a></li>'
        for href in [*BAD_LINKS, good]
    )
    fragment = (
        '<div class="section_latest_article" data-has-next="false" data-cursor-name="next" '
        f'data-cursor="20260530000000"><ul class="sa_list">{cards}</ul></div>'
    )
    body = json.dumps({"renderedComponent": {"SECTION_ARTICLE_LIST_FOR_LATEST": fragment}}).encode()
    world.set_override(
        "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST?sid=100&sid2=264*",
        Override(headers={"Content-Type": "application/json"}, body=body),
    )
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        result = run_crawl(fake, out, "date=2026-05-30", "sections=100", "subsections=264")
        requested = [url for _, url in fake.requests]
    assert result.returncode == 0, result.stderr[-2000:]
    assert [u for u in requested if "/article/" in u] == [good]
    assert not [u for u in requested if "evil" in u or "passwd" in u]
    assert set(files(out)) == {"2026/05/30/421_0008810001.md"}
    assert int(stat(result.stderr, "newsbot/listing/rejected_links") or 0) >= 5
    assert not (tmp_path / "etc").exists()


def test_output_paths_come_only_from_validated_parts(tmp_path: Path) -> None:
    from datetime import date

    path = article_path(tmp_path, ArticleId("001", "0000000001"), date(2026, 5, 30))
    assert path.resolve().is_relative_to(tmp_path.resolve())
    with pytest.raises(TypeError):
        article_path(tmp_path, "../../etc/passwd", date(2026, 5, 30))  # type: ignore[arg-type]
