"""``reparse`` decodes a payload exactly, whatever its size up to ``MAX_PAYLOAD_BYTES``:
brotli bodies of 2 MiB and more, and zlib, raw-deflate and gzip bodies just over a MiB
multiple (review of issue 23: the first were never decoded, the second lost their tail)."""

from __future__ import annotations

import gzip
import random
import zlib

import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]
import pytest
from warcio.statusandheaders import StatusAndHeaders

from newsbot.archive import MAX_PAYLOAD_BYTES, _decoded

MiB = 1024 * 1024


def _body(size: int) -> bytes:
    noise = random.Random(size).randbytes(size // 4)
    return (noise + b"<p>naver</p>" * (size // 12 + 1))[:size]


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _headers(encoding: str) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Encoding", encoding)], protocol="HTTP/1.1")


ENCODERS = {
    "deflate (zlib)": ("deflate", zlib.compress),
    "deflate (raw)": ("deflate", _raw_deflate),
    "gzip": ("gzip", gzip.compress),
}


@pytest.mark.parametrize("size", [MiB + d for d in (-3, -1, 0, 1, 2, 5)] + [2 * MiB + 1])
@pytest.mark.parametrize("name", list(ENCODERS))
def test_deflate_bodies_around_a_mib_round_trip(name: str, size: int) -> None:
    encoding, encode = ENCODERS[name]
    body = _body(size)
    assert _decoded(_headers(encoding), encode(body)) == (body, None)


@pytest.mark.parametrize("size", [3 * MiB, 20 * MiB])
def test_brotli_bodies_of_several_mib_decode_exactly(size: int) -> None:
    body = _body(size)
    assert _decoded(_headers("br"), brotli.compress(body, quality=1)) == (body, None)


def test_a_brotli_bomb_is_still_refused() -> None:
    bomb = brotli.compress(b"\0" * (MAX_PAYLOAD_BYTES + MiB), quality=1)
    body, error = _decoded(_headers("br"), bomb)
    assert body == b"" and error is not None and "decodes to over 32 MiB" in error


def test_a_brotli_body_cut_short_is_kept_as_stored() -> None:
    stored = brotli.compress(_body(3 * MiB), quality=1)[:-1000]
    assert _decoded(_headers("br"), stored) == (stored, None)
