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
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.article import decode_html, finalize, page_for
from newsbot.comments import COMMENT_API, COMMENT_HOST, Mode, Status, parse_comment_page
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


@dataclass
class ReadStats:
    """What ``read_archive`` saw besides the pages it yields: records it skipped by kind
    (``revisit``, other record types; request, metadata and warcinfo records accompany
    pages and are not counted), and how far it got (``bytes_read`` of the files, as
    stored)."""

    skipped: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    bytes_done: int = 0  # of the files already read whole


# Records that accompany a response (what was asked, what the crawler noted): not pages.
_COMPANION_RECORDS = {"warcinfo", "request", "metadata"}


def read_archive(
    paths: Iterable[Path], problems: list[str], stats: ReadStats | None = None
) -> Iterator[ArchivedPage]:
    """Response records of WARC files, in order, newsbot's own and other tools' (Common
    Crawl, wget ``--warc-file``, warcprox): the HTTP payload is de-chunked and its
    ``Content-Encoding`` undone; ``revisit`` and other record types are counted in
    ``stats.skipped``; request, metadata and warcinfo records are read past.

    A ``.warc.gz`` file is read gzip member by gzip member: a damaged stretch (a record
    cut short by a killed crawl or a full disk, bytes overwritten or inserted) is skipped
    up to the next member that reads whole, and noted in ``problems`` as
    ``PATH: bytes A-B unreadable (N bytes skipped)`` (from offset A up to B, where the next
    whole record starts, or the end of the file). An unreadable file is noted and skipped.
    """
    stats = stats if stats is not None else ReadStats()
    for path in paths:
        try:
            with path.open("rb") as handle:
                if handle.read(5) == b"WARC/":  # not compressed
                    handle.seek(0)
                    yield from _records(path, handle, _FileState(), problems, stats, handle)
                else:
                    yield from _read_members(path, handle, problems, stats)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            problems.append(f"{path}: {type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(OSError):
                stats.bytes_done += path.stat().st_size
            stats.bytes_read = stats.bytes_done


@dataclass
class _FileState:
    dates: tuple[str, str] | None = None  # from the file's warcinfo record


def _records(
    path: Path,
    stream: Any,
    state: _FileState,
    problems: list[str],
    stats: ReadStats,
    handle: Any = None,
) -> Iterator[ArchivedPage]:
    for record in ArchiveIterator(stream):
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                stats.bytes_read = stats.bytes_done + handle.tell()
        kind = record.rec_type
        if kind == "warcinfo":
            dates = _warcinfo_dates(record.content_stream().read())
            if dates is not None or state.dates is None:
                state.dates = dates
            continue
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        if kind in _COMPANION_RECORDS:
            continue
        if kind == "resource" and not url.lower().startswith(("http:", "https:")):
            continue  # a tool's own log or manifest (wget's metadata://…/wget.log)
        if kind != "response":
            stats.skipped[kind or "unknown record type"] += 1
            continue
        if record.http_headers is None:  # a dns: record, an FTP listing …
            stats.skipped["dns" if url.startswith("dns:") else "not HTTP"] += 1
            continue
        if record.rec_headers.get_header("WARC-Truncated"):
            # Cut by the crawler itself (Common Crawl past 1 MiB): not damage, not a page.
            stats.skipped["truncated by the crawler"] += 1
            continue
        status = int(record.http_headers.get_statuscode() or 0)
        fetched = record.rec_headers.get_header("WARC-Date") or ""
        stored = record.raw_stream.read()  # the payload as stored: chunked, encoded
        body = _decoded(record.http_headers, stored)
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if not (_digest_ok(digest, stored) or (body is not stored and _digest_ok(digest, body))):
            # An uncompressed record cut short reads as a shorter body without an error.
            problems.append(f"{path}: {url}: payload digest mismatch (truncated)")
            continue
        yield ArchivedPage(
            url=url,
            status=status,
            content_type=record.http_headers.get_header("Content-Type"),
            body=body,
            fetched=fetched,
            rendered=record.rec_headers.get_header(RENDERED_HEADER) == "true",
            dates=state.dates,
        )


def _decoded(http_headers: StatusAndHeaders, stored: bytes) -> bytes:
    """The payload as the page: de-chunked (``Transfer-Encoding: chunked``), then gunzipped,
    inflated or un-brotlied per ``Content-Encoding`` (in the order listed backwards).
    Returns ``stored`` itself when there is nothing to undo; what cannot be undone (a
    payload mislabelled as chunked or encoded) is kept as it is."""
    body = stored
    transfer = (http_headers.get_header("Transfer-Encoding") or "").lower()
    if "chunked" in transfer:
        try:
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
            body = decode(body)
        except Exception:  # zlib.error, brotli.error …: as stored
            break
    return body


def _gunzip(data: bytes) -> bytes:
    out, rest = [], data
    while rest:  # concatenated gzip members are one gzip stream
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)
        out.append(decompressor.decompress(rest))
        if not decompressor.eof:
            break  # cut short: what could be read
        rest = decompressor.unused_data.lstrip(b"\0")
        if rest[:2] != b"\x1f\x8b":
            break
    return b"".join(out)


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)  # zlib-wrapped, as the standard says
    except zlib.error:
        return zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate, as some servers send


def _unbrotli(data: bytes) -> bytes:
    import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]

    result: bytes = brotli.decompress(data)
    return result


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
}


_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate: where a gzip member can start
_CHUNK = 64 * 1024
_RELEASE_BYTES = 16 * 1024 * 1024


def _read_members(
    path: Path, handle: Any, problems: list[str], stats: ReadStats
) -> Iterator[ArchivedPage]:
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        return
    state = _FileState()
    gap: list[Any] | None = None  # [start, end, what the first damaged record was]

    def report(start: int, end: int, what: str) -> None:
        problems.append(
            f"{path}: bytes {start}-{end} unreadable ({end - start} bytes skipped){what}"
        )

    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        released = 0
        for start, end, member, whole in _gzip_members(data, size):
            stats.bytes_read = stats.bytes_done + end
            if start - released >= _RELEASE_BYTES:
                # Reading never goes back before ``start``: let the pages read so far go,
                # so that a multi-GB file does not stay mapped in memory as it is read.
                released = start - start % mmap.PAGESIZE
                with contextlib.suppress(AttributeError, OSError, ValueError):
                    data.madvise(mmap.MADV_DONTNEED, 0, released)
            pages: list[ArchivedPage] = []
            if whole:
                try:
                    pages = list(_records(path, io.BytesIO(member), state, problems, stats))
                except (ArchiveLoadFailed, EOFError, ValueError):
                    whole, member = False, b""  # a whole gzip member, but not a record
            if not whole:
                if gap is None:
                    gap = [start, end, _cut_record(member)]
                else:  # damaged stretches follow each other: one gap
                    gap[1] = end
                continue
            if gap is not None:
                report(*gap)
                gap = None
            yield from pages
    if gap is not None:
        report(*gap)


def _gzip_members(data: mmap.mmap, size: int) -> Iterator[tuple[int, int, bytes, bool]]:
    """``(start, end, decompressed, whole)`` for each gzip member of ``data``, and for each
    stretch that is not one (``whole`` false, ``decompressed`` what could be read of it):
    after a damaged member, reading resumes at the next gzip header."""
    position = 0
    while position < size:
        if data[position : position + 3] == _GZIP_MAGIC:
            decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
            parts: list[bytes] = []
            at = position
            try:
                while not decompressor.eof and at < size:
                    chunk = data[at : at + _CHUNK]
                    at += len(chunk)
                    parts.append(decompressor.decompress(chunk))
            except zlib.error:
                pass
            else:
                if decompressor.eof:
                    end = at - len(decompressor.unused_data)
                    yield position, end, b"".join(parts), True
                    position = end
                    continue
            damaged = b"".join(parts)
        else:
            damaged = b""
        found = data.find(_GZIP_MAGIC, position + 1)
        end = size if found < 0 else found
        yield position, end, damaged, False
        position = end


def _cut_record(partial: bytes) -> str:
    """What the start of a damaged member says it was: ``: URL: payload digest mismatch
    (truncated)`` for a record cut short, or nothing."""
    head, sep, rest = partial.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        return ""
    fields: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        fields[key.strip().lower().decode("latin-1")] = value.strip().decode("utf-8", "replace")
    name = fields.get("warc-target-uri") or fields.get("warc-filename") or "a record"
    _, sep, body = rest.partition(b"\r\n\r\n")
    if sep and not _digest_ok(fields.get("warc-payload-digest"), body):
        return f": {name}: payload digest mismatch (truncated)"
    return f": {name}: cut short"


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
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class CommentRebuilder:
    """Rebuilds ``.comments.jsonl`` files and ``comment_count`` from archived comment
    answers, as the crawl wrote them (``OutputStore.save_comments``: the union of what
    every answer listed). Answers are gathered per article and written when ``held``
    articles are waiting, and at the end: the union does not depend on when it is
    written. A probe (``pageSize=1``) gives only the count, as in the crawl."""

    def __init__(self, store: OutputStore, result: ReparseResult, held: int = 256) -> None:
        self.store = store
        self.result = result
        self.held = held
        # As the crawl that wrote them had them (the settings, from the environment).
        self.personal = _setting("NEWSBOT_COMMENTS_PERSONAL_FIELDS")
        self.keep_deleted_text = _setting("NEWSBOT_COMMENTS_KEEP_DELETED_TEXT")
        self.waiting: dict[str, ArticleComments] = {}
        self.fetched: dict[str, str] = {}

    def add(self, page: ArchivedPage, request: _CommentRequest) -> None:
        answer = parse_comment_page(page.body, personal=self.personal)  # errors: named above
        key = request.article.key
        item = self.waiting.pop(key, None) or ArticleComments(key, Mode.COUNT, Status.COLLECTED)
        self.waiting[key] = item  # last touched last
        self.fetched[key] = page.fetched
        if answer.total is not None and request.first:  # a probe, or the list's first page
            item.count, item.counts = answer.total, answer.counts
        if not request.probe:
            item.mode = Mode.ALL
            item.comments.extend(
                c
                for c in answer.comments
                if request.parent is None or c["parent_comment_no"] == request.parent
            )  # (a reply list may repeat its parent, as Thread.take knows)
        self.result.comment_pages += 1
        if len(self.waiting) > self.held:
            self.write(next(iter(self.waiting)))

    def write(self, key: str) -> None:
        item = self.waiting.pop(key)
        fetched = self.fetched.pop(key, "")
        try:
            when = to_iso(datetime.fromisoformat(fetched)) if fetched else None
            self.store.save_comments(item, when or "", keep_deleted_text=self.keep_deleted_text)
        except NotWritten:
            self.result.skipped["comments of an article not written"] += 1
            return
        except WriteError:
            raise
        except Exception as exc:  # a hostile record: named, and the others still written
            self.result.failures[f"comments of {key}"] = describe_exception(exc)
            return
        self.result.comment_articles += 1

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


def reparse(
    inputs: Iterable[Path],
    store: OutputStore,
    *,
    start: str | None = None,
    end: str | None = None,
    progress: Callable[[ReparseResult], None] | None = None,
) -> ReparseResult:
    """Extract every archived article page again and write it through ``store``.

    Articles outside the dates of the crawl that fetched them (its ``warcinfo`` record says
    which) stay unwritten, as in that crawl; so do those published (Korea time) before
    ``start`` or after ``end`` (``YYYY-MM-DD``), the only date range of archives written by
    other tools. Records without an article are counted in ``skipped`` by kind (see
    ``skip_reason``). ``progress`` is called after every record.
    """
    result = ReparseResult()
    stats = ReadStats()  # what the reader skipped (revisits …), merged into result.skipped
    started = time.monotonic()

    def merge() -> None:
        result.records += sum(stats.skipped.values())
        result.skipped.update(stats.skipped)
        stats.skipped.clear()
        result.bytes_read = stats.bytes_read
        result.seconds = time.monotonic() - started

    comments = CommentRebuilder(store, result)
    for page in read_archive(archive_files(inputs), result.problems, stats):
        result.records += 1
        _reparse_page(page, store, result, start, end, comments)
        if progress is not None:
            merge()
            progress(result)
    comments.finish()
    merge()
    return result


def _reparse_page(
    page: ArchivedPage,
    store: OutputStore,
    result: ReparseResult,
    start: str | None,
    end: str | None,
    comments: CommentRebuilder,
) -> None:
    reason = skip_reason(page)
    if reason is not None:
        result.skipped[reason] += 1
        return
    request = _comment_page(page.url)
    if request is not None:
        try:
            comments.add(page, request)
        except Exception as exc:  # success:false, or a hostile record: named, then go on
            result.failures[page.url] = describe_exception(exc)
        return
    try:
        article = extract_archived(page)
    except NewsbotError as exc:
        result.failures[page.url] = f"{type(exc).__name__}: {exc}"
        return
    except Exception as exc:  # a hostile record: report it and go on with the next
        result.failures[page.url] = describe_exception(exc)
        return
    if article is None:
        result.skipped["not an article"] += 1
        return
    known = store.index.get(article.id)
    published = str(kst_date_of(article.published_at)) if article.published_at else ""
    outside = page.dates is not None and not page.dates[0] <= published <= page.dates[1]
    outside = outside or (start is not None and published < start)
    outside = outside or (end is not None and (not published or published > end))
    if outside or (known is not None and known.status == "out_of_range"):
        result.outcomes["out_of_range"] += 1
        return
    result.failures.pop(page.url, None)
    result.outcomes[store.save(article)] += 1


def _reparse_part(
    paths: list[Path], root: Path, template: str | None, start: str | None, end: str | None
) -> ReparseResult:
    """One job of ``reparse_jobs``: its own store (its own SQLite connection to the index)."""
    from newsbot import runtime

    runtime.tune()
    return reparse(paths, OutputStore(root, template=template), start=start, end=end)


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
    ``done(finished, of, part)`` is called as each job ends. A file is read by one job, so
    a single large WARC gains nothing from more jobs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    groups = split_files(archive_files(inputs), jobs)
    total = ReparseResult()
    started = time.monotonic()
    context = multiprocessing.get_context("spawn")  # no inherited SQLite handles or reactor
    with ProcessPoolExecutor(max_workers=max(1, len(groups)), mp_context=context) as pool:
        futures = [pool.submit(_reparse_part, g, root, template, start, end) for g in groups]
        for finished, future in enumerate(as_completed(futures), start=1):
            part = future.result()
            total.outcomes.update(part.outcomes)
            total.failures.update(part.failures)
            total.problems.extend(part.problems)
            total.skipped.update(part.skipped)
            total.records += part.records
            total.comment_pages += part.comment_pages
            total.comment_articles += part.comment_articles
            total.bytes_read += part.bytes_read
            if done is not None:
                done(finished, len(groups), part)
    total.seconds = time.monotonic() - started
    return total
