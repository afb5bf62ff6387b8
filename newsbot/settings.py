"""Scrapy settings for newsbot. Every ``NEWSBOT_*`` setting is documented by its comment
here and in the README; override any of them with ``-s NAME=value``."""

from __future__ import annotations

import os

from scrapy.settings import default_settings

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# -- newsbot's own settings ------------------------------------------------------------------
NEWSBOT_OUTPUT_DIR = "output"  # where Markdown files, the index and reports are written
NEWSBOT_TEMPLATE = ""  # a Jinja2 template file to use instead of templates/article.md.j2
NEWSBOT_CONTACT = ""  # e-mail or URL put in the User-Agent so Naver can reach whoever crawls
NEWSBOT_PROGRESS_INTERVAL = 30.0  # seconds between progress lines in the log (0: none)
# On a terminal, also a live line (articles known so far, done, rate, time left), redrawn
# every second; never under Scrapyd or with LOG_FILE (the periodic log line is there).
NEWSBOT_PROGRESS_LIVE = True
NEWSBOT_MAX_FAILED_RATIO = 0.1  # more failed articles than this share fails the crawl
NEWSBOT_REPORT_ENABLED = True  # log the verdict and write OUTPUT/reports/crawl-*.json
NEWSBOT_RETRY_BACKOFF = 2.0  # first wait before a retry, doubled per attempt (seconds)
NEWSBOT_RETRY_BACKOFF_MAX = 120.0  # longest backoff wait (seconds)
NEWSBOT_RETRY_AFTER_MAX = 600.0  # longest wait a Retry-After header may ask for (seconds)
# Chromium for pages that only render in a browser (Debian's `chromium` package); the
# environment variable NEWSBOT_CHROMIUM_PATH overrides it.
NEWSBOT_CHROMIUM_PATH = os.environ.get("NEWSBOT_CHROMIUM_PATH", "/usr/bin/chromium")
NEWSBOT_BROWSER_TIMEOUT = 30.0  # seconds for the browser to launch, load and render a page
NEWSBOT_BROWSER_IGNORE_HTTPS_ERRORS = False  # accept bad certificates in the browser
NEWSBOT_REDIS_URL = ""  # redis://host:6379/0: share one crawl between workers (scrapy-redis)
NEWSBOT_REDIS_TIMEOUT = 5.0  # seconds a Redis connect or answer may take before it has failed
NEWSBOT_REDIS_RETRIES = 4  # tries again of a failed Redis call (after 1, 2, 4, 4 s), then exit 1
# Comments (-a comments=count|all): requests to apis.naver.com go to a download slot of their
# own, with this concurrency and this fixed delay (AutoThrottle does not lower it).
NEWSBOT_COMMENTS_CONCURRENCY = 1
NEWSBOT_COMMENTS_DELAY = 0.5  # seconds between two comment requests
NEWSBOT_COMMENTS_PERSONAL_FIELDS = False  # also keep each commenter's id number and profile image
NEWSBOT_COMMENTS_KEEP_DELETED_TEXT = False  # a comment deleted since the last run keeps its text
# Naver's Search API (-a query=…): an application's key, free at
# https://developers.naver.com/apps/#/register; empty: the environment variables of the
# same names. Prefer those (a -s value shows in Scrapyd's job list and shell history).
NEWSBOT_NAVER_CLIENT_ID = ""
NEWSBOT_NAVER_CLIENT_SECRET = ""
NEWSBOT_ARCHIVE = False  # also keep every fetched page raw in OUTPUT/archive/*.warc.gz
NEWSBOT_ARCHIVE_MAX_BYTES = 1024**3  # start a new WARC file past this size
# Freeze start-up objects out of the garbage collector, collect less often, and turn off
# glibc's malloc fast bins (newsbot/runtime.py): 20 % less CPU per article on a quiet machine
# (docs/benchmarks.md).
NEWSBOT_RUNTIME_TUNING = True

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
