"""``reparse --jobs N``: the files split between N processes, one output and index, the
same files and index as one process (issue 14)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from newsbot.archive import WarcArchive, split_files
from tests.conftest import ARTICLES
from tests.e2e import files, index_rows, run_newsbot

PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()


def _page(aid: str) -> bytes:
    return PAGE.replace(b"082/0001252309", f"082/{aid}".encode())


def _archives(directory: Path, n_files: int, per_file: int) -> None:
    for f in range(n_files):
        archive = WarcArchive(directory / f"part{f}", 1 << 30, {})
        for r in range(per_file):
            aid = f"00012{f:02d}{r:03d}"
            archive.write(
                f"https://n.news.naver.com/mnews/article/082/{aid}",
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                _page(aid),
                fetched=datetime(2024, 1, 23, tzinfo=UTC),
            )
        archive.close()


def _reparse(archives: Path, out: Path, jobs: int) -> subprocess.CompletedProcess[str]:
    args = ("reparse", str(archives), "--output", str(out), "--jobs", str(jobs))
    return run_newsbot(*args, timeout=300)


def test_two_jobs_write_what_one_writes(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    _archives(archives, n_files=4, per_file=6)
    one, two = tmp_path / "one", tmp_path / "two"
    first = _reparse(archives, one, 1)
    assert first.returncode == 0, first.stderr
    second = _reparse(archives, two, 2)
    assert second.returncode == 0, second.stderr
    assert "reparsed 24 record(s): 24 new; 0 failed" in second.stdout
    assert second.stderr.count("job ") == 2  # each job's end is said
    assert set(files(one)) == set(files(two)) and len(files(two)) == 24
    for name, path in files(one).items():
        assert path.read_bytes() == files(two)[name].read_bytes()
    rows_one, rows_two = index_rows(one), index_rows(two)
    assert rows_one == rows_two and len(rows_two) == 24


def test_files_are_split_by_size(tmp_path: Path) -> None:
    sizes = {"a": 900, "b": 500, "c": 400, "d": 100}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    groups = split_files([tmp_path / n for n in sizes], 2)
    assert sorted([p.name for p in g] for g in groups) == [["a", "d"], ["b", "c"]]
    assert split_files([tmp_path / "a"], 4) == [[tmp_path / "a"]]  # no empty jobs


def test_bad_jobs_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(b"")
    result = _reparse(tmp_path / "a.warc.gz", tmp_path / "out", 0)
    assert result.returncode == 2 and "--jobs 0" in result.stderr
