"""Shared test helpers: fixture pages and their hand-checked expectations."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
ARTICLES = TESTS / "fixtures" / "articles"
FROZEN_CRAWLED_AT = "2026-11-29T12:00:00+09:00"


@dataclass(frozen=True)
class ArticleFixture:
    name: str
    body: bytes
    meta: dict[str, Any]
    expected: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.meta["url"])


def article_fixtures() -> list[ArticleFixture]:
    return [
        ArticleFixture(
            d.name,
            (d / "body.html").read_bytes(),
            json.loads((d / "meta.json").read_text(encoding="utf-8")),
            json.loads((d / "expected.json").read_text(encoding="utf-8")),
        )
        for d in sorted(ARTICLES.iterdir())
        if (d / "expected.json").exists()
    ]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 300 KB tmpfs (skips the test where it cannot be mounted): a disk that fills."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[Any, int]]:
    """A real, empty redis-server on a free 127.0.0.1 port, stopped by PID afterwards."""
    from tests.services import free_port, start_redis

    port = free_port()
    server = start_redis(tmp_path / "redis", port)
    try:
        yield server, port
    finally:
        server.stop()
