"""The article item: one schema for the JSON output, the pipelines and the front matter."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
    content: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Article))
#: Fields an article must have to be written; a missing one drops the item (and is counted).
REQUIRED_FIELDS: tuple[str, ...] = ("title", "publisher", "published_at", "content")
