"""``python -m newsbot``: the extract and verify commands, run as users run them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, TESTS, article_fixtures
from tests.e2e import run_newsbot


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_newsbot(*args, timeout=60)


@pytest.mark.parametrize("fixture", article_fixtures(), ids=lambda f: f.name)
def test_extract_json_matches_expected(fixture: object) -> None:
    from tests.conftest import ArticleFixture

    assert isinstance(fixture, ArticleFixture)
    args = ["extract", str(ARTICLES / fixture.name / "body.html"), "--url", fixture.url]
    if fixture.meta.get("content_type"):
        args += ["--content-type", fixture.meta["content_type"]]
    result = run(*args)
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    crawled_at = item.pop("crawled_at")
    assert crawled_at.endswith("+09:00")
    content = item.pop("content")
    assert item.pop("comment_count") is None  # from the comment API, not the page
    assert item == {k: v for k, v in fixture.expected.items() if k != "content"}
    assert content == fixture.expected["content"]


def test_extract_markdown_is_the_golden_file() -> None:
    result = run(
        "extract",
        str(ARTICLES / "082_0001252309" / "body.html"),
        "--url",
        "https://n.news.naver.com/article/082/0001252309",
        "--format",
        "markdown",
        "--crawled-at",
        FROZEN_CRAWLED_AT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (TESTS / "fixtures/golden/082_0001252309.md").read_text(
        encoding="utf-8"
    )


BAD = [
    (["extract", "/nonexistent/page.html", "--url", "https://n.news.naver.com/article/001/0000000001"], "cannot read"),
    (["extract", str(ARTICLES / "082_0001252309/body.html"), "--url", "https://example.com/a"], "not a Naver article URL"),
    (["extract", str(TESTS / "fixtures/other/sports_legacy_477_0000073768.html"), "--url", "https://n.news.naver.com/article/477/0000073768"], "layout"),
    (["extract", str(TESTS / "fixtures/listings/section_100_2026-05-30.html"), "--url", "https://n.news.naver.com/article/001/0000000001"], "no known Naver article layout"),
    (["extract", str(ARTICLES / "082_0001252309/body.html"), "--url", "https://n.news.naver.com/article/001/0000000001"], "082_0001252309"),
    (["extract", str(ARTICLES / "082_0001252309/body.html")], "--url"),
    (["extract", str(ARTICLES / "082_0001252309/body.html"), "--url", "https://n.news.naver.com/article/082/0001252309", "--format", "xml"], "invalid choice"),
    (["extract", str(ARTICLES / "082_0001252309/body.html"), "--url", "https://n.news.naver.com/article/082/0001252309", "--crawled-at", "yesterday"], "--crawled-at"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run("extract", str(empty), "--url", "https://n.news.naver.com/article/001/0000000001")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_verify(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_bytes((TESTS / "fixtures/golden/640_0000077240.md").read_bytes())
    bad = tmp_path / "bad.md"
    bad.write_text(good.read_text(encoding="utf-8").replace("Samsung and SK", "Samsung & SK"))
    assert run("verify", str(good)).returncode == 0
    result = run("verify", str(good), str(bad))
    assert result.returncode == 1
    assert "bad.md" in result.stderr and "1 ok, 1 failed" in result.stdout
