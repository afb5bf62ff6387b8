"""Text normalisation: one place that decides what clean article text is.

Every function here is idempotent: ``f(f(x)) == f(x)``.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and the byte-order mark: invisible, never article text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Control characters other than tab and newline (C0, DEL, C1) carry no text either.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_WS_RE = re.compile(r"\s+")
_HSPACE_RE = re.compile(r"[^\S\n]+")
_BLANKS_RE = re.compile(r"\n{3,}")


def _clean_chars(text: str) -> str:
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    return _CONTROL_RE.sub(" ", text)


def clean_inline(text: str | None) -> str | None:
    """One line of clean text: NFC, invisibles dropped, every whitespace run one space.

    Returns ``None`` when nothing is left, so that missing stays ``None``.
    """
    if text is None:
        return None
    text = _WS_RE.sub(" ", _clean_chars(text)).strip()
    return text or None


def normalize_text(text: str) -> str:
    """Article text: paragraphs separated by exactly one blank line.

    Inside a line whitespace runs become one space and lines are stripped; a line break
    inside a paragraph (Markdown table rows) is kept; two or more line breaks become one
    blank line. Unicode NFC, zero-width and control characters removed, lone surrogates
    replaced by U+FFFD.
    """
    text = _clean_chars(text.replace("\r\n", "\n").replace("\r", "\n"))
    # \x85, \u2028 and \u2029 are line breaks to YAML and to readers: make them plain ones.
    text = text.replace("\x85", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines = [_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip("\n")


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join already-clean paragraphs into article text (empty ones dropped)."""
    return normalize_text("\n\n".join(p for p in paragraphs if p))
