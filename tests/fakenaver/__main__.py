"""Run the fake Naver: ``python -m tests.fakenaver --port 0 --world default --log FILE``.

Prints ``READY <port>`` once listening, then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from .server import FakeNaver
from .world import CURSOR_STYLES, World, default_world, synthetic_world


def _world(args: argparse.Namespace) -> World:
    if args.world == "default":
        world = default_world()
    elif args.world == "synthetic":
        world = synthetic_world(args.n_articles, args.day, args.seed, comments=args.comments)
    else:
        world = World()
    if args.page_size is not None:
        world.page_size = args.page_size
    if args.old_page_size is not None:
        world.old_page_size = args.old_page_size
    world.delay = args.delay
    world.cursor_style = args.cursor_style
    return world


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakenaver", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--world", choices=("default", "synthetic", "empty"), default="default")
    parser.add_argument("--n-articles", type=int, default=1000, help="synthetic world size")
    parser.add_argument("--day", default="2026-05-30", help="synthetic world day, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=0, help="synthetic world seed")
    parser.add_argument(
        "--comments", action="store_true", help="synthetic world: give articles comments"
    )
    parser.add_argument("--page-size", type=int, default=None, help="section list page size")
    parser.add_argument("--old-page-size", type=int, default=None, help="list.naver page size")
    parser.add_argument(
        "--cursor-style",
        choices=CURSOR_STYLES,
        default="real",
        help="section list cursors: real (19 digits), short (14), opaque, repeat (a loop)",
    )
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--log", default=None, help="append each request as a JSON line here")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fake = FakeNaver(_world(args), port=args.port, log_path=args.log).start()
    try:
        print(f"READY {fake.port}", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
