"""``newsbot stats``: what an output directory holds, from its index and crawl reports (no
article file is opened): articles per day × section and per publisher, missing-field rates,
layouts, revisions, days with listing failures; as text, JSON, or one self-contained HTML
page with charts (inline SVG: no script, no network)."""

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
from newsbot.sections import SECTIONS
from newsbot.storage import (
    DESCRIBED_VERSION,
    INDEX_NAME,
    WRITTEN,
    Index,
    StorageError,
    UnusableIndex,
)

#: Index columns whose empty share is reported (``missing``).
CHECKED = ("title", "publisher", "sid", "section", "published_at", "modified_at", "layout")
#: The largest crawl report read (a real one is kilobytes; a failed million-article crawl's
#: list of failures, megabytes).
MAX_REPORT_BYTES = 64 * 2**20
_EXTRA_SECTIONS = {"106": "연예", "107": "스포츠", "110": "오피니언"}


class NoIndex(ValueError):
    """The directory holds no newsbot index."""


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

    def to_dict(self) -> dict[str, Any]:
        return {"newsbot_version": __version__, **asdict(self)}


def section_label(sid: str | None, name: str | None = None) -> str:
    if not sid:
        return name or "(none)"
    known = SECTIONS.get(sid) or _EXTRA_SECTIONS.get(sid) or name
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
    """Days with listing walks that failed, from ``reports/crawl-*.json``."""
    failures: Counter[str] = Counter()
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
        stats.reports += 1
        for walk in report.get("failed_walks") or []:
            if not isinstance(walk, dict):
                continue
            parts = str(walk.get("walk", "")).split("/")
            if len(parts) > 1 and parts[1]:
                failures[parts[1]] += 1
    stats.listing_failure_days = dict(sorted(failures.items()))


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (Hangul takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def text(stats: CorpusStats, *, top: int = 15) -> str:
    """The statistics for a terminal."""
    lines = [
        f"{stats.directory}: {stats.articles} article(s)"
        + (f", {stats.first_day} .. {stats.last_day}" if stats.first_day else ""),
    ]
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


def html_page(stats: CorpusStats) -> str:
    """One self-contained page: the total, every day, section and publisher, charts."""
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
