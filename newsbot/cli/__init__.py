"""The ``newsbot`` command: one module per subcommand, its options beside its handler.

Each subcommand module (``crawl``, ``export``, ``stats``, ``sections``, ``doctor``,
``extract``, ``verify``, ``reindex``, ``reparse``) holds ``HELP``, ``DESCRIPTION``,
``add_options(parser)`` and ``run(args) -> exit status``; ``newsbot.cli.main`` lists them
(the order of ``newsbot --help``), builds the parser and applies the one precedence of
options over settings. This module holds what several subcommands share: the parser
class, the one-line error, the day argument and the common options. Handlers import
what they need (Scrapy, the archive, the doctor) when they run: ``newsbot --help`` stays
fast.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

EXIT_BAD_INPUT = 2
#: How often a long export, reindex or reparse says how far it got (standard error).
PROGRESS_SECONDS = 5.0


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "-7d" (seven days ago) is a value, as "-7" would be: argparse must not take it
        # for an option.
        self._negative_number_matcher = re.compile(r"^-\d+d?$|^-\d*\.\d+$")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def fail(message: str) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def day(value: str | None, option: str) -> str | None:
    """``YYYY-MM-DD`` (or ``today``, ``yesterday``, ``-Nd``, Korea time) checked, or ``None``."""
    if value is None:
        return None
    from newsbot.args import parse_day
    from newsbot.dates import today_kst

    try:
        return parse_day(value, today_kst()).isoformat()
    except ValueError as exc:
        raise ValueError(f"{option} {value!r}: {exc}") from None


def output_dir_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--output DIR``: always an output directory (``-o FILE`` is always a file)."""
    parser.add_argument(
        "--output",
        metavar="DIR",
        help=f"{what} (default: NEWSBOT_OUTPUT_DIR, from the environment or the "
        "settings; else output)",
    )


class _FileNotDirectory(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.error(
            "--output names an output directory (crawl, reparse); this command writes a "
            "file: -o FILE (- for standard output)"
        )


def not_a_directory(parser: argparse.ArgumentParser) -> None:
    """``--output`` on a command that writes a file: refused, pointing to ``-o``."""
    parser.add_argument("--output", action=_FileNotDirectory, help=argparse.SUPPRESS)


def settings_option(parser: argparse.ArgumentParser) -> None:
    """``-s NAME=VALUE``: a Scrapy or newsbot setting, as ``scrapy crawl`` takes it."""
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting (NEWSBOT_CONTACT=you@example.org, DOWNLOAD_DELAY=1, …); repeatable",
    )
