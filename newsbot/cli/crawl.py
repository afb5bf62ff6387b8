"""``newsbot crawl``: exactly ``scrapy crawl naver`` (``newsbot.commands.crawl``), in this
process, its common settings as options."""

from __future__ import annotations

import argparse
import os

from newsbot.cli import fail, output_dir_option, settings_option

HELP = "collect articles (exactly scrapy crawl naver)"
DESCRIPTION = (
    "Collect Naver News articles into the output directory: the crawl of "
    "'scrapy crawl naver -a …', with the same exit status (0 ok, 4 incomplete, 1 failed, "
    "3 interrupted, 2 bad arguments). Dates are Korea time."
)


#: The option of each setting ``newsbot crawl`` has one for.
_OPTIONS = {
    "NEWSBOT_OUTPUT_DIR": "--output",
    "NEWSBOT_CONTACT": "--contact",
    "JOBDIR": "--jobdir",
    "LOG_FILE": "--log-file",
    "NEWSBOT_LIMIT": "--limit",
    "NEWSBOT_ARCHIVE": "--archive",
}


def add_options(parser: argparse.ArgumentParser) -> None:
    from newsbot.args import ARGUMENTS

    for name, (metavar, help_text) in ARGUMENTS.items():
        if name == "date":  # newsbot crawl asks for a day; scrapy crawl naver means today
            help_text = help_text.replace("(default: today)", "(newsbot crawl needs a day)")
        if name == "refresh":
            parser.add_argument("--refresh", action="store_true", help=help_text)
        elif name == "comments":
            parser.add_argument("--comments", choices=("off", "count", "all"), help=help_text)
        else:
            parser.add_argument(f"--{name}", metavar=metavar, help=help_text)
    output_dir_option(parser, "the output directory")
    parser.add_argument(
        "--contact",
        metavar="EMAIL",
        help="your e-mail or URL, sent in the User-Agent (NEWSBOT_CONTACT)",
    )
    parser.add_argument(
        "--jobdir",
        metavar="DIR",
        help="keep the crawl's state here, to resume it after a stop (JOBDIR)",
    )
    parser.add_argument(
        "--archive",
        action="store_true",
        help="also keep every fetched page raw in OUTPUT/archive/*.warc.gz (NEWSBOT_ARCHIVE)",
    )
    parser.add_argument(
        "--log-file", metavar="FILE", help="the whole log, Scrapy's too, to FILE (LOG_FILE)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="a sample: stop after N articles fetched; the verdict says so (NEWSBOT_LIMIT)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Scrapy's own lines on the terminal too (start-up, the stats dump)",
    )
    settings_option(parser)


def run(args: argparse.Namespace) -> int:
    """``scrapy crawl naver`` with these arguments, in this process: the same crawl, the
    same exit status (``newsbot.commands.crawl``)."""
    from newsbot.args import ARGUMENTS

    if not (args.date or args.start or args.end or args.urls):
        return fail(
            "give the day to collect: --date 2026-05-30 (or today, yesterday, -2d), or "
            "--start DAY --end DAY (scrapy crawl naver alone collects today)"
        )
    argv = ["scrapy", "crawl", "naver"]
    for name in ARGUMENTS:
        value = getattr(args, name, None)
        if value is None or value is False:
            continue
        argv += ["-a", f"{name}={'1' if value is True else value}"]
    if args.limit is not None and args.limit < 1:
        return fail(f"--limit {args.limit}: give 1 or more")
    options = {  # the common settings, as options (a -s of the same name must agree)
        "NEWSBOT_OUTPUT_DIR": args.output,
        "NEWSBOT_CONTACT": args.contact,
        "JOBDIR": args.jobdir,
        "LOG_FILE": args.log_file,
        "NEWSBOT_LIMIT": args.limit,
        "NEWSBOT_ARCHIVE": "True" if args.archive else None,
        # newsbot's own lines on the terminal; Scrapy's with --verbose (and in LOG_FILE)
        "NEWSBOT_QUIET": None if args.verbose else "True",
    }
    given: dict[str, str] = {}
    for setting in args.set:
        name, sep, value = setting.partition("=")
        if not sep or not name.strip():
            return fail(f"-s {setting!r}: expected NAME=VALUE")
        given[name.strip()] = value
    for name, value in options.items():
        if value is None:
            continue
        if name in given and not _same(name, given[name], value):
            option = _OPTIONS.get(name, name)
            return fail(f"{option} {value} and -s {name}={given[name]} disagree: give one of them")
        argv += ["-s", f"{name}={value}"]
    for setting in args.set:
        argv += ["-s", setting]
    # From any directory: the settings are newsbot's unless the environment names others.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.cmdline import execute

    try:
        execute(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _same(name: str, one: object, other: object) -> bool:
    """Whether two values of setting ``name`` mean the same (``1`` and ``True``)."""
    from newsbot import config

    setting = config.SETTINGS.get(name)
    if setting is None:
        return str(one) == str(other)
    try:
        return bool(setting.parse(one) == setting.parse(other))
    except ValueError:
        return False
