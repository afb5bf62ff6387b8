"""The named errors newsbot raises: every failure a caller may handle has a class here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit


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


# Twisted's and Scrapy's exception names, in the words a report reader understands.
_FAILURE_WORDS = {
    "ConnectionLost": "connection lost",
    "ConnectionDone": "connection closed",
    "ResponseNeverReceived": "connection lost before an answer",
    "ResponseFailed": "connection lost during the answer",
    "ConnectionRefusedError": "connection refused",
    "DownloadConnectionRefusedError": "connection refused",
    "TCPTimedOutError": "connection timed out",
    "TimeoutError": "timed out",
    "DownloadTimeoutError": "timed out",
    "DNSLookupError": "DNS lookup failed",
    "CannotResolveHostError": "DNS lookup failed",
    "DownloadCancelledError": "download cancelled",
    "ResponseDataLossError": "the answer was cut short (fewer bytes than it announced)",
    "TunnelError": "the proxy refused to connect",
    "DownloadFailedError": "download failed",
    "UnsupportedURLSchemeError": "unsupported URL scheme",
    "SSLError": "TLS handshake failed",
    "IgnoreRequest": "request ignored",
}
#: Wrappers whose cause says more than they do (Scrapy 2.19 wraps Twisted's errors).
_WRAPPERS = frozenset({"DownloadFailedError", "ResponseFailed", "ResponseNeverReceived"})


#: The stat and report key of a download failure (``newsbot/failed/<kind>``), by cause.
_FAILURE_KINDS = {
    "ConnectionLost": "connection_lost",
    "ResponseFailed": "connection_lost",
    "ConnectionDone": "connection_closed",
    "ResponseNeverReceived": "no_answer",
    "ConnectionRefusedError": "refused",
    "DownloadConnectionRefusedError": "refused",
    "TCPTimedOutError": "timeout",
    "TimeoutError": "timeout",
    "DownloadTimeoutError": "timeout",
    "DNSLookupError": "dns",
    "CannotResolveHostError": "dns",
    "ResponseDataLossError": "cut_short",
    "TunnelError": "proxy_refused",
    "SSLError": "tls",
}


def failure_kind(exc: BaseException | None) -> str:
    """``connection_lost``, ``cut_short``, ``timeout``: a download failure's key in the stats
    and the report (an unknown one: its cause's class name)."""
    if exc is None:
        return "unknown"
    name = type(failure_cause(exc)).__name__
    return _FAILURE_KINDS.get(name, name)


def failure_cause(exc: BaseException) -> BaseException:
    """The error under Scrapy's and Twisted's wrappers: ``DownloadFailedError`` from
    ``ResponseFailed([Failure(ConnectionLost)])`` is ``ConnectionLost``."""
    seen: set[int] = set()
    while id(exc) not in seen and type(exc).__name__ in _WRAPPERS:
        seen.add(id(exc))
        reasons = getattr(exc, "reasons", None)
        if reasons:
            inner = getattr(reasons[0], "value", reasons[0])
            if isinstance(inner, BaseException):
                exc = inner
                continue
        cause = exc.__cause__ or exc.__context__
        if cause is None:
            break
        exc = cause
    return exc


def plain_failure(exc: BaseException | None) -> str:
    """``connection lost``, ``DNS lookup failed``: a download error in plain words, unwrapped
    to its cause; an unknown one as ``Name: message``."""
    if exc is None:
        return "unknown error"
    cause = failure_cause(exc)
    name = type(cause).__name__
    words = _FAILURE_WORDS.get(name)
    if name == "IgnoreRequest" and "robots.txt" in str(cause).lower():
        return "forbidden by robots.txt"
    if words is None:
        text = str(cause).strip()
        return f"{name}: {text}"[:300] if text else name
    return words


def unreachable(request: Any, exception: BaseException | None) -> str | None:
    """``the site cannot be reached: …`` when ``exception`` means that no request can get
    through (the name does not resolve, the connection or the proxy's tunnel is refused),
    naming the host or the proxy; ``None`` for any other failure."""
    if exception is None:
        return None
    cause = failure_cause(exception)
    name = type(cause).__name__
    host = urlsplit(request.url).hostname or request.url
    proxy = request.meta.get("proxy")
    where = f"the proxy {mask_proxy(proxy)} (http_proxy/https_proxy)" if proxy else host
    if name in ("DNSLookupError", "CannotResolveHostError"):
        target = f"the proxy's host in {mask_proxy(proxy)}" if proxy else host
        return f"the site cannot be reached: DNS cannot resolve {target} ({_brief(cause)})"
    if name in ("ConnectionRefusedError", "DownloadConnectionRefusedError"):
        return f"the site cannot be reached: {where} refused the connection"
    if name == "TunnelError":
        return f"the site cannot be reached: {where} refused the tunnel to {host} ({_brief(cause)})"
    if name in ("NoRouteError", "ConnectError", "TCPTimedOutError") and not proxy:
        return f"the site cannot be reached: no route to {host} ({_brief(cause)})"
    return None


def mask_proxy(url: str) -> str:
    """A proxy URL without its user and password."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return url


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] or type(exc).__name__


def describe_failure(failure: Any, request: Any) -> str:
    """``HTTP 500 after 3 retries``, ``connection lost after 4 retries``: what a failed
    request (a Twisted ``Failure`` of a Scrapy request) ran into, in plain words."""
    from scrapy.spidermiddlewares.httperror import HttpError

    retries = int(request.meta.get("retry_times", 0))
    after = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
    value = failure.value
    if isinstance(value, HttpError):
        return f"HTTP {value.response.status}{after}"
    return plain_failure(value) + after
