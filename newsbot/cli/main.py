"""newsbot: collect Naver News into a clean, verifiable corpus.

The ``newsbot`` command (also ``python -m newsbot``): ``crawl`` (exactly ``scrapy crawl
naver``), ``export``, ``stats``, ``sections``, ``doctor``, ``extract``, ``verify``,
``reindex``, ``reparse``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from newsbot.cli import (
    Parser,
    crawl,
    doctor,
    export,
    extract,
    fail,
    reindex,
    reparse,
    sections,
    stats,
    verify,
)
from newsbot.errors import ConfigError

#: The subcommands, in the order of ``newsbot --help``: each module's name is the command's
#: (as Scrapy's ``cmdline`` names a command after its module).
COMMANDS: tuple[ModuleType, ...] = (
    crawl,
    export,
    stats,
    sections,
    doctor,
    extract,
    verify,
    reindex,
    reparse,
)


def build_parser() -> argparse.ArgumentParser:
    from newsbot import __version__

    parser = Parser(
        prog="newsbot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        subparser = commands.add_parser(
            command.__name__.rpartition(".")[2],
            help=command.HELP,
            description=command.DESCRIPTION,
        )
        command.add_options(subparser)
        subparser.set_defaults(func=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()  # ``newsbot`` alone
        return 0
    args = parser.parse_args(argv)
    try:
        from newsbot import config

        config.from_environment()  # an unknown NEWSBOT_* variable: refused by every command
        # One precedence everywhere: the option, else the environment, else the settings
        # module, else the default (a crawl's and the doctor's through Scrapy's settings).
        if args.command not in ("crawl", "doctor"):
            if "template" in args:
                args.template = config.value("NEWSBOT_TEMPLATE", args.template) or None
            if args.command == "reparse":
                args.output = str(config.value("NEWSBOT_OUTPUT_DIR", args.output))
        result: int = args.func(args)
    except ConfigError as exc:  # a setting from -s, the environment or the settings module
        return fail(str(exc))
    return result


def entry() -> None:
    """The ``newsbot`` console command."""
    sys.exit(main())
