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

# /mnews/article/001/0015825533, /article/001/0015825533 (optionally /mnews/hotissue/article/…)
_PATH_RE = re.compile(r"/(?:mnews/(?:hotissue/)?)?article/(?P<oid>[0-9]{3})/(?P<aid>[0-9]{10})/?")
# Legacy: /main/read.naver?mode=LSD&mid=sec&sid1=001&oid=029&aid=0002625369 (also read.nhn).
_LEGACY_PATHS = frozenset({"/main/read.naver", "/main/read.nhn", "/read.naver", "/read.nhn"})


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
    ``/article/OID/AID`` or legacy ``/main/read.naver|read.nhn?…&oid=OID&aid=AID``; any query
    or fragment is ignored. Rejected: other hosts and schemes, user info, ports, encoded or
    dot path segments, ids that are not exactly 3 and 10 digits.
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
        query = parse_qs(parts.query, keep_blank_values=True)
        oids, aids = query.get("oid", []), query.get("aid", [])
        if len(oids) == 1 and len(aids) == 1:
            oid, aid = oids[0], aids[0]
            if OID_RE.fullmatch(oid) and AID_RE.fullmatch(aid):
                return ArticleId(oid, aid)
    raise InvalidArticleUrl(f"not a Naver article URL: {url!r:.200}")


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
