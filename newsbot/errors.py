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


class ArticleMismatch(ExtractError):
    """The page is a different article than the URL it was fetched from says."""


class ConfigError(NewsbotError, ValueError):
    """A spider argument or setting has a value newsbot cannot use."""
