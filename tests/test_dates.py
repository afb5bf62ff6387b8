"""Date conversion: Naver's Korea-time strings to ISO 8601 with +09:00."""

from __future__ import annotations

import pytest

from newsbot.dates import iso_kst, kst_date_of

CASES = [
    ("2024-01-22 23:01:01", "2024-01-22T23:01:01+09:00"),
    ("2026-10-07T22:51:41", "2026-10-07T22:51:41+09:00"),
    ("2026.06.01 23:29", "2026-06-01T23:29:00+09:00"),
    ("2026-01-02 00:00", "2026-01-02T00:00:00+09:00"),
    ("2020.09.19. 오후 8:28", "2020-09-19T20:28:00+09:00"),
    ("2020.09.19. 오전 12:05", "2020-09-19T00:05:00+09:00"),
    ("2020.09.19. 오후 12:05", "2020-09-19T12:05:00+09:00"),
    ("기사입력 2024.01.22. 오후 11:01", "2024-01-22T23:01:00+09:00"),
    ("2026-03-21T10:42:57Z", "2026-03-21T19:42:57+09:00"),
    ("2026-03-21T19:42:57+09:00", "2026-03-21T19:42:57+09:00"),
    ("2026-02-30 10:00:00", None),
    ("3분전", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_iso_kst(raw: str | None, expected: str | None) -> None:
    assert iso_kst(raw) == expected


def test_kst_date_of_uses_korea_time() -> None:
    assert str(kst_date_of("2026-05-29T16:00:30+00:00")) == "2026-05-30"
