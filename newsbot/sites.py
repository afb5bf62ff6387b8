"""The three Naver sites an article can live on, declared once: hosts, sid, endpoints.

n.news articles are read from their HTML page; 스포츠 (107) and 연예 (106) articles leave
n.news for JavaScript apps (``m.sports.naver.com``, ``m.entertain.naver.com``) and are read
from their JSON gateways, sent with the app's address as Referer (docs/naver.md, "Sports
and entertainment"). Everything that differs between the three is in ``SITES``; code
compares ``Kind`` members, never bare host strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Which site an article lives on (a ``str``: ``Kind.NEWS == "news"``)."""

    NEWS = "news"
    SPORTS = "sports"
    ENTERTAIN = "entertain"


@dataclass(frozen=True)
class Site:
    """What newsbot needs to know of one site."""

    kind: Kind
    sid: str | None  # the sid1 its articles carry (None: any n.news section)
    app: str  # the page a person opens; the Referer of its JSON requests
    api_host: str | None  # the JSON gateway (None: articles are read from HTML)
    list_url: str | None  # the JSON list endpoint (``{section}`` filled in for sports)

    def article_api(self, oid: str, aid: str) -> str:
        if self.api_host is None:
            raise ValueError(f"{self.kind} articles have no JSON endpoint")
        return f"https://{self.api_host}/news/article/{oid}/{aid}"


SITES: dict[Kind, Site] = {
    Kind.NEWS: Site(Kind.NEWS, None, "https://n.news.naver.com/", None, None),
    Kind.SPORTS: Site(
        Kind.SPORTS,
        "107",
        "https://m.sports.naver.com/",
        "api-gw.sports.naver.com",
        "https://api-gw.sports.naver.com/news/articles/{section}",
    ),
    Kind.ENTERTAIN: Site(
        Kind.ENTERTAIN,
        "106",
        "https://m.entertain.naver.com/",
        "api-gw.entertain.naver.com",
        "https://api-gw.entertain.naver.com/news/articles",
    ),
}
