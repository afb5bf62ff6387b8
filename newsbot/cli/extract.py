"""``newsbot extract``: one saved article page extracted, as JSON or Markdown."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsbot.cli import fail

HELP = "extract one saved article page"
DESCRIPTION = "Extract one saved page."


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="the saved HTML page")
    parser.add_argument("--url", required=True, help="the address the page was fetched from")
    parser.add_argument("--format", choices=("json", "markdown"), default="json")
    parser.add_argument(
        "--content-type",
        help="the HTTP Content-Type it was served with, e.g. 'text/html;charset=EUC-KR' "
        "(default: UTF-8 if the bytes are valid UTF-8, else the page's own declaration)",
    )
    parser.add_argument("--crawled-at", help="crawl time to record (default: now, Korea time)")
    parser.add_argument("--template", help="a Jinja2 template file instead of the packaged one")


def run(args: argparse.Namespace) -> int:
    from newsbot.article import decode_html, extract_article
    from newsbot.dates import now_kst, parse_naver_datetime, to_iso
    from newsbot.errors import NewsbotError, describe_exception
    from newsbot.render import render_article

    try:
        raw = Path(args.path).read_bytes()
    except OSError as exc:
        return fail(f"cannot read {args.path}: {exc.strerror or exc}")
    crawled_at = to_iso(now_kst())
    if args.crawled_at:
        parsed = parse_naver_datetime(args.crawled_at)
        if parsed is None:
            return fail(f"--crawled-at is not a date and time: {args.crawled_at!r}")
        crawled_at = to_iso(parsed)
    try:
        article = extract_article(
            args.url, decode_html(raw, args.content_type), crawled_at=crawled_at
        )
    except NewsbotError as exc:
        return fail(f"{args.path}: {exc}")
    except Exception as exc:  # a hostile page: one line, never a traceback
        return fail(f"{args.path}: cannot extract: {describe_exception(exc)}")
    if args.format == "markdown":
        sys.stdout.write(render_article(article.to_dict(), args.template))
    else:
        sys.stdout.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return 0
