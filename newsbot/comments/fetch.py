"""The crawl's comment requests, beside the spider: a thread started after its article is
written (or for an article collected earlier), its pages and replies, and its end, as an
``ArticleComments`` item of its own. The spider keeps only the callbacks the requests name
(``parse_comments``, ``comments_failed``: queued Redis requests name spider methods) and
hands them here."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from newsbot.args import CrawlArgs
from newsbot.comments.api import (
    COMMENT_HOST,
    MAX_ANSWER_BYTES,
    Mode,
    Status,
    parse_comment_page,
    referer,
)
from newsbot.comments.stash import CommentStash, StashLost
from newsbot.comments.thread import Done, Fetch, Thread
from newsbot.dates import kst_date_of
from newsbot.errors import describe_exception, describe_failure
from newsbot.items import Article, ArticleComments
from newsbot.job import JobState
from newsbot.ledger import Ledger
from newsbot.output.index import WRITTEN, Index, IndexEntry
from newsbot.output.paths import comments_path
from newsbot.urls import NEWS, ArticleId

logger = logging.getLogger(__name__)

#: Comment requests go before articles and listings: an article waits for its comments
#: before it is written, so its thread is finished first (memory stays flat).
COMMENT_PRIORITY = 10


@dataclass
class CommentFetch:
    """One crawl's comment requests: what the crawl asked for (``args.comments``), where
    outcomes go (the index, the job state, the ledger, the stats through ``count``), where
    what was read is kept (``stash``), and the spider's callbacks its requests name."""

    args: CrawlArgs
    index: Index
    ledger: Ledger
    stash: CommentStash
    count: Callable[..., None]
    callback: Callable[..., Any]
    errback: Callable[..., Any]
    job: JobState | None = None
    personal: bool = False  # NEWSBOT_COMMENTS_PERSONAL_FIELDS

    def with_article(
        self, article_id: ArticleId, article: Article, kind: str, template: str | None = None
    ) -> Iterator[Article | scrapy.Request]:
        """The article, then (comments asked for) the first request of its comments: the
        article is written first, and its comments follow as those of an article already
        collected do, so that no request ever carries the article."""
        mode = self.args.comments
        if mode is Mode.OFF or not self.will_be_written(article):
            yield article  # (outside the dates: the export pipeline records it, unwritten)
            return
        if kind != NEWS:
            # Sports and entertainment: their comment pools are not known (docs/naver.md).
            article.comments = ArticleComments(article_id.key, mode.value, Status.NOT_COLLECTED)
            self.count(f"newsbot/comments/{Status.NOT_COLLECTED}")
            yield article
            return
        entry = self.index.get(article_id.key)
        thread = Thread.start(article_id.key, mode, template=template, **self.known(entry))
        article.comments_follow = True  # finished (JobState) once its comments are written
        yield article
        yield self.request(thread, new=True)

    def will_be_written(self, article: Article) -> bool:
        """Not known to be outside the dates asked for (listings run past their day): the
        comments of an article that will not be written are not fetched."""
        args = self.args
        if args.mode == "urls" or not article.published_at:
            return True
        try:
            return args.covers(kst_date_of(article.published_at))
        except (ValueError, TypeError, OverflowError):
            return True  # the pipeline decides (and names the failure)

    def known(self, entry: IndexEntry | None) -> dict[str, Any]:
        """What the last run read of the comments (``Thread.start``'s ``previous`` and
        ``previous_counts``), when they are all on disk: with comments=all a count probe that
        finds them unchanged ends the fetch."""
        if self.args.comments is not Mode.ALL:
            return {}  # comments=count asks for the count every time
        if entry is None or entry.status != WRITTEN or not entry.comment_counts:
            return {}  # never read whole (or a read failed part way): read them all
        path = comments_path(self.index.root, entry.path)
        if path is None or not path.is_file():
            return {}
        counts = entry.comment_counts
        return {"previous": counts.get("total"), "previous_counts": counts}

    def of_collected(self, article_id: ArticleId, kind: str) -> Iterator[scrapy.Request]:
        """An article already collected: fetch its comments again (comments=all ends with the
        union), without its page. The ledger has the comments' outcome in every case."""
        key = article_id.key
        if self.job is not None and self.job.is_done(key):
            # Finished earlier in this job, comments included.
            self.ledger.comments(key, Status.UNCHANGED, None)
            return
        entry = self.index.get(key)
        if entry is None or entry.status != WRITTEN:
            self.ledger.comments(key, Status.NOT_COLLECTED, None)  # no file to go with
            return
        # The site it was written from, not the listing's (an n.news list names articles
        # that redirect to sports or entertainment).
        kind = self.index.article_kind(key) or kind
        if kind != NEWS:
            self.ledger.comments(key, Status.NOT_COLLECTED, None)
            self.count(f"newsbot/comments/{Status.NOT_COLLECTED}")
            return
        thread = Thread.start(key, self.args.comments, **self.known(entry))
        yield self.request(thread, new=True)

    def request(self, thread: Thread, *, new: bool = False) -> scrapy.Request:
        """The next request of an article's comments: always with the article's page as
        Referer (without it the API answers 3999), on the comments' own download slot. It
        carries the thread's ids, cursor and counters; what was read stays in the stash."""
        if new:
            self.stash.start(thread)
        self.count("newsbot/comments/requests")
        return scrapy.Request(
            thread.url(),
            callback=self.callback,
            errback=self.errback,
            headers={"Referer": referer(thread.article_id), "Accept": "*/*"},
            cb_kwargs={"thread": thread.to_dict()},
            meta={
                "download_slot": COMMENT_HOST,
                "autothrottle_dont_adjust_delay": True,
                "download_maxsize": MAX_ANSWER_BYTES,
            },
            priority=COMMENT_PRIORITY,
            dont_filter=True,  # a thread's own follow-up, as a retry is
        )

    def parse(
        self, response: Response, thread: dict[str, Any]
    ) -> Iterator[ArticleComments | scrapy.Request]:
        """One answer of a thread: its next request, or its end."""
        state = Thread.from_dict(thread)
        step: Fetch | Done
        try:
            self.stash.load(state)
            step = state.take(parse_comment_page(response.body, personal=self.personal))
            self.stash.save(state)
        except StashLost as exc:
            step = Done(Status.FAILED, f"the comments read so far are lost: {exc}")
        except OSError as exc:
            where = exc.filename or self.stash.dir
            step = Done(Status.FAILED, f"cannot keep the comments read: {where}: {exc.strerror}")
        except Exception as exc:  # CommentApiError, or a hostile answer: named
            step = Done(Status.FAILED, f"{describe_exception(exc)} ({response.url[:300]})")
        if isinstance(step, Fetch):
            yield self.request(state)
        else:
            yield from self.done(state, step)

    def failed(self, failure: Failure) -> Iterator[ArticleComments]:
        """A request of a thread failed (after its retries): the thread ends, failed."""
        request = failure.request  # type: ignore[attr-defined]
        state = Thread.from_dict(request.cb_kwargs["thread"])
        with contextlib.suppress(StashLost):
            self.stash.load(state)  # what was read before is still written
        reason = f"{describe_failure(failure, request)} ({request.url[:300]})"
        yield from self.done(state, Done(Status.FAILED, reason))

    def done(self, thread: Thread, done: Done) -> Iterator[ArticleComments]:
        """The thread is over: the article's comments, as an item of their own (the article
        was written before its comments were asked for). Failed comments never lose the
        article; the failure goes to the ledger when the comments are saved."""
        self.count(f"newsbot/comments/{done.status}")
        if thread.rejected:
            self.count("newsbot/comments/rejected_items", thread.rejected)
        if done.status == Status.FAILED:
            logger.error("comments failed: %s: %s", thread.article_id.url, done.reason)
        records = list(thread.comments.values()) if thread.mode == Mode.ALL else []
        self.stash.drop(thread)
        yield ArticleComments(
            thread.key,
            thread.mode,
            done.status.value,
            thread.count,
            records,
            thread.counts,
            done.reason,
            thread.requests,
        )
