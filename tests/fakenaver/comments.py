"""Naver's comment box (댓글) in the fake world: what each article's comments are, and the
answer of the comment API ``apis.naver.com/commentBox/cbox/web_naver_list_jsonp.json``.

The API's shape is copied from real answers: shared/docs/naver.md, "Comments (댓글)", and the
2022 bodies ``tests/fixtures/comments/cbox_*.body.jsonp`` and the recorded exchange
``n2h4_vcr_AllComment_2022-02-18.yml`` beside them. Where the real API was never observed, the fake makes a choice and says so ("made up") in the docstring
of the function that makes it. The world side:

* :class:`Comment`: one comment or reply (``parent_no`` set), times in Korea time;
* :class:`CommentBox`: an article's comments and replies, and whether comments are on;
* :func:`generate_box` / :class:`CommentProfile`: deterministic boxes from a seed and the
  article id, for :class:`~tests.fakenaver.world.World` to build lazily.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

__all__ = [
    "COMMENT_OFF",
    "COMMENT_ON",
    "HOSTILE_TEXTS",
    "Comment",
    "CommentBox",
    "CommentProfile",
    "comment_block",
    "decode_more",
    "encode_more",
    "generate_box",
]

COMMENT_ON = "COMMENT_ON"
COMMENT_OFF = "COMMENT_OFF"
_STATUSES = (COMMENT_ON, COMMENT_OFF)

KST = timezone(timedelta(hours=9))
_STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_NO_RE = re.compile(r"[1-9]\d{0,39}")
#: Comment numbers a generated box may use: ``comment_block(oid, aid) + 1 ..`` this many.
BLOCK_SIZE = 10_000

#: Text that breaks naive clients: quotes, CR/LF and ``<br>``, a YAML document separator,
#: Jinja syntax, emoji and astral-plane characters, a lone U+2028 (a line break to
#: ``str.splitlines`` and to pre-2019 JavaScript), backslashes, markup, very long text.
HOSTILE_TEXTS: tuple[str, ...] = (
    "큰따옴표 \"인용\"과 작은따옴표 '인용' 그리고 `백틱`",
    "첫 줄\r\n둘째 줄<br>셋째 줄\r<br>넷째 줄\n다섯째 줄",
    "위 문단\n---\n아래 문단",
    "---",
    "{{ item.title }} 그리고 {% if x %}템플릿{% endif %} {# 주석 #}",
    "이모지 😀👍🏽🇰🇷 와 수학 문자 𝕏𝔸 와 확장 한자 𠜎𠱓",
    "줄 구분자\u2028가 홀로 있음",
    "역슬래시 \\ 와 \\n 과 \\u0041 그리고 C:\\Users\\naver\\",
    "<script>alert('댓글')</script> &amp; &lt;b&gt;굵게&lt;/b&gt; <b>진짜 태그</b>",
    "# 제목 같은 줄\n- 목록\n> 인용\n| 표 | 칸 |\n[링크](http://example.com) *강조* _밑줄_",
    "   앞뒤 공백과 \t탭   ",
    "제로\u200b폭\u200b공백과 \u00a0 줄바꿈 없는 공백, 소프트\u00adhyphen",
    "null",
    ("아주 긴 댓글입니다. " * 300).strip(),
    "ㅋ" * 2000,
)

_OPENERS = (
    "좋은 기사 감사합니다.", "이게 말이 됩니까?", "기자님 수고 많으셨습니다.", "동의합니다.",
    "ㅋㅋㅋㅋ", "결국 서민만 힘들어지네요.", "다음 선거에서 보자.", "팩트 체크 부탁드립니다.",
    "세 줄 요약 좀 해주세요.", "정부는 제대로 된 대책을 내놓아라.", "현장 목소리를 더 들어야 합니다.",
    "이런 기사가 더 많아져야 한다.", "제목이 너무 자극적이네요.", "언제까지 이럴 건가요.",
    "응원합니다!", "숫자로 보니 심각하네요.",
)  # fmt: skip
_FOLLOW_UPS = (
    "지난번에도 같은 얘기 했잖아요.", "관계자들은 책임져야 합니다.", "통계 출처가 궁금하네요.",
    "우리 동네도 마찬가지입니다.", "장기적으로 보면 필요한 일이죠.", "솔직히 기대 안 합니다.",
    "좀 더 지켜봐야겠네요.", "댓글 보고 생각이 바뀌었어요.",
)  # fmt: skip
_REPLIES = (
    "맞습니다.", "저도 같은 생각입니다.", "그건 좀 아닌 것 같은데요.", "출처가 어디죠?",
    "ㅇㅈ", "기사 끝까지 읽어보세요.", "222", "공감합니다.",
)  # fmt: skip
_USER_PREFIXES = (
    "park", "kim1", "lee9", "choi", "jung", "kang", "cho7", "yoon", "jang", "limm",
    "news", "sky2", "blue", "moon", "star", "hong", "seo3", "han0", "ohhh", "shin",
)  # fmt: skip
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _check_stamp(value: str, what: str) -> None:
    try:
        datetime.strptime(value, _STAMP_FORMAT)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be 'YYYY-MM-DD HH:MM:SS', got {value!r}") from None


def _stamp(moment: datetime) -> str:
    return moment.strftime(_STAMP_FORMAT)


@dataclass(frozen=True)
class Comment:
    """One comment (``parent_no`` None) or reply (``parent_no``: its comment's number).

    ``comment_no`` is a string of digits (Naver's are 10 digits in 2017-2022 samples, 18 in
    2023 ones; the fake's generated ones are 18). ``user`` is the masked id (``park****``);
    ``reg_time`` (and ``mod_time``, None: same as ``reg_time``) are Korea time,
    ``YYYY-MM-DD HH:MM:SS``. ``likes``/``dislikes`` are 공감/비공감. A ``deleted`` comment
    stays listed with empty ``contents`` (:meth:`World.delete_comment` empties it; the API
    answers ``""`` for a deleted comment whatever ``contents`` holds).
    """

    comment_no: str
    parent_no: str | None = None
    contents: str = ""
    user: str = "park****"
    reg_time: str = "2026-05-30 12:00:00"
    likes: int = 0
    dislikes: int = 0
    deleted: bool = False
    best: bool = False
    mod_time: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.comment_no, str) or not _NO_RE.fullmatch(self.comment_no):
            raise ValueError(f"comment_no must be a string of digits, got {self.comment_no!r}")
        if self.parent_no is not None:
            if not isinstance(self.parent_no, str) or not _NO_RE.fullmatch(self.parent_no):
                raise ValueError(f"parent_no must be None or digits, got {self.parent_no!r}")
            if self.parent_no == self.comment_no:
                raise ValueError("a comment cannot be its own parent: use parent_no=None")
        _check_stamp(self.reg_time, "reg_time")
        if self.mod_time is not None:
            _check_stamp(self.mod_time, "mod_time")

    @property
    def is_reply(self) -> bool:
        return self.parent_no is not None

    @property
    def key(self) -> tuple[str, int]:
        """Sort key, oldest first: registration time, then number."""
        return (self.reg_time, int(self.comment_no))


@dataclass
class CommentBox:
    """An article's comment box: every comment and reply (deleted ones too) and its status.

    ``status`` is ``COMMENT_ON`` or ``COMMENT_OFF`` (comments switched off: the API lists
    nothing, but the comments stay here). ``template_id`` is the cbox template the comments
    carry (None: one derived from the article's section). Replies answer a top-level
    comment (one level only, like Naver's ``useReplyOnReply: false``).
    """

    comments: list[Comment] = field(default_factory=list)
    status: str = COMMENT_ON
    template_id: str | None = None

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {_STATUSES}, got {self.status!r}")
        self.comments = list(self.comments)
        numbers: dict[str, Comment] = {}
        for comment in self.comments:
            if not isinstance(comment, Comment):
                raise TypeError(f"not a Comment: {comment!r}")
            if comment.comment_no in numbers:
                raise ValueError(f"comment number {comment.comment_no} twice in one box")
            numbers[comment.comment_no] = comment
        for comment in self.comments:
            if comment.parent_no is None:
                continue
            parent = numbers.get(comment.parent_no)
            if parent is None:
                raise ValueError(f"reply {comment.comment_no}: no comment {comment.parent_no}")
            if parent.parent_no is not None:
                raise ValueError(f"reply {comment.comment_no} answers a reply")

    @property
    def off(self) -> bool:
        return self.status == COMMENT_OFF

    def copy(self) -> CommentBox:
        """A snapshot (comments are frozen, so copying the list is enough)."""
        return CommentBox(list(self.comments), self.status, self.template_id)

    def get(self, comment_no: str) -> Comment | None:
        return next((c for c in self.comments if c.comment_no == comment_no), None)

    def top_level(self, *, include_deleted: bool = True) -> list[Comment]:
        """Top-level comments, newest first (the API's ``sort=new`` order)."""
        return _newest_first(
            c for c in self.comments if c.parent_no is None and (include_deleted or not c.deleted)
        )

    def replies(self, parent_no: str, *, include_deleted: bool = True) -> list[Comment]:
        """Replies of comment ``parent_no``, newest first."""
        return [c for c in self._replies().get(parent_no, []) if include_deleted or not c.deleted]

    def _replies(self) -> dict[str, list[Comment]]:
        """Replies by parent, newest first; built once per state of ``comments`` (every
        listed comment asks for its replies: a scan each made a page cost O(n²))."""
        state = (id(self.comments), len(self.comments))
        cached = self.__dict__.get("_reply_index")
        if cached is None or cached[0] != state:
            index: dict[str, list[Comment]] = {}
            for c in _newest_first(c for c in self.comments if c.parent_no is not None):
                index.setdefault(c.parent_no or "", []).append(c)
            cached = (state, index)
            self.__dict__["_reply_index"] = cached
        return cached[1]

    def max_no(self) -> int:
        """The largest comment number in the box (0 when empty)."""
        return max((int(c.comment_no) for c in self.comments), default=0)

    def counts(self) -> dict[str, int]:
        """The API's ``result.count``.

        ``comment``/``reply``: top-level comments/replies, deleted ones included; ``total``
        = the two together; ``delCommentByUser``: deleted comments and replies;
        ``exposeCount``: top-level comments not deleted. (Inferred, not documented: real
        counts read comment 51, reply 11, total 62, exposeCount 46, delCommentByUser 5 and
        comment 113, reply 19, total 132, exposeCount 108, delCommentByUser 6.) Nothing is
        ever removed by monitoring or blinded here, so those counts are 0.
        """
        top = [c for c in self.comments if c.parent_no is None]
        replies = [c for c in self.comments if c.parent_no is not None]
        return {
            "comment": len(top),
            "reply": len(replies),
            "exposeCount": sum(not c.deleted for c in top),
            "delCommentByUser": sum(c.deleted for c in self.comments),
            "delCommentByMon": 0,
            "blindCommentByUser": 0,
            "blindReplyByUser": 0,
            "total": len(self.comments),
        }


def _newest_first(comments: Iterable[Comment]) -> list[Comment]:
    return sorted(comments, key=lambda c: c.key, reverse=True)


# -- generated boxes ----------------------------------------------------------------------------


def comment_block(oid: str, aid: str) -> int:
    """The base of the comment numbers generated for article oid/aid.

    Generated numbers are ``comment_block + 1 ..`` (at most :data:`BLOCK_SIZE` - 1): 18
    digits, ``1`` + oid + aid + 4 digits, so they are unique across a world without building
    every box. (Made up: Naver's numbers are global counters.)
    """
    return int(f"1{oid}{aid}") * BLOCK_SIZE


def _mask(prefix: str) -> str:
    return f"{prefix}****"


def _text(rng: random.Random, reply: bool) -> str:
    if reply:
        return rng.choice(_REPLIES)
    parts = [rng.choice(_OPENERS)]
    parts.extend(rng.choice(_FOLLOW_UPS) for _ in range(rng.choice((0, 0, 1, 1, 2))))
    return rng.choice((" ", " ", "\n")).join(parts)


def _votes(rng: random.Random) -> tuple[int, int]:
    roll = rng.random()
    if roll < 0.5:
        return rng.randint(0, 3), rng.randint(0, 1)
    if roll < 0.9:
        return rng.randint(0, 60), rng.randint(0, 20)
    return rng.randint(100, 5000), rng.randint(0, 800)


def generate_box(
    oid: str,
    aid: str,
    *,
    published: str,
    n_comments: int,
    seed: int | str = 0,
    replies: Mapping[int, int] | None = None,
    reply_rate: float = 0.2,
    max_replies: int = 6,
    deleted_rate: float = 0.06,
    hostile_rate: float = 0.03,
    hostile: Sequence[str] = (),
    status: str = COMMENT_ON,
    template_id: str | None = None,
) -> CommentBox:
    """A deterministic box (same arguments, same box) of ``n_comments`` top-level comments.

    Comments come after ``published`` (Korea time), spread over hours (more comments, longer);
    replies come after their comment. ``replies`` maps the index of a top-level comment
    (0: the oldest) to its number of replies; the others get 1..``max_replies`` with
    probability ``reply_rate``. Each comment or reply is deleted with probability
    ``deleted_rate`` and gets a text of :data:`HOSTILE_TEXTS` with ``hostile_rate``; the
    ``hostile`` texts go to the oldest top-level comments first, in order. Numbers grow with
    time from :func:`comment_block`. The top three comments with 100+ likes are ``best``.
    """
    if n_comments < 0:
        raise ValueError("n_comments must be >= 0")
    if len(hostile) > n_comments:
        raise ValueError("more hostile texts than comments")
    rng = random.Random(f"comments:{seed}:{oid}:{aid}")
    start = datetime.strptime(published, _STAMP_FORMAT) + timedelta(minutes=rng.randint(1, 10))
    span = max(3_600, n_comments * 300)
    # (time, position in the plan, index of the parent comment or None)
    planned: list[tuple[datetime, int, int | None]] = []
    offsets = sorted(rng.randint(0, span) for _ in range(n_comments))
    top_times = [start + timedelta(seconds=s) for s in offsets]
    for index, moment in enumerate(top_times):
        planned.append((moment, len(planned), None))
        count = (replies or {}).get(index)
        if count is None:
            count = rng.randint(1, max_replies) if rng.random() < reply_rate else 0
        reply_span = max(600, count * 120)
        for second in sorted(rng.randint(1, reply_span) for _ in range(count)):
            planned.append((moment + timedelta(seconds=second), len(planned), index))
    if len(planned) >= BLOCK_SIZE:
        raise ValueError(f"at most {BLOCK_SIZE - 1} comments and replies in a generated box")
    # Numbers in time order; a reply is always later than its comment (1 second at least).
    order = sorted(planned, key=lambda p: (p[0], p[1]))
    base = comment_block(oid, aid)
    numbers = {p[1]: str(base + n + 1) for n, p in enumerate(order)}
    top_numbers = {
        index: numbers[p[1]] for index, p in enumerate(p for p in planned if p[2] is None)
    }
    comments: list[Comment] = []
    hostile_left = list(hostile)
    for moment, position, parent in order:
        is_reply = parent is not None
        deleted = False
        if not is_reply and hostile_left:
            text = hostile_left.pop(0)  # always kept: never deleted
        else:
            text = (
                rng.choice(HOSTILE_TEXTS) if rng.random() < hostile_rate else _text(rng, is_reply)
            )
            deleted = rng.random() < deleted_rate
        likes, dislikes = _votes(rng)
        comments.append(
            Comment(
                comment_no=numbers[position],
                parent_no=top_numbers[parent] if parent is not None else None,
                contents="" if deleted else text,
                user=_mask(rng.choice(_USER_PREFIXES)),
                reg_time=_stamp(moment),
                likes=likes,
                dislikes=dislikes,
                deleted=deleted,
            )
        )
    popular = sorted(
        (c for c in comments if c.parent_no is None and not c.deleted and c.likes >= 100),
        key=lambda c: c.likes - c.dislikes,
        reverse=True,
    )[:3]
    best = {c.comment_no for c in popular}
    comments = [dataclasses.replace(c, best=True) if c.comment_no in best else c for c in comments]
    return CommentBox(comments, status, template_id)


#: Default distribution of top-level comment counts: (weight, low, high).
DEFAULT_SIZES: tuple[tuple[float, int, int], ...] = (
    (0.30, 0, 0),
    (0.55, 1, 20),
    (0.08, 21, 99),
    (0.07, 100, 300),
)


@dataclass(frozen=True)
class CommentProfile:
    """How a world's lazily generated comment boxes look (see :func:`generate_box`).

    ``sizes`` draws the number of top-level comments: ``(weight, low, high)`` rows. With
    ``off_rate`` an article has comments switched off (its box still holds comments).
    Deterministic: the box of an article depends only on the profile and oid/aid/published.
    """

    seed: int | str = 0
    sizes: tuple[tuple[float, int, int], ...] = DEFAULT_SIZES
    reply_rate: float = 0.2
    max_replies: int = 6
    deleted_rate: float = 0.06
    hostile_rate: float = 0.03
    off_rate: float = 0.03

    def box(
        self, oid: str, aid: str, published: str, *, n_comments: int | None = None
    ) -> CommentBox:
        """The article's box; ``n_comments`` forces the top-level count (comments on)."""
        rng = random.Random(f"profile:{self.seed}:{oid}:{aid}")
        status = COMMENT_ON
        if n_comments is None:
            weights = [w for w, _, _ in self.sizes]
            _, low, high = rng.choices(self.sizes, weights=weights)[0]
            n_comments = rng.randint(low, high)
            if rng.random() < self.off_rate:
                status = COMMENT_OFF
        return generate_box(
            oid,
            aid,
            published=published,
            n_comments=n_comments,
            seed=self.seed,
            reply_rate=self.reply_rate,
            max_replies=self.max_replies,
            deleted_rate=self.deleted_rate,
            hostile_rate=self.hostile_rate,
            status=status,
        )


# -- the API's answer ---------------------------------------------------------------------------

#: ``templateId`` by section when a box names none (made up from the real names
#: ``view_politics``, ``default_politics``, ``default_society``).
_TEMPLATES = {
    "100": "default_politics",
    "101": "default_economy",
    "102": "default_society",
    "103": "default_life",
    "104": "default_world",
    "105": "default_it",
    "110": "default_opinion",
}

SUCCESS_MESSAGE = "요청을 성공적으로 처리하였습니다."


def template_for(sid1: str) -> str:
    return _TEMPLATES.get(sid1, "default_society")


def encode_more(comment: Comment) -> str:
    """The ``morePage`` token of a comment: the next page lists what sorts below it.

    Made up: Naver's tokens are 13 base-36 characters (``04kc738jmavn8``) whose meaning is
    unknown; the fake's are ``0`` + base 36 of ``1`` + ``YYYYMMDDHHMMSS`` + the number, so
    they look alike (longer) and need no state to decode.
    """
    digits = "1" + re.sub(r"\D", "", comment.reg_time) + comment.comment_no
    value = int(digits)
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + out
    return "0" + out


def decode_more(token: str) -> tuple[str, int] | None:
    """The sort key (:attr:`Comment.key`) a token stands for, None if it is not one of ours."""
    if not re.fullmatch(r"0[0-9a-z]{1,60}", token):
        return None
    digits = str(int(token, 36))
    if len(digits) < 16 or digits[0] != "1":
        return None
    stamp, number = digits[1:15], digits[15:]
    try:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if not _NO_RE.fullmatch(number):
        return None
    return (_stamp(moment), int(number))


def _iso(stamp: str) -> tuple[str, str, int]:
    """Korea-time stamp -> (``…+0900``, ``…+0000``, epoch milliseconds)."""
    local = datetime.strptime(stamp, _STAMP_FORMAT).replace(tzinfo=KST)
    utc = local.astimezone(UTC)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S+0900"),
        utc.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        int(local.timestamp()) * 1000,
    )


def _id_no(user: str) -> str:
    """A stable 4-character ``userIdNo`` per masked user (like ``Rsvz``; made up)."""
    digest = hashlib.sha256(user.encode("utf-8")).digest()
    return "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:4])


def api_comment(
    comment: Comment,
    box: CommentBox,
    *,
    object_id: str,
    template_id: str,
    lang: str = "ko",
    country: str = "KR",
) -> dict[str, Any]:
    """One ``commentList`` item, with every key of the real 2022 items, in the order of the
    pageSize=100 sample (the samples differ a little in order).

    ``replyCount`` counts the replies not deleted, ``replyAllCount`` all of them (made up:
    the samples have none). A deleted comment has ``contents`` "", ``status`` 1 (made up),
    ``visible``/``expose``/``containText`` false.
    """
    reg, reg_gmt, millis = _iso(comment.reg_time)
    mod, mod_gmt, _ = _iso(comment.mod_time or comment.reg_time)
    replies = [] if comment.is_reply else box.replies(comment.comment_no)
    contents = "" if comment.deleted else comment.contents
    id_no = _id_no(comment.user)
    masked = comment.user
    return {
        "ticket": "news",
        "objectId": object_id,
        "categoryId": "*",
        "templateId": template_id,
        "commentNo": comment.comment_no,
        "parentCommentNo": comment.parent_no or comment.comment_no,
        "replyLevel": 2 if comment.is_reply else 1,
        "replyCount": sum(not r.deleted for r in replies),
        "replyAllCount": len(replies),
        "replyPreviewNo": None,
        "replyList": None,
        "imageCount": 0,
        "imageList": None,
        "imagePathList": None,
        "imageWidthList": None,
        "imageHeightList": None,
        "commentType": "txt",
        "stickerId": None,
        "sticker": None,
        "sortValue": millis,
        "contents": contents,
        "userIdNo": id_no,
        "exposedUserIp": None,
        "lang": lang,
        "country": country,
        "idType": "naver",
        "idProvider": "naver",
        "userName": masked,
        "userProfileImage": "",
        "profileType": "naver",
        "modTime": mod,
        "modTimeGmt": mod_gmt,
        "regTime": reg,
        "regTimeGmt": reg_gmt,
        "sympathyCount": comment.likes,
        "antipathyCount": comment.dislikes,
        "hideReplyButton": False,
        "status": 1 if comment.deleted else 0,
        "mine": False,
        "best": comment.best,
        "mentions": None,
        "toUser": None,
        "userStatus": 0,
        "categoryImage": None,
        "open": True,
        "levelCode": None,
        "grades": None,
        "sympathy": False,
        "antipathy": False,
        "metaInfo": None,
        "extension": None,
        "translation": None,
        "report": None,
        "middleBlindReport": False,
        "spamInfo": None,
        "userHomepageUrl": None,
        "defamation": False,
        "hiddenByCleanbot": False,
        "score": 0.0,
        "ratings": None,
        "managerLike": False,
        "pick": False,
        "visible": not comment.deleted,
        "manager": False,
        "deleted": comment.deleted,
        "idNo": id_no,
        "expose": not comment.deleted,
        "blindReport": False,
        "maskedUserId": masked,
        "maskedUserName": masked[:2] + "****",
        "profileUserId": None,
        "userBlocked": False,
        "blind": False,
        "secret": False,
        "serviceId": None,
        "exposeByCountry": False,
        "validateBanWords": False,
        "containText": bool(contents),
        "virtual": False,
        "anonymous": False,
    }


#: ``result.config``: a trimmed copy of the 2022 sample's.
CONFIG: dict[str, Any] = {
    "useSnsLogin": False,
    "lineFeedOn": False,
    "useBest": False,
    "useVote": True,
    "useReport": True,
    "useSort": True,
    "sortTypes": ["NEW"],
    "defaultSort": "NEW",
    "useReply": True,
    "useReplyOnReply": False,
    "pageAfterReply": "TO_LAST_PAGE",
    "min": 1,
    "max": 300,
    "useSticker": False,
    "useProfile": True,
    "useNaverProfile": True,
    "profileEmptyImage": "https://static.nid.naver.com/images/web/user/default.png?type=f132_132",
    "displayMaskedUserId": False,
    "useFold": True,
    "useViewAll": True,
    "useCommentListIncludeDelete": False,
    "useStats": True,
    "statsMinCount": 100,
    "useDeletedList": True,
    "combinedDeletedList": True,
    "displayDeletedList": True,
    "userSortTypes": ["FAVORITE", "NEW", "OLD", "REPLY"],
    "useCleanbot": True,
    "useCommentLinkToken": True,
    "useUserBlock": True,
}

#: ``result.notice``: the shape of the 2022 sample's, its text shortened.
NOTICE: dict[str, Any] = {
    "noticeNo": 41,
    "title": "'언론사별 댓글 선택제'에 대해 안내 말씀드립니다",
    "content": "안녕하세요, 네이버 뉴스입니다.\r<br>\u200b\r<br>각 언론사는 댓글 정렬의 "
    "노출 순서, 그리고 기본 정렬값을 섹션별로 직접 설정하고 있습니다.",
    "regTime": "2022-02-08T16:21:56+0900",
}


def _page_model(offset: int, size: int, total: int) -> dict[str, Any]:
    """``pageModel`` as in the samples (page 1: startRow 1, startIndex 0, endRow capped at
    totalRows; a 2023 page 3 of 113 rows read startRow 201, endRow 113, startIndex 200).
    ``page`` is where the cursor page starts; an empty list has 1 page (made up)."""
    page = offset // size + 1
    pages = max(1, math.ceil(total / size))
    return {
        "page": page,
        "pageSize": size,
        "indexSize": 10,
        "startRow": offset + 1,
        "endRow": min(offset + size, total),
        "totalRows": total,
        "startIndex": offset,
        "totalPages": pages,
        "firstPage": 1,
        "prevPage": page - 1,
        "nextPage": page + 1 if page < pages else 0,
        "lastPage": pages,
        "current": None,
        "threshold": None,
        "moveToLastPage": False,
        "moveToComment": False,
        "moveToLastPrev": False,
    }


def utc_now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def envelope(
    result: dict[str, Any] | None,
    *,
    success: bool = True,
    code: str = "1000",
    message: str = SUCCESS_MESSAGE,
    lang: str = "ko",
    country: str = "KR",
) -> dict[str, Any]:
    """The answer's top level, keys in the real order; ``date`` is now, in UTC. A failure's
    ``result`` is ``{}`` (made up)."""
    return {
        "success": success,
        "code": code,
        "message": message,
        "lang": lang,
        "country": country,
        "result": result if result is not None else {},
        "date": utc_now_stamp(),
    }


def list_result(
    box: CommentBox,
    *,
    object_id: str,
    template_id: str,
    query: Mapping[str, str],
    lang: str = "ko",
    country: str = "KR",
) -> dict[str, Any]:
    """``result`` of one list request (top-level comments, or the replies of
    ``parentCommentNo``), newest first whatever ``sort`` says.

    Paging: ``moreParam.next`` (with ``moreParam.direction`` ``next`` or absent) lists what
    sorts strictly below the token; an undecodable token, ``direction=prev`` or ``page=``
    answer the first page. ``pageSize`` is clamped to 1..100 (default 20, made up).
    ``morePage.prev``/``next`` are the tokens of the page's first and last items (the next
    one is there on the last page too; ``start``/``end`` null, like the 2022 samples); a page
    past the end has no items and echoes the cursor (made up). Without
    ``includeAllStatus=true`` deleted items are left out of the list (made up). With comments
    off nothing is listed and every count is 0 (made up).
    """
    try:
        size = max(1, min(100, int(query.get("pageSize") or "20")))
    except ValueError:
        size = 20
    include_deleted = query.get("includeAllStatus", "").lower() == "true"
    parent = query.get("parentCommentNo", "").strip()
    if box.off:
        items: list[Comment] = []
        counts = dict.fromkeys(box.counts(), 0)
    else:
        counts = box.counts()
        if parent:
            items = box.replies(parent, include_deleted=include_deleted)
        else:
            items = box.top_level(include_deleted=include_deleted)
    cursor = query.get("moreParam.next", "")
    direction = query.get("moreParam.direction", "next") or "next"
    after = decode_more(cursor) if cursor and direction == "next" else None
    offset = 0
    if after is not None:
        offset = next((n for n, c in enumerate(items) if c.key < after), len(items))
    page = items[offset : offset + size]
    if page:
        more: dict[str, str | None] = {
            "prev": encode_more(page[0]),
            "next": encode_more(page[-1]),
            "start": None,
            "end": None,
        }
    else:
        echo = cursor if after is not None else None
        more = {"prev": echo, "next": echo, "start": None, "end": None}
    return {
        "commentList": [
            api_comment(
                c, box, object_id=object_id, template_id=template_id, lang=lang, country=country
            )
            for c in page
        ],
        "userInfo": {},
        "pageModel": _page_model(offset, size, len(items)),
        "morePage": more,
        "exposureConfig": {"reason": None, "status": box.status},
        "count": counts,
        "listStatus": "current",
        "sort": "NEW",
        "config": CONFIG,
        "bestList": [],
        "notice": NOTICE,
    }


def jsonp(callback: str, payload: Mapping[str, Any]) -> bytes:
    """``callback({...});`` as Naver writes it: compact JSON, UTF-8 text unescaped."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"{callback}({text});".encode()
