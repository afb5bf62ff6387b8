"""``newsbot export``: the whole corpus of an output directory as one JSONL, CSV or Parquet
file (``newsbot.corpus``, ``newsbot.corpus.export``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from newsbot.cli import PROGRESS_SECONDS, day, fail, not_a_directory

HELP = "the whole corpus as one JSONL, CSV or Parquet file"
DESCRIPTION = (
    "Write every article of output directory DIR (every run's, not one "
    "crawl's) as one row: the front-matter fields and content (exactly the body: its "
    "SHA-256 is content_hash). CSV has a UTF-8 byte-order mark (Excel) and nested fields "
    "as JSON; Parquet needs pyarrow. Streams: memory stays flat however large the corpus."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="an output directory")
    parser.add_argument(
        "-o", dest="output", required=True, metavar="FILE", help="the file to write (- stdout)"
    )
    not_a_directory(parser)
    parser.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"), help="default: from FILE's ending"
    )
    _select_options(parser)
    parser.add_argument(
        "--comments",
        action="store_true",
        help="also the comments table, to FILE's name + .comments (corpus.comments.parquet)",
    )
    parser.add_argument("--template", help="the template the files were written with")


def _select_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", metavar="DAY", help="published on or after (Korea time)")
    parser.add_argument("--end", metavar="DAY", help="published on or before (Korea time)")
    parser.add_argument(
        "--sections", metavar="LIST", help="by the front matter's sid: codes or names"
    )
    parser.add_argument("--press", metavar="LIST", help="by press (oids)")


def _selection(args: argparse.Namespace) -> Any:
    from newsbot.corpus import Selection

    start, end = day(args.start, "--start"), day(args.end, "--end")
    if start and end and start > end:
        raise ValueError(f"--start {start} is after --end {end}")
    return Selection.of(
        start=start,
        end=end,
        sections=_list(args.sections),
        press=_list(args.press),
    )


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    import time
    import warnings
    from collections.abc import Iterator

    from newsbot import corpus
    from newsbot.corpus.export import FORMATS, comments_path, write
    from newsbot.output.safeio import OutputRefused, output_target

    root = Path(args.directory)
    if not root.is_dir():
        return fail(f"no such directory: {args.directory}")
    output = Path(args.output)
    fmt = args.format or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        return fail(f"--format: give one of {', '.join(FORMATS)} (or an -o FILE ending in one)")
    if args.comments and args.output == "-":
        return fail("--comments writes a second file beside -o FILE: name a file, not -")
    targets = [output, *([comments_path(output)] if args.comments else [])]
    for target in targets:  # a FIFO, device or directory: refused before any work
        try:
            output_target(target)
        except OutputRefused as exc:
            return fail(f"-o {target}: {exc}")
    try:
        selection = _selection(args)
    except ValueError as exc:
        return fail(str(exc))
    last = [time.monotonic()]

    def progress(n: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            print(f"newsbot: export: {n} row(s) written so far", file=sys.stderr, flush=True)

    sids: set[str] = set()

    def noting_sections(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            if row["sid"] is not None:
                sids.add(row["sid"])
            yield row

    try:
        with warnings.catch_warnings():  # each unreadable file is named below, not warned of
            warnings.simplefilter("ignore", corpus.CorpusWarning)
            rows = noting_sections(corpus.articles(root, selection, template=args.template))
            count = write(rows, output, fmt, progress=progress)
            counted = f"{count} article(s) to {output}"
            if args.comments:
                target = comments_path(output)
                rows = corpus.comments(root, selection, template=args.template)
                n = write(rows, target, fmt, table="comments")
                counted += f", {n} comment(s) to {target}"
    except ImportError as exc:
        return fail(f"{exc}: Parquet needs pyarrow (pip install pyarrow)")
    except OutputRefused as exc:  # replaced by a FIFO or device since the check above
        return fail(f"-o {args.output}: {exc}")
    except (sqlite3.Error, ValueError) as exc:  # a damaged index, a template it cannot read
        return fail(f"cannot read {args.directory}: {exc}")
    except OSError as exc:
        print(f"newsbot: error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for sid in sorted(selection.sections - sids):  # a sid is taken as given: say it if absent
        print(f"newsbot: export: no article of section {sid} was selected", file=sys.stderr)
    for problem in selection.problems:
        print(f"newsbot: not exported: {problem}", file=sys.stderr)
    summary = f"exported {counted}" + (f"; {len(selection.problems)} file(s) unreadable"
                                       if selection.problems else "")  # fmt: skip
    # With -o -, the rows are standard output: the summary goes to standard error.
    print(summary, file=sys.stderr if args.output == "-" else sys.stdout)
    return 1 if selection.problems else 0
