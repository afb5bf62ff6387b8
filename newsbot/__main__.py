"""Command line: ``python -m newsbot extract|verify|reparse`` (the crawl is ``scrapy crawl``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from newsbot.article import decode_html, extract_article
from newsbot.dates import now_kst, parse_naver_datetime, to_iso
from newsbot.errors import NewsbotError, describe_exception
from newsbot.render import render_article

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _fail(message: str) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _cmd_extract(args: argparse.Namespace) -> int:
    try:
        raw = Path(args.path).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.path}: {exc.strerror or exc}")
    crawled_at = to_iso(now_kst())
    if args.crawled_at:
        parsed = parse_naver_datetime(args.crawled_at)
        if parsed is None:
            return _fail(f"--crawled-at is not a date and time: {args.crawled_at!r}")
        crawled_at = to_iso(parsed)
    try:
        article = extract_article(
            args.url, decode_html(raw, args.content_type), crawled_at=crawled_at
        )
    except NewsbotError as exc:
        return _fail(f"{args.path}: {exc}")
    except Exception as exc:  # a hostile page: one line, never a traceback
        return _fail(f"{args.path}: cannot extract: {describe_exception(exc)}")
    if args.format == "markdown":
        sys.stdout.write(render_article(article.to_dict(), args.template))
    else:
        sys.stdout.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from newsbot.verify import TemplateError, Verifier, verify_paths

    missing = [name for name in args.paths if not os.path.exists(name)]
    if missing:
        return _fail(f"no such file or directory: {missing[0]}")
    try:
        verifier = Verifier(args.template or None)
    except TemplateError as exc:
        return _fail(str(exc))
    ok = bad = 0
    for name, problem in verify_paths([Path(p) for p in args.paths], verifier):
        if problem:
            bad += 1
            print(f"{name}: {problem}", file=sys.stderr)
        else:
            ok += 1
    sys.stderr.flush()
    print(f"{ok} ok, {bad} failed")
    return 1 if bad else 0


PROGRESS_SECONDS = 5.0


def _day(value: str | None, option: str) -> str | None:
    """``YYYY-MM-DD`` checked, or ``None``."""
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{option} is not a date (YYYY-MM-DD): {value!r}") from None


def _cmd_reparse(args: argparse.Namespace) -> int:
    import time

    from newsbot import runtime
    from newsbot.archive import ReparseResult, reparse, reparse_jobs
    from newsbot.storage import OutputStore, WriteError

    inputs = [Path(p) for p in args.archives]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        return _fail(f"no such archive: {missing[0]}")
    try:
        start, end = _day(args.start, "--start"), _day(args.end, "--end")
    except ValueError as exc:
        return _fail(str(exc))
    if start and end and start > end:
        return _fail(f"--start {start} is after --end {end}")
    last = [time.monotonic()]

    def progress(result: ReparseResult) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        rate = result.bytes_read / 1e6 / result.seconds if result.seconds else 0.0
        print(
            f"newsbot: reparse: {result.records} record(s), {result.articles} article(s), "
            f"{result.bytes_read / 1e6:.0f} MB read, {rate:.1f} MB/s",
            file=sys.stderr,
            flush=True,
        )

    if args.jobs < 1:
        return _fail(f"--jobs {args.jobs}: give 1 or more")

    def job_done(finished: int, of: int, part: ReparseResult) -> None:
        print(
            f"newsbot: reparse: job {finished} of {of} done: {part.records} record(s), "
            f"{part.articles} article(s) in {part.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )

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
    except WriteError as exc:
        return _fail(f"{exc.strerror}; files already written are intact")
    except OSError as exc:
        return _fail(f"cannot use {args.output}: {exc.strerror or exc}")
    for problem in result.problems:
        print(f"newsbot: warning: {problem}", file=sys.stderr)
    for url, reason in sorted(result.failures.items()):
        print(f"newsbot: not extracted: {url}: {reason}", file=sys.stderr)
    rate = result.articles / result.seconds if result.seconds else 0.0
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) or "no articles"
    damaged = (
        f"; {len(result.problems)} archive problem(s) (unreadable parts skipped, see above)"
        if result.problems
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
        f"{len(result.failures)} failed; {rate:.0f} articles/s{damaged}"
    )
    return 1 if result.failures or result.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    extract = commands.add_parser(
        "extract", help="extract one saved article page", description="Extract one saved page."
    )
    extract.add_argument("path", help="the saved HTML page")
    extract.add_argument("--url", required=True, help="the address the page was fetched from")
    extract.add_argument("--format", choices=("json", "markdown"), default="json")
    extract.add_argument(
        "--content-type",
        help="the HTTP Content-Type it was served with, e.g. 'text/html;charset=EUC-KR' "
        "(default: UTF-8 if the bytes are valid UTF-8, else the page's own declaration)",
    )
    extract.add_argument("--crawled-at", help="crawl time to record (default: now, Korea time)")
    extract.add_argument("--template", help="a Jinja2 template file instead of the packaged one")
    extract.set_defaults(func=_cmd_extract)

    verify = commands.add_parser(
        "verify",
        help="check written Markdown files against their content_hash",
        description="Check that each file's body hashes, byte for byte, to its front matter's "
        "content_hash. A directory is searched for *.md files; an output directory (holding "
        "the index) is also checked against its index.",
    )
    verify.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Markdown files, or directories holding them (reports/ and archive/ skipped)",
    )
    verify.add_argument(
        "--template",
        default=os.environ.get("NEWSBOT_TEMPLATE") or None,
        help="the Jinja2 template the files were written with "
        "(default: $NEWSBOT_TEMPLATE, else the packaged one)",
    )
    verify.set_defaults(func=_cmd_verify)

    re_parse = commands.add_parser(
        "reparse",
        help="extract archived pages again and rewrite the Markdown files (no network)",
        description="Re-run extraction over WARC archives written with NEWSBOT_ARCHIVE=1, or "
        "by other tools (Common Crawl, wget --warc-file, warcprox), and rewrite the Markdown "
        "files and the index; no request is made. Records without a Naver article "
        "(other hosts, robots.txt, revisits, non-200 responses, listings) are skipped and "
        "counted.",
    )
    re_parse.add_argument("archives", nargs="+", help="WARC files, or directories holding them")
    re_parse.add_argument(
        "--output",
        default=os.environ.get("NEWSBOT_OUTPUT_DIR", "output"),
        help="the output directory to rewrite (default: $NEWSBOT_OUTPUT_DIR or output)",
    )
    re_parse.add_argument("--template", help="a Jinja2 template file instead of the packaged one")
    re_parse.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="processes to read with, the files split between them (default 1)",
    )
    re_parse.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        help="write only articles published on or after this day (Korea time)",
    )
    re_parse.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        help="write only articles published on or before this day (Korea time)",
    )
    re_parse.set_defaults(func=_cmd_reparse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
