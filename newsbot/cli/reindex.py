"""``newsbot reindex``: the index of an output directory rebuilt from its files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbot.cli import PROGRESS_SECONDS, fail

HELP = "rebuild a damaged or lost index from the files of an output directory"
DESCRIPTION = (
    "Rebuild the index of output directory DIR from its files: every "
    "YYYY/MM/DD/OID_AID.md gives its article's row (id, path, hashes, dates, title, "
    "publisher, section, layout, comment count), each file and .comments.jsonl is hashed "
    "as it is now. The new index replaces the old one in one rename; the old one is kept "
    "beside it (newsbot-index.sqlite3.before-reindex-TIME). Revisions, first crawl times "
    "and articles never written are not in the files: they are not rebuilt. Run it while "
    "no crawl writes to DIR. Exit 0: every file indexed; 1: some file could not be "
    "(listed); 2: no such directory."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="an output directory")
    parser.add_argument(
        "--template",
        help="the Jinja2 template the files were written with "
        "(default: $NEWSBOT_TEMPLATE, else the packaged one)",
    )


def run(args: argparse.Namespace) -> int:
    """The index of an output directory rebuilt from its files (``newsbot.output.reindex``)."""
    import time

    from newsbot.output.reindex import (
        NOT_REBUILT,
        TRUSTED,
        NotOutputDirectory,
        ReindexResult,
        rebuild,
    )
    from newsbot.output.verify import TemplateError

    root = Path(args.directory)
    if not root.is_dir():
        return fail(f"no such directory: {args.directory}")
    last = [time.monotonic()]

    def progress(result: ReindexResult) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            print(
                f"newsbot: reindex: {result.files} file(s) read, {result.articles} indexed",
                file=sys.stderr,
                flush=True,
            )

    try:
        result = rebuild(root, template=args.template or None, progress=progress)
    except (NotOutputDirectory, TemplateError) as exc:
        return fail(str(exc))
    except OSError as exc:
        print(
            f"newsbot: error: {args.directory}: {exc.strerror or exc}; the index is as it was",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("newsbot: reindex stopped; the index is as it was", file=sys.stderr)
        return 3
    for problem in result.problems:
        print(f"newsbot: {problem}", file=sys.stderr)
    sys.stderr.flush()
    kept = f"; the old one kept as {result.kept}" if result.kept else ""
    problems = f"; {len(result.problems)} problem(s), see above" if result.problems else ""
    print(
        f"reindexed {result.articles} article(s) and {result.comments} comments file(s) into "
        f"{result.index}{kept}{problems}"
    )
    print(NOT_REBUILT)
    print(TRUSTED)
    return 1 if result.problems else 0
