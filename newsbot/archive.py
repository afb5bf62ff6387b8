"""The raw archive: every fetched page in WARC files, and re-extraction from them.

With ``NEWSBOT_ARCHIVE`` on, each response (status, headers, body as received — for a
browser-rendered page, the rendered DOM) is appended to
``OUTPUT/archive/newsbot-<start>-<pid>-<n>.warc.gz``, one gzip member per record, a new
file past ``NEWSBOT_ARCHIVE_MAX_BYTES``. ``reparse`` reads those files back and runs the
same extraction, normalisation, hashing and writing as a crawl, without any request.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
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
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.article import decode_html, finalize, page_for
from newsbot.dates import KST, kst_date_of, now_kst, to_iso
from newsbot.errors import ExtractError, InvalidArticleUrl
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


class _GzipMembers:
    """What warcio's writer writes into: one gzip member per record, at level 6 (warcio's
    own wrapper uses 9: twice the CPU for 0.6 % less disk on Naver pages)."""

    def __init__(self, out: io.BufferedWriter, level: int = 6) -> None:
        self.out = out
        self.level = level
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:  # warcio calls this at the end of every record
        self.out.write(self.compressor.flush())
        self.out.flush()
        self.compressor = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def tell(self) -> int:
        return self.out.tell()


class WarcArchive:
    """Appends response records to size-rotated ``.warc.gz`` files in ``directory``."""

    def __init__(self, directory: Path, max_bytes: int, info: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.info = info or {}
        self.stem = f"newsbot-{now_kst():%Y%m%dT%H%M%S}-{os.getpid()}"
        self.sequence = 0
        self.handle: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        self.records = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.stem}-{self.sequence:05d}.warc.gz"
        self.sequence += 1
        self.handle = path.open("ab")
        self.writer = WARCWriter(_GzipMembers(self.handle), gzip=False)
        # Which crawl wrote the file: reparse applies the same date range.
        info = self.writer.create_warcinfo_record(
            path.name, {"json-metadata": json.dumps(self.info)}
        )
        self.writer.write_record(info)

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
        if self.handle is None or self.handle.tell() >= self.max_bytes:
            self.close()
            self._open()
        assert self.writer is not None and self.handle is not None
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
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        self.writer.write_record(record)  # flushed: a killed crawl loses one record at most
        self.records += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
        self.handle = None
        self.writer = None


class ArchiveExtension:
    """``NEWSBOT_ARCHIVE``: store every fetched page raw (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_ARCHIVE"):
            raise NotConfigured
        self.root = Path(settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.max_bytes = settings.getint("NEWSBOT_ARCHIVE_MAX_BYTES")
        self.archive: WarcArchive | None = None
        self.stats = crawler.stats
        self.crawler = crawler
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
        self.archive.write(
            response.url,
            response.status,
            headers,
            response.body,
            fetched=now_kst(),
            rendered=bool(request.meta.get("playwright")),
        )
        if self.stats is not None:
            self.stats.inc_value("newsbot/archive/records")

    def spider_closed(self, spider: Spider) -> None:
        if self.archive is not None:
            self.archive.close()


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
    """Response records of WARC files, in order; a truncated last record (a killed crawl)
    or an unreadable file is noted in ``problems`` and skipped."""
    for path in paths:
        try:
            size = path.stat().st_size
            end = 0
            with path.open("rb") as handle:
                iterator = ArchiveIterator(handle)
                dates: tuple[str, str] | None = None
                for record in iterator:
                    if record.rec_type == "warcinfo":
                        dates = _warcinfo_dates(record.content_stream().read())
                        continue
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    status = int(record.http_headers.get_statuscode() or 0)
                    fetched = record.rec_headers.get_header("WARC-Date") or ""
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    body = record.content_stream().read()
                    if not _digest_ok(record.rec_headers.get_header("WARC-Payload-Digest"), body):
                        # A gzip member cut short reads as a shorter body without an error.
                        problems.append(f"{path}: {url}: payload digest mismatch (truncated)")
                        continue
                    yield ArchivedPage(
                        url=url,
                        status=status,
                        content_type=record.http_headers.get_header("Content-Type"),
                        body=body,
                        fetched=fetched,
                        rendered=record.rec_headers.get_header(RENDERED_HEADER) == "true",
                        dates=dates,
                    )
                    end = iterator.get_record_offset() + iterator.get_record_length()
            if end < size and end >= 0:
                problems.append(
                    f"{path}: truncated after byte {end} of {size}: last record skipped"
                )
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            problems.append(f"{path}: {type(exc).__name__}: {exc}")


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

        article_id = ArticleId(parts[-2], parts[-1])
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
        except ExtractError as exc:
            result.failures[page.url] = f"{type(exc).__name__}: {exc}"
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
