"""What a reparse did (``ReparseResult``), and which of two fetches is the newer (``Rank``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsbot.archive.read import ArchivedPage


def _when(fetched: str) -> float:
    """A record's ``WARC-Date`` as POSIX seconds (any offset; none is UTC), ``-inf`` when
    it has none that reads."""
    try:
        moment = datetime.fromisoformat(fetched.strip())
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


Rank = tuple[float, int, int]  # (fetch time, file, n): the newer fetch is the greater


def _rank(page: ArchivedPage) -> Rank:
    """Which fetch is newer: by ``WARC-Date``; at the same second, the one read later
    (a later file in the command's order, or later in the same file)."""
    return (_when(page.fetched), *page.where)


@dataclass
class ReparseResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # records without an article, by kind
    records: int = 0  # pages (response records) and revisits read
    comment_pages: int = 0  # comment API answers read
    comment_articles: int = 0  # articles whose comments were written again
    seconds: float = 0.0
    bytes_read: int = 0  # of the archive files, as stored
    # The chosen fetches that gave no article, by article: an older fetch is tried next.
    unwritten: dict[str, Rank] = field(default_factory=dict)
    failed_keys: dict[str, list[str]] = field(default_factory=dict)  # article: failed URLs
    # Failures of a newer fetch whose article an older fetch gave (URL: why): not failures.
    replaced: dict[str, str] = field(default_factory=dict)
    phase: str = "write"  # of a progress report: "plan" (headers only) or "write"

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())

    def skipped_line(self) -> str:
        """``skipped 45 record(s): 30 non-Naver, 8 robots.txt, 5 revisit, 2 not 200``
        (most first), or ``""`` when nothing was skipped."""
        total = sum(self.skipped.values())
        if not total:
            return ""
        kinds = sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
        return f"skipped {total} record(s): " + ", ".join(f"{n} {kind}" for kind, n in kinds)

    def add(self, part: ReparseResult) -> None:
        """Count ``part`` (another job's, or another pass's) in."""
        self.outcomes.update(part.outcomes)
        self.failures.update(part.failures)
        self.problems.extend(part.problems)
        self.skipped.update(part.skipped)
        self.records += part.records
        self.comment_pages += part.comment_pages
        self.comment_articles += part.comment_articles
        self.bytes_read += part.bytes_read
        self.unwritten.update(part.unwritten)
        for key, urls in part.failed_keys.items():
            self.failed_keys.setdefault(key, []).extend(urls)
        self.replaced.update(part.replaced)
