"""Deploy to a real Scrapyd: the egg ``scrapyd-deploy`` builds, its packaged template, a
scheduled crawl against the fake Naver that writes exactly what a local crawl writes, and
basic auth that refuses a wrong password.

Scrapyd runs with the fake's ``https_proxy``/``http_proxy`` in its environment, which the
crawl processes it starts inherit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, ROOT, TESTS
from tests.e2e import files, run_crawl
from tests.e2e import stat as log_stat
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world
from tests.services import ServerProcess, free_port, start_process

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
TEMPLATE = "newsbot/templates/article.md.j2"
USERNAME = "newsbot"
# "$HOME" and "%" check that neither scrapy.cfg's ${...} expansion nor configparser
# interpolation touches what the variable holds.
PASSWORD = "s3cret$HOME%"
VERSION = "test-1"
JOB_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "NEWSBOT_RETRY_BACKOFF": "0",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
}
JOB_ARGS = {"date": "2026-05-30", "sections": "100,101"}
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def _client_env(**extra: str) -> dict[str, str]:
    """This environment without proxies (Scrapyd is on 127.0.0.1), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
    return {**env, **extra}


# -- the egg -------------------------------------------------------------------------------


def _not_needed_for_the_egg(directory: str, names: list[str]) -> set[str]:
    """Caches, build output, and the top-level directories that are not the package."""
    skip = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
    if Path(directory) == ROOT:
        skip |= {n for n in names if n.startswith(".")}
        skip |= {"build", "dist", "output", "tests", "bench"} & set(names)
    return skip


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``scrapyd-deploy --build-egg``, run in a copy of the project as a clone has it (the
    ``newsbot/templates`` link stays a link; nothing is written into the working tree)."""
    base = tmp_path_factory.mktemp("build")
    project = base / "project"
    shutil.copytree(ROOT, project, symlinks=True, ignore=_not_needed_for_the_egg)
    assert (project / "newsbot" / "templates").is_symlink()
    egg_path = base / "newsbot.egg"
    result = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--build-egg", str(egg_path)],
        cwd=project,
        env=_client_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return egg_path


def test_egg_carries_the_template_as_a_file(egg: Path) -> None:
    with zipfile.ZipFile(egg) as archive:
        info = archive.getinfo(TEMPLATE)
        assert not stat.S_ISLNK(info.external_attr >> 16), "a symlink, not the template"
        assert archive.read(TEMPLATE) == (ROOT / "templates" / "article.md.j2").read_bytes()
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
        names = archive.namelist()
    assert re.search(r"^\[scrapy\]\s*^settings = newsbot\.settings$", entry_points, re.M)
    assert "newsbot/spiders/naver.py" in names
    assert "newsbot/commands/crawl.py" in names
    assert not [n for n in names if n.startswith("tests/")]


_FROM_EGG = """
import sys
from scrapyd.runner import activate_egg

egg = sys.argv[1]
activate_egg(egg)  # what Scrapyd's runner does before the crawl
import newsbot

assert newsbot.__file__.startswith(egg + "/"), newsbot.__file__
from newsbot.__main__ import main

sys.exit(main(sys.argv[2:]))
"""


def test_the_zipped_egg_renders_the_golden_markdown(egg: Path, tmp_path: Path) -> None:
    """Imported from the zipped egg (not the checkout), newsbot renders with the packaged
    template exactly what it renders here."""
    result = subprocess.run(
        [
            sys.executable, "-c", _FROM_EGG, str(egg),
            "extract", str(ARTICLES / "082_0001252309" / "body.html"),
            "--url", "https://n.news.naver.com/article/082/0001252309",
            "--format", "markdown", "--crawled-at", FROZEN_CRAWLED_AT,
        ],
        cwd=tmp_path,  # no scrapy.cfg or newsbot/ here
        env=_client_env(PYTHONPATH=""),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    golden = TESTS / "fixtures" / "golden" / "082_0001252309.md"
    assert result.stdout == golden.read_text(encoding="utf-8")


# -- a real Scrapyd ------------------------------------------------------------------------


def _request(
    url: str,
    data: list[tuple[str, str]] | None = None,
    *,
    auth: tuple[str, str] | None = (USERNAME, PASSWORD),
) -> tuple[int, dict[str, Any]]:
    """GET (or POST ``data`` to) ``url``, not through any proxy: (HTTP status, JSON or {})."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


@dataclass
class Scrapyd:
    url: str
    home: Path
    server: ServerProcess

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def items_dir(self) -> Path:
        return self.home / "items"

    def request(
        self,
        endpoint: str,
        data: list[tuple[str, str]] | None = None,
        *,
        auth: tuple[str, str] | None = (USERNAME, PASSWORD),
    ) -> tuple[int, dict[str, Any]]:
        return _request(self.url + endpoint, data, auth=auth)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


@pytest.fixture(scope="module")
def scrapyd(fake: FakeNaver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    # configparser: "%" is written "%%" in scrapyd.conf.
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"username = {USERNAME}\n"
        f"password = {PASSWORD.replace('%', '%%')}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"items_dir = {home / 'items'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "jobs_to_keep = 5\n"
        "max_proc = 2\n"
        "poll_interval = 0.5\n",
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}/"
    # Scrapyd reads ./scrapyd.conf; the crawls it starts inherit its environment.
    server = start_process(
        [str(BIN / "scrapyd")],
        home,
        {**os.environ, **fake.env()},
        ready=lambda: _request(url + "daemonstatus.json")[0] == 200,
        timeout=60,
    )
    try:
        yield Scrapyd(url, home, server)
    finally:
        server.stop()


def _deploy(scrapyd: Scrapyd, egg: Path, password: str) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy --egg`` from the repository: the [deploy] target of scrapy.cfg,
    filled from SCRAPYD_URL, SCRAPYD_USERNAME and SCRAPYD_PASSWORD."""
    return subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--egg", str(egg), "--version", VERSION],
        cwd=ROOT,
        env=_client_env(
            SCRAPYD_URL=scrapyd.url, SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=password
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, egg: Path) -> Scrapyd:
    result = _deploy(scrapyd, egg, PASSWORD)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok" and answer["spiders"] == 1, answer
    return scrapyd


def _schedule(scrapyd: Scrapyd, out: Path, **args: str) -> str:
    settings = {**JOB_SETTINGS, "NEWSBOT_OUTPUT_DIR": str(out)}
    data = [("project", "newsbot"), ("spider", "naver")]
    data += [("setting", f"{name}={value}") for name, value in settings.items()]
    data += list(args.items())
    status, answer = scrapyd.request("schedule.json", data)
    assert status == 200 and answer.get("status") == "ok", answer
    return str(answer["jobid"])


def _wait(scrapyd: Scrapyd, job: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, jobs = scrapyd.request("listjobs.json?project=newsbot")
        assert status == 200, jobs
        for entry in jobs["finished"]:
            if entry["id"] == job:
                return dict(entry)
        time.sleep(0.5)
    log = scrapyd.logs_dir / "newsbot" / "naver" / f"{job}.log"
    tail = log.read_text(encoding="utf-8")[-3000:] if log.exists() else "(no job log)"
    pytest.fail(f"job {job} not finished after {timeout} s:\n{tail}\n{scrapyd.server.output()}")


def _job_log(scrapyd: Scrapyd, job: str) -> str:
    return (scrapyd.logs_dir / "newsbot" / "naver" / f"{job}.log").read_text(encoding="utf-8")


def _without_crawl_time(text: str) -> str:
    lines = text.splitlines(keepends=True)
    front = [i for i, line in enumerate(lines) if line.startswith("crawled_at: ")]
    footer = [i for i, line in enumerate(lines) if line.startswith("*Crawled at: ")]
    assert len(front) == 1 and len(footer) == 1, text[:500]
    return "".join(line for i, line in enumerate(lines) if i not in (front[0], footer[0]))


def test_a_scheduled_job_writes_what_a_local_crawl_writes(
    deployed: Scrapyd, fake: FakeNaver, tmp_path: Path
) -> None:
    out = tmp_path / "scrapyd-out"
    job = _schedule(deployed, out, **JOB_ARGS)
    _wait(deployed, job)

    log = _job_log(deployed, job)
    assert "newsbot: crawl OK" in log, log[-3000:]
    assert log_stat(log, "newsbot/status") == "ok"
    assert log_stat(log, "newsbot/exit_reason") == "ok"
    # The crawl process exited 0 (Scrapyd logs a non-zero exit as "Process died").
    assert re.search(rf"Process finished: .*job='{job}'", deployed.server.output())
    # Scrapyd's items_dir feed got every article.
    feed = deployed.items_dir / "newsbot" / "naver" / f"{job}.jl"
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]

    local_out = tmp_path / "local-out"
    local = run_crawl(fake, local_out, *(f"{k}={v}" for k, v in JOB_ARGS.items()))
    assert local.returncode == 0, local.stderr[-3000:]

    remote_files, local_files = files(out), files(local_out)
    assert local_files, "the local crawl wrote nothing"
    assert set(remote_files) == set(local_files)
    for name, path in local_files.items():
        remote_text = remote_files[name].read_text(encoding="utf-8")
        local_text = path.read_text(encoding="utf-8")
        assert _without_crawl_time(remote_text) == _without_crawl_time(local_text), name
    assert sorted(item["id"] for item in items) == sorted(Path(name).stem for name in local_files)
    assert list((out / "reports").glob("crawl-*.json"))


def test_a_wrong_password_is_refused(deployed: Scrapyd, egg: Path) -> None:
    assert deployed.request("daemonstatus.json")[0] == 200
    for endpoint in ("schedule.json", "addversion.json", "listjobs.json"):
        data = [("project", "newsbot"), ("spider", "naver")]
        assert deployed.request(endpoint, data, auth=(USERNAME, "wrong"))[0] == 401
        assert deployed.request(endpoint, data, auth=None)[0] == 401
    result = _deploy(deployed, egg, "wrong")
    assert result.returncode == 1
    assert "Deploy failed (401)" in result.stderr


def test_a_job_with_a_bad_argument_says_so(deployed: Scrapyd, tmp_path: Path) -> None:
    """Scrapyd lists it as finished like any other job: the job log has the error (Scrapyd
    keeps a crawl's stderr in its own log only) and Scrapyd's log the exit status 2."""
    job = _schedule(deployed, tmp_path / "out", date="2099-01-01")
    _wait(deployed, job)
    log = _job_log(deployed, job)
    assert re.search(r"ERROR: newsbot: error: .*2099-01-01 is in the future.*crawl FAILED", log)
    assert "newsbot: crawl OK" not in log
    output = deployed.server.output()
    assert re.search(rf"Process died: exitstatus=2 .*job='{job}'", output)
    assert "newsbot: error: 2099-01-01 is in the future" in output


def test_a_job_pinned_to_the_deployed_version_runs(deployed: Scrapyd, tmp_path: Path) -> None:
    """schedule.json's _version reaches the spider as an argument; it is Scrapyd's, not ours."""
    url = "https://n.news.naver.com/mnews/article/082/0001252309"
    job = _schedule(deployed, tmp_path / "out", _version=VERSION, urls=url)
    _wait(deployed, job)
    assert "newsbot: crawl OK" in _job_log(deployed, job)
