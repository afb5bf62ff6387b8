"""``refresh=1`` on an article whose file no longer matches its hash (damaged or edited)
writes it again and says so (a warning, and the outcome ``restored``), instead of calling it
"unchanged" and leaving the damage (issue 23); also when only its front matter was edited,
which the index's whole-file hash tells (issue 24)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.output.store import OutputStore
from newsbot.output.verify import verify_text
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
LATER = "2026-11-30T12:00:00+09:00"


def written(tmp_path: Path) -> tuple[OutputStore, Path]:
    store = OutputStore(tmp_path)
    article = extract_article(URL, PAGE, crawled_at=FROZEN_CRAWLED_AT)
    assert store.save(article) == "new"
    return store, store.path_for(article)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b.replace("다".encode(), "나".encode(), 1),  # a word edited in the body
        lambda b: b[: len(b) // 2],  # cut off
        lambda b: b.replace(b"\n", b"\r\n"),  # line ends converted
        lambda b: b"",  # emptied
        lambda b: b.replace(b'\ntitle: "', b'\ntitle: "Edited ', 1),  # the front matter edited
    ],
    ids=["edited", "truncated", "crlf", "empty", "front-matter"],
)
def test_a_damaged_file_is_written_again_and_said(
    tmp_path: Path, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    store, path = written(tmp_path)
    good = path.read_bytes()
    path.write_bytes(damage(good))  # type: ignore[operator]
    assert path.read_bytes() != good
    again = extract_article(URL, PAGE, crawled_at=LATER)  # the same article, fetched again
    with caplog.at_level(logging.WARNING, logger="newsbot.storage"):
        outcome = store.save(again)
    assert outcome == "restored"
    text = path.read_text(encoding="utf-8")
    assert verify_text(text) is None
    assert f"*Crawled at: {LATER}*" in text  # the new fetch, written
    assert "damaged or edited" in caplog.text and str(path) in caplog.text


def test_an_intact_file_stays_unchanged_and_untouched(tmp_path: Path) -> None:
    store, path = written(tmp_path)
    before = path.stat().st_mtime_ns, path.read_bytes()
    assert store.save(extract_article(URL, PAGE, crawled_at=LATER)) == "unchanged"
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
