"""``reparse`` reads records and payloads with bounded memory: a compression bomb in a
payload (gzip, brotli) or a record far larger than any page is named and read past, and
the records after it are read (issue 23: a 47 KB file expanded to 2.1 GB in memory; under
a memory limit a MemoryError ended the run)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import ARTICLES, ROOT

PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()
EXPANDED = 256 * 1024 * 1024  # what each bomb expands to
GREW_AT_MOST = 128 * 1024 * 1024  # the reader's limits are 32 MiB

CHILD = """
import json, resource, sys
from pathlib import Path
from newsbot.archive import reparse
from newsbot.output.store import OutputStore
warm, bomb, out = map(Path, sys.argv[1:4])
reparse([warm], OutputStore(out / "warm"))  # imports, caches, a page extracted
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = reparse([bomb], OutputStore(out / "bomb"))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew": (after - before) * 1024, "outcomes": result.outcomes,
                  "failures": result.failures, "problems": result.problems}))
"""


def _url(n: int) -> str:
    return f"https://n.news.naver.com/mnews/article/082/000125{n:04d}"


def _zeros(compress: Callable[[bytes], bytes], finish: Callable[[], bytes]) -> bytes:
    chunk, out = bytes(1 << 20), []
    for _ in range(EXPANDED >> 20):
        out.append(compress(chunk))
    out.append(finish())
    return b"".join(out)


def _gzip_bomb() -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return _zeros(packer.compress, packer.flush)


def _brotli_bomb() -> bytes:
    import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]

    packer = brotli.Compressor(quality=1)
    return _zeros(packer.process, packer.finish)


def _write(writer: WARCWriter, url: str, payload: Any, length: int, encoding: str = "") -> None:
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=payload,
            length=length,
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2024-01-23T00:00:00Z"},
        )
    )


def _page(writer: WARCWriter, n: int) -> None:
    body = PAGE.replace(b"082/0001252309", f"082/000125{n:04d}".encode())
    _write(writer, _url(n), io.BytesIO(body), len(body))


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, read a chunk at a time (the writer compresses as it reads)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def _archive(path: Path, bomb: str | None) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        _page(writer, 0)
        if bomb == "huge record":  # a gzip member that holds a 256 MiB record
            _write(writer, _url(1), io.BufferedReader(_Zeros(EXPANDED)), EXPANDED)
        elif bomb is not None:
            payload = _gzip_bomb() if bomb == "gzip" else _brotli_bomb()
            _write(writer, _url(1), io.BytesIO(payload), len(payload), encoding=bomb)
        _page(writer, 2)


@pytest.mark.parametrize("bomb", ["gzip", "br", "huge record"])
def test_a_bomb_is_named_and_read_past_in_bounded_memory(tmp_path: Path, bomb: str) -> None:
    warm, bombed = tmp_path / "warm.warc.gz", tmp_path / "bomb.warc.gz"
    _archive(warm, None)
    _archive(bombed, bomb)
    assert bombed.stat().st_size < 4 * 1024 * 1024  # small on disk
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(warm), str(bombed), str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["grew"] < GREW_AT_MOST, f"{seen['grew'] / 2**20:.0f} MiB"
    assert seen["outcomes"] == {"new": 2}  # the records before and after it
    named = list(seen["failures"].values()) + seen["problems"]
    assert len(named) == 1 and _url(1) in str(seen), named
    assert "MiB" in named[0] and "not read" in named[0]
