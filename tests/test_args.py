"""Spider argument validation: one clear error per bad value, before any request."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from newsbot.args import parse_args
from newsbot.errors import ConfigError
from newsbot.urls import ArticleId
from tests.conftest import ROOT

TODAY = date(2026, 11, 29)


def test_defaults_today_all_six_sections() -> None:
    args = parse_args({}, today=TODAY)
    assert args.dates == (TODAY,)
    assert args.sections == ("100", "101", "102", "103", "104", "105")
    assert args.mode == "sections" and not args.refresh
    assert "59b" in args.sub_sections_of("102")


def test_range_and_filters() -> None:
    args = parse_args(
        {"start": "2026-05-29", "end": "2026-05-30", "sections": "101", "subsections": "259,258"},
        today=TODAY,
    )
    assert args.dates == (date(2026, 5, 29), date(2026, 5, 30))
    assert args.sub_sections_of("101") == ("259", "258")
    assert args.covers(date(2026, 5, 30)) and not args.covers(date(2026, 5, 31))


def test_press_and_urls_and_refresh() -> None:
    assert parse_args({"press": "001, 437,001", "date": "2026-05-30"}, today=TODAY).press == (
        "001",
        "437",
    )
    args = parse_args(
        {
            "urls": "https://n.news.naver.com/article/001/0015825533,"
            "https://news.naver.com/main/read.nhn?oid=001&aid=0015825533,"
            "https://n.news.naver.com/mnews/article/082/0001252309?sid=101",
            "refresh": "1",
        },
        today=TODAY,
    )
    assert args.urls == (
        (ArticleId("001", "0015825533"), "news"),
        (ArticleId("082", "0001252309"), "news"),
    )
    assert args.mode == "urls" and args.refresh


BAD = [
    ({"date": "2026-5-30"}, "YYYY-MM-DD"),
    ({"date": "2026-02-30"}, "not a calendar date"),
    ({"date": "2026-12-01"}, "in the future"),
    ({"start": "2026-05-30"}, "go together"),
    ({"start": "2026-05-30", "end": "2026-05-29"}, "before"),
    ({"date": "2026-05-30", "start": "2026-05-29", "end": "2026-05-30"}, "not both"),
    ({"start": "2000-01-01", "end": "2026-01-01"}, "longer than"),
    ({"sections": "100,999"}, "unknown section '999'"),
    ({"sections": ","}, "empty"),
    ({"sections": "100", "subsections": "259"}, "'259' is not a sub-section"),
    ({"press": "1"}, "3-digit"),
    ({"press": "001", "sections": "100"}, "cannot be combined"),
    ({"urls": "https://example.com/x"}, "not a Naver article URL"),
    (
        {"urls": "https://n.news.naver.com/article/001/0015825533", "date": "2026-05-30"},
        "cannot be combined",
    ),
    ({"refresh": "maybe"}, "refresh"),
    ({"sectoins": "100"}, "unknown argument -a sectoins"),
]


@pytest.mark.parametrize(("raw", "message"), BAD)
def test_bad_values(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse_args(raw, today=TODAY)


def test_scrapy_crawl_refuses_bad_arguments_before_any_request(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "naver", "-a", "sections=100,abc"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "newsbot: error" in line]
    assert errors == [
        "newsbot: error: -a sections: unknown section 'abc'; known: 100 정치, 101 경제, 102 사회, 103 생활/문화, 104 세계, 105 IT/과학, entertain (106), sports (107) (see: newsbot sections)"
    ]
    assert "Traceback" not in result.stderr
    assert "Spider opened" not in result.stderr


def test_sports_and_entertainment_sections() -> None:
    args = parse_args({"sections": "100,sports,106", "subsections": "kbaseball"}, today=TODAY)
    assert args.sections == ("100", "sports", "entertain")
    assert args.sub_sections_of("sports") == ("kbaseball",)
    assert parse_args({"sections": "107,Entertain"}, today=TODAY).sections == (
        "sports",
        "entertain",
    )
    urls = parse_args(
        {"urls": "https://m.sports.naver.com/kbaseball/article/001/0016364477"}, today=TODAY
    )
    assert urls.urls == ((ArticleId("001", "0016364477"), "sports"),)


@pytest.mark.parametrize(
    ("setting", "message", "code"),
    [
        (
            "NEWSBOT_OUTPUT_DIR=/proc/newsbot-cannot-be-here",
            "cannot write to the output directory: /proc/newsbot-cannot-be-here:",
            1,
        ),
        (
            "NEWSBOT_REDIS_URL=redis://127.0.0.1:1/0",
            "NEWSBOT_REDIS_URL=redis://127.0.0.1:1/0:",
            2,
        ),
    ],
)
def test_unusable_output_or_redis_is_one_line_before_any_request(
    setting: str, message: str, code: int
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "naver", "-a", "date=2026-05-30", "-s", setting],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == code
    errors = [line for line in result.stderr.splitlines() if "newsbot: error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr[-1000:]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "mode"),
    [("all", "all"), ("ALL", "all"), ("count", "count"), ("off", "off"), ("0", "off"), ("", "off")],
)
def test_comments_argument(value: str, mode: str) -> None:
    args = parse_args({"date": "2026-05-30", "comments": value}, today=date(2026, 6, 1))
    assert args.comments == mode
    assert ("comments=" in args.describe()) == (mode != "off")


def test_comments_argument_is_checked() -> None:
    with pytest.raises(ConfigError, match=r"-a comments='some': expected off, count .* or all"):
        parse_args({"comments": "some"}, today=date(2026, 6, 1))
    assert parse_args({}, today=date(2026, 6, 1)).comments == "off"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("today", date(2026, 6, 1)),
        ("yesterday", date(2026, 5, 31)),
        ("Yesterday", date(2026, 5, 31)),
        ("-1d", date(2026, 5, 31)),
        ("-30d", date(2026, 5, 2)),
        (" 2026-05-30 ", date(2026, 5, 30)),
    ],
)
def test_relative_days(value: str, expected: date) -> None:
    args = parse_args({"date": value}, today=date(2026, 6, 1))
    assert args.dates == (expected,)


@pytest.mark.parametrize("value", ["tomorrow", "+1d", "-d", "1d", "2026-5-30", "-999999d"])
def test_bad_days(value: str) -> None:
    with pytest.raises(ConfigError, match="-a date="):
        parse_args({"date": value}, today=date(2026, 6, 1))


def test_range_with_relative_days() -> None:
    args = parse_args({"start": "-7d", "end": "yesterday"}, today=date(2026, 6, 1))
    assert args.dates[0] == date(2026, 5, 25) and args.dates[-1] == date(2026, 5, 31)
    assert len(args.dates) == 7


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ("정치", ("100",)),
        ("politics,ECONOMY", ("100", "101")),
        ("사회,society,102", ("102",)),
        ("생활/문화,life,culture", ("103",)),
        ("IT/과학,it,science", ("105",)),
        ("스포츠", ("sports",)),
        ("연예,entertainment", ("entertain",)),
    ],
)
def test_sections_by_name(names: str, expected: tuple[str, ...]) -> None:
    args = parse_args({"sections": names}, today=date(2026, 6, 1))
    assert args.sections == expected


def test_unknown_section_name_lists_the_known() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown section '정체'; known: 100 정치, .*newsbot sections"
    ):
        parse_args({"sections": "정체"}, today=date(2026, 6, 1))
