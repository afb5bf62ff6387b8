"""``reparse`` rebuilds comments from the newest answer, whatever order the archives are
named in: per ``comment_no`` the newest answer's likes, text and deleted flag, the count
and its time from the newest answer, also when an article is written before all its
answers are read (review of issue 23: the answer read last won)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsbot import archive
from newsbot.archive import WarcArchive, reparse
from newsbot.comments import comment_url
from newsbot.output.index import Index
from newsbot.output.store import OutputStore
from newsbot.urls import ArticleId
from tests.robustness.test_reparse_newest_wins import _aid, _page

OLD, NEW = datetime(2024, 1, 23, 1, tzinfo=UTC), datetime(2024, 1, 24, 1, tzinfo=UTC)


def _comment(number: int, *, likes: int, text: str, deleted: bool = False) -> dict[str, Any]:
    return {
        "commentNo": str(number),
        "parentCommentNo": str(number),
        "contents": "" if deleted else text,
        "regTime": "2024-01-22T10:00:00+0900",
        "modTime": "2024-01-22T10:00:00+0900",
        "maskedUserId": "park****",
        "sympathyCount": likes,
        "antipathyCount": 0,
        "deleted": deleted,
    }


def _answer(comments: list[dict[str, Any]], total: int) -> bytes:
    result = {"commentList": comments, "count": {"total": total}, "morePage": {}}
    return f"_callback({json.dumps({'success': True, 'result': result})});".encode()


def _archive(path: Path, fetched: datetime, newer: bool) -> None:
    work = path.parent / f"{path.name}.d"
    warc = WarcArchive(work, 1 << 30, {})
    for n in range(3):
        aid = _aid(n)
        warc.write(
            f"https://n.news.naver.com/mnews/article/082/{aid}",
            200,
            [("Content-Type", "text/html; charset=utf-8")],
            _page(aid, 2 if newer else 1),
            fetched=fetched,
        )
        comments = [
            _comment(1, likes=9 if newer else 1, text="edited" if newer else "first"),
            _comment(2, likes=4, text="gone" if newer else "was here", deleted=newer),
        ]
        if not newer:
            comments.append(_comment(3, likes=2, text="only in the old answer"))
        warc.write(
            comment_url(ArticleId("082", aid)),
            200,
            [("Content-Type", "application/javascript")],
            _answer(comments, 7 if newer else 5),
            fetched=fetched,
        )
    warc.close()
    (written,) = work.glob("*.warc.gz")
    written.rename(path)
    shutil.rmtree(work)


def _outcome(out: Path) -> tuple[dict[str, bytes], list[tuple[Any, ...]]]:
    comments = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.jsonl")}
    db = Index(out)
    try:
        rows = db.db.execute(
            "SELECT id, comment_count, comments_at FROM articles ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    return comments, rows


@pytest.mark.parametrize("held", [256, 1], ids=["held", "written-early"])
def test_the_newest_answer_wins_in_either_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    # held=1: articles are written before all their answers are read, then again.
    monkeypatch.setattr(archive.CommentRebuilder.__init__, "__defaults__", (held, None))
    new, old = tmp_path / "new.warc.gz", tmp_path / "old.warc.gz"
    _archive(new, NEW, newer=True)
    _archive(old, OLD, newer=False)
    outcomes = []
    for order in ([new, old], [old, new]):
        out = tmp_path / f"out-{order[0].stem}"
        result = reparse(order, OutputStore(out))
        assert result.failures == {} and result.comment_pages == 6
        outcomes.append(_outcome(out))
    assert outcomes[0] == outcomes[1]
    comments, rows = outcomes[0]
    assert len(comments) == 3
    assert [row[1:] for row in rows] == [(7, "2024-01-24T10:00:00+09:00")] * 3
    for data in comments.values():
        records = {r["comment_no"]: r for r in map(json.loads, data.splitlines())}
        assert (records["1"]["likes"], records["1"]["contents"]) == (9, "edited")
        assert records["2"]["deleted"] is True
        assert records["3"]["contents"] == "only in the old answer"  # the union stays
