"""Output files are written safely (issue 23): ``export -o``, ``doctor -o`` and
``stats --html`` wrote a temporary file and renamed it over whatever had the name, so a
symbolic link was replaced by a file and a FIFO or device node by a regular file (as root,
``-o /dev/stdout`` replaced ``/dev/stdout``); an export killed by SIGTERM or SIGHUP left
its temporary file behind.

Now (``newsbot.output.safeio``): a link is written through (its target replaced, the link kept);
a FIFO, device or directory is refused in one line, exit 2, before any work; ``-`` is
standard output; SIGTERM and SIGHUP remove the temporary file as Ctrl-C does.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbot.article import extract_article
from newsbot.output.store import OutputStore
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, ROOT
from tests.e2e import run_newsbot, search_env
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

URL = "https://n.news.naver.com/mnews/article/082/0001252309"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An output directory of one article written by newsbot."""
    root = tmp_path / "out"
    store = OutputStore(root)
    html = (ARTICLES / "082_0001252309" / "body.html").read_text(encoding="utf-8")
    try:
        store.save(extract_article(URL, html, crawled_at=FROZEN_CRAWLED_AT))
    finally:
        store.index.close()
    return root


def export(corpus: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_newsbot("export", str(corpus), *args, timeout=20)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_export_to_a_link_writes_through_it(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "data" / "corpus.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    dangling = tmp_path / "new.jsonl"
    dangling.symlink_to(tmp_path / "data" / "created.jsonl")
    for name, written in ((link, target), (dangling, tmp_path / "data" / "created.jsonl")):
        result = export(corpus, "-o", str(name))
        assert result.returncode == 0, result.stderr
        assert name.is_symlink() and name.resolve() == written  # the link is still a link
        (row,) = [json.loads(line) for line in written.read_text().splitlines()]
        assert row["id"] == "082_0001252309"
    assert listing(tmp_path / "data") == ["corpus.jsonl", "created.jsonl"]  # no temporary file


def special_files(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A FIFO, a link to one, a directory, and (where this user may make one) a device."""
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    yield fifo, "a FIFO"
    link = tmp_path / "stdout.jsonl"  # as /dev/stdout is, when the output is a pipe
    link.symlink_to(fifo)
    yield link, "a FIFO"
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    yield folder, "a directory"
    device = tmp_path / "null.jsonl"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        return
    yield device, "a character device"


def test_export_to_a_fifo_device_or_directory_is_refused_before_any_work(
    corpus: Path, tmp_path: Path
) -> None:
    for path, kind in special_files(tmp_path):
        before = listing(tmp_path)
        result = export(corpus, "-o", str(path))
        assert result.returncode == 2, (path, result.stderr)
        assert result.stderr == (
            f"newsbot: error: -o {path}: {kind}, not a regular file: name a file "
            "(or - for standard output)\n"
        )
        assert result.stdout == "" and listing(tmp_path) == before
        assert not stat.S_ISREG(path.stat().st_mode)  # not replaced


def test_export_to_stdout(corpus: Path) -> None:
    result = export(corpus, "-o", "-", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == "082_0001252309"
    assert result.stderr == "exported 1 article(s) to -\n"


def test_stats_html_to_a_fifo_is_refused(corpus: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "stats.html"
    os.mkfifo(fifo)
    result = run_newsbot("stats", str(corpus), "--html", str(fifo), timeout=20)
    assert result.returncode == 2
    assert result.stderr.startswith(f"newsbot: error: --html {fifo}: a FIFO, not a regular")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_doctor_output_to_a_fifo_is_refused_before_any_request(tmp_path: Path) -> None:
    fifo = tmp_path / "doctor.json"
    os.mkfifo(fifo)
    with FakeNaver(default_world()).start() as fake:  # nothing leaves this machine
        result = run_newsbot(
            "doctor",
            "--date",
            "2026-05-30",
            "-o",
            str(fifo),
            "-s",
            "DOWNLOAD_DELAY=0",
            env=search_env(fake, None),
            timeout=120,
        )
        assert fake.records == []
    assert result.returncode == 2, result.stdout + result.stderr[-2000:]
    assert result.stderr == (
        f"newsbot: error: -o {fifo}: a FIFO, not a regular file: name a file "
        "(or - for standard output)\n"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_doctor_report_to_a_link_writes_through_it(tmp_path: Path) -> None:
    from newsbot.doctor import write_json

    target = tmp_path / "reports" / "doctor.json"
    target.parent.mkdir()
    link = tmp_path / "doctor.json"
    link.symlink_to(target)
    write_json(link, {"status": "ok"})
    assert link.is_symlink() and json.loads(target.read_text()) == {"status": "ok"}
    assert listing(target.parent) == ["doctor.json"]


# An export that is killed while it writes: the first row written, then it waits.
SLOW_EXPORT = """
import sys, time
from pathlib import Path
from newsbot.corpus.export import write

def rows():
    yield {"id": "001_0000000001"}
    print("writing", flush=True)
    time.sleep(60)
    yield {"id": "001_0000000002"}

write(rows(), Path(sys.argv[1]), sys.argv[2])
"""


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_an_export_killed_while_writing_leaves_no_temporary_file(
    tmp_path: Path, signum: int, fmt: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(folder / f"corpus.{fmt}"), fmt],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "writing\n"
        (temporary,) = listing(folder)  # the export is under way
        assert temporary.startswith(".corpus.")
        process.send_signal(signum)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
        process.wait()
    assert listing(folder) == []
    assert process.returncode == 128 + signum, err


def test_the_signal_handlers_are_put_back_and_an_ignored_hangup_stays_ignored(
    tmp_path: Path,
) -> None:
    from newsbot.corpus.export import write

    seen = []

    def rows() -> Iterator[dict[str, str]]:
        seen.append((signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)))
        yield {"id": "001_0000000001"}

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        term = signal.getsignal(signal.SIGTERM)
        assert write(rows(), tmp_path / "a.jsonl", "jsonl") == 1
        ((during_term, during_hup),) = seen
        assert during_term not in (term, signal.SIG_DFL) and during_hup is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is term
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)
