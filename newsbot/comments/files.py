"""The ``.comments.jsonl`` file: its records merged run after run, read and written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from newsbot.comments.api import MAX_RECORD_BYTES
from newsbot.comments.api import _number as comment_number

# -- the .comments.jsonl file ---------------------------------------------------------------


def _order(record: Mapping[str, Any]) -> tuple[int, str, int, int, str]:
    """A thread's reading order: each comment by number, followed by its replies."""
    number = str(record["comment_no"])
    parent = record.get("parent_comment_no")
    top = str(parent) if parent else number
    return (len(top), top, 1 if parent else 0, len(number), number)


def merge_comments(
    old: Iterable[Mapping[str, Any]],
    new: Iterable[Mapping[str, Any]],
    *,
    keep_deleted_text: bool = False,
) -> list[dict[str, Any]]:
    """The union of an earlier run's records and this run's, one per ``comment_no``, in
    reading order. A record read now replaces the earlier one (likes change, comments are
    edited); a comment now deleted keeps its earlier text only with ``keep_deleted_text``."""
    merged: dict[str, dict[str, Any]] = {}
    for record in old:
        merged[str(record["comment_no"])] = dict(record)
    for record in new:
        number = str(record["comment_no"])
        before = merged.get(number)
        after = dict(record)
        if after.get("deleted") and before is not None:
            if keep_deleted_text and before.get("contents"):
                after["contents"] = before["contents"]
            for name in ("created_at", "user"):  # what the API blanks in a deleted one
                if after.get(name) is None and before.get(name) is not None:
                    after[name] = before[name]
        merged[number] = after
    return sorted(merged.values(), key=_order)


def read_jsonl(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """The records of a ``.comments.jsonl`` file, and how many lines could not be read."""
    records, bad = [], 0
    for line in data.splitlines():
        if not line.strip():
            continue
        if len(line) > MAX_RECORD_BYTES:
            bad += 1
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            bad += 1
            continue
        if isinstance(record, dict) and comment_number(record.get("comment_no")) is not None:
            records.append(record)
        else:
            bad += 1
    return records, bad


def dump_jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    """One JSON object a line, UTF-8 (no ``\\u`` escapes but for what JSON requires, and
    U+2028/U+2029, which some JSON-lines readers take for line ends)."""
    lines = []
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        lines.append(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
