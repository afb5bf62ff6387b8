"""Root cause (the same as the comment answers', in the article's own text): regular
expressions run over text from the site (bylines, names, e-mails, a title's suffix, a
copyright line) scanned a long run of spaces or letters again from each of its positions.
A page whose byline held 200,000 "(" took 44 s to read, the reactor blocked all the while.
Now every one of them is linear: a hostile page costs what its size costs."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

N = 1_000_000
#: Text a hostile page could hold in its body and byline, about a megabyte each.
FILLS = {
    "spaces": " " * N,
    "parens": "(" * N,
    "brackets": "[" * N,
    "email_like": "a" * (N // 2) + "@" + "a." * (N // 4),
    "at_dots": "a@a" + ".a" * (N // 2),
    "reporters": "기자 " * (N // 3),
    "reporter_parens": "기자(" * (N // 3),
    "copyright": "ⓒ" + " " * N,
    "title_like": "가" * N,
}

CHILD = """
import sys, time
from pathlib import Path
from newsbot.article import extract_article
from tests.robustness.test_hostile_article_text import FILLS

stem, url, body_open, byline_open = sys.argv[1:5]
html = Path("tests/fixtures/articles", stem, "body.html").read_bytes().decode("utf-8")
assert body_open in html and byline_open in html
for name, fill in FILLS.items():
    page = html.replace(body_open, body_open + fill + "<br>" + fill[:100_000] + " 기자<br>", 1)
    page = page.replace(byline_open, byline_open + fill, 1)
    page = page.replace("<title>", "<title>" + fill, 1)
    started = time.monotonic()
    try:
        extract_article(url, page, crawled_at="2026-01-01T00:00:00+09:00")
    except Exception:
        pass  # a named failure is fine; a hang is not
    print(name, round(time.monotonic() - started, 3), flush=True)
"""

PAGES = {
    "n.news (2023)": (
        "082_0001252309",
        "https://n.news.naver.com/mnews/article/082/0001252309",
        '<article id="dic_area" class="go_trans _article_content">',
        '<span class="byline_s">',
    ),
    "legacy read.nhn": (
        "legacy_001_0009205077",
        "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=001&aid=0009205077&sid1=001",
        '<div id="articleBodyContents" class="_article_body_contents article_body_contents">',
        "<body",
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_of_hostile_text_is_read_in_linear_time(page: str) -> None:
    """In a child process with a deadline: a regression hangs there, not in the suite."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, *PAGES[page]],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
        )
    except subprocess.TimeoutExpired as exc:
        seen = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"reading hostile pages took over 90 s; done so far: {seen!r}")
    assert done.returncode == 0, done.stderr[-3000:]
    times = {name: float(t) for name, t in (line.split() for line in done.stdout.splitlines())}
    assert set(times) == set(FILLS)
    slow = {name: t for name, t in times.items() if t > 4.0}
    assert not slow, f"{page}: {slow}"
    assert time.monotonic() - started < 90
