"""Scrapy settings for newsbot. Every ``NEWSBOT_*`` setting is in the table of
``newsbot/config.py`` (and docs/settings.md); override any of them with ``-s NAME=value``
or the environment variable of the same name."""

from __future__ import annotations

from scrapy.settings import default_settings

from newsbot import config

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# -- newsbot's own settings ------------------------------------------------------------------
# Every NEWSBOT_* setting, its type, default and one line of help is in one table,
# newsbot/config.py (docs/settings.md is printed from it): here are the defaults. A value
# comes from -s or an option, else the environment variable of the same name, else this
# module (or your project's), else the default.
globals().update(config.defaults())

# -- politeness (see README "Responsible use") ----------------------------------------------
# Naver's robots.txt disallows crawlers; obeying it means collecting nothing. Whether to
# crawl is the user's decision: set -s ROBOTSTXT_OBEY=True to honour it.
ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # an article page is ~300 KB: anything past 10 MB is broken
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Every request newsbot makes has an errback that logs its failure once, in words ("HTTP 500
# after 4 retries"), and records it in the ledger; Scrapy's own ERROR line would repeat it.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsbot.middlewares.PoliteRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsbot.middlewares.KeepRefererRedirectMiddleware": 600,
    # The Search API's key, on openapi.naver.com requests only, as they are sent: after the
    # retry (550), redirect (600) and HTTP cache (900) middlewares, which keep requests.
    "newsbot.middlewares.SearchApiKeyMiddleware": 950,
    # Not used by newsbot, and each runs on every request and response:
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
}
# Scrapy's HttpProxyMiddleware stays on: http_proxy/https_proxy and meta["proxy"] work.

# Spider middlewares newsbot has no use for (each costs time on every response).
SPIDER_MIDDLEWARES = {
    # It only marks start requests (meta["is_start_request"]) so that Scrapy's priority
    # queue keeps them in a FIFO queue of their own; newsbot's seeds need no such order.
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

# Browser requests (meta["playwright"]) go to scrapy-playwright; it starts on first use.
DOWNLOAD_HANDLERS = {
    "http": "newsbot.browser.LazyPlaywrightHandler",
    "https": "newsbot.browser.LazyPlaywrightHandler",
}

# -- crawl state: JOBDIR resumes by re-walking listings (see newsbot/scheduling.py) ------------
SCHEDULER = "newsbot.scheduling.MemoryScheduler"
# Priorities across hosts: articles (n.news) before the next listing page (news.naver.com),
# so the queue stays a few pages long and memory flat. Scrapy's default queue
# (DownloaderAwarePriorityQueue) orders within a host only.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"
DUPEFILTER_CLASS = "newsbot.scheduling.MemoryDupeFilter"

# -- items ---------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newsbot.pipelines.ArticlePipeline": 100,
    "newsbot.pipelines.MarkdownExportPipeline": 900,
    "newsbot.pipelines.CommentsPipeline": 950,
}
EXTENSIONS = {
    "newsbot.extensions.CrawlReport": 500,
    "newsbot.archive.ArchiveExtension": 510,
}
# Scrapy's remote control is off (REMOTE_CONTROL_ENABLED below), and taken out of the base
# list as well: Scrapy imports every listed extension, even one set to None, and importing
# this one loads aiohttp's web server, ~0.1 s of CPU at every start.
EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}

# -- Scrapy housekeeping -------------------------------------------------------------------
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output (default 100),
# each to take one item; an article response yields one item and the pipelines never wait,
# so one is enough (it saved ~0.3 ms of CPU per article, see docs/benchmarks.md).
CONCURRENT_ITEMS = 1
# Scrapy reads each generator callback's source (inspect + ast) to warn about `return value`;
# its cache is keyed by the bound method, new on every request, so it did this per response.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
