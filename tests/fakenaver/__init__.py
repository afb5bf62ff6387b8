"""A fake Naver News behind an HTTP proxy, for offline end-to-end tests.

Start it in-process (``FakeNaver(default_world()).start()``) or as a subprocess
(``python -m tests.fakenaver --port 0 --world default --log FILE``, prints ``READY <port>``)
and give the client ``https_proxy``/``http_proxy`` = ``http://127.0.0.1:PORT``. The real
Naver URLs then reach this fake; see ``site.py`` for the URLs served and ``world.py`` for
what exists.
"""

from .server import CONTROL_PREFIX, FakeNaver, RequestRecord, control
from .site import NAVER_HOSTS, Response, Site
from .world import (
    CURSOR_STYLES,
    PRESS_NAMES,
    SECTION_NAMES,
    SUB_SECTIONS,
    ArticleSpec,
    Override,
    World,
    default_world,
    synthetic_world,
)

__all__ = [
    "CONTROL_PREFIX",
    "CURSOR_STYLES",
    "NAVER_HOSTS",
    "PRESS_NAMES",
    "SECTION_NAMES",
    "SUB_SECTIONS",
    "ArticleSpec",
    "FakeNaver",
    "Override",
    "RequestRecord",
    "Response",
    "Site",
    "World",
    "control",
    "default_world",
    "synthetic_world",
]
