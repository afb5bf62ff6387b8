"""The read side of an output directory: the corpus as data (``loader``), ``newsbot
export`` (``export``), ``newsbot stats`` (``stats``, its HTML page ``stats_html``).

    from newsbot.corpus import articles, dataframe

The loader's public names are re-exported here, as when ``newsbot.corpus`` was one module.
"""

from __future__ import annotations

from newsbot.corpus.loader import (
    COLUMNS,
    COMMENT_COLUMNS,
    MAX_COMMENT_DEPTH,
    MAX_COMMENT_LINE,
    MAX_COMMENTS_FILE,
    NAMED_IN_WARNING,
    CorpusWarning,
    Selection,
    UnreadableFile,
    article_files,
    articles,
    comment_records,
    comments,
    dataframe,
)

__all__ = [
    "COLUMNS",
    "COMMENT_COLUMNS",
    "MAX_COMMENTS_FILE",
    "MAX_COMMENT_DEPTH",
    "MAX_COMMENT_LINE",
    "NAMED_IN_WARNING",
    "CorpusWarning",
    "Selection",
    "UnreadableFile",
    "article_files",
    "articles",
    "comment_records",
    "comments",
    "dataframe",
]
