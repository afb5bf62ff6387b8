"""Sports and entertainment JSON endpoints: hand-made fixtures in the documented shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.article import finalize
from newsbot.errors import ArticleNotFound
from newsbot.pages.api import (
    ApiShapeError,
    EntertainApiArticle,
    SportsApiArticle,
    parse_entertain_list,
    parse_sports_list,
)
from newsbot.urls import ArticleId

API = Path(__file__).parent / "fixtures" / "api"
SPORTS_ID = ArticleId("001", "0016364477")


def _read(name: str) -> bytes:
    return (API / name).read_bytes()


@pytest.fixture(scope="module")
def sports() -> dict[str, object]:
    page = SportsApiArticle.from_json(SPORTS_ID, _read("sports_article_001_0016364477.json"))
    return finalize(page.to_article("2026-11-29T12:00:00+09:00")).to_dict()


SPORTS_EXPECTED = {
    "id": "001_0016364477",
    "url": "https://m.sports.naver.com/article/001/0016364477",
    "title": "LG, 한화 꺾고 3연승…선발 7이닝 무실점",
    "subtitle": "LG, 한화 꺾고 3연승\n선발 7이닝 무실점",
    "publisher": "연합뉴스",
    "category": "스포츠",
    "categories": ["스포츠", "국내야구", "KBO"],
    "sid": "107",
    "authors": [{"name": "김경윤", "email": "cycle@yna.co.kr"}],
    "author": "김경윤",
    "published_at": "2026-10-07T22:51:41+09:00",
    "modified_at": "2026-10-07T22:52:28+09:00",
    "original_url": "https://www.yna.co.kr/view/AKR20261007123400007",
    "images": [
        {
            "url": "https://imgnews.pstatic.net/image/001/2026/10/07/PYH2026100712340001300_P4.jpg?type=w647",
            "caption": "7일 서울 잠실야구장에서 열린 경기. [연합뉴스 자료사진]",
        }
    ],
    "layout": "sports-api",
    "content": (
        "(서울=연합뉴스) 김경윤 기자 = LG 트윈스가 한화 이글스를 꺾고 3연승을 달렸다.\n\n"
        "LG는 7일 서울 잠실야구장에서 열린 2026 신한 SOL뱅크 KBO리그 홈경기에서 한화를 5-0으로 이겼다.\n\n"
        '선발 투수는 7이닝 동안 삼진 9개를 잡으며 "완벽한" 투구를 했다.'
    ),
}


@pytest.mark.parametrize("field", sorted(SPORTS_EXPECTED))
def test_sports_article_field(sports: dict[str, object], field: str) -> None:
    assert sports[field] == SPORTS_EXPECTED[field]


def test_entertain_article() -> None:
    page = EntertainApiArticle.from_json(
        ArticleId("112", "0003800001"), _read("entertain_article_112_0003800001.json")
    )
    article = finalize(page.to_article(None))
    assert article.url == "https://m.entertain.naver.com/article/112/0003800001"
    assert article.layout == "entertain-api" and article.sid == "106"
    assert article.content == (
        "배우 A씨가 7일 열린 영화제에서 여우주연상을 받았다.\n\n"
        'A씨는 "함께한 모든 분께 감사하다"고 말했다.'
    )
    assert article.images == [
        {
            "url": "https://imgnews.pstatic.net/image/112/2026/10/07/x.jpg",
            "caption": "수상 소감을 밝히는 A씨",
        }
    ]
    assert article.authors == [{"name": "박민지", "email": None}]
    assert article.modified_at is None  # same as published
    assert article.categories == ["연예", "영화"]


@pytest.mark.parametrize(
    "name", ["deleted_success_false.json", "deleted_no_article.json", "deleted_empty_content.json"]
)
def test_missing_or_deleted(name: str) -> None:
    with pytest.raises(ArticleNotFound):
        SportsApiArticle.from_json(SPORTS_ID, _read(name))


@pytest.mark.parametrize("body", [b"", b"<html>maintenance</html>", b"[]", b'{"foo": 1}'])
def test_not_the_documented_shape(body: bytes) -> None:
    with pytest.raises(ApiShapeError):
        SportsApiArticle.from_json(SPORTS_ID, body)


def test_answer_for_another_article_is_refused() -> None:
    with pytest.raises(ApiShapeError):
        SportsApiArticle.from_json(
            ArticleId("001", "0000000001"), _read("sports_article_001_0016364477.json")
        )


def test_sports_list() -> None:
    articles, total, rejected = parse_sports_list(_read("sports_list_kbaseball_20261007_p1.json"))
    assert articles == [ArticleId("001", "0016364477"), ArticleId("477", "0000500001")]
    assert total == 123 and rejected == 1  # the item with ids "1"/"500001"


def test_entertain_list_ids_from_urls() -> None:
    articles, total, rejected = parse_entertain_list(_read("entertain_list_20261007_p1.json"))
    assert articles == [ArticleId("112", "0003800001"), ArticleId("609", "0000900001")]
    assert total is None and rejected == 1  # the javascript: url


def test_empty_and_broken_lists() -> None:
    assert parse_sports_list(b'{"result": {"newsList": []}}') == ([], None, 0)
    # Items of the wrong types name no article: counted, never a crash.
    wrong = b'{"result": {"newsList": [{"oid": 1, "aid": null}, "x", 7, {"url": 3}]}}'
    assert parse_sports_list(wrong) == ([], None, 4)
    with pytest.raises(ApiShapeError):
        parse_entertain_list(b'{"result": null}')
