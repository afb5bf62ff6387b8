"""The ``newsbot stats --html`` page: one self-contained HTML page of a ``CorpusStats``, the
last crawls' verdicts and what is still missing first, then charts (inline SVG: no script,
no network)."""

from __future__ import annotations

import html
from typing import Any

from newsbot import __version__
from newsbot.corpus.stats import CorpusStats, _when, headline, missing_line

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
