"""Markdown rendering: one Jinja2 environment, the ``yaml`` filter, and ``render_article``.

The template only presents: every value reaches it final, and the ``yaml`` filter writes
each front-matter value as a YAML scalar that reads back (``yaml.safe_load``) to exactly
the same Python value, whatever characters it holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_NAME = "article.md.j2"

# Characters that must be escaped inside a YAML double-quoted scalar so that it stays on
# one line and reads back unchanged: YAML's own escapes, then \uXXXX for the rest of
# what YAML would fold or reject (C0/C1 controls, NEL, line/paragraph separators, BOM,
# surrogates, the U+FFFE/U+FFFF non-characters).
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape_char(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
        or 0xD800 <= code <= 0xDFFF
    ):
        return f"\\u{code:04x}"
    return char


# Every character ``_escape_char`` changes: strings without any are written as they are.
_NEEDS_ESCAPE_RE = re.compile(
    '[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]'
)


def _escape_match(match: re.Match[str]) -> str:
    return _escape_char(match.group())


def yaml_scalar(value: Any) -> str:
    """Render ``value`` as a one-line YAML value that ``yaml.safe_load`` reads back exactly.

    Strings are always double-quoted (so ``001``, ``true``, ``null``, ``: ``, ``#``, ``---``
    and leading ``[{*&!|>%@`` stay strings); lists and mappings use flow style.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, str):
        return '"' + _NEEDS_ESCAPE_RE.sub(_escape_match, value) + '"'
    if isinstance(value, Mapping):
        inner = ", ".join(f"{yaml_scalar(str(k))}: {yaml_scalar(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    raise TypeError(f"no YAML rendering for {type(value).__name__}")


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        autoescape=False,  # Markdown, not HTML: quotes stay quotes
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["yaml"] = yaml_scalar
    return env


@lru_cache(maxsize=8)
def get_template(template_path: str | None = None) -> jinja2.Template:
    """The article template: ``template_path`` if given, else the one shipped in the package.

    The packaged template is loaded with ``jinja2.PackageLoader`` so it works from a zipped
    egg under Scrapyd as well as from a checkout.
    """
    if template_path:
        path = Path(template_path)
        loader: jinja2.BaseLoader = jinja2.FileSystemLoader(str(path.parent))
        return _environment(loader).get_template(path.name)
    return _environment(jinja2.PackageLoader("newsbot", "templates")).get_template(TEMPLATE_NAME)


def render_article(item: Mapping[str, Any], template_path: str | None = None) -> str:
    """The Markdown file for ``item``: YAML front matter, heading, body (= content), footer."""
    return get_template(template_path).render(item=item)
