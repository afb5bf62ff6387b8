"""The Markdown file newsbot writes, read back: its YAML front matter and its body.

One front-matter loader (``load_yaml``: no anchors or aliases, bounded size and depth,
``FrontMatterError``), the split of a file of the packaged template at its fixed separators
(``split_markdown``), a written file's front matter read without trusting it
(``read_front_matter``) and one front-matter line set in place (``set_front_matter``). The
file itself is rendered by ``newsbot.render``; a file of another template is split by
``newsbot.output.verify.Verifier``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from newsbot.output.paths import MAX_ARTICLE_FILE
from newsbot.output.safeio import read_regular

_FOOTER = "\n\n---\n\n*Crawled at:"
#: The longest front matter read, in characters (a real one is about a kilobyte; an article
#: with a hundred captioned photos a few tens).
MAX_FRONT_MATTER = 2**20
#: The deepest nesting of front matter read (newsbot writes three: ``authors``, ``images``).
MAX_FRONT_MATTER_DEPTH = 32

# libyaml first (fast), then PyYAML's own loader where libyaml refuses what newsbot writes:
# ``yaml_scalar`` writes a lone surrogate as the escape "\ud800", which libyaml rejects
# ("found invalid Unicode character escape code") and the pure loader reads back exactly.
_LOADERS: tuple[Any, ...] = tuple(
    loader for loader in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if loader
)


@dataclass(frozen=True)
class ParsedFile:
    front_matter: dict[str, Any]
    body: str


class FrontMatterError(ValueError):
    """Front matter that is refused unread: too large, nested too deep, or using YAML anchors
    and aliases (newsbot writes none; a few kilobytes of them expand to gigabytes)."""


def _check_events(text: str, loader: Any) -> None:
    """``FrontMatterError`` for an anchor, an alias or nesting deeper than
    ``MAX_FRONT_MATTER_DEPTH`` in ``text`` (read as events: nothing is built)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            what = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise FrontMatterError(
                f"front matter uses a YAML {what}{anchor} (line {line}): anchors and aliases "
                "are refused"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                raise FrontMatterError(
                    f"front matter nested deeper than {MAX_FRONT_MATTER_DEPTH} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_yaml(text: str) -> Any:
    """``text`` read with ``yaml.CSafeLoader``, or ``yaml.SafeLoader`` where libyaml refuses;
    ``FrontMatterError`` for YAML that could be a bomb (see ``_check_events``) or values
    Python cannot hold (an integer of 5,000 digits)."""
    error: yaml.YAMLError | None = None
    for loader in _LOADERS:
        try:
            _check_events(text, loader)
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            error = exc
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            if isinstance(exc, FrontMatterError):
                raise
            raise FrontMatterError(f"front matter cannot be read: {one_line(exc)}") from None
    assert error is not None
    raise error


def split_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """The front matter and the offset just past its closing ``---`` line; ``ValueError``
    (``FrontMatterError`` among them) or ``yaml.YAMLError`` when there is none to read."""
    if not text.startswith("---\n"):
        raise ValueError("no YAML front matter")
    end = text.find("\n---\n", 3, MAX_FRONT_MATTER + 5)
    if end < 0:
        if text.find("\n---\n", 3) < 0:
            raise ValueError("front matter is not closed")
        raise FrontMatterError(f"front matter over {MAX_FRONT_MATTER:,} characters")
    front = load_yaml(text[4 : end + 1])
    if not isinstance(front, dict):
        raise ValueError("front matter is not a mapping")
    return front, end + 5


def split_markdown(text: str) -> ParsedFile:
    """Front matter and body of a file written with the default template.

    The body is everything between the ``---`` line that follows the heading block and the
    last ``---`` line before the ``*Crawled at:`` footer, without the blank line on each side.
    """
    front, offset = split_front_matter(text)
    rest = text[offset:]
    start = rest.find("\n---\n\n")
    stop = rest.rfind(_FOOTER)
    if start < 0 or stop < start:
        raise ValueError("body separators not found")
    return ParsedFile(front, rest[start + 6 : stop])


def one_line(exc: BaseException) -> str:
    """An error's text on one line (its type's name when it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def read_front_matter(path: Path | None) -> dict[str, Any] | None:
    """The YAML front matter of a written file; None when there is no file or none in it."""
    if path is None:
        return None
    try:
        text = read_regular(path, MAX_ARTICLE_FILE).decode("utf-8")
        if not text.startswith("---\n"):
            return None
        end = text.find("\n---\n", 3)
        front = load_yaml(text[4 : end + 1]) if end > 0 else None
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return front if isinstance(front, dict) else None


def set_front_matter(text: str, key: str, value: str) -> str:
    """``text`` with the front-matter line ``key: value`` replaced, or added as the last key;
    nothing else changes (the body and so its hash stay as they are)."""
    if not text.startswith("---\n"):
        raise ValueError("the file has no front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("the file's front matter does not end")
    lines = text[4 : end + 1].split("\n")[:-1]
    line = f"{key}: {value}"
    for i, existing in enumerate(lines):
        if existing.startswith(f"{key}:"):
            lines[i] = line
            break
    else:
        lines.append(line)
    return "---\n" + "\n".join(lines) + text[end:]
