"""CSV cells a spreadsheet would run as formulas (issue 23): a title or a comment starting
with ``=``, ``+``, ``-``, ``@``, a tab or a CR was written as it is, and Excel ran
``-2+3`` or ``@SUM(A1)`` (or worse, ``=HYPERLINK(…)``). Such text now gets a leading ``'``
(OWASP's advice); numbers, which only the numeric columns hold (``likes``, ``comment_count``
…), are written as they are, a negative one included. JSONL keeps the text exactly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.comments import comments_file, dump_jsonl
from newsbot.output.hashing import content_hash
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT
from tests.e2e import run_newsbot

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
TEXTS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\r=CR", "평범한 댓글", "'따옴표", "1-2"]
NEUTRALISED = ["'=1+1", "'+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "'\r=CR", "평범한 댓글", "'따옴표",
               "1-2"]  # fmt: skip


def written(root: Path, title: str) -> Path:
    """One article saved by newsbot with ``title``, and a comment for each of ``TEXTS``."""
    store = OutputStore(root)
    html = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
    article = extract_article(URL, html, crawled_at=FROZEN_CRAWLED_AT)
    article.title = title
    article.content = "-" + article.content  # a body starting with a dash, too
    article.content_hash = content_hash(article.content)
    try:
        store.save(article)
    finally:
        store.index.close()
    path = store.path_for(article)
    records = [
        {"comment_no": str(n), "contents": text, "likes": -n, "user": {"name": "@" + str(n)}}
        for n, text in enumerate(TEXTS, start=1)
    ]
    comments_file(path).write_bytes(dump_jsonl(records))
    return path


def rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")  # (read_text would turn a CR into a LF)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_text_cells_that_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    written(tmp_path / "out", "-1+1 @속보")
    out = tmp_path / "corpus.csv"
    result = run_newsbot("export", str(tmp_path / "out"), "-o", str(out), "--comments")
    assert result.returncode == 0, result.stderr
    (article,) = rows(out)
    assert article["title"] == "'-1+1 @속보"
    assert article["content"].startswith("'-")
    comments = rows(tmp_path / "corpus.comments.csv")
    assert [c["contents"] for c in comments] == NEUTRALISED
    assert [c["likes"] for c in comments] == [str(-n) for n in range(1, len(TEXTS) + 1)]
    assert [c["user"] for c in comments][:1] == ['{"name": "@1"}']  # JSON text: starts with {
    assert all(c["comment_no"] == str(n) for n, c in enumerate(comments, start=1))


def test_jsonl_keeps_the_text_exactly(tmp_path: Path) -> None:
    written(tmp_path / "out", "-1+1 @속보")
    out = tmp_path / "corpus.jsonl"
    result = run_newsbot("export", str(tmp_path / "out"), "-o", str(out), "--comments")
    assert result.returncode == 0, result.stderr
    (article,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert article["title"] == "-1+1 @속보" and article["content"].startswith("-")
    lines = (tmp_path / "corpus.comments.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["contents"] for line in lines] == TEXTS


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("-", "'-"),
        ("@", "'@"),
        ("", ""),
        (None, ""),
        (-5, -5),  # a number of a numeric column: a number still
        (3, 3),
        (True, "true"),
        (["-a"], '["-a"]'),
    ],
)
def test_cell(value: object, cell: object) -> None:
    from newsbot.corpus.export import _cell

    assert _cell(value) == cell
