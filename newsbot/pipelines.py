"""Item pipelines: thin adapters over the plain functions, each counting what it sees."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NoReturn

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from newsbot.article import finalize
from newsbot.comments import Status
from newsbot.dates import kst_date_of, now_kst, to_iso
from newsbot.errors import IncompleteArticle, describe_exception
from newsbot.items import FIELD_NAMES, Article, ArticleComments
from newsbot.ledger import Outcome, crawl_ledger
from newsbot.output.index import OUT_OF_RANGE, WRITTEN, Index
from newsbot.output.store import NotWritten, OutputStore, WriteError

logger = logging.getLogger(__name__)
# Optional fields whose absence is worth counting (required ones drop the item instead).
COUNTED_FIELDS = tuple(
    f
    for f in FIELD_NAMES
    if f not in ("id", "url", "oid", "aid", "content_hash", "crawled_at", "comment_count")
)


def _article(item: object) -> Article:
    if not isinstance(item, Article):
        raise DropItem(f"not an Article: {type(item).__name__}")
    return item


class ArticlePipeline:
    """The one processing path (``newsbot.article.finalize``: normalise, validate, hash), as
    ``reparse`` and ``extract`` run it; counts missing optional fields
    (``newsbot/field/<name>/missing``). An article missing a required field, or one the
    processing fails on in any way, is dropped as that article's failure, with its reason."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.ledger = crawl_ledger(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Article | ArticleComments) -> Article | ArticleComments:
        if isinstance(item, ArticleComments):
            return item  # the comments of an article already collected
        article = _article(item)
        try:
            finalize(article)
        except IncompleteArticle as exc:
            self._fail(article, "missing_required_field", str(exc))
        except Exception as exc:  # a bug or a hostile page: this article's failure, named
            self._fail(article, "extract_error", describe_exception(exc))
        adapter = ItemAdapter(article)
        for name in COUNTED_FIELDS:
            if adapter.get(name) in (None, "", []):
                self.stats.inc_value(f"newsbot/field/{name}/missing")
        return article

    def _fail(self, article: Article, kind: str, reason: str) -> NoReturn:
        self.stats.inc_value("newsbot/articles/failed")
        self.stats.inc_value(f"newsbot/failed/{kind}")
        self.ledger.outcome(article.id, Outcome.FAILED, f"{kind}: {reason}")
        raise DropItem(f"{article.url}: {reason}", log_level="ERROR")


class MarkdownExportPipeline:
    """Render each article through the Jinja2 template into ``NEWSBOT_OUTPUT_DIR`` and keep
    the index: new files are written, changed ones rewritten (old hash kept as a revision),
    unchanged ones left alone."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.root = Path(settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.template = settings.get("NEWSBOT_TEMPLATE") or None
        self.index: Index | None = None
        self.ledger = crawl_ledger(crawler)
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MarkdownExportPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.index = getattr(self.crawler.spider, "index", None) or Index(self.root)
        self.store = OutputStore(self.root, template=self.template, index=self.index)

    def process_item(self, item: Article | ArticleComments) -> Article | ArticleComments:
        if isinstance(item, ArticleComments):
            return item  # the comments of an article already collected
        article = _article(item)
        assert self.index is not None and article.published_at and article.crawled_at
        published = kst_date_of(article.published_at)
        crawl_args = self.ledger.args
        if (
            crawl_args is not None
            and crawl_args.mode != "urls"
            and not crawl_args.covers(published)
        ):
            # Listing pages can run past the day asked for; remember, don't write. An article
            # already written (by a crawl of its own day) stays written: refresh=1 on other
            # dates must not downgrade it.
            known = self.index.get(article.id)
            if known is None or known.status != WRITTEN:
                self.index.record(
                    article.id,
                    status=OUT_OF_RANGE,
                    crawled_at=article.crawled_at,
                    published_at=article.published_at,
                )
            self._job_done(article.id)
            self.ledger.outcome(article.id, Outcome.OUT_OF_RANGE)
            self.stats.inc_value("newsbot/articles/out_of_range")
            raise DropItem(
                f"{article.id}: published {published}, outside the dates asked for",
                log_level="DEBUG",
            )
        try:
            outcome = self.store.save(article)
        except WriteError as exc:
            self.ledger.outcome(article.id, Outcome.FAILED, f"write_error: {exc.strerror}")
            self._stop_on_write_error(exc.path, exc.cause)
            raise DropItem(f"{article.id}: {exc.strerror}") from exc
        if article.comments is None and not article.comments_follow:
            self._job_done(article.id)  # else finished once its comments are written too
        self.ledger.outcome(article.id, Outcome(outcome))
        self.stats.inc_value(f"newsbot/articles/{outcome}")
        self.stats.inc_value(f"newsbot/layout/{article.layout}")
        if outcome == "updated":
            logger.info("updated %s (content changed, previous hash kept)", article.id)
        return article

    def _job_done(self, key: str) -> None:
        job = getattr(self.crawler.spider, "job", None)
        if job is not None:
            job.mark_done(key)

    def _stop_on_write_error(self, path: Path, exc: OSError) -> None:
        """A write error (read-only or full disk) ends the crawl: nothing more can be kept."""
        self.stats.inc_value("newsbot/articles/failed")
        self.stats.inc_value("newsbot/failed/write_error")
        if self.stopping:
            return
        self.stopping = True
        reason = f"cannot write to the output directory: {path}: {exc.strerror or exc}"
        self.stats.set_value("newsbot/exit_reason", reason)
        logger.error("%s; stopping the crawl (files already written are intact)", reason)
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_error"))


class CommentsPipeline:
    """Write each article's comments beside its file (``OutputStore.save_comments``: the
    ``.comments.jsonl`` union and ``comment_count``), and give them their outcome in the
    ledger: ``collected``, ``unchanged``, ``off``, ``not_collected`` or ``failed`` (with
    comments asked for, a failed one makes the crawl incomplete; the article stays written).
    Runs after ``MarkdownExportPipeline``: an article it dropped has no comments to write."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.ledger = crawl_ledger(crawler)
        self.keep_deleted_text = crawler.settings.getbool("NEWSBOT_COMMENTS_KEEP_DELETED_TEXT")
        self.root = Path(crawler.settings.get("NEWSBOT_OUTPUT_DIR") or "output").resolve()
        self.store: OutputStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CommentsPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        index = getattr(self.crawler.spider, "index", None) or Index(self.root)
        template = self.crawler.settings.get("NEWSBOT_TEMPLATE") or None
        self.store = OutputStore(self.root, template=template, index=index)

    def process_item(self, item: Article | ArticleComments) -> Article | ArticleComments:
        comments = item if isinstance(item, ArticleComments) else item.comments
        if comments is None:
            return item
        assert self.store is not None
        status, reason = comments.status, comments.reason
        if status != Status.NOT_COLLECTED:
            try:
                held = self.store.save_comments(
                    comments, to_iso(now_kst()) or "", keep_deleted_text=self.keep_deleted_text
                )
            except NotWritten:
                status, reason = Status.NOT_COLLECTED, "the article has no file"
            except WriteError as exc:
                status, reason = Status.FAILED, f"write_error: {exc.strerror}"
                self.stats.set_value("newsbot/exit_reason", str(exc))
                logger.error("%s; comments of %s not written", exc, comments.id)
            except Exception as exc:  # a bug or a hostile record: named, never an outcome lost
                status, reason = Status.FAILED, f"comments not written: {describe_exception(exc)}"
                logger.error("comments of %s not written: %s", comments.id, reason)
            else:
                if held is not None:
                    self.stats.inc_value("newsbot/comments/records", len(comments.comments))
        self.ledger.comments(comments.id, status, reason)
        job = getattr(self.crawler.spider, "job", None)
        if job is not None and status != Status.FAILED:
            job.mark_done(comments.id)
        return item
