"""Check a written Markdown file: its body hashes to the ``content_hash`` in its front matter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from newsbot.hashing import content_hash

_FOOTER = "\n\n---\n\n*Crawled at:"


@dataclass(frozen=True)
class ParsedFile:
    front_matter: dict[str, Any]
    body: str


def split_markdown(text: str) -> ParsedFile:
    """Front matter and body of a file written with the default template.

    The body is everything between the ``---`` line that follows the heading block and the
    last ``---`` line before the ``*Crawled at:`` footer, without the blank line on each side.
    """
    if not text.startswith("---\n"):
        raise ValueError("no YAML front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter is not closed")
    front = yaml.safe_load(text[4 : end + 1])
    if not isinstance(front, dict):
        raise ValueError("front matter is not a mapping")
    rest = text[end + 5 :]
    start = rest.find("\n---\n\n")
    stop = rest.rfind(_FOOTER)
    if start < 0 or stop < start:
        raise ValueError("body separators not found")
    return ParsedFile(front, rest[start + 6 : stop])


def verify_text(text: str) -> str | None:
    """``None`` when the file's body hashes to its ``content_hash``, else the reason."""
    try:
        parsed = split_markdown(text)
    except (ValueError, yaml.YAMLError) as exc:
        return f"unreadable: {exc}"
    expected = parsed.front_matter.get("content_hash")
    actual = content_hash(parsed.body)
    if expected != actual:
        return f"content_hash {expected} does not match body sha256 {actual}"
    return None
