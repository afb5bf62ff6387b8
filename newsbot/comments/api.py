"""Naver's comment-box API: its URLs, its JSONP answers, and the records made of them.

Pure logic, no Scrapy (the paging is ``newsbot.comments.thread``; the file
``newsbot.comments.files``). The API is
described in ``shared/docs/naver.md`` ("Comments"), from real 2022 responses
(``tests/fixtures/api/cbox_*.body.jsonp``):

* ``https://apis.naver.com/commentBox/cbox/web_naver_list_jsonp.json?ticket=news&pool=cbox5
  &objectId=news{oid},{aid}&pageSize=100&sort=new&includeAllStatus=true&pageType=more``,
  then ``&moreParam.direction=next&moreParam.next={result.morePage.next}`` (``page=`` only
  gives the first page again, N2H4 #137); replies with ``&parentCommentNo={commentNo}``;
* sent with a Referer on n.news, or the answer is ``success:false``, code ``3999``;
* a JSONP body, ``_callback({...});``, unwrapped in linear time (no backtracking regex over
  the body) and never evaluated; an answer over ``MAX_ANSWER_BYTES`` is refused unread.

What a thread has read so far never travels with its requests (they go through Redis):
a request carries the article id, the cursor and counters (``Thread``); the comments read
are kept in this worker's memory (``ReadSoFar``) and appended, page by page, to a stash file
in the output directory (``CommentStash``), from which any worker can take the thread over.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from newsbot.dates import KST
from newsbot.errors import ExtractError
from newsbot.urls import ArticleId

logger = logging.getLogger(__name__)

COMMENT_HOST = "apis.naver.com"
COMMENT_API = f"https://{COMMENT_HOST}/commentBox/cbox/web_naver_list_jsonp.json"
#: The most the API gives in one answer.
PAGE_SIZE = 100
#: Pages one list (an article's comments, or one comment's replies) may take: 200,000
#: comments. Past it the list is given up as failed (a cursor that never ends).
MAX_PAGES = 2000
#: The file beside ``{oid}_{aid}.md`` that holds an article's comments.
SUFFIX = ".comments.jsonl"
#: The largest comment answer read: a real page of 100 comments is about 150 KB. A larger
#: one fails the article's comments, named (the download stops there too).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
#: The longest ``.comments.jsonl`` line read (a real record is well under 10 KB).
MAX_RECORD_BYTES = 1024 * 1024
#: The folder of the output directory where threads being read keep their comments.
STASH_DIR = ".newsbot-comments"
#: Counts are stored in SQLite (and Parquet) as signed 64-bit integers.
MAX_COUNT = 2**63 - 1


class Mode(StrEnum):
    """``-a comments=…``: nothing, the count only, or every comment and reply."""

    OFF = "off"
    COUNT = "count"
    ALL = "all"


class Status(StrEnum):
    """What became of one article's comments (the ledger's comment outcome)."""

    COLLECTED = "collected"  # fetched (and, with comments=all, every comment written)
    UNCHANGED = "unchanged"  # comments=all: the count has not changed since the last run
    OFF = "off"  # comments are switched off for this article (recorded, not an error)
    NOT_COLLECTED = "not_collected"  # sports / entertainment: no comment pool known
    FAILED = "failed"


class CommentApiError(ExtractError):
    """The comment API answered, but not with comments (``success:false``, or a body of
    another shape)."""


# The callback's name (`_callback`, `jQuery123_456`, `/**/ cb`): matched on the first bytes
# only, then the JSON is what lies between the "(" after it and the body's last ")".
_CALLBACK_RE = re.compile(rb"\s*(?:/\*\*/\s*)?[A-Za-z_$][\w$.]{0,200}\s*\(")
# The page's comment-box config: "sTemplateId":"view_economy" (every saved n.news page has it).
_TEMPLATE_RE = re.compile(rb'"sTemplateId"\s*:\s*"(?P<id>[A-Za-z0-9_]{1,64})"')


def comments_file(article_file: Path) -> Path:
    """``…/{oid}_{aid}.comments.jsonl`` beside ``…/{oid}_{aid}.md``."""
    return article_file.with_name(article_file.stem + SUFFIX)


def template_id_of(page: bytes) -> str | None:
    """The article page's comment template id (``view_politics``), if the page names one."""
    match = _TEMPLATE_RE.search(page)
    return match["id"].decode("ascii") if match else None


def referer(article_id: ArticleId) -> str:
    """The page the comment box is on: every comment request is sent with it."""
    return f"https://n.news.naver.com/mnews/article/{article_id.oid}/{article_id.aid}"


def comment_url(
    article_id: ArticleId,
    *,
    page_size: int = PAGE_SIZE,
    template: str | None = None,
    cursor: str | None = None,
    parent: str | None = None,
) -> str:
    """One page of an article's comments (``parent``: of that comment's replies); the
    ``cursor`` is the previous answer's ``morePage.next``, passed back as it is."""
    query: list[tuple[str, str]] = [
        ("ticket", "news"),
        ("pool", "cbox5"),
        ("lang", "ko"),
        ("country", "KR"),
        ("objectId", f"news{article_id.oid},{article_id.aid}"),
    ]
    if template:
        query.append(("templateId", template))
    query += [
        ("pageSize", str(page_size)),
        ("sort", "new"),
        ("includeAllStatus", "true"),
        ("pageType", "more"),
    ]
    if parent:
        query.append(("parentCommentNo", parent))
    if cursor:
        query += [("moreParam.direction", "next"), ("moreParam.next", cursor)]
    return f"{COMMENT_API}?{urlencode(query)}"


@dataclass
class CommentPage:
    """One answer of the comment API, read."""

    total: int | None  # result.count.total: comments and replies, deleted ones included
    status: str | None  # result.exposureConfig.status
    comments: list[dict[str, Any]]  # the records, as written to .comments.jsonl
    next: str | None  # result.morePage.next
    end: str | None  # result.morePage.end
    total_rows: int | None  # result.pageModel.totalRows: items of this list
    rejected: int = 0  # list items without a comment number (drift)
    items: int = 0  # items in result.commentList, read or not
    # result.count, every number in it (comment, reply, delCommentByUser …): what changed
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def on(self) -> bool:
        return self.status in (None, "COMMENT_ON")


def unwrap_jsonp(body: bytes) -> Any:
    """The JSON inside a JSONP body (or a plain JSON body); raises ``CommentApiError``.

    Linear in the body's size whatever it holds (a backtracking regex over the body took
    an hour on a megabyte of spaces), and refused over ``MAX_ANSWER_BYTES``."""
    if len(body) > MAX_ANSWER_BYTES:
        raise CommentApiError(
            f"the comment API's answer is {len(body):,} bytes, over the "
            f"{MAX_ANSWER_BYTES:,} a page may be"
        )
    text = body
    head = _CALLBACK_RE.match(body, 0, 512)
    if head is not None:
        end = len(body.rstrip().rstrip(b";").rstrip())
        if end > head.end() and body[end - 1 : end] == b")":
            text = body[head.end() : end - 1]
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        why = "nested too deep" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise CommentApiError(f"the comment API's answer is not JSONP ({why})") from None


def parse_comment_page(body: bytes, *, personal: bool = False) -> CommentPage:
    """Read one answer; raise ``CommentApiError`` for ``success:false`` (``3999`` when the
    Referer is missing) or a body of another shape."""
    data = unwrap_jsonp(body)
    if not isinstance(data, dict):
        raise CommentApiError("the comment API's answer is not a JSON object")
    if data.get("success") is not True:
        code, message = data.get("code"), data.get("message")
        raise CommentApiError(f"the comment API answered code {code}: {str(message)[:200]}")
    result = data.get("result")
    if not isinstance(result, dict):
        raise CommentApiError("the comment API's answer has no result")
    items = result.get("commentList")
    items = [] if items is None else items
    if not isinstance(items, list):
        raise CommentApiError("result.commentList is not a list")
    comments, rejected = [], 0
    for raw in items:
        record = comment_record(raw, personal=personal) if isinstance(raw, dict) else None
        if record is None:
            rejected += 1
        else:
            comments.append(record)
    count = _dict(result.get("count"))
    total = json_int(count.get("total"))
    if total is None and count.get("total") is not None:
        logger.warning(
            "the comment API's count %r is not a count newsbot can store: kept as unknown",
            str(count.get("total"))[:40],
        )
    more = _dict(result.get("morePage"))
    exposure = _dict(result.get("exposureConfig"))
    return CommentPage(
        total=total,
        status=_str(exposure.get("status")),
        comments=comments,
        next=_str(more.get("next")),
        end=_str(more.get("end")),
        total_rows=json_int(_dict(result.get("pageModel")).get("totalRows")),
        rejected=rejected,
        items=len(items),
        counts={k: v for k, v in count.items() if isinstance(k, str) and json_int(v) == v},
    )


def comment_record(raw: Mapping[str, Any], *, personal: bool = False) -> dict[str, Any] | None:
    """One ``.comments.jsonl`` record from one API item, ``None`` without a comment number.

    Kept: what a study of comments needs, and the user only as the API already masks it
    (``park****``). The user's id number and profile image are kept only with ``personal``
    (``NEWSBOT_COMMENTS_PERSONAL_FIELDS``)."""
    number = _number(raw.get("commentNo"))
    if number is None:
        return None
    parent = _number(raw.get("parentCommentNo"))
    record: dict[str, Any] = {
        "comment_no": number,
        # The API gives a top-level comment itself as its parent.
        "parent_comment_no": parent if parent and parent != number else None,
        "created_at": comment_time(raw.get("regTime")),
        "modified_at": comment_time(raw.get("modTime")),
        "user": _text(_str(raw.get("maskedUserId")) or _str(raw.get("userName"))),
        "contents": _text(raw.get("contents")),
        "likes": json_int(raw.get("sympathyCount")),
        "dislikes": json_int(raw.get("antipathyCount")),
        # replyAllCount counts deleted replies too, which includeAllStatus lists
        "reply_count": max(
            json_int(raw.get("replyCount")) or 0, json_int(raw.get("replyAllCount")) or 0
        ),
        "best": bool(raw.get("best")),
        "deleted": bool(raw.get("deleted")),
    }
    if personal:
        record["user_id_no"] = _str(raw.get("userIdNo")) or _str(raw.get("idNo"))
        record["user_profile_image"] = _str(raw.get("userProfileImage"))
    return record


def comment_time(value: object) -> str | None:
    """``2022-02-18T22:31:11+0900`` → ``2022-02-18T22:31:11+09:00`` (Korea time)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return moment.astimezone(KST).isoformat()


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _text(value: object) -> str | None:
    """A string of the answer as UTF-8 can hold it: JSON may carry a lone surrogate
    (``"\\ud800"``), which no UTF-8 file can; it becomes U+FFFD."""
    if not isinstance(value, str):
        return None
    return _SURROGATE_RE.sub("\ufffd", value)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def json_int(value: object) -> int | None:
    """A JSON answer's whole number: an int, or a string of ASCII digits, within what SQLite
    and Parquet store (``MAX_COUNT``); None for anything else (a bool, a negative number, a
    number too large for a 64-bit integer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 19):
            return None
        value = int(digits)
    if isinstance(value, int) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> str | None:
    """A comment number as a string of digits (a number in 2021 samples: kept a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 30:
        return value
    return None
