"""The named errors newsbot raises: every failure a caller may handle has a class here."""

from __future__ import annotations


class NewsbotError(Exception):
    """Base class of every error newsbot raises on purpose."""


class InvalidArticleUrl(NewsbotError, ValueError):
    """The address is not one of the Naver article URL forms newsbot knows."""


class ExtractError(NewsbotError):
    """A page could not be turned into an article."""


class UnknownLayout(ExtractError):
    """The page matches none of the known Naver layouts (markup changed, or not an article)."""


class ArticleNotFound(ExtractError):
    """The page says the article does not exist (deleted, or an error page)."""


class EmptyArticle(ExtractError):
    """A known layout matched but the article body or title is empty."""


class IncompleteArticle(ExtractError):
    """An article without a field every article must have (title, publisher, date, text)."""


class ArticleMismatch(ExtractError):
    """The page is a different article than the URL it was fetched from says."""


class OutputUnusable(NewsbotError):
    """The output directory (or its index) cannot be used: the crawl cannot start."""


class ConfigError(NewsbotError, ValueError):
    """A spider argument or setting has a value newsbot cannot use."""


def describe_exception(exc: BaseException) -> str:
    """``RecursionError at newsbot/pages/body.py:90 (element): maximum recursion depth …``:
    an unexpected exception named with where it was raised, for a report reader. An
    ``ExtractError`` (a page newsbot cannot read, named on purpose) is its message."""
    import traceback

    if isinstance(exc, ExtractError):
        return str(exc)

    where = ""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    ours = [f for f in frames if "/newsbot/" in f.filename.replace("\\", "/")]
    if ours or frames:
        frame = (ours or frames)[-1]  # the last line of newsbot's own code it went through
        path = frame.filename.replace("\\", "/")
        if "/newsbot/" in path:
            path = "newsbot/" + path.rsplit("/newsbot/", 1)[1]
        where = f" at {path}:{frame.lineno} ({frame.name})"
    return f"{type(exc).__name__}{where}: {str(exc)[:200]}"
