"""``reparse``: plan, write the newest fetch of each article, then older ones, then comments."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbot.archive.comments import CommentRebuilder
from newsbot.archive.extract import _article_key, _comment_page, extract_archived, skip_reason
from newsbot.archive.read import ArchivedPage, ReadStats, _read_files, archive_files
from newsbot.archive.result import Rank, ReparseResult, _rank
from newsbot.dates import kst_date_of
from newsbot.errors import NewsbotError, describe_exception
from newsbot.output.store import OutputStore

SUPERSEDED = "superseded"  # the skip kind of a fetch that a newer fetch of its article replaced


@dataclass
class _Plan:
    """What the first pass over the archives found: every fetch of each article (its
    ranks, newest last once ``sort``-ed), which files hold comment answers and how many
    answers each article has, and how far each file was read (``sizes``)."""

    fetches: dict[str, list[Rank]] = field(default_factory=dict)
    comment_files: set[int] = field(default_factory=set)
    answers: Counter[str] = field(default_factory=Counter)
    sizes: dict[int, int] = field(default_factory=dict)

    def merge(self, part: _Plan) -> None:
        for key, ranks in part.fetches.items():
            self.fetches.setdefault(key, []).extend(ranks)
        self.comment_files |= part.comment_files
        self.answers.update(part.answers)
        self.sizes.update(part.sizes)

    def sort(self) -> None:
        for ranks in self.fetches.values():
            ranks.sort()


def _plan_part(
    files: list[tuple[int, Path]], progress: Callable[[ReparseResult], None] | None = None
) -> _Plan:
    """Every fetch of each article in ``files``, and their comment answers; headers and
    digests only, no payload decoded, no extraction. ``progress`` (``phase`` ``plan``) is
    called after every record."""
    plan = _Plan()
    stats = ReadStats()
    report = ReparseResult(phase="plan")
    started = time.monotonic()
    for page in _read_files(files, [], stats, _never, sizes=None):
        if progress is not None:
            report.records += 1
            report.bytes_read = stats.bytes_read
            report.seconds = time.monotonic() - started
            progress(report)
        request = _comment_page(page.url)
        if request is not None:
            plan.comment_files.add(page.where[0])
            if page.status == 200:
                plan.answers[request.article.key] += 1
            continue
        key = _article_key(page)
        if key is not None:
            plan.fetches.setdefault(key, []).append(_rank(page))
    plan.sizes = stats.sizes
    return plan


def _never(page: ArchivedPage) -> bool:
    return False


def _write_part(
    files: list[tuple[int, Path]],
    chosen: set[Rank],
    store: OutputStore,
    start: str | None,
    end: str | None,
    *,
    first: bool,
    sizes: dict[int, int] | None = None,
    progress: Callable[[ReparseResult], None] | None = None,
) -> ReparseResult:
    """Extract and write the ``chosen`` fetches of ``files`` (read as far as ``sizes``:
    the plan pass saw no further). The first pass also counts every other record (skipped
    by kind, ``superseded`` for an older fetch) and the damage found; a later one (older
    fetches of articles whose newest gave none) only its own."""
    result = ReparseResult()
    stats = ReadStats()  # what the reader skipped (revisits …), merged into result.skipped
    problems = result.problems if first else []
    started = time.monotonic()

    def wanted(page: ArchivedPage) -> bool:
        if _rank(page) in chosen:
            return True
        return (
            first
            and skip_reason(page) is None
            and _comment_page(page.url) is None
            and (_article_key(page) is None)
        )

    def merge() -> None:
        if first:
            result.records += sum(stats.skipped.values())
            result.skipped.update(stats.skipped)
        stats.skipped.clear()
        result.bytes_read = stats.bytes_read
        result.seconds = time.monotonic() - started

    for page in _read_files(files, problems, stats, wanted, sizes):
        rank = _rank(page)
        if rank in chosen:
            result.records += 1 if first else 0
            key = _article_key(page)
            if not _reparse_page(page, store, result, start, end) and key is not None:
                result.unwritten[key] = rank
                if page.url in result.failures:
                    result.failed_keys.setdefault(key, []).append(page.url)
        elif first:
            reason = skip_reason(page)
            if reason is not None or _comment_page(page.url) is None:
                result.records += 1
                if reason is None and _article_key(page) is not None:
                    result.skipped[SUPERSEDED] += 1
                else:  # skipped by kind, or an article only extraction can tell
                    _reparse_page(page, store, result, start, end)
        # (comment answers are read after every article is written: _rebuild_comments)
        if progress is not None:
            merge()
            progress(result)
    merge()
    return result


def _reparse_page(
    page: ArchivedPage,
    store: OutputStore,
    result: ReparseResult,
    start: str | None,
    end: str | None,
) -> bool:
    """Extract and write one page; whether its article was settled (written, or outside
    the dates) rather than skipped or failed."""
    reason = skip_reason(page)
    if reason is not None:
        result.skipped[reason] += 1
        return False
    if page.error is not None:
        result.failures[page.url] = page.error
        return False
    try:
        article = extract_archived(page)
    except NewsbotError as exc:
        result.failures[page.url] = f"{type(exc).__name__}: {exc}"
        return False
    except Exception as exc:  # a hostile record: report it and go on with the next
        result.failures[page.url] = describe_exception(exc)
        return False
    if article is None:
        result.skipped["not an article"] += 1
        return False
    known = store.index.get(article.id)
    published = str(kst_date_of(article.published_at)) if article.published_at else ""
    outside = page.dates is not None and not page.dates[0] <= published <= page.dates[1]
    outside = outside or (start is not None and published < start)
    outside = outside or (end is not None and (not published or published > end))
    if outside or (known is not None and known.status == "out_of_range"):
        result.outcomes["out_of_range"] += 1
        return True
    result.outcomes[store.save(article)] += 1
    return True


def _rebuild_comments(
    files: list[tuple[int, Path]],
    store: OutputStore,
    expected: Counter[str] | None = None,
    sizes: dict[int, int] | None = None,
) -> ReparseResult:
    """The comment answers of ``files``, once every article is written (an answer needs
    its article's file); one process, so that answers of one article in several files are
    merged, not raced. ``expected``: how many answers each article has (the plan's)."""
    result = ReparseResult()
    comments = CommentRebuilder(store, result, expected=expected)

    def wanted(page: ArchivedPage) -> bool:
        return page.status == 200 and _comment_page(page.url) is not None

    for page in _read_files(files, [], ReadStats(), wanted, sizes):
        request = _comment_page(page.url)
        if request is None or skip_reason(page) is not None:
            continue
        result.records += 1
        try:
            if page.error is not None:
                raise ValueError(page.error)
            comments.add(page, request)
        except Exception as exc:  # success:false, or a hostile record: named, then go on
            result.failures[page.url] = describe_exception(exc)
            comments.missed(request.article.key)
    comments.finish()
    return result


def reparse(
    inputs: Iterable[Path],
    store: OutputStore,
    *,
    start: str | None = None,
    end: str | None = None,
    progress: Callable[[ReparseResult], None] | None = None,
) -> ReparseResult:
    """Extract every archived article page again and write it through ``store``.

    The newest fetch of an article (by ``WARC-Date``, whatever file it is in; at the same
    second the one read later) is the one written; older fetches are counted as
    ``superseded`` (an older one is extracted only when the newer gives no article: it
    failed, or holds none). Articles outside the dates of the crawl that fetched them (its
    ``warcinfo`` record says which) stay unwritten, as in that crawl; so do those published
    (Korea time) before ``start`` or after ``end`` (``YYYY-MM-DD``), the only date range of
    archives written by other tools. Records without an article are counted in ``skipped``
    by kind (see ``skip_reason``). ``progress`` is called after every record of the pass
    that plans (``phase`` ``plan``: headers read) and of the pass that writes.
    """
    files = _numbered(inputs)

    def run(step: str, groups: list[list[tuple[int, Path]]], args: list[tuple[Any, ...]]) -> Any:
        for group, arg in zip(groups, args, strict=True):
            if step == "plan":
                yield _plan_part(group, progress)
            else:
                chosen, s, e, first, sizes = arg
                yield _write_part(
                    group, chosen, store, s, e, first=first, sizes=sizes, progress=progress
                )

    return _reparse_passes(files, [files], run, store, start, end)


def _reparse_passes(
    files: list[tuple[int, Path]],
    groups: list[list[tuple[int, Path]]],
    run: Callable[[str, list[list[tuple[int, Path]]], list[tuple[Any, ...]]], Iterable[Any]],
    comment_store: OutputStore | Callable[[], OutputStore],
    start: str | None,
    end: str | None,
) -> ReparseResult:
    """The passes of a reparse, each over ``groups`` of ``files`` through ``run`` (in this
    process, or one job per group): one reads the headers, for every fetch of every article
    (``_Plan``); one writes the newest fetch of each; for the articles whose fetch gave
    none, another writes the next older fetch, reading only the files that hold one, until
    none is left; then the comment answers. Every pass reads a file as far as the plan
    did: records appended since are named, never counted as ``superseded``.

    A newer fetch that failed is a failure only when no older one gives its article; when
    one does, it is named in ``replaced``, not ``failures``."""
    started = time.monotonic()
    total = ReparseResult()
    plan = _Plan()
    for part in run("plan", groups, [()] * len(groups)):
        plan.merge(part)
    plan.sort()
    left = {key: len(ranks) - 1 for key, ranks in plan.fetches.items()}  # next to try
    chosen = {ranks[-1] for ranks in plan.fetches.values()}
    first = True
    failed: dict[str, list[str]] = {}
    while chosen or first:
        holding = {rank[1] for rank in chosen}
        now = groups if first else [[f for f in g if f[0] in holding] for g in groups]
        now = [g for g in now if g]
        args = []
        for group in now:
            numbers = {number for number, _ in group}
            mine = {r for r in chosen if r[1] in numbers}
            args.append((mine, start, end, first, {n: plan.sizes.get(n, 0) for n in numbers}))
        unwritten: dict[str, Rank] = {}
        for part in run("write", now, args):
            unwritten.update(part.unwritten)
            for key, urls in part.failed_keys.items():
                failed.setdefault(key, []).extend(urls)
            part.unwritten, part.failed_keys = {}, {}
            total.add(part)
        if not first:  # counted as superseded by the first pass: extracted after all
            total.skipped[SUPERSEDED] -= len(chosen)
            if not total.skipped[SUPERSEDED]:
                del total.skipped[SUPERSEDED]
            for key in {k for k in failed if k not in unwritten}:  # an older fetch gave it
                for url in failed.pop(key):
                    if url in total.failures:
                        total.replaced[url] = total.failures.pop(url)
        first = False
        chosen, trying = set(), set()
        for key in unwritten:
            left[key] -= 1
            if left[key] >= 0:
                chosen.add(plan.fetches[key][left[key]])
                trying.add(key)
        failed = {key: urls for key, urls in failed.items() if key in trying}  # (the rest stay)
    if plan.comment_files:
        own = not isinstance(comment_store, OutputStore)
        store = comment_store if isinstance(comment_store, OutputStore) else comment_store()
        try:
            comment_files = [f for f in files if f[0] in plan.comment_files]
            total.add(_rebuild_comments(comment_files, store, plan.answers, plan.sizes))
        finally:
            if own:
                store.index.close()
    total.seconds = time.monotonic() - started
    return total


def _numbered(inputs: Iterable[Path]) -> list[tuple[int, Path]]:
    """The archive files, each once, numbered in the command's order (which of two fetches
    at the same second is the later)."""
    seen: dict[Path, int] = {}
    for path in archive_files(inputs):
        seen.setdefault(path, len(seen))
    return [(n, path) for path, n in seen.items()]
