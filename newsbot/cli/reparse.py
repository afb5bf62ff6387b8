"""``newsbot reparse``: archived pages extracted again, the Markdown files rewritten."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from newsbot.cli import PROGRESS_SECONDS, day, fail, output_dir_option

HELP = "extract archived pages again and rewrite the Markdown files (no network)"
DESCRIPTION = (
    "Re-run extraction over WARC archives written with NEWSBOT_ARCHIVE=1, or "
    "by other tools (Common Crawl, wget --warc-file, warcprox), and rewrite the Markdown "
    "files and the index; no request is made. Records without a Naver article "
    "(other hosts, robots.txt, revisits, non-200 responses, listings) are skipped and "
    "counted."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("archives", nargs="+", help="WARC files, or directories holding them")
    output_dir_option(parser, "the output directory to rewrite")
    parser.add_argument("--template", help="a Jinja2 template file instead of the packaged one")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="processes to read with, the files split between them (default 1)",
    )
    parser.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        help="write only articles published on or after this day (Korea time)",
    )
    parser.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        help="write only articles published on or before this day (Korea time)",
    )


class _Stopped(Exception):
    """SIGTERM or SIGHUP during ``newsbot reparse``: its jobs are stopped with it."""


def run(args: argparse.Namespace) -> int:
    import time

    from newsbot import runtime
    from newsbot.archive import ReparseJobError, ReparseResult, reparse, reparse_jobs
    from newsbot.output.store import OutputStore, WriteError

    inputs = [Path(p) for p in args.archives]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        return fail(f"no such archive: {missing[0]}")
    try:
        start, end = day(args.start, "--start"), day(args.end, "--end")
    except ValueError as exc:
        return fail(str(exc))
    if start and end and start > end:
        return fail(f"--start {start} is after --end {end}")
    last = [time.monotonic()]

    def progress(result: ReparseResult) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        rate = result.bytes_read / 1e6 / result.seconds if result.seconds else 0.0
        if result.phase == "plan":  # the pass that reads headers only
            what = f"finding the newest fetches: {result.records} record(s)"
        else:
            what = f"{result.records} record(s), {result.articles} article(s)"
        print(
            f"newsbot: reparse: {what}, {result.bytes_read / 1e6:.0f} MB read, {rate:.1f} MB/s",
            file=sys.stderr,
            flush=True,
        )

    if args.jobs < 1:
        return fail(f"--jobs {args.jobs}: give 1 or more")

    def job_done(finished: int, of: int, part: ReparseResult) -> None:
        print(
            f"newsbot: reparse: job {finished} of {of} done: {part.records} record(s), "
            f"{part.articles} article(s) in {part.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    import signal

    def stop(signum: int, frame: Any) -> NoReturn:
        raise _Stopped(signal.Signals(signum).name)

    handlers = {
        number: signal.signal(number, stop)
        for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None))
        if number is not None
    }
    try:
        root = Path(args.output).resolve()
        store = OutputStore(root, template=args.template)  # also checks the directory
        if args.jobs > 1:
            store.index.close()
            result = reparse_jobs(
                inputs,
                root,
                jobs=args.jobs,
                template=args.template,
                start=start,
                end=end,
                done=job_done,
            )
        else:
            runtime.tune()
            result = reparse(inputs, store, start=start, end=end, progress=progress)
    except (_Stopped, KeyboardInterrupt) as exc:
        # The jobs are stopped (reparse_jobs); files are whole, each written atomically.
        reason = str(exc) or "SIGINT"
        print(
            f"newsbot: reparse stopped by {reason}; files already written are intact",
            file=sys.stderr,
        )
        return 3
    except ReparseJobError as exc:
        return fail(f"{exc}; files already written are intact")
    except WriteError as exc:
        return fail(f"{exc.strerror}; files already written are intact")
    except OSError as exc:
        return fail(f"cannot use {args.output}: {exc.strerror or exc}")
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    for problem in result.problems:
        print(f"newsbot: warning: {problem}", file=sys.stderr)
    for url, reason in sorted(result.failures.items()):
        print(f"newsbot: not extracted: {url}: {reason}", file=sys.stderr)
    for url, reason in sorted(result.replaced.items()):
        print(
            f"newsbot: warning: newest fetch not extracted, an older one written: {url}: {reason}",
            file=sys.stderr,
        )
    rate = result.articles / result.seconds if result.seconds else 0.0
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) or "no articles"
    damaged = (
        f"; {len(result.problems)} archive problem(s) (unreadable parts skipped, see above)"
        if result.problems
        else ""
    )
    replaced = (  # not failures: an older fetch gave the article (a warning each, above)
        f" ({len(result.replaced)} newest fetch(es) not extracted, an older one written)"
        if result.replaced
        else ""
    )
    skipped = result.skipped_line()
    if skipped:
        print(skipped)  # records without an article: not a problem
    comments = (
        f"; comments of {result.comment_articles} article(s) from "
        f"{result.comment_pages} comment answer(s)"
        if result.comment_pages
        else ""
    )
    print(
        f"reparsed {result.records} record(s): {counts}{comments}; "
        f"{len(result.failures)} failed{replaced}; {rate:.0f} articles/s{damaged}"
    )
    return 1 if result.failures or result.problems else 0
