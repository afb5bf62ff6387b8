"""``newsbot stats``: what an output directory holds, read from its index and reports."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from newsbot.cli import fail

HELP = "what an output directory holds, with --html a page of charts"
DESCRIPTION = (
    "Articles per day and section and per publisher, missing-field rates, "
    "layouts, revisions and days with listing failures, read from the index and the "
    "crawl reports (no article file is opened)."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="an output directory")
    parser.add_argument("--html", metavar="FILE", help="also write one self-contained page")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    from newsbot.corpus.stats import NoIndex, collect, text
    from newsbot.corpus.stats_html import html_page
    from newsbot.output.safeio import OutputRefused, output_stream, output_target

    root = Path(args.directory)
    if not root.is_dir():
        return fail(f"no such directory: {args.directory}")
    if args.html:
        try:
            output_target(args.html)
        except OutputRefused as exc:
            return fail(f"--html {args.html}: {exc}")
    try:
        stats = collect(root)
    except NoIndex as exc:
        return fail(str(exc))
    except sqlite3.Error as exc:
        print(f"newsbot: error: cannot read the index: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(text(stats))
    for problem in stats.problems:
        print(f"newsbot: not read: {problem}", file=sys.stderr)
    if args.html:
        target = Path(args.html)
        try:
            with output_stream(target) as out:
                out.write(html_page(stats).encode("utf-8"))
        except OutputRefused as exc:
            return fail(f"--html {args.html}: {exc}")
        except OSError as exc:
            print(f"newsbot: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"newsbot: stats page written to {target}", file=sys.stderr)
    return 1 if stats.problems else 0
