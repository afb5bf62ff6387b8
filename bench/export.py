"""Benchmark ``newsbot export`` and ``newsbot stats`` on an existing output directory.

    .venv/bin/python bench/export.py bench/out/n20000-comments-count/output

For each format: wall time, articles/s, CPU and peak RSS of the export process (its own,
from ``wait4``), and the file's size; then the same for ``stats --html``. Run it on two
corpus sizes to see memory stay flat (the export streams one article at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(command: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, stdout) of one child process."""
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="an output directory")
    parser.add_argument("--comments", action="store_true", help="also the comments table")
    args = parser.parse_args()
    newsbot = [sys.executable, "-m", "newsbot"]
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("jsonl", "csv", "parquet"):
            target = Path(tmp) / f"corpus.{fmt}"
            command = [*newsbot, "export", str(args.directory), "-o", str(target)]
            if args.comments:
                command.append("--comments")
            wall, cpu, rss, out = measure(command)
            articles = int(out.split()[1])
            size = target.stat().st_size / 1e6
            print(
                f"export {fmt:<8} {articles} articles in {wall:.1f} s = {articles / wall:.0f}/s; "
                f"CPU {cpu:.1f} s; peak RSS {rss:.0f} MB; {size:.1f} MB written"
                + (f"; {out.strip().split('; ')[0].split(', ')[-1]}" if args.comments else "")
            )
            figures[fmt] = {"articles_per_s": round(articles / wall, 1), "peak_rss_mb": round(rss)}
        page = Path(tmp) / "stats.html"
        wall, cpu, rss, _ = measure([*newsbot, "stats", str(args.directory), "--html", str(page)])
        print(f"stats --html   {wall:.1f} s; CPU {cpu:.1f} s; peak RSS {rss:.0f} MB")
        figures["stats"] = {"seconds": round(wall, 2), "peak_rss_mb": round(rss)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
