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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.article import decode_html, finalize, page_for
from newsbot.dates import KST, kst_date_of, now_kst, to_iso
from newsbot.errors import InvalidArticleUrl, NewsbotError, describe_exception
from newsbot.items import Article
from newsbot.ledger import crawl_ledger
from newsbot.pages.api import API_LAYOUTS
from newsbot.pages.rendered import RENDERED_LAYOUTS
from newsbot.sites import SITES
from newsbot.storage import OutputStore
from newsbot.urls import NEWS, parse_any_article_url

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
    body: bytes
    fetched: str
    rendered: bool
    dates: tuple[str, str] | None = None  # the date range of the crawl that fetched it


def read_archive(paths: Iterable[Path], problems: list[str]) -> Iterator[ArchivedPage]:
    """Response records of WARC files, in order.

    A ``.warc.gz`` file is read gzip member by gzip member: a damaged stretch (a record
    cut short by a killed crawl or a full disk, bytes overwritten or inserted) is skipped
    up to the next member that reads whole, and noted in ``problems`` as
    ``PATH: bytes A-B unreadable (N bytes skipped)`` (from offset A up to B, where the next
    whole record starts, or the end of the file). An unreadable file is noted and skipped.
    """
    for path in paths:
        try:
            with path.open("rb") as handle:
                if handle.read(5) == b"WARC/":  # not compressed
                    handle.seek(0)
                    yield from _records(path, handle, _FileState(), problems)
                else:
                    yield from _read_members(path, handle, problems)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            problems.append(f"{path}: {type(exc).__name__}: {exc}")


@dataclass
class _FileState:
    dates: tuple[str, str] | None = None  # from the file's warcinfo record


def _records(
    path: Path, stream: Any, state: _FileState, problems: list[str]
) -> Iterator[ArchivedPage]:
    for record in ArchiveIterator(stream):
        if record.rec_type == "warcinfo":
            state.dates = _warcinfo_dates(record.content_stream().read())
            continue
        if record.rec_type != "response" or record.http_headers is None:
            continue
        status = int(record.http_headers.get_statuscode() or 0)
        fetched = record.rec_headers.get_header("WARC-Date") or ""
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        body = record.content_stream().read()
        if not _digest_ok(record.rec_headers.get_header("WARC-Payload-Digest"), body):
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


_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate: where a gzip member can start
_CHUNK = 64 * 1024


def _read_members(path: Path, handle: Any, problems: list[str]) -> Iterator[ArchivedPage]:
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
        for start, end, member, whole in _gzip_members(data, size):
            pages: list[ArchivedPage] = []
            if whole:
                try:
                    pages = list(_records(path, io.BytesIO(member), state, problems))
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
    """Check ``WARC-Payload-Digest`` (``sha1:<base32>``, what warcio writes)."""
    if not digest or ":" not in digest:
        return True  # nothing to check against
    algorithm, _, value = digest.partition(":")
    if algorithm.lower() != "sha1":
        return True
    return base64.b32encode(hashlib.sha1(body).digest()).decode() == value.strip()


def archive_files(inputs: Iterable[Path]) -> list[Path]:
    """WARC files named directly, and those under named directories, in name order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*.warc*") if p.is_file()))
        else:
            found.append(item)
    return found


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


@dataclass
class ReparseResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    records: int = 0
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())


def reparse(inputs: Iterable[Path], store: OutputStore) -> ReparseResult:
    """Extract every archived article page again and write it through ``store``.

    Articles outside the dates of the crawl that fetched them (its ``warcinfo`` record says
    which) stay unwritten, as in that crawl.
    """
    result = ReparseResult()
    started = time.monotonic()
    for page in read_archive(archive_files(inputs), result.problems):
        result.records += 1
        try:
            article = extract_archived(page)
        except NewsbotError as exc:
            result.failures[page.url] = f"{type(exc).__name__}: {exc}"
            continue
        except Exception as exc:  # a hostile record: report it and go on with the next
            result.failures[page.url] = describe_exception(exc)
            continue
        if article is None:
            continue
        known = store.index.get(article.id)
        published = str(kst_date_of(article.published_at)) if article.published_at else ""
        outside = page.dates is not None and not page.dates[0] <= published <= page.dates[1]
        if outside or (known is not None and known.status == "out_of_range"):
            result.outcomes["out_of_range"] += 1
            continue
        result.failures.pop(page.url, None)
        result.outcomes[store.save(article)] += 1
    result.seconds = time.monotonic() - started
    return result
