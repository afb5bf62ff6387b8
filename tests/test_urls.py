"""URL canonicalisation: every known form maps to (oid, aid); everything else is rejected."""

from __future__ import annotations

import pytest

from newsbot.errors import InvalidArticleUrl
from newsbot.urls import (
    ArticleId,
    canonical_url,
    is_naver_host,
    parse_any_article_url,
    parse_article_url,
)

ACCEPTED = [
    ("https://n.news.naver.com/mnews/article/001/0015825533", "001", "0015825533"),
    ("https://n.news.naver.com/mnews/article/001/0015825533?sid=101", "001", "0015825533"),
    ("https://n.news.naver.com/mnews/article/018/0005316196?sid=100&type=1", "018", "0005316196"),
    ("https://n.news.naver.com/article/607/0000001728", "607", "0000001728"),
    ("https://n.news.naver.com/article/607/0000001728/", "607", "0000001728"),
    ("http://n.news.naver.com/mnews/article/082/0001252309#comment", "082", "0001252309"),
    ("https://m.news.naver.com/article/421/0008770777", "421", "0008770777"),
    (
        "https://n.news.naver.com/mnews/hotissue/article/003/0012577249?type=series",
        "003",
        "0012577249",
    ),
    (
        "https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369",
        "029",
        "0002625369",
    ),
    ("https://news.naver.com/main/read.naver?oid=001&aid=0015825533&sid1=100", "001", "0015825533"),
    ("HTTPS://N.NEWS.NAVER.COM/article/001/0015825533", "001", "0015825533"),
    ("  https://n.news.naver.com/article/001/0015825533  ", "001", "0015825533"),
]

REJECTED = [
    "",
    "not a url",
    "https://example.com/mnews/article/001/0015825533",
    "https://n.news.naver.com.evil.com/article/001/0015825533",
    "https://n.news.naver.com/mnews/article/comment/001/0015825533",
    "https://n.news.naver.com/mnews/article/1/0015825533",
    "https://n.news.naver.com/mnews/article/0001/0015825533",
    "https://n.news.naver.com/mnews/article/001/15825533",
    "https://n.news.naver.com/mnews/article/001/00158255330",
    "https://n.news.naver.com/mnews/article/abc/0015825533",
    "https://n.news.naver.com/mnews/article/001/../0015825533",
    "https://n.news.naver.com/mnews/article/001%2F0015825533",
    "https://n.news.naver.com/mnews/article/００１/0015825533",
    "javascript:alert(1)//n.news.naver.com/article/001/0015825533",
    "data:text/html,https://n.news.naver.com/article/001/0015825533",
    "ftp://n.news.naver.com/article/001/0015825533",
    "https://user@n.news.naver.com/article/001/0015825533",
    "https://n.news.naver.com:8443/article/001/0015825533",
    "https://news.naver.com/main/read.nhn?oid=029",
    "https://news.naver.com/main/read.nhn?oid=029&aid=0002625369&aid=0002625370",
    "https://news.naver.com/main/read.nhn?oid=29&aid=2625369",
    "https://news.naver.com/section/100",
]


@pytest.mark.parametrize(("url", "oid", "aid"), ACCEPTED)
def test_accepted(url: str, oid: str, aid: str) -> None:
    assert parse_article_url(url) == ArticleId(oid, aid)
    assert canonical_url(url) == f"https://n.news.naver.com/mnews/article/{oid}/{aid}"


@pytest.mark.parametrize("url", REJECTED)
def test_rejected(url: str) -> None:
    with pytest.raises(InvalidArticleUrl):
        parse_article_url(url)


def test_ids_stay_strings() -> None:
    article = ArticleId("001", "0012345670")
    assert article.key == "001_0012345670"
    assert ArticleId.from_key("001_0012345670") == article
    with pytest.raises(InvalidArticleUrl):
        ArticleId.from_key("001-0012345670")
    with pytest.raises(InvalidArticleUrl):
        ArticleId("1", "12345670")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.naver.com/section/100", True),
        ("https://api-gw.sports.naver.com/news/article/001/0016364477", True),
        ("https://www.naver.com/", False),
        ("https://example.com/", False),
        ("javascript:void(0)", False),
    ],
)
def test_is_naver_host(url: str, expected: bool) -> None:
    assert is_naver_host(url) is expected


OFFSITE = [
    ("https://m.sports.naver.com/kbaseball/article/001/0016364477", "001", "0016364477", "sports"),
    ("https://m.sports.naver.com/article/001/0016364477", "001", "0016364477", "sports"),
    (
        "https://sports.news.naver.com/wfootball/news/read.naver?oid=477&aid=0000073768",
        "477",
        "0000073768",
        "sports",
    ),
    (
        "https://sports.news.naver.com/news.nhn?oid=477&aid=0000073768",
        "477",
        "0000073768",
        "sports",
    ),
    ("https://m.entertain.naver.com/article/112/0003800001", "112", "0003800001", "entertain"),
    ("https://m.entertain.naver.com/now/article/112/0003800001", "112", "0003800001", "entertain"),
    ("https://entertain.naver.com/read?oid=112&aid=0003800001", "112", "0003800001", "entertain"),
    (
        "https://entertain.naver.com/now/read?oid=112&aid=0003800001",
        "112",
        "0003800001",
        "entertain",
    ),
    ("https://n.news.naver.com/mnews/article/117/0003900001", "117", "0003900001", "news"),
]


@pytest.mark.parametrize(("url", "oid", "aid", "kind"), OFFSITE)
def test_sports_and_entertainment_urls(url: str, oid: str, aid: str, kind: str) -> None:
    assert parse_any_article_url(url) == (ArticleId(oid, aid), kind)


@pytest.mark.parametrize(
    "url",
    [
        "https://m.sports.naver.com/kbaseball/article/1/0016364477",
        "https://m.sports.naver.com/kbaseball/news/001/0016364477",
        "https://m.entertain.naver.com/article/112/38",
        "https://entertain.naver.com/read?oid=112",
        "https://m.sports.naver.com:8080/article/001/0016364477",
        "https://evil.com/article/001/0016364477",
    ],
)
def test_offsite_rejected(url: str) -> None:
    with pytest.raises(InvalidArticleUrl):
        parse_any_article_url(url)
