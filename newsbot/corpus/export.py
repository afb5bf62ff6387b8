"""``newsbot export``: the whole corpus of an output directory as one JSONL, CSV or Parquet
file (and, with comments, a second one), streamed one article at a time.

* JSONL: one JSON object a line, UTF-8, values as in the front matter.
* CSV: UTF-8 with a byte-order mark (Excel reads Korean right), one row an article; lists and
  mappings (``categories``, ``authors``, ``images``) as JSON text, ``None`` as an empty cell.
* Parquet: through pyarrow (``pip install pyarrow``), nested fields typed (a list of strings,
  lists of structs), written in row groups of ``BATCH`` articles.

A file is written under a temporary name and renamed when whole (``newsbot.safeio``): an
export that fails, is interrupted or killed (SIGTERM, SIGHUP) leaves nothing half-written;
a link is written through, a directory, FIFO or device refused; ``-`` is standard output.

CSV cells of text starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR get a leading
``'`` so that a spreadsheet shows them rather than running them as formulas (JSONL and
Parquet keep the text exactly); numbers are written as they are.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newsbot.corpus.loader import COLUMNS, COMMENT_COLUMNS
from newsbot.output.safeio import output_stream

FORMATS = ("jsonl", "csv", "parquet")
BATCH = 1000
_NESTED = ("categories", "authors", "images")
_INTEGERS = frozenset({"comment_count", "likes", "dislikes", "reply_count"})
_BOOLEANS = frozenset({"best", "deleted"})
#: The keys of the list-of-mapping columns (Parquet structs).
_KEYS = {"authors": ("name", "email"), "images": ("url", "caption")}


def comments_path(path: Path) -> Path:
    """``corpus.parquet`` → ``corpus.comments.parquet``: where the comments table goes."""
    return path.with_name(f"{path.stem}.comments{path.suffix}")


def write(
    rows: Iterable[dict[str, Any]],
    path: Path | str,
    fmt: str,
    *,
    table: str = "articles",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` (``table``: ``articles`` or ``comments``) to ``path`` in ``fmt``
    (``-``: standard output); return how many. A link is written through, never replaced.
    Raises ``ImportError`` for Parquet without pyarrow, ``OutputRefused`` (an ``OSError``)
    for a directory, FIFO or device, ``OSError`` when the file cannot be written (nothing
    is left behind)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    columns = COLUMNS if table == "articles" else COMMENT_COLUMNS
    if fmt == "parquet":
        import pyarrow  # noqa: F401  (fail before anything is written)
    counted = _counting(rows, progress)
    with output_stream(path) as out:
        if fmt == "jsonl":
            return _jsonl(counted, out)
        if fmt == "csv":
            return _csv(counted, out, columns)
        return _parquet(counted, out, table)


def _counting(
    rows: Iterable[dict[str, Any]], progress: Callable[[int], None] | None
) -> Iterator[dict[str, Any]]:
    for n, row in enumerate(rows, start=1):
        yield row
        if progress is not None:
            progress(n)


@contextlib.contextmanager
def _text(out: BinaryIO, encoding: str, newline: str) -> Iterator[io.TextIOWrapper]:
    """``out`` as text, handed back (flushed, not closed) at the end."""
    text = io.TextIOWrapper(out, encoding=encoding, newline=newline)
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def _jsonl(rows: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    count = 0
    with _text(out, "utf-8", "\n") as text:
        for row in rows:
            # default=str: a hand-edited front matter may hold a YAML date
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)
            text.write(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
            count += 1
    return count


#: What a spreadsheet reads as the start of a formula (``=``, ``+``, ``-``, ``@``; tab and
#: CR too, OWASP's list): a text cell starting with one gets a ``'`` in front.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading ``'``
    (``'=HYPERLINK(…)``, ``'-3+4``); numbers, which only the numeric columns hold, are
    written as they are (``-1`` stays a number)."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif not isinstance(value, str):
        return value
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv(rows: Iterable[dict[str, Any]], out: BinaryIO, columns: tuple[str, ...]) -> int:
    count = 0
    # utf-8-sig: the byte-order mark Excel needs to read UTF-8; newline="" as csv asks.
    with _text(out, "utf-8-sig", "") as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in columns])
            count += 1
    return count


def _schema(columns: tuple[str, ...]) -> Any:
    """The Parquet schema of ``columns``: the types ``_typed`` gives their values."""
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in _KEYS:
            return pa.list_(pa.struct([(key, pa.string()) for key in _KEYS[name]]))
        if name == "categories":
            return pa.list_(pa.string())
        if name in _INTEGERS:
            return pa.int64()
        return pa.bool_() if name in _BOOLEANS else pa.string()

    return pa.schema([(name, kind(name)) for name in columns])


def _parquet(rows: Iterable[dict[str, Any]], out: BinaryIO, table: str) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema(COLUMNS if table == "articles" else COMMENT_COLUMNS)
    names = schema.names
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for row in rows:
            batch.append({name: _typed(name, row.get(name)) for name in names})
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _typed(name: str, value: Any) -> Any:
    """A front-matter value in its Parquet column's type (a hand-edited file may hold
    another: it is kept as text rather than failing the export)."""
    if name in _NESTED:
        return _nested(name, value)
    if name in _INTEGERS:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
        return value if ok else None
    if name in _BOOLEANS:
        return value if isinstance(value, bool) else None
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


def _nested(name: str, value: Any) -> list[Any] | None:
    """A list column in its Parquet type; items of another shape are kept as text."""
    if not isinstance(value, list):
        return None
    if name == "categories":
        return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
                for v in value]  # fmt: skip
    keys = _KEYS[name]
    out = []
    for item in value:
        if not isinstance(item, dict):
            item = {keys[0]: json.dumps(item, ensure_ascii=False, default=str)}
        out.append({k: _typed_text(item.get(k)) for k in keys})
    return out


def _typed_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def csv_text(rows: Iterable[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    """The CSV of ``rows`` as text (for tests and small tables)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue()
