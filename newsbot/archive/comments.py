"""Archived comment answers written back as ``.comments.jsonl`` (``CommentRebuilder``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from newsbot.archive.extract import _CommentRequest
from newsbot.archive.read import ArchivedPage
from newsbot.archive.result import Rank, ReparseResult, _rank
from newsbot.comments import Mode, Status, merge_comments, parse_comment_page
from newsbot.dates import to_iso
from newsbot.errors import describe_exception
from newsbot.items import ArticleComments
from newsbot.output.store import NotWritten, OutputStore, WriteError


def _setting(name: str) -> bool:
    """A boolean setting as every command reads it (``newsbot.config.value``: the
    environment, else the settings module, else the default)."""
    from newsbot import config

    return bool(config.value(name))


@dataclass
class _Answers:
    """What the comment answers of one article read so far hold: per ``comment_no`` the
    record of the newest answer that listed it (with its rank), the count of the newest
    counting answer, and when the newest answer was fetched."""

    mode: str = Mode.COUNT
    records: dict[str, tuple[Rank, dict[str, Any]]] = field(default_factory=dict)
    counted: Rank | None = None
    count: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    newest: Rank | None = None
    fetched: str = ""


class CommentRebuilder:
    """Rebuilds ``.comments.jsonl`` files and ``comment_count`` from archived comment
    answers, as the crawl wrote them (``OutputStore.save_comments``: the union of what
    every answer listed). The newest answer wins whatever order the answers are read in
    (their rank, as articles': ``WARC-Date``, then file and record order): per
    ``comment_no`` the newest answer that listed it, the count (a probe, ``pageSize=1``,
    or a first page) and the comments' time from the newest.

    An article is written once all its answers are read (``expected``, counted by the
    plan pass), else at the end; when more than ``held`` articles are waiting, the one
    touched least recently is written early, and what it had is kept (ranks, count) so that
    an older answer read later changes nothing it should not."""

    def __init__(
        self,
        store: OutputStore,
        result: ReparseResult,
        held: int = 256,
        expected: Counter[str] | None = None,
    ) -> None:
        self.store = store
        self.result = result
        self.held = held
        self.expected = expected if expected is not None else Counter()
        # As the crawl that wrote them had them (the environment, the settings module).
        self.personal = _setting("NEWSBOT_COMMENTS_PERSONAL_FIELDS")
        self.keep_deleted_text = _setting("NEWSBOT_COMMENTS_KEEP_DELETED_TEXT")
        self.waiting: dict[str, _Answers] = {}
        self.written: dict[str, _Answers] = {}  # written early: the ranks, without records
        self.seen: Counter[str] = Counter()  # answers read, per article

    def add(self, page: ArchivedPage, request: _CommentRequest) -> None:
        answer = parse_comment_page(page.body, personal=self.personal)  # errors: named above
        key = request.article.key
        item = self.waiting.pop(key, None) or _Answers()
        self.waiting[key] = item  # last touched last
        rank = _rank(page)
        if item.newest is None or rank > item.newest:
            item.newest, item.fetched = rank, page.fetched
        counts = answer.total is not None and request.first  # a probe, or a first page
        if counts and (item.counted is None or rank > item.counted):
            item.counted, item.count, item.counts = rank, answer.total, answer.counts
        if not request.probe:
            item.mode = Mode.ALL
            for record in answer.comments:
                if request.parent is not None and record["parent_comment_no"] != request.parent:
                    continue  # (a reply list may repeat its parent, as Thread.take knows)
                self._keep(item, rank, record)
        self.result.comment_pages += 1
        self.seen[key] += 1
        if self.seen[key] >= self.expected[key] > 0:
            self.write(key)
        elif len(self.waiting) > self.held:
            self.write(next(iter(self.waiting)))

    def missed(self, key: str) -> None:
        """An answer of ``key`` that could not be read: one fewer to wait for."""
        self.seen[key] += 1
        if key in self.waiting and self.seen[key] >= self.expected[key] > 0:
            self.write(key)

    def _keep(self, item: _Answers, rank: Rank, record: dict[str, Any]) -> None:
        number = str(record["comment_no"])
        before = item.records.get(number)
        if before is None:
            item.records[number] = (rank, record)
            return
        (_, old), (new_rank, new) = sorted([before, (rank, record)], key=lambda r: r[0])
        # The newer wins; a deleted one keeps what the API blanks (merge_comments' rules).
        merged = merge_comments([old], [new], keep_deleted_text=self.keep_deleted_text)
        item.records[number] = (new_rank, merged[0])

    def write(self, key: str) -> None:
        item = self.waiting.pop(key)
        earlier = self.written.get(key)
        if earlier is not None:  # written early: what an older answer read now may change
            if earlier.newest is not None and (item.newest is None or earlier.newest > item.newest):
                item.newest, item.fetched = earlier.newest, earlier.fetched
            if earlier.counted is not None and (
                item.counted is None or earlier.counted > item.counted
            ):
                item.counted, item.count, item.counts = (
                    earlier.counted,
                    earlier.count,
                    earlier.counts,
                )
            item.records = {
                n: kept
                for n, kept in item.records.items()
                if n not in earlier.records or kept[0] > earlier.records[n][0]
            }
            if earlier.mode == Mode.ALL:
                item.mode = Mode.ALL
        comments = ArticleComments(key, item.mode, Status.COLLECTED, count=item.count)
        comments.counts = item.counts
        comments.comments = [record for _, record in item.records.values()]
        expected = self.expected[key]
        if earlier is not None or not expected or self.seen[key] < expected:  # may come again
            kept = replace(item, records=dict((earlier or item).records))
            kept.records.update((n, (rank, {})) for n, (rank, _) in item.records.items())
            self.written[key] = kept
        try:
            when = to_iso(datetime.fromisoformat(item.fetched)) if item.fetched else None
            self.store.save_comments(comments, when or "", keep_deleted_text=self.keep_deleted_text)
        except NotWritten:
            self.result.skipped["comments of an article not written"] += 1
            return
        except WriteError:
            raise
        except Exception as exc:  # a hostile record: named, and the others still written
            self.result.failures[f"comments of {key}"] = describe_exception(exc)
            return
        self.result.comment_articles += 1 if earlier is None else 0

    def finish(self) -> None:
        while self.waiting:
            self.write(next(iter(self.waiting)))
