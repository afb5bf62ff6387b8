"""The article item: one schema for the JSON output, the pipelines and the front matter."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypedDict

from newsbot.authors import Author


class Image(TypedDict):
    url: str
    caption: str | None


@dataclass
class Article:
    """One Naver article. Field order is the front-matter and JSON order.

    Missing optional values are ``None`` (never ``""``); ``content`` is the Markdown body.
    """

    id: str
    title: str
    category: str | None
    publisher: str | None
    author: str | None
    published_at: str | None
    crawled_at: str | None
    url: str
    oid: str
    aid: str
    content_hash: str | None
    subtitle: str | None
    categories: list[str] = field(default_factory=list)
    sid: str | None = None
    authors: list[Author] = field(default_factory=list)
    modified_at: str | None = None
    original_url: str | None = None
    images: list[Image] = field(default_factory=list)
    layout: str | None = None
    comment_count: int | None = None  # result.count.total of the comment API (comments=…)
    content: str = ""
    # The comments fetched with the article (comments=count/all), written beside it by
    # ``newsbot.pipelines.CommentsPipeline``: not a field of the file or the JSON.
    comments: ArticleComments | None = field(
        default=None, repr=False, compare=False, metadata={"internal": True}
    )
    # Its comments are being fetched after it (an ``ArticleComments`` item of their own
    # follows): the crawl's job state counts it finished only once they are written.
    comments_follow: bool = field(
        default=False, repr=False, compare=False, metadata={"internal": True}
    )

    def to_dict(self) -> dict[str, Any]:
        """The fields, in order (lists and dicts copied, so the caller may change them)."""
        return {name: _copy(getattr(self, name)) for name in FIELD_NAMES}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


@dataclass
class ArticleComments:
    """What one article's comment fetch gave: the count, and with comments=all every
    comment and reply read (``newsbot.comments.comment_record`` dicts), with its outcome
    (a ``newsbot.comments.Status``). An item of its own, after the article (written first,
    or already collected earlier); with its ``Article`` only when it says why none were
    fetched (sports and entertainment: ``not_collected``)."""

    id: str
    mode: str
    status: str
    count: int | None = None
    comments: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # the API's result.count
    reason: str | None = None  # why it failed
    requests: int = 0


FIELD_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(Article) if not f.metadata.get("internal")
)
#: Fields an article must have to be written; a missing one drops the item (and is counted).
REQUIRED_FIELDS: tuple[str, ...] = ("title", "publisher", "published_at", "content")
