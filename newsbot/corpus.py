"""The corpus as data: the articles (and comments) of an output directory, streamed.

    from newsbot.corpus import articles, dataframe
    for article in articles("output", start="2026-05-01", sections=["정치"]):
        print(article["id"], article["title"], len(article["content"]))
    df = dataframe("output")  # pandas, if installed

Every article the index lists as written (or, without an index, every ``*.md`` below the
directory), read from its file: the front-matter fields in their order, then ``content``
(exactly the body, so its SHA-256 is ``content_hash``). One file is read at a time.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from newsbot.comments import comments_file, read_jsonl
from newsbot.dates import kst_date_of
from newsbot.items import FIELD_NAMES
from newsbot.safeio import bounded_lines, open_regular, read_regular
from newsbot.sections import section_code
from newsbot.storage import INDEX_NAME, TEMP_PREFIX, WRITTEN, inside
from newsbot.verify import MAX_FILE_BYTES, SKIPPED_DIRS, Verifier

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
        codes = set()
        for name in sections:
            code = section_code(name)
            if code is None:
                raise ValueError(f"unknown section {name!r} (see: newsbot sections)")
            codes.add(code)
        return cls(_day(start), _day(end), frozenset(codes), frozenset(press))

    def wants(self, front: dict[str, Any]) -> bool:
        if self.sections and front.get("sid") not in self.sections:
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
    **select: Any,
) -> Iterator[dict[str, Any]]:
    """Each selected article as a dict: ``COLUMNS`` in order (a key the file lacks is
    ``None``: ``comment_count`` of an article whose comments were not asked for). A file
    that cannot be read is named in ``selection.problems`` and skipped."""
    for _, row in _read(Path(root), selection or Selection.of(**select), template):
        yield row


def comments(
    root: str | Path,
    selection: Selection | None = None,
    *,
    template: str | None = None,
    **select: Any,
) -> Iterator[dict[str, Any]]:
    """Each comment and reply of the selected articles (``COMMENT_COLUMNS``), from the
    ``.comments.jsonl`` files beside them."""
    selection = selection or Selection.of(**select)
    # The articles are read again: a file they could not be read from is already named.
    reading = replace(selection, problems=[])
    for md, article in _read(Path(root), reading, template):
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
            selection.problems.append(f"{path}: {exc.strerror or exc}")
            continue
        if bad:
            shown = "; ".join(bad[:3]) + ("; …" if len(bad) > 3 else "")
            selection.problems.append(f"{path}: {len(bad)} line(s) could not be read ({shown})")


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
    root: Path, selection: Selection, template: str | None
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(file, row) of each selected article: the one reading of the files."""
    verifier = Verifier(template)
    for path in article_files(root):
        try:
            parsed = verifier.split(read_regular(path, MAX_FILE_BYTES).decode("utf-8"))
        except (OSError, ValueError) as exc:  # UnicodeDecodeError, YAML errors are ValueErrors
            selection.problems.append(f"{path}: {exc}")
            continue
        except Exception as exc:  # a YAML error of another kind: named, then go on
            selection.problems.append(f"{path}: {type(exc).__name__}: {exc}")
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


def dataframe(root: str | Path, **select: Any) -> Any:
    """The selected articles as a pandas DataFrame (needs ``pandas``)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("newsbot.corpus.dataframe needs pandas: pip install pandas") from None
    return pd.DataFrame.from_records(articles(root, **select), columns=list(COLUMNS))
