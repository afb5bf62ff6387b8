"""The raw archive: every fetched page in WARC files, and re-extraction from them.

With ``NEWSBOT_ARCHIVE`` on, each response (status, headers, body as received — for a
browser-rendered page, the rendered DOM) is appended to
``OUTPUT/archive/newsbot-<start>-<pid>-<n>.warc.gz``, one gzip member per record, a new
file past ``NEWSBOT_ARCHIVE_MAX_BYTES``. ``reparse`` reads those files back and runs the
same extraction, normalisation, hashing and writing as a crawl, without any request.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import json
import logging
import mmap
import os
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.article import decode_html, finalize, page_for
from newsbot.comments import (
    COMMENT_API,
    COMMENT_HOST,
    Mode,
    Status,
    merge_comments,
    parse_comment_page,
)
from newsbot.dates import KST, kst_date_of, now_kst, to_iso
from newsbot.errors import InvalidArticleUrl, NewsbotError, describe_exception
from newsbot.items import Article, ArticleComments
from newsbot.ledger import crawl_ledger
from newsbot.pages.api import API_LAYOUTS
from newsbot.pages.rendered import RENDERED_LAYOUTS
from newsbot.sites import SITES
from newsbot.storage import NotWritten, OutputStore, WriteError
from newsbot.urls import NEWS, ArticleId, parse_any_article_url

logger = logging.getLogger(__name__)

RENDERED_HEADER = "Newsbot-Rendered"
# Headers that describe the transfer, not the body Scrapy hands over (already decoded).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_API_HOSTS = {site.api_host: kind for kind, site in SITES.items() if site.api_host}


class ArchiveWriteError(OSError):
    """A record could not be stored (full or read-only disk …); the file holds only whole
    records all the same (see ``WarcArchive``)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(
            cause.errno, f"cannot write the archive: {path}: {cause.strerror or cause}"
        )
        self.path = path
        self.cause = cause


class _GzipMembers:
    """What warcio's writer writes into: one gzip member per record, at level 6 (warcio's
    own wrapper uses 9: twice the CPU for 0.6 % less disk on Naver pages).

    A record is compressed in memory and written whole when warcio flushes it, to an
    unbuffered file: nothing of a failed record lingers in a buffer to be written later.
    ``offset`` is the end of the last record written whole."""

    def __init__(self, out: Any, offset: int, level: int = 6) -> None:
        self.out = out
        self.offset = offset
        self.level = level
        self.pending = bytearray()
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.pending += self.compressor.compress(data)

    def flush(self) -> None:  # warcio calls this at the end of every record
        self.pending += self.compressor.flush()
        member, self.pending = memoryview(bytes(self.pending)), bytearray()
        self.compressor = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        written = 0
        while written < len(member):  # a raw write may be short (a disk filling up)
            count = self.out.write(member[written:])
            if not count:
                raise OSError(errno.EIO, "the archive file took no bytes")
            written += count
        self.offset += written

    def discard(self) -> None:
        """Forget a record that failed half-way."""
        self.pending = bytearray()
        self.compressor = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def tell(self) -> int:
        return self.offset


class WarcArchive:
    """Appends response records to size-rotated ``.warc.gz`` files in ``directory``.

    A failed write (``ArchiveWriteError``) never leaves a partial record for the next one
    to follow: the file is truncated back to the end of its last whole record, or, if even
    that fails, left alone for good and the next record starts a new file."""

    def __init__(self, directory: Path, max_bytes: int, info: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.info = info or {}
        self.stem = f"newsbot-{now_kst():%Y%m%dT%H%M%S}-{os.getpid()}"
        self.sequence = 0
        self.path: Path | None = None
        self.handle: Any = None  # an unbuffered binary file
        self.members: _GzipMembers | None = None
        self.writer: WARCWriter | None = None
        self.records = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.stem}-{self.sequence:05d}.warc.gz"
        self.sequence += 1
        self.path = path
        self.handle = path.open("ab", buffering=0)
        self.members = _GzipMembers(self.handle, self.handle.seek(0, io.SEEK_END))
        self.writer = WARCWriter(self.members, gzip=False)
        # Which crawl wrote the file: reparse applies the same date range.
        info = self.writer.create_warcinfo_record(
            path.name, {"json-metadata": json.dumps(self.info)}
        )
        try:
            self._append(info)
        except OSError:
            # Records without the file's warcinfo would lose the crawl's dates: the next
            # record opens the file again (or a new one, if this one cannot be emptied).
            emptied = self.members is not None and self.members.offset == 0
            self.close()
            if emptied:
                with contextlib.suppress(OSError):
                    path.unlink()
                    self.sequence -= 1
            raise

    def _append(self, record: Any) -> None:
        assert self.writer is not None and self.members is not None
        start = self.members.offset
        try:
            self.writer.write_record(record)  # flushed: a killed crawl loses one record at most
        except OSError:
            self.members.discard()
            self._cut_back(start)
            raise

    def _cut_back(self, offset: int) -> None:
        """Truncate the file to ``offset`` (the end of its last whole record), or stop
        writing to it if that fails: never append behind a partial gzip member."""
        try:
            self.handle.truncate(offset)
            if self.handle.seek(0, io.SEEK_END) != offset:
                raise OSError(errno.EIO, "truncation did not take")
        except (OSError, ValueError):
            self.close()  # the next record opens a new file

    def write(
        self,
        url: str,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        fetched: datetime,
        rendered: bool = False,
    ) -> None:
        """Append one response record; raises ``ArchiveWriteError`` if it cannot."""
        try:
            if self.members is None or self.members.offset >= self.max_bytes:
                self.close()
                self._open()
            assert self.writer is not None
            http_headers = StatusAndHeaders(
                f"{status} {'OK' if status == 200 else 'Status'}",
                [(k, v) for k, v in headers if k.lower() not in _TRANSFER_HEADERS],
                protocol="HTTP/1.1",
            )
            warc_headers = {"WARC-Date": fetched.astimezone(KST).isoformat(timespec="seconds")}
            if rendered:
                warc_headers[RENDERED_HEADER] = "true"
            record = self.writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),  # known: warcio spools no copy (and leaks none)
                http_headers=http_headers,
                warc_headers_dict=warc_headers,
            )
            self._append(record)
        except OSError as exc:
            path = Path(os.fsdecode(exc.filename)) if exc.filename else self.path
            raise ArchiveWriteError(path or self.directory, exc) from exc
        self.records += 1

    def close(self) -> None:
        handle, self.handle = self.handle, None
        self.members = None
        self.writer = None
        if handle is not None:
            handle.close()  # unbuffered: nothing is left to write


class ArchiveExtension:
    """``NEWSBOT_ARCHIVE``: store every fetched page raw (see the module docstring).

    A write error fails the crawl, as an output write error does: one ERROR line,
    ``newsbot/exit_reason`` set, the spider closed; later errors only count in
    ``newsbot/archive/write_errors``."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_ARCHIVE"):
            raise NotConfigured
        self.root = Path(settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.max_bytes = settings.getint("NEWSBOT_ARCHIVE_MAX_BYTES")
        self.archive: WarcArchive | None = None
        self.stats = crawler.stats
        self.crawler = crawler
        self.stopping = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        args = crawl_ledger(self.crawler).args
        info: dict[str, Any] = {"software": f"newsbot/{__version__}"}
        if args is not None and args.mode != "urls":
            info["dates"] = [str(args.dates[0]), str(args.dates[-1])]
        self.archive = WarcArchive(self.root / "archive", self.max_bytes, info)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        assert self.archive is not None
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            for v in values
        ]
        try:
            self.archive.write(
                response.url,
                response.status,
                headers,
                response.body,
                fetched=now_kst(),
                rendered=bool(request.meta.get("playwright")),
            )
        except ArchiveWriteError as exc:
            self._stop_on_write_error(exc)
            return
        if self.stats is not None:
            self.stats.inc_value("newsbot/archive/records")

    def _stop_on_write_error(self, exc: ArchiveWriteError) -> None:
        """Pages that cannot be archived are pages a reparse will miss: stop the crawl."""
        if self.stats is not None:
            self.stats.inc_value("newsbot/archive/write_errors")
        if self.stopping:
            return
        self.stopping = True
        reason = exc.strerror or str(exc)
        if self.stats is not None and not self.stats.get_value("newsbot/exit_reason"):
            self.stats.set_value("newsbot/exit_reason", reason)
        logger.error("%s; stopping the crawl (records already archived are intact)", reason)
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))

    def spider_closed(self, spider: Spider) -> None:
        if self.archive is not None:
            try:
                self.archive.close()
            except OSError as exc:
                logger.error("cannot close the archive %s: %s", self.archive.path, exc)


@dataclass
class ArchivedPage:
    url: str
    status: int
    content_type: str | None
    body: bytes  # the payload decoded as served: de-chunked, Content-Encoding undone
    fetched: str
    rendered: bool
    dates: tuple[str, str] | None = None  # the date range of the crawl that fetched it
    where: tuple[int, int] = (0, 0)  # (file, n): the n-th page read from the file-th file
    error: str | None = None  # why the payload cannot be read (over MAX_PAYLOAD_BYTES)


@dataclass
class ReadStats:
    """What ``read_archive`` saw besides the pages it yields: records it skipped by kind
    (``revisit``, other record types; request, metadata and warcinfo records accompany
    pages and are not counted), and how far it got (``bytes_read`` of the files, as
    stored)."""

    skipped: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    bytes_done: int = 0  # of the files already read whole
    sizes: dict[int, int] = field(default_factory=dict)  # how far each file was read


# Records that accompany a response (what was asked, what the crawler noted): not pages.
_COMPANION_RECORDS = {"warcinfo", "request", "metadata"}

MAX_RECORD_BYTES = 32 * 1024 * 1024
"""The largest record block (HTTP headers and payload, as stored) read into memory; a
larger response record is read past and named, whatever its ``Content-Length`` claims."""
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
"""The largest payload once de-chunked and decoded: a compression bomb stops there, named."""
_MAX_HEAD_BYTES = 256 * 1024  # a WARC record's header lines
_MiB = 1024 * 1024


def read_archive(
    paths: Iterable[Path], problems: list[str], stats: ReadStats | None = None
) -> Iterator[ArchivedPage]:
    """Response records of WARC files, in order, newsbot's own and other tools' (Common
    Crawl, wget ``--warc-file``, warcprox): the HTTP payload is de-chunked and its
    ``Content-Encoding`` undone; ``revisit`` and other record types are counted in
    ``stats.skipped``; request, metadata and warcinfo records are read past.

    Memory is bounded whatever the files hold: a record over ``MAX_RECORD_BYTES`` is read
    past (``PATH: URL: record of N bytes, over the … limit: not read`` in ``problems``), a
    payload that decodes to more than ``MAX_PAYLOAD_BYTES`` is yielded with ``error`` set.

    A damaged stretch (a record cut short by a killed crawl or a full disk, a wrong
    ``Content-Length``, bytes overwritten or inserted) is skipped up to the next record that
    reads whole — in a ``.warc.gz`` the next gzip member, in a ``.warc`` the next
    ``WARC/1.`` header line — and noted in ``problems`` as ``PATH: bytes A-B unreadable (N
    bytes skipped)`` (from offset A up to B, where the next whole record starts, or the end
    of the file), with the record's URL and what was wrong when its header could be read. A
    record is never yielded shorter than its ``Content-Length``. An unreadable file is noted
    and skipped.
    """
    yield from _read_files(list(enumerate(paths)), problems, stats or ReadStats(), _always)


def _always(page: ArchivedPage) -> bool:
    return True


def _read_files(
    files: list[tuple[int, Path]],
    problems: list[str],
    stats: ReadStats,
    decode: Callable[[ArchivedPage], bool],
    sizes: dict[int, int] | None = None,
) -> Iterator[ArchivedPage]:
    """``read_archive`` over ``(number, path)`` pairs (``ArchivedPage.where`` names the file
    by its number); a page's payload is decoded only if ``decode(page)`` (else ``body`` is
    empty): the same pages, with the same ``where``, either way. With ``sizes`` (by file
    number), a file is read only that far: what was appended since is named in
    ``problems``, not read."""
    for number, path in files:
        size = 0
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if sizes is not None and size != sizes.get(number, 0):
                    planned = sizes.get(number, 0)
                    if size > planned:
                        problems.append(
                            f"{path}: bytes {planned}-{size} written after reparse began: not "
                            "read (run reparse again for them)"
                        )
                    else:
                        problems.append(
                            f"{path}: {planned - size} bytes shorter than when reparse began: "
                            "what it held then may be missing"
                        )
                    size = min(size, planned)
                stats.sizes[number] = size
                if size == 0:
                    continue
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    reader = _FileReader(path, number, data, size, problems, stats, decode)
                    if data[:5] == b"WARC/":  # not compressed
                        yield from reader.plain()
                    else:
                        yield from reader.members()
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: {type(exc).__name__}: {exc}")
        finally:
            stats.bytes_done += size
            stats.bytes_read = stats.bytes_done


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


_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate: where a gzip member can start
_CHUNK = 64 * 1024
_RELEASE_BYTES = 16 * 1024 * 1024


@dataclass
class _FileReader:
    """Reads one archive file (mapped, read forward: pages already read are let go)."""

    path: Path
    number: int
    data: mmap.mmap
    size: int
    problems: list[str]
    stats: ReadStats
    decode: Callable[[ArchivedPage], bool]
    dates: tuple[str, str] | None = None  # from the file's warcinfo record
    pages: int = 0
    released: int = 0

    def report(self, start: int, end: int, what: str) -> None:
        self.problems.append(
            f"{self.path}: bytes {start}-{end} unreadable ({end - start} bytes skipped){what}"
        )

    def progress(self, offset: int) -> None:
        self.stats.bytes_read = self.stats.bytes_done + offset
        if offset - self.released >= _RELEASE_BYTES:
            # Reading never goes back before ``offset``: let the pages read so far go,
            # so that a multi-GB file does not stay mapped in memory as it is read.
            self.released = offset - offset % mmap.PAGESIZE
            with contextlib.suppress(AttributeError, OSError, ValueError):
                self.data.madvise(mmap.MADV_DONTNEED, 0, self.released)

    def plain(self) -> Iterator[ArchivedPage]:
        """An uncompressed ``.warc``: after a damaged record, the next ``WARC/1.`` header
        line that starts a readable record (the damaged one's block may hide it)."""
        gap: list[Any] | None = None  # [start, end, what the first damaged record was]
        finders = [_NextMatch(self.data, p, self.size) for p in _RESYNC_PATTERNS]
        position = 0
        while position < self.size:
            base = position
            stream = _Stream(_Window(self.data, base, self.size).more)
            try:
                while (raw := _next_record(stream)) is not None:
                    if gap is not None:
                        self.report(*gap)
                        gap = None
                    self.progress(base + stream.consumed)
                    yield from self.page(raw)
                break
            except _Damage as damage:
                start = base + damage.start
                position = self.resync(start + 1, *finders)
                self.progress(position)
                if gap is not None and gap[1] == start:  # damage after damage: one gap
                    gap[1] = position
                else:
                    if gap is not None:
                        self.report(*gap)
                    gap = [start, position, damage.what]
        if gap is not None:
            self.report(*gap)

    def resync(self, at: int, blank: _NextMatch, length: _NextMatch, line: _NextMatch) -> int:
        """Where the next plausible record header (``WARC/1.0`` or ``WARC/1.1``, ending
        within ``_RESYNC_HEAD_BYTES`` and with a ``Content-Length``) starts, from ``at``
        (or the end of the file); the last of several ``WARC/1.`` lines before one blank
        line (the others are garbage, not the record's header). Each byte is searched about
        once, whatever the file holds (many ``WARC/1.`` lines cost no more than one):
        nothing is copied, and what was found for one candidate serves the next ones."""
        while True:
            found = self.data.find(b"WARC/1.", at, self.size)
            if found < 0:
                return self.size
            # Not only at a line's start: a record cut short ends anywhere.
            version = self.data[found + 7 : found + 10]
            if version in (b"0\r\n", b"1\r\n") or version[:2] in (b"0\n", b"1\n"):
                end = blank.find(found)
                if end >= 0 and 0 <= length.find(found) < end and not 0 <= line.find(found) < end:
                    return found
            at = found + 1

    def members(self) -> Iterator[ArchivedPage]:
        """A ``.warc.gz``, gzip member by gzip member: after a damaged one, reading resumes
        at the next gzip header; damaged stretches that follow each other are one gap.

        A member's last record is held until the member's end (its CRC and length) is
        checked: a member that fails it is damage, and gives no page. (Records before the
        last one of a member, when a tool puts several in one, go as they are read: memory
        stays one record.)"""
        gap: list[Any] | None = None  # [start, end, what the first damaged record was]
        position = 0
        while position < self.size:
            self.progress(position)
            what = ""
            if self.data[position : position + 3] == _GZIP_MAGIC:
                member = _Member(self.data, position, self.size)
                stream = _Stream(member.more)
                held: _Raw | None = None
                try:
                    while (raw := _next_record(stream)) is not None:
                        if held is not None:
                            yield from self.page(held)
                        held = raw
                except _Damage as damage:
                    what = damage.what
                else:
                    if member.end is not None:
                        if gap is not None:
                            self.report(*gap)
                            gap = None
                        if held is not None:
                            yield from self.page(held)
                        position = member.end
                        continue
                    if held is not None:
                        what = f": {_target(held.headers) or 'a record'}: " + (
                            "its gzip member fails its check (CRC or length)"
                            if member.broken
                            else "its gzip member is cut short"
                        )
            found = self.data.find(_GZIP_MAGIC, position + 1, self.size)
            end = self.size if found < 0 else found
            if gap is None:
                gap = [position, end, what]
            else:  # damaged stretches follow each other: one gap
                gap[1] = end
            position = end
        if gap is not None:
            self.report(*gap)

    def page(self, raw: _Raw) -> Iterator[ArchivedPage]:
        """The page a record holds, if it is a response (what else it is, counted)."""
        headers, stats = raw.headers, self.stats
        kind = headers.get_header("WARC-Type")
        if kind == "warcinfo":
            dates = _warcinfo_dates(raw.block or b"")
            if dates is not None or self.dates is None:
                self.dates = dates
            return
        url = _target(headers)
        if kind in _COMPANION_RECORDS:
            return
        if kind == "resource" and not url.lower().startswith(("http:", "https:")):
            return  # a tool's own log or manifest (wget's metadata://…/wget.log)
        if kind != "response":
            stats.skipped[kind or "unknown record type"] += 1
            return
        if raw.block is None:
            limit = MAX_RECORD_BYTES // _MiB
            self.problems.append(
                f"{self.path}: {url}: record of {raw.length} bytes, over the {limit} MiB "
                "limit: not read"
            )
            return
        http = None
        stored = b""
        if raw.length and url.lower().startswith(("http:", "https:")):
            block = io.BytesIO(raw.block)
            with contextlib.suppress(StatusAndHeadersParserException, EOFError, ValueError):
                http = _HTTP_PARSER.parse(block)
                stored = raw.block[block.tell() :]  # the payload as stored: chunked, encoded
        if http is None:  # a dns: record, an FTP listing …
            stats.skipped["dns" if url.startswith("dns:") else "not HTTP"] += 1
            return
        if headers.get_header("WARC-Truncated"):
            # Cut by the crawler itself (Common Crawl past 1 MiB): not damage, not a page.
            stats.skipped["truncated by the crawler"] += 1
            return
        try:
            status = int(http.get_statuscode() or 0)
        except ValueError:
            status = 0
        page = ArchivedPage(
            url=url,
            status=status,
            content_type=http.get_header("Content-Type"),
            body=b"",
            fetched=headers.get_header("WARC-Date") or "",
            rendered=headers.get_header(RENDERED_HEADER) == "true",
            dates=self.dates,
            where=(self.number, self.pages),
        )
        digest = headers.get_header("WARC-Payload-Digest")
        body: bytes | None = None
        if not _digest_ok(digest, stored):
            body, page.error = _decoded(http, stored)
            if page.error is None and (body is stored or not _digest_ok(digest, body)):
                # An uncompressed record cut short reads as a shorter body without an error.
                self.problems.append(f"{self.path}: {url}: payload digest mismatch (truncated)")
                return
        self.pages += 1
        if self.decode(page):
            if body is None:
                body, page.error = _decoded(http, stored)
            page.body = b"" if page.error else body
        yield page


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


def _warcinfo_dates(block: bytes) -> tuple[str, str] | None:
    for line in block.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "json-metadata":
            try:
                dates = json.loads(value).get("dates")
            except (ValueError, AttributeError):
                return None
            if isinstance(dates, list) and len(dates) == 2:
                return str(dates[0]), str(dates[1])
    return None


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


def archive_files(inputs: Iterable[Path]) -> list[Path]:
    """WARC files named directly, and those under named directories, in name order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*.warc*") if p.is_file()))
        else:
            found.append(item)
    return found


def skip_reason(page: ArchivedPage) -> str | None:
    """Why ``page`` holds no article to extract (the kind a reparse counts it under), or
    ``None`` when it should hold one: ``robots.txt``, ``non-Naver``, ``not 200``,
    ``not an article`` (a Naver listing, search, a JSON list endpoint …) and ``app shell``
    (a sports or entertainment page fetched without a browser: no article in it)."""
    try:
        parts = urlsplit(page.url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "non-Naver"
    if parts.path == "/robots.txt":
        return "robots.txt"
    if _comment_page(page.url) is not None:
        return None if page.status == 200 else "not 200"
    if not (host == "naver.com" or host.endswith(".naver.com")):
        return "non-Naver"
    if page.status != 200:
        return "not 200"
    if host in _API_HOSTS:
        segments = parts.path.rstrip("/").split("/")
        return None if len(segments) >= 5 and segments[-3] == "article" else "not an article"
    try:
        _, kind = parse_any_article_url(page.url)
    except InvalidArticleUrl:
        return "not an article"
    if kind != NEWS and not page.rendered:
        return "app shell"
    return None


def extract_archived(page: ArchivedPage) -> Article | None:
    """The article in an archived response, or ``None`` when it is not an article page
    (a listing, a redirect, an error). Raises ``ExtractError`` when it should be one."""
    if page.status != 200:
        return None
    host = (urlsplit(page.url).hostname or "").lower()
    crawled_at = to_iso(datetime.fromisoformat(page.fetched)) if page.fetched else None
    if host in _API_HOSTS:
        parts = urlsplit(page.url).path.rstrip("/").split("/")
        if len(parts) < 5 or parts[-3] != "article":
            return None  # a list endpoint
        from newsbot.urls import ArticleId

        try:
            article_id = ArticleId(parts[-2], parts[-1])
        except InvalidArticleUrl:
            return None  # not an article newsbot asked for (e.g. a redirect to a bad id)
        return finalize(
            API_LAYOUTS[_API_HOSTS[host]].from_json(article_id, page.body).to_article(crawled_at)
        )
    try:
        article_id, kind = parse_any_article_url(page.url)
    except InvalidArticleUrl:
        return None
    html = decode_html(page.body, page.content_type)
    if kind == NEWS:
        return finalize(page_for(article_id, Selector(text=html)).to_article(crawled_at))
    if page.rendered:
        rendered = RENDERED_LAYOUTS[kind](article_id, Selector(text=html))
        return finalize(rendered.to_article(crawled_at))
    return None  # an app shell fetched without a browser holds no article


_COMMENT_PATH = urlsplit(COMMENT_API).path


@dataclass(frozen=True)
class _CommentRequest:
    """What a comment API URL asked for."""

    article: ArticleId
    probe: bool  # pageSize=1: the count only
    first: bool  # the first page of the comment list (not a next page, not replies)
    parent: str | None  # the comment whose replies this page lists


def _comment_page(url: str) -> _CommentRequest | None:
    """The article and kind of a comment API URL newsbot makes (``None``: not one)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() != COMMENT_HOST or parts.path != _COMMENT_PATH:
        return None
    query = parse_qs(parts.query)
    object_id = (query.get("objectId") or [""])[0]
    oid, _, aid = object_id.removeprefix("news").partition(",")
    if not object_id.startswith("news"):
        return None
    try:
        article = ArticleId(oid, aid)
    except (InvalidArticleUrl, ValueError):
        return None
    probe = (query.get("pageSize") or [""])[0] == "1"
    first = "moreParam.next" not in query and "parentCommentNo" not in query
    parents = query.get("parentCommentNo")
    parent = parents[0] if parents else None
    return _CommentRequest(article, probe, first, parent)


def _setting(name: str) -> bool:
    """A boolean setting as every command reads it (``newsbot.config.value``: the
    environment, else the settings module, else the default)."""
    from newsbot import config

    return bool(config.value(name))


def _when(fetched: str) -> float:
    """A record's ``WARC-Date`` as POSIX seconds (any offset; none is UTC), ``-inf`` when
    it has none that reads."""
    try:
        moment = datetime.fromisoformat(fetched.strip())
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


Rank = tuple[float, int, int]  # (fetch time, file, n): the newer fetch is the greater


def _rank(page: ArchivedPage) -> Rank:
    """Which fetch is newer: by ``WARC-Date``; at the same second, the one read later
    (a later file in the command's order, or later in the same file)."""
    return (_when(page.fetched), *page.where)


@dataclass
class _Answers:
    """What the comment answers of one article read so far hold: per ``comment_no`` the
    record of the newest answer that listed it (with its rank), the count of the newest
    counting answer, and when the newest answer was fetched."""

    mode: str = Mode.COUNT
    records: dict[str, tuple[Rank, dict[str, Any]]] = field(default_factory=dict)
    counted: Rank | None = None
    count: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    newest: Rank | None = None
    fetched: str = ""


class CommentRebuilder:
    """Rebuilds ``.comments.jsonl`` files and ``comment_count`` from archived comment
    answers, as the crawl wrote them (``OutputStore.save_comments``: the union of what
    every answer listed). The newest answer wins whatever order the answers are read in
    (their rank, as articles': ``WARC-Date``, then file and record order): per
    ``comment_no`` the newest answer that listed it, the count (a probe, ``pageSize=1``,
    or a first page) and the comments' time from the newest.

    An article is written once all its answers are read (``expected``, counted by the
    plan pass), else at the end; when more than ``held`` articles are waiting, the one
    touched least recently is written early, and what it had is kept (ranks, count) so that
    an older answer read later changes nothing it should not."""

    def __init__(
        self,
        store: OutputStore,
        result: ReparseResult,
        held: int = 256,
        expected: Counter[str] | None = None,
    ) -> None:
        self.store = store
        self.result = result
        self.held = held
        self.expected = expected if expected is not None else Counter()
        # As the crawl that wrote them had them (the environment, the settings module).
        self.personal = _setting("NEWSBOT_COMMENTS_PERSONAL_FIELDS")
        self.keep_deleted_text = _setting("NEWSBOT_COMMENTS_KEEP_DELETED_TEXT")
        self.waiting: dict[str, _Answers] = {}
        self.written: dict[str, _Answers] = {}  # written early: the ranks, without records
        self.seen: Counter[str] = Counter()  # answers read, per article

    def add(self, page: ArchivedPage, request: _CommentRequest) -> None:
        answer = parse_comment_page(page.body, personal=self.personal)  # errors: named above
        key = request.article.key
        item = self.waiting.pop(key, None) or _Answers()
        self.waiting[key] = item  # last touched last
        rank = _rank(page)
        if item.newest is None or rank > item.newest:
            item.newest, item.fetched = rank, page.fetched
        counts = answer.total is not None and request.first  # a probe, or a first page
        if counts and (item.counted is None or rank > item.counted):
            item.counted, item.count, item.counts = rank, answer.total, answer.counts
        if not request.probe:
            item.mode = Mode.ALL
            for record in answer.comments:
                if request.parent is not None and record["parent_comment_no"] != request.parent:
                    continue  # (a reply list may repeat its parent, as Thread.take knows)
                self._keep(item, rank, record)
        self.result.comment_pages += 1
        self.seen[key] += 1
        if self.seen[key] >= self.expected[key] > 0:
            self.write(key)
        elif len(self.waiting) > self.held:
            self.write(next(iter(self.waiting)))

    def missed(self, key: str) -> None:
        """An answer of ``key`` that could not be read: one fewer to wait for."""
        self.seen[key] += 1
        if key in self.waiting and self.seen[key] >= self.expected[key] > 0:
            self.write(key)

    def _keep(self, item: _Answers, rank: Rank, record: dict[str, Any]) -> None:
        number = str(record["comment_no"])
        before = item.records.get(number)
        if before is None:
            item.records[number] = (rank, record)
            return
        (_, old), (new_rank, new) = sorted([before, (rank, record)], key=lambda r: r[0])
        # The newer wins; a deleted one keeps what the API blanks (merge_comments' rules).
        merged = merge_comments([old], [new], keep_deleted_text=self.keep_deleted_text)
        item.records[number] = (new_rank, merged[0])

    def write(self, key: str) -> None:
        item = self.waiting.pop(key)
        earlier = self.written.get(key)
        if earlier is not None:  # written early: what an older answer read now may change
            if earlier.newest is not None and (item.newest is None or earlier.newest > item.newest):
                item.newest, item.fetched = earlier.newest, earlier.fetched
            if earlier.counted is not None and (
                item.counted is None or earlier.counted > item.counted
            ):
                item.counted, item.count, item.counts = (
                    earlier.counted,
                    earlier.count,
                    earlier.counts,
                )
            item.records = {
                n: kept
                for n, kept in item.records.items()
                if n not in earlier.records or kept[0] > earlier.records[n][0]
            }
            if earlier.mode == Mode.ALL:
                item.mode = Mode.ALL
        comments = ArticleComments(key, item.mode, Status.COLLECTED, count=item.count)
        comments.counts = item.counts
        comments.comments = [record for _, record in item.records.values()]
        expected = self.expected[key]
        if earlier is not None or not expected or self.seen[key] < expected:  # may come again
            kept = replace(item, records=dict((earlier or item).records))
            kept.records.update((n, (rank, {})) for n, (rank, _) in item.records.items())
            self.written[key] = kept
        try:
            when = to_iso(datetime.fromisoformat(item.fetched)) if item.fetched else None
            self.store.save_comments(comments, when or "", keep_deleted_text=self.keep_deleted_text)
        except NotWritten:
            self.result.skipped["comments of an article not written"] += 1
            return
        except WriteError:
            raise
        except Exception as exc:  # a hostile record: named, and the others still written
            self.result.failures[f"comments of {key}"] = describe_exception(exc)
            return
        self.result.comment_articles += 1 if earlier is None else 0

    def finish(self) -> None:
        while self.waiting:
            self.write(next(iter(self.waiting)))


@dataclass
class ReparseResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # records without an article, by kind
    records: int = 0  # pages (response records) and revisits read
    comment_pages: int = 0  # comment API answers read
    comment_articles: int = 0  # articles whose comments were written again
    seconds: float = 0.0
    bytes_read: int = 0  # of the archive files, as stored
    # The chosen fetches that gave no article, by article: an older fetch is tried next.
    unwritten: dict[str, Rank] = field(default_factory=dict)
    failed_keys: dict[str, list[str]] = field(default_factory=dict)  # article: failed URLs
    # Failures of a newer fetch whose article an older fetch gave (URL: why): not failures.
    replaced: dict[str, str] = field(default_factory=dict)
    phase: str = "write"  # of a progress report: "plan" (headers only) or "write"

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())

    def skipped_line(self) -> str:
        """``skipped 45 record(s): 30 non-Naver, 8 robots.txt, 5 revisit, 2 not 200``
        (most first), or ``""`` when nothing was skipped."""
        total = sum(self.skipped.values())
        if not total:
            return ""
        kinds = sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
        return f"skipped {total} record(s): " + ", ".join(f"{n} {kind}" for kind, n in kinds)

    def add(self, part: ReparseResult) -> None:
        """Count ``part`` (another job's, or another pass's) in."""
        self.outcomes.update(part.outcomes)
        self.failures.update(part.failures)
        self.problems.extend(part.problems)
        self.skipped.update(part.skipped)
        self.records += part.records
        self.comment_pages += part.comment_pages
        self.comment_articles += part.comment_articles
        self.bytes_read += part.bytes_read
        self.unwritten.update(part.unwritten)
        for key, urls in part.failed_keys.items():
            self.failed_keys.setdefault(key, []).extend(urls)
        self.replaced.update(part.replaced)


SUPERSEDED = "superseded"  # the skip kind of a fetch that a newer fetch of its article replaced


def _article_key(page: ArchivedPage) -> str | None:
    """The article a page would be written as (``oid_aid``), or ``None`` for a page that
    holds none, or whose article only its extraction can tell."""
    if skip_reason(page) is not None or _comment_page(page.url) is not None:
        return None
    try:
        parts = urlsplit(page.url)
        if (parts.hostname or "").lower() in _API_HOSTS:
            segments = parts.path.rstrip("/").split("/")
            return ArticleId(segments[-2], segments[-1]).key
        return parse_any_article_url(page.url)[0].key
    except (InvalidArticleUrl, ValueError, IndexError):
        return None


@dataclass
class _Plan:
    """What the first pass over the archives found: every fetch of each article (its
    ranks, newest last once ``sort``-ed), which files hold comment answers and how many
    answers each article has, and how far each file was read (``sizes``)."""

    fetches: dict[str, list[Rank]] = field(default_factory=dict)
    comment_files: set[int] = field(default_factory=set)
    answers: Counter[str] = field(default_factory=Counter)
    sizes: dict[int, int] = field(default_factory=dict)

    def merge(self, part: _Plan) -> None:
        for key, ranks in part.fetches.items():
            self.fetches.setdefault(key, []).extend(ranks)
        self.comment_files |= part.comment_files
        self.answers.update(part.answers)
        self.sizes.update(part.sizes)

    def sort(self) -> None:
        for ranks in self.fetches.values():
            ranks.sort()


def _plan_part(
    files: list[tuple[int, Path]], progress: Callable[[ReparseResult], None] | None = None
) -> _Plan:
    """Every fetch of each article in ``files``, and their comment answers; headers and
    digests only, no payload decoded, no extraction. ``progress`` (``phase`` ``plan``) is
    called after every record."""
    plan = _Plan()
    stats = ReadStats()
    report = ReparseResult(phase="plan")
    started = time.monotonic()
    for page in _read_files(files, [], stats, _never, sizes=None):
        if progress is not None:
            report.records += 1
            report.bytes_read = stats.bytes_read
            report.seconds = time.monotonic() - started
            progress(report)
        request = _comment_page(page.url)
        if request is not None:
            plan.comment_files.add(page.where[0])
            if page.status == 200:
                plan.answers[request.article.key] += 1
            continue
        key = _article_key(page)
        if key is not None:
            plan.fetches.setdefault(key, []).append(_rank(page))
    plan.sizes = stats.sizes
    return plan


def _never(page: ArchivedPage) -> bool:
    return False


def _write_part(
    files: list[tuple[int, Path]],
    chosen: set[Rank],
    store: OutputStore,
    start: str | None,
    end: str | None,
    *,
    first: bool,
    sizes: dict[int, int] | None = None,
    progress: Callable[[ReparseResult], None] | None = None,
) -> ReparseResult:
    """Extract and write the ``chosen`` fetches of ``files`` (read as far as ``sizes``:
    the plan pass saw no further). The first pass also counts every other record (skipped
    by kind, ``superseded`` for an older fetch) and the damage found; a later one (older
    fetches of articles whose newest gave none) only its own."""
    result = ReparseResult()
    stats = ReadStats()  # what the reader skipped (revisits …), merged into result.skipped
    problems = result.problems if first else []
    started = time.monotonic()

    def wanted(page: ArchivedPage) -> bool:
        if _rank(page) in chosen:
            return True
        return (
            first
            and skip_reason(page) is None
            and _comment_page(page.url) is None
            and (_article_key(page) is None)
        )

    def merge() -> None:
        if first:
            result.records += sum(stats.skipped.values())
            result.skipped.update(stats.skipped)
        stats.skipped.clear()
        result.bytes_read = stats.bytes_read
        result.seconds = time.monotonic() - started

    for page in _read_files(files, problems, stats, wanted, sizes):
        rank = _rank(page)
        if rank in chosen:
            result.records += 1 if first else 0
            key = _article_key(page)
            if not _reparse_page(page, store, result, start, end) and key is not None:
                result.unwritten[key] = rank
                if page.url in result.failures:
                    result.failed_keys.setdefault(key, []).append(page.url)
        elif first:
            reason = skip_reason(page)
            if reason is not None or _comment_page(page.url) is None:
                result.records += 1
                if reason is None and _article_key(page) is not None:
                    result.skipped[SUPERSEDED] += 1
                else:  # skipped by kind, or an article only extraction can tell
                    _reparse_page(page, store, result, start, end)
        # (comment answers are read after every article is written: _rebuild_comments)
        if progress is not None:
            merge()
            progress(result)
    merge()
    return result


def _reparse_page(
    page: ArchivedPage,
    store: OutputStore,
    result: ReparseResult,
    start: str | None,
    end: str | None,
) -> bool:
    """Extract and write one page; whether its article was settled (written, or outside
    the dates) rather than skipped or failed."""
    reason = skip_reason(page)
    if reason is not None:
        result.skipped[reason] += 1
        return False
    if page.error is not None:
        result.failures[page.url] = page.error
        return False
    try:
        article = extract_archived(page)
    except NewsbotError as exc:
        result.failures[page.url] = f"{type(exc).__name__}: {exc}"
        return False
    except Exception as exc:  # a hostile record: report it and go on with the next
        result.failures[page.url] = describe_exception(exc)
        return False
    if article is None:
        result.skipped["not an article"] += 1
        return False
    known = store.index.get(article.id)
    published = str(kst_date_of(article.published_at)) if article.published_at else ""
    outside = page.dates is not None and not page.dates[0] <= published <= page.dates[1]
    outside = outside or (start is not None and published < start)
    outside = outside or (end is not None and (not published or published > end))
    if outside or (known is not None and known.status == "out_of_range"):
        result.outcomes["out_of_range"] += 1
        return True
    result.outcomes[store.save(article)] += 1
    return True


def _rebuild_comments(
    files: list[tuple[int, Path]],
    store: OutputStore,
    expected: Counter[str] | None = None,
    sizes: dict[int, int] | None = None,
) -> ReparseResult:
    """The comment answers of ``files``, once every article is written (an answer needs
    its article's file); one process, so that answers of one article in several files are
    merged, not raced. ``expected``: how many answers each article has (the plan's)."""
    result = ReparseResult()
    comments = CommentRebuilder(store, result, expected=expected)

    def wanted(page: ArchivedPage) -> bool:
        return page.status == 200 and _comment_page(page.url) is not None

    for page in _read_files(files, [], ReadStats(), wanted, sizes):
        request = _comment_page(page.url)
        if request is None or skip_reason(page) is not None:
            continue
        result.records += 1
        try:
            if page.error is not None:
                raise ValueError(page.error)
            comments.add(page, request)
        except Exception as exc:  # success:false, or a hostile record: named, then go on
            result.failures[page.url] = describe_exception(exc)
            comments.missed(request.article.key)
    comments.finish()
    return result


class ReparseJobError(Exception):
    """A ``reparse --jobs`` job could not go on (its output disk, its memory …): the
    message is one line; the other jobs are stopped."""


def _job_store(root: Path, template: str | None) -> OutputStore:
    from newsbot import runtime

    runtime.tune()
    return OutputStore(root, template=template)


def _job_init(parent: int) -> None:
    """In each job process: Ctrl-C is the command's to handle (it stops the jobs), and a
    job ends with the command even if the command is killed outright (Linux)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: SIGTERM when the parent dies
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _job(
    step: str,
    files: list[tuple[int, Path]],
    root: Path,
    template: str | None,
    args: tuple[Any, ...],
) -> Any:
    """One job's share of a pass, in its own process; any error that stops it comes back
    as one ``ReparseJobError`` line (an ``OSError`` subclass would not cross back whole)."""
    try:
        if step == "plan":
            return _plan_part(files)
        chosen, start, end, first, sizes = args
        store = _job_store(root, template)
        try:
            return _write_part(files, chosen, store, start, end, first=first, sizes=sizes)
        finally:
            store.index.close()  # one per pass: none left open for the process's life
    except (WriteError, OSError) as exc:
        raise ReparseJobError(f"{exc.strerror or exc}") from None
    except MemoryError:
        raise ReparseJobError("a reparse job ran out of memory") from None
    except Exception as exc:
        raise ReparseJobError(f"a reparse job failed: {describe_exception(exc)}") from None


def reparse(
    inputs: Iterable[Path],
    store: OutputStore,
    *,
    start: str | None = None,
    end: str | None = None,
    progress: Callable[[ReparseResult], None] | None = None,
) -> ReparseResult:
    """Extract every archived article page again and write it through ``store``.

    The newest fetch of an article (by ``WARC-Date``, whatever file it is in; at the same
    second the one read later) is the one written; older fetches are counted as
    ``superseded`` (an older one is extracted only when the newer gives no article: it
    failed, or holds none). Articles outside the dates of the crawl that fetched them (its
    ``warcinfo`` record says which) stay unwritten, as in that crawl; so do those published
    (Korea time) before ``start`` or after ``end`` (``YYYY-MM-DD``), the only date range of
    archives written by other tools. Records without an article are counted in ``skipped``
    by kind (see ``skip_reason``). ``progress`` is called after every record of the pass
    that plans (``phase`` ``plan``: headers read) and of the pass that writes.
    """
    files = _numbered(inputs)

    def run(step: str, groups: list[list[tuple[int, Path]]], args: list[tuple[Any, ...]]) -> Any:
        for group, arg in zip(groups, args, strict=True):
            if step == "plan":
                yield _plan_part(group, progress)
            else:
                chosen, s, e, first, sizes = arg
                yield _write_part(
                    group, chosen, store, s, e, first=first, sizes=sizes, progress=progress
                )

    return _reparse_passes(files, [files], run, store, start, end)


def _reparse_passes(
    files: list[tuple[int, Path]],
    groups: list[list[tuple[int, Path]]],
    run: Callable[[str, list[list[tuple[int, Path]]], list[tuple[Any, ...]]], Iterable[Any]],
    comment_store: OutputStore | Callable[[], OutputStore],
    start: str | None,
    end: str | None,
) -> ReparseResult:
    """The passes of a reparse, each over ``groups`` of ``files`` through ``run`` (in this
    process, or one job per group): one reads the headers, for every fetch of every article
    (``_Plan``); one writes the newest fetch of each; for the articles whose fetch gave
    none, another writes the next older fetch, reading only the files that hold one, until
    none is left; then the comment answers. Every pass reads a file as far as the plan
    did: records appended since are named, never counted as ``superseded``.

    A newer fetch that failed is a failure only when no older one gives its article; when
    one does, it is named in ``replaced``, not ``failures``."""
    started = time.monotonic()
    total = ReparseResult()
    plan = _Plan()
    for part in run("plan", groups, [()] * len(groups)):
        plan.merge(part)
    plan.sort()
    left = {key: len(ranks) - 1 for key, ranks in plan.fetches.items()}  # next to try
    chosen = {ranks[-1] for ranks in plan.fetches.values()}
    first = True
    failed: dict[str, list[str]] = {}
    while chosen or first:
        holding = {rank[1] for rank in chosen}
        now = groups if first else [[f for f in g if f[0] in holding] for g in groups]
        now = [g for g in now if g]
        args = []
        for group in now:
            numbers = {number for number, _ in group}
            mine = {r for r in chosen if r[1] in numbers}
            args.append((mine, start, end, first, {n: plan.sizes.get(n, 0) for n in numbers}))
        unwritten: dict[str, Rank] = {}
        for part in run("write", now, args):
            unwritten.update(part.unwritten)
            for key, urls in part.failed_keys.items():
                failed.setdefault(key, []).extend(urls)
            part.unwritten, part.failed_keys = {}, {}
            total.add(part)
        if not first:  # counted as superseded by the first pass: extracted after all
            total.skipped[SUPERSEDED] -= len(chosen)
            if not total.skipped[SUPERSEDED]:
                del total.skipped[SUPERSEDED]
            for key in {k for k in failed if k not in unwritten}:  # an older fetch gave it
                for url in failed.pop(key):
                    if url in total.failures:
                        total.replaced[url] = total.failures.pop(url)
        first = False
        chosen, trying = set(), set()
        for key in unwritten:
            left[key] -= 1
            if left[key] >= 0:
                chosen.add(plan.fetches[key][left[key]])
                trying.add(key)
        failed = {key: urls for key, urls in failed.items() if key in trying}  # (the rest stay)
    if plan.comment_files:
        own = not isinstance(comment_store, OutputStore)
        store = comment_store if isinstance(comment_store, OutputStore) else comment_store()
        try:
            comment_files = [f for f in files if f[0] in plan.comment_files]
            total.add(_rebuild_comments(comment_files, store, plan.answers, plan.sizes))
        finally:
            if own:
                store.index.close()
    total.seconds = time.monotonic() - started
    return total


def _numbered(inputs: Iterable[Path]) -> list[tuple[int, Path]]:
    """The archive files, each once, numbered in the command's order (which of two fetches
    at the same second is the later)."""
    seen: dict[Path, int] = {}
    for path in archive_files(inputs):
        seen.setdefault(path, len(seen))
    return [(n, path) for path, n in seen.items()]


def split_files(paths: list[Path], jobs: int) -> list[list[Path]]:
    """The files in ``jobs`` groups of about the same size (largest first, each to the
    lightest group); empty groups left out."""
    groups: list[tuple[int, list[Path]]] = [(0, []) for _ in range(max(1, jobs))]
    for path in sorted(paths, key=lambda p: (-p.stat().st_size, str(p))):
        size, members = min(groups, key=lambda group: group[0])
        groups.remove((size, members))
        members.append(path)
        groups.append((size + path.stat().st_size, members))
    return [sorted(members) for _, members in groups if members]


def reparse_jobs(
    inputs: Iterable[Path],
    root: Path,
    *,
    jobs: int,
    template: str | None = None,
    start: str | None = None,
    end: str | None = None,
    done: Callable[[int, int, ReparseResult], None] | None = None,
) -> ReparseResult:
    """``reparse`` with the files split between ``jobs`` processes writing into one output
    directory (files are written atomically; the index is SQLite, one writer at a time).
    Each pass is split the same way, so the files and index are those one process writes:
    the newest fetch of an article wins, whichever job reads it. ``done(finished, of,
    part)`` is called as each job ends its share of the writing pass. A file is read by one
    job, so a single large WARC gains nothing from more jobs.

    A job that cannot go on (a full disk …) stops them all: ``ReparseJobError``, one line.
    An exception in this process (a signal turned into one) stops the jobs too."""
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    files = _numbered(inputs)
    numbers = {path: n for n, path in files}
    groups = [[(numbers[p], p) for p in group] for group in split_files(list(numbers), jobs)]
    context = multiprocessing.get_context("spawn")  # no inherited SQLite handles or reactor
    pool = ProcessPoolExecutor(
        max_workers=max(1, len(groups)),
        mp_context=context,
        initializer=_job_init,
        initargs=(os.getpid(),),
    )

    def run(step: str, parts: list[list[tuple[int, Path]]], args: list[tuple[Any, ...]]) -> Any:
        futures = [
            pool.submit(_job, step, part, root, template, arg)
            for part, arg in zip(parts, args, strict=True)
        ]
        pending = set(futures)
        finished = 0
        while pending:
            ready, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in ready:
                try:
                    part = future.result()
                except BrokenProcessPool:
                    raise ReparseJobError(
                        "a reparse job ended abruptly (killed, or out of memory)"
                    ) from None
                finished += 1
                if step == "write" and args[0][3] and done is not None:  # the first pass
                    done(finished, len(parts), part)
                yield part

    try:
        result = _reparse_passes(
            files, groups, run, lambda: OutputStore(root, template=template), start, end
        )
    except BaseException:
        _stop_jobs(pool, root)
        raise
    pool.shutdown(wait=True)
    return result


def _stop_jobs(pool: Any, root: Path) -> None:
    """End the job processes now, and remove the temporary files they leave: the files
    already written are whole, the index is transactional."""
    import multiprocessing

    from newsbot.storage import remove_temp_files

    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join(5)
    with contextlib.suppress(OSError):
        remove_temp_files(root)
