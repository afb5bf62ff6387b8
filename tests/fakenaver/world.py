"""The fake Naver's mutable world: which articles exist, where they are listed, and knobs."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .comments import (
    COMMENT_OFF,
    COMMENT_ON,
    HOSTILE_TEXTS,
    Comment,
    CommentBox,
    CommentProfile,
    comment_block,
    generate_box,
)
from .search import TEST_KEY, SearchResult

__all__ = [
    "CURSOR_STYLES",
    "DEFAULT_COMMENTS",
    "PRESS_NAMES",
    "SECTION_NAMES",
    "SUB_SECTIONS",
    "ArticleSpec",
    "Override",
    "World",
    "default_world",
    "listing_keys",
    "synthetic_world",
]

#: Press names by oid (as Naver shows them in the article header).
PRESS_NAMES: dict[str, str] = {
    "001": "연합뉴스",
    "002": "프레시안",
    "003": "뉴시스",
    "016": "헤럴드경제",
    "018": "이데일리",
    "020": "동아일보",
    "023": "조선일보",
    "025": "중앙일보",
    "028": "한겨레",
    "029": "디지털타임스",
    "032": "경향신문",
    "055": "SBS",
    "056": "KBS",
    "082": "부산일보",
    "088": "매일신문",
    "117": "마이데일리",
    "214": "MBC",
    "421": "뉴스1",
    "437": "JTBC",
    "607": "뉴스타파",
    "640": "코리아중앙데일리",
}

#: Section names by sid1 (the text of ``em.media_end_categorize_item``).
SECTION_NAMES: dict[str, str] = {
    "100": "정치",
    "101": "경제",
    "102": "사회",
    "103": "생활",
    "104": "세계",
    "105": "IT",
    "106": "연예",
    "107": "스포츠",
    "110": "오피니언",
}

#: Sub-sections (sid2) per section, from shared/docs/naver.md.
SUB_SECTIONS: dict[str, tuple[str, ...]] = {
    "100": ("264", "265", "268", "266", "267", "269"),
    "101": ("259", "258", "261", "771", "260", "262", "310", "263"),
    "102": ("249", "250", "251", "254", "252", "59b", "255", "256", "276", "257"),
    "103": ("241", "239", "240", "237", "238", "376", "242", "243", "244", "248", "245"),
    "104": ("231", "232", "233", "234", "322"),
    "105": ("731", "226", "227", "230", "732", "283", "229", "228"),
}

#: Current-layout fixture pages that synthesised articles are built from.
CURRENT_LAYOUT_BASES: tuple[str, ...] = (
    "003_0012577249",
    "082_0001252309",
    "421_0008770777",
    "640_0000077240",
    "607_0000001728",
)

_STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_OID_RE = re.compile(r"\d{3}")
_AID_RE = re.compile(r"\d{10}")
_FIXTURE_STEM_RE = re.compile(r"(?:[a-z]+_)?(\d{3})_(\d{10})")


def _check_stamp(value: str, what: str) -> None:
    try:
        datetime.strptime(value, _STAMP_FORMAT)
    except ValueError:
        raise ValueError(f"{what} must be 'YYYY-MM-DD HH:MM:SS', got {value!r}") from None


@dataclass
class ArticleSpec:
    """One article of the fake world.

    ``published``/``modified`` are Korea time, ``YYYY-MM-DD HH:MM:SS``. The page is
    synthesised from the real fixture page ``base`` unless ``fixture`` names a fixture page
    to serve verbatim. ``also_in`` lists further ``(sid1, sid2)`` listings the article
    appears in; ``listed=False`` keeps it out of every listing (reachable by URL only).
    ``redirect_to`` makes the article URLs answer 302 to that URL; ``deleted`` makes them 404.
    """

    oid: str
    aid: str
    sid1: str
    sid2: str
    published: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    base: str = "082_0001252309"
    publisher: str = ""
    summary: str | None = None
    modified: str | None = None
    also_in: tuple[tuple[str, str], ...] = ()
    listed: bool = True
    redirect_to: str | None = None
    deleted: bool = False
    fixture: str | None = None

    def __post_init__(self) -> None:
        if not _OID_RE.fullmatch(self.oid):
            raise ValueError(f"oid must be 3 digits, got {self.oid!r}")
        if not _AID_RE.fullmatch(self.aid):
            raise ValueError(f"aid must be 10 digits, got {self.aid!r}")
        _check_stamp(self.published, "published")
        if self.modified is not None:
            _check_stamp(self.modified, "modified")
        if not self.publisher:
            self.publisher = PRESS_NAMES.get(self.oid, f"언론사{self.oid}")
        self.paragraphs = list(self.paragraphs)
        self.also_in = tuple((str(s1), str(s2)) for s1, s2 in self.also_in)

    @classmethod
    def from_fixture(
        cls, stem: str, sid1: str, sid2: str, published: str, **kwargs: Any
    ) -> ArticleSpec:
        """An article served as the saved page ``fixtures/naver/articles/<stem>.html`` verbatim.

        oid/aid come from the stem (``082_0001252309``, ``legacy_029_0002625369``); the
        title (for listings) is read from the page unless given.
        """
        match = _FIXTURE_STEM_RE.fullmatch(stem)
        if match is None:
            raise ValueError(f"fixture stem must look like [prefix_]OID_AID, got {stem!r}")
        if "title" not in kwargs:
            from .pages import fixture_title  # local import: pages imports this module

            kwargs["title"] = fixture_title(stem)
        return cls(
            oid=match.group(1),
            aid=match.group(2),
            sid1=sid1,
            sid2=sid2,
            published=published,
            fixture=stem,
            **kwargs,
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.oid, self.aid)

    @property
    def day(self) -> str:
        """Publication day as ``YYYYMMDD``."""
        return self.published[:10].replace("-", "")

    @property
    def cursor(self) -> str:
        """Publication time as ``YYYYMMDDHHMMSS`` (14 digits, KST).

        That is the shape of the ``data-cursor`` of the section home page
        ``news.naver.com/section/{sid1}`` (2025-08, 2026-05, 2026-07 samples), and the start of
        the "more" endpoint's cursor. The real ``SECTION_ARTICLE_LIST_FOR_LATEST`` cursor is
        19 digits, this plus 5 more (``2024112517083827169``; shared/docs/naver.md,
        "Discovery (listings)"); the fake's is per listing, see :meth:`World.latest_listing`.
        """
        return re.sub(r"\D", "", self.published)

    @property
    def url(self) -> str:
        return f"https://n.news.naver.com/mnews/article/{self.oid}/{self.aid}"

    @property
    def lede(self) -> str:
        """The list teaser: the start of the body text."""
        text = " ".join(p.strip() for p in self.paragraphs if p.strip())
        return text[:120] + (" …" if len(text) > 120 else "")

    def placements(self) -> list[tuple[str, str]]:
        """Every ``(sid1, sid2)`` this article is listed under, primary first."""
        out = [(self.sid1, self.sid2)]
        out.extend(p for p in self.also_in if p not in out)
        return out


@dataclass
class Override:
    """A canned answer for one URL (exact, or a prefix when the key ends with ``*``).

    ``times`` limits how often it applies (None: always); ``drop_connection`` closes the
    connection without answering; ``close_after`` closes it right after this answer (with a
    ``Content-Length`` header larger than the body: a truncated answer); ``delay`` sleeps
    first.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    times: int | None = None
    delay: float = 0.0
    drop_connection: bool = False
    close_after: bool = False


def _newest_first(articles: Iterable[ArticleSpec]) -> list[ArticleSpec]:
    return sorted(articles, key=lambda a: (a.published, a.oid, a.aid), reverse=True)


#: Values of :attr:`World.cursor_style` (what the "more" endpoint's ``data-cursor`` looks like).
CURSOR_STYLES: tuple[str, ...] = ("real", "short", "opaque", "repeat")

_KEY_RE = re.compile(r"\d{19}")
_SHORT_RE = re.compile(r"\d{14}")
_OPAQUE_PREFIX = b"fakenaver-cursor:"
_MAX_SAME_SECOND = 10_000


def _suffix_base(stamp: str) -> int:
    """A fixed, random-looking 0..89999 per second, so suffixes do not all read ``00000``."""
    return int(stamp) * 2_654_435_761 % 90_000


def listing_keys(items: Sequence[ArticleSpec]) -> list[str]:
    """19-digit cursors (``YYYYMMDDHHMMSS`` + 5 digits) of a newest-first listing.

    The 5 digits are a per-second base plus the item's rank among the listing's items of the
    same second (counted from the oldest), so the keys decrease strictly down the listing and
    compare correctly as strings; an item's key changes only when an item of its own second
    comes or goes.
    """
    keys: list[str] = []
    start = 0
    while start < len(items):
        stamp = items[start].cursor
        end = start
        while end < len(items) and items[end].cursor == stamp:
            end += 1
        count = end - start
        if count > _MAX_SAME_SECOND:
            raise ValueError(f"more than {_MAX_SAME_SECOND} listed articles at {stamp}")
        base = _suffix_base(stamp)
        keys.extend(f"{stamp}{base + count - 1 - n:05d}" for n in range(count))
        start = end
    return keys


class World:
    """Thread-safe, mutable description of what the fake Naver serves.

    Real-shaped by default (shared/docs/naver.md, "Discovery (listings)"): the section "more"
    endpoint ``SECTION_ARTICLE_LIST_FOR_LATEST`` gives ``page_size=36`` cards a page (three
    independent 2026 observations) and 19-digit cursors (``cursor_style="real"``: a 2024
    walk printed 274 cursors, all ``YYYYMMDDHHMMSS`` + 5 digits). ``cursor_style`` is one of
    :data:`CURSOR_STYLES`:

    * ``"real"``: ``YYYYMMDDHHMMSS`` + 5 digits (:func:`listing_keys`), unique and strictly
      decreasing within a listing, so two articles of the same second still page apart;
    * ``"short"``: the old 14-digit ``YYYYMMDDHHMMSS`` (the section home page's shape): the
      next page lists items of strictly older seconds, so articles sharing the second of a
      page's last card are skipped, like the fake did before;
    * ``"opaque"``: a token of a shape never seen on Naver, with letters (URL-safe base64),
      that the fake decodes back when it is passed as ``next=``;
    * ``"repeat"``: every page is the first page, with the first page's cursor and
      ``data-has-next="true"``: a client that passes the cursor back loops forever unless it
      guards against a cursor that does not move.

    A ``next`` the style cannot decode answers the first page (see :meth:`decode_cursor`).
    The old ``list.naver`` pages hold ``old_page_size`` items a page (Naver: 20; default 4).

    Comments (``comments.py``): each article has a :class:`CommentBox`, built the first time
    :meth:`comments` is asked for it (so a world of 100,000 articles builds only the boxes
    requested): from ``comment_profile`` (None: no comments) with the top-level count of
    ``comment_counts[(oid, aid)]`` if set, deterministic from the profile's seed and the
    article id. :meth:`set_comments`, :meth:`generate_comments`, :meth:`add_comment`,
    :meth:`delete_comment`, :meth:`set_comments_off` and :meth:`fail_comments` change them.
    """

    def __init__(
        self,
        articles: Iterable[ArticleSpec] = (),
        *,
        page_size: int = 36,
        old_page_size: int = 4,
        delay: float = 0.0,
        mix_days_in_page: bool = False,
        cursor_style: str = "real",
        comment_profile: CommentProfile | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._articles: dict[tuple[str, str], ArticleSpec] = {}
        self._overrides: dict[str, Override] = {}
        self._comment_boxes: dict[tuple[str, str], CommentBox] = {}
        self._comment_owner: dict[str, tuple[str, str]] = {}
        self._comment_failures: dict[tuple[str, str], tuple[int, int | None]] = {}
        #: How comment boxes are generated; None: an article nobody set has no comments.
        self.comment_profile = comment_profile
        #: Top-level comment count of the generated box of some articles ((oid, aid) -> n),
        #: with ``comment_profile`` (or the default profile when it is None). Read when the
        #: box is built, i.e. the first time anyone asks for the article's comments.
        self.comment_counts: dict[tuple[str, str], int] = {}
        self._index: dict[tuple[str, ...], list[ArticleSpec]] = {}
        self._keys: dict[tuple[str, ...], list[str]] = {}
        self._cursor_style = "real"
        #: What the "more" endpoint's cursors look like: one of :data:`CURSOR_STYLES`.
        self.cursor_style = cursor_style
        #: Items per page of the section "more" endpoint (Naver: 36).
        self.page_size = page_size
        #: Items per page of the old ``list.naver`` pages.
        self.old_page_size = old_page_size
        #: Seconds to sleep before every answer.
        self.delay = delay
        #: If True, a "more" page may hold the day's last items and the previous day's first
        #: ones together; by default a page stops at the day boundary and the next page
        #: holds the previous day's items (with data-has-next="true").
        self.mix_days_in_page = mix_days_in_page
        #: The day (YYYYMMDD) served when a list request carries no date; None: newest day.
        self.today: str | None = None
        #: The Search API (``search.py``): the (client id, secret) it accepts (None: any),
        #: whether it refuses the application (403), calls left today (None: no limit; 0:
        #: 429), and press-only results per query (words lower-cased, single spaces).
        self.search_key: tuple[str, str] | None = TEST_KEY
        self.search_forbidden = False
        self.search_quota: int | None = None
        self.search_results: dict[str, list[SearchResult]] = {}
        #: A Search API whose paging cannot be trusted: every call answers the results of
        #: ``start=1`` (with the ``start`` asked, unless ``search_start_answered`` says
        #: otherwise); the ``start`` every answer gives (None: the one asked); the ``pubDate``
        #: shown for some articles ((oid, aid) -> ``YYYY-MM-DD HH:MM:SS``) while they stay
        #: sorted by their own date (a stale or odd date among newer results).
        self.search_repeat_first_page = False
        self.search_start_answered: int | None = None
        self.search_shown_dates: dict[tuple[str, str], str] = {}
        #: How many of the next requests that arrive on a kept-alive connection (not its
        #: first request) are read, recorded (status 0) and answered by closing the connection:
        #: a server dropping idle persistent connections as a request comes in (faults.py).
        self.drop_kept_alive = 0
        #: (old, new) byte replacements made in every body served: the site changing its
        #: markup (a class renamed, a meta tag gone) without a new fixture.
        self.markup_changes: list[tuple[bytes, bytes]] = []
        for article in articles:
            self.add_article(article)

    @property
    def cursor_style(self) -> str:
        """What the "more" endpoint's cursors look like: one of :data:`CURSOR_STYLES`."""
        return self._cursor_style

    @cursor_style.setter
    def cursor_style(self, value: str) -> None:
        if value not in CURSOR_STYLES:
            raise ValueError(f"cursor_style must be one of {CURSOR_STYLES}, got {value!r}")
        self._cursor_style = value

    def _invalidate(self) -> None:
        with self._lock:
            self._index.clear()
            self._keys.clear()

    def take_kept_alive_drop(self) -> bool:
        """Whether to drop this request on a kept-alive connection (one of ``drop_kept_alive``)."""
        with self._lock:
            if self.drop_kept_alive <= 0:
                return False
            self.drop_kept_alive -= 1
            return True

    def add_search_result(self, query: str, result: SearchResult) -> None:
        """A press-only result of ``query`` (its link is the press's page, not Naver's)."""
        with self._lock:
            key = " ".join(query.lower().split())
            self.search_results.setdefault(key, []).append(result)

    # -- articles ---------------------------------------------------------------------------

    def add_article(self, article: ArticleSpec) -> ArticleSpec:
        """Add or replace an article (keyed by oid/aid)."""
        with self._lock:
            self._articles[article.key] = article
            self._invalidate()
        return article

    def remove_article(self, oid: str, aid: str) -> None:
        with self._lock:
            self._articles.pop((oid, aid), None)
            self._invalidate()

    def get_article(self, oid: str, aid: str) -> ArticleSpec | None:
        with self._lock:
            return self._articles.get((oid, aid))

    def update_article(
        self, oid: str, aid: str, *, new_paragraph_text: str | None = None, **changes: Any
    ) -> ArticleSpec:
        """Change an article; the next request serves the new version.

        ``new_paragraph_text`` appends a paragraph to the body; any other keyword replaces
        that ``ArticleSpec`` field (``title=``, ``paragraphs=``, ``modified=``, ``deleted=``…).
        """
        with self._lock:
            current = self._articles.get((oid, aid))
            if current is None:
                raise KeyError(f"no article {oid}/{aid} in the world")
            if new_paragraph_text is not None:
                base = changes.get("paragraphs", current.paragraphs)
                changes["paragraphs"] = [*base, new_paragraph_text]
            if "oid" in changes or "aid" in changes:
                raise ValueError("oid/aid cannot change: remove and add instead")
            updated = dataclasses.replace(current, **changes)
            self._articles[updated.key] = updated
            self._invalidate()
            return updated

    @property
    def articles(self) -> list[ArticleSpec]:
        """A snapshot of every article, newest first."""
        with self._lock:
            return _newest_first(self._articles.values())

    def __iter__(self) -> Iterator[ArticleSpec]:
        return iter(self.articles)

    def __len__(self) -> int:
        with self._lock:
            return len(self._articles)

    # -- overrides --------------------------------------------------------------------------

    def set_override(self, url: str, override: Override) -> None:
        """Answer ``url`` (exact; a prefix if it ends with ``*``) with ``override``."""
        with self._lock:
            self._overrides[url] = override

    def clear_overrides(self) -> None:
        with self._lock:
            self._overrides.clear()

    def take_override(self, url: str) -> Override | None:
        """The override that applies to ``url`` now, consuming one of its ``times``."""
        with self._lock:
            key: str | None = url if url in self._overrides else None
            if key is None:
                prefixes = [
                    k for k in self._overrides if k.endswith("*") and url.startswith(k[:-1])
                ]
                key = max(prefixes, key=len) if prefixes else None
            if key is None:
                return None
            override = self._overrides[key]
            if override.times is not None:
                override.times -= 1
                if override.times <= 0:
                    del self._overrides[key]
            return override

    # -- listings ---------------------------------------------------------------------------

    def _cached(
        self, key: tuple[str, ...], keep: Callable[[ArticleSpec], bool]
    ) -> list[ArticleSpec]:
        with self._lock:  # built under the lock: a concurrent change cannot leave it stale
            hit = self._index.get(key)
            if hit is None:
                hit = _newest_first(a for a in self._articles.values() if a.listed and keep(a))
                self._index[key] = hit
            return list(hit)

    def listed(self, sid1: str, sid2: str = "") -> list[ArticleSpec]:
        """Listed articles of a section (all its sub-sections when sid2 is empty), newest first."""

        def keep(article: ArticleSpec) -> bool:
            return any(s1 == sid1 and (not sid2 or s2 == sid2) for s1, s2 in article.placements())

        return self._cached(("section", sid1, sid2), keep)

    def latest_listing(self, sid1: str, sid2: str = "") -> list[tuple[str, ArticleSpec]]:
        """``(key, article)`` of :meth:`listed`, newest first; ``key`` is the 19-digit cursor
        (:func:`listing_keys`) whatever the style: :meth:`encode_cursor` makes the token."""
        with self._lock:
            items = self.listed(sid1, sid2)
            keys = self._keys.get(("section", sid1, sid2))
            if keys is None:
                keys = self._keys[("section", sid1, sid2)] = listing_keys(items)
            return list(zip(keys, items, strict=True))

    def encode_cursor(self, key: str) -> str:
        """The ``data-cursor`` of a page whose last card has the 19-digit ``key``."""
        style = self.cursor_style
        if style == "short":
            return key[:14]
        if style == "opaque":
            return base64.urlsafe_b64encode(_OPAQUE_PREFIX + key.encode()).decode().rstrip("=")
        return key  # "real", "repeat"

    def decode_cursor(self, token: str) -> str | None:
        """The 19-digit key a ``next=`` token stands for (items strictly below it are listed).

        ``"real"``, ``"short"`` and ``"repeat"`` take 19 digits as they are and 14 digits as
        "before that second" (``+ "00000"``); ``"opaque"`` takes only its own tokens. None
        (the fake then answers the first page) for an empty or undecodable token.
        """
        token = token.strip()
        if self.cursor_style == "opaque":
            try:
                raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            except (binascii.Error, ValueError):
                return None
            if not raw.startswith(_OPAQUE_PREFIX):
                return None
            key = raw[len(_OPAQUE_PREFIX) :].decode("ascii", "replace")
            return key if _KEY_RE.fullmatch(key) else None
        if _KEY_RE.fullmatch(token):
            return token
        if _SHORT_RE.fullmatch(token):
            return token + "00000"
        return None

    # -- comments -----------------------------------------------------------------------------

    def _article_or_raise(self, oid: str, aid: str) -> ArticleSpec:
        article = self._articles.get((oid, aid))
        if article is None:
            raise KeyError(f"no article {oid}/{aid} in the world")
        return article

    def _box(self, oid: str, aid: str) -> CommentBox:
        """The live box (built now if needed); call with the lock held."""
        key = (oid, aid)
        box = self._comment_boxes.get(key)
        if box is None:
            article = self._article_or_raise(oid, aid)
            count = self.comment_counts.get(key)
            profile = self.comment_profile
            if count is not None:
                box = (profile or CommentProfile()).box(
                    oid, aid, article.published, n_comments=count
                )
            elif profile is not None:
                box = profile.box(oid, aid, article.published)
            else:
                box = CommentBox()
            self._store_box(key, box)
        return box

    def _store_box(self, key: tuple[str, str], box: CommentBox) -> None:
        for comment in box.comments:
            owner = self._comment_owner.get(comment.comment_no)
            if owner is not None and owner != key:
                raise ValueError(
                    f"comment number {comment.comment_no} is already used by {owner[0]}/{owner[1]}"
                )
        old = self._comment_boxes.get(key)
        if old is not None:
            for comment in old.comments:
                self._comment_owner.pop(comment.comment_no, None)
        self._comment_boxes[key] = box
        for comment in box.comments:
            self._comment_owner[comment.comment_no] = key

    def comments(self, oid: str, aid: str) -> CommentBox:
        """A snapshot of the article's comment box: the ground truth of what the API serves.

        ``box.comments`` holds every comment and reply (deleted ones too);
        ``box.top_level()``/``box.replies(no)`` list them newest first, ``box.counts()`` is
        the API's ``count``. KeyError for an article not in the world.
        """
        with self._lock:
            return self._box(oid, aid).copy()

    def set_comments(self, oid: str, aid: str, box: CommentBox | Iterable[Comment]) -> CommentBox:
        """Replace the article's comments (a box, or comments for a box with comments on).

        Numbers must not be used by another article's box already built (ValueError); boxes
        not built yet are not checked (generated numbers start with ``1`` + oid + aid, see
        :func:`~tests.fakenaver.comments.comment_block`: stay clear of those).
        """
        if not isinstance(box, CommentBox):
            box = CommentBox(list(box))
        box = box.copy()
        with self._lock:
            self._article_or_raise(oid, aid)
            self._store_box((oid, aid), box)
            return box.copy()

    def generate_comments(self, oid: str, aid: str, n_comments: int, **options: Any) -> CommentBox:
        """Give the article a generated box of ``n_comments`` top-level comments and return it.

        ``options`` go to :func:`~tests.fakenaver.comments.generate_box`: ``replies={0: 150}``
        gives the oldest comment 150 replies (more than a page), ``deleted_rate``,
        ``hostile=HOSTILE_TEXTS``, ``hostile_rate``, ``reply_rate``, ``status``, ``seed``.
        """
        with self._lock:
            article = self._article_or_raise(oid, aid)
            box = generate_box(
                oid, aid, published=article.published, n_comments=n_comments, **options
            )
            self._store_box((oid, aid), box)
            return box.copy()

    def add_comment(
        self,
        oid: str,
        aid: str,
        *,
        parent_no: str | None = None,
        contents: str = "새로 단 댓글입니다.",
        user: str = "newc****",
        reg_time: str | None = None,
        likes: int = 0,
        dislikes: int = 0,
        deleted: bool = False,
        best: bool = False,
        comment_no: str | None = None,
    ) -> Comment:
        """Add a comment (a reply with ``parent_no``) and return it.

        By default its number is larger than every number in the box (and unused in the
        world), and ``reg_time`` one minute after the box's newest item (or the article's
        publication), so it lists first.
        """
        with self._lock:
            article = self._article_or_raise(oid, aid)
            box = self._box(oid, aid)
            if comment_no is None:
                number = max(box.max_no(), comment_block(oid, aid)) + 1
                while str(number) in self._comment_owner:
                    number += 1
                comment_no = str(number)
            if reg_time is None:
                newest = max((c.reg_time for c in box.comments), default=article.published)
                moment = datetime.strptime(newest, _STAMP_FORMAT) + timedelta(minutes=1)
                reg_time = moment.strftime(_STAMP_FORMAT)
            comment = Comment(
                comment_no=comment_no,
                parent_no=parent_no,
                contents="" if deleted else contents,
                user=user,
                reg_time=reg_time,
                likes=likes,
                dislikes=dislikes,
                deleted=deleted,
                best=best,
            )
            updated = CommentBox([*box.comments, comment], box.status, box.template_id)
            self._store_box((oid, aid), updated)
            return comment

    def delete_comment(self, oid: str, aid: str, comment_no: str) -> Comment:
        """Mark a comment or reply deleted (its contents emptied); it stays listed."""
        with self._lock:
            box = self._box(oid, aid)
            if box.get(comment_no) is None:
                raise KeyError(f"no comment {comment_no} under {oid}/{aid}")
            comments = [
                dataclasses.replace(c, deleted=True, contents="")
                if c.comment_no == comment_no
                else c
                for c in box.comments
            ]
            self._store_box((oid, aid), CommentBox(comments, box.status, box.template_id))
            deleted = next(c for c in comments if c.comment_no == comment_no)
            return deleted

    def set_comments_off(self, oid: str, aid: str, off: bool = True) -> None:
        """Switch the article's comments off (``COMMENT_OFF``: nothing listed) or back on."""
        with self._lock:
            box = self._box(oid, aid)
            status = COMMENT_OFF if off else COMMENT_ON
            self._store_box((oid, aid), CommentBox(box.comments, status, box.template_id))

    def fail_comments(
        self, oid: str, aid: str, status: int | None = 500, *, times: int | None = None
    ) -> None:
        """Answer every comment request of the article with HTTP ``status`` (an empty
        body), ``times`` times (None: always); ``status=None`` ends it."""
        with self._lock:
            if status is None:
                self._comment_failures.pop((oid, aid), None)
            else:
                self._comment_failures[(oid, aid)] = (status, times)

    def take_comment_failure(self, oid: str, aid: str) -> int | None:
        """The HTTP status a comment request of the article must get now (None: none)."""
        with self._lock:
            failure = self._comment_failures.get((oid, aid))
            if failure is None:
                return None
            status, times = failure
            if times is not None:
                if times <= 1:
                    del self._comment_failures[(oid, aid)]
                else:
                    self._comment_failures[(oid, aid)] = (status, times - 1)
            return status

    def listed_by_press(self, oid: str) -> list[ArticleSpec]:
        """Listed articles of one press, newest first."""
        return self._cached(("press", oid), lambda article: article.oid == oid)

    def newest_day(self) -> str:
        """``today`` if set, else the newest publication day (YYYYMMDD) in the world."""
        with self._lock:
            if self.today:
                return self.today
            days = [a.day for a in self._articles.values()]
        return max(days) if days else datetime.now().strftime("%Y%m%d")

    def days(self) -> list[str]:
        """Publication days (YYYYMMDD) of listed articles, oldest first."""
        with self._lock:
            return sorted({a.day for a in self._articles.values() if a.listed})


# -- data sets ------------------------------------------------------------------------------

# fmt: off
_SUBJECTS = (
    "정부", "국회", "여당", "야당", "한국은행", "금융위원회", "기획재정부", "서울시", "부산시",
    "시민단체", "전문가들", "업계", "대법원", "중소기업계", "증권가", "개인투자자",
)
_TOPICS = (
    "지방선거", "예산안", "기준금리", "반도체 수출", "전세 시장", "가계부채", "청년 일자리",
    "탄소중립", "저출생 대책", "공공요금", "원·달러 환율", "코스피", "의료 개혁", "인공지능 규제",
    "해상풍력", "스타트업 투자", "물가 안정", "부동산 PF", "연금 개혁", "지역 균형발전",
)
_VERBS = (
    "논의를 본격화했다", "입장을 밝혔다", "대책을 내놓았다", "우려를 나타냈다",
    "신중한 태도를 보였다", "추가 조치를 예고했다", "전망을 수정했다", "협의에 들어갔다",
    "반발하고 나섰다", "긍정적으로 평가했다",
)
_DETAILS = (
    "관계자는 \"상황을 면밀히 지켜보고 있다\"고 말했다.",
    "이번 조치는 다음 달부터 단계적으로 시행될 예정이다.",
    "시장에서는 효과가 제한적일 것이라는 분석도 나온다.",
    "지난해 같은 기간보다 12.5% 늘어난 수치다.",
    "구체적인 일정은 이달 말께 확정될 것으로 보인다.",
    "현장에서는 인력과 예산이 부족하다는 목소리가 크다.",
    "앞서 관련 법안은 상임위원회 문턱을 넘지 못했다.",
    "일각에서는 속도 조절이 필요하다는 지적도 제기된다.",
    "전문가들은 중장기적인 로드맵 마련이 시급하다고 입을 모았다.",
    "이에 따라 관련 업계의 부담도 커질 전망이다.",
)


def _josa(word: str, with_final: str, without_final: str) -> str:
    """``word`` + the particle form its last syllable calls for (은/는, 과/와)."""
    last = word[-1]
    has_final = "가" <= last <= "힣" and (ord(last) - ord("가")) % 28 != 0
    return word + (with_final if has_final else without_final)


def _sentence(rng: random.Random) -> str:
    subject = _josa(rng.choice(_SUBJECTS), "은", "는")
    topic = _josa(rng.choice(_TOPICS), "과", "와")
    return f"{subject} {topic} 관련해 {rng.choice(_VERBS)}."


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        parts = [_sentence(rng)]
        parts.extend(rng.choice(_DETAILS) for _ in range(rng.randint(1, 3)))
        out.append(" ".join(parts))
    return out


def _title(rng: random.Random, n: int) -> str:
    return f"{rng.choice(_SUBJECTS)}, {rng.choice(_TOPICS)} {rng.choice(_VERBS)}…(기사 {n})"


# One row per article of the default world:
# (oid, aid, published, sid1, sid2, also_in, base, title)
_DEFAULT_ROWS: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str], ...], str, str], ...] = (
    # 2026-05-30
    ("001", "0015100001", "2026-05-30 23:59:50", "100", "264", (), "082_0001252309",
     "자정 직전 송고된 선거 관리 점검 기사"),
    ("421", "0008810001", "2026-05-30 15:20:00", "100", "264", (), "421_0008770777",
     "사전투표 마감…여야 \"투표율 높아야 이긴다\" 총력전"),
    ("003", "0012610001", "2026-05-30 09:05:12", "100", "264", (), "003_0012577249",
     "대통령실, 지방선거 이후 국정 운영 방향 예고"),
    ("001", "0015100002", "2026-05-30 00:00:30", "100", "264", (), "640_0000077240",
     "자정 직후 송고된 국회 일정 기사"),
    ("421", "0008810002", "2026-05-30 21:10:00", "100", "265", (), "607_0000001728",
     "국회 본회의, 민생 법안 처리 두고 막판 진통"),
    ("082", "0001260001", "2026-05-30 12:00:00", "100", "265", (("101", "259"),),
     "082_0001252309", "정부 \"금융 취약계층 지원 & 예산 확대\" 발표"),
    ("001", "0015100003", "2026-05-30 06:30:45", "100", "265", (), "003_0012577249",
     "여야 원내대표 회동…예산안 협상 재개"),
    ("001", "0015100004", "2026-05-30 18:45:00", "101", "259", (), "421_0008770777",
     "은행권 대출 금리 일제히 인하"),
    ("421", "0008810003", "2026-05-30 22:22:22", "101", "258", (), "640_0000077240",
     "코스피, 외국인 매수에 사흘째 상승 마감"),
    ("003", "0012610002", "2026-05-30 16:00:01", "101", "258", (), "082_0001252309",
     "개인투자자, 반도체주 집중 매수"),
    ("001", "0015100005", "2026-05-30 11:11:11", "101", "258", (), "607_0000001728",
     "증권가 \"하반기 실적 개선 기대\""),
    ("640", "0000080001", "2026-05-30 08:08:08", "101", "258", (), "640_0000077240",
     "Foreign investors return to Seoul stocks"),
    ("421", "0008810004", "2026-05-30 03:03:03", "101", "258", (), "421_0008770777",
     "새벽 시간외 거래에서 2차전지주 급등"),
    # 2026-05-29
    ("001", "0015090001", "2026-05-29 20:00:00", "100", "264", (), "003_0012577249",
     "사전투표 첫날 투표율 역대 최고"),
    ("421", "0008790001", "2026-05-29 13:30:00", "100", "264", (), "421_0008770777",
     "선관위, 투표소 혼잡 대비 인력 추가 배치"),
    ("082", "0001250001", "2026-05-29 07:15:00", "100", "264", (), "082_0001252309",
     "부산 지역 후보들 막판 유세 돌입"),
    ("003", "0012590001", "2026-05-29 17:45:30", "100", "265", (("100", "264"),),
     "607_0000001728", "국회 상임위, 법안 심사 일정 합의"),
    ("001", "0015090002", "2026-05-29 10:10:10", "100", "265", (), "640_0000077240",
     "여당 지도부, 민생 현장 방문"),
    ("421", "0008790002", "2026-05-29 23:00:00", "101", "259", (), "421_0008770777",
     "금융위, 가계부채 관리 방안 발표"),
    ("001", "0015090003", "2026-05-29 14:14:14", "101", "259", (), "082_0001252309",
     "저축은행 연체율 상승세 지속"),
    ("607", "0000001801", "2026-05-29 09:09:09", "101", "259", (), "607_0000001728",
     "[주간 뉴스타파] 대출 규제의 그늘"),
    ("003", "0012590002", "2026-05-29 01:01:01", "101", "259", (), "003_0012577249",
     "새벽 발표된 보험업 감독 규정 개정안"),
    ("001", "0015090004", "2026-05-29 19:19:19", "101", "258", (), "640_0000077240",
     "코스닥, 바이오주 약세에 하락"),
    ("421", "0008790003", "2026-05-29 05:05:05", "101", "258", (), "421_0008770777",
     "미국 증시 훈풍에 아시아 증시 동반 상승 출발"),
)
# fmt: on


# fmt: off
_OFFSITE_ROWS = (
    ("117", "0003900002", "2026-05-30 20:10:00", "107", "kbaseball", "마이데일리",
     "9회말 역전 끝내기, 선두 싸움 안갯속"),
    ("477", "0000500001", "2026-05-30 18:00:00", "107", "kbaseball", "스포티비뉴스",
     "에이스 7이닝 무실점 호투로 시즌 8승"),
    ("139", "0002200001", "2026-05-30 07:45:00", "107", "wfootball", "스포탈코리아",
     "유럽 챔피언스리그 결승, 연장 혈투 끝 우승"),
    ("112", "0003800001", "2026-05-30 22:00:00", "106", "", "헤럴드POP",
     "새 드라마 첫 방송부터 시청률 10% 돌파"),
    ("108", "0003300001", "2026-05-30 12:12:12", "106", "", "스타뉴스",
     "배우 A씨, 영화제 여우주연상 수상 \"감사합니다\""),
    ("609", "0000900001", "2026-05-29 23:50:00", "106", "", "뉴스엔",
     "아이돌 그룹 컴백 쇼케이스 현장"),
)
# fmt: on


def default_world(*, page_size: int = 36) -> World:
    """A small deterministic world for end-to-end tests.

    ``page_size`` is the "more" endpoint's page size: Naver's 36 by default, so every
    sub-section's day fits in one page; give 3 to page through it (the old default).

    Listed, on 2026-05-29 and 2026-05-30, sections 100 (sid2 264, 265) and 101 (259, 258):
    2-5 articles per sub-section and day (``_DEFAULT_ROWS``), presses 001, 003, 082, 421,
    607, 640; day edges 00:00:30 and 23:59:50 (100/264 on the 30th); 082/0001260001 is in
    100/265 and 101/259, 003/0012590001 in 100/265 and 100/264. Unlisted, by URL only:
    the saved pages 029/0002625369 (legacy, EUC-KR), 018/0005316196 and 082/0001252309
    served verbatim, 117/0003900001 (302 to m.sports) and 001/0015999999 (deleted, 404).

    Comments (:data:`DEFAULT_COMMENTS` names the special ones): 001/0015100001 has 250
    top-level comments (three pages of 100) with replies, the oldest comment 120 of them (two
    pages), some deleted; 421/0008810001 has every :data:`HOSTILE_TEXTS` text as a comment,
    each with a reply, and a deleted comment; 082/0001260001 has comments switched off (its
    box holds 5); 003/0012610001 has none. The hostile box also has a deleted reply. Every other article gets 0-20 comments (about a
    third none) with replies and some deleted, from a profile seeded "default".
    """
    articles: list[ArticleSpec] = []
    for n, (oid, aid, published, sid1, sid2, also_in, base, title) in enumerate(_DEFAULT_ROWS):
        rng = random.Random(f"default-{oid}-{aid}")
        articles.append(
            ArticleSpec(
                oid=oid,
                aid=aid,
                sid1=sid1,
                sid2=sid2,
                published=published,
                title=title,
                paragraphs=_paragraphs(rng, 3 + n % 3),
                base=base,
                summary=f"{title} 요약\n주요 쟁점 정리" if n % 3 == 0 else None,
                modified=(
                    (datetime.strptime(published, _STAMP_FORMAT) + timedelta(minutes=5)).strftime(
                        _STAMP_FORMAT
                    )
                    if n % 4 == 1
                    else None
                ),
                also_in=also_in,
            )
        )
    # Reachable only by URL, never listed: the saved pages served verbatim, a sports
    # article that leaves n.news, and a deleted one.
    articles.append(
        ArticleSpec.from_fixture(
            "legacy_029_0002625369", "100", "264", "2020-09-19 17:08:00", listed=False
        )
    )
    articles.append(
        ArticleSpec.from_fixture(
            "018_0005316196", "100", "264", "2022-09-14 16:04:03", listed=False
        )
    )
    articles.append(
        ArticleSpec.from_fixture(
            "082_0001252309", "101", "263", "2024-01-22 23:01:01", listed=False
        )
    )
    articles.append(
        ArticleSpec(
            oid="117",
            aid="0003900001",
            sid1="107",
            sid2="",
            published="2026-05-30 21:30:00",
            title="KBO 리그, 연장 접전 끝 끝내기 승리",
            paragraphs=_paragraphs(random.Random("sports"), 3),
            listed=False,
            redirect_to="https://m.sports.naver.com/kbaseball/article/117/0003900001",
        )
    )
    # Listed by the sports and entertainment JSON lists (sid 107 by sports section, 106);
    # their n.news URLs redirect to m.sports / m.entertain like the real ones.
    for oid, aid, published, sid1, sid2, press, title in _OFFSITE_ROWS:
        host = "m.sports.naver.com/" + sid2 if sid1 == "107" else "m.entertain.naver.com"
        articles.append(
            ArticleSpec(
                oid=oid,
                aid=aid,
                sid1=sid1,
                sid2=sid2,
                published=published,
                title=title,
                paragraphs=_paragraphs(random.Random(f"offsite-{aid}"), 3),
                publisher=press,
                summary=f"{title} 요약" if aid.endswith("1") else None,
                redirect_to=f"https://{host}/article/{oid}/{aid}",
            )
        )
    articles.append(
        ArticleSpec(
            oid="001",
            aid="0015999999",
            sid1="100",
            sid2="264",
            published="2026-05-30 13:00:00",
            title="삭제된 기사",
            paragraphs=["삭제된 기사입니다."],
            listed=False,
            deleted=True,
        )
    )
    world = World(
        articles,
        page_size=page_size,
        comment_profile=CommentProfile(
            seed="default", sizes=((0.3, 0, 0), (0.7, 1, 20)), off_rate=0.0
        ),
    )
    many, hostile, off, none = DEFAULT_COMMENTS
    world.generate_comments(*many, 250, seed="default", replies={0: 120}, deleted_rate=0.08)
    world.generate_comments(
        *hostile,
        len(HOSTILE_TEXTS) + 1,
        seed="default",
        hostile=HOSTILE_TEXTS,
        replies=dict.fromkeys(range(len(HOSTILE_TEXTS) + 1), 1),
        hostile_rate=1.0,
        deleted_rate=0.0,
    )
    hostile_box = world.comments(*hostile)
    world.delete_comment(*hostile, hostile_box.top_level()[0].comment_no)
    newest_reply = max((c for c in hostile_box.comments if c.is_reply), key=lambda c: c.key)
    world.delete_comment(*hostile, newest_reply.comment_no)
    world.generate_comments(*off, 5, seed="default", status=COMMENT_OFF)
    world.comment_counts[none] = 0
    return world


#: Articles of :func:`default_world` with special comments: 250 top-level comments (one with
#: 120 replies), the hostile texts, comments switched off, no comments.
DEFAULT_COMMENTS: tuple[tuple[str, str], ...] = (
    ("001", "0015100001"),
    ("421", "0008810001"),
    ("082", "0001260001"),
    ("003", "0012610001"),
)


def synthetic_world(
    n_articles: int,
    day: str = "2026-05-30",
    seed: int = 0,
    *,
    page_size: int = 36,
    old_page_size: int = 20,
    comments: bool = False,
) -> World:
    """``n_articles`` articles on ``day`` (YYYY-MM-DD) over sections 100-105, for benchmarks.

    Page sizes are Naver's: the latest list holds 36 cards a page (the saved section page
    ``listings/section_100_2026-05-30.html`` has 36 in ``div.section_latest_article``, and a
    public crawler's notes of 2026-09-16 measured 36 per ``next`` page of
    ``SECTION_ARTICLE_LIST_FOR_LATEST``); the old ``list.naver`` pages hold 20 (10 + 10).

    Every article has its own second of the day (so cursors never tie): at most 86,400.
    About one in twenty is also listed in a sub-section of another section.

    ``comments=True`` gives every article a comment box, built when first asked for, from
    ``CommentProfile(seed=seed)`` (:data:`~tests.fakenaver.comments.DEFAULT_SIZES`): 30%
    none, 55% 1-20, 8% 21-99, 7% 100-300 top-level comments; a fifth of the comments have
    1-6 replies; 6% of comments and replies deleted; 3% hostile texts; 3% of the articles
    with comments switched off. Without it, articles have no comments.
    """
    if not 0 <= n_articles <= 86_400:
        raise ValueError("n_articles must be between 0 and 86400")
    start = datetime.combine(date.fromisoformat(day), datetime.min.time())
    rng = random.Random(seed)
    seconds = sorted(rng.sample(range(86_400), n_articles))
    sections = list(SUB_SECTIONS)
    oids = ("001", "003", "421", "082", "640", "607", "020", "023", "025", "028", "032", "437")
    world = World(
        page_size=page_size,
        old_page_size=old_page_size,
        comment_profile=CommentProfile(seed=seed) if comments else None,
    )
    for i, second in enumerate(seconds):
        sid1 = sections[i % len(sections)]
        sid2 = rng.choice(SUB_SECTIONS[sid1])
        also_in: tuple[tuple[str, str], ...] = ()
        if rng.random() < 0.05:
            other = rng.choice([s for s in sections if s != sid1])
            also_in = ((other, rng.choice(SUB_SECTIONS[other])),)
        world.add_article(
            ArticleSpec(
                oid=rng.choice(oids),
                aid=f"{seed % 100:02d}{i + 1:08d}",
                sid1=sid1,
                sid2=sid2,
                published=(start + timedelta(seconds=second)).strftime(_STAMP_FORMAT),
                title=_title(rng, i + 1),
                paragraphs=_paragraphs(rng, rng.randint(2, 8)),
                base=CURRENT_LAYOUT_BASES[i % len(CURRENT_LAYOUT_BASES)],
                summary=_sentence(rng) if rng.random() < 0.3 else None,
                also_in=also_in,
            )
        )
    return world
