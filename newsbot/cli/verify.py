"""``newsbot verify``: written files checked against their content_hash and the index."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from newsbot.cli import fail

HELP = "check written files: bodies against content_hash, whole files against the index"
DESCRIPTION = (
    "Check that each file's body hashes, byte for byte, to its front matter's "
    "content_hash. A directory is searched for *.md and *.comments.jsonl files. A file in "
    "an output directory (the folder holding the index, or one of its folders) is also "
    "checked against the index: the whole file as newsbot wrote it, front matter "
    "included, and its .comments.jsonl. A file elsewhere has its body checked only "
    "(the summary says how many)."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Markdown files, or directories holding them (reports/ and archive/ skipped)",
    )
    parser.add_argument(
        "--template",
        help="the Jinja2 template the files were written with "
        "(default: $NEWSBOT_TEMPLATE, else the packaged one)",
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.output.verify import PARTLY, TemplateError, Verifier, verify_paths

    missing = [name for name in args.paths if not os.path.exists(name)]
    if missing:
        return fail(f"no such file or directory: {missing[0]}")
    try:
        verifier = Verifier(args.template or None)
    except TemplateError as exc:
        return fail(str(exc))
    ok = bad = 0
    partly = dict.fromkeys(PARTLY, 0)  # why a file was checked only in part -> how many
    for verdict in verify_paths([Path(p) for p in args.paths], verifier):
        if verdict.problem:
            bad += 1
            print(f"{verdict.name}: {verdict.problem}", file=sys.stderr)
        else:
            ok += 1
            if verdict.partly:
                partly[verdict.partly] = partly.get(verdict.partly, 0) + 1
    sys.stderr.flush()
    print(f"{ok} ok, {bad} failed" + "".join(f"; {n} {why}" for why, n in partly.items() if n))
    return 1 if bad else 0
