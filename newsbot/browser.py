"""The browser route: scrapy-playwright with Debian's Chromium, started only when needed.

Only requests with ``meta["playwright"] = True`` use the browser (sports/entertainment
pages whose JSON endpoint failed). scrapy-playwright starts its Playwright driver when the
engine starts; ``LazyPlaywrightHandler`` waits for the first browser request instead (and
imports scrapy-playwright only then), so a crawl that needs no browser never starts one.
"""

from __future__ import annotations

import asyncio
import base64
import os
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

#: Flags for a headless Chromium on a server (root, no GPU, no background traffic).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--metrics-recording-only",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,SignInProfileCreation,AccountConsistency",
)


def browser_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright settings derived from ``NEWSBOT_*`` ones (set at spider priority)."""
    launch: dict[str, Any] = {
        "executable_path": settings.get("NEWSBOT_CHROMIUM_PATH") or "/usr/bin/chromium",
        "headless": True,
        "args": list(CHROMIUM_ARGS),
        "timeout": settings.getfloat("NEWSBOT_BROWSER_TIMEOUT") * 1000,
    }
    # The browser goes through the same proxy as Scrapy's own requests, and only to Naver:
    # a PAC script sends every other host (Chromium's own update, time and account
    # traffic included) to a closed local port.
    proxy = os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY")
    launch["args"].append(f"--proxy-pac-url={pac_url(proxy)}")
    return {
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getfloat("NEWSBOT_BROWSER_TIMEOUT")
        * 1000,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_ABORT_REQUEST": "newsbot.browser.should_abort",
        "PLAYWRIGHT_CONTEXTS": {
            "default": {
                "ignore_https_errors": settings.getbool("NEWSBOT_BROWSER_IGNORE_HTTPS_ERRORS"),
                "java_script_enabled": True,
            }
        },
    }


#: Hosts the browser may reach (the article pages and their own scripts and styles).
BROWSER_DOMAINS = ("naver.com", "naver.net", "pstatic.net")


def pac_url(proxy: str | None) -> str:
    """A ``data:`` PAC URL: Naver hosts direct (or through ``proxy``), all else refused."""
    route = "DIRECT"
    if proxy:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        route = f"PROXY {parts.hostname}:{parts.port or 80}"
    tests = " || ".join(f'host == "{d}" || dnsDomainIs(host, ".{d}")' for d in BROWSER_DOMAINS)
    script = (
        "function FindProxyForURL(url, host) {"
        f' if ({tests}) return "{route}"; return "PROXY 127.0.0.1:9"; }}'
    )
    return (
        "data:application/x-ns-proxy-autoconfig;base64,"
        + base64.b64encode(script.encode()).decode()
    )


async def should_abort(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: skip images, media and fonts (not needed for the text)."""
    return bool(request.resource_type in ("image", "media", "font"))


class LazyPlaywrightHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, with scrapy-playwright's for ``meta["playwright"]``
    requests, imported and started on the first of them (Playwright's modules alone cost
    ~0.04 s of CPU at every start)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._browser: Any = None
        self._start_lock = asyncio.Lock()

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        async with self._start_lock:
            if self._browser is None:
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                # Made after engine_started has been sent (requests come only after it),
                # so its own launch on that signal never runs: it is launched here.
                self._browser = ScrapyPlaywrightDownloadHandler(self._crawler)
                await self._browser._launch()
        response: Response = await self._browser._download_request(request)
        return response

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()
