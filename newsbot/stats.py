"""``newsbot stats``: what an output directory holds, from its index and crawl reports (no
article file is opened). First what the last crawls concluded (their verdicts and counts)
and what is still missing (articles that failed or are unaccounted for and were not
collected since, listing walks that failed and were not walked since); then articles per
day × section and per publisher, missing-field rates, layouts, revisions, days with listing
failures; as text, JSON, or one self-contained HTML page with charts (inline SVG: no
script, no network)."""

from __future__ import annotations

import html
import json
import sqlite3
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsbot import __version__
from newsbot.dates import kst_date_of
from newsbot.safeio import read_regular
from newsbot.sections import OTHER_SECTIONS, SECTIONS
from newsbot.storage import (
    DESCRIBED_VERSION,
    INDEX_NAME,
    WRITTEN,
    Index,
    StorageError,
    UnusableIndex,
)

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


# -- the HTML page ------------------------------------------------------------------------

_PALETTE = ("#2f6fb3", "#d9822b", "#3a9e5c", "#c23b3b", "#7d5ba6", "#8c6d31", "#2a9d9d", "#666")


def _bars(items: list[tuple[str, int]], *, width: int = 760, bar: int = 22) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return "<p>(none)</p>"
    peak = max(n for _, n in items) or 1
    label_w, pad = 170, 6
    height = len(items) * (bar + pad) + pad
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" role="img" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, n) in enumerate(items):
        y = pad + i * (bar + pad)
        w = max(1, round((width - label_w - 80) * n / peak))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar * 0.72:.1f}" text-anchor="end">'
            f"{html.escape(name)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="{_PALETTE[0]}"/>'
            f'<text x="{label_w + w + 6}" y="{y + bar * 0.72:.1f}">{n:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _stacked(stats: CorpusStats, *, width: int = 760, height: int = 260) -> str:
    """Articles per day, stacked by section, as inline SVG columns."""
    days = list(stats.by_day_section)
    if not days:
        return "<p>(none)</p>"
    sections = list(stats.by_section)
    colour = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(sections)}
    peak = max(sum(c.values()) for c in stats.by_day_section.values()) or 1
    left, bottom, top = 50, 40, 10
    step = (width - left - 10) / len(days)
    column = max(1.0, step * 0.8)
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" role="img" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="4" y="{top + 10}">{peak:,}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
    ]
    scale = (height - bottom - top) / peak
    for i, day in enumerate(days):
        x = left + i * step
        y: float = height - bottom
        for section in sections:
            n = stats.by_day_section[day].get(section, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                f'fill="{colour[section]}"><title>{html.escape(day)} '
                f"{html.escape(section)}: {n:,}</title></rect>"
            )
        if len(days) <= 31 or i % max(1, len(days) // 15) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11">'
                f"{html.escape(day[5:])}</text>"
            )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="key"><span style="background:{colour[s]}"></span>{html.escape(s)}</span>'
        for s in sections
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _crawls_html(stats: CorpusStats) -> str:
    """The last crawls' verdict, their table and what is still missing: the page's lead."""
    last = stats.crawls[0] if stats.crawls else None
    status = last.status if last else "unknown"
    why = (
        f'<p class="why">{html.escape(last.reason)}</p>'
        if last and last.status != "ok" and last.reason
        else ""
    )
    rows = [
        (
            _when(c.finished_at),
            c.status,
            f"{c.collected:,}",
            f"{c.skipped:,}",
            f"{c.failed:,}",
            f"{c.unaccounted:,}",
            f"{c.failed_walks:,}",
            c.scope,
        )
        for c in stats.crawls
    ]
    table = (
        f"<h2>The last {len(rows)} crawl(s)</h2>"
        + _table(
            (
                "finished",
                "verdict",
                "collected",
                "skipped",
                "failed",
                "unaccounted",
                "walks failed",
                "scope",
            ),
            rows,
        )
        if rows
        else ""
    )
    missing = stats.still_missing
    named = ""
    if missing.articles:
        named += _table(("article", "why"), list(missing.articles.items()))
    if missing.walks:
        named += _table(("listing walk", "why"), list(missing.walks.items()))
    return (
        f'<p class="verdict {html.escape(status)}" id="verdict">'
        f"{html.escape(headline(stats))}</p>{why}{table}<h2>Still missing</h2>"
        f'<p class="missing" id="missing">{html.escape(missing_line(stats))}</p>{named}'
    )


def html_page(stats: CorpusStats) -> str:
    """One self-contained page: the last crawls' verdicts and what is still missing first,
    then the total, every day, section and publisher, charts."""
    sections = list(stats.by_section)
    day_rows = [
        (day, sum(counts.values()), *(counts.get(s, 0) for s in sections))
        for day, counts in stats.by_day_section.items()
    ]
    span = f"{stats.first_day} – {stats.last_day}" if stats.first_day else "no dated article"
    comments = (
        f"<p>{stats.comments:,} comments on {stats.with_comments:,} articles.</p>"
        if stats.with_comments
        else ""
    )
    failures = (
        "<h2>Days with listing walks that failed</h2>"
        + _table(("day", "failed walks"), list(stats.listing_failure_days.items()))
        if stats.listing_failure_days
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>newsbot corpus: {html.escape(stats.directory)}</title>
<style>
body {{ font-family: "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", sans-serif;
  margin: 2em auto; max-width: 820px; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; }}
.total {{ font-size: 2.4em; font-weight: bold; margin: 0.2em 0; }}
.verdict {{ font-size: 1.3em; font-weight: bold; padding: 0.4em 0.6em; border-left: 6px solid; }}
.verdict.ok {{ border-color: #3a9e5c; }}
.verdict.incomplete, .verdict.interrupted, .verdict.unknown {{ border-color: #d9822b; }}
.verdict.failed {{ border-color: #c23b3b; color: #c23b3b; }}
svg.chart text {{ font-size: 13px; fill: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.legend .key {{ margin-right: 1em; white-space: nowrap; }}
.legend .key span {{ display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; }}
</style>
</head>
<body>
<h1>newsbot corpus</h1>
<p>{html.escape(stats.directory)} · {html.escape(span)} · newsbot {__version__}</p>
{_crawls_html(stats)}
<h2>In the corpus</h2>
<p class="total" id="total">{stats.articles:,} articles</p>
{comments}
<h2>Articles per day</h2>
{_stacked(stats)}
<h2>Articles per section</h2>
{_bars(list(stats.by_section.items()))}
<h2>Articles per publisher</h2>
{_bars(list(stats.by_publisher.items())[:30])}
{_table(("publisher", "articles"), list(stats.by_publisher.items()))}
<h2>Every day</h2>
{_table(("day", "articles", *sections), day_rows)}
<h2>Missing fields (share of articles)</h2>
{_table(("field", "missing"), [(k, f"{v:.1%}") for k, v in stats.missing.items()])}
<h2>Layouts</h2>
{_table(("layout", "articles"), list(stats.layouts.items()))}
<p>Revisions: {stats.revisions:,} earlier version(s) of {stats.revised_articles:,} article(s).</p>
{failures}
</body>
</html>
"""
