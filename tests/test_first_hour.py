"""The first hour of a new user (issue 24): every mistake caught before the first request,
one way to configure, a quiet terminal that ends with the verdict, a sample with --limit,
a fast and named failure when the site cannot be reached, one meaning per flag. Each
through the ``newsbot`` command against the fake Naver."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
)
from twisted.internet.error import ConnectionLost, DNSLookupError
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from newsbot import config
from newsbot.errors import plain_failure, unreachable
from tests.conftest import ROOT
from tests.e2e import crawl_env, files, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import Override, default_world

FAST = (
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSBOT_RETRY_BACKOFF=0",
    "-s", "NEWSBOT_PROGRESS_INTERVAL=0", "-s", "NEWSBOT_PROGRESS_LIVE=False",
)  # fmt: skip
DAY = ("--date", "2026-05-30", "--sections", "정치")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


def newsbot(
    fake: FakeNaver | None, *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m newsbot ARGS`` with the fake's proxy and no NEWSBOT_* of the tests' own."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    if fake is not None:
        base.update(crawl_env(fake))
    return run_newsbot(*args, env={**base, **(env or {})}, timeout=timeout)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- 1. every mistake before the first request ------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("given", "env", "words"),
    [
        (("-s", "NEWSBOT_CONTCT=me@example.org"), {},
         "unknown setting NEWSBOT_CONTCT (did you mean NEWSBOT_CONTACT?)"),
        ((), {"NEWSBOT_OUTPT_DIR": "x"},
         "unknown setting NEWSBOT_OUTPT_DIR in the environment (did you mean NEWSBOT_OUTPUT_DIR?)"),
        (("-s", "DOWNLOAD_DELAY=abc"), {}, "DOWNLOAD_DELAY=abc: 'abc' is not a number"),
        (("-s", "CONCURRENT_REQUESTS=0"), {}, "CONCURRENT_REQUESTS=0: '0' is below 1"),
        (("-s", "NEWSBOT_MAX_FAILED_RATIO=2"), {}, "NEWSBOT_MAX_FAILED_RATIO=2: '2' is above 1"),
        (("-s", "NEWSBOT_ARCHIVE=perhaps"), {}, "NEWSBOT_ARCHIVE=perhaps: 'perhaps' is not a boolean"),
        (("-s", "NEWSBOT_TEMPLATE=/nonexistent.j2"), {}, "NEWSBOT_TEMPLATE=/nonexistent.j2: no such file"),
        (("-s", "LOG_LEVEL=LOUD"), {}, "LOG_LEVEL=LOUD: give one of"),
        (("-s", "NEWSBOT_REDIS_URL=http://127.0.0.1:6379"), {}, "NEWSBOT_REDIS_URL: give redis://"),
        (("--limit", "0"), {}, "--limit 0: give 1 or more"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_and_exit_2_before_any_request(
    fake: FakeNaver, tmp_path: Path, given: tuple[str, ...], env: dict[str, str], words: str
) -> None:
    before = len(fake.records)
    out = tmp_path / "out"
    result = newsbot(fake, "crawl", *DAY, "--output", str(out), *given, env=env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.splitlines() == [f"newsbot: error: {words}"] or (
        len(result.stderr.splitlines()) == 1 and words in result.stderr
    ), result.stderr[-2000:]
    assert len(fake.records) == before and not out.exists()


@pytest.mark.e2e
def test_a_template_that_does_not_render_is_refused_before_any_request(
    fake: FakeNaver, tmp_path: Path
) -> None:
    template = tmp_path / "bad.md.j2"
    template.write_text("---\ntitle: {{ item.no_such_field }}\n---\n", encoding="utf-8")
    before = len(fake.records)
    result = newsbot(
        fake, "crawl", *DAY, "--output", str(tmp_path / "out"), "-s", f"NEWSBOT_TEMPLATE={template}"
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"newsbot: error: NEWSBOT_TEMPLATE={template}: does not render a sample article: "
        "'dict object' has no attribute 'no_such_field'"
    ]
    assert len(fake.records) == before


def test_the_settings_table_is_the_documented_one() -> None:
    """docs/settings.md holds the table newsbot checks against, as printed from it."""
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert config.markdown() in text
    import newsbot.settings as module

    for name, setting in config.SETTINGS.items():
        assert getattr(module, name) == setting.default, name


def test_values_parse_as_their_type() -> None:
    assert config.SETTINGS["NEWSBOT_ARCHIVE"].parse("yes") is True  # (written back: below)
    assert config.SETTINGS["NEWSBOT_ARCHIVE"].parse("0") is False
    assert config.SETTINGS["NEWSBOT_COMMENTS_CONCURRENCY"].parse("3") == 3
    for bad in ("1.5", "x", ""):
        with pytest.raises(ValueError):
            config.SETTINGS["NEWSBOT_COMMENTS_CONCURRENCY"].parse(bad)
    with pytest.raises(ValueError):
        config.SETTINGS["NEWSBOT_RETRY_BACKOFF"].parse("nan")
    assert config.closest("NEWSBOT_OUTPUT") == "NEWSBOT_OUTPUT_DIR"


# -- 2. one way to configure ---------------------------------------------------------------


@pytest.mark.e2e
def test_the_environment_counts_in_every_command_below_options(
    fake: FakeNaver, tmp_path: Path
) -> None:
    from_env, from_option, again = tmp_path / "env", tmp_path / "option", tmp_path / "again"
    env = {"NEWSBOT_OUTPUT_DIR": str(from_env), "NEWSBOT_CONTACT": "env@example.org"}
    result = newsbot(fake, "crawl", *DAY, "--limit", "2", "--archive", *FAST, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(files(from_env)) == 2
    assert "contact: env@example.org" in result.stderr  # the User-Agent, in the notice
    assert "no contact is set" not in result.stderr
    assert list((from_env / "archive").glob("*.warc.gz"))  # --archive
    # An option (or -s) beats the environment.
    result = newsbot(
        fake, "crawl", *DAY, "--limit", "1", "--output", str(from_option), *FAST, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(files(from_option)) == 1
    result = newsbot(
        fake, "crawl", *DAY, "--limit", "1", "--contact", "option@example.org",
        "-s", f"NEWSBOT_OUTPUT_DIR={again}", *FAST, env=env,
    )  # fmt: skip
    assert result.returncode == 0 and len(files(again)) == 1
    assert "contact: option@example.org" in result.stderr
    # reparse reads the same variable for its output directory.
    result = newsbot(
        None, "reparse", str(from_env / "archive"), env={"NEWSBOT_OUTPUT_DIR": str(again)}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(files(from_env)) <= set(files(again))


@pytest.mark.e2e
def test_a_crawl_without_a_contact_warns_once(fake: FakeNaver, tmp_path: Path) -> None:
    result = newsbot(fake, "crawl", *DAY, "--limit", "1", "--output", str(tmp_path), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("no contact is set") == 1


def test_newsbot_alone_prints_help_and_crawl_asks_for_a_day(tmp_path: Path) -> None:
    alone = newsbot(None, timeout=60)
    assert alone.returncode == 0 and alone.stdout.startswith("usage: newsbot")
    for command in ("crawl", "export", "doctor", "reparse", "verify"):
        assert command in alone.stdout
    result = newsbot(None, "crawl", "--output", str(tmp_path / "out"), timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("newsbot: error: give the day to collect: --date")
    assert not (tmp_path / "out").exists()


@pytest.mark.e2e
def test_limit_collects_a_sample_and_says_so(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = newsbot(fake, "crawl", *DAY, "--limit", "3", "--output", str(out), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(files(out)) == 3
    last = result.stderr.splitlines()[-1]
    assert "newsbot: crawl OK: a sample: every one of the 3 article(s)" in last
    (report,) = (out / "reports").glob("crawl-*.json")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["status"] == "ok" and "a sample" in data["reason"]


# -- 3. fail fast when the site cannot be reached ----------------------------------------------


@pytest.mark.e2e
def test_a_proxy_that_refuses_stops_the_crawl_in_seconds_naming_it(tmp_path: Path) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    env = {n: proxy for n in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")}
    started = time.monotonic()
    result = newsbot(None, "crawl", *DAY, "--output", str(tmp_path / "out"), env=env)
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr[-3000:]
    assert took < 30, took  # (91-195 s of retries before)
    last = result.stderr.splitlines()[-1]
    assert (
        f"newsbot: crawl FAILED: the site cannot be reached: the proxy {proxy} "
        "(http_proxy/https_proxy) refused the connection" in last
    )
    doctor = newsbot(None, "doctor", "--date", "2026-05-30", env=env, timeout=120)
    assert doctor.returncode == 1
    headline = doctor.stdout.splitlines()[-1]
    assert headline.startswith(
        f"newsbot doctor: FAILED (exit 1): the site cannot be reached: the proxy {proxy} "
        "(http_proxy/https_proxy) refused the connection"
    ), doctor.stdout[-2000:]


def test_unreachable_names_the_cause() -> None:
    request = Request("https://news.naver.com/section/100")
    assert unreachable(request, CannotResolveHostError("no")) == (
        "the site cannot be reached: DNS cannot resolve news.naver.com (no)"
    )
    assert unreachable(request, DNSLookupError("x")) is not None
    assert unreachable(request, DownloadConnectionRefusedError()) == (
        "the site cannot be reached: news.naver.com refused the connection"
    )
    proxied = Request("https://news.naver.com/", meta={"proxy": "http://u:secret@10.0.0.1:3128"})
    said = unreachable(proxied, DownloadConnectionRefusedError())
    assert said is not None and "secret" not in said and "http://10.0.0.1:3128" in said
    assert unreachable(request, ResponseDataLossError()) is None  # the site answered


# -- 4. a quiet terminal, the verdict last; plain words --------------------------------------


@pytest.mark.e2e
def test_the_terminal_shows_newsbots_lines_and_ends_with_the_verdict(
    fake: FakeNaver, tmp_path: Path
) -> None:
    quiet = newsbot(fake, "crawl", *DAY, "--output", str(tmp_path / "a"), *FAST)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    lines = quiet.stderr.splitlines()
    assert "newsbot: crawl OK" in lines[-1]
    assert not [line for line in lines if "[scrapy" in line or "Dumping Scrapy stats" in line]
    assert len(lines) < 10, lines
    assert any("responsible use" in line for line in lines)
    verbose = newsbot(fake, "crawl", *DAY, "--output", str(tmp_path / "b"), "--verbose", *FAST)
    assert verbose.returncode == 0
    assert "Scrapy 2." in verbose.stderr and "Dumping Scrapy stats" in verbose.stderr
    assert "newsbot: crawl OK" in verbose.stderr.splitlines()[-1]
    # A log file holds everything; the terminal still ends with the verdict.
    log = tmp_path / "crawl.log"
    logged = newsbot(
        fake, "crawl", *DAY, "--output", str(tmp_path / "c"), "--log-file", str(log), *FAST
    )
    assert logged.returncode == 0
    assert "newsbot: crawl OK" in logged.stderr.splitlines()[-1]
    assert "Dumping Scrapy stats" in log.read_text(encoding="utf-8")
    assert "Dumping Scrapy stats" not in logged.stderr
    # A level above the verdict's: the verdict is still the terminal's last line.
    warning = newsbot(
        fake, "crawl", *DAY, "--output", str(tmp_path / "d"), "-s", "LOG_LEVEL=WARNING", *FAST
    )
    assert warning.returncode == 0
    assert "newsbot: crawl OK" in warning.stderr.splitlines()[-1]


def test_scrapy_2_19_errors_in_plain_words() -> None:
    try:
        try:
            raise ResponseFailed([Failure(ConnectionLost("gone"))])
        except ResponseFailed as exc:
            raise DownloadFailedError(str(exc)) from exc
    except DownloadFailedError as wrapped:
        assert plain_failure(wrapped) == "connection lost"
    assert plain_failure(ResponseDataLossError()).startswith("the answer was cut short")
    assert plain_failure(CannotResolveHostError("x")) == "DNS lookup failed"
    assert plain_failure(DownloadConnectionRefusedError()) == "connection refused"
    assert plain_failure(ValueError("odd")) == "ValueError: odd"


# -- 5. one meaning per flag -----------------------------------------------------------------


@pytest.mark.e2e
def test_o_is_a_file_dash_is_stdout_output_is_a_directory(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert newsbot(fake, "crawl", *DAY, "--limit", "2", "--output", str(out), *FAST).returncode == 0
    wrong = newsbot(None, "export", str(out), "--output", str(tmp_path / "x.jsonl"))
    assert wrong.returncode == 2
    assert "--output names an output directory (crawl, reparse)" in wrong.stderr
    assert "-o FILE" in wrong.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "newsbot", "export", str(out), "-o", "-", "--format", "jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    rows = [json.loads(line) for line in piped.stdout.splitlines()]
    assert len(rows) == 2 and not (tmp_path / "-").exists()
    doctor = newsbot(fake, "doctor", "--date", "2026-05-30", "-o", "-", *FAST[:4], timeout=180)
    report = json.loads(doctor.stdout)  # standard output is the JSON report alone
    assert report["date"] == "2026-05-30" and "checks" in report
    assert "newsbot doctor:" in doctor.stderr


# -- 6. a verdict whose report could not be written says so -----------------------------------


@pytest.mark.e2e
def test_a_verdict_whose_report_was_not_written_says_so(fake: FakeNaver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "reports").write_text("a file where the reports directory goes\n", encoding="utf-8")
    result = newsbot(fake, "crawl", *DAY, "--limit", "1", "--output", str(out), *FAST)
    last = result.stderr.splitlines()[-1]
    assert "newsbot: crawl OK" in last and "Report: None" not in last
    assert f"The report could not be written ({out / 'reports'}" in last
    assert len(files(out)) == 1


# -- 9. an offline demo, on the README's first screen ----------------------------------------


@pytest.mark.e2e
def test_the_offline_demo_collects_a_day_in_under_a_minute(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first_screen = "\n".join(readme[:40])
    assert ".venv/bin/python -m tests.fakenaver.demo demo" in first_screen
    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tests.fakenaver.demo", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert took < 60, took
    assert "newsbot: crawl OK" in result.stderr
    for shown in ("$ newsbot crawl --date 2026-05-30", "$ newsbot verify", "$ newsbot stats"):
        assert shown in result.stdout
    assert "last crawl OK" in result.stdout and "exported" in result.stdout
    written = files(out)
    rows = (tmp_path / "demo.jsonl").read_text(encoding="utf-8").splitlines()
    assert written and len(rows) == len(written)


# -- what the review found -------------------------------------------------------------------


@pytest.mark.e2e
def test_values_are_used_as_checked(fake: FakeNaver, tmp_path: Path) -> None:
    """``yes``, ``no``, ``warning``: accepted by the check, so read the same by Scrapy."""
    out = tmp_path / "out"
    result = newsbot(
        fake, "crawl", *DAY, "--limit", "1", "--output", str(out), *FAST,
        "-s", "NEWSBOT_ARCHIVE=yes", "-s", "AUTOTHROTTLE_ENABLED=no", "-s", "LOG_LEVEL=warning",
        env={"NEWSBOT_PROGRESS_LIVE": "off"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert list((out / "archive").glob("*.warc.gz"))
    assert "newsbot: crawl OK" in result.stderr.splitlines()[-1]


@pytest.mark.e2e
def test_the_log_file_holds_each_line_once_and_a_job_dir_its_state(
    fake: FakeNaver, tmp_path: Path
) -> None:
    log, job = tmp_path / "crawl.log", tmp_path / "job"
    result = newsbot(
        fake, "crawl", *DAY, "--output", str(tmp_path / "out"), "--log-file", str(log),
        "--jobdir", str(job), *FAST,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("20")]
    assert lines and len(lines) == len(set(lines))
    assert "newsbot: crawl OK" in lines[-1]
    assert list(job.iterdir())  # the crawl's state, to resume it


@pytest.mark.e2e
def test_a_name_that_does_not_resolve_stops_the_crawl_in_seconds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env.pop(name, None)  # nothing leaves this machine: no proxy, no DNS query (NoDNS)
    started = time.monotonic()
    result = run_newsbot(
        "crawl", *DAY, "--output", str(tmp_path / "out"), "-s", "TWISTED_DNS_RESOLVER=tests.e2e.NoDNS",
        env=env, timeout=120,
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr[-3000:]
    assert took < 30, took
    lines = result.stderr.splitlines()
    assert (
        "newsbot: crawl FAILED: the site cannot be reached: DNS cannot resolve news.naver.com"
        in (lines[-1])
    )
    # Said once: the walks queued behind are not sent, nor handed to their fallbacks.
    assert not [line for line in lines if "instead" in line], lines


@pytest.mark.e2e
def test_a_cut_answer_fails_in_plain_words(fake: FakeNaver, tmp_path: Path) -> None:
    article = next(
        a for a in fake.world.articles if a.day == "20260530" and a.sid1 == "100" and a.listed
    )
    url = f"https://n.news.naver.com/mnews/article/{article.oid}/{article.aid}"
    fake.world.set_override(
        url + "*",
        Override(headers={"Content-Length": "100000"}, body=b"<html>" * 10, close_after=True),
    )
    try:
        out = tmp_path / "out"
        result = newsbot(fake, "crawl", *DAY, "--output", str(out), *FAST)
    finally:
        fake.world.clear_overrides()
    (report,) = (out / "reports").glob("crawl-*.json")
    key = f"{article.oid}_{article.aid}"
    reason = json.loads(report.read_text(encoding="utf-8"))["failures"][key]
    assert reason.startswith("cut_short: the answer was cut short"), reason
    assert "Error" not in reason, reason
    assert result.returncode in (1, 4)


def test_an_option_and_a_setting_that_disagree_are_refused(tmp_path: Path) -> None:
    result = newsbot(
        None, "crawl", *DAY, "--output", str(tmp_path / "a"),
        "-s", f"NEWSBOT_OUTPUT_DIR={tmp_path / 'b'}", timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"newsbot: error: --output {tmp_path / 'a'} and -s NEWSBOT_OUTPUT_DIR={tmp_path / 'b'} "
        "disagree: give one of them\n"
    )
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("command", [("stats", "."), ("verify", "."), ("sections",)])
def test_every_command_refuses_an_unknown_variable(command: tuple[str, ...]) -> None:
    result = newsbot(None, *command, env={"NEWSBOT_TEMPLTE": "x.j2"}, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        "newsbot: error: unknown setting NEWSBOT_TEMPLTE in the environment "
        "(did you mean NEWSBOT_TEMPLATE?)\n"
    )
