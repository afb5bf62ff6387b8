"""The hashes: the one definition of how an article's text, and a written file, are
fingerprinted."""

from __future__ import annotations

import hashlib
from typing import BinaryIO


def content_hash(content: str) -> str:
    """SHA-256 (hex) of ``content`` encoded as UTF-8 — the Markdown file's body, exactly."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def file_hash(data: bytes | BinaryIO) -> str:
    """SHA-256 (hex) of a file's bytes exactly as written, front matter and all (``data``:
    the bytes, or a binary handle read to its end): what the index keeps to tell a file
    changed after newsbot wrote it (``verify``)."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    while chunk := data.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()
