"""A record's payload as the page: de-chunked, decoded (bounded), its digest checked."""

from __future__ import annotations

import base64
import hashlib
import io
import zlib
from collections.abc import Callable
from typing import Any

from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders

MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
"""The largest payload once de-chunked and decoded: a compression bomb stops there, named."""
_MiB = 1024 * 1024


class _TooLarge(Exception):
    pass


def _decoded(http_headers: StatusAndHeaders, stored: bytes) -> tuple[bytes, str | None]:
    """The payload as the page: de-chunked (``Transfer-Encoding: chunked``), then gunzipped,
    inflated or un-brotlied per ``Content-Encoding`` (in the order listed backwards), and
    ``None``; or ``b""`` and why when it decodes to more than ``MAX_PAYLOAD_BYTES``. The
    body is ``stored`` itself when there is nothing to undo; what cannot be undone (a
    payload mislabelled as chunked or encoded) is kept as it is."""
    body = stored
    transfer = (http_headers.get_header("Transfer-Encoding") or "").lower()
    if "chunked" in transfer:
        try:  # never longer than what is stored
            body = bytes(ChunkedDataReader(io.BytesIO(stored)).read())
        except Exception:  # not chunked after all: warcio reads such data as it is
            body = stored
    encodings = [
        e.strip() for e in (http_headers.get_header("Content-Encoding") or "").lower().split(",")
    ]
    for encoding in reversed([e for e in encodings if e and e != "identity"]):
        decode = _DECODERS.get(encoding)
        if decode is None:
            break
        try:
            body = decode(body, MAX_PAYLOAD_BYTES)
        except _TooLarge:
            limit = MAX_PAYLOAD_BYTES // _MiB
            return b"", f"the payload ({encoding}) decodes to over {limit} MiB: not read"
        except Exception:  # zlib.error, brotli.error …: as stored
            break
    return body, None


def _inflated(inflater: Any, data: bytes, out: bytearray, limit: int) -> None:
    """Decompress ``data`` onto ``out``, raising ``_TooLarge`` past ``limit`` bytes. Called
    again until the stream ends or gives nothing more: with all input taken, output may
    still be pending (a body just over a MiB multiple)."""
    while not inflater.eof:  # a MiB at a time: no larger piece held besides ``out``
        piece = inflater.decompress(data, min(_MiB, limit + 1 - len(out)))
        out += piece
        if len(out) > limit:
            raise _TooLarge
        data = inflater.unconsumed_tail
        if not piece and not data:
            return  # all input taken, nothing pending: cut short, or ended


def _gunzip(data: bytes, limit: int) -> bytes:
    out, rest = bytearray(), data
    while rest:  # concatenated gzip members are one gzip stream
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
        _inflated(inflater, rest, out, limit)
        if not inflater.eof:
            break  # cut short: what could be read
        rest = inflater.unused_data.lstrip(b"\0")
        if rest[:2] != b"\x1f\x8b":
            break
    return bytes(out)


def _inflate(data: bytes, limit: int) -> bytes:
    out = bytearray()
    try:
        _inflated(zlib.decompressobj(), data, out, limit)  # zlib-wrapped, as the standard says
    except zlib.error:
        out = bytearray()
        _inflated(zlib.decompressobj(-zlib.MAX_WBITS), data, out, limit)  # raw, as some send
    return bytes(out)


def _unbrotli(data: bytes, limit: int) -> bytes:
    import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]

    decompressor = brotli.Decompressor()
    out, given = bytearray(), data
    while True:  # about a MiB at a time; the input is given once, then only empty input
        piece = decompressor.process(given, output_buffer_limit=_MiB)
        out += piece
        given = b""
        if len(out) > limit:
            raise _TooLarge
        if decompressor.is_finished():
            return bytes(out)
        if not piece:  # no progress: all input taken, and it wants more
            raise brotli.error("the brotli stream is cut short")


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
}


def _digest_ok(digest: str | None, body: bytes) -> bool:
    """Check ``WARC-Payload-Digest``: ``sha1:``/``sha256:`` (also ``sha-1``…), base32 (what
    warcio, wget and Common Crawl write) or hex. An algorithm not known here passes."""
    if not digest or ":" not in digest:
        return True  # nothing to check against
    algorithm, _, value = digest.partition(":")
    name = algorithm.strip().lower().replace("-", "")
    if name not in ("sha1", "sha256", "sha512", "md5"):
        return True
    raw = hashlib.new(name, body).digest()
    value = value.strip()
    return value.upper().rstrip("=") == base64.b32encode(raw).decode().rstrip("=") or (
        value.lower() == raw.hex()
    )
