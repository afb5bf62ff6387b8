"""``newsbot reindex DIR``: the index rebuilt from the files of a corpus crawled from the
fake Naver (``newsbot crawl``), then used by ``verify`` and by a second crawl."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import newsbot.__main__
import newsbot.cli.reindex
from newsbot.output.index import WRITTEN
from newsbot.output.paths import INDEX_NAME
from tests.e2e import article_requests, files, newsbot_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e
#: The columns every file's front matter (and the file itself) gives back whole.
REBUILT = (
    "id", "status", "path", "content_hash", "published_at", "modified_at", "last_crawled_at",
    "comment_count", "title", "publisher", "sid", "section", "layout", "file_sha256",
    "comments_sha256",
)  # fmt: skip
NOT_REBUILT = "not rebuilt (no file holds them): revisions"
TRUSTED = "the files are trusted as they are now"


def reindex(*args: str) -> subprocess.CompletedProcess[str]:
    return run_newsbot("reindex", *args, timeout=120)


def rows(out: Path) -> dict[str, dict[str, Any]]:
    with contextlib.closing(sqlite3.connect(out / INDEX_NAME)) as db:
        db.row_factory = sqlite3.Row
        return {row["id"]: dict(row) for row in db.execute("SELECT * FROM articles")}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(fake: FakeNaver, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One corpus, crawled once: each test works on a copy (``corpus``)."""
    out = tmp_path_factory.mktemp("crawled") / "out"
    result = newsbot_crawl(fake, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture
def corpus(crawled: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(crawled, out)
    return out


def test_a_damaged_index_is_rebuilt_and_a_second_crawl_fetches_nothing_written(
    fake: FakeNaver, corpus: Path
) -> None:
    before = rows(corpus)
    written = {key for key, row in before.items() if row["status"] == WRITTEN}
    assert len(written) == len(files(corpus)) > 0
    assert all(before[key]["file_sha256"] and before[key]["comments_sha256"] for key in written)
    damaged = b"this is not a database" * 100
    (corpus / INDEX_NAME).write_bytes(damaged)
    crawl = newsbot_crawl(fake, corpus)
    assert crawl.returncode == 1
    assert f"newsbot reindex {corpus}" in crawl.stderr  # the damaged-index message points here

    result = reindex(str(corpus))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary, not_rebuilt, trusted = result.stdout.splitlines()
    (kept,) = corpus.glob(f"{INDEX_NAME}.before-reindex-*")
    assert summary == (
        f"reindexed {len(written)} article(s) and {len(written)} comments file(s) into "
        f"{corpus / INDEX_NAME}; the old one kept as {kept}"
    )
    assert not_rebuilt.startswith(NOT_REBUILT) and trusted.startswith(TRUSTED)
    assert kept.read_bytes() == damaged  # the user's file, never deleted
    after = rows(corpus)
    assert set(after) == written  # never-written articles (out of range) are not in the files
    for key in written:
        assert {c: after[key][c] for c in REBUILT} == {c: before[key][c] for c in REBUILT}, key
        # one crawl only: its time is the first and the last
        assert after[key]["first_crawled_at"] == before[key]["first_crawled_at"]
    assert run_newsbot("verify", str(corpus)).stdout == f"{2 * len(written)} ok, 0 failed\n"

    fake.reset_log()
    again = newsbot_crawl(fake, corpus)
    assert again.returncode == 0, again.stderr[-3000:]
    refetched = {
        url.rsplit("/", 2)[-2] + "_" + url.rsplit("/", 1)[-1] for url in article_requests(fake)
    }
    assert refetched.isdisjoint(written)  # nothing written is fetched again
    assert refetched <= set(before) - written  # only what the files cannot tell of
    report = max((corpus / "reports").glob("crawl-*.json"), key=lambda p: p.stat().st_mtime)
    counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert (counts["new"], counts["updated"], counts["restored"]) == (0, 0, 0), counts
    assert run_newsbot("verify", str(corpus)).returncode == 0


def test_a_lost_index_is_rebuilt(corpus: Path) -> None:
    before = rows(corpus)
    (corpus / INDEX_NAME).unlink()
    result = reindex(str(corpus))
    assert result.returncode == 0, result.stderr
    assert "the old one kept" not in result.stdout
    assert not list(corpus.glob(f"{INDEX_NAME}.*"))
    after = rows(corpus)
    for key, row in after.items():
        assert {c: row[c] for c in REBUILT} == {c: before[key][c] for c in REBUILT}


def test_a_healthy_index_is_kept_beside_the_new_one_with_its_journal(corpus: Path) -> None:
    original = (corpus / INDEX_NAME).read_bytes()
    # A read-only reader (verify) leaves the index's -wal and -shm behind: they must go with
    # the old index, or SQLite would read them with the new one.
    assert run_newsbot("verify", str(corpus)).returncode == 0
    journals = sorted(p.name.removeprefix(INDEX_NAME) for p in corpus.glob(f"{INDEX_NAME}-*"))
    assert journals == ["-shm", "-wal"]
    result = reindex(str(corpus))
    assert result.returncode == 0, result.stderr
    (kept,) = corpus.glob(f"{INDEX_NAME}.before-reindex-*[0-9]")
    assert kept.read_bytes() == original
    assert all(kept.with_name(kept.name + suffix).exists() for suffix in journals)
    assert not list(corpus.glob(f"{INDEX_NAME}-*"))
    assert run_newsbot("verify", str(corpus)).returncode == 0
    assert reindex(str(corpus)).returncode == 0  # again: another free name
    assert len(list(corpus.glob(f"{INDEX_NAME}.before-reindex-*[0-9]"))) == 2


def test_unreadable_files_are_listed_and_the_rest_is_indexed(corpus: Path) -> None:
    day = corpus / "2026/05/30"
    names = sorted(files(corpus))
    broken = corpus / names[0]
    broken.write_bytes(broken.read_bytes().replace(b'title: "', b'title: "\\q', 1))
    damaged = corpus / names[1]
    damaged.write_bytes(damaged.read_bytes().replace("다".encode(), "라".encode(), 1))
    stranger = day / "notes.md"
    stranger.write_text("my notes\n", encoding="utf-8")
    fifo = day / "001_0000000001.md"
    os.mkfifo(fifo)
    for ignored in (
        "reports/old.md",
        "archive/2026/05/30/001_0000000002.md",
        ".trash/001_0000000003.md",
    ):
        (corpus / ignored).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / names[2], corpus / ignored)
    result = reindex(str(corpus))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 4, result.stderr
    assert errors[0].startswith(f"newsbot: {fifo}: not indexed: unreadable: a FIFO")
    assert errors[1].startswith(f"newsbot: {broken}: not indexed: unreadable: ")
    assert errors[2].startswith(f"newsbot: {damaged}: indexed, but content_hash ")
    assert errors[3] == f"newsbot: {stranger}: not indexed: not a name newsbot writes (OID_AID.md)"
    indexed = rows(corpus)
    assert {row["path"] for row in indexed.values()} == set(names[1:])
    assert indexed[damaged.stem]["file_sha256"] is None  # a crawl checks its body, not trusts it
    assert f"{len(names) - 1} article(s)" in result.stdout and "4 problem(s)" in result.stdout


def test_two_files_of_one_article_index_the_one_in_its_day(corpus: Path) -> None:
    name = sorted(files(corpus))[0]
    elsewhere = corpus / "2026/05/29" / Path(name).name
    elsewhere.parent.mkdir(parents=True)
    shutil.copy(corpus / name, elsewhere)
    result = reindex(str(corpus))
    assert result.returncode == 1
    assert result.stderr == (
        f"newsbot: {elsewhere}: not indexed: a second file of {Path(name).stem} "
        f"(the index names {corpus / name})\n"
    )
    assert rows(corpus)[Path(name).stem]["path"] == name


def test_no_such_directory_and_not_an_output_directory_are_refused(tmp_path: Path) -> None:
    result = reindex(str(tmp_path / "nope"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"newsbot: error: no such directory: {tmp_path / 'nope'}\n"
    result = reindex(str(tmp_path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"newsbot: error: {tmp_path} holds no index and no YYYY/MM/DD/ folder: "
        "not an output directory\n"
    )
    assert not (tmp_path / INDEX_NAME).exists()


def test_progress_on_standard_error(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(newsbot.cli.reindex, "PROGRESS_SECONDS", 0.0)
    assert newsbot.__main__.main(["reindex", str(corpus)]) == 0
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if line.startswith("newsbot: reindex: ")]
    assert (
        progress[-1]
        == f"newsbot: reindex: {len(files(corpus))} file(s) read, {len(files(corpus))} indexed"
    )
    assert captured.out.startswith("reindexed ")
