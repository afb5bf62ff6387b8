"""WARC record framing: records read from a byte stream, damage named, where to resume."""

from __future__ import annotations

import io
import mmap
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)

RENDERED_HEADER = "Newsbot-Rendered"  # newsbot's WARC header: the page is a rendered DOM

MAX_RECORD_BYTES = 32 * 1024 * 1024
"""The largest record block (HTTP headers and payload, as stored) read into memory; a
larger response record is read past and named, whatever its ``Content-Length`` claims."""
_MAX_HEAD_BYTES = 256 * 1024  # a WARC record's header lines
_CHUNK = 64 * 1024


class _Damage(Exception):
    """A record that cannot be read whole; ``what`` (``: URL: …`` or empty) says why."""

    def __init__(self, what: str, start: int) -> None:
        super().__init__(what)
        self.what = what
        self.start = start  # where the record began, in the stream's bytes


class _Stream:
    """Bytes read forward from ``more(n)`` (at most ``n`` bytes, ``b""`` at the end), with
    a small look-ahead buffer; ``consumed`` counts the bytes taken out."""

    def __init__(self, more: Callable[[int], bytes]) -> None:
        self.more = more
        self.buffer = bytearray()
        self.ended = False
        self.consumed = 0
        self.step = 1024  # grows to _CHUNK: a stream of one bad header copies little

    def _fill(self, n: int) -> None:
        while len(self.buffer) < n and not self.ended:
            data = self.more(max(n - len(self.buffer), self.step))
            self.step = min(_CHUNK, self.step * 2)
            if data:
                self.buffer += data
            else:
                self.ended = True

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return bytes(self.buffer[:n])

    def read(self, n: int) -> bytes:
        self._fill(n)
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        self.consumed += len(out)
        return out

    def skip(self, n: int) -> int:
        """Read past ``n`` bytes (never more than a chunk held); how many there were."""
        done = 0
        while done < n:
            got = len(self.read(min(_CHUNK, n - done)))
            if not got:
                break
            done += got
        return done

    def skip_blank(self) -> None:
        """Read past the CR/LF that end a record (and stray ones)."""
        while True:
            self._fill(1)
            if not self.buffer or self.buffer[0] not in b"\r\n":
                return
            self.read(1)

    def read_head(self, limit: int) -> bytes | None:
        """Up to and with the first blank line (``\\r\\n\\r\\n``, or ``\\n\\n`` as
        old tools and hand-made files end header lines), if one comes within ``limit``
        bytes; else ``None`` and nothing taken."""
        searched = 0
        while True:
            found = _BLANK_LINE.search(self.buffer, max(0, searched - 3))
            if found is not None and found.end() <= limit:
                return self.read(found.end())
            if len(self.buffer) >= limit or self.ended:
                return None
            searched = len(self.buffer)
            self._fill(min(limit, len(self.buffer) + _CHUNK))


@dataclass
class _Raw:
    """One WARC record as stored: its header and block (``None``: over the limit)."""

    headers: StatusAndHeaders
    block: bytes | None
    length: int


_BLANK_LINE = re.compile(rb"\r?\n\r?\n")  # the end of a header block, CRLF or LF lines
_WARC_PARSER = StatusAndHeadersParser(["WARC/1.1", "WARC/1.0", "WARC/0.17", "WARC/0.18"])
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


def _target(headers: StatusAndHeaders) -> str:
    url = headers.get_header("WARC-Target-URI") or ""
    if url.startswith("<") and url.endswith(">"):  # WARC/1.1 drafts wrote <uri>
        url = url[1:-1]
    return url


def _next_record(stream: _Stream) -> _Raw | None:
    """The next record of ``stream``, ``None`` at its end; raises ``_Damage`` for one that
    is not whole: no header, a block shorter than its ``Content-Length``, or one that the
    ``Content-Length`` does not end (what follows is text that could be more of its block:
    not a record, not the end, not bytes no block goes on with, ``_cannot_continue``)."""
    stream.skip_blank()
    start = stream.consumed
    if not stream.peek(1):
        return None
    head = stream.read_head(_MAX_HEAD_BYTES)
    if head is None or not head.startswith(b"WARC/"):
        raise _Damage("", start)
    try:
        headers = _WARC_PARSER.parse(io.BytesIO(head))
    except (StatusAndHeadersParserException, EOFError, ValueError) as exc:
        raise _Damage("", start) from exc
    name = _target(headers) or headers.get_header("WARC-Filename") or "a record"
    try:
        length = int(headers.get_header("Content-Length") or "")
        if length < 0:
            raise ValueError(length)
    except ValueError:
        raise _Damage(f": {name}: no valid Content-Length", start) from None
    if length > MAX_RECORD_BYTES:
        got = stream.skip(length)
        block = None
    else:
        block = stream.read(length)
        got = len(block)
    if got < length:
        if headers.get_header("WARC-Payload-Digest"):
            raise _Damage(f": {name}: payload digest mismatch (truncated)", start)
        raise _Damage(f": {name}: cut short ({got} of {length} bytes)", start)
    stream.skip_blank()
    following = stream.peek(5)
    if following and following != b"WARC/" and not _cannot_continue(following):
        raise _Damage(f": {name}: its Content-Length ({length}) does not end the record", start)
    return _Raw(headers, block, length)


def _cannot_continue(following: bytes) -> bool:
    """Whether the bytes after a record's block are junk that no block goes on with: NUL
    bytes (a file grown but never written: a crash, a preallocated file) or the start of
    a next header cut short (``WAR`` at the end). The record before them is whole; the
    junk is named as unreadable when it is read as the next record."""
    return following[:1] == b"\0" or following.startswith(b"WAR") or b"WARC/".startswith(following)


_CONTENT_LENGTH = re.compile(rb"\n(?i:content-length):[ \t]{0,8}[0-9]{1,20}[ \t]{0,8}\r?\n")
_HEADER_LINE = re.compile(rb"\nWARC/1\.")
_RESYNC_PATTERNS = (_BLANK_LINE, _CONTENT_LENGTH, _HEADER_LINE)
_RESYNC_HEAD_BYTES = 8 * 1024  # how far a record header found by resync may reach


class _NextMatch:
    """The first match of ``pattern`` in ``data[at : at + _RESYNC_HEAD_BYTES]``, for ``at``
    that only grows: a match (or a stretch without one) found for one ``at`` is reused for
    the next, so that each byte is searched about once."""

    def __init__(self, data: mmap.mmap, pattern: re.Pattern[bytes], size: int) -> None:
        self.data = data
        self.pattern = pattern
        self.size = size
        self.origin = 0  # the last search was from here,
        self.limit = 0  # up to here,
        self.hit = -1  # and found this (-1: nothing)

    def find(self, at: int) -> int:
        if self.origin <= at <= self.hit:
            return self.hit  # the first from an earlier point, and past ``at``: the first
        start = at
        if self.hit < 0 and self.origin <= at < self.limit:
            start = max(at, self.limit - 64)  # (a match may straddle the last limit)
        limit = min(self.size, at + _RESYNC_HEAD_BYTES)
        found = self.pattern.search(self.data, start, limit)
        self.origin, self.limit = at, limit
        self.hit = found.start() if found is not None else -1
        return self.hit


class _Window:
    """The bytes of ``data`` from ``at`` up to ``end``, as ``_Stream`` reads them."""

    def __init__(self, data: mmap.mmap, at: int, end: int) -> None:
        self.data = data
        self.at = at
        self.end = end

    def more(self, n: int) -> bytes:
        chunk = self.data[self.at : min(self.end, self.at + n)]
        self.at += len(chunk)
        return chunk


class _Member:
    """The gzip member of ``data`` at ``start``, decompressed as it is read, never more
    than asked for at once. ``end`` is where it ends once read whole; ``damaged`` when it
    cannot be read to its end (a zlib error, the file ends first)."""

    def __init__(self, data: mmap.mmap, start: int, size: int) -> None:
        self.data = data
        self.at = start
        self.size = size
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        self.end: int | None = None
        self.damaged = False
        self.broken = False  # a zlib error (a bad CRC, bad data), not the file's end

    def more(self, n: int) -> bytes:
        while self.end is None and not self.damaged:
            data = self.inflater.unconsumed_tail
            if not data:
                if self.at >= self.size:
                    self.damaged = True
                    break
                data = self.data[self.at : min(self.size, self.at + _CHUNK)]
                self.at += len(data)
            try:
                out = self.inflater.decompress(data, max(1, n))
            except zlib.error:
                self.damaged = self.broken = True
                break
            if self.inflater.eof:
                self.end = self.at - len(self.inflater.unused_data)
            if out:
                return out
        return b""
