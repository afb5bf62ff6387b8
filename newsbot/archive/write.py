"""``NEWSBOT_ARCHIVE``: every fetched page appended raw to size-rotated ``.warc.gz`` files."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import os
import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.archive.records import RENDERED_HEADER
from newsbot.dates import KST, now_kst
from newsbot.ledger import crawl_ledger

logger = logging.getLogger("newsbot.archive")  # the name its log lines have always had

# Headers that describe the transfer, not the body Scrapy hands over (already decoded).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


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
