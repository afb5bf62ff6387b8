"""The read side distrusts the files it reads (issue 23): ``verify``, ``export``, ``stats``
and ``newsbot.corpus`` read a damaged or hostile output directory without a crash, a hang
or a memory blow-up, and name each file they could not read.

The directories are real: two articles saved by ``OutputStore`` (with the index), then
damaged: a few kilobytes of YAML aliases that expand to a billion strings ("billion
laughs"), front matter nested fifty thousand deep, a FIFO where an article or a crawl
report should be, comment lines nested a hundred thousand deep or megabytes long. Every
run is a subprocess with a timeout (a FIFO opened for reading blocks forever) and, where
memory is at stake, an address-space limit (a regression fails instead of eating the
machine).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.comments import comments_file, dump_jsonl
from newsbot.output.markdown import load_yaml, split_markdown
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, ROOT

PAGES = {
    "082_0001252309": "https://n.news.naver.com/mnews/article/082/0001252309",
    "640_0000077240": "https://n.news.naver.com/mnews/article/640/0000077240",
}
MEMORY = 1 << 30  # the address space a newsbot command gets here: ample for two articles


def output_dir(root: Path) -> list[Path]:
    """An output directory of two articles written by newsbot, with its index."""
    store = OutputStore(root)
    paths = []
    try:
        for name, url in PAGES.items():
            html = (ARTICLES / name / "body.html").read_text(encoding="utf-8")
            article = extract_article(url, html, crawled_at=FROZEN_CRAWLED_AT)
            store.save(article)
            paths.append(store.path_for(article))
    finally:
        store.index.close()
    return paths


def newsbot(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``python -m newsbot ARGS`` with ``MEMORY`` of address space and a timeout."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run(
        [sys.executable, "-m", "newsbot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )


def with_front(path: Path, lines: str) -> None:
    """``lines`` added at the top of the file's front matter (the body, and its hash, kept)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + lines, 1), encoding="utf-8")


# Nine names, each a list of ten of the one before, and the categories a list of ten of the
# last: 10**10 strings once expanded, 1.3 KB here.
BOMB = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 9)
)
CATEGORIES = re.compile(r"^categories: .*$", re.M)


def bomb(path: Path) -> None:
    """The billion laughs in ``path``'s front matter, its categories the last of them."""
    with_front(path, BOMB)
    text = path.read_text(encoding="utf-8")
    text = CATEGORIES.sub(f"categories: [{','.join(['*l8'] * 10)}]", text, count=1)
    path.write_text(text, encoding="utf-8")


DEEP_FRONT = "deep: " + "[" * 50_000 + "]" * 50_000 + "\n"


def test_an_alias_bomb_is_a_named_failure_of_verify(tmp_path: Path) -> None:
    bombed, _ = output_dir(tmp_path)
    bomb(bombed)
    result = newsbot("verify", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == "1 ok, 1 failed\n"
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{bombed}: unreadable: front matter uses a YAML anchor &l0 (line 1)")


def test_an_alias_bomb_is_a_named_file_of_export_not_a_memory_error(tmp_path: Path) -> None:
    bombed, intact = output_dir(tmp_path)
    bomb(bombed)
    out = tmp_path / "corpus.jsonl"
    result = newsbot("export", str(tmp_path), "-o", str(out))
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert f"newsbot: not exported: {bombed}: front matter uses a YAML anchor" in result.stderr
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["id"] == intact.stem


def test_front_matter_nested_fifty_thousand_deep_is_named(tmp_path: Path) -> None:
    deep, _ = output_dir(tmp_path)
    with_front(deep, DEEP_FRONT)
    result = newsbot("verify", str(deep))
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr == f"{deep}: unreadable: front matter nested deeper than 32 levels\n"


def test_the_front_matter_loader_refuses_what_could_be_a_bomb() -> None:
    from newsbot.output.markdown import FrontMatterError  # (here: the old code has none)

    assert load_yaml('a: "*b &c"\nd: [1, {e: f}]\n') == {"a": "*b &c", "d": [1, {"e": "f"}]}
    for text, why in [
        ("a: &x 1\nb: *x\n", "anchor &x"),
        ("a: [1, 2]\nb: {<<: *x}\n", "alias *x"),
        ("a: " + "[" * 33 + "]" * 33 + "\n", "nested deeper than 32"),
        ("a: " + "9" * 5000 + "\n", "cannot be read"),  # more digits than Python converts
    ]:
        with pytest.raises(FrontMatterError, match=re.escape(why)):
            load_yaml(text)
    huge = (
        "---\ntitle: "
        + "가" * (1 << 20)
        + "\n---\n\n# t\n\n---\n\nbody\n\n---\n\n*Crawled at: x*\n"
    )
    with pytest.raises(FrontMatterError, match="front matter over 1,048,576 characters"):
        split_markdown(huge)


def test_a_fifo_named_like_an_article_is_named_by_verify_not_waited_on(tmp_path: Path) -> None:
    output_dir(tmp_path)
    fifo = tmp_path / "2024" / "x.md"
    os.mkfifo(fifo)
    result = newsbot("verify", str(tmp_path), timeout=20)
    assert result.returncode == 1
    assert result.stdout == "2 ok, 1 failed\n"
    assert result.stderr == f"{fifo}: unreadable: a FIFO, not a regular file\n"
    result = newsbot("verify", str(fifo), timeout=20)
    assert result.stderr == f"{fifo}: unreadable: a FIFO, not a regular file\n"


def test_a_fifo_in_place_of_an_article_is_named_by_export(tmp_path: Path) -> None:
    replaced, intact = output_dir(tmp_path)
    replaced.unlink()
    os.mkfifo(replaced)
    out = tmp_path / "corpus.jsonl"
    result = newsbot("export", str(tmp_path), "-o", str(out), timeout=20)
    assert result.returncode == 1
    assert result.stderr == f"newsbot: not exported: {replaced}: a FIFO, not a regular file\n"
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [intact.stem]


def test_a_fifo_or_a_nested_crawl_report_is_named_by_stats(tmp_path: Path) -> None:
    output_dir(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    os.mkfifo(reports / "crawl-1.json")
    (reports / "crawl-2.json").write_text("[" * 100_000 + "]" * 100_000)
    (reports / "crawl-3.json").write_text(
        json.dumps({"failed_walks": [{"walk": "list/2024-01-22/100"}]})
    )
    result = newsbot("stats", str(tmp_path), "--json", timeout=20)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"newsbot: not read: {reports / 'crawl-1.json'}: a FIFO, not a regular file",
        f"newsbot: not read: {reports / 'crawl-2.json'}: not a crawl report (nested too deep)",
    ]
    stats = json.loads(result.stdout)
    assert stats["articles"] == 2 and stats["reports"] == 1
    assert stats["listing_failure_days"] == {"2024-01-22": 1}


def test_comment_lines_too_deep_or_too_long_are_counted_and_named(tmp_path: Path) -> None:
    first, second = output_dir(tmp_path)
    good = [{"comment_no": str(n), "contents": f"댓글 {n}", "likes": n} for n in range(1, 4)]
    lines = dump_jsonl(good).splitlines()
    huge = json.dumps({"comment_no": "9", "contents": "가" * (1 << 20)}).encode()
    lines[1:1] = [b"[" * 100_000 + b"]" * 100_000, huge]  # lines 2 and 3
    comments_file(first).write_bytes(b"\n".join(lines) + b"\n")
    os.mkfifo(comments_file(second))
    out = tmp_path / "corpus.csv"
    result = newsbot("export", str(tmp_path), "-o", str(out), "--comments", timeout=20)
    assert "Traceback" not in result.stderr and result.returncode == 1
    assert result.stderr.splitlines() == [
        f"newsbot: not exported: {comments_file(first)}: 2 line(s) could not be read "
        "(line 2: nested too deep; line 3: over 1,048,576 bytes)",
        f"newsbot: not exported: {comments_file(second)}: a FIFO, not a regular file",
    ]
    table = (tmp_path / "corpus.comments.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [row.split(",")[1] for row in table[1:]] == ["1", "2", "3"]
