"""The index never downgrades what is written, never leads out of the output directory,
and a damaged or locked index, or a disk that cannot hold it, is one line and exit 1
(issue 13, root causes 6 and 7)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.output.index import WRITTEN, Index, UnusableIndex
from newsbot.output.paths import INDEX_NAME, inside
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, ROOT
from tests.e2e import article_requests, expected_for_sections, files, index_rows, run_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
PAGE = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("relative", "ok"),
    [
        ("2024/01/22/082_0001252309.md", True),
        ("../2024/01/22/082_0001252309.md", False),
        ("2024/01/22/../../../../etc/passwd", False),
        ("/etc/passwd", False),
        ("2024/01/22/082_0001252309.md/..", False),
        ("2024/01/22/082_0001252309.txt", False),
        ("2024\\01\\22\\082_0001252309.md", False),
        ("", False),
        (None, False),
    ],
)
def test_index_paths_are_checked(tmp_path: Path, relative: str | None, ok: bool) -> None:
    assert (inside(tmp_path, relative) is not None) is ok


def test_a_link_leading_out_is_not_inside(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (root / "2024" / "01").mkdir(parents=True)
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "2024" / "01" / "22")
    assert inside(root, "2024/01/22/082_0001252309.md") is None


def test_a_hostile_index_path_is_never_deleted(tmp_path: Path) -> None:
    root = tmp_path / "out"
    victim = tmp_path / "victim.md"
    victim.write_text("keep me")
    store = OutputStore(root)
    article = extract_article(URL, PAGE, crawled_at=FROZEN_CRAWLED_AT)
    store.index.record(
        article.id, status=WRITTEN, crawled_at=FROZEN_CRAWLED_AT, path="../victim.md"
    )
    assert store.save(article) == "updated"  # the index said written, with no hash
    assert victim.read_text() == "keep me"
    assert (root / "2024/01/22/082_0001252309.md").is_file()


def test_a_damaged_index_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / INDEX_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(UnusableIndex, match="damaged") as raised:
        Index(tmp_path)
    # the way out: the files hold the index's data
    assert f"rebuild it from the files with: newsbot reindex {tmp_path}" in str(raised.value)


def test_a_locked_index_is_a_named_error(tmp_path: Path) -> None:
    Index(tmp_path).close()
    holder = sqlite3.connect(tmp_path / INDEX_NAME, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UnusableIndex, match="locked"):
            Index(tmp_path, timeout=0.2)
    finally:
        holder.close()


def _crawl_cli(out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "naver", "-a", "date=2026-05-30"]
    return subprocess.run(
        [*command, "-s", f"NEWSBOT_OUTPUT_DIR={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("problem", ["damaged", "a directory", "read-only"])
def test_an_unusable_output_is_one_line_and_exit_1(tmp_path: Path, problem: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if problem == "damaged":
        (out / INDEX_NAME).write_bytes(b"garbage" * 1000)
        expected = f"is damaged (file is not a database); rebuild it from the files with: newsbot reindex {out}"
    elif problem == "a directory":
        (out / INDEX_NAME).mkdir()
        expected = "cannot write to the output directory: "
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only directories")
        out.chmod(0o500)
        expected = "cannot write to the output directory: "
    result = _crawl_cli(out)
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "newsbot: error" in line]
    assert len(errors) == 1 and expected in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_refresh_on_other_dates_never_downgrades_a_written_article(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeNaver(default_world()).start() as fake:
        first = run_crawl(fake, out, "date=2026-05-29", "sections=100")
        assert first.returncode == 0, first.stderr[-2000:]
        of_29 = expected_for_sections(fake.world, {"20260529"}, {"100"})
        assert set(files(out)) == of_29
        # The walk of the 30th runs into the 29th: with refresh those are fetched again,
        # found to be of another day, and must stay written.
        second = run_crawl(fake, out, "date=2026-05-30", "sections=100", "refresh=1")
        assert second.returncode == 0, second.stderr[-2000:]
        rows = index_rows(out)
        for name in of_29:
            key = name.rsplit("/", 1)[1][:-3]
            assert rows[key][0] == WRITTEN, (key, rows[key])
        fake.reset_log()
        third = run_crawl(fake, out, "date=2026-05-29", "sections=100")
        assert third.returncode == 0
        assert article_requests(fake) == []  # still known as collected
