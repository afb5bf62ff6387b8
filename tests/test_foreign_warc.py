"""WARC files written by other tools (Common Crawl, wget --warc-file, warcprox): reparse
extracts exactly their Naver article responses, counts what it skips by kind, and does not
take what those tools write (digests over the stored bytes, a last metadata record, chunked
and gzip-encoded payloads) for damage."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.archive import archive_files, read_archive, reparse
from newsbot.article import decode_html, extract_article
from newsbot.dates import to_iso
from newsbot.output.store import OutputStore
from tests.e2e import run_newsbot

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
WARC_DATE = "2021-03-04T05:06:07Z"
CURRENT_URL = "https://n.news.naver.com/mnews/article/082/0001252309?sid=101"
LEGACY_URL = "https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369"
MOBILE_URL = "https://m.news.naver.com/article/421/0008770777"
TAIL_URL = "https://n.news.naver.com/mnews/article/003/0012577249"


def _page(name: str) -> bytes:
    return (FIXTURES / name / "body.html").read_bytes()


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _chunked(data: bytes, size: int = 1000) -> bytes:
    out = b""
    for at in range(0, len(data), size):
        part = data[at : at + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


class CommonCrawlWarc:
    """A WARC as Common Crawl writes it: WARC/1.0, one gzip member per record, a request and
    a metadata record around every response."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=True, warc_version="WARC/1.0")

    def warcinfo(self) -> None:
        self.writer.write_record(
            self.writer.create_warcinfo_record(
                "CC-MAIN-20210304-00000.warc.gz",
                {"software": "Apache Nutch 1.18 (modified, https://github.com/commoncrawl/)"},
            )
        )

    def request(self, url: str) -> None:
        headers = StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True
        )
        self.writer.write_record(
            self.writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=headers,
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
        )

    def metadata(self, url: str) -> None:
        block = b"fetchTimeMs: 312\r\ncharset-detected: UTF-8\r\n"
        self.writer.write_record(
            self.writer.create_warc_record(
                url,
                "metadata",
                payload=io.BytesIO(block),
                length=len(block),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
        )

    def response(
        self,
        url: str,
        payload: bytes,
        *,
        status: str = "200 OK",
        headers: list[tuple[str, str]] | None = None,
        digest: str | None = None,  # default: warcio's, over the payload as stored
        companions: bool = True,
        warc_extra: dict[str, str] | None = None,
    ) -> None:
        if companions:
            self.request(url)
        http_headers = StatusAndHeaders(
            status,
            headers if headers is not None else [("Content-Type", "text/html; charset=UTF-8")],
            protocol="HTTP/1.1",
        )
        warc_headers = {"WARC-Date": WARC_DATE}
        if digest is not None:
            warc_headers["WARC-Payload-Digest"] = digest
        warc_headers.update(warc_extra or {})
        self.writer.write_record(
            self.writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=http_headers,
                warc_headers_dict=warc_headers,
            )
        )
        if companions:
            self.metadata(url)

    def revisit(self, url: str) -> None:
        self.writer.write_record(
            self.writer.create_revisit_record(
                url,
                digest=_sha1(b"an earlier capture"),
                refers_to_uri=url,
                refers_to_date="2021-01-01T00:00:00Z",
                http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
            )
        )

    def data(self) -> bytes:
        return self.buffer.getvalue()


def _mixed_warc() -> CommonCrawlWarc:
    warc = CommonCrawlWarc()
    warc.warcinfo()
    warc.response("https://example.com/", b"<html>not Naver</html>")
    warc.response("https://www.example.org/news/1", b"<html>not Naver either</html>")
    warc.response(
        "https://news.naver.com/robots.txt",
        b"User-agent: *\nDisallow: /\n",
        headers=[("Content-Type", "text/plain")],
    )
    warc.response(CURRENT_URL, _page("082_0001252309"))  # digest over the body (= as stored)
    # The legacy page served chunked and gzip-encoded, its digest over the bytes as stored.
    legacy = _page("legacy_029_0002625369")
    warc.response(
        LEGACY_URL,
        _chunked(gzip.compress(legacy)),
        headers=[
            ("Content-Type", "text/html;charset=EUC-KR"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ],
    )
    # A mobile-host article served gzip-encoded, its digest over the decoded body.
    mobile = _page("421_0008770777")
    warc.response(
        MOBILE_URL,
        gzip.compress(mobile),
        headers=[("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", "gzip")],
        digest=_sha1(mobile),
    )
    warc.revisit(CURRENT_URL)
    warc.response(
        "https://n.news.naver.com/mnews/article/082/0000000001",
        b"<html>gone</html>",
        status="404 Not Found",
    )
    return warc


def _expected(tmp_path: Path) -> dict[str, str]:
    """The files newsbot writes for the three articles from the saved pages themselves."""
    store = OutputStore(tmp_path / "expected")
    crawled_at = to_iso(datetime.fromisoformat(WARC_DATE))
    for url, name, content_type in (
        (CURRENT_URL, "082_0001252309", None),
        (LEGACY_URL, "legacy_029_0002625369", "text/html;charset=EUC-KR"),
        (MOBILE_URL.replace("m.news", "n.news"), "421_0008770777", None),
    ):
        article = extract_article(
            url, decode_html(_page(name), content_type), crawled_at=crawled_at
        )
        store.save(article)
    return _files(tmp_path / "expected")


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.md"))
        if "reports" not in p.parts and "archive" not in p.parts
    }


def _reparse(*args: str) -> subprocess.CompletedProcess[str]:
    return run_newsbot("reparse", *args)


def test_a_common_crawl_warc_yields_exactly_its_naver_articles(tmp_path: Path) -> None:
    warc = _mixed_warc()
    # A Naver listing page: Naver, 200, but no article.
    warc.response("https://news.naver.com/main/main.naver?mode=LSD&mid=shm&sid1=101", b"<html/>")
    path = tmp_path / "CC-MAIN-20210304-00000.warc.gz"
    path.write_bytes(warc.data())
    result = _reparse(str(path), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warning: nothing here is damage
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "skipped 6 record(s): 2 non-Naver, 1 not 200, 1 not an article, 1 revisit, 1 robots.txt"
    )
    assert lines[1].startswith("reparsed 9 record(s): 3 new; 0 failed;")
    written = _files(tmp_path / "out")
    assert written == _expected(tmp_path)
    assert len(written) == 3


def test_a_truncated_tail_is_the_only_problem(tmp_path: Path) -> None:
    data = _mixed_warc().data()
    tail = CommonCrawlWarc()
    tail.response(TAIL_URL, _page("003_0012577249"), companions=False)
    cut = tail.data()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data + cut[: len(cut) // 2])  # a download cut short
    problems: list[str] = []
    pages = list(read_archive(archive_files([path]), problems))
    end = len(data) + len(cut) // 2
    assert problems == [
        f"{path}: bytes {len(data)}-{end} unreadable ({end - len(data)} bytes skipped): "
        f"{TAIL_URL}: payload digest mismatch (truncated)"
    ]
    assert [p.url for p in pages if "naver" in p.url and "robots" not in p.url][:3] == [
        CURRENT_URL,
        LEGACY_URL,
        MOBILE_URL,
    ]
    result = _reparse(str(path), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.count("newsbot: warning:") == 1
    assert _files(tmp_path / "out") == _expected(tmp_path)


@pytest.mark.parametrize("last", ["metadata", "request"])
def test_a_file_ending_with_a_companion_record_is_complete(tmp_path: Path, last: str) -> None:
    warc = CommonCrawlWarc()
    warc.warcinfo()
    warc.response(CURRENT_URL, _page("082_0001252309"), companions=False)
    getattr(warc, last)(CURRENT_URL)
    for name, data in (("a.warc.gz", warc.data()), ("b.warc", gzip.decompress(warc.data()))):
        path = tmp_path / name
        path.write_bytes(data)
        problems: list[str] = []
        assert [p.url for p in read_archive([path], problems)] == [CURRENT_URL]
        assert problems == []
        result = _reparse(str(path), "--output", str(tmp_path / f"out-{name}"))
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert "truncated" not in result.stdout and "skipped" not in result.stdout


def test_digests_over_stored_and_over_decoded_bytes_both_verify(tmp_path: Path) -> None:
    body = _page("082_0001252309")
    stored = _chunked(gzip.compress(body))
    headers = [
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
    ]
    for digest, ok in ((_sha1(stored), True), (_sha1(body), True), (_sha1(b"other"), False)):
        warc = CommonCrawlWarc()
        warc.response(CURRENT_URL, stored, headers=headers, digest=digest)
        path = tmp_path / "d.warc.gz"
        path.write_bytes(warc.data())
        problems: list[str] = []
        pages = list(read_archive([path], problems))
        if ok:
            assert problems == [] and [p.body for p in pages] == [body]
        else:
            assert pages == [] and problems == [
                f"{path}: {CURRENT_URL}: payload digest mismatch (truncated)"
            ]


def test_a_run_that_only_skipped_exits_0_with_one_summary_line(tmp_path: Path) -> None:
    warc = CommonCrawlWarc()
    warc.warcinfo()
    for n in range(3):
        warc.response(f"https://example.com/{n}", b"<html/>")
    warc.response("https://example.com/robots.txt", b"", headers=[("Content-Type", "text/plain")])
    warc.revisit("https://example.com/0")
    warc.response(
        "https://news.naver.com/main/read.nhn?oid=001&aid=0000000001", b"", status="302 Found"
    )
    warc.response(TAIL_URL, b"<html>cut", warc_extra={"WARC-Truncated": "length"})
    log = b"wget log\n"
    warc.writer.write_record(
        warc.writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/wget.log",
            "resource",
            payload=io.BytesIO(log),
            length=len(log),
            warc_content_type="text/plain",
        )
    )
    path = tmp_path / "skip.warc.gz"
    path.write_bytes(warc.data())
    result = _reparse(str(path), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0] == (
        "skipped 7 record(s): 3 non-Naver, 1 not 200, 1 revisit, 1 robots.txt, "
        "1 truncated by the crawler"
    )


def test_start_and_end_filter_foreign_archives_by_published_day(tmp_path: Path) -> None:
    path = tmp_path / "cc.warc.gz"
    path.write_bytes(_mixed_warc().data())
    out = tmp_path / "out"
    store = OutputStore(out)
    result = reparse([path], store, start="2024-01-01", end="2024-12-31")
    expected = _expected(tmp_path)
    kept = {name: text for name, text in _files(out).items()}
    assert kept and set(kept) < set(expected)
    assert all(name.startswith("2024") or "/2024" in name for name in kept), kept
    assert result.outcomes["out_of_range"] == len(expected) - len(kept)
    bad = _reparse(str(path), "--output", str(out), "--start", "2024-13-01")
    assert bad.returncode == 2 and "--start '2024-13-01': not a calendar date" in bad.stderr


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip"])
def test_content_encodings_are_undone(tmp_path: Path, encoding: str) -> None:
    import zlib

    import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]

    body = _page("082_0001252309")
    encode = {"br": brotli.compress, "deflate": zlib.compress, "gzip": gzip.compress}[encoding]
    warc = CommonCrawlWarc()
    warc.response(
        CURRENT_URL,
        _chunked(encode(body)),
        headers=[("Content-Encoding", encoding), ("Transfer-Encoding", "chunked")],
    )
    path = tmp_path / "e.warc.gz"
    path.write_bytes(warc.data())
    problems: list[str] = []
    assert [p.body for p in read_archive([path], problems)] == [body]
    assert problems == []
