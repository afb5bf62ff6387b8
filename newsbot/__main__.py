"""``python -m newsbot`` and the ``newsbot`` console command (``[project.scripts]``): the
command itself is ``newsbot.cli``, one module per subcommand."""

from __future__ import annotations

from newsbot.cli.main import build_parser, entry, main

__all__ = ["build_parser", "entry", "main"]

if __name__ == "__main__":
    entry()
