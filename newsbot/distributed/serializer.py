"""Requests in the Redis queue as JSON, never pickle: scrapy-redis's ``serializer``, which
refuses any entry that is not the JSON of one of newsbot's requests.

scrapy-redis pickles requests by default, which lets whoever can write to the Redis run code
in every worker. Here a request goes in as ``Request.to_dict()`` in JSON, bytes and article
ids tagged; an entry that is not that shape, names a callback that is not one of the spider's
queued ones, or a request class of its own, raises ``RefusedRequest`` (the scheduler logs and
counts it, never executes it)."""

from __future__ import annotations

import json
from typing import Any

from newsbot.spiders.naver import QUEUED_CALLBACKS
from newsbot.urls import ArticleId

_BYTES, _ARTICLE, _MAP = "__bytes__", "__article_id__", "__map__"
_TAGS = frozenset({_BYTES, _ARTICLE, _MAP})
#: The spider methods a queued request may name: an entry naming any other is refused.
_CALLBACKS = frozenset(QUEUED_CALLBACKS)
_ERRBACKS = frozenset(QUEUED_CALLBACKS.values())
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "method": str,
    "headers": dict,
    "body": bytes,
    "cookies": (dict, list),
    "meta": dict,
    "encoding": str,
    "priority": int,
    "dont_filter": bool,
    "flags": list,
    "cb_kwargs": dict,
}


#: Request meta that says where a request is sent from or through: never taken from the queue.
_ROUTING_META = frozenset({"proxy", "_auth_proxy", "bindaddress"})


class RefusedRequest(ValueError):
    """A queue entry that is not the JSON of one of newsbot's requests."""


def _encode(value: Any) -> Any:
    """Plain JSON data, with tags for what JSON lacks: bytes (``{"__bytes__": latin-1
    text}``, exact for any byte), article ids (``{"__article_id__": "001_0000000001"}``),
    and dicts whose keys are not text (``{"__map__": [[key, value], …]}``: headers)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {_BYTES: value.decode("latin-1")}
    if isinstance(value, ArticleId):
        return {_ARTICLE: value.key}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        keys = list(value)
        if all(isinstance(k, str) for k in keys) and not (len(keys) == 1 and keys[0] in _TAGS):
            return {k: _encode(v) for k, v in value.items()}
        return {_MAP: [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"a {type(value).__name__} cannot go into Redis as JSON")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == _BYTES:
            if not isinstance(inner, str):
                raise RefusedRequest("a __bytes__ value that is not text")
            return inner.encode("latin-1")
        if tag == _ARTICLE:
            if not isinstance(inner, str):
                raise RefusedRequest("an __article_id__ that is not text")
            return ArticleId.from_key(inner)
        if tag == _MAP:
            if not isinstance(inner, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in inner
            ):
                raise RefusedRequest("a __map__ that is not a list of pairs")
            pairs = [(_decode(k), _decode(v)) for k, v in inner]
            if not all(isinstance(k, str | bytes | int) for k, _ in pairs):
                raise RefusedRequest("a __map__ key that is not text, bytes or a number")
            return dict(pairs)
    return {k: _decode(v) for k, v in value.items()}


def _check_request(data: Any) -> dict[str, Any]:
    """``data`` if it has the shape of ``Request.to_dict()`` of a newsbot request."""
    if not isinstance(data, dict):
        raise RefusedRequest("not a JSON object")
    unknown = set(data) - set(_FIELD_TYPES) - {"callback", "errback"}
    if unknown:  # "_class" among them: a Request subclass newsbot never makes
        raise RefusedRequest(f"unknown field(s) {', '.join(sorted(unknown))}")
    for name, kind in _FIELD_TYPES.items():
        if name in data and not isinstance(data[name], kind):
            raise RefusedRequest(f"{name} is a {type(data[name]).__name__}")
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise RefusedRequest("no http(s) url")
    if data.get("method", "GET") not in ("GET", "HEAD", "POST"):
        raise RefusedRequest(f"method {data['method']!r}")
    if data.get("callback") not in _CALLBACKS | {None}:
        raise RefusedRequest(f"callback {data['callback']!r} is not one of the spider's")
    if data.get("errback") not in _ERRBACKS | {None}:
        raise RefusedRequest(f"errback {data['errback']!r} is not one of the spider's")
    for name in ("meta", "cb_kwargs"):
        if not all(isinstance(k, str) for k in data.get(name, {})):
            raise RefusedRequest(f"{name} has keys that are not text")
    for key in _ROUTING_META & set(data.get("meta", {})):
        # Each worker sends through its own environment's proxy (Scrapy's proxy middleware
        # sets it again): one named in the queue, perhaps by whoever else can write to this
        # Redis, would see every page.
        del data["meta"][key]
    for key, values in data.get("headers", {}).items():
        if not isinstance(key, bytes) or not (
            isinstance(values, list) and all(isinstance(v, bytes) for v in values)
        ):
            raise RefusedRequest("headers are not bytes")
    return data


class JsonRequests:
    """scrapy-redis's ``serializer`` (an object with ``dumps`` and ``loads``): a request
    (``Request.to_dict``) as JSON text, never pickle. ``dumps`` raises ``TypeError`` for a
    value JSON cannot carry; ``loads`` raises ``RefusedRequest`` for anything but the JSON
    of one of newsbot's requests."""

    @staticmethod
    def dumps(obj: dict[str, Any]) -> str:
        return json.dumps(_encode(obj), separators=(",", ":"), allow_nan=False)

    @staticmethod
    def loads(data: bytes | str) -> dict[str, Any]:
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError) as exc:  # pickle, or any other bytes
            raise RefusedRequest(f"not JSON ({exc})") from None
        try:
            return _check_request(_decode(raw))
        except RefusedRequest:
            raise
        except (ValueError, TypeError, RecursionError) as exc:  # a bad article id, …
            raise RefusedRequest(str(exc)) from None


JSON_REQUESTS = JsonRequests()
