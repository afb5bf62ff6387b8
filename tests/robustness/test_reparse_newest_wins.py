"""``reparse``: the newest fetch of an article wins, whatever the order of the files and
however they are split between jobs (issue 23: with older and newer fetches in several
files, whichever job wrote last won)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsbot.archive import WarcArchive, reparse
from newsbot.archive import jobs as archive_jobs
from newsbot.archive import passes as archive_passes
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES
from tests.e2e import files, index_rows, run_newsbot

PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()
TITLE = "전기장판".encode()  # in the text: each version has its own content hash
assert PAGE.count(TITLE) >= 1
FETCHED = {1: datetime(2024, 1, 23, 1, tzinfo=UTC), 2: datetime(2024, 1, 24, 1, tzinfo=UTC)}
FETCHED[3] = datetime(2024, 1, 25, 1, tzinfo=UTC)


def _page(aid: str, version: int) -> bytes:
    tagged = PAGE.replace(TITLE, TITLE + f" v{version}".encode())
    return tagged.replace(b"082/0001252309", f"082/{aid}".encode())


def _aid(n: int) -> str:
    return f"0001250{n:03d}"


def _archive(path: Path, fetches: list[tuple[int, int]]) -> None:
    """``path``: one archive file of ``(article, version)`` fetches, in that order."""
    work = path.parent / f"{path.name}.d"
    archive = WarcArchive(work, 1 << 30, {})
    for n, version in fetches:
        archive.write(
            f"https://n.news.naver.com/mnews/article/082/{_aid(n)}",
            200,
            [("Content-Type", "text/html; charset=utf-8")],
            _page(_aid(n), version),
            fetched=FETCHED[version],
        )
    archive.close()
    (written,) = work.glob("*.warc.gz")
    written.rename(path)
    shutil.rmtree(work)


def _interleaved(directory: Path) -> None:
    """Three files whose name order is not the time order: each article is fetched three
    times, in three files, its newest fetch (v3) in a different file for each third."""
    directory.mkdir()
    a, b, c = range(0, 8), range(8, 16), range(16, 24)
    _archive(
        directory / "a.warc.gz", [(n, 3) for n in a] + [(n, 1) for n in b] + [(n, 2) for n in c]
    )
    _archive(
        directory / "b.warc.gz", [(n, 1) for n in c] + [(n, 2) for n in a] + [(n, 3) for n in b]
    )
    _archive(
        directory / "c.warc.gz", [(n, 2) for n in b] + [(n, 3) for n in c] + [(n, 1) for n in a]
    )


def _versions(out: Path) -> dict[str, int]:
    found = {}
    for name, path in files(out).items():
        text = path.read_text(encoding="utf-8")
        (version,) = [v for v in (1, 2, 3) if f"전기장판 v{v}" in text]
        found[name] = version
    return found


def test_jobs_write_the_newest_fetch_byte_for_byte_as_one(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    _interleaved(archives)
    outputs = {}
    for jobs in (1, 3):
        out = tmp_path / f"out{jobs}"
        done = run_newsbot("reparse", str(archives), "--output", str(out), "--jobs", str(jobs))
        assert done.returncode == 0, done.stderr[-2000:]
        assert _versions(out) == {name: 3 for name in files(out)} and len(files(out)) == 24
        assert "reparsed 72 record(s): 24 new; 0 failed" in done.stdout, done.stdout
        assert "48 superseded" in done.stdout, done.stdout
        outputs[jobs] = out
    one, three = files(outputs[1]), files(outputs[3])
    assert set(one) == set(three)
    for name, path in one.items():
        assert path.read_bytes() == three[name].read_bytes(), name
    assert index_rows(outputs[1]) == index_rows(outputs[3])


def test_a_newer_fetch_read_first_is_not_overwritten_by_an_older(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    # Read in this order: the newer fetch first, in one process (one job).
    _archive(archives / "1-newer.warc.gz", [(n, 2) for n in range(4)])
    _archive(archives / "2-older.warc.gz", [(n, 1) for n in range(4)])
    out = tmp_path / "out"
    result = reparse([archives], OutputStore(out))
    assert set(_versions(out).values()) == {2}
    assert result.outcomes == {"new": 4}  # each article written once
    assert result.skipped == {"superseded": 4}


def test_when_the_newest_fetch_gives_no_article_the_next_older_is_written(
    tmp_path: Path,
) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / "1.warc.gz", [(0, 1), (1, 1)])
    _archive(archives / "2.warc.gz", [(0, 2)])
    work = tmp_path / "broken"
    archive = WarcArchive(work, 1 << 30, {})
    archive.write(  # the newest fetch of article 0: a page without the article
        f"https://n.news.naver.com/mnews/article/082/{_aid(0)}",
        200,
        [("Content-Type", "text/html; charset=utf-8")],
        b"<html><body>busy</body></html>",
        fetched=FETCHED[3],
    )
    archive.close()
    (broken,) = work.glob("*.warc.gz")
    result = reparse([archives, broken], OutputStore(tmp_path / "out"))
    assert _versions(tmp_path / "out") == {
        f"2024/01/22/082_{_aid(0)}.md": 2,
        f"2024/01/22/082_{_aid(1)}.md": 1,
    }
    # The newest fetch's failure is named, not a failure: an older fetch gave the article.
    assert result.failures == {}
    assert list(result.replaced) == [f"https://n.news.naver.com/mnews/article/082/{_aid(0)}"]
    assert result.outcomes == {"new": 2}


def _broken(directory: Path, name: str, n: int, fetched: datetime) -> Path:
    """A fetch of article ``n`` at ``fetched`` that gives no article (a busy page)."""
    work = directory / f"{name}.d"
    archive = WarcArchive(work, 1 << 30, {})
    archive.write(
        f"https://n.news.naver.com/mnews/article/082/{_aid(n)}",
        200,
        [("Content-Type", "text/html; charset=utf-8")],
        b"<html><body>busy</body></html>",
        fetched=fetched,
    )
    archive.close()
    (written,) = work.glob("*.warc.gz")
    path = directory / name
    written.rename(path)
    shutil.rmtree(work)
    return path


def test_a_failed_newest_fetch_with_an_older_written_is_a_warning(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / "1.warc.gz", [(0, 1), (1, 1)])
    _broken(archives, "2.warc.gz", 0, FETCHED[3])
    out = tmp_path / "out"
    result = run_newsbot("reparse", str(archives), "--output", str(out))
    assert result.returncode == 0, result.stderr
    url = f"https://n.news.naver.com/mnews/article/082/{_aid(0)}"
    assert f"newsbot: warning: newest fetch not extracted, an older one written: {url}: " in (
        result.stderr
    )
    assert "not extracted: " + url not in result.stderr.replace("newest fetch not extracted", "")
    assert "0 failed (1 newest fetch(es) not extracted, an older one written)" in result.stdout


def test_later_passes_read_only_the_files_holding_the_next_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / "1.warc.gz", [(0, 1), (1, 1)])  # article 0's oldest: written
    _archive(archives / "2.warc.gz", [(1, 2), (2, 2)])  # unrelated to article 0
    _broken(archives, "3.warc.gz", 0, FETCHED[2])
    _broken(archives, "4.warc.gz", 0, FETCHED[3])  # article 0's 2 newest fail
    reads: list[list[str]] = []
    original = archive_passes._read_files

    def spy(files: list[tuple[int, Path]], *args: Any, **kwargs: Any) -> Any:
        reads.append([path.name for _, path in files])
        return original(files, *args, **kwargs)

    monkeypatch.setattr(archive_passes, "_read_files", spy)
    phases: list[str] = []
    result = reparse(
        [archives], OutputStore(tmp_path / "out"), progress=lambda r: phases.append(r.phase)
    )
    everything = ["1.warc.gz", "2.warc.gz", "3.warc.gz", "4.warc.gz"]
    # One plan pass, one writing pass over all, then only the file of the next candidate.
    assert reads == [everything, everything, ["3.warc.gz"], ["1.warc.gz"]]
    assert _versions(tmp_path / "out")[f"2024/01/22/082_{_aid(0)}.md"] == 1
    assert result.failures == {} and len(result.replaced) == 1
    assert result.outcomes == {"new": 3} and result.skipped == {"superseded": 1}
    assert "plan" in phases and "write" in phases


def test_records_appended_after_the_plan_are_named_not_superseded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / "1.warc.gz", [(0, 1), (1, 1)])
    _archive(archives / "more.warc.gz", [(0, 2), (1, 2), (2, 2)])
    path = archives / "1.warc.gz"
    size = path.stat().st_size
    original = archive_passes._plan_part

    def plan_then_append(*args: Any) -> Any:
        plan = original(*args)
        with path.open("ab") as handle:  # a crawl still writing: a fetch of article 0 more
            handle.write((archives / "more.warc.gz").read_bytes())
        return plan

    monkeypatch.setattr(archive_passes, "_plan_part", plan_then_append)
    result = reparse([path], OutputStore(tmp_path / "out"))
    assert result.outcomes == {"new": 2} and result.skipped == {}  # nothing superseded
    assert result.problems == [
        f"{path}: bytes {size}-{path.stat().st_size} written after reparse began: not read "
        "(run reparse again for them)"
    ]


def test_a_job_closes_its_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / "1.warc.gz", [(0, 1)])
    stores: list[OutputStore] = []
    closed: list[bool] = []

    def store(root: Path, template: str | None) -> OutputStore:
        made = OutputStore(root)
        real = made.index.close
        made.index.close = lambda: (closed.append(True), real())[1]  # type: ignore[method-assign]
        stores.append(made)
        return made

    monkeypatch.setattr(archive_jobs, "_job_store", store)
    files = [(0, archives / "1.warc.gz")]
    plan = archive_jobs._job("plan", files, tmp_path / "out", None, ())
    chosen = {ranks[-1] for ranks in plan.fetches.values()}
    part = archive_jobs._job(
        "write", files, tmp_path / "out", None, (chosen, None, None, True, plan.sizes)
    )
    assert part.outcomes == {"new": 1}
    assert len(stores) == 1 and closed == [True]
