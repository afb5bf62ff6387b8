"""Fault injection for the fake Naver: a seeded, reproducible plan of broken answers.

``plan_faults(world, seed)`` picks articles of the world and gives each one fault. A
*transient* fault answers badly a bounded number of times, then the real page comes; a
*permanent* one never lets the article through. Tests compare a crawl under the plan with
a clean crawl: every transient article must come out identical, every permanent one must
be reported with a reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import pages
from .world import ArticleSpec, Override, World

#: Seconds a "timeout" answer waits; crawls under faults set DOWNLOAD_TIMEOUT below it.
TIMEOUT_DELAY = 4.0


@dataclass(frozen=True)
class Fault:
    kind: str
    url: str
    permanent: bool
    expected_reason: str  # what the crawl report must say for a permanent fault (a substring)


def _overrides(kind: str, spec: ArticleSpec, world: World) -> tuple[Override, bool, str]:
    body, content_type = pages.article_page(spec)
    js = (
        "<html><head><script>top.location.href='"
        f"https://n.news.naver.com/mnews/article/{spec.oid}/{spec.aid}?from=js';</script>"
        "</head><body></body></html>"
    ).encode()
    table: dict[str, tuple[Override, bool, str]] = {
        "500": (Override(status=500, times=2), False, ""),
        "502": (Override(status=502, times=1), False, ""),
        "503_retry_after": (Override(status=503, headers={"Retry-After": "1"}, times=1), False, ""),
        "429_retry_after": (Override(status=429, headers={"Retry-After": "1"}, times=2), False, ""),
        "reset": (Override(drop_connection=True, times=2), False, ""),
        "timeout": (Override(delay=TIMEOUT_DELAY, body=body, times=1), False, ""),
        "truncated": (
            Override(
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
                body=body[: len(body) // 3],
                close_after=True,
                times=1,
            ),
            False,
            "",
        ),
        "wrong_charset": (
            Override(headers={"Content-Type": "text/html;charset=EUC-KR"}, body=body),
            False,
            "",
        ),
        "missing_charset": (Override(headers={"Content-Type": "text/html"}, body=body), False, ""),
        "empty_200": (
            Override(headers={"Content-Type": content_type}, body=b"", times=2),
            False,
            "",
        ),
        "js_redirect": (
            Override(headers={"Content-Type": "text/html;charset=UTF-8"}, body=js, times=1),
            False,
            "",
        ),
        "always_500": (Override(status=500), True, "http_500"),
        "deleted_404": (Override(status=404, body=pages.not_found_page()), True, "HTTP 404"),
        "redirect_loop": (
            Override(status=302, headers={"Location": spec.url + "?loop=1"}),
            True,
            "redirect",
        ),
        "oversized": (
            Override(
                headers={"Content-Type": content_type},
                body=body + b"<!--" + b"x" * (12 * 1024 * 1024) + b"-->",
            ),
            True,
            "",
        ),
    }
    return table[kind]


TRANSIENT = (
    "500", "502", "503_retry_after", "429_retry_after", "reset", "timeout", "truncated",
    "wrong_charset", "missing_charset", "empty_200", "js_redirect",
)  # fmt: skip
PERMANENT = ("always_500", "deleted_404", "redirect_loop", "oversized")


def drop_kept_alive(world: World, times: int) -> None:
    """The next ``times`` requests that arrive on a kept-alive connection (any URL) are read
    and the connection closed without an answer: what a server that drops idle persistent
    connections does to a client that reuses one. (Twisted's connection pool retries an
    idempotent request once when that happens, below Scrapy: the server sees it twice.)"""
    world.drop_kept_alive = times


def plan_faults(world: World, seed: int, articles: list[ArticleSpec]) -> list[Fault]:
    """Give every fault kind to one of ``articles`` (chosen by ``seed``) and install it."""
    rng = random.Random(seed)
    kinds = list(TRANSIENT + PERMANENT)
    chosen = rng.sample(articles, len(kinds))
    faults: list[Fault] = []
    for kind, spec in zip(kinds, chosen, strict=True):
        override, permanent, reason = _overrides(kind, spec, world)
        world.set_override(spec.url, override)
        if kind == "redirect_loop":
            world.set_override(
                spec.url + "?loop=1", Override(status=302, headers={"Location": spec.url})
            )
        faults.append(Fault(kind, spec.url, permanent, reason))
    return faults
