"""``newsbot stats``: what an output directory holds, from its index and crawl reports (no
article file is opened). First what the last crawls concluded (their verdicts and counts)
and what is still missing (articles that failed or are unaccounted for and were not
collected since, listing walks that failed and were not walked since); then articles per
day × section and per publisher, missing-field rates, layouts, revisions, days with listing
failures; as text or JSON (the HTML page with charts: ``newsbot.corpus.stats_html``)."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsbot import __version__
from newsbot.dates import kst_date_of
from newsbot.output.index import DESCRIBED_VERSION, WRITTEN, Index, StorageError, UnusableIndex
from newsbot.output.paths import INDEX_NAME
from newsbot.output.safeio import read_regular
from newsbot.sections import OTHER_SECTIONS, SECTIONS

#: How many of the last crawls the statistics lead with.
RECENT_CRAWLS = 5
#: How many articles and listing walks still missing are named (the reports have them all).
NAMED_MISSING = 20

#: Index columns whose empty share is reported (``missing``).
CHECKED = ("title", "publisher", "sid", "section", "published_at", "modified_at", "layout")
#: The largest crawl report read (a real one is kilobytes; a failed million-article crawl's
#: list of failures, megabytes).
MAX_REPORT_BYTES = 64 * 2**20


class NoIndex(ValueError):
    """The directory holds no newsbot index."""


@dataclass
class CrawlSummary:
    """One crawl, from its report: the verdict, what was asked, what came of it."""

    report: str  # the report's file name
    finished_at: str | None
    status: str  # ok, incomplete, failed, interrupted ("unknown" when the report lacks it)
    reason: str
    scope: str  # what was asked: "2026-05-30, sections 100"
    collected: int  # new, updated, unchanged or restored
    skipped: int  # already collected, not fetched again
    failed: int
    deleted: int
    unaccounted: int
    failed_walks: int  # listing walks that failed without a fallback that succeeded


@dataclass
class StillMissing:
    """What the crawl reports name as not collected and the corpus still lacks: articles
    that failed or are unaccounted for and have no row in the index since, listing walks
    that failed and did not end in a later crawl."""

    failed: int = 0
    unaccounted: int = 0
    failed_walks: int = 0
    articles: dict[str, str] = field(default_factory=dict)  # the first NAMED_MISSING: id -> why
    walks: dict[str, str] = field(default_factory=dict)  # the first NAMED_MISSING: walk -> why

    @property
    def nothing(self) -> bool:
        return not (self.failed or self.unaccounted or self.failed_walks)


@dataclass
class CorpusStats:
    directory: str
    articles: int = 0
    first_day: str | None = None
    last_day: str | None = None
    by_day: dict[str, int] = field(default_factory=dict)
    by_section: dict[str, int] = field(default_factory=dict)
    by_day_section: dict[str, dict[str, int]] = field(default_factory=dict)
    by_publisher: dict[str, int] = field(default_factory=dict)
    layouts: dict[str, int] = field(default_factory=dict)
    missing: dict[str, float] = field(default_factory=dict)  # column -> share without it
    statuses: dict[str, int] = field(default_factory=dict)  # index statuses (deleted …)
    revisions: int = 0  # earlier versions of changed articles
    revised_articles: int = 0
    with_comments: int = 0  # articles with a comment_count
    comments: int = 0  # sum of their comment_count
    listing_failure_days: dict[str, int] = field(default_factory=dict)  # from the reports
    reports: int = 0
    problems: list[str] = field(default_factory=list)  # reports that could not be read
    last_status: str | None = None  # the verdict of the last crawl (None: no report)
    crawls: list[CrawlSummary] = field(default_factory=list)  # the last RECENT_CRAWLS, newest first
    still_missing: StillMissing = field(default_factory=StillMissing)

    def to_dict(self) -> dict[str, Any]:
        return {"newsbot_version": __version__, **asdict(self)}


def section_label(sid: str | None, name: str | None = None) -> str:
    if not sid:
        return name or "(none)"
    known = SECTIONS.get(sid) or OTHER_SECTIONS.get(sid) or name
    return f"{sid} {known}" if known else sid


def _upgrade(root: Path, index: Path) -> str | None:
    """An index written by an earlier newsbot is upgraded first (its title, publisher and
    section columns filled from the files, as a crawl would on opening it); what is wrong
    when it cannot be (a read-only directory), else None."""
    uri = f"file:{urllib.parse.quote(str(index.absolute()))}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=60)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None  # the read below names what is wrong
    if version >= DESCRIBED_VERSION:
        return None
    try:
        Index(root).close()
    except (StorageError, UnusableIndex, OSError) as exc:
        return (
            f"{index}: written by an earlier newsbot and not upgraded ({exc}): sections, "
            "publishers and titles of its articles are not known to these statistics"
        )
    return None


def collect(root: Path) -> CorpusStats:
    """The statistics of output directory ``root`` (its index read-only, once upgraded if an
    earlier newsbot wrote it)."""
    index = root / INDEX_NAME
    if not index.is_file():
        raise NoIndex(f"{root} holds no newsbot index ({INDEX_NAME}): not an output directory")
    stats = CorpusStats(str(root))
    upgrade_problem = _upgrade(root, index)
    if upgrade_problem:
        stats.problems.append(upgrade_problem)
    uri = f"file:{urllib.parse.quote(str(index.absolute()))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=60)
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
        present = [c for c in (*CHECKED, "comment_count") if c in columns]
        select = ", ".join(present)
        by_day: Counter[str] = Counter()
        by_section: Counter[str] = Counter()
        by_day_section: dict[str, Counter[str]] = defaultdict(Counter)
        by_publisher: Counter[str] = Counter()
        layouts: Counter[str] = Counter()
        missing: Counter[str] = Counter()
        for status, count in db.execute("SELECT status, COUNT(*) FROM articles GROUP BY status"):
            stats.statuses[status] = count
        rows = db.execute(f"SELECT {select} FROM articles WHERE status = ?", (WRITTEN,))
        for row in rows:
            values = dict(zip(present, row, strict=True))
            stats.articles += 1
            for name in CHECKED:
                if name in values and values[name] in (None, ""):
                    missing[name] += 1
            day = _day(values.get("published_at"))
            section = section_label(values.get("sid"), values.get("section"))
            by_day[day] += 1
            by_section[section] += 1
            by_day_section[day][section] += 1
            by_publisher[values.get("publisher") or "(unknown)"] += 1
            layouts[values.get("layout") or "(unknown)"] += 1
            if values.get("comment_count") is not None:
                stats.with_comments += 1
                stats.comments += int(values["comment_count"])
        stats.revisions, stats.revised_articles = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT id) FROM revisions"
        ).fetchone()
    finally:
        db.close()
    days = sorted(d for d in by_day if d != "(unknown)")
    stats.first_day, stats.last_day = (days[0], days[-1]) if days else (None, None)
    stats.by_day = dict(sorted(by_day.items()))
    stats.by_section = dict(sorted(by_section.items()))
    stats.by_day_section = {d: dict(sorted(c.items())) for d, c in sorted(by_day_section.items())}
    stats.by_publisher = dict(by_publisher.most_common())
    stats.layouts = dict(layouts.most_common())
    stats.missing = {  # (an index of an older newsbot lacks some columns: not reported)
        name: round(missing[name] / stats.articles, 4) if stats.articles else 0.0
        for name in CHECKED
        if name in present
    }
    _read_reports(root, stats)
    return stats


def _day(published: object) -> str:
    if not isinstance(published, str):
        return "(unknown)"
    try:
        return kst_date_of(published).isoformat()
    except (ValueError, OverflowError):
        return "(unknown)"


def _read_reports(root: Path, stats: CorpusStats) -> None:
    """From ``reports/crawl-*.json``: the last crawls, what is still missing, and the days
    with listing walks that failed."""
    # (finished_at, when written, file name, report): finished_at is to the second only
    reports: list[tuple[str, int, str, dict[str, Any]]] = []
    for path in sorted((root / "reports").glob("crawl-*.json")):
        try:
            report = json.loads(read_regular(path, MAX_REPORT_BYTES).decode("utf-8"))
        except OSError as exc:
            stats.problems.append(f"{path}: {exc.strerror or exc}")
            continue
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            why = "nested too deep" if isinstance(exc, RecursionError) else str(exc)[:200]
            stats.problems.append(f"{path}: not a crawl report ({why})")
            continue
        if not isinstance(report, dict):
            stats.problems.append(f"{path}: not a crawl report (not a JSON object)")
            continue
        finished = report.get("finished_at")
        try:
            written = path.stat().st_mtime_ns
        except OSError:
            written = 0
        finished = finished if isinstance(finished, str) else ""
        reports.append((finished, written, path.name, report))
    reports.sort(key=lambda r: r[:3])  # oldest first
    stats.reports = len(reports)
    failures: Counter[str] = Counter()
    articles: dict[str, str] = {}  # id -> why, from every report (the latest word wins)
    unaccounted: set[str] = set()
    walks: dict[str, str] = {}  # failed walk -> why, until a later crawl ends it
    for *_, report in reports:
        failed_here = {
            str(w.get("walk", "")): str(w.get("reason") or w.get("end") or "failed")
            for w in _dicts(report.get("failed_walks"))
        }
        for walk in _dicts(report.get("walks")):
            if str(walk.get("id", "")) not in failed_here:
                walks.pop(str(walk.get("id", "")), None)  # walked since
        walks.update(failed_here)
        for walk_id in failed_here:
            parts = walk_id.split("/")
            if len(parts) > 1 and parts[1]:
                failures[parts[1]] += 1
        failed = report.get("failures")
        if isinstance(failed, dict):
            for key, why in failed.items():
                articles[str(key)] = str(why)
                unaccounted.discard(str(key))
        for key in report.get("unaccounted") or []:
            if isinstance(key, str):
                articles[key] = "unaccounted: named by a listing, no outcome"
                unaccounted.add(key)
    stats.listing_failure_days = dict(sorted(failures.items()))
    stats.crawls = [_summary(name, report) for *_, name, report in reversed(reports)]
    del stats.crawls[RECENT_CRAWLS:]
    stats.last_status = stats.crawls[0].status if stats.crawls else None
    held = _in_index(root / INDEX_NAME, list(articles))
    missing = {key: why for key, why in sorted(articles.items()) if key not in held}
    stats.still_missing = StillMissing(
        failed=sum(1 for key in missing if key not in unaccounted),
        unaccounted=sum(1 for key in missing if key in unaccounted),
        failed_walks=len(walks),
        articles=dict(list(missing.items())[:NAMED_MISSING]),
        walks=dict(sorted(walks.items())[:NAMED_MISSING]),
    )


def _dicts(value: object) -> list[dict[str, Any]]:
    """The mappings of a report's list (a hand-edited report may hold anything)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _count(counts: object, *names: str) -> int:
    """The sum of ``counts[name]`` (numbers only) over ``names``."""
    if not isinstance(counts, dict):
        return 0
    return sum(v for v in (counts.get(name) for name in names) if isinstance(v, int) and v > 0)


def _summary(name: str, report: dict[str, Any]) -> CrawlSummary:
    counts = report.get("counts")
    unaccounted = report.get("unaccounted")
    finished = report.get("finished_at")
    return CrawlSummary(
        report=name,
        finished_at=finished if isinstance(finished, str) else None,
        status=str(report.get("status") or "unknown"),
        reason=str(report.get("reason") or ""),
        scope=_scope(report.get("arguments")),
        collected=_count(counts, "new", "updated", "unchanged", "restored"),
        skipped=_count(counts, "skipped"),
        failed=_count(counts, "failed"),
        deleted=_count(counts, "deleted"),
        unaccounted=len(unaccounted) if isinstance(unaccounted, list) else 0,
        failed_walks=len(_dicts(report.get("failed_walks"))),
    )


def _scope(arguments: object) -> str:
    """What a crawl was asked for, from its report's ``arguments``: ``2026-05-30, sections
    100`` (as the crawl's first line says it)."""
    if not isinstance(arguments, dict):
        return "?"

    def listed(name: str) -> str:
        value = arguments.get(name)
        return ",".join(str(v) for v in value) if isinstance(value, list) else ""

    if arguments.get("mode") == "urls":
        urls = arguments.get("urls")
        return f"{len(urls) if isinstance(urls, list) else '?'} article URL(s)"
    start, end = arguments.get("start"), arguments.get("end")
    span = f"{start}" if start == end else f"{start}..{end}"
    if arguments.get("query"):
        what = f"search {arguments['query']!r}"
    elif listed("press"):
        what = f"press {listed('press')}"
    else:
        what = f"sections {listed('sections') or 'all'}"
        if listed("subsections"):
            what += f" (sub-sections {listed('subsections')})"
    if arguments.get("refresh") is True:
        what += ", refresh"
    if arguments.get("comments") not in (None, "off"):
        what += f", comments={arguments['comments']}"
    return f"{span}, {what}"


def _in_index(index: Path, ids: list[str]) -> set[str]:
    """Which of ``ids`` the index has a row for (written, deleted, out of range …)."""
    held: set[str] = set()
    if not ids:
        return held
    uri = f"file:{urllib.parse.quote(str(index.absolute()))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=60)
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            held.update(
                row[0]
                for row in db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
    finally:
        db.close()
    return held


def _when(finished_at: str | None) -> str:
    return finished_at[:16].replace("T", " ") if finished_at else "?"


def headline(stats: CorpusStats) -> str:
    """The last crawl's verdict and counts: ``last crawl FAILED (finished 2026-05-30 12:00,
    2026-05-30, sections 100): 98 collected, 20 failed, 0 unaccounted``."""
    if not stats.crawls:
        return "no crawl report (reports/crawl-*.json): what the crawls missed is not known"
    last = stats.crawls[0]
    counts = (
        f"{last.collected:,} collected, {last.failed:,} failed, {last.unaccounted:,} unaccounted"
    )
    if last.failed_walks:
        counts += f", {last.failed_walks:,} listing walk(s) failed"
    return (
        f"last crawl {last.status.upper()} (finished {_when(last.finished_at)}, "
        f"{last.scope}): {counts}"
    )


def missing_line(stats: CorpusStats) -> str:
    """The totals of what is still missing, in words."""
    if not stats.crawls:
        return "still missing: not known without crawl reports"
    missing = stats.still_missing
    if missing.nothing:
        return (
            "still missing: nothing the crawl reports name (every article they name is "
            "accounted for, every listing walk ended)"
        )
    return (
        f"still missing: {missing.failed:,} article(s) that failed, {missing.unaccounted:,} "
        f"unaccounted, {missing.failed_walks:,} listing walk(s) that failed (named by the "
        "crawl reports, not collected or walked since)"
    )


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (Hangul takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def text(stats: CorpusStats, *, top: int = 15) -> str:
    """The statistics for a terminal."""
    lines = [f"{stats.directory}: {headline(stats)}"]
    if stats.crawls and stats.crawls[0].status != "ok" and stats.crawls[0].reason:
        lines.append(f"  {stats.crawls[0].reason}")
    lines.append(missing_line(stats))
    lines.append(
        f"holds: {stats.articles} article(s)"
        + (f", {stats.first_day} .. {stats.last_day}" if stats.first_day else "")
    )
    if stats.crawls:
        lines.append(f"last {len(stats.crawls)} crawl(s), newest first:")
        lines.append(
            f"  {pad('finished', 18)}{pad('verdict', 12)}{'collected':>9} {'skipped':>8} "
            f"{'failed':>7} {'unaccounted':>11} {'walks failed':>12}  scope"
        )
        lines += [
            f"  {pad(_when(c.finished_at), 18)}{pad(c.status, 12)}{c.collected:>9} "
            f"{c.skipped:>8} {c.failed:>7} {c.unaccounted:>11} {c.failed_walks:>12}  {c.scope}"
            for c in stats.crawls
        ]
    missing = stats.still_missing
    if missing.articles:
        shown = len(missing.articles)
        lines.append(f"still missing articles ({shown} of {missing.failed + missing.unaccounted}):")
        lines += [f"  {pad(key, 20)}{why}" for key, why in missing.articles.items()]
    if missing.walks:
        lines.append(
            f"still missing listing walks ({len(missing.walks)} of {missing.failed_walks}):"
        )
        lines += [f"  {pad(walk, 28)}{why}" for walk, why in missing.walks.items()]
    if stats.with_comments:
        lines.append(f"comments: {stats.comments} on {stats.with_comments} article(s)")
    lines.append("")
    lines.append("per section:")
    lines += [f"  {pad(name, 20)}{n:>8}" for name, n in stats.by_section.items()]
    lines.append("per day:")
    lines += [f"  {pad(day, 20)}{n:>8}" for day, n in stats.by_day.items()]
    lines.append(f"per publisher (top {top} of {len(stats.by_publisher)}):")
    lines += [f"  {pad(name, 20)}{n:>8}" for name, n in list(stats.by_publisher.items())[:top]]
    lines.append("missing (share of articles):")
    lines += [f"  {pad(name, 20)}{share:>8.1%}" for name, share in stats.missing.items()]
    lines.append("layouts:")
    lines += [f"  {pad(name, 20)}{n:>8}" for name, n in stats.layouts.items()]
    lines.append(
        f"revisions: {stats.revisions} earlier version(s) of {stats.revised_articles} article(s)"
    )
    other = {k: v for k, v in stats.statuses.items() if k != WRITTEN}
    if other:
        lines.append("also in the index: " + ", ".join(f"{n} {k}" for k, n in other.items()))
    if stats.listing_failure_days:
        lines.append(
            "days with listing walks that failed (reports): "
            + ", ".join(f"{d} ({n})" for d, n in stats.listing_failure_days.items())
        )
    return "\n".join(lines) + "\n"
