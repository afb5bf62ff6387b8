"""WARC files read back as ``ArchivedPage``s, damaged stretches skipped and named."""

from __future__ import annotations

import contextlib
import io
import json
import mmap
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeadersParserException

from newsbot.archive.decode import _decoded, _digest_ok, _MiB
from newsbot.archive.records import (
    _HTTP_PARSER,
    _RESYNC_PATTERNS,
    MAX_RECORD_BYTES,
    RENDERED_HEADER,
    _Damage,
    _Member,
    _next_record,
    _NextMatch,
    _Raw,
    _Stream,
    _target,
    _Window,
)


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


_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate: where a gzip member can start
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


def archive_files(inputs: Iterable[Path]) -> list[Path]:
    """WARC files named directly, and those under named directories, in name order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*.warc*") if p.is_file()))
        else:
            found.append(item)
    return found
