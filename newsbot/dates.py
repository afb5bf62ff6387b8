"""Dates and times: Naver shows Korea time without an offset; newsbot writes ISO 8601 +09:00."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

# "2024-01-22 23:01:01", "2026-10-07T22:51:41", "2026.06.01 23:29", "2026-01-02 00:00"
_NUMERIC_RE = re.compile(
    r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\.?[ T]+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
# "2020.09.19. 오후 8:28" (legacy pages and the visible date text)
_KOREAN_RE = re.compile(
    r"(?P<y>\d{4})[-.](?P<m>\d{1,2})[-.](?P<d>\d{1,2})\.?\s*(?P<ampm>오전|오후)\s*"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
)


def parse_naver_datetime(text: str | None) -> datetime | None:
    """Parse a Naver timestamp as Korea time (an explicit offset wins); ``None`` if none,
    or if it names no real time (month 13, an offset of +99:99, a year past 9999 in Korea):
    an article without a readable date then fails as missing ``published_at``."""
    if not text:
        return None
    text = text.strip()
    match = _KOREAN_RE.search(text)
    if match:
        hour = int(match["H"]) % 12 + (12 if match["ampm"] == "오후" else 0)
        return _build(match, hour, None)
    match = _NUMERIC_RE.search(text)
    if match:
        return _build(match, int(match["H"]), match["tz"])
    return None


def _build(match: re.Match[str], hour: int, tz: str | None) -> datetime | None:
    try:
        value = datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            hour,
            int(match["M"]),
            int(match["S"] or 0),
            tzinfo=KST,
        )
    except ValueError:
        return None
    if tz:
        try:  # "+9999" is no offset; 9999-12-31 23:59:59-05:00 is past the last datetime
            offset = datetime.strptime("+0000" if tz == "Z" else tz.replace(":", ""), "%z")
            value = value.replace(tzinfo=offset.tzinfo).astimezone(KST)
        except (ValueError, OverflowError):
            return None
    return value


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 in Korea time with seconds, e.g. ``2026-03-21T19:42:57+09:00``."""
    if value is None:
        return None
    return value.astimezone(KST).isoformat(timespec="seconds")


def iso_kst(text: str | None) -> str | None:
    """Parse a Naver timestamp and return it as ISO 8601 +09:00 (``None`` if unparseable)."""
    return to_iso(parse_naver_datetime(text))


def now_kst() -> datetime:
    """The current time in Korea, to the second."""
    return datetime.now(KST).replace(microsecond=0)


def today_kst() -> date:
    return now_kst().date()


def kst_date_of(iso: str) -> date:
    """The Korea-time calendar date of an ISO 8601 timestamp."""
    return datetime.fromisoformat(iso).astimezone(KST).date()
