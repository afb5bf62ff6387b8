"""The raw archive: every fetched page in WARC files, and re-extraction from them.

With ``NEWSBOT_ARCHIVE`` on, each response (status, headers, body as received — for a
browser-rendered page, the rendered DOM) is appended to
``OUTPUT/archive/newsbot-<start>-<pid>-<n>.warc.gz``, one gzip member per record, a new
file past ``NEWSBOT_ARCHIVE_MAX_BYTES``. ``reparse`` reads those files back and runs the
same extraction, normalisation, hashing and writing as a crawl, without any request.

The modules, each importing only those above it here:

- ``records``: WARC record framing, damage, resynchronisation
- ``decode``: a payload de-chunked and decoded, its digest checked
- ``read``: ``read_archive``, ``ArchivedPage``, ``archive_files``
- ``extract``: what a page holds (``skip_reason``, ``extract_archived``, comment answers)
- ``result``: ``ReparseResult``, ``Rank`` (which fetch is newer)
- ``comments``: ``CommentRebuilder``
- ``passes``: ``reparse`` and its passes (plan, write, older fetches, comments)
- ``jobs``: ``reparse_jobs`` (one process per group of files)
- ``write``: ``ArchiveExtension``, ``WarcArchive`` (imports ``records`` only)
"""

from __future__ import annotations

from newsbot.archive.comments import CommentRebuilder
from newsbot.archive.decode import MAX_PAYLOAD_BYTES, _decoded
from newsbot.archive.extract import extract_archived, skip_reason
from newsbot.archive.jobs import ReparseJobError, reparse_jobs, split_files
from newsbot.archive.passes import SUPERSEDED, reparse
from newsbot.archive.read import ArchivedPage, ReadStats, archive_files, read_archive
from newsbot.archive.records import MAX_RECORD_BYTES, RENDERED_HEADER
from newsbot.archive.result import Rank, ReparseResult
from newsbot.archive.write import ArchiveExtension, ArchiveWriteError, WarcArchive

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MAX_RECORD_BYTES",
    "RENDERED_HEADER",
    "SUPERSEDED",
    "ArchiveExtension",
    "ArchiveWriteError",
    "ArchivedPage",
    "CommentRebuilder",
    "Rank",
    "ReadStats",
    "ReparseJobError",
    "ReparseResult",
    "WarcArchive",
    "_decoded",
    "archive_files",
    "extract_archived",
    "read_archive",
    "reparse",
    "reparse_jobs",
    "skip_reason",
    "split_files",
]
