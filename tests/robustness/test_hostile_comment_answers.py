"""Root cause: the comment API's JSONP was unwrapped by a regular expression that
backtracked quadratically — one answer of ``_callback(`` and spaces (200 KB: 117 s; 1 MB:
about an hour) froze the whole crawl, Ctrl-C included. Now the unwrap is linear, an answer
has a size limit, and an answer that is not comments fails that article's comments, named.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from newsbot.comments import COMMENT_API, MAX_ANSWER_BYTES, CommentApiError, parse_comment_page
from tests.conftest import ROOT
from tests.e2e import files, run_crawl, start_crawl
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, synthetic_world

MB = 1024 * 1024
#: Hostile answers of about a megabyte each: none of them is comments.
HOSTILE = {
    # The one the old regex choked on: a call, spaces, and anything but ")" at the end
    # (3 s at 20 KB, 117 s at 200 KB, an hour at 1 MB).
    "call_then_spaces": b"_callback()" + b" " * MB + b"x",
    "spaces": b"_callback(" + b" " * MB,
    "open_parens": b"_callback(" + b"(" * MB,
    "close_parens": b"_callback({}" + b")" * MB,
    "nested": b"_callback(" + b"[" * MB + b"]" * MB + b")",
    "unterminated_string": b'_callback({"a":"' + b"x" * MB,
    "comment_markers": b"/**/" * (MB // 4) + b"_callback(",
    "long_name": b"_" + b"a" * MB + b"({})",
}


def test_hostile_answers_are_refused_in_linear_time() -> None:
    """In a child process with a deadline: a regression hangs there, not in the suite."""
    code = """
import time
from newsbot.comments import CommentApiError, parse_comment_page
from tests.robustness.test_hostile_comment_answers import HOSTILE
for name, body in HOSTILE.items():
    t = time.monotonic()
    try:
        parse_comment_page(body)
    except CommentApiError:
        pass
    else:
        raise SystemExit(name + " was read as comments")
    print(name, round(time.monotonic() - t, 3))
"""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parsing eight 1 MB hostile comment answers took over 30 s")
    assert done.returncode == 0, done.stderr[-2000:]
    times = dict(line.split() for line in done.stdout.splitlines())
    assert set(times) == set(HOSTILE)
    assert all(float(t) < 1.0 for t in times.values()), times
    assert time.monotonic() - started < 30


def test_an_answer_over_the_limit_is_refused_unread() -> None:
    body = b"_callback(" + json.dumps({"success": True, "x": "a" * MAX_ANSWER_BYTES}).encode()
    with pytest.raises(CommentApiError, match="over the"):
        parse_comment_page(body + b");")


def test_a_real_shaped_answer_still_reads() -> None:
    body = b'/**/_callback({"success":true,"result":{"count":{"total":0},"commentList":[]}});\n'
    assert parse_comment_page(body).total == 0


DAY = "2026-05-30"


def _comment_prefix(oid: str, aid: str) -> str:
    query = urlencode([("ticket", "news"), ("pool", "cbox5"), ("lang", "ko"), ("country", "KR")])
    return f"{COMMENT_API}?{query}&objectId=news{oid}%2C{aid}*"


@pytest.mark.e2e
def test_a_crawl_with_a_hostile_comment_answer_finishes_in_normal_time(tmp_path: Path) -> None:
    world = synthetic_world(12, DAY, seed=3, comments=True)
    victim = world.articles[0]
    world.set_override(
        _comment_prefix(victim.oid, victim.aid), Override(body=HOSTILE["call_then_spaces"])
    )
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        started = time.monotonic()
        done = run_crawl(fake, out, f"date={DAY}", "comments=all", timeout=240)
        took = time.monotonic() - started
    assert took < 120, f"{took:.0f} s"  # about 5 s; the old unwrap took hours on this answer
    assert done.returncode == 4, done.stderr[-3000:]  # incomplete: one article's comments
    assert f"{victim.oid}_{victim.aid}.md" in {p.name for p in files(out).values()}
    (report_path,) = (out / "reports").glob("crawl-*.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    failed = report["comments"]["failures"]
    assert list(failed) == [f"{victim.oid}_{victim.aid}"], failed
    assert "not JSONP" in next(iter(failed.values()))


@pytest.mark.e2e
def test_ctrl_c_stops_a_crawl_fed_hostile_comment_answers(tmp_path: Path) -> None:
    """Every comment answer is a hostile megabyte: Ctrl-C is still handled in seconds."""
    world = synthetic_world(40, DAY, seed=4, comments=True)
    world.set_override(f"{COMMENT_API}*", Override(body=HOSTILE["call_then_spaces"]))
    out = tmp_path / "out"
    with FakeNaver(world).start() as fake:
        proc = start_crawl(fake, out, f"date={DAY}", "comments=all")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            COMMENT_API in r.url for r in list(fake.records)
        ):
            time.sleep(0.05)
        time.sleep(0.5)  # the answer is being read
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        try:
            _, stderr = proc.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("Ctrl-C was not handled within 45 s")
        took = time.monotonic() - sent
    assert took < 30, f"{took:.1f} s"  # a few seconds; the old unwrap held it for an hour
    assert proc.returncode == 3, stderr[-3000:]
    assert "crawl INTERRUPTED" in stderr.rstrip().splitlines()[-1]


@pytest.mark.parametrize("total", [2**64, 2**63, -1, "²", "9" * 5000, True])
def test_a_count_the_index_cannot_hold_is_read_as_unknown(total: object) -> None:
    """A count over 2^63 once raised OverflowError at the index write, leaving the written
    file outside the index; a string of 5,000 digits raised ValueError in int()."""
    answer = {"success": True, "result": {"count": {"total": total}, "commentList": []}}
    page = parse_comment_page(b"_callback(" + json.dumps(answer).encode() + b");")
    assert page.total is None


def test_the_largest_count_sqlite_holds_is_kept() -> None:
    answer = {"success": True, "result": {"count": {"total": 2**63 - 1}, "commentList": []}}
    assert parse_comment_page(json.dumps(answer).encode()).total == 2**63 - 1
