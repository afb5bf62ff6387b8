"""Check written Markdown files: each body hashes, byte for byte, to its ``content_hash``.

A file is read as bytes and decoded as strict UTF-8, without newline translation: a file
whose line breaks were converted (CRLF, CR, or ``\\r\\r`` paragraph breaks) or that gained a
byte-order mark fails with that reason, and the body hashed is exactly the text between
the separators. Strict UTF-8 decoding is one-to-one, so a slice of the decoded text encoded
again is exactly those bytes of the file. newsbot itself never writes a CR: Jinja writes
the template's line breaks as LF, the text it inserts is normalised (``newsbot.text``) and
the front matter escapes it (``\\r``).

Files of the packaged template are split at its fixed separators (``split_markdown``). For
any other template the body is found by rendering that template again from the file's own
front matter with a marker for the body: what the template writes before and after the
marker must be exactly the file's text before and after its body. A template for which this
cannot work is refused up front with ``TemplateError`` (see ``Verifier``).

``verify_paths`` takes files and directories (every ``*.md`` and ``*.comments.jsonl``
below, except in ``reports`` and ``archive`` folders and newsbot's temporary files). A file
in an output directory (the folder holding the index, or one of its day folders) is also
checked against the index, opened read-only: the index keeps the SHA-256 of each file as
newsbot wrote it (``file_sha256``, ``comments_sha256``), so a changed front matter (a title
edited by hand) or ``.comments.jsonl`` fails, named. A file outside an output directory, or
of a row written before the index kept those hashes, has its body checked only: the
verdict says so (``Verdict.partly``).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from newsbot.comments import MAX_RECORD_BYTES, read_jsonl
from newsbot.comments import SUFFIX as COMMENTS_SUFFIX
from newsbot.items import Article
from newsbot.output.hashing import content_hash, file_hash
from newsbot.output.index import WRITTEN, IndexRow, plain, read_index
from newsbot.output.markdown import ParsedFile, one_line, split_front_matter, split_markdown
from newsbot.output.paths import INDEX_NAME, MAX_COMMENTS_FILE, TEMP_PREFIX
from newsbot.output.safeio import bounded_lines, open_regular, read_regular
from newsbot.render import TEMPLATE_NAME, render_article

#: Folders of an output directory that hold no articles (crawl reports, WARC archives).
SKIPPED_DIRS = frozenset({"reports", "archive"})
#: The largest article file read (a real one is tens of kilobytes).
MAX_FILE_BYTES = 32 * 2**20


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file: ``problem`` is ``None`` when it verifies."""

    problem: str | None
    body_hash: str | None = None  # sha256 of the body, whenever the body could be located
    front_matter: dict[str, Any] | None = None  # whenever it could be read


class TemplateError(ValueError):
    """``verify`` cannot tell where the body is in files of this template (one line)."""


def _line_ending_problem(text: str) -> str | None:
    """What happened to the line breaks, when ``text`` holds a CR (newsbot writes none)."""
    crs = text.count("\r")
    if not crs:
        return None
    crlf = text.count("\r\n")
    lone_cr = crs - crlf
    lone_lf = text.count("\n") - crlf
    if not lone_cr and not lone_lf:
        kind = "CRLF"
    elif not crlf and not lone_lf:
        kind = "CR"
    else:
        line = text.count("\n", 0, text.find("\r")) + 1
        counts = " and ".join(f"{n} {name}" for n, name in ((crlf, "CRLF"), (lone_cr, "CR")) if n)
        kind = f"{counts} among LF, first on line {line}"
    return f"line endings changed ({kind})"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


# Article texts the template probe renders: Markdown, a table, a "---" paragraph and text
# that looks like Jinja, so that a template which changes the text in any way is caught.
_PROBE_BODIES = (
    '첫 문단 *별표* & <b>"따옴표"</b> {{ item.url }} {% raw %}\n\n'
    "| 표 | 값 |\n| --- | --- |\n| 1 | 2 |\n\n---\n\n마지막 문단: newsbot probe one",
    "newsbot probe two",
)


def _probe_items() -> list[dict[str, Any]]:
    """Two articles as the renderer receives them: every field set, and the optional ones empty."""
    full = Article(
        id="001_0000000001",
        title='Probe "title" *a* [b](c) # ---',
        category="정치",
        publisher="Probe press",
        author="김기자, 이기자",
        published_at="2026-05-30T09:00:00+09:00",
        crawled_at="2026-05-30T10:00:00+09:00",
        url="https://n.news.naver.com/mnews/article/001/0000000001",
        oid="001",
        aid="0000000001",
        content_hash=content_hash(_PROBE_BODIES[0]),
        subtitle="부제 하나\n부제 둘",
        categories=["정치", "국회"],
        sid="100",
        authors=[
            {"name": "김기자", "email": "kim@example.com"},
            {"name": "이기자", "email": None},
        ],
        modified_at="2026-05-30T11:00:00+09:00",
        original_url="https://example.com/original",
        images=[{"url": "https://imgnews.pstatic.net/image/001/a.jpg", "caption": "사진 설명"}],
        layout="nnews-2026",
        comment_count=7,
    ).to_dict()
    del full["content"]
    empty: dict[str, Any] = dict.fromkeys(
        (
            "category",
            "author",
            "subtitle",
            "sid",
            "modified_at",
            "original_url",
            "layout",
            "comment_count",
        )
    )
    empty |= {"categories": [], "authors": [], "images": []}
    return [full, {**full, **empty}]


def _is_packaged_template(path: Path) -> bool:
    """Whether ``path`` holds the packaged template (Jinja reads CRLF and CR as LF)."""
    try:
        custom = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    packaged = resources.files("newsbot").joinpath("templates").joinpath(TEMPLATE_NAME)

    def lf(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    return lf(custom) == lf(packaged.read_text(encoding="utf-8"))


class Verifier:
    """Verifies files written with one template (``None``: the packaged one).

    For another template the constructor renders two probe articles (every field set, and
    the optional ones empty) with two different texts and raises ``TemplateError`` unless
    each rendering starts with YAML front matter that holds the ``content_hash``, prints the
    text exactly once and unchanged, writes the same thing around it whatever the text, and
    writes the same file again from nothing but its front matter. Only then is the body of
    a file exactly what lies between the template's rendering, from the file's front
    matter, before and after the text.
    """

    def __init__(self, template: str | None = None) -> None:
        self.template: str | None = None
        self._marker = f"NEWSBOTBODY{uuid.uuid4().hex}"
        if not template:
            return
        path = Path(template)
        if not path.is_file():
            raise TemplateError(f"template {template}: no such file")
        if _is_packaged_template(path):
            return  # the same file as the packaged one: its fixed separators hold
        self.template = template
        self._probe()

    def _refuse(self, why: str) -> NoReturn:
        raise TemplateError(
            f"template {self.template}: cannot tell where the body is in its files: {why}"
        )

    def _render(self, item: dict[str, Any]) -> str:
        try:
            return render_article(item, self.template)
        except Exception as exc:  # any template error: one line, refused
            self._refuse(f"it does not render an article ({one_line(exc)})")

    def _probe(self) -> None:
        for item in _probe_items():
            around = []
            for body in _PROBE_BODIES:
                rendered = self._render({**item, "content": body})
                if rendered.count(body) != 1:
                    self._refuse("it does not print the article text exactly once, unchanged")
                before, _, after = rendered.partition(body)
                around.append((before, after))
            if around[0] != around[1]:
                self._refuse("what it writes around the article text depends on the text")
            rendered = self._render({**item, "content": _PROBE_BODIES[0]})
            try:
                front, _ = split_front_matter(rendered)
            except (ValueError, yaml.YAMLError) as exc:
                self._refuse(f"its files do not start with YAML front matter ({one_line(exc)})")
            if front.get("content_hash") != item["content_hash"]:
                self._refuse("its front matter does not hold content_hash")
            try:
                again = render_article({**front, "content": _PROBE_BODIES[0]}, self.template)
            except Exception:
                again = None
            if again != rendered:
                self._refuse("it writes values that are not in its front matter, or not exactly")

    def split(self, text: str) -> ParsedFile:
        """Front matter and body of ``text``; ``ValueError`` (or ``yaml.YAMLError``) if none."""
        if self.template is None:
            return split_markdown(text)
        front, _ = split_front_matter(text)
        try:
            rendered = render_article({**front, "content": self._marker}, self.template)
        except Exception as exc:
            raise ValueError(
                f"{self.template} cannot be rendered from this front matter ({one_line(exc)})"
            ) from None
        before, found, after = rendered.partition(self._marker)
        if not found or self._marker in after:
            raise ValueError(f"{self.template} does not print the body once for this front matter")
        if not text.startswith(before):
            line = _line_of(text, _common_prefix(text, before))
            raise ValueError(
                f"line {line} is not what {self.template} writes from this front matter"
            )
        stop = len(text) - len(after)
        if stop < len(before) or not text.endswith(after):
            same = _common_prefix(text[::-1], after[::-1])
            line = _line_of(text, max(len(text) - same - 1, 0))
            raise ValueError(
                f"line {line} (after the body) is not what {self.template} writes "
                "from this front matter"
            )
        return ParsedFile(front, text[len(before) : stop])

    def check_text(self, text: str) -> FileCheck:
        """The verdict on a file's decoded text (decoded strictly, no newline translation)."""
        problems = []
        if text.startswith("\ufeff"):
            problems.append("starts with a byte-order mark")
        line_endings = _line_ending_problem(text)
        if line_endings:
            problems.append(line_endings)
        if problems:
            restored = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
            if self.check_text(restored).problem is None:
                problems.append("otherwise intact")
            return FileCheck("; ".join(problems))
        try:
            parsed = self.split(text)
            actual = content_hash(parsed.body)
        except (ValueError, yaml.YAMLError) as exc:
            return FileCheck(f"unreadable: {one_line(exc)}")
        expected = parsed.front_matter.get("content_hash")
        if expected != actual:
            return FileCheck(
                f"content_hash {expected} does not match body sha256 {actual}",
                actual,
                parsed.front_matter,
            )
        return FileCheck(None, actual, parsed.front_matter)

    def check_bytes(self, data: bytes) -> FileCheck:
        try:
            text = data.decode("utf-8")  # strict, and no newline translation
        except UnicodeDecodeError as exc:
            return FileCheck(f"not UTF-8: {exc.reason} at byte {exc.start}")
        return self.check_text(text)

    def check_file(self, path: Path) -> FileCheck:
        try:
            data = read_regular(path, MAX_FILE_BYTES)
        except OSError as exc:
            return FileCheck(f"unreadable: {exc.strerror or exc}")
        return self.check_bytes(data)


_DEFAULT = Verifier()


def verify_text(text: str) -> str | None:
    """``None`` when a default-template file's body hashes to its ``content_hash``, else why."""
    return _DEFAULT.check_text(text).problem


#: Why a file that verifies could be checked only in part (``Verdict.partly``), as the
#: summary says it after a count.
OUTSIDE = "by body only: outside an output directory (no index holds the whole file's hash)"
UNINDEXED = "by body only: the index cannot be read"
NOT_COVERED = "with front matter not covered: written before the index kept whole-file hashes"
COMMENTS_NOT_COVERED = "comments file(s) checked line by line only: no index holds their hash"
#: Their order in the summary.
PARTLY = (OUTSIDE, UNINDEXED, NOT_COVERED, COMMENTS_NOT_COVERED)


@dataclass(frozen=True)
class Verdict:
    """One file's verdict: ``problem`` is ``None`` when it verifies; ``partly`` then says why
    only part of it could be checked (``OUTSIDE``, ``NOT_COVERED`` …), ``None`` when all."""

    name: str
    problem: str | None
    partly: str | None = None


def markdown_files(root: Path, errors: list[OSError] | None = None) -> list[Path]:
    """Every ``*.md`` and ``*.comments.jsonl`` below ``root``, sorted; ``reports``/``archive``
    folders and temp files not."""
    found = []
    for dirpath, dirnames, filenames in os.walk(
        root, onerror=None if errors is None else errors.append
    ):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        found += [
            Path(dirpath, name)
            for name in sorted(filenames)
            if name.endswith((".md", COMMENTS_SUFFIX)) and not name.startswith(TEMP_PREFIX)
        ]
    return found


def output_root(path: Path) -> Path | None:
    """The output directory ``path`` is in or is (the nearest folder holding the index,
    down to a day's folder ``YYYY/MM/DD``), resolved; ``None`` when there is none."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    start = resolved if resolved.is_dir() else resolved.parent
    for folder in [start, *start.parents][:4]:
        if (folder / INDEX_NAME).is_file():
            return folder
    return None


def _edited(front: dict[str, Any] | None, row: IndexRow) -> str:
    """Why a file whose body verifies is not the file newsbot wrote, naming the front-matter
    keys whose value is not the index's."""
    keys = [
        key for key, value in row.described if front is not None and plain(front.get(key)) != value
    ]
    if keys:
        differ = "differs" if len(keys) == 1 else "differ"
        what = ", ".join(keys)
        return f"front matter changed since newsbot wrote it: {what} {differ} from the index"
    return (
        "changed since newsbot wrote it, outside the body (which still hashes to content_hash): "
        "its SHA-256 is not the index's"
    )


def _check_article(
    path: Path, row: IndexRow | None, verifier: Verifier, *, indexed: bool
) -> Verdict:
    """An article file, with what the index says of it (``indexed``: the index was read)."""
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except OSError as exc:
        return Verdict(str(path), f"unreadable: {exc.strerror or exc}")
    check = verifier.check_bytes(data)
    problems = [check.problem] if check.problem else []
    partly = None
    if not indexed:
        partly = OUTSIDE
    elif row is None:
        problems.append("not in the index")
    elif row.status != WRITTEN:
        problems.append(f"not in the index as written (its status: {row.status})")
    elif check.body_hash is not None and row.content_hash != check.body_hash:
        problems.append(f"the index has content_hash {row.content_hash}")
    elif row.file_sha256 is None:
        partly = NOT_COVERED
    elif not problems and file_hash(data) != row.file_sha256:
        problems.append(_edited(check.front_matter, row))
    if problems:
        return Verdict(str(path), "; ".join(problems))
    return Verdict(str(path), None, partly)


def comments_problem(path: Path) -> str | None:
    """What is wrong with a ``.comments.jsonl`` read line by line (lines that are not comment
    records; a last line cut short), or ``None``."""
    bad = 0
    try:
        with open_regular(path, MAX_COMMENTS_FILE) as handle:
            for line in bounded_lines(handle, MAX_RECORD_BYTES):
                bad += 1 if line is None else read_jsonl(line)[1]
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(size - 1, 0))
            cut = size > 0 and handle.read(1) != b"\n"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    problems = [f"{bad} line(s) are not comment records"] if bad else []
    if cut:
        problems.append("its last line is cut short")
    return "; ".join(problems) or None


def _check_comments(path: Path, row: IndexRow | None, *, indexed: bool) -> Verdict:
    """A ``.comments.jsonl``, with what the index says of its article."""
    if indexed and row is None:
        return Verdict(str(path), "not in the index (no article of the index has it)")
    if indexed and row is not None and row.status != WRITTEN:
        return Verdict(str(path), f"its article is not in the index as written ({row.status})")
    if row is None or row.comments_sha256 is None:
        problem = comments_problem(path)
        return Verdict(str(path), problem, None if problem else COMMENTS_NOT_COVERED)
    try:
        with open_regular(path, MAX_COMMENTS_FILE) as handle:
            digest = file_hash(handle)
    except OSError as exc:
        return Verdict(str(path), f"unreadable: {exc.strerror or exc}")
    if digest == row.comments_sha256:
        return Verdict(str(path), None)
    detail = comments_problem(path)
    return Verdict(
        str(path),
        "changed since newsbot wrote it (its SHA-256 is not the index's)"
        + (f": {detail}" if detail else ""),
    )


def _article_of(rel: str) -> str:
    """The index path of the article a file belongs to (``….comments.jsonl`` → ``….md``)."""
    return rel[: -len(COMMENTS_SUFFIX)] + ".md" if rel.endswith(COMMENTS_SUFFIX) else rel


def _check(
    path: Path, rel: str | None, index: dict[str, IndexRow] | None, verifier: Verifier
) -> Verdict:
    row = index.get(_article_of(rel)) if index is not None and rel is not None else None
    indexed = index is not None
    if path.name.endswith(COMMENTS_SUFFIX):
        return _check_comments(path, row, indexed=indexed)
    return _check_article(path, row, verifier, indexed=indexed)


class _Indexes:
    """Each output directory's index, read once (read-only) for every path checked in it."""

    def __init__(self) -> None:
        self.read: dict[Path, dict[str, IndexRow] | None] = {}

    def of(self, root: Path) -> tuple[dict[str, IndexRow] | None, Verdict | None]:
        """The index of ``root``, or ``None`` and (the first time) why it cannot be read."""
        if root in self.read:
            return self.read[root], None
        try:
            self.read[root] = read_index(root / INDEX_NAME)
            return self.read[root], None
        except sqlite3.Error as exc:
            self.read[root] = None
            return None, Verdict(
                str(root / INDEX_NAME),
                f"unreadable index: {one_line(exc)} (newsbot reindex {root} rebuilds it "
                "from the files)",
            )


def _verify_directory(folder: Path, verifier: Verifier, indexes: _Indexes) -> Iterator[Verdict]:
    root = output_root(folder)
    index = None
    if root is not None:
        index, unreadable = indexes.of(root)
        if unreadable is not None:
            yield unreadable
    prefix = ""
    if root is not None:
        prefix = folder.resolve().relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
    errors: list[OSError] = []
    seen = set()
    for path in markdown_files(folder, errors):
        rel = None
        if root is not None:
            rel = prefix + path.relative_to(folder).as_posix()
            seen.add(rel)
        verdict = _check(path, rel, index, verifier)
        if root is not None and index is None and verdict.problem is None:
            verdict = Verdict(verdict.name, None, UNINDEXED)
        yield verdict
    for error in errors:
        yield Verdict(str(error.filename), f"unreadable directory: {error.strerror or error}")
    if index is None:
        return
    for rel, row in sorted(index.items()):
        if row.status != WRITTEN or not rel.startswith(prefix):
            continue
        if rel not in seen:
            yield Verdict(str(folder / rel[len(prefix) :]), "missing: the index lists it")
        comments = rel[: -len(".md")] + COMMENTS_SUFFIX
        if row.comments_sha256 is not None and comments not in seen:
            yield Verdict(str(folder / comments[len(prefix) :]), "missing: the index lists it")


def _verify_file(path: Path, verifier: Verifier, indexes: _Indexes) -> Iterator[Verdict]:
    root = output_root(path)
    if root is None:
        yield _check(path, None, None, verifier)
        return
    index, unreadable = indexes.of(root)
    if unreadable is not None:
        yield unreadable
    verdict = _check(path, path.resolve().relative_to(root).as_posix(), index, verifier)
    if index is None and verdict.problem is None:
        verdict = Verdict(verdict.name, None, UNINDEXED)
    yield verdict


def verify_paths(paths: Iterable[Path], verifier: Verifier) -> Iterator[Verdict]:
    """A ``Verdict`` for every file named or found, and every index entry missing. A file in
    an output directory (named, or found in a folder of it) is checked against its index:
    the whole file, front matter included, and its ``.comments.jsonl``; any other file by
    its body only."""
    indexes = _Indexes()
    for path in paths:
        if path.is_dir():
            results: Iterable[Verdict] = _verify_directory(path, verifier, indexes)
        else:
            results = _verify_file(path, verifier, indexes)
        for verdict in results:
            yield Verdict(
                _printable(verdict.name),
                None if verdict.problem is None else _printable(verdict.problem),
                verdict.partly,
            )


def _printable(text: str) -> str:
    """``text`` on one line: a newline or other control character in a file name, an index
    entry or a front-matter value is shown escaped (``\\n``), never printed."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
