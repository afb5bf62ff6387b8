"""The content hash: the one definition of how an article's text is fingerprinted."""

from __future__ import annotations

import hashlib


def content_hash(content: str) -> str:
    """SHA-256 (hex) of ``content`` encoded as UTF-8 — the Markdown file's body, exactly."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()
