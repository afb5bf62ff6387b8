"""The corpus as a dataset: ``newsbot export`` (JSONL, CSV, Parquet), ``newsbot.corpus``,
``newsbot stats`` (text, JSON, an HTML page shown in a real Chromium), ``newsbot crawl``
and ``newsbot sections``, on an output directory written by a real crawl of the fake."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbot.corpus import (
    COLUMNS,
    COMMENT_COLUMNS,
    CorpusWarning,
    UnreadableFile,
    articles,
    comments,
    dataframe,
)
from newsbot.output.markdown import split_markdown
from tests.e2e import crawl_env, files, run_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import ArticleSpec, default_world

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


@pytest.fixture(scope="module")
def corpus_dir(fake: FakeNaver, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs into one directory: 100 (with comments) on the 30th, 101 on the 29th."""
    out = tmp_path_factory.mktemp("corpus") / "out"
    first = run_crawl(fake, out, "date=2026-05-30", "sections=100", "comments=all")
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_crawl(fake, out, "date=2026-05-29", "sections=101")
    assert second.returncode == 0, second.stderr[-2000:]
    return out


def front(path: Path) -> dict[str, Any]:
    return split_markdown(path.read_text(encoding="utf-8")).front_matter


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_export_jsonl_is_the_whole_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    written = files(corpus_dir)
    assert len(rows) == len(written) and f"exported {len(rows)} article(s)" in result.stdout
    assert {r["id"] for r in rows} == {p.stem for p in written.values()}
    assert {r["published_at"][:10] for r in rows} == {"2026-05-29", "2026-05-30"}  # both runs
    for row in rows:
        assert list(row) == list(COLUMNS)
        assert sha(row["content"]) == row["content_hash"]  # exactly the body
        assert isinstance(row["oid"], str) and isinstance(row["aid"], str)
        path = next(p for p in written.values() if p.stem == row["id"])
        assert {k: v for k, v in row.items() if k != "content"} == {
            k: front(path).get(k) for k in COLUMNS[:-1]
        }
    counted = [r for r in rows if r["comment_count"] is not None]
    assert counted and all(r["sid"] == "100" for r in counted)


def test_export_csv_opens_in_excel(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus.csv"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out), "--format", "csv")
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(files(corpus_dir))
    assert list(rows[0]) == list(COLUMNS)
    for row in rows:
        assert sha(row["content"]) == row["content_hash"]  # newlines in a quoted cell intact
        assert isinstance(json.loads(row["categories"]), list)  # JSON, not a Python repr
        assert isinstance(json.loads(row["authors"]), list)
        assert "'" not in row["images"][:3]
    assert any("정치" in row["category"] for row in rows)  # Korean as Korean


def test_export_parquet_and_comments(corpus_dir: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "corpus.parquet"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out), "--comments")
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert table.column_names == list(COLUMNS)
    assert table.num_rows == len(files(corpus_dir))
    assert str(table.schema.field("authors").type).startswith("list<")
    for row in table.to_pylist():
        assert sha(row["content"]) == row["content_hash"]
    comment_table = pq.read_table(tmp_path / "corpus.comments.parquet")
    assert comment_table.column_names == list(COMMENT_COLUMNS)
    lines = sum(
        len(p.read_text(encoding="utf-8").splitlines()) for p in corpus_dir.rglob("*.jsonl")
    )
    assert comment_table.num_rows == lines > 0
    numbers = comment_table.column("comment_no").to_pylist()
    assert all(isinstance(n, str) for n in numbers)


@pytest.mark.parametrize(
    ("options", "expect"),
    [
        (["--sections", "정치"], lambda r: r["sid"] == "100"),
        (["--sections", "economy,101"], lambda r: r["sid"] == "101"),
        (
            ["--start", "2026-05-30", "--end", "2026-05-30"],
            lambda r: "2026-05-30" in r["published_at"],
        ),
        (["--press", "001"], lambda r: r["oid"] == "001"),
    ],
)
def test_export_filters(corpus_dir: Path, tmp_path: Path, options: list[str], expect: Any) -> None:
    out = tmp_path / "part.jsonl"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out), *options)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    everything = list(articles(corpus_dir))
    assert rows and len(rows) < len(everything)
    assert all(expect(r) for r in rows)
    assert {r["id"] for r in rows} == {r["id"] for r in everything if expect(r)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.xlsx"], "--format: give one of jsonl, csv, parquet"),
        (["-o", "x.jsonl", "--start", "2026-13-01"], "--start '2026-13-01': not a calendar date"),
        (["-o", "x.jsonl", "--sections", "nope"], "unknown section 'nope'"),
        (["-o", "/nonexistent/dir/x.jsonl"], "no such directory"),
    ],
)
def test_export_bad_input(corpus_dir: Path, args: list[str], message: str) -> None:
    result = run_newsbot("export", str(corpus_dir), *args)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_export_without_pyarrow_is_one_line(corpus_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "pyarrow.py").write_text("raise ImportError('No module named pyarrow')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    out = tmp_path / "x.parquet"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out), env=env)
    assert result.returncode == 2
    assert "pip install pyarrow" in result.stderr and not out.exists()
    assert not list(tmp_path.glob(".x.parquet*"))  # nothing half-written


def test_loader_gives_dicts_and_a_dataframe(corpus_dir: Path) -> None:
    rows = list(articles(corpus_dir, sections=["politics"]))
    assert rows and all(r["sid"] == "100" for r in rows)
    pd = pytest.importorskip("pandas")
    df = dataframe(corpus_dir)
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(files(corpus_dir)) and list(df.columns) == list(COLUMNS)
    # The README's snippet, as written there.
    assert df.groupby("publisher").size().sum() == len(df)
    listed = list(comments(corpus_dir))
    assert listed and set(listed[0]) == set(COMMENT_COLUMNS)


def test_an_unreadable_file_is_never_dropped_without_a_word(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """``dataframe`` and ``articles`` warn once naming the file they skip (``CorpusWarning``),
    or with ``strict=True`` raise naming it; ``newsbot export`` names it and exits 1."""
    out = tmp_path / "out"
    shutil.copytree(corpus_dir, out)
    written = files(out)
    broken = next(iter(written.values()))
    broken.write_bytes(b"\xff\xfe not UTF-8")
    with pytest.warns(CorpusWarning, match=r"1 file\(s\) of the corpus could not be read") as seen:
        rows = list(articles(out))
    assert len(seen) == 1 and str(broken) in str(seen[0].message)
    assert seen[0].filename == __file__  # shown at the caller's line
    assert len(rows) == len(written) - 1
    with pytest.raises(UnreadableFile, match=re.escape(str(broken))):
        list(articles(out, strict=True))
    with pytest.warns(CorpusWarning, match=re.escape(str(broken))):
        listed = list(comments(out))
    assert listed
    if importlib.util.find_spec("pandas") is not None:
        with pytest.warns(CorpusWarning, match=re.escape(str(broken))) as seen:
            df = dataframe(out)
        assert len(seen) == 1 and len(df) == len(written) - 1
        assert seen[0].filename == __file__  # points at the caller's line
        with pytest.raises(UnreadableFile, match=re.escape(str(broken))):
            dataframe(out, strict=True)
    # The command names it once, in its own words (no Python warning on top).
    result = run_newsbot("export", str(out), "-o", str(tmp_path / "x.jsonl"))
    assert result.returncode == 1
    assert f"newsbot: not exported: {broken}" in result.stderr
    assert "CorpusWarning" not in result.stderr and result.stderr.count(str(broken)) == 1


def test_a_user_sees_the_warning(corpus_dir: Path, tmp_path: Path) -> None:
    """As a script or notebook shows it: one line naming the files and how many."""
    out = tmp_path / "out"
    shutil.copytree(corpus_dir, out)
    broken = sorted(files(out).values())[:5]
    for path in broken:
        path.write_bytes(b"\xff")
    code = "import newsbot.corpus as c, sys; print(len(list(c.articles(sys.argv[1]))))"
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(files(out)) - 5
    assert result.stderr.count("CorpusWarning") == 1
    assert "5 file(s) of the corpus could not be read" in result.stderr
    assert all(str(path) in result.stderr for path in broken[:3])
    assert str(broken[3]) not in result.stderr and "and 2 more" in result.stderr


def test_export_sections_takes_every_sid_the_corpus_holds(
    fake: FakeNaver, corpus_dir: Path, tmp_path: Path
) -> None:
    """A sid-110 (오피니언) article, collected by URL, is exported by ``--sections 101,110``
    (and by its name); a sid the corpus lacks selects nothing, and says so."""
    opinion = fake.world.add_article(
        ArticleSpec(
            oid="025",
            aid="0003500110",
            sid1="110",
            sid2="",
            published="2026-05-30 07:00:00",
            title="[사설] 오피니언 면의 사설",
            paragraphs=["사설 첫 문단입니다.", "사설 둘째 문단입니다."],
            listed=False,
        )
    )
    out = tmp_path / "out"
    shutil.copytree(corpus_dir, out)
    crawl = run_crawl(fake, out, f"urls={opinion.url}")
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    everything = list(articles(out))
    assert [r["sid"] for r in everything].count("110") == 1
    wanted = {r["id"] for r in everything if r["sid"] in ("101", "110")}
    for sections in ("101,110", "경제,오피니언"):
        target = tmp_path / "part.jsonl"
        result = run_newsbot("export", str(out), "-o", str(target), "--sections", sections)
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        assert {r["id"] for r in rows} == wanted and len(rows) == len(wanted)
        assert "025_0003500110" in wanted
    result = run_newsbot(
        "export", str(out), "-o", str(tmp_path / "n.jsonl"), "--sections", "999,110"
    )
    assert result.returncode == 0, result.stderr
    assert "no article of section 999 was selected" in result.stderr
    assert "section 110" not in result.stderr
    unknown = run_newsbot("export", str(out), "-o", str(tmp_path / "u.jsonl"), "--sections", "nope")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "unknown section 'nope'" in unknown.stderr
    assert "정치" in unknown.stderr and "오피니언" in unknown.stderr  # the known names


def test_stats_text_json_and_html(corpus_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "stats.html"
    result = run_newsbot("stats", str(corpus_dir), "--html", str(page))
    assert result.returncode == 0, result.stderr
    total = len(files(corpus_dir))
    first, *_ = result.stdout.splitlines()
    assert first.startswith(f"{corpus_dir}: last crawl OK (finished ")  # the verdict leads
    assert f"holds: {total} article(s), 2026-05-29 .. 2026-05-30" in result.stdout
    assert "still missing: nothing the crawl reports name" in result.stdout
    assert "100 정치" in result.stdout and "101 경제" in result.stdout
    data = json.loads(run_newsbot("stats", str(corpus_dir), "--json").stdout)
    assert data["articles"] == total
    assert data["last_status"] == "ok" and len(data["crawls"]) == data["reports"] == 2
    assert sum(data["by_day"].values()) == total == sum(data["by_publisher"].values())
    assert set(data["by_day"]) == {"2026-05-29", "2026-05-30"}
    assert data["with_comments"] > 0
    text = page.read_text(encoding="utf-8")
    assert f"{total:,} articles" in text and text.count("<svg") >= 3
    for name in (*data["by_day"], *data["by_section"], *data["by_publisher"]):
        assert name in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text and "https://" not in text  # no network


def test_stats_page_renders_in_chromium(corpus_dir: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/setup installs it)")
    page = tmp_path / "stats.html"
    assert run_newsbot("stats", str(corpus_dir), "--html", str(page)).returncode == 0
    shot = tmp_path / "stats.png"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--proxy-server=127.0.0.1:9",  # nothing may leave the machine
            "--window-size=900,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a page, not a blank
    # The bars are drawn: the chart colour is on the screenshot.
    assert _has_colour(data, (0x2F, 0x6F, 0xB3))


def _has_colour(png: bytes, rgb: tuple[int, int, int]) -> bool:
    import struct
    import zlib

    pos, chunks, width, height, colour_type = 8, b"", 0, 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw = zlib.decompress(chunks)
    channels = {2: 3, 6: 4}[colour_type]
    stride = width * channels
    previous = bytearray(stride)
    target = bytes(rgb)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the PNG row filter
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 0xFF
        if any(bytes(line[i : i + 3]) == target for i in range(0, stride, channels)):
            return True
        previous = line
    return False


def test_newsbot_crawl_is_scrapy_crawl(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "newsbot", "crawl", "--date", "2026-05-30", "--sections", "정치",
        "--output", str(out), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "NEWSBOT_PROGRESS_INTERVAL=0",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=tmp_path, env=crawl_env(fake), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "newsbot: crawl OK" in result.stderr
    reference = tmp_path / "reference"
    assert run_crawl(fake, reference, "date=2026-05-30", "sections=100").returncode == 0
    assert set(files(out)) == set(files(reference))
    bad = subprocess.run(
        [sys.executable, "-m", "newsbot", "crawl", "--date", "tomorrow", "--output", str(out)],
        cwd=tmp_path, env=crawl_env(fake), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "-a date='tomorrow'" in bad.stderr


def test_console_command_and_help() -> None:
    script = Path(sys.executable).parent / "newsbot"
    assert script.is_file(), "the setup installs the newsbot command"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("newsbot 0.")
    commands = ("crawl", "export", "stats", "sections", "doctor", "extract", "verify", "reparse")
    for command in (*commands, "reindex"):
        shown = subprocess.run(
            [str(script), command, "--help"], capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0 and shown.stdout.startswith(f"usage: newsbot {command}")
    crawl_help = subprocess.run([str(script), "crawl", "--help"], capture_output=True, text=True)
    for option in (
        "--date", "--sections", "--comments", "--press", "--urls", "--refresh", "--output",
        "--contact", "--jobdir", "--archive", "--log-file", "--limit", "--verbose",
    ):  # fmt: skip
        assert option in crawl_help.stdout
    listed = subprocess.run([str(script), "sections"], capture_output=True, text=True)
    assert "100   정치" in listed.stdout and "politics" in listed.stdout


def test_readme_pandas_snippet_runs_as_written(corpus_dir: Path, tmp_path: Path) -> None:
    """The README's five lines of pandas, on an export made as the README says."""
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("    import pandas as pd\n", 1)[1].split("\n\n", 1)[0]
    code = "import pandas as pd\n" + "\n".join(line[4:] for line in block.splitlines())
    assert code.count("\n") == 4  # five lines
    exported = run_newsbot("export", str(corpus_dir), "-o", str(tmp_path / "corpus.parquet"))
    assert exported.returncode == 0, exported.stderr
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "2026-05-30" in result.stdout and "정치" in result.stdout


def test_relative_days_are_values_not_options(corpus_dir: Path, tmp_path: Path) -> None:
    """``--start -7d`` reads as seven days ago (argparse would take "-7d" for an option)."""
    out = tmp_path / "recent.jsonl"
    result = run_newsbot("export", str(corpus_dir), "-o", str(out), "--start", "-99999d")
    assert result.returncode == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(files(corpus_dir))


def test_export_survives_odd_front_matter(tmp_path: Path) -> None:
    """A hand-edited file (values of other types, a far-off date) is exported, not a crash."""
    pytest.importorskip("pyarrow")
    from newsbot.corpus.export import write

    row = dict.fromkeys(COLUMNS)
    row |= {
        "id": "001_0000000001",
        "published_at": "9999-12-31T23:59:59-09:00",
        "categories": [1, "정치"],
        "authors": ["kim", {"name": 5, "email": None}],
        "images": [{"url": "u", "caption": 5}],
        "comment_count": 2**70,
        "title": __import__("datetime").date(2026, 5, 30),
        "content": "본문",
    }
    for fmt in ("jsonl", "csv", "parquet"):
        assert write([row], tmp_path / f"odd.{fmt}", fmt) == 1
    assert list(articles(tmp_path, start="2026-01-01")) == []  # no index, no files: nothing
