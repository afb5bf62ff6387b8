"""Benchmark ``scrapy crawl naver`` end to end against the fake Naver on 127.0.0.1.

    .venv/bin/python bench/run.py --articles 10000

Starts the fake Naver (``tests.fakenaver``) as its own process serving N synthetic articles
(real saved pages with each article's oid/aid/date/text), runs the real ``scrapy crawl
naver`` against it with politeness off, and prints: articles/s, CPU ms per article
(user+sys of the crawl process) and peak RSS; HTTP requests per collected article; the
parse-only floor (``lxml.html.fromstring`` on the same page bytes) and the ratio to it; a
second, incremental run over the same day(s); ``reparse`` throughput when ``python -m
newsbot reparse`` exists; and, as the last line, the figures as one JSON object.

``--comments count|all`` gives every article a comment box in the fake (``synthetic_world(...,
comments=True)``) and crawls with ``-a comments=MODE`` and ``NEWSBOT_COMMENTS_DELAY=0``; it
adds comment requests per collected article (and what the world says they should be),
total requests per collected article, the comments' outcomes and records written, and the
comment requests of the re-run (one ``pageSize=1`` probe per article).

The synthetic world holds at most 86,400 articles a day (one per second); above that the
articles are spread over consecutive days and the crawl asks for that range of days.
Method and figures: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import pstats
import random
import re
import selectors
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as ``python bench/run.py``: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from tests.fakenaver import SUB_SECTIONS, FakeNaver, World, synthetic_world  # noqa: E402
from tests.fakenaver.comments import CommentProfile  # noqa: E402
from tests.fakenaver.pages import article_page  # noqa: E402
from tests.fakenaver.world import ArticleSpec  # noqa: E402

#: The synthetic world gives every article its own second of the day.
MAX_PER_DAY = 86_400
#: Settings that switch politeness off for the benchmark (the fake answers at once).
FAST_SETTINGS: dict[str, str] = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_RETRY_BACKOFF": "0",
    "LOG_LEVEL": "INFO",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
}
#: The issue's targets (one crawl process).
TARGET_CPU_RATIO = 3.0
TARGET_ARTICLES_PER_S = 60.0
TARGET_REQUESTS_PER_ARTICLE = 1.05
TARGET_PEAK_RSS_MB = 300.0
#: Issue 15: with ``-a comments=count``, listing + article + comment requests per article.
TARGET_REQUESTS_PER_ARTICLE_COUNT = 2.05
#: ``--comments`` modes (``off``: the crawl without comments, the fake without them).
COMMENT_MODES = ("off", "count", "all")
#: The comment API's page size as newsbot asks for it (``newsbot.comments.PAGE_SIZE``).
COMMENT_PAGE_SIZE = 100

_ARTICLE_URL = re.compile(r"^https://n\.news\.naver\.com/(?:mnews/)?article/\d{3}/\d{10}")
_COMMENT_URL = re.compile(r"^https://apis\.naver\.com/commentBox/")
_STAT_LINE = re.compile(r"^\s*\{?'([^']+)':\s*(.*?),?\}?\s*$")


# -- the world --------------------------------------------------------------------------------


def plan_days(n_articles: int, first_day: str, per_day: int = MAX_PER_DAY) -> list[tuple[str, int]]:
    """``[(day, articles on it)]``: one day when it holds them all, else consecutive days."""
    if n_articles < 1:
        raise ValueError("--articles must be at least 1")
    if not 1 <= per_day <= MAX_PER_DAY:
        raise ValueError(f"--max-per-day must be between 1 and {MAX_PER_DAY}")
    days = math.ceil(n_articles / per_day)
    start = date.fromisoformat(first_day)
    base, extra = divmod(n_articles, days)
    return [(str(start + timedelta(days=k)), base + (k < extra)) for k in range(days)]


def build_world(plan: Sequence[tuple[str, int]], comments: bool = False) -> World:
    """The world the fake serves: ``synthetic_world`` per day (seed = day number).

    One day is exactly what ``python -m tests.fakenaver --world synthetic`` serves (with
    ``--comments`` when ``comments``). Over several days the comment boxes come from one
    ``CommentProfile(seed=0)`` (a world has one profile; the same distribution).
    """
    if len(plan) == 1:
        day, n = plan[0]
        return synthetic_world(n, day, 0, comments=comments)
    days = [synthetic_world(n, day, seed) for seed, (day, n) in enumerate(plan)]
    world = World(
        page_size=days[0].page_size,
        old_page_size=days[0].old_page_size,
        comment_profile=CommentProfile(seed=0) if comments else None,
    )
    for one_day in days:
        for spec in one_day.articles:
            world.add_article(spec)
    return world


def request_floor(world: World, days: Sequence[str]) -> int:
    """The fewest requests a crawl of ``days`` by section can make: one per article, plus
    every (sub-)section listing's pages at the fake's page size (articles listed in two
    sub-sections count in both)."""
    articles = {spec.key for spec in world.articles if spec.listed}
    wanted = {day.replace("-", "") for day in days}
    pages = 0
    for sid1, subsections in SUB_SECTIONS.items():
        for sid2 in subsections:
            per_day = Counter(spec.day for spec in world.listed(sid1, sid2))
            pages += sum(math.ceil(per_day[day] / world.page_size) for day in wanted)
    return len(articles) + pages


@dataclass
class CommentFloor:
    """What a first crawl with ``-a comments=MODE`` must ask the comment API for, and the
    records it must write, from the world's boxes (the ground truth the fake serves)."""

    requests: int = 0
    records: int = 0
    boxes_off: int = 0
    boxes_empty: int = 0


def comment_floor(world: World, mode: str) -> CommentFloor:
    """``count``: one ``pageSize=1`` probe per article. ``all`` (no earlier run, so no
    probe): one request per box that is off or empty, else one per 100 top-level comments
    (deleted ones included, ``includeAllStatus=true``) plus, for each comment with replies,
    one per 100 of them; records: every comment and reply of a box that is on."""
    floor = CommentFloor()
    for spec in world.articles:
        if not spec.listed:
            continue
        if mode == "count":
            floor.requests += 1
            continue
        box = world.comments(spec.oid, spec.aid)
        if box.off:
            floor.requests += 1
            floor.boxes_off += 1
            continue
        replies = Counter(c.parent_no for c in box.comments if c.parent_no is not None)
        top = len(box.comments) - sum(replies.values())
        floor.boxes_empty += top == 0
        floor.requests += max(1, math.ceil(top / COMMENT_PAGE_SIZE))
        floor.requests += sum(math.ceil(n / COMMENT_PAGE_SIZE) for n in replies.values())
        floor.records += len(box.comments)
    return floor


def serve_fake(plan: list[tuple[str, int]], log: str, comments: bool = False) -> int:
    """``--serve-fake``: serve a multi-day world (the fake's CLI serves one day only)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fake = FakeNaver(build_world(plan, comments), log_path=log).start()
    try:
        print(f"READY {fake.port}", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        fake.stop()
    return 0


# -- child processes --------------------------------------------------------------------------

_children: list[subprocess.Popen[bytes]] = []


def spawn(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start a child in its own session (a terminal's Ctrl-C reaches only us; we stop it)."""
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, **kwargs)
    _children.append(process)
    return process


def stop_child(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; reaps it."""
    if process.returncode is None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
    if process in _children:
        _children.remove(process)


def stop_all_children() -> None:
    for process in list(reversed(_children)):  # the crawl before the fake it talks to
        stop_child(process)


def _raise_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def proc_cpu_seconds(pid: int) -> float:
    """user+sys CPU of a live process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no {key} for pid {pid}")


def proc_peak_rss_mb(pid: int) -> float:
    return _proc_status_mb(pid, "VmHWM:")


def proc_rss_mb(pid: int) -> float:
    return _proc_status_mb(pid, "VmRSS:")


@dataclass
class Fake:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    #: Whether the world gives articles comments (``--comments`` not off).
    comments: bool = False

    @property
    def env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.port}"
        proxies = {"http_proxy": url, "https_proxy": url, "HTTP_PROXY": url, "HTTPS_PROXY": url}
        return {**os.environ, **proxies, "no_proxy": "", "NO_PROXY": ""}

    def cpu(self) -> float:
        return proc_cpu_seconds(self.process.pid)

    def log_lines(self) -> int:
        with self.log.open("rb") as handle:
            return sum(1 for _ in handle)

    def records(self, skip: int = 0) -> list[dict[str, Any]]:
        with self.log.open(encoding="utf-8") as handle:
            return [json.loads(line) for n, line in enumerate(handle) if n >= skip]


def start_fake(
    plan: Sequence[tuple[str, int]], work: Path, timeout: float, comments: bool = False
) -> Fake:
    log = work / "fake-requests.jsonl"
    if len(plan) == 1:
        day, n = plan[0]
        command = [sys.executable, "-m", "tests.fakenaver", "--world", "synthetic"]
        command += ["--n-articles", str(n), "--day", day, "--port", "0", "--log", str(log)]
        command += ["--comments"] if comments else []
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve-fake"]
        command += [json.dumps(plan), "--fake-log", str(log)]
        command += ["--comments", "all"] if comments else []
    stderr = (work / "fake-stderr.log").open("wb")
    process = spawn(command, stdout=subprocess.PIPE, stderr=stderr)
    stderr.close()
    assert process.stdout is not None
    line = _read_line(process.stdout, timeout)
    match = re.fullmatch(r"READY (\d+)\s*", line)
    if match is None:
        stop_child(process)
        raise RuntimeError(f"the fake Naver did not start (said {line!r}; see {stderr.name})")
    return Fake(process, int(match.group(1)), log, comments)


def alive_fake(fake: Fake, plan: Sequence[tuple[str, int]], work: Path, timeout: float) -> Fake:
    """``fake``, or a new one on the same world and request log if something outside
    stopped it between two phases (this happens on a shared machine)."""
    if fake.process.poll() is None:
        return fake
    stop_child(fake.process)
    print(
        f"NOTE: the fake Naver (pid {fake.process.pid}) was stopped from outside"
        f" (exit {fake.process.returncode}) between two phases; starting it again",
        flush=True,
    )
    return start_fake(plan, work, timeout, fake.comments)


def _read_line(stream: IO[bytes], timeout: float) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return stream.readline().decode("utf-8", "replace")


# -- the crawl --------------------------------------------------------------------------------


@dataclass
class Run:
    """One child process, measured with ``wait4``."""

    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    returncode: int
    log: Path
    #: (seconds since start, RSS in MB) about every half second while it ran.
    rss_mb: list[tuple[float, float]] = field(default_factory=list)

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def rss_at(self, fraction: float) -> float:
        """RSS (MB) sampled nearest to ``fraction`` of the run's wall time."""
        if not self.rss_mb:
            return float("nan")
        at = fraction * self.wall_s
        return min(self.rss_mb, key=lambda sample: abs(sample[0] - at))[1]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def crawl_command(
    out: Path,
    plan: Sequence[tuple[str, int]],
    settings: dict[str, str] | None = None,
    comments: str = "off",
) -> list[str]:
    """``scrapy crawl naver`` of the plan's day(s); with ``comments`` not off, ``-a
    comments=…`` and no delay between comment requests (politeness off, like the rest)."""
    days = [day for day, _ in plan]
    command = [sys.executable, "-m", "scrapy", "crawl", "naver"]
    if len(days) == 1:
        command += ["-a", f"date={days[0]}"]
    else:
        command += ["-a", f"start={days[0]}", "-a", f"end={days[-1]}"]
    comment_settings: dict[str, str] = {}
    if comments != "off":
        command += ["-a", f"comments={comments}"]
        comment_settings["NEWSBOT_COMMENTS_DELAY"] = "0"
    for name, value in {
        "NEWSBOT_OUTPUT_DIR": str(out),
        **FAST_SETTINGS,
        **comment_settings,
        **(settings or {}),
    }.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_measured(command: list[str], env: dict[str, str], log: Path, timeout: float) -> Run:
    """Run ``command`` to the end; its own user/sys CPU and peak RSS come from ``wait4``."""
    with log.open("wb") as handle:
        started = time.perf_counter()
        process = spawn(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    reaped = False
    rss: list[tuple[float, float]] = []
    next_sample = next_peak = 0.0
    peak_mb = 0.0
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            now = time.perf_counter() - started
            if pid:
                wall = now
                reaped = True
                break
            if now > timeout:
                raise TimeoutError(f"{' '.join(command[:6])}… still running after {timeout:.0f}s")
            if now >= next_peak:
                # VmHWM, the child's own peak since exec. (wait4's ru_maxrss is not: it
                # also counts this process's memory, which the child held between fork and
                # exec — hundreds of MB once the world of a large N is built.)
                with contextlib.suppress(OSError, ValueError):
                    peak_mb = max(peak_mb, proc_peak_rss_mb(process.pid))
                next_peak = now + 0.05
            if now >= next_sample:
                with contextlib.suppress(OSError, ValueError):
                    rss.append((now, proc_rss_mb(process.pid)))
                next_sample = now + 0.5
            time.sleep(0.01)
    finally:
        if not reaped:
            stop_child(process)
    process.returncode = os.waitstatus_to_exitcode(status)
    _children.remove(process)
    return Run(
        wall_s=wall,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        peak_rss_mb=max([peak_mb, *(mb for _, mb in rss)]),
        returncode=process.returncode,
        log=log,
        rss_mb=rss,
    )


def scrapy_stats(log_text: str) -> dict[str, str]:
    """The ``Dumping Scrapy stats`` block at the end of a crawl log, values as text."""
    at = log_text.rfind("Dumping Scrapy stats")
    stats: dict[str, str] = {}
    if at < 0:
        return stats
    for line in log_text[at:].splitlines()[1:]:
        match = _STAT_LINE.match(line)
        if match is None:
            if stats:
                break
            continue
        stats[match.group(1)] = match.group(2).strip("'")
    return stats


def count_markdown(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.md"))


@dataclass
class Requests:
    """What a crawl asked the fake for, from its request log."""

    total: int = 0
    articles: int = 0
    listings: int = 0
    #: to the comment API (apis.naver.com/commentBox/…), and those of them with pageSize=1
    comments: int = 0
    comment_probes: int = 0
    other: int = 0
    not_ok: int = 0
    repeated_articles: int = 0
    article_urls: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, records: list[dict[str, Any]]) -> Requests:
        seen: Counter[str] = Counter()
        result = cls()
        for record in records:
            url = str(record["url"])
            result.total += 1
            if record["status"] != 200:
                result.not_ok += 1
            if _ARTICLE_URL.match(url):
                result.articles += 1
                seen[url.split("?", 1)[0]] += 1
            elif "/section/template/" in url or "/main/list.n" in url:
                result.listings += 1
            elif _COMMENT_URL.match(url):
                result.comments += 1
                result.comment_probes += parse_qs(urlsplit(url).query).get("pageSize") == ["1"]
            else:
                result.other += 1
        result.article_urls = set(seen)
        result.repeated_articles = sum(n - 1 for n in seen.values())
        return result


# -- the parse-only floor ---------------------------------------------------------------------


@dataclass
class Baseline:
    pages: int
    cpu_s: float
    bytes: int

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages


def parse_only(specs: Sequence[ArticleSpec], sample: int) -> Baseline:
    """CPU to parse the article pages with ``lxml.html.fromstring`` alone (tree freed inside
    the timed region, as the crawl frees its trees too). The bytes are rebuilt in-process by
    the fake's own page function, untimed; ``check_same_bytes`` proves they are what the
    fake served. ``sample`` > 0 parses a seeded random sample of that many pages."""
    import lxml.html

    chosen = list(specs)
    if 0 < sample < len(chosen):
        chosen = random.Random(0).sample(chosen, sample)
    cpu = 0.0
    size = 0
    fromstring = lxml.html.fromstring
    clock = time.process_time
    for spec in chosen:
        body, _ = article_page(spec)
        size += len(body)
        before = clock()
        fromstring(body)
        cpu += clock() - before
    return Baseline(len(chosen), cpu, size)


def check_same_bytes(fake: Fake, specs: Sequence[ArticleSpec], count: int) -> int:
    """Fetch ``count`` article pages through the fake's proxy and compare them byte for byte
    with the rebuilt ones; return how many matched (raises on a mismatch)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    proxy = f"http://127.0.0.1:{fake.port}"
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy}),
        urllib.request.HTTPSHandler(context=context),
    )
    chosen = random.Random(1).sample(list(specs), min(count, len(specs)))
    for spec in chosen:
        with opener.open(spec.url, timeout=30) as response:
            served = response.read()
        rebuilt, _ = article_page(spec)
        if hashlib.sha256(served).digest() != hashlib.sha256(rebuilt).digest():
            raise RuntimeError(f"parse-only pages differ from what the fake serves: {spec.url}")
    return len(chosen)


# -- reparse ----------------------------------------------------------------------------------


def reparse_available() -> bool:
    """Whether ``python -m newsbot reparse`` exists (its ``--help`` exits 0)."""
    result = subprocess.run(
        [sys.executable, "-m", "newsbot", "reparse", "--help"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return result.returncode == 0


# -- profile ----------------------------------------------------------------------------------


def _area(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: lxml, ssl, sqlite3, I/O…)"
    for marker, name in (
        ("/newsbot/", "newsbot"),
        ("/scrapy/", "scrapy"),
        ("/twisted/", "twisted"),
        ("/parsel/", "parsel"),
        ("/w3lib/", "w3lib"),
        ("/lxml/", "lxml (Python)"),
        ("/cssselect/", "cssselect"),
        ("/jinja2/", "jinja2"),
        ("/yaml/", "yaml"),
        ("/OpenSSL/", "pyOpenSSL"),
    ):
        if marker in filename:
            return name
    return "other Python"


def cprofile_report(path: Path, top: int) -> list[str]:
    """Own time by package, then the top functions by own time and newsbot's by cumulative."""
    # {(file, line, function): (primitive calls, calls, own time, cumulative, callers)}
    raw: dict[Any, Any] = getattr(pstats.Stats(str(path)), "stats")  # noqa: B009
    total = sum(v[2] for v in raw.values()) or 1.0
    areas: Counter[str] = Counter()
    for (filename, _, _), value in raw.items():
        areas[_area(filename)] += value[2]
    lines = [f"profile: {total:.1f} s own time in total (cProfile: Python calls cost extra)"]
    lines += [f"  {share / total:6.1%}  {name}" for name, share in areas.most_common()]

    def label(key: tuple[str, int, str]) -> str:
        filename, line, func = key
        for marker in ("/site-packages/", "/lib/python3.11/", str(ROOT) + "/"):
            if marker in filename:
                filename = filename.split(marker, 1)[1]
        return f"{func} ({filename}:{line})" if line else func

    lines.append("  top own time:")
    for key, value in sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]:
        lines.append(f"  {value[2] / total:6.1%}  {label(key)}")
    lines.append("  newsbot, cumulative (includes what it calls):")
    ours = [(k, v) for k, v in raw.items() if "/newsbot/" in k[0]]
    for key, value in sorted(ours, key=lambda kv: -kv[1][3])[:top]:
        lines.append(f"  {value[3] / total:6.1%}  {label(key)}")
    return lines


#: Areas of the crawl for py-spy stacks: the first area with a frame containing one of its
#: markers takes the sample (so the specific ones come first).
FREE_TREE = "lxml: free the page's tree (charged to scrapy's as_async_generator)"
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("startup: imports, settings, template", ("_find_and_load", "Environment.from_string")),
    ("lxml parse of the page (selector_from_bytes)", ("selector_from_bytes", "create_root_node")),
    ("decode body to text", ("decode_html", "TextResponse.text", "html_to_unicode")),
    ("layout choice (select_layout, matches)", ("select_layout",)),
    ("article body walk (extract_body)", ("extract_body",)),
    ("header fields: CSS/XPath queries (to_article)", ("to_article", "declared_article_id")),
    ("listing pages", ("parse_section_more", "parse_section_cards", "parse_old_list")),
    ("pipeline: normalize", ("NormalizePipeline",)),
    ("pipeline: validate", ("ValidatePipeline",)),
    ("pipeline: hash", ("HashPipeline",)),
    ("export: render Markdown (jinja2, YAML)", ("render_article",)),
    ("export: write_atomic (mkstemp, fsync, rename)", ("write_atomic",)),
    ("export: SQLite index", ("Index.record", "Index.get")),
    ("export: other", ("MarkdownExportPipeline", "OutputStore")),
    ("spider: already_collected (index lookups)", ("already_collected",)),
    ("spider: parse_article, other", ("parse_article",)),
    ("TLS (twisted.protocols.tls, pyOpenSSL)", ("TLSMemoryBIOProtocol", "OpenSSL/")),
    ("HTTP/1.1 client (twisted.web)", ("twisted/web/",)),
    ("scrapy downloader + its middlewares", ("scrapy/core/downloader", "downloadermiddlewares")),
    (
        "scrapy scraper + spider middlewares",
        ("scrapy/core/scraper", "spidermiddlewares", "scrapy/utils/asyncgen"),
    ),
    ("scrapy engine, scheduler", ("scrapy/core/engine", "scrapy/core/scheduler", "pqueues")),
    ("scrapy, other", ("scrapy/",)),
    ("newsbot, other", ("newsbot/",)),
    ("twisted / asyncio event loop", ("twisted/", "asyncio/")),
)


def pyspy_report(path: Path, cpu_ms_per_article: float, top: int) -> list[str]:
    """Samples by area of the crawl (ms/article scaled to the unprofiled crawl's CPU), then
    the top leaf frames and the deepest newsbot frames."""
    areas: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        # Every frame runs under newsbot's crawl command: it says nothing about where.
        frames = [f for f in stack.split(";") if "newsbot/commands/" not in f]
        leaves[frames[-1] if frames else "?"] += n
        mine = [f for f in frames if "newsbot/" in f]
        if mine:
            ours[mine[-1]] += n
        if frames and frames[-1].startswith("as_async_generator "):
            # Scrapy resuming the finished parse_article generator: its frame is cleared
            # there, and with it the page's lxml tree (measured: ~0.3 ms of freeing).
            areas[FREE_TREE] += n
            continue
        for name, markers in AREAS:
            if any(marker in frame for frame in frames for marker in markers):
                areas[name] += n
                break
        else:
            areas["other (GC, idle, unknown)"] += n
    if not total:
        return ["profile: no samples"]
    lines = [f"profile: {total} samples (py-spy); share, then ms/article at the measured CPU"]
    for name, n in areas.most_common():
        lines.append(f"  {n / total:6.1%}  {n / total * cpu_ms_per_article:5.2f}  {name}")
    lines.append("  top leaf frames (where the CPU is, C calls charged to their caller):")
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in leaves.most_common(top)]
    lines.append("  deepest newsbot frame (newsbot code and what it calls):")
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in ours.most_common(top)]
    return lines


def profile_crawl(
    work: Path, plan: Sequence[tuple[str, int]], fake: Fake, cpu_ms: float, args: argparse.Namespace
) -> list[str]:
    """A crawl into its own output directory under py-spy (if installed) or cProfile."""
    command = crawl_command(work / "output-profiled", plan, comments=args.comments)
    log = work / "crawl-profiled.log"
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    spy = shutil.which("py-spy", path=search)
    if spy:
        raw = work / "crawl.py-spy.txt"
        record = [spy, "record", "--rate", "250", "--format", "raw", "--nonblocking"]
        record += ["-o", str(raw), "--"]
        profiled = run_measured(record + command, fake.env, log, args.timeout)
        _check_crawl(profiled, "the profiled crawl", fake)
        head = f"profiled crawl (py-spy, sampling): {profiled.wall_s:.1f}s"
        return [head, *pyspy_report(raw, cpu_ms, args.profile_top)]
    prof = work / "crawl.prof"
    command[1:1] = ["-m", "cProfile", "-o", str(prof)]
    profiled = run_measured(command, fake.env, log, args.timeout)
    _check_crawl(profiled, "the profiled crawl", fake)
    head = f"profiled crawl (cProfile; py-spy not installed): {profiled.wall_s:.1f}s"
    return [head, *cprofile_report(prof, args.profile_top)]


# -- main -------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether newsbot/ differs from it (read-only git calls)."""

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "newsbot")
    return f"{commit}{' + uncommitted changes in newsbot/' if dirty else ''}"


def _out(line: str = "") -> None:
    print(line, flush=True)


def _check_crawl(run: Run, what: str, fake: Fake) -> dict[str, str]:
    if fake.process.poll() is not None:
        raise RuntimeError(
            f"the fake Naver (pid {fake.process.pid}) exited with {fake.process.returncode}"
            f" during {what}: killed from outside? Figures would be wrong; run again"
        )
    stats = scrapy_stats(run.text())
    if run.returncode != 0 or stats.get("newsbot/status") != "ok":
        tail = "\n".join(run.text().splitlines()[-20:])
        raise RuntimeError(f"{what} failed (exit {run.returncode}); see {run.log}:\n{tail}")
    return stats


def comment_stats(stats: dict[str, str]) -> dict[str, int]:
    """The crawl's ``newsbot/comments/…`` stats, by the name after that prefix."""
    prefix = "newsbot/comments/"
    return {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}


def comment_outcomes(counts: dict[str, int]) -> str:
    """``collected 1940, off 60``: the comment outcomes among ``comment_stats``."""
    outcomes = [(k, v) for k, v in sorted(counts.items()) if k not in _NOT_OUTCOMES]
    return ", ".join(f"{k} {v}" for k, v in outcomes) or "none"


_NOT_OUTCOMES = ("requests", "records", "rejected_items")


def count_comment_records(out: Path) -> tuple[int, int]:
    """(``.comments.jsonl`` files, lines in them) under ``out``."""
    files = lines = 0
    for path in out.rglob("*.comments.jsonl"):
        files += 1
        with path.open("rb") as handle:
            lines += sum(1 for line in handle if line.strip())
    return files, lines


def benchmark(args: argparse.Namespace) -> int:
    plan = plan_days(args.articles, args.day, args.max_per_day)
    n_articles = sum(n for _, n in plan)
    mode: str = args.comments
    with_comments = mode != "off"
    name = f"n{n_articles}" + (f"-comments-{mode}" if with_comments else "")
    work = Path(args.work or ROOT / "bench" / "out" / name).resolve()
    if work.exists():
        leftovers = {p.name for p in work.iterdir()}
        if leftovers and "fake-requests.jsonl" not in leftovers:
            raise ValueError(f"{work} is not empty and not an earlier bench work directory")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    out = work / "output"
    days = plan[0][0] if len(plan) == 1 else f"{plan[0][0]}..{plan[-1][0]}"
    _out(f"bench: {n_articles} synthetic articles on {days}; work dir {work}")
    _out(
        f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; code {code_version()}"
    )
    if with_comments:
        _out(
            f"comments: -a comments={mode}, NEWSBOT_COMMENTS_DELAY=0"
            " (NEWSBOT_COMMENTS_CONCURRENCY as newsbot sets it); every article has a comment box"
        )

    started = time.perf_counter()
    # The same world the fake builds: for the floors below.
    world = build_world(plan, with_comments)
    specs = world.articles
    floor = request_floor(world, [day for day, _ in plan])
    fake = start_fake(plan, work, timeout=args.fake_timeout, comments=with_comments)
    _out(
        f"fake Naver: pid {fake.process.pid}, port {fake.port}"
        f" ({time.perf_counter() - started:.1f}s to start)"
    )

    # 1. The crawl.
    fake_cpu = fake.cpu()
    command = crawl_command(out, plan, comments=mode)
    crawl = run_measured(command, fake.env, work / "crawl-1.log", args.timeout)
    fake_cpu = fake.cpu() - fake_cpu
    stats = _check_crawl(crawl, "the crawl", fake)
    first_lines = fake.log_lines()
    requests = Requests.of(fake.records())
    articles = count_markdown(out)
    new = int(stats.get("newsbot/articles/new", "0"))
    if not articles:
        raise RuntimeError(f"the crawl collected nothing; see {crawl.log}")
    if articles != new or articles != n_articles:
        _out(f"WARNING: {articles} .md files, {new} new in the stats, {n_articles} in the world")
    per_s = articles / crawl.wall_s
    cpu_ms = 1000 * crawl.cpu_s / articles
    # Listing + article requests (+ other): the 1.05 target's; comment requests aside.
    req_per_article = (requests.total - requests.comments) / articles
    total_per_article = requests.total / articles
    comment_per_article = requests.comments / articles
    entries = int(stats.get("newsbot/listing/articles", "0"))
    entries += int(stats.get("newsbot/listing/duplicates", "0"))
    _out()
    _out(f"crawl: {articles} articles in {crawl.wall_s:.1f}s = {per_s:.1f} articles/s")
    _out(
        f"  CPU {crawl.cpu_s:.1f}s (user {crawl.user_s:.1f} + sys {crawl.sys_s:.1f})"
        f" = {cpu_ms:.2f} ms/article; peak RSS {crawl.peak_rss_mb:.0f} MB"
    )
    timeline = ", ".join(f"{crawl.rss_at(q):.0f}" for q in (0.1, 0.25, 0.5, 0.75, 0.95))
    _out(f"  RSS (MB) at 10%, 25%, 50%, 75%, 95% of the crawl: {timeline}")
    _out(
        f"  fake Naver meanwhile: {fake_cpu:.1f}s CPU ({1000 * fake_cpu / articles:.2f} ms/article)"
    )
    comment_part = f" + {requests.comments} comment" if with_comments else ""
    _out(
        f"  HTTP requests: {requests.total} = {requests.listings} listing"
        f" + {requests.articles} article{comment_part} + {requests.other} other;"
        f" {requests.not_ok} not 200 (retried or failed),"
        f" {requests.repeated_articles} article fetched twice"
    )
    aside = ", comment requests aside" if with_comments else ""
    _out(
        f"  requests per collected article{aside}: {req_per_article:.4f}"
        f" ({entries} listing entries on {requests.listings} listing pages; floor at the"
        f" fake's {world.page_size} entries per page: {floor / n_articles:.4f})"
    )
    counts = comment_stats(stats)
    expected = comment_floor(world, mode) if with_comments else CommentFloor()
    records = counts.get("records", 0)
    if with_comments:
        _out(
            f"  comments ({mode}): {requests.comments} comment requests"
            f" ({requests.comment_probes} of them pageSize=1 probes;"
            f" newsbot/comments/requests {counts.get('requests', 0)})"
            f" = {comment_per_article:.4f} per collected article; the world's boxes need"
            f" {expected.requests} ({expected.requests / n_articles:.4f})"
        )
        _out(
            f"  total requests per collected article (listing + article + comment):"
            f" {total_per_article:.4f}"
        )
        _out(
            f"  comment outcomes: {comment_outcomes(counts)};"
            f" rejected items {counts.get('rejected_items', 0)};"
            f" log: {stats.get('log_count/ERROR', '0')} ERROR,"
            f" {stats.get('log_count/WARNING', '0')} WARNING lines"
        )
    if mode == "all":
        files, lines = count_comment_records(out)
        _out(
            f"  comment records written: {records} (newsbot/comments/records);"
            f" {lines} lines in {files} .comments.jsonl files; the world's boxes hold"
            f" {expected.records} ({expected.boxes_off} boxes off, {expected.boxes_empty} empty)"
        )

    # 2. The same day(s) again: incremental.
    fake = alive_fake(fake, plan, work, args.fake_timeout)
    fake_cpu = fake.cpu()
    command = crawl_command(out, plan, comments=mode)
    rerun = run_measured(command, fake.env, work / "crawl-2.log", args.timeout)
    fake_cpu = fake.cpu() - fake_cpu
    rerun_stats = _check_crawl(rerun, "the re-run", fake)
    again = Requests.of(fake.records(skip=first_lines))
    _out()
    _out(
        f"re-run (incremental): {again.total} requests ({again.listings} listing,"
        f" {again.articles} article) in {rerun.wall_s:.1f}s;"
        f" CPU {rerun.cpu_s:.1f}s, peak RSS {rerun.peak_rss_mb:.0f} MB;"
        f" skipped {rerun_stats.get('newsbot/articles/skipped', '0')},"
        f" new {rerun_stats.get('newsbot/articles/new', '0')}"
    )
    rerun_counts = comment_stats(rerun_stats)
    if with_comments:
        _out(
            f"  re-run comments: {again.comments} comment requests"
            f" ({again.comment_probes} pageSize=1 probes)"
            f" = {again.comments / articles:.4f} per article;"
            f" outcomes: {comment_outcomes(rerun_counts)};"
            f" records {rerun_counts.get('records', 0)};"
            f" log: {rerun_stats.get('log_count/ERROR', '0')} ERROR lines"
        )

    # 3. reparse, once the raw-archive issue has landed: it needs an archive, so a second
    # full crawl with NEWSBOT_ARCHIVE=1 (measured on its own: the archive's cost), then
    # ``reparse`` of that archive into a fresh output directory (every article re-extracted
    # and written again, like the crawl's own path minus the network).
    _out()
    reparse_per_s: float | None = None
    if args.no_reparse:
        _out("reparse: skipped (--no-reparse)")
    elif not reparse_available():
        _out("reparse: n/a (`python -m newsbot reparse` does not exist yet)")
    else:
        archived_out = work / "output-archived"
        settings = {"NEWSBOT_ARCHIVE": "True"}
        command = crawl_command(archived_out, plan, settings=settings, comments=mode)
        fake = alive_fake(fake, plan, work, args.fake_timeout)
        archived = run_measured(command, fake.env, work / "crawl-archived.log", args.timeout)
        _check_crawl(archived, "the archived crawl", fake)
        archive_mb = sum(f.stat().st_size for f in archived_out.rglob("*.warc*")) / 2**20
        _out(
            f"crawl with NEWSBOT_ARCHIVE=1: {articles / archived.wall_s:.1f} articles/s,"
            f" CPU {1000 * archived.cpu_s / articles:.2f} ms/article,"
            f" peak RSS {archived.peak_rss_mb:.0f} MB; archive {archive_mb:.0f} MB"
            f" ({1024 * archive_mb / articles:.0f} KiB/article)"
        )
        reparsed_out = work / "output-reparsed"
        command = [sys.executable, "-m", "newsbot", "reparse", "--output", str(reparsed_out)]
        command.append(str(archived_out / "archive"))
        reparse = run_measured(command, dict(os.environ), work / "reparse.log", args.timeout)
        written = count_markdown(reparsed_out)
        said = reparse.text().strip().splitlines()[-1:] or [""]
        if reparse.returncode == 0 and written:
            reparse_per_s = written / reparse.wall_s
            _out(
                f"reparse: {reparse_per_s:.1f} articles/s ({written} articles in"
                f" {reparse.wall_s:.1f}s, process start included; CPU"
                f" {1000 * reparse.cpu_s / written:.2f} ms/article, peak RSS"
                f" {reparse.peak_rss_mb:.0f} MB); it said: {said[0]}"
            )
        else:
            _out(
                f"reparse: n/a (`newsbot reparse` exited {reparse.returncode}, wrote {written}"
                f" files; see {reparse.log}): {said[0]}"
            )

    # 4. The parse-only floor, on the same bytes (the fake is idle now).
    if requests.article_urls != {spec.url for spec in specs}:
        _out(
            f"WARNING: the crawl fetched {len(requests.article_urls)} article URLs,"
            f" the world has {len(specs)} articles"
        )
    fake = alive_fake(fake, plan, work, args.fake_timeout)
    checked = check_same_bytes(fake, specs, args.check_pages)
    baseline = parse_only(specs, args.baseline_pages)
    ratio = cpu_ms / baseline.ms_per_page
    sampled = "all" if baseline.pages == len(specs) else f"a random {baseline.pages}"
    _out()
    _out(
        f"parse-only floor: lxml.html.fromstring on {sampled} of the {len(specs)} pages"
        f" ({baseline.bytes / baseline.pages / 1024:.0f} KiB each on average):"
        f" {baseline.ms_per_page:.2f} CPU ms/article"
    )
    _out(f"  ({checked} pages fetched through the fake matched the rebuilt bytes)")
    _out(f"  crawl CPU / parse-only CPU = {ratio:.2f}")

    # 5. Optional: a profiled crawl (own output dir; its figures are not the ones above).
    if args.profile:
        _out()
        fake = alive_fake(fake, plan, work, args.fake_timeout)
        for line in profile_crawl(work, plan, fake, cpu_ms, args):
            _out(line)

    fake_rss = float("nan")
    with contextlib.suppress(OSError, ValueError):
        fake_rss = proc_peak_rss_mb(fake.process.pid)
    stop_child(fake.process)
    checks = [
        (ratio <= TARGET_CPU_RATIO, f"CPU per article <= 3x parse-only: {ratio:.2f}x"),
        (per_s >= TARGET_ARTICLES_PER_S, f">= 60 articles/s: {per_s:.1f}"),
        (
            req_per_article <= TARGET_REQUESTS_PER_ARTICLE,
            f"requests per new article{aside} <= 1.05: {req_per_article:.4f}",
        ),
        (again.articles == 0, f"a re-run makes no article request: {again.articles}"),
        (
            crawl.peak_rss_mb <= TARGET_PEAK_RSS_MB,
            f"peak RSS <= 300 MB (the target is at 100k): {crawl.peak_rss_mb:.0f} MB",
        ),
    ]
    if mode == "count":
        checks.append(
            (
                total_per_article <= TARGET_REQUESTS_PER_ARTICLE_COUNT,
                "with comments=count, listing + article + comment requests per collected"
                f" article <= 2.05: {total_per_article:.4f}",
            )
        )
    if with_comments:
        checks += [
            (
                requests.comments == expected.requests,
                f"comment requests as the world's boxes need: {requests.comments}"
                f" (expected {expected.requests})",
            ),
            (
                again.comments == again.comment_probes == articles,
                f"a re-run makes one pageSize=1 comment probe per article: {again.comments}"
                f" requests, {again.comment_probes} probes, {articles} articles",
            ),
        ]
    if mode == "all":
        checks.append(
            (
                records == expected.records,
                f"comment records written as the world holds: {records}"
                f" (expected {expected.records})",
            )
        )
    _out()
    _out(f"targets at N={n_articles}:")
    for ok, text in checks:
        _out(f"  {'PASS' if ok else 'FAIL'}  {text}")
    _out(f"(fake Naver peak RSS {fake_rss:.0f} MB; bench {time.perf_counter() - started:.0f}s)")
    result = {
        "articles": articles,
        "articles_per_s": round(per_s, 2),
        "cpu_ms_per_article": round(cpu_ms, 3),
        "parse_only_cpu_ms_per_article": round(baseline.ms_per_page, 3),
        "cpu_ratio": round(ratio, 3),
        "requests_per_article": round(req_per_article, 4),
        "rerun_article_requests": again.articles,
        "peak_rss_mb": round(crawl.peak_rss_mb, 1),
    }
    if with_comments:
        result.update(
            {
                "comments": mode,
                "comment_requests_per_article": round(comment_per_article, 4),
                "total_requests_per_article": round(total_per_article, 4),
                "comment_records": records,
                "comment_outcomes": {
                    k: v for k, v in sorted(counts.items()) if k not in _NOT_OUTCOMES
                },
                "rerun_comment_requests_per_article": round(again.comments / articles, 4),
            }
        )
    _out(json.dumps(result))
    return 0


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmark scrapy crawl naver against the fake Naver (see docs/benchmarks.md).",
    )
    parser.add_argument("--articles", type=int, default=1000, help="synthetic articles (N)")
    parser.add_argument("--day", default="2026-05-30", help="(first) day, YYYY-MM-DD")
    parser.add_argument(
        "--work", help="work directory (default: bench/out/nN; an earlier one is emptied first)"
    )
    parser.add_argument(
        "--baseline-pages",
        type=int,
        default=5000,
        help="pages the parse-only floor parses: a seeded random sample (0: all)",
    )
    parser.add_argument(
        "--check-pages", type=int, default=20, help="pages fetched to prove the bytes match"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per crawl, at most")
    parser.add_argument("--fake-timeout", type=float, default=600, help="seconds to start fake")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run a crawl under py-spy (if installed, else cProfile), print hot spots",
    )
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed")
    parser.add_argument(
        "--no-reparse", action="store_true", help="skip the archived crawl and reparse"
    )
    parser.add_argument(
        "--max-per-day",
        type=int,
        default=MAX_PER_DAY,
        help="articles per day at most; more are spread over the following days (tests the"
        " multi-day world at small N)",
    )
    parser.add_argument(
        "--comments",
        choices=COMMENT_MODES,
        default="off",
        help="crawl with -a comments=MODE (and NEWSBOT_COMMENTS_DELAY=0) against a world where"
        " every article has a comment box; off (default): no comments anywhere",
    )
    parser.add_argument("--serve-fake", metavar="PLAN", help=argparse.SUPPRESS)
    parser.add_argument("--fake-log", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.serve_fake:
        plan = [(str(day), int(n)) for day, n in json.loads(args.serve_fake)]
        return serve_fake(plan, args.fake_log, args.comments != "off")
    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    try:
        return benchmark(args)
    except KeyboardInterrupt:
        print("bench: interrupted; stopping the fake and the crawl", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError, OSError, ValueError) as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all_children()


if __name__ == "__main__":
    sys.exit(main())
