"""``reparse``: a record shorter than its ``Content-Length`` is damage, named with its byte
range, never an article; after a wrong length, reading resumes at the next record header
(issue 23: in an uncompressed ``.warc`` a record cut short was written as a whole article,
and after one wrong length the rest of the file was dropped unnamed)."""

from __future__ import annotations

import gzip
from pathlib import Path

from newsbot.archive import archive_files, read_archive, reparse
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES
from tests.e2e import files, run_newsbot

PAGE = (ARTICLES / "082_0001252309" / "body.html").read_bytes()


def _url(n: int) -> str:
    return f"https://n.news.naver.com/mnews/article/082/000125{n:04d}"


def _record(n: int, *, length_off: int = 0) -> tuple[bytes, int]:
    """One response record as another tool writes it (no digest), and where its block
    starts. ``length_off``: how far its Content-Length is wrong."""
    body = PAGE.replace(b"082/0001252309", f"082/000125{n:04d}".encode())
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {_url(n)}\r\nWARC-Date: 2024-01-23T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block) + length_off}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n", len(head)


def _warc(records: list[bytes]) -> bytes:
    return b"".join(records)


def _written(out: Path) -> set[str]:
    return {name.rsplit("_", 1)[1].removesuffix(".md") for name in files(out)}


def test_a_record_cut_short_at_the_end_is_damage_not_an_article(tmp_path: Path) -> None:
    records = [_record(n)[0] for n in range(3)]
    data = _warc(records)
    cut = len(data) - len(records[2]) // 2  # the last one loses half its page
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:cut])
    out = tmp_path / "out"
    result = run_newsbot("reparse", str(path), "--output", str(out))
    assert _written(out) == {"0001250000", "0001250001"}  # not the cut one
    start = len(records[0]) + len(records[1])
    assert (
        f"bytes {start}-{cut} unreadable ({cut - start} bytes skipped): {_url(2)}: cut short"
        in (result.stderr)
    ), result.stderr
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_record_cut_short_in_the_middle_is_named_and_the_rest_read(tmp_path: Path) -> None:
    records = [_record(n)[0] for n in range(5)]
    head = _record(1)[1]
    cut = records[1][: head + 3000]  # record 1 keeps 3000 bytes of its block
    path = tmp_path / "cut.warc"
    path.write_bytes(_warc([records[0], cut, *records[2:]]))
    problems: list[str] = []
    urls = [page.url for page in read_archive(archive_files([path]), problems)]
    assert urls == [_url(n) for n in (0, 2, 3, 4)]
    start = len(records[0])
    assert problems == [
        f"{path}: bytes {start}-{start + len(cut)} unreadable ({len(cut)} bytes skipped): "
        f"{_url(1)}: its Content-Length ({len(records[1]) - head - 4}) does not end the record"
    ]
    out = tmp_path / "out"
    result = reparse([path], OutputStore(out))
    assert _written(out) == {f"000125{n:04d}" for n in (0, 2, 3, 4)}
    assert result.outcomes == {"new": 4} and len(result.problems) == 1


def test_a_wrong_length_is_named_and_reading_resumes_at_the_next_header(tmp_path: Path) -> None:
    records = [_record(n)[0] for n in range(4)]
    records[1] = _record(1, length_off=-700)[0]  # says 700 bytes fewer than it holds
    path = tmp_path / "long.warc"
    path.write_bytes(_warc(records))
    problems: list[str] = []
    urls = [page.url for page in read_archive(archive_files([path]), problems)]
    assert urls == [_url(n) for n in (0, 2, 3)]
    start, end = len(records[0]), len(records[0]) + len(records[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: bytes {start}-{end} unreadable ({end - start} bytes")


def test_a_gzip_member_shorter_than_its_record_is_damage(tmp_path: Path) -> None:
    records = [_record(n)[0] for n in range(3)]
    head = _record(1)[1]
    members = [
        gzip.compress(records[0]),
        gzip.compress(records[1][: head + 3000]),
        gzip.compress(records[2]),
    ]
    path = tmp_path / "short.warc.gz"  # each member whole, the middle one's record cut short
    path.write_bytes(b"".join(members))
    out = tmp_path / "out"
    result = reparse([path], OutputStore(out))
    assert _written(out) == {"0001250000", "0001250002"}
    start = len(members[0])
    assert result.problems == [
        f"{path}: bytes {start}-{start + len(members[1])} unreadable "
        f"({len(members[1])} bytes skipped): {_url(1)}: cut short (3000 of {len(records[1]) - head - 4} bytes)"
    ]
