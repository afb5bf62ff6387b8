"""Numbers from outside are bounded before they reach SQLite (issue 23): a comment count
SQLite's INTEGER cannot hold is stored as null with a warning, and the article's file is in
the index; it never raises (OverflowError) and leaves a written file outside the index."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.output.index import WRITTEN, Index
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
LATER = "2026-11-30T12:00:00+09:00"


@pytest.mark.parametrize("count", [2**63, 2**64, -(2**63) - 1, 10**40], ids=str)
def test_a_count_beyond_int64_is_null_and_the_file_is_in_the_index(
    tmp_path: Path, count: int, caplog: pytest.LogCaptureFixture
) -> None:
    store = OutputStore(tmp_path)
    article = extract_article(URL, PAGE, crawled_at=FROZEN_CRAWLED_AT)
    article.comment_count = count
    with caplog.at_level(logging.WARNING, logger="newsbot.storage"):
        assert store.save(article) == "new"
    entry = store.index.get(article.id)
    assert entry is not None and entry.status == WRITTEN
    assert entry.path is not None and (tmp_path / entry.path).is_file()
    assert entry.comment_count is None
    assert "does not fit the index" in caplog.text


def test_the_edges_of_int64_are_kept(tmp_path: Path) -> None:
    index = Index(tmp_path)
    for n, count in enumerate((2**63 - 1, -(2**63), 0)):
        index.record(f"001_{n:010d}", status=WRITTEN, crawled_at=LATER, comment_count=count)
        entry = index.get(f"001_{n:010d}")
        assert entry is not None and entry.comment_count == count


def test_an_unfit_count_replaces_an_earlier_one_with_null(tmp_path: Path) -> None:
    # The earlier count no longer describes the article: not kept as if it did.
    index = Index(tmp_path)
    key = "001_0000000001"
    index.record(key, status=WRITTEN, crawled_at=FROZEN_CRAWLED_AT, comment_count=12)
    index.record(key, status=WRITTEN, crawled_at=LATER, comment_count=2**64)
    entry = index.get(key)
    assert entry is not None and entry.comment_count is None and entry.last_crawled_at == LATER
    index.record_comments(key, count=7, fetched_at=LATER)
    index.record_comments(key, count=2**70, fetched_at=LATER)
    entry = index.get(key)
    assert entry is not None and entry.comment_count is None and entry.comments_at == LATER
