"""Comments (댓글): Naver's comment-box API (``api``), a thread's paging (``thread``), the
comments read so far kept beside the output (``stash``), the ``.comments.jsonl`` file
(``files``), and the crawl's comment requests (``fetch``, imported by the spider itself: it
needs Scrapy and the index, which the rest does not)."""

from newsbot.comments.api import (
    COMMENT_API,
    COMMENT_HOST,
    MAX_ANSWER_BYTES,
    MAX_COUNT,
    MAX_PAGES,
    MAX_RECORD_BYTES,
    PAGE_SIZE,
    STASH_DIR,
    SUFFIX,
    CommentApiError,
    CommentPage,
    Mode,
    Status,
    comment_record,
    comment_time,
    comment_url,
    comments_file,
    json_int,
    parse_comment_page,
    referer,
    template_id_of,
    unwrap_jsonp,
)
from newsbot.comments.files import dump_jsonl, merge_comments, read_jsonl
from newsbot.comments.stash import CommentStash, StashLost
from newsbot.comments.thread import Done, Fetch, ReadSoFar, Thread

__all__ = [
    "COMMENT_API",
    "COMMENT_HOST",
    "MAX_ANSWER_BYTES",
    "MAX_COUNT",
    "MAX_PAGES",
    "MAX_RECORD_BYTES",
    "PAGE_SIZE",
    "STASH_DIR",
    "SUFFIX",
    "CommentApiError",
    "CommentPage",
    "CommentStash",
    "Done",
    "Fetch",
    "Mode",
    "ReadSoFar",
    "StashLost",
    "Status",
    "Thread",
    "comment_record",
    "comment_time",
    "comment_url",
    "comments_file",
    "dump_jsonl",
    "json_int",
    "merge_comments",
    "parse_comment_page",
    "read_jsonl",
    "referer",
    "template_id_of",
    "unwrap_jsonp",
]
