"""The doctor's verdict: the exit status of the worst check, the table and the summary line,
the JSON report and its writing."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbot import __version__
from newsbot.dates import now_kst, to_iso
from newsbot.doctor.checks import DRIFT, FAILED, OK, QUIET, SKIPPED, Check

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from newsbot.doctor.spider import DoctorSpider

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_DRIFT = 0, 1, 2, 5
_RANK = {OK: 0, SKIPPED: 0, QUIET: 0, DRIFT: 1, FAILED: 2}


def worst(checks: list[Check]) -> tuple[int, str]:
    """(exit status, ok/drift/failed) of a run."""
    rank = max((_RANK[c.status] for c in checks), default=0)
    if rank == 2:
        return EXIT_FAILED, FAILED
    if rank == 1:
        return EXIT_DRIFT, DRIFT
    return EXIT_OK, OK


def report(
    spider: DoctorSpider, settings: BaseSettings, day: date, code: int, status: str
) -> dict[str, Any]:
    proxy = any(
        os.environ.get(n) for n in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")
    )
    return {
        "newsbot_version": __version__,
        "checked_at": to_iso(now_kst()),
        "date": day.isoformat(),
        "status": status,
        "exit_code": code,
        "requests": {"announced": spider.budget, "made": spider.sent},
        "unreachable": spider.unreachable if spider.sent == 0 else None,
        "settings": {
            "user_agent": settings.get("USER_AGENT"),
            "robotstxt_obey": settings.getbool("NEWSBOT_DOCTOR_OBEY"),
            "download_delay": settings.getfloat("DOWNLOAD_DELAY"),
            "autothrottle": settings.getbool("AUTOTHROTTLE_ENABLED"),
            "concurrent_requests_per_domain": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "proxy": proxy,
            "search_key": spider.search_key,
        },
        "checks": [
            {"step": c.step, "status": c.status, "detail": c.detail, "shapes": c.shapes}
            for c in sorted(spider.checks, key=lambda c: c.order)
        ],
    }


def summary(checks: list[Check], code: int, status: str, unreached: str | None = None) -> str:
    """The verdict line: the status, and the steps that decided it (``unreached``: why no
    request got through, when none did)."""
    if unreached and code != EXIT_OK:
        return (
            f"FAILED (exit 1): {unreached}; nothing of Naver could be checked (a network or "
            "proxy problem, not drift: no issue to open)"
        )
    if code == EXIT_OK:
        return "OK (exit 0): every step matched what newsbot expects"
    named = [c for c in sorted(checks, key=lambda c: c.order) if c.status == status]
    blocked = next((c for c in named if c.step == "blocking"), None)
    if blocked is not None:
        return (
            f"FAILED (exit 1): {blocked.detail}: a crawl now would collect nothing; wait, "
            "crawl slower (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN) or check the proxy"
        )
    steps = named
    listed = "; ".join(f"{c.step}: {c.detail}" for c in steps[:3])
    more = f" and {len(steps) - 3} more" if len(steps) > 3 else ""
    what = (
        "a crawl would lose data"
        if code == EXIT_FAILED
        else "newsbot saw something new, but a crawl would still work"
    )
    return (
        f"{status.upper()} (exit {code}): {what} ({listed}{more}); please open an issue with "
        "the JSON report (-o FILE)"
    )


def table(checks: list[Check]) -> str:
    width = max((len(c.step) for c in checks), default=4)
    lines = [f"{'step':{width}}  {'result':7}  detail"]
    for c in sorted(checks, key=lambda c: c.order):
        lines.append(f"{c.step:{width}}  {c.status:7}  {c.detail}")
    return "\n".join(lines)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a temporary file beside it, then renamed (``newsbot.safeio``: a link is
    written through, a FIFO or device refused, ``-`` is standard output)."""
    from newsbot.output.safeio import output_stream

    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    with output_stream(path) as out:
        out.write(text.encode("utf-8"))
