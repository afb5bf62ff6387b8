"""The corpus as data: the articles (and comments) of an output directory, streamed.

    from newsbot.corpus import articles, dataframe
    for article in articles("output", start="2026-05-01", sections=["정치"]):
        print(article["id"], article["title"], len(article["content"]))
    df = dataframe("output")  # pandas, if installed

Every article the index lists as written (or, without an index, every ``*.md`` below the
directory), read from its file: the front-matter fields in their order, then ``content``
(exactly the body, so its SHA-256 is ``content_hash``). One file is read at a time.

A file that cannot be read is never dropped without a word: it is named in
``Selection.problems`` and, once the reading ends, in one ``CorpusWarning``; with
``strict=True`` the first one raises ``UnreadableFile`` instead.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from newsbot.comments import comments_file, read_jsonl
from newsbot.dates import kst_date_of
from newsbot.items import FIELD_NAMES
from newsbot.output.index import WRITTEN
from newsbot.output.paths import INDEX_NAME, TEMP_PREFIX, inside
from newsbot.output.safeio import bounded_lines, open_regular, read_regular
from newsbot.output.verify import MAX_FILE_BYTES, SKIPPED_DIRS, Verifier
from newsbot.sections import OTHER_SECTIONS, SECTIONS, section_code

#: The columns of an export, in order: the front matter's, then the body.
COLUMNS: tuple[str, ...] = (*(f for f in FIELD_NAMES if f != "content"), "content")
#: The longest ``.comments.jsonl`` line read (a real comment record is under 10 KB).
MAX_COMMENT_LINE = 2**20
#: The deepest nesting of a comment record read (a real one is one level, two with ``user``).
MAX_COMMENT_DEPTH = 32
#: The largest ``.comments.jsonl`` read (read a line at a time; a real one is megabytes).
MAX_COMMENTS_FILE = 2**32
#: The columns of the comments table: the article, then a ``.comments.jsonl`` record's.
COMMENT_COLUMNS: tuple[str, ...] = (
    "article_id",
    "comment_no",
    "parent_comment_no",
    "created_at",
    "modified_at",
    "user",
    "contents",
    "likes",
    "dislikes",
    "reply_count",
    "best",
    "deleted",
)
#: How many unreadable files a ``CorpusWarning`` names (``Selection.problems`` has them all).
NAMED_IN_WARNING = 3


class CorpusWarning(UserWarning):
    """Files of the corpus could not be read and were skipped (each is in
    ``Selection.problems``)."""


class UnreadableFile(Exception):
    """With ``strict=True``: a file of the corpus could not be read (``problem`` says which
    and why: ``2026/05/30/001_0000000001.md: …``)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class Selection:
    """Which articles: published (Korea time) from ``start`` to ``end``, in ``sections``
    (sid1 codes or names), by ``press`` (oids). Empty means all."""

    start: date | None = None
    end: date | None = None
    sections: frozenset[str] = frozenset()
    press: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)  # files that could not be read

    @classmethod
    def of(
        cls,
        *,
        start: date | str | None = None,
        end: date | str | None = None,
        sections: Iterable[str] = (),
        press: Iterable[str] = (),
    ) -> Selection:
        codes = {_section(name) for name in sections}
        return cls(_day(start), _day(end), frozenset(codes), frozenset(press))

    def wants(self, front: dict[str, Any]) -> bool:
        sid = front.get("sid")  # a string, unless a hand-edited front matter made it a number
        if self.sections and (None if sid is None else str(sid)) not in self.sections:
            return False
        if self.press and front.get("oid") not in self.press:
            return False
        if self.start or self.end:
            published = front.get("published_at")
            if not isinstance(published, str):
                return False
            try:
                day = kst_date_of(published)
            except (ValueError, OverflowError):
                return False
            if (self.start and day < self.start) or (self.end and day > self.end):
                return False
        return True


def _section(name: str) -> str:
    """The sid1 an article's front matter holds for section ``name``: digits are a sid as
    given (whatever section the corpus holds: ``110`` 오피니언 too), a name is resolved
    through ``newsbot.sections``; ``ValueError`` naming the known names otherwise."""
    text = name.strip()
    if text.isascii() and text.isdigit():
        return text
    code = section_code(text)
    if code is None:
        code = next((sid for sid, known in OTHER_SECTIONS.items() if known == text), None)
    if code is None:
        names = ", ".join([*SECTIONS.values(), *OTHER_SECTIONS.values()])
        raise ValueError(
            f"unknown section {name!r}: give a sid (digits, such as 110) or a name: {names}, "
            "or an English one (see: newsbot sections)"
        )
    return code


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def article_files(root: Path) -> Iterator[Path]:
    """The article files of an output directory, in path order (day by day): those its
    index lists as written, or every ``*.md`` below it when there is no index."""
    index = root / INDEX_NAME
    if index.is_file():
        uri = f"file:{urllib.parse.quote(str(index.absolute()))}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=60)
        try:
            rows = db.execute(
                "SELECT path FROM articles WHERE status = ? AND path IS NOT NULL ORDER BY path",
                (WRITTEN,),
            )
            for (relative,) in rows:
                path = inside(root, relative)
                if path is not None:
                    yield path
        finally:
            db.close()
        return
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts
        if not (set(parts[:-1]) & SKIPPED_DIRS) and not path.name.startswith(TEMP_PREFIX):
            yield path


def articles(
    root: str | Path,
    selection: Selection | None = None,
    *,
    template: str | None = None,
    strict: bool = False,
    **select: Any,
) -> Iterator[dict[str, Any]]:
    """Each selected article as a dict: ``COLUMNS`` in order (a key the file lacks is
    ``None``: ``comment_count`` of an article whose comments were not asked for). A file
    that cannot be read is named in ``selection.problems`` and skipped, and the reading
    ends with one ``CorpusWarning`` naming those skipped; ``strict=True``: the first one
    raises ``UnreadableFile``."""
    selection = selection or Selection.of(**select)
    before = len(selection.problems)
    try:
        for _, row in _read(Path(root), selection, template, strict):
            yield row
    except GeneratorExit:  # the caller stopped early: the files skipped so far
        _warn(selection.problems[before:], stacklevel=2)
        raise
    _warn(selection.problems[before:], stacklevel=2)


def comments(
    root: str | Path,
    selection: Selection | None = None,
    *,
    template: str | None = None,
    strict: bool = False,
    **select: Any,
) -> Iterator[dict[str, Any]]:
    """Each comment and reply of the selected articles (``COMMENT_COLUMNS``), from the
    ``.comments.jsonl`` files beside them. What cannot be read (an article file, a comments
    file, a line of one) is named and skipped as by ``articles``."""
    selection = selection or Selection.of(**select)
    before = len(selection.problems)
    # The articles are read again: a file already named (by ``articles`` with the same
    # selection) is not named twice.
    reading = replace(selection, problems=[])
    try:
        for md, article in _read(Path(root), reading, template, strict):
            _named_once(selection, reading)
            path = comments_file(md)
            bad: list[str] = []
            try:
                for record in comment_records(path, bad):
                    yield {"article_id": article["id"]} | {
                        name: record.get(name) for name in COMMENT_COLUMNS[1:]
                    }
            except FileNotFoundError:
                continue  # comments not asked for
            except OSError as exc:
                _problem(selection, f"{path}: {exc.strerror or exc}", strict)
                continue
            if bad:
                shown = "; ".join(bad[:3]) + ("; …" if len(bad) > 3 else "")
                _problem(
                    selection, f"{path}: {len(bad)} line(s) could not be read ({shown})", strict
                )
        _named_once(selection, reading)
    except GeneratorExit:
        _named_once(selection, reading)
        _warn(selection.problems[before:], stacklevel=2)
        raise
    _warn(selection.problems[before:], stacklevel=2)


def _named_once(selection: Selection, reading: Selection) -> None:
    """The problems of ``reading`` not yet in ``selection``'s, added there."""
    for problem in reading.problems:
        if problem not in selection.problems:
            selection.problems.append(problem)
    reading.problems.clear()


def _problem(selection: Selection, problem: str, strict: bool) -> None:
    """A file that cannot be read: named in ``selection``; raised with ``strict``."""
    selection.problems.append(problem)
    if strict:
        raise UnreadableFile(problem)


def _warn(problems: list[str], *, stacklevel: int) -> None:
    """One ``CorpusWarning`` naming the first ``NAMED_IN_WARNING`` of ``problems``, shown at
    ``stacklevel`` counted from the caller of ``_warn`` (2: that caller's caller, which for
    a generator is the line that asked it for the next item)."""
    if not problems:
        return
    shown = "; ".join(problems[:NAMED_IN_WARNING])
    more = (
        f"; and {len(problems) - NAMED_IN_WARNING} more" if len(problems) > NAMED_IN_WARNING else ""
    )
    warnings.warn(
        f"{len(problems)} file(s) of the corpus could not be read and were skipped: {shown}"
        f"{more} (all in Selection.problems; strict=True raises instead)",
        CorpusWarning,
        stacklevel=stacklevel + 1,
    )


def comment_records(path: Path, bad: list[str]) -> Iterator[dict[str, Any]]:
    """The records of a ``.comments.jsonl`` file, one line at a time; a line that cannot be
    read (not a record, over ``MAX_COMMENT_LINE`` bytes, nested deeper than
    ``MAX_COMMENT_DEPTH``) is named in ``bad`` (``line 3: nested too deep``) and skipped.
    ``OSError`` when the file cannot be opened (``FileRefused``: not a regular file)."""
    with open_regular(path, MAX_COMMENTS_FILE) as handle:
        for number, line in enumerate(bounded_lines(handle, MAX_COMMENT_LINE), start=1):
            why = _unreadable_line(line)
            if why is None:
                assert line is not None
                records, failed = read_jsonl(line)
                if records and not failed:
                    yield records[0]
                    continue
                if not line.strip():
                    continue
                why = "not a comment record"
            bad.append(f"line {number}: {why}")


def _unreadable_line(line: bytes | None) -> str | None:
    """Why ``line`` is not handed to the JSON reader: too long, or nested too deep (the
    reader recurses once a level: 100,000 ``[`` raise ``RecursionError``)."""
    if line is None:
        return f"over {MAX_COMMENT_LINE:,} bytes"
    if line.count(b"[") + line.count(b"{") <= MAX_COMMENT_DEPTH:
        return None  # cannot be deeper, whatever it holds
    try:
        value = json.loads(line)
    except RecursionError:
        return "nested too deep"
    except ValueError:
        return None  # the reader counts it
    return "nested too deep" if _depth(value) > MAX_COMMENT_DEPTH else None


def _depth(value: Any) -> int:
    """How deep lists and mappings nest in ``value`` (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_COMMENT_DEPTH:
                stack.extend((child, depth + 1) for child in item)
    return deepest


def _read(
    root: Path, selection: Selection, template: str | None, strict: bool
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(file, row) of each selected article: the one reading of the files. A file that
    cannot be read is named in ``selection.problems`` (``strict``: and raised)."""
    verifier = Verifier(template)
    for path in article_files(root):
        try:
            parsed = verifier.split(read_regular(path, MAX_FILE_BYTES).decode("utf-8"))
        except (OSError, ValueError) as exc:  # UnicodeDecodeError, YAML errors are ValueErrors
            _problem(selection, f"{path}: {exc}", strict)
            continue
        except Exception as exc:  # a YAML error of another kind: named, then go on
            _problem(selection, f"{path}: {type(exc).__name__}: {exc}", strict)
            continue
        front = parsed.front_matter
        if not selection.wants(front):
            continue
        row = {name: front.get(name) for name in COLUMNS[:-1]}
        for name in ("id", "oid", "aid", "sid"):  # ids are strings, whatever YAML made of them
            if row[name] is not None:
                row[name] = str(row[name])
        row["content"] = parsed.body
        yield path, row


def dataframe(
    root: str | Path,
    selection: Selection | None = None,
    *,
    template: str | None = None,
    strict: bool = False,
    **select: Any,
) -> Any:
    """The selected articles as a pandas DataFrame (needs ``pandas``). A file that cannot
    be read is left out and named in one ``CorpusWarning`` (``strict=True``: raises
    ``UnreadableFile``), as by ``articles``."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("newsbot.corpus.dataframe needs pandas: pip install pandas") from None
    selection = selection or Selection.of(**select)
    before = len(selection.problems)
    rows = (row for _, row in _read(Path(root), selection, template, strict))
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    _warn(selection.problems[before:], stacklevel=2)
    return frame
