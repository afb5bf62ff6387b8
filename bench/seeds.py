"""Memory of a crawl over a long range of days at its start: are seeds made lazily?

    .venv/bin/python bench/seeds.py --start 2016-06-02 --end 2026-05-30 --seconds 40

Starts the fake Naver with nothing listed (every walk ends at once: the crawl is nothing but
seeds and their listing requests), runs the real ``scrapy crawl naver`` over the range,
prints the crawl's RSS (``VmRSS``) every few seconds and its peak (``VmHWM``), stops it with
SIGINT after ``--seconds`` and prints how many requests were queued and taken
(``scheduler/enqueued``, ``scheduler/dequeued``). The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e import crawl_command, stat  # noqa: E402


def _status(pid: int, field: str) -> int:
    """``VmRSS``/``VmHWM`` of a process in kB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2016-06-02")
    parser.add_argument("--end", default="2026-05-30")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between RSS lines")
    args = parser.parse_args()
    # The fake runs as its own process, as in bench/run.py: in this one it would share the
    # GIL with the sampling loop and become the bottleneck.
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakenaver", "--port", "0", "--world", "empty"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert fake.stdout is not None
    ready = fake.stdout.readline().split()
    if len(ready) != 2 or ready[0] != "READY":
        fake.kill()
        print(f"bench: error: the fake Naver did not start ({ready})", file=sys.stderr)
        return 1
    proxy = f"http://127.0.0.1:{ready[1]}"
    env = {**os.environ, "http_proxy": proxy, "https_proxy": proxy, "no_proxy": ""}
    env |= {"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "NO_PROXY": ""}
    try:
        return _measure(args, env)
    finally:
        fake.terminate()
        fake.wait(timeout=30)


def _measure(args: argparse.Namespace, env: dict[str, str]) -> int:
    with tempfile.TemporaryDirectory() as work, (Path(work) / "crawl.log").open("w+") as log:
        out = Path(work) / "out"
        command = crawl_command(out, f"start={args.start}", f"end={args.end}")
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,  # a file: a pipe nobody reads would block the crawl once full
            text=True,
        )
        started = time.monotonic()
        samples: list[tuple[float, int]] = []
        peak = 0
        next_line = 0.0
        while time.monotonic() - started < args.seconds and proc.poll() is None:
            elapsed = time.monotonic() - started
            rss = _status(proc.pid, "VmRSS")
            peak = max(peak, _status(proc.pid, "VmHWM"))
            if elapsed >= next_line:
                samples.append((round(elapsed, 1), rss // 1024))
                print(f"{elapsed:5.1f} s: RSS {rss / 1024:.0f} MB", flush=True)
                next_line += args.every
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        log.seek(0)
        stderr = log.read()
    enqueued = int(stat(stderr, "scheduler/enqueued") or 0)
    dequeued = int(stat(stderr, "scheduler/dequeued") or 0)
    figures = {
        "range": f"{args.start}..{args.end}",
        "seconds": args.seconds,
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_mb": samples,
        "enqueued": enqueued,
        "dequeued": dequeued,
        "exit": proc.returncode,
    }
    print(f"peak RSS {peak / 1024:.0f} MB; {enqueued} requests queued, {dequeued} taken")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
