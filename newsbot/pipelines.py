"""Item pipelines: thin adapters over the plain functions, each counting what it sees."""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from newsbot.article import hash_article, normalize_article
from newsbot.dates import kst_date_of
from newsbot.items import FIELD_NAMES, REQUIRED_FIELDS, Article
from newsbot.ledger import Outcome, crawl_ledger
from newsbot.storage import OUT_OF_RANGE, Index, OutputStore, WriteError

logger = logging.getLogger(__name__)
# Optional fields whose absence is worth counting (required ones drop the item instead).
COUNTED_FIELDS = tuple(
    f for f in FIELD_NAMES if f not in ("id", "url", "oid", "aid", "content_hash", "crawled_at")
)


def _article(item: object) -> Article:
    if not isinstance(item, Article):
        raise DropItem(f"not an Article: {type(item).__name__}")
    return item


class NormalizePipeline:
    """Clean every text field (``newsbot.article.normalize_article``)."""

    def process_item(self, item: Article) -> Article:
        return normalize_article(_article(item))


class ValidatePipeline:
    """Count missing fields (``newsbot/field/<name>/missing``); drop articles missing a
    required one."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.ledger = crawl_ledger(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        adapter = ItemAdapter(_article(item))
        for name in COUNTED_FIELDS:
            if adapter.get(name) in (None, "", []):
                self.stats.inc_value(f"newsbot/field/{name}/missing")
        missing = [name for name in REQUIRED_FIELDS if adapter.get(name) in (None, "", [])]
        if missing:
            self.stats.inc_value("newsbot/articles/failed")
            self.stats.inc_value("newsbot/failed/missing_required_field")
            reason = f"missing required field(s) {', '.join(missing)}"
            self.ledger.outcome(item.id, Outcome.FAILED, f"missing_required_field: {reason}")
            raise DropItem(f"{item.url}: {reason}", log_level="ERROR")
        return item


class HashPipeline:
    """Set ``content_hash`` (``newsbot.hashing.content_hash`` of ``content``)."""

    def process_item(self, item: Article) -> Article:
        return hash_article(_article(item))


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

    def process_item(self, item: Article) -> Article:
        article = _article(item)
        assert self.index is not None and article.published_at and article.crawled_at
        published = kst_date_of(article.published_at)
        crawl_args = self.ledger.args
        if (
            crawl_args is not None
            and crawl_args.mode != "urls"
            and not crawl_args.covers(published)
        ):
            # Listing pages can run past the day asked for; remember, don't write.
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
        self._job_done(article.id)
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
