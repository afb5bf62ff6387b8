"""A fake Naver News behind an HTTP proxy, for offline end-to-end tests.

Start it in-process (``FakeNaver(default_world()).start()``) or as a subprocess
(``python -m tests.fakenaver --port 0 --world default --log FILE``, prints ``READY <port>``)
and give the client ``https_proxy``/``http_proxy`` = ``http://127.0.0.1:PORT``. The real
Naver URLs then reach this fake; see ``site.py`` for the URLs served, ``world.py`` for
what exists and ``comments.py`` for the comments (댓글) and their API.
"""

from .comments import (
    COMMENT_OFF,
    COMMENT_ON,
    HOSTILE_TEXTS,
    Comment,
    CommentBox,
    CommentProfile,
    generate_box,
)
from .search import TEST_KEY, SearchResult
from .server import CONTROL_PREFIX, FakeNaver, RequestRecord, control
from .site import NAVER_HOSTS, Response, Site
from .world import (
    CURSOR_STYLES,
    DEFAULT_COMMENTS,
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
    "COMMENT_OFF",
    "COMMENT_ON",
    "CONTROL_PREFIX",
    "CURSOR_STYLES",
    "DEFAULT_COMMENTS",
    "HOSTILE_TEXTS",
    "NAVER_HOSTS",
    "PRESS_NAMES",
    "SECTION_NAMES",
    "SUB_SECTIONS",
    "TEST_KEY",
    "ArticleSpec",
    "Comment",
    "CommentBox",
    "CommentProfile",
    "FakeNaver",
    "Override",
    "RequestRecord",
    "Response",
    "SearchResult",
    "Site",
    "World",
    "control",
    "default_world",
    "generate_box",
    "synthetic_world",
]
