"""Where an output directory's files are: names, sizes newsbot reads back, and the paths it writes.

Layout: ``OUTPUT/YYYY/MM/DD/{oid}_{aid}.md`` (published date, Korea time), its
``….comments.jsonl`` beside it, and ``OUTPUT/newsbot-index.sqlite3``. Paths are built only
from a validated ``ArticleId`` and a date, so they always stay inside the output directory.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from newsbot.comments import comments_file
from newsbot.urls import ArticleId

INDEX_NAME = "newsbot-index.sqlite3"
#: The largest files of its own the crawl reads back (a FIFO or a huge file put in their
#: place is refused, never read: ``safeio.read_regular``).
MAX_ARTICLE_FILE = 32 * 1024 * 1024
MAX_COMMENTS_FILE = 1024 * 1024 * 1024
TEMP_PREFIX = ".newsbot-tmp-"

#: The only paths newsbot writes: YYYY/MM/DD/{oid}_{aid}.md, relative to the output root.
_ARTICLE_PATH_RE = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{3}_[0-9]{10}\.md")


def inside(root: Path, relative: str | None) -> Path | None:
    """The file an index entry names, if it is one newsbot could have written inside
    ``root`` (``YYYY/MM/DD/oid_aid.md``, no link leading out); else ``None``: a path read
    from the index is data, never trusted to delete, rename or read."""
    if not relative or not _ARTICLE_PATH_RE.fullmatch(relative):
        return None
    path = root / relative
    try:
        if not path.resolve().is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return path


def comments_path(root: Path, relative: str | None) -> Path | None:
    """``YYYY/MM/DD/{oid}_{aid}.comments.jsonl`` beside the file an index entry names."""
    md = inside(root, relative)
    return comments_file(md) if md is not None else None


def article_path(root: Path, article_id: ArticleId, published: date) -> Path:
    """``root/YYYY/MM/DD/{oid}_{aid}.md`` — from validated parts only."""
    if not isinstance(article_id, ArticleId) or not isinstance(published, date):
        raise TypeError("article_path takes an ArticleId and a date")
    return root / f"{published:%Y}" / f"{published:%m}" / f"{published:%d}" / f"{article_id.key}.md"
