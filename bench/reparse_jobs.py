"""``reparse`` throughput with 1 and N jobs, on WARC files made from saved pages.

    .venv/bin/python bench/reparse_jobs.py --files 8 --per-file 250 --jobs 2

Writes ``--files`` WARC files of ``--per-file`` article records each (the five saved
current-layout pages, each record with its own article id), then runs
``python -m newsbot reparse DIR --output OUT --jobs J`` for J = 1 and ``--jobs`` into fresh
output directories and prints records/s and articles/s (wall time, process start
included) and the speed-up. The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from newsbot.archive import WarcArchive  # noqa: E402

PAGES = ("003_0012577249", "082_0001252309", "421_0008770777", "640_0000077240", "607_0000001728")


def _make(directory: Path, files: int, per_file: int) -> int:
    pages = [
        (
            stem.split("_")[0],
            stem.split("_")[1],
            (ROOT / "tests/fixtures/articles" / stem / "body.html").read_bytes(),
        )
        for stem in PAGES
    ]
    n = 0
    for f in range(files):
        archive = WarcArchive(directory / f"part{f:03d}", 1 << 40, {})
        for r in range(per_file):
            oid, aid, body = pages[n % len(pages)]
            new_aid = f"09{f:03d}{r:05d}"
            page = body.replace(f"{oid}/{aid}".encode(), f"{oid}/{new_aid}".encode())
            archive.write(
                f"https://n.news.naver.com/mnews/article/{oid}/{new_aid}",
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                page,
                fetched=datetime(2026, 1, 1, tzinfo=UTC),
            )
            n += 1
        archive.close()
    return n


def _run(archives: Path, out: Path, jobs: int) -> tuple[float, str]:
    command = [sys.executable, "-m", "newsbot", "reparse", str(archives), "--output", str(out)]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: reparse --jobs {jobs} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--per-file", type=int, default=250)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        archives = Path(work) / "archives"
        records = _make(archives, args.files, args.per_file)
        mb = sum(p.stat().st_size for p in archives.rglob("*.warc.gz")) / 1e6
        print(f"{records} records in {args.files} files, {mb:.0f} MB")
        figures: dict[str, float] = {"records": records}
        for jobs in (1, args.jobs):
            seconds, said = _run(archives, Path(work) / f"out{jobs}", jobs)
            rate = records / seconds
            figures[f"records_per_s_{jobs}"] = round(rate, 1)
            print(f"--jobs {jobs}: {seconds:.1f} s, {rate:.1f} records/s = articles/s; {said}")
        speedup = figures[f"records_per_s_{args.jobs}"] / figures["records_per_s_1"]
        figures["speedup"] = round(speedup, 2)
        print(f"speed-up with {args.jobs} jobs: {speedup:.2f}x")
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
