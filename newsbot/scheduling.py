"""Scheduler and dupefilter that keep nothing of their own in ``JOBDIR``.

Scrapy's JOBDIR request queue is not safe against SIGKILL (a LIFO disk queue's header
is written only on close; requests already popped are gone), and its persisted
dupefilter then filters the lost requests forever. newsbot resumes differently: the
listings are walked again and every article already in the index (or finished by this
job, see ``newsbot.job``) is skipped, so a killed crawl loses nothing.
"""

from __future__ import annotations

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import build_from_crawler, load_object


class MemoryDupeFilter(RFPDupeFilter):
    """``RFPDupeFilter`` that never writes ``requests.seen``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryDupeFilter:
        debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        return cls(None, debug, fingerprinter=crawler.request_fingerprinter)


class MemoryScheduler(Scheduler):
    """Scrapy's scheduler with memory queues only, whatever ``JOBDIR`` says."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryScheduler:
        settings = crawler.settings
        dupefilter_cls = load_object(settings["DUPEFILTER_CLASS"])
        return cls(
            dupefilter=build_from_crawler(dupefilter_cls, crawler),
            jobdir=None,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
