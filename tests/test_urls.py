"""URL canonicalisation: every known form maps to (oid, aid); everything else is rejected."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from parsel import Selector

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
    # Ranking rails (copied from the saved pages named; m./news. hosts are hand-made variants).
    (  # listings/section_100_2026-05-30.html
        "https://n.news.naver.com/mnews/ranking/article/469/0000933527?ntype=RANKING",
        "469",
        "0000933527",
    ),
    (  # listings/list_LPOD_001_20230314.euc-kr.html (also LSD 2026, LS2D 2024, main 2022)
        "https://n.news.naver.com/mnews/ranking/article/052/0001860558?ntype=RANKING&sid=001",
        "052",
        "0001860558",
    ),
    (  # articles/003_0012577249.html links it relative: /mnews/ranking/article/…
        "https://n.news.naver.com/mnews/ranking/article/003/0012576725?ntype=RANKING",
        "003",
        "0012576725",
    ),
    (
        "https://m.news.naver.com/mnews/ranking/article/421/0008770251?ntype=RANKING",
        "421",
        "0008770251",
    ),
    (
        "https://news.naver.com/mnews/ranking/article/018/0005316378?ntype=RANKING",
        "018",
        "0005316378",
    ),
    ("https://n.news.naver.com/mnews/ranking/article/018/0005316378/", "018", "0005316378"),
    (  # articles/640_0000077240.html, articles/607_0000001728.html: /article/…?ntype=RANKING
        "https://n.news.naver.com/article/640/0000077240?ntype=RANKING",
        "640",
        "0000077240",
    ),
    (  # listings/list_LPOD_001_20230314.euc-kr.html
        "https://n.news.naver.com/mnews/article/001/0013813253?rc=N&ntype=RANKING",
        "001",
        "0013813253",
    ),
    (  # articles/legacy_081_0003219994.euc-kr.html
        "https://news.naver.com/main/ranking/read.naver?mode=LSD&mid=shm&sid1=001&oid=081"
        "&aid=0003219965&rankingType=RANKING",
        "081",
        "0003219965",
    ),
    (  # articles/legacy_001_0009205077.html, with sid1=100 instead of 001
        "https://news.naver.com/main/ranking/read.naver?mode=LSD&mid=shm&sid1=100&oid=001"
        "&aid=0012998281&rankingType=RANKING",
        "001",
        "0012998281",
    ),
    (  # articles/legacy_029_0002625369.html, listings/legacy_main_LS2D_100_265_2020-09.html
        "https://news.naver.com/main/ranking/read.nhn?mid=etc&sid1=111&rankingType=popular_day"
        "&oid=081&aid=0003125387&date=20200919&type=1&rankingSeq=1&rankingSectionId=100",
        "081",
        "0003125387",
    ),
    (  # old mobile ranking (2016-2018, seen in public crawler code, no saved page)
        "http://m.news.naver.com/rankingRead.nhn?oid=001&aid=0009126446&sid1=100&date=20170322"
        "&ntype=RANKING",
        "001",
        "0009126446",
    ),
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
    # Ranking forms keep the same strictness.
    "https://n.news.naver.com/mnews/ranking/article/21/0008770251?ntype=RANKING",
    "https://n.news.naver.com/mnews/ranking/article/0421/0008770251",
    "https://n.news.naver.com/mnews/ranking/article/421/008770251",
    "https://n.news.naver.com/mnews/ranking/article/421/00087702510",
    "https://n.news.naver.com/mnews/ranking/article/42a/0008770251",
    "https://n.news.naver.com/mnews/ranking/article/421/../0008770251",
    "https://n.news.naver.com/mnews/ranking/../article/421/0008770251",
    "https://n.news.naver.com/mnews/ranking/article/421%2F0008770251",
    "https://n.news.naver.com/mnews/ranking%2Farticle/421/0008770251",
    "https://n.news.naver.com/mnews/ranking/article/comment/421/0008770251",
    "https://n.news.naver.com/mnews/hotissue/ranking/article/421/0008770251",
    "https://n.news.naver.com/ranking/article/421/0008770251",
    "https://example.com/mnews/ranking/article/421/0008770251?ntype=RANKING",
    "https://n.news.naver.com.evil.com/mnews/ranking/article/421/0008770251",
    "https://media.naver.com/mnews/ranking/article/421/0008770251",
    "ftp://n.news.naver.com/mnews/ranking/article/421/0008770251",
    "javascript:alert(1)//n.news.naver.com/mnews/ranking/article/421/0008770251",
    "https://user@n.news.naver.com/mnews/ranking/article/421/0008770251",
    "https://n.news.naver.com:8443/mnews/ranking/article/421/0008770251",
    "https://news.naver.com/main/ranking/read.naver?mode=LSD&mid=shm&sid1=001&oid=081",
    "https://news.naver.com/main/ranking/read.naver?oid=081&aid=0003219965&aid=0003219966",
    "https://news.naver.com/main/ranking/read.naver?oid=81&aid=3219965",
    "https://news.naver.com/main/ranking/read.nhn?oid=081&aid=0003219965%26x",
    "https://news.naver.com/main/ranking/../read.naver?oid=081&aid=0003219965",
    "https://news.naver.com/main/ranking%2Fread.naver?oid=081&aid=0003219965",
    "https://example.com/main/ranking/read.naver?oid=081&aid=0003219965",
    "https://news.naver.com/main/ranking/popularDay.naver?mid=etc&sid1=111",
    "https://news.naver.com/main/ranking/office.naver?officeId=001",
    "https://media.naver.com/press/003/ranking",
    "https://m.news.naver.com/rankingList",
    "https://m.news.naver.com/rankingRead.nhn?oid=001",
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
    (
        "https://n.news.naver.com/mnews/ranking/article/117/0003900001?ntype=RANKING",
        "117",
        "0003900001",
        "news",
    ),
    (
        "https://news.naver.com/main/ranking/read.nhn?oid=117&aid=0003900001&rankingType=RANKING",
        "117",
        "0003900001",
        "news",
    ),
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


def test_relative_ranking_link_resolves_to_the_same_article() -> None:
    # articles/082_0001252309.html links its ranking rail relative to the article page.
    page = "https://n.news.naver.com/mnews/article/082/0001252309?sid=101"
    href = "/mnews/ranking/article/082/0001252535?ntype=RANKING"
    assert parse_article_url(urljoin(page, href)) == ArticleId("082", "0001252535")
    # legacy pages: /main/ranking/read.nhn?… relative to news.naver.com
    legacy = "https://news.naver.com/main/read.nhn?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369"
    href = "/main/ranking/read.nhn?mid=etc&sid1=111&rankingType=popular_day&oid=025&aid=0003036590"
    assert parse_article_url(urljoin(legacy, href)) == ArticleId("025", "0003036590")


def test_ranking_and_canonical_urls_are_one_article() -> None:
    forms = [
        "https://n.news.naver.com/mnews/article/081/0003219965",
        "https://n.news.naver.com/mnews/ranking/article/081/0003219965?ntype=RANKING",
        "https://m.news.naver.com/mnews/ranking/article/081/0003219965?ntype=RANKING",
        "https://news.naver.com/main/ranking/read.naver?mode=LSD&mid=shm&sid1=100&oid=081"
        "&aid=0003219965&rankingType=RANKING",
        "https://news.naver.com/main/ranking/read.nhn?mode=LSD&mid=shm&sid1=100&oid=081"
        "&aid=0003219965&rankingType=RANKING",
    ]
    assert {parse_article_url(url) for url in forms} == {ArticleId("081", "0003219965")}
    assert {canonical_url(url) for url in forms} == {
        "https://n.news.naver.com/mnews/article/081/0003219965"
    }


FIXTURES = Path(__file__).parent / "fixtures"
# The test's own reading of a ranking link's ids, straight from the URL text.
_PATH_IDS = re.compile(r"/article/([0-9]{3})/([0-9]{10})(?:[/?#]|$)")
_OID = re.compile(r"[?&]oid=([0-9]{3})(?:&|$)")
_AID = re.compile(r"[?&]aid=([0-9]{10})(?:&|$)")


def _saved_ranking_links() -> list[tuple[str, str]]:
    """(page, absolute link) for every ranking-rail link in the saved pages under fixtures/."""
    pages: list[tuple[Path, str]] = [
        (d / "body.html", json.loads((d / "meta.json").read_text(encoding="utf-8"))["url"])
        for d in sorted((FIXTURES / "articles").iterdir())
        if (d / "body.html").exists() and (d / "meta.json").exists()
    ]
    pages += [
        (f, "https://news.naver.com/main/list.naver")
        for f in sorted((FIXTURES / "listings").glob("*.html"))
    ]
    links = []
    for path, base in pages:
        # URLs are ASCII: latin-1 reads EUC-KR and UTF-8 pages alike without failing.
        selector = Selector(text=path.read_bytes().decode("latin-1"))
        for href in selector.xpath("//@href | //@data-imp-url").getall():
            if "ntype=RANKING" in href or "/ranking/read." in href or "/ranking/article/" in href:
                links.append((path.parent.name + "/" + path.name, urljoin(base, href.strip())))
    return links


def test_every_saved_ranking_link_parses() -> None:
    links = _saved_ranking_links()
    # 1126 when written (href and data-imp-url): 919 /mnews/ranking/article/, 180 legacy
    # /main/ranking/read.nhn, 15 /article/…?ntype=RANKING, 12 /mnews/article/…?rc=N&ntype=RANKING.
    assert len(links) >= 1000
    shapes = set()
    for page, url in links:
        path_ids = _PATH_IDS.search(url)
        if path_ids:
            expected = ArticleId(path_ids[1], path_ids[2])
        else:
            oid, aid = _OID.search(url), _AID.search(url)
            assert oid and aid, (page, url)
            expected = ArticleId(oid[1], aid[1])
        assert parse_article_url(url) == expected, (page, url)
        assert parse_any_article_url(url) == (expected, "news"), (page, url)
        shapes.add(re.sub(r"[?].*", "", re.sub(r"[0-9]{3}/[0-9]{10}", "OID/AID", url)))
    assert shapes >= {
        "https://n.news.naver.com/mnews/ranking/article/OID/AID",
        "https://n.news.naver.com/article/OID/AID",
        "https://n.news.naver.com/mnews/article/OID/AID",
        "https://news.naver.com/main/ranking/read.nhn",
    }
