"""Helpers for end-to-end tests: run the real ``scrapy crawl naver`` against the fake Naver."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from newsbot.dates import iso_kst
from newsbot.output.markdown import split_markdown
from newsbot.output.verify import verify_text
from newsbot.text import join_paragraphs
from tests.conftest import ROOT
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import ArticleSpec, World

#: Settings that switch politeness off for tests (the fake answers at once).
FAST = {
    "DOWNLOAD_DELAY": "0",
    "NEWSBOT_COMMENTS_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "NEWSBOT_RETRY_BACKOFF": "0",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
    "LOG_LEVEL": "INFO",
}


def crawl_command(out: Path, *args: str, **settings: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "naver"]
    for arg in args:
        command += ["-a", arg]
    for name, value in {**FAST, "NEWSBOT_OUTPUT_DIR": str(out), **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl_env(fake: FakeNaver) -> dict[str, str]:
    return {**os.environ, **fake.env()}


def search_env(fake: FakeNaver, key: tuple[str, str] | None) -> dict[str, str]:
    """``crawl_env`` with the Search API key ``key`` (None: none, whatever the environment
    of the tests holds)."""
    env = crawl_env(fake)
    env.pop("NEWSBOT_NAVER_CLIENT_ID", None)
    env.pop("NEWSBOT_NAVER_CLIENT_SECRET", None)
    if key is not None:
        env["NEWSBOT_NAVER_CLIENT_ID"], env["NEWSBOT_NAVER_CLIENT_SECRET"] = key
    return env


def run_crawl(
    fake: FakeNaver,
    out: Path,
    *args: str,
    timeout: float = 180,
    env: dict[str, str] | None = None,
    **settings: str,
) -> subprocess.CompletedProcess[str]:
    """The crawl, with ``env`` (default: ``crawl_env(fake)``)."""
    return subprocess.run(
        crawl_command(out, *args, **settings),
        cwd=ROOT,
        env=crawl_env(fake) if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_crawl(fake: FakeNaver, out: Path, *args: str, **settings: str) -> subprocess.Popen[str]:
    """The crawl, started (to be signalled or watched): its stderr is a pipe, stdout none."""
    return subprocess.Popen(
        crawl_command(out, *args, **settings),
        cwd=ROOT,
        env=crawl_env(fake),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_newsbot(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m newsbot ARGS…`` from the repository, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "newsbot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def newsbot_crawl(fake: FakeNaver, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsbot crawl`` of the 30th's politics (sid 100), comments and all, into ``out``."""
    settings = [part for name, value in FAST.items() for part in ("-s", f"{name}={value}")]
    command = ["crawl", "--date", "2026-05-30", "--sections", "100", "--comments", "all"]
    return run_newsbot(
        *command, "--output", str(out), *settings, *args, env=crawl_env(fake), timeout=180
    )


def files(out: Path) -> dict[str, Path]:
    """``{"YYYY/MM/DD/oid_aid.md": path}`` of every Markdown file written."""
    return {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*.md"))}


def expected_name(spec: ArticleSpec) -> str:
    return f"{spec.published[:4]}/{spec.published[5:7]}/{spec.published[8:10]}/{spec.oid}_{spec.aid}.md"


def collectable(world: World) -> list[ArticleSpec]:
    return [a for a in world.articles if a.listed and not a.deleted and not a.redirect_to]


def expected_for_sections(world: World, days: set[str], sections: set[str]) -> set[str]:
    return {
        expected_name(a)
        for a in collectable(world)
        if a.day in days and any(sid1 in sections for sid1, _ in a.placements())
    }


def expected_for_press(world: World, days: set[str], press: set[str]) -> set[str]:
    return {expected_name(a) for a in collectable(world) if a.day in days and a.oid in press}


def check_file(path: Path, spec: ArticleSpec) -> dict[str, Any]:
    """The file is valid, verifiable, and says what the fake served."""
    text = path.read_text(encoding="utf-8")
    assert verify_text(text) is None, path
    parsed = split_markdown(text)
    front = parsed.front_matter
    assert front["id"] == f"{spec.oid}_{spec.aid}"
    assert front["oid"] == spec.oid and front["aid"] == spec.aid
    assert front["title"] == spec.title
    assert front["published_at"] == iso_kst(spec.published)
    if spec.fixture is None:
        assert parsed.body == join_paragraphs(spec.paragraphs)
    return front


def index_rows(out: Path) -> dict[str, tuple[str, str | None, str | None]]:
    with contextlib.closing(sqlite3.connect(out / "newsbot-index.sqlite3")) as db:
        rows = db.execute("SELECT id, status, path, content_hash FROM articles").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def article_requests(fake: FakeNaver) -> list[str]:
    return [url for method, url in fake.requests if "/article/" in url and method == "GET"]


def stat(output: str, name: str) -> str | None:
    """A value from the stats dump Scrapy logs at the end."""
    for line in output.splitlines():
        line = line.strip().lstrip("{")
        if line.startswith(f"'{name}':"):
            return line.split(":", 1)[1].strip().rstrip(",}").strip("'")
    return None


class NoDNS:
    """``-s TWISTED_DNS_RESOLVER=tests.e2e.NoDNS``: every name fails to resolve, and no query
    leaves the machine (a crawl that meets a site it cannot resolve, offline)."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> NoDNS:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        from twisted.internet.interfaces import IResolverSimple
        from zope.interface import directlyProvides

        directlyProvides(self, IResolverSimple)
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        from twisted.internet import defer
        from twisted.internet.error import DNSLookupError

        return defer.fail(DNSLookupError(f"no address for {name} (tests.e2e.NoDNS)"))
