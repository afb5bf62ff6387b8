"""Upgrades fill what they add (issue 23): an index written by an earlier newsbot, opened by
this one, gets its added columns (title, publisher, sid, section, layout) filled from the
front matter of each written file, once, so that ``stats`` sees the corpus as it is, not
every article under section "(none)" and publisher "(unknown)"."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.corpus.stats import collect
from newsbot.dates import kst_date_of
from newsbot.items import Article
from newsbot.output.index import WRITTEN, Index
from newsbot.output.paths import INDEX_NAME, article_path
from newsbot.output.store import OutputStore
from newsbot.urls import ArticleId
from tests.conftest import FROZEN_CRAWLED_AT, article_fixtures

# The index of the first release that had one (commit b1a0aff, found with
# ``git log --reverse -S "CREATE TABLE" -- newsbot/storage.py``), exactly as it made it.
OLDEST_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    path TEXT,
    content_hash TEXT,
    published_at TEXT,
    modified_at TEXT,
    first_crawled_at TEXT NOT NULL,
    last_crawled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    modified_at TEXT,
    crawled_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_id ON revisions (id);
"""
# What the upgrade of an earlier newsbot did to it: the columns added, empty.
ADDED_EMPTY = (
    "comment_count INTEGER",
    "comments_at TEXT",
    "comment_counts TEXT",
    "title TEXT",
    "publisher TEXT",
    "sid TEXT",
    "section TEXT",
    "layout TEXT",
)


def real_articles() -> list[Article]:
    """The saved n.news pages (UTF-8) as the current code reads them."""
    found = []
    for fixture in article_fixtures():
        try:
            page = fixture.body.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "legacy" in fixture.name or "derived" in fixture.name:
            continue
        found.append(extract_article(fixture.url, page, crawled_at=FROZEN_CRAWLED_AT))
    assert len(found) >= 4
    return found


def old_output(root: Path, *, upgraded_empty: bool) -> list[Article]:
    """Real article files written by the current code, under an index of the oldest layout
    naming them (optionally with the columns an earlier upgrade added, left empty)."""
    articles = real_articles()
    store = OutputStore(root)
    for article in articles:
        store.save(article)
    rows = store.index.db.execute(
        "SELECT id, status, path, content_hash, published_at, modified_at, first_crawled_at,"
        " last_crawled_at FROM articles"
    ).fetchall()
    store.index.close()
    for name in (INDEX_NAME, INDEX_NAME + "-wal", INDEX_NAME + "-shm"):
        (root / name).unlink(missing_ok=True)
    db = sqlite3.connect(root / INDEX_NAME)
    db.executescript(OLDEST_SCHEMA)
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    if upgraded_empty:
        for column in ADDED_EMPTY:
            db.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    db.commit()
    db.close()
    return articles


@pytest.mark.parametrize("upgraded_empty", [False, True], ids=["oldest", "upgraded-empty"])
def test_an_old_index_is_filled_from_the_files_once(
    tmp_path: Path, upgraded_empty: bool, caplog: pytest.LogCaptureFixture
) -> None:
    articles = old_output(tmp_path, upgraded_empty=upgraded_empty)
    with caplog.at_level(logging.DEBUG, logger="newsbot.storage"):
        Index(tmp_path).close()
    db = sqlite3.connect(tmp_path / INDEX_NAME)
    for article in articles:
        row = db.execute(
            "SELECT status, title, publisher, sid, section, layout FROM articles WHERE id = ?",
            (article.id,),
        ).fetchone()
        assert row == (
            WRITTEN,
            article.title,
            article.publisher,
            article.sid,
            article.category,
            article.layout,
        ), article.id
    db.close()
    assert caplog.text.count("upgrading the index") == 1
    stats = collect(tmp_path)
    assert stats.articles == len(articles)
    assert "(unknown)" not in stats.by_publisher and "(none)" not in stats.by_section
    assert sorted(stats.by_publisher) == sorted({a.publisher or "" for a in articles})
    assert stats.missing.get("title", 0) == 0 and stats.missing.get("section", 0) == 0
    # Once: opening it again reads no file.
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="newsbot.storage"):
        Index(tmp_path).close()
    assert "upgrading the index" not in caplog.text


def test_a_missing_file_leaves_its_row_empty_and_is_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    articles = old_output(tmp_path, upgraded_empty=False)
    gone = articles[0]
    assert gone.published_at is not None
    article_path(tmp_path, ArticleId(gone.oid, gone.aid), kst_date_of(gone.published_at)).unlink()
    with caplog.at_level(logging.WARNING, logger="newsbot.storage"):
        index = Index(tmp_path)
    assert f"1 of {len(articles)} written file(s) missing" in caplog.text
    db = index.db
    assert db.execute("SELECT title FROM articles WHERE id = ?", (gone.id,)).fetchone() == (None,)
    filled = db.execute("SELECT COUNT(*) FROM articles WHERE title IS NOT NULL").fetchone()
    assert filled == (len(articles) - 1,)
    index.close()


def test_a_new_index_is_not_read_for_an_upgrade(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="newsbot.storage"):
        store = OutputStore(tmp_path)
        for article in real_articles():
            store.save(article)
        store.index.close()
        Index(tmp_path).close()
    assert "upgrading the index" not in caplog.text


@pytest.mark.parametrize("upgraded_empty", [False, True], ids=["oldest", "upgraded-empty"])
def test_stats_on_an_old_index_no_crawl_opened_sees_sections_and_publishers(
    tmp_path: Path, upgraded_empty: bool
) -> None:
    """``newsbot stats`` is the first to open an index an earlier newsbot wrote."""
    articles = old_output(tmp_path, upgraded_empty=upgraded_empty)
    stats = collect(tmp_path)
    assert stats.problems == []
    assert stats.articles == len(articles)
    assert "(unknown)" not in stats.by_publisher and "(none)" not in stats.by_section
    assert sorted(stats.by_publisher) == sorted({a.publisher or "" for a in articles})
    assert stats.missing.get("title", 0) == 0


def test_stats_on_an_old_index_it_cannot_upgrade_says_so(tmp_path: Path) -> None:
    old_output(tmp_path, upgraded_empty=True)
    tmp_path.chmod(0o555)  # read-only: no upgrade (root writes anyway: then it is upgraded)
    try:
        stats = collect(tmp_path)
    finally:
        tmp_path.chmod(0o755)
    if stats.problems:
        assert "written by an earlier newsbot and not upgraded" in stats.problems[0]
    else:
        assert "(unknown)" not in stats.by_publisher
