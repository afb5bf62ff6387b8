"""``newsbot doctor``: a live self-check of each step of a crawl (``newsbot.doctor``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbot.cli import day, fail, not_a_directory, settings_option

HELP = "a one-minute live check of every step of a crawl: run it before a big crawl"
DESCRIPTION = (
    "With the crawl's own settings (User-Agent, proxy, politeness), make at "
    "most ~20 real requests (the number is printed first) and check each step a crawl "
    "depends on: robots.txt and blocking, the cursor lists (cards, cursor shape, paging), "
    "the old and press lists, the sports and entertainment lists, three n.news articles "
    "(layout, each field and its selector, dates, body, captions, hash), one sports and "
    "one entertainment article, the comment count, the Search API (with a key). Exit 0: "
    "every step as expected; 5: drift, a crawl would still work; 1: a crawl would lose "
    "data. If it reports drift, open an issue with its JSON report (-o FILE)."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date", metavar="DAY", help="the day to check (default: yesterday, Korea time)"
    )
    parser.add_argument(
        "-o",
        dest="output",
        metavar="FILE.json",
        help="also write the JSON report, to attach to an issue (- stdout)",
    )
    not_a_directory(parser)
    settings_option(parser)


def run(args: argparse.Namespace) -> int:
    """A live self-check of each step of a crawl (``newsbot.doctor``)."""
    from datetime import date, timedelta

    from newsbot.dates import today_kst

    today = today_kst()
    try:
        checked = date.fromisoformat(day(args.date, "--date") or str(today - timedelta(days=1)))
    except ValueError as exc:
        return fail(str(exc))
    if checked > today:
        return fail(f"--date {checked} is in the future (today in Korea is {today})")
    overrides = {}
    for setting in args.set:
        name, sep, value = setting.partition("=")
        if not sep or not name.strip():
            return fail(f"-s {setting!r}: expected NAME=VALUE")
        overrides[name.strip()] = value
    output = Path(args.output) if args.output else None
    if output is not None:  # a FIFO, device or directory: refused before any request
        from newsbot.output.safeio import OutputRefused, output_target

        try:
            output_target(output)
        except OutputRefused as exc:
            return fail(f"-o {args.output}: {exc}")
    from newsbot.doctor import run as run_doctor

    return run_doctor(checked, output, overrides)
