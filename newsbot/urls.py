"""Naver article URLs: parse every known form into an ArticleId and build the canonical URL.

This module is the one definition of an article's identity (``ArticleId``): anything that
is not a well-formed Naver article URL is rejected here, before it can be scheduled or
used in a file path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from newsbot.errors import InvalidArticleUrl
from newsbot.sites import SITES, Kind

OID_RE = re.compile(r"[0-9]{3}")
AID_RE = re.compile(r"[0-9]{10}")

#: Hosts that serve n.news articles (desktop, mobile, and the legacy news host).
NEWS_HOSTS = frozenset({"n.news.naver.com", "news.naver.com", "m.news.naver.com"})
#: Hosts whose pages newsbot follows at all (listings, articles, JSON gateways).
NAVER_HOSTS = NEWS_HOSTS | frozenset(
    {
        "m.sports.naver.com",
        "sports.news.naver.com",
        "sports.naver.com",
        "api-gw.sports.naver.com",
        "m.entertain.naver.com",
        "entertain.naver.com",
        "api-gw.entertain.naver.com",
    }
)

# /mnews/article/001/0015825533, /article/001/0015825533, and the same article under
# /mnews/hotissue/article/… (series) or /mnews/ranking/article/…?ntype=RANKING (ranking rails).
_PATH_RE = re.compile(
    r"/(?:mnews/(?:hotissue/|ranking/)?)?article/(?P<oid>[0-9]{3})/(?P<aid>[0-9]{10})/?"
)
# Legacy, ids in the query: /main/read.naver?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369
# (also read.nhn); ranking rails of old pages: /main/ranking/read.naver?…&oid=&aid=&rankingType=
# (also read.nhn); old mobile rankings: m.news.naver.com/rankingRead.nhn?oid=&aid=&ntype=RANKING.
_LEGACY_PATHS = frozenset(
    {
        "/main/read.naver",
        "/main/read.nhn",
        "/read.naver",
        "/read.nhn",
        "/main/ranking/read.naver",
        "/main/ranking/read.nhn",
        "/rankingRead.nhn",
    }
)


@dataclass(frozen=True, slots=True, order=True)
class ArticleId:
    """One Naver article: press id ``oid`` (3 digits) and article id ``aid`` (10 digits)."""

    oid: str
    aid: str

    def __post_init__(self) -> None:
        if not (OID_RE.fullmatch(self.oid) and AID_RE.fullmatch(self.aid)):
            raise InvalidArticleUrl(f"not a Naver article id: oid={self.oid!r} aid={self.aid!r}")

    @property
    def key(self) -> str:
        """``"{oid}_{aid}"``: the item id and the output file stem."""
        return f"{self.oid}_{self.aid}"

    @property
    def url(self) -> str:
        """The canonical article URL."""
        return f"https://n.news.naver.com/mnews/article/{self.oid}/{self.aid}"

    @classmethod
    def from_key(cls, key: str) -> ArticleId:
        oid, sep, aid = key.partition("_")
        if not sep:
            raise InvalidArticleUrl(f"not an article key: {key!r}")
        return cls(oid, aid)


def parse_article_url(url: str) -> ArticleId:
    """Return the article a Naver news URL points to, or raise ``InvalidArticleUrl``.

    Accepted: ``http(s)://{n.news,news,m.news}.naver.com`` with ``/mnews/article/OID/AID``,
    ``/article/OID/AID``, ``/mnews/{hotissue,ranking}/article/OID/AID`` or legacy
    ``/main/read.naver|read.nhn?…&oid=OID&aid=AID`` (also ``/main/ranking/read.naver|read.nhn``
    and ``/rankingRead.nhn``); any other query or fragment is ignored. Rejected: other hosts
    and schemes, user info, ports, encoded or dot path segments, ids that are not exactly 3 and
    10 digits.
    """
    if not isinstance(url, str) or len(url) > 2048:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in NEWS_HOSTS:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    if parts.username is not None or parts.password is not None or port is not None:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    path = parts.path
    match = _PATH_RE.fullmatch(path)
    if match:
        return ArticleId(match["oid"], match["aid"])
    if path in _LEGACY_PATHS:
        found = _query_id(parts.query)
        if found is not None:
            return found
    raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")


# The sites an article can live on (newsbot.sites.Kind; StrEnum members equal their names).
NEWS, SPORTS, ENTERTAIN = Kind.NEWS, Kind.SPORTS, Kind.ENTERTAIN
# m.sports.naver.com/kbaseball/article/001/0016364477, m.sports.naver.com/article/001/…
_SPORTS_RE = re.compile(r"/(?:[a-z0-9]{2,20}/)?article/(?P<oid>[0-9]{3})/(?P<aid>[0-9]{10})/?")
# m.entertain.naver.com/article/…, …/now/article/…, …/home/article/…
_ENTERTAIN_RE = re.compile(r"/(?:now/|home/)?article/(?P<oid>[0-9]{3})/(?P<aid>[0-9]{10})/?")
# Older forms with ids in the query: sports.news.naver.com/wfootball/news/read.naver?oid=&aid=,
# entertain.naver.com/read?oid=&aid=, entertain.naver.com/now/read?oid=&aid=
_SPORTS_QUERY_RE = re.compile(r"/(?:[a-z0-9]{2,20}/)?news/read\.(?:naver|nhn)|/news\.nhn")
_ENTERTAIN_QUERY_RE = re.compile(r"/(?:now/)?read")
_SPORTS_HOSTS = frozenset({"m.sports.naver.com", "sports.naver.com", "sports.news.naver.com"})
_ENTERTAIN_HOSTS = frozenset({"m.entertain.naver.com", "entertain.naver.com"})


def _query_id(query: str) -> ArticleId | None:
    values = parse_qs(query, keep_blank_values=True)
    oids, aids = values.get("oid", []), values.get("aid", [])
    if (
        len(oids) == 1
        and len(aids) == 1
        and OID_RE.fullmatch(oids[0])
        and AID_RE.fullmatch(aids[0])
    ):
        return ArticleId(oids[0], aids[0])
    return None


def parse_any_article_url(url: str) -> tuple[ArticleId, str]:
    """Like ``parse_article_url``, also for the sports and entertainment hosts.

    Returns the article and its kind: ``"news"`` (n.news), ``"sports"`` or ``"entertain"``.
    """
    try:
        return parse_article_url(url), NEWS
    except InvalidArticleUrl:
        pass
    parts = urlsplit(url.strip()) if isinstance(url, str) and len(url) <= 2048 else None
    try:
        port = parts.port if parts else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or port is not None:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    if parts.username is not None or parts.password is not None:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    host = (parts.hostname or "").lower()
    kind: str | None = None
    found: ArticleId | None = None
    if host in _SPORTS_HOSTS:
        kind = SPORTS
        match = _SPORTS_RE.fullmatch(parts.path)
        if match:
            found = ArticleId(match["oid"], match["aid"])
        elif _SPORTS_QUERY_RE.fullmatch(parts.path):
            found = _query_id(parts.query)
    elif host in _ENTERTAIN_HOSTS:
        kind = ENTERTAIN
        match = _ENTERTAIN_RE.fullmatch(parts.path)
        if match:
            found = ArticleId(match["oid"], match["aid"])
        elif _ENTERTAIN_QUERY_RE.fullmatch(parts.path):
            found = _query_id(parts.query)
    if kind is None or found is None:
        raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")
    return found, kind


def kind_of_host(url: str) -> str | None:
    """``"sports"``/``"entertain"`` for a URL on those hosts, else ``None``."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _SPORTS_HOSTS:
        return SPORTS
    if host in _ENTERTAIN_HOSTS:
        return ENTERTAIN
    return None


def article_url(article_id: ArticleId, kind: str = NEWS) -> str:
    """The canonical URL of an article of ``kind`` (the ``url`` field and ``urls=`` target)."""
    if kind == SPORTS:
        return f"https://m.sports.naver.com/article/{article_id.oid}/{article_id.aid}"
    if kind == ENTERTAIN:
        return f"https://m.entertain.naver.com/article/{article_id.oid}/{article_id.aid}"
    return article_id.url


def api_url(article_id: ArticleId, kind: str) -> str:
    """The JSON article endpoint of a sports or entertainment article."""
    return SITES[Kind(kind)].article_api(article_id.oid, article_id.aid)


def canonical_url(url: str) -> str:
    """The canonical ``https://n.news.naver.com/mnews/article/{oid}/{aid}`` of any article URL."""
    return parse_article_url(url).url


def is_naver_host(url: str) -> bool:
    """True when ``url`` is http(s) on a Naver host newsbot may follow."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in NAVER_HOSTS
