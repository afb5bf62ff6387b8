"""newsbot without Naver: ``python -m tests.fakenaver.demo [DIR]``.

Starts the tests' fake Naver on a free 127.0.0.1 port (nothing leaves this machine), runs
the main job against it through the proxy variables (``newsbot crawl --date 2026-05-30``
into DIR, default ``demo``), then ``newsbot verify``, ``newsbot stats`` and ``newsbot export``
(DIR.jsonl), printing each command before it runs, and stops the fake. Politeness is off
(the fake answers at once); against Naver keep newsbot's defaults.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .server import FakeNaver
from .world import default_world

DAY = "2026-05-30"
#: Politeness off: the fake is on this machine and answers at once.
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


def _run(command: list[str], env: dict[str, str]) -> int:
    shown = ["newsbot", *command[3:]] if command[1:3] == ["-m", "newsbot"] else command
    print(f"\n$ {shlex.join(shown)}", flush=True)
    return subprocess.run(command, env=env, check=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakenaver.demo", description=__doc__)
    parser.add_argument("directory", nargs="?", default="demo", help="the output directory")
    args = parser.parse_args(argv)
    out = Path(args.directory)
    newsbot = [sys.executable, "-m", "newsbot"]
    started = time.monotonic()
    with FakeNaver(default_world()).start() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(fake.env())
        print(f"a fake Naver (the tests', from saved real pages) listens on {fake.proxy_url}")
        crawl = [*newsbot, "crawl", "--date", DAY, "--output", str(out)]
        code = _run([*crawl, "--contact", "demo@example.org", *FAST], env)
        if code not in (0, 4):
            print(f"the demo crawl ended with exit status {code}", file=sys.stderr)
            return code
        for then in (
            ["verify", str(out)],
            ["stats", str(out)],
            ["export", str(out), "-o", f"{out}.jsonl"],
        ):
            code = _run([*newsbot, *then], env)
            if code:
                print(f"newsbot {then[0]} ended with exit status {code}", file=sys.stderr)
                return code
    print(
        f"\nin {time.monotonic() - started:.0f} s: a corpus in {out}/ (one Markdown file per "
        f"article), its report in {out}/reports/, every article in {out}.jsonl"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
