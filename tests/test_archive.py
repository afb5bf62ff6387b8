"""Raw archive: a crawl with NEWSBOT_ARCHIVE=1 keeps every page in WARC files, and
``python -m newsbot reparse`` rebuilds its files from them without any request."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e import crawl_env, files, index_rows, run_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

pytestmark = pytest.mark.e2e


def _comparable(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if "rawled" not in line
    )


def _reparse(fake: FakeNaver, *args: str) -> subprocess.CompletedProcess[str]:
    # A proxy is set: any request would show in the fake's log.
    return run_newsbot("reparse", *args, env=crawl_env(fake))


def test_reparse_reproduces_the_crawl(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        result = run_crawl(
            fake,
            out,
            "start=2026-05-29",
            "end=2026-05-30",
            "sections=100,101,sports,entertain",
            NEWSBOT_ARCHIVE="True",
            NEWSBOT_ARCHIVE_MAX_BYTES="300000",
        )
        assert result.returncode == 0, result.stderr[-2000:]
        crawled = {name: _comparable(p) for name, p in files(out).items()}
        rows_before = index_rows(out)
        warcs = sorted((out / "archive").glob("*.warc.gz"))
        assert len(warcs) > 1  # rotated by size
        for path in files(out).values():
            path.unlink()
        fake.reset_log()
        reparsed = _reparse(fake, str(out / "archive"), "--output", str(out))
        assert fake.requests == []  # no network
    assert reparsed.returncode == 0, reparsed.stderr[-2000:]
    assert f"{len(crawled)} restored" in reparsed.stdout
    again = {name: _comparable(p) for name, p in files(out).items()}
    assert again == crawled
    assert {k: v[2] for k, v in index_rows(out).items()} == {
        k: v[2] for k, v in rows_before.items()
    }


def test_reparse_into_a_new_directory_and_a_truncated_archive(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        assert (
            run_crawl(
                fake, out, "date=2026-05-30", "sections=101", NEWSBOT_ARCHIVE="True"
            ).returncode
            == 0
        )
        (warc,) = (out / "archive").glob("*.warc.gz")
        cut = tmp_path / "cut.warc.gz"
        data = warc.read_bytes()
        cut.write_bytes(data[: len(data) - 500])  # a crawl killed while writing a record
        fresh = tmp_path / "fresh"
        reparsed = _reparse(fake, str(cut), "--output", str(fresh))
    assert reparsed.returncode == 1
    assert "digest mismatch (truncated)" in reparsed.stderr
    assert files(fresh) and set(files(fresh)) <= set(files(out))  # the cut record is skipped
    for name, path in files(fresh).items():
        assert _comparable(path) == _comparable(files(out)[name])


def test_reparse_bad_input(tmp_path: Path) -> None:
    result = run_newsbot("reparse", str(tmp_path / "missing.warc.gz"))
    assert result.returncode == 2 and "no such archive" in result.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)
