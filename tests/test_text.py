"""Text normalisation and hashing: tables of examples plus properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbot.output.hashing import content_hash
from newsbot.text import clean_inline, join_paragraphs, normalize_text

INLINE = [
    ("  a \n b\t c  ", "a b c"),
    ("a\u00a0\u00a0b", "a b"),
    ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
    ("\u1100\u1161\u11a8", "각"),  # conjoining jamo compose to NFC
    ("ctrl\x00\x07char", "ctrl char"),
    ("", None),
    ("   ", None),
    (None, None),
]

TEXT = [
    ("a\n\n\n\nb", "a\n\nb"),
    ("  a  \n\n  b  ", "a\n\nb"),
    ("\n\na\n\n", "a"),
    ("| a | b |\n| --- | --- |\n| 1 | 2 |", "| a | b |\n| --- | --- |\n| 1 | 2 |"),
    ("a\r\nb", "a\nb"),
    ("a\u2029b", "a\n\nb"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ("x  \t y", "x y"),
]


@pytest.mark.parametrize(("raw", "expected"), INLINE)
def test_clean_inline(raw: str | None, expected: str | None) -> None:
    assert clean_inline(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), TEXT)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_join_paragraphs_one_blank_line() -> None:
    assert join_paragraphs(["a", "", "b "]) == "a\n\nb"


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\n\n\n" not in once
    assert once == once.strip("\n")


@given(st.text())
def test_clean_inline_is_idempotent(text: str) -> None:
    once = clean_inline(text)
    assert clean_inline(once) == once
    assert once is None or "\n" not in once


HASHES = [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
]


@pytest.mark.parametrize(("text", "digest"), HASHES)
def test_content_hash_known_vectors(text: str, digest: str) -> None:
    assert content_hash(text) == digest


@given(st.text(), st.text(min_size=1))
def test_hash_sees_every_character(text: str, extra: str) -> None:
    assert content_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert content_hash(text + extra) != content_hash(text)
    assert content_hash(extra + text) != content_hash(text)
