"""The fake Naver's transport: an HTTP proxy on 127.0.0.1 that answers Naver URLs itself.

Clients (Scrapy, urllib) set ``http_proxy``/``https_proxy`` to :attr:`FakeNaver.proxy_url`.
Plain ``http://`` URLs arrive as absolute-URI requests; for ``https://`` the client sends
``CONNECT host:443``, and the proxy answers 200, turns the socket into the TLS server end
(self-signed certificate) and reads keep-alive HTTP requests from the tunnel. Nothing is
ever forwarded: unknown hosts get 502. Requests with a plain path (``GET /x``) are the
control API (``/__fakenaver/…``) for tests that run the server in another process.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .certs import server_ssl_context
from .site import NAVER_HOSTS, Response, Site
from .world import ArticleSpec, Override, World, default_world

__all__ = ["CONTROL_PREFIX", "FakeNaver", "RequestRecord", "control"]

CONTROL_PREFIX = "/__fakenaver/"

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_WORLD_SETTINGS = (
    "page_size",
    "old_page_size",
    "delay",
    "mix_days_in_page",
    "today",
    "cursor_style",
)


class RequestRecord(NamedTuple):
    """One answered request: method, absolute URL, status, the time it was answered and
    the request's Referer header (None: none sent)."""

    method: str
    url: str
    status: int
    time: float
    referer: str | None = None


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, port: int, fake: FakeNaver) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the FQDN of the address: pointless here and slow
        # where DNS is unreachable.
        super(HTTPServer, self).server_bind()
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up, TLS handshakes fail, stop() shuts sockets down: not worth a trace.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakenaver"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        self._tunnel: tuple[str, int] | None = None
        self._tls: ssl.SSLSocket | None = None
        self._plain_files: list[Any] = []
        self._served = 0  # requests to Naver read on this connection
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            for stream in self._plain_files:
                with contextlib.suppress(OSError):
                    stream.close()
            self.server.fake._track(self.connection, False)
            if self._tls is not None:
                self._tls.close()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- CONNECT: become the TLS end of the tunnel ------------------------------------------

    def do_CONNECT(self) -> None:
        host, _, port_text = self.path.rpartition(":")
        port = int(port_text) if port_text.isdigit() else 443
        host = (host or self.path).strip("[]").lower()
        if host not in NAVER_HOSTS:
            self._refuse("CONNECT", f"https://{host}:{port}")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.server.fake._ssl_context.wrap_socket(self.connection, server_side=True)
        except (OSError, ssl.SSLError):
            self.close_connection = True
            return
        self.server.fake._track(self.connection, False)
        self._plain_files = [self.rfile, self.wfile]
        self._tls = tls
        self.connection = tls
        self.server.fake._track(tls, True)
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self._tunnel = (host, port)
        self.close_connection = False

    # -- everything else ----------------------------------------------------------------------

    def _serve(self) -> None:
        method = self.command
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        fake = self.server.fake
        url = self._target_url()
        if url is None:
            self._write(method, fake._control(method, self.path, body))
            return
        host = (urlsplit(url).hostname or "").lower()
        if host not in NAVER_HOSTS:
            self._refuse(method, url)
            return
        self._served += 1
        if self._served > 1 and fake.world.take_kept_alive_drop():
            fake._record(method, url, 0, self.headers.get("Referer"))
            self.close_connection = True  # no answer: the kept-alive connection dropped
            return
        try:
            response = fake.site.respond(method, url, dict(self.headers.items()))
        except Exception:  # a bug in the fake: say so loudly, to the client and on stderr
            trace = traceback.format_exc()
            sys.stderr.write(f"fakenaver: error answering {method} {url}\n{trace}")
            response = Response(500, trace.encode(), {"Content-Type": "text/plain"})
        delay = fake.world.delay + response.delay
        if delay > 0:
            time.sleep(delay)
        # Recorded before answering: a client that got its answer finds it in the log.
        referer = self.headers.get("Referer")
        if response.drop:
            fake._record(method, url, 0, referer)
            self.close_connection = True
            return
        fake._record(method, url, response.status, referer)
        if response.close_after:
            self.close_connection = True
        self._write(method, response)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _target_url(self) -> str | None:
        path = self.path
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            default = 443 if parts.scheme == "https" else 80
            netloc = parts.hostname or ""
            if parts.port not in (None, default):
                netloc += f":{parts.port}"
            return parts._replace(netloc=netloc.lower()).geturl()
        if self._tunnel is None:
            return None
        host = (self.headers.get("Host") or self._tunnel[0]).lower()
        host, _, port = host.partition(":")
        port = port or str(self._tunnel[1])
        netloc = host if port == "443" else f"{host}:{port}"
        return f"https://{netloc}{path}"

    def _refuse(self, method: str, url: str) -> None:
        body = f"fakenaver: refusing {url} (not a Naver host)\n".encode()
        self.close_connection = True
        self.server.fake._record(method, url, 502, self.headers.get("Referer"))
        self._write(method, Response(502, body, {"Content-Type": "text/plain"}))

    def _write(self, method: str, response: Response) -> None:
        self.send_response(response.status)
        headers = {k.lower(): (k, v) for k, v in response.headers.items()}
        for key, value in headers.values():
            self.send_header(key, value)
        if "content-length" not in headers:
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD" and response.status not in (204, 304):
            self.wfile.write(response.body)
        self.wfile.flush()


class FakeNaver:
    """A fake Naver News reached through an HTTP proxy on 127.0.0.1.

    ``with FakeNaver(world).start() as fake:`` … then point clients at ``fake.proxy_url``
    (or pass ``fake.env()`` to a subprocess). Every answered request is kept in
    :attr:`requests` and, with ``log_path``, appended to that file as a JSON line.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        port: int = 0,
        log_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.world = world if world is not None else default_world()
        self.site = Site(self.world)
        self.log_path = Path(log_path) if log_path is not None else None
        self._requested_port = port
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ssl_context = server_ssl_context()

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeNaver:
        """Listen on 127.0.0.1 (a free port unless one was given) and serve in a thread."""
        if self._server is not None:
            raise RuntimeError("FakeNaver already started")
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log_path.touch()
        self._server = _Server(self._requested_port, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakenaver-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and hang up on every open connection."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            # socket.socket.shutdown even for TLS sockets: just end the handler's read.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeNaver:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeNaver not started")
        return int(self._server.server_address[1])

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that send a subprocess's HTTP(S) traffic here."""
        url = self.proxy_url
        return {
            "http_proxy": url,
            "https_proxy": url,
            "HTTP_PROXY": url,
            "HTTPS_PROXY": url,
            "no_proxy": "",
            "NO_PROXY": "",
        }

    # -- the request log ------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, absolute URL) of every answered request, in order (a snapshot)."""
        with self._lock:
            return [(r.method, r.url) for r in self._records]

    @property
    def records(self) -> list[RequestRecord]:
        """Like :attr:`requests`, with status (0: connection dropped), time and Referer."""
        with self._lock:
            return list(self._records)

    def count(
        self,
        match: str | Callable[[str, str], bool] | None = None,
        *,
        method: str | None = None,
    ) -> int:
        """How many answered requests match: a substring of the URL, or ``match(method, url)``."""
        total = 0
        for req_method, url in self.requests:
            if method is not None and req_method != method:
                continue
            if match is None:
                total += 1
            elif isinstance(match, str):
                total += match in url
            else:
                total += bool(match(req_method, url))
        return total

    def reset_log(self) -> None:
        """Forget the requests so far (and empty the log file)."""
        with self._lock:
            self._records.clear()
            if self.log_path is not None:
                self.log_path.write_text("")

    def _record(self, method: str, url: str, status: int, referer: str | None = None) -> None:
        record = RequestRecord(method, url, status, time.time(), referer)
        with self._lock:
            self._records.append(record)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record._asdict()) + "\n")

    def _track(self, connection: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- control API (for a server running in another process) ----------------------------

    def _control(self, method: str, path: str, body: bytes) -> Response:
        try:
            payload: Any = json.loads(body) if body else {}
            result = self._control_action(method, path.split("?", 1)[0], payload)
        except (KeyError, TypeError, ValueError) as error:
            return _json_response(400, {"error": f"{type(error).__name__}: {error}"})
        if result is None:
            return _json_response(404, {"error": f"no control endpoint {method} {path}"})
        return _json_response(200, result)

    def _control_action(self, method: str, path: str, payload: Any) -> dict[str, Any] | None:
        if not path.startswith(CONTROL_PREFIX):
            return None
        action = path[len(CONTROL_PREFIX) :].strip("/")
        world = self.world
        if method == "GET" and action == "health":
            return {"ok": True, "articles": len(world)}
        if method == "POST" and action == "reset_log":
            self.reset_log()
            return {"ok": True}
        if method == "POST" and action == "articles":
            names = {f.name for f in fields(ArticleSpec)}
            spec = ArticleSpec(**{k: v for k, v in payload.items() if k in names})
            world.add_article(spec)
            return {"ok": True}
        if method == "POST" and action.startswith("articles/"):
            _, oid, aid = action.split("/")
            world.update_article(oid, aid, **payload)
            return {"ok": True}
        if method == "DELETE" and action.startswith("articles/"):
            _, oid, aid = action.split("/")
            world.remove_article(oid, aid)
            return {"ok": True}
        if method == "POST" and action == "overrides":
            data = dict(payload)
            url = data.pop("url")
            if isinstance(data.get("body"), str):
                data["body"] = data["body"].encode("utf-8")
            world.set_override(url, Override(**data))
            return {"ok": True}
        if method == "DELETE" and action == "overrides":
            world.clear_overrides()
            return {"ok": True}
        if method == "POST" and action == "settings":
            for key, value in payload.items():
                if key not in _WORLD_SETTINGS:
                    raise KeyError(key)
                setattr(world, key, value)
            return {"ok": True}
        return None


def _json_response(status: int, payload: dict[str, Any]) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, {"Content-Type": "application/json; charset=UTF-8"})


def control(port: int, action: str, payload: Any = None, method: str = "POST") -> Any:
    """Call the control API of a fake running elsewhere, e.g. ``control(port, "settings",
    {"page_size": 5})``, ``control(port, "articles/001/0015100001", {"title": "new"})``,
    ``control(port, "overrides", {"url": URL, "status": 503, "times": 2})``."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{CONTROL_PREFIX}{action}", data=data, method=method
    )
    # No proxy for the control call itself, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())
