"""Process-wide tuning for long crawls: Python's cyclic garbage collector and glibc's
allocator (``NEWSBOT_RUNTIME_TUNING``; measured in docs/benchmarks.md).

Every response makes thousands of short-lived container objects (requests, Deferreds,
selectors, dicts). With Python's default thresholds the collector runs every 700 of them
and, every so often, walks every object the process holds: Scrapy, Twisted and all
imported modules. Freezing what exists once the crawl starts takes those out of every
collection, and a larger first threshold makes collections rarer; cycles are still
collected. glibc's fast bins make it merge freed chunks again (``malloc_consolidate``)
whenever a page-sized body is allocated; without them small allocations still go through
its per-thread cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys

logger = logging.getLogger(__name__)

#: Objects allocated (net) before the collector's first generation is examined.
GC_THRESHOLD = 50_000
_M_MXFAST = 1  # mallopt(): the largest request served from a fast bin (0: none)


def tune() -> None:
    """Freeze the objects that exist now, raise the collector's thresholds and (glibc
    only) turn off the allocator's fast bins. Safe to call more than once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 50, 50)
    if _mallopt(_M_MXFAST, 0):
        logger.debug("glibc malloc: fast bins off")


def _mallopt(param: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(param, value))
