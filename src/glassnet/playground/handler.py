"""Requests to the playground: routing, checks, JSON, downloads and the stream.

One :class:`Handler` per connection (a thread of the server). A refusal is
a :class:`~glassnet.playground.config.PlaygroundError`, answered as JSON
``{"error": message}`` with its status; a tab's stream trains its session
while the tab plays and sends a frame per update.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from glassnet.playground.config import PlaygroundError, options, parse_config
from glassnet.playground.data import read_upload
from glassnet.playground.session import Session

if TYPE_CHECKING:
    from glassnet.playground.server import PlaygroundServer

__all__ = ["Handler", "is_loopback"]

#: Largest JSON request body.
MAX_JSON_BYTES = 64 << 10
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
}
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """Whether an address (or ``localhost``) is this machine's loopback."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


_SID = r"(?P<sid>[A-Za-z0-9_-]{8,64})"
ROUTES = [
    ("GET", r"/", "page"),
    ("GET", r"/index\.html", "page"),
    ("GET", r"/static/(?P<name>[A-Za-z0-9_-]+\.(?:html|css|js|svg))", "static"),
    ("GET", r"/api/options", "options"),
    ("POST", r"/api/sessions", "create"),
    ("GET", rf"/api/sessions/{_SID}", "state"),
    ("DELETE", rf"/api/sessions/{_SID}", "close"),
    ("POST", rf"/api/sessions/{_SID}/close", "close"),
    ("POST", rf"/api/sessions/{_SID}/config", "config"),
    ("POST", rf"/api/sessions/{_SID}/upload", "upload"),
    ("POST", rf"/api/sessions/{_SID}/play", "play"),
    ("POST", rf"/api/sessions/{_SID}/pause", "pause"),
    ("POST", rf"/api/sessions/{_SID}/step", "step"),
    ("POST", rf"/api/sessions/{_SID}/reset", "reset"),
    ("POST", rf"/api/sessions/{_SID}/parameter", "parameter"),
    ("GET", rf"/api/sessions/{_SID}/stream", "stream"),
    ("GET", rf"/api/sessions/{_SID}/trace", "trace"),
    ("GET", rf"/api/sessions/{_SID}/model", "model"),
    ("GET", rf"/api/sessions/{_SID}/train-config", "train_config"),
    ("GET", rf"/api/sessions/{_SID}/data\.csv", "data_csv"),
    ("GET", rf"/api/sessions/{_SID}/upload\.csv", "upload_csv"),
]
_COMPILED = [(m, re.compile(p + r"\Z"), name) for m, p, name in ROUTES]


class Handler(BaseHTTPRequestHandler):
    """Routes a request to ``route_<name>``; a refusal is JSON ``{"error": ...}``."""

    server: PlaygroundServer
    server_version = "glassnet-playground"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format, *args) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- dispatch ------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        try:
            self._check_origin(method)
            url = urlsplit(self.path)
            self.query = parse_qs(url.query)
            name, params = self._route(method, url.path)
            getattr(self, f"route_{name}")(**params)
        except PlaygroundError as exc:
            self._send_json(exc.status, {"error": exc.message})
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass
        except Exception as exc:  # a bug: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._send_json(500, {"error": f"Internal error: {exc!r}"})

    def _route(self, method: str, path: str) -> tuple[str, dict]:
        allowed = []
        for verb, pattern, name in _COMPILED:
            match = pattern.match(path)
            if match:
                if verb == method:
                    return name, match.groupdict()
                allowed.append(verb)
        if allowed:
            raise PlaygroundError(
                405, f"{method} is not allowed on {path}; use {', '.join(allowed)}."
            )
        raise PlaygroundError(404, f"Nothing at {path}.")

    def _check_origin(self, method: str) -> None:
        if not self.server.allow_remote:
            if not is_loopback(self.client_address[0]):
                raise PlaygroundError(
                    403,
                    "This playground serves this computer only; start it with "
                    "--host ADDRESS to let other machines in.",
                )
            host = _host_name(self.headers.get("Host", ""))
            if host and host not in LOCAL_NAMES:
                raise PlaygroundError(
                    403,
                    f"The request names the host {host!r}; this playground answers "
                    "to 127.0.0.1 and localhost only.",
                )
        origin = self.headers.get("Origin")
        if method != "GET" and origin and origin != "null":
            expected = "http://" + self.headers.get("Host", "")
            if origin != expected:
                raise PlaygroundError(
                    403, f"Requests from the page at {origin} are not accepted."
                )

    # -- reading and writing ---------------------------------------------------------
    def _body(self, limit: int, what: str) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                raise PlaygroundError(411, f"Send the {what} with a Content-Length.")
            return b""
        try:
            size = int(length)
        except ValueError:
            raise PlaygroundError(400, f"Bad Content-Length {length!r}.") from None
        if size < 0:
            raise PlaygroundError(400, f"Bad Content-Length {length!r}.")
        if size > limit:
            self._drain(size)
            raise PlaygroundError(
                413, f"The {what} is {size:,} bytes; the limit is {limit:,} bytes."
            )
        return self.rfile.read(size)

    def _drain(self, size: int) -> None:
        """Read a refused body (up to 32 MiB) so the browser sees the answer."""
        left = min(size, 32 << 20)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
        self.close_connection = True

    def _json_body(self):
        raw = self._body(MAX_JSON_BYTES, "request")
        if not raw.strip():
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlaygroundError(
                400, f"The request body is not valid JSON: {exc}."
            ) from None

    def _send(self, status: int, body: bytes, content_type: str, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, document) -> None:
        body = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
        self._send(status, body, "application/json")

    def _download(self, body: bytes, filename: str, content_type: str) -> None:
        self._send(
            200,
            body,
            content_type,
            {"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _session(self, sid: str) -> Session:
        return self.server.sessions.get(sid)

    def _config(self, raw) -> dict:
        return parse_config(raw, self.server.limits)

    # -- routes ----------------------------------------------------------------------
    def route_page(self) -> None:
        self.route_static("index.html")

    def route_static(self, name: str) -> None:
        file = resources.files("glassnet.playground").joinpath("static", name)
        if not file.is_file():
            raise PlaygroundError(404, f"Nothing at /static/{name}.")
        suffix = name[name.rfind(".") :]
        self._send(200, file.read_bytes(), CONTENT_TYPES[suffix])

    def route_options(self) -> None:
        self._send_json(200, options(self.server.limits))

    def route_create(self) -> None:
        config = self._config(self._json_body())
        session = self.server.sessions.create(config)
        self._send_json(201, {"setup": session.setup(), "frame": session.frame()})

    def route_state(self, sid: str) -> None:
        session = self._session(sid)
        self._send_json(200, {"setup": session.setup(), "frame": session.frame()})

    def route_close(self, sid: str) -> None:
        self._body(MAX_JSON_BYTES, "request")
        self.server.sessions.close(sid)
        self._send_json(200, {"closed": sid})

    def route_config(self, sid: str) -> None:
        session = self._session(sid)
        session.reconfigure(self._config(self._json_body()))
        self.route_state(sid)

    def route_upload(self, sid: str) -> None:
        session = self._session(sid)
        limits = self.server.limits
        content = self._body(limits.max_upload_bytes, "uploaded file")
        filename = unquote(self.headers.get("X-Filename", "upload.csv"))
        upload = read_upload(
            content, filename, self.headers.get("Content-Type", ""), limits
        )
        # A new file may be another task: its output and loss follow from it.
        config = {**session.config, "data": "upload", "output": "auto", "loss": "auto"}
        session.reconfigure(config, upload)
        self.route_state(sid)

    def route_play(self, sid: str) -> None:
        session = self._session(sid)
        session.play(True)
        self._send_json(200, {"playing": session.playing, "notice": session.notice})

    def route_pause(self, sid: str) -> None:
        session = self._session(sid)
        session.play(False)
        self._send_json(200, {"frame": session.frame()})

    def route_step(self, sid: str) -> None:
        session = self._session(sid)
        session.step()
        self._send_json(200, {"frame": session.frame()})

    def route_reset(self, sid: str) -> None:
        self._session(sid).reset()
        self.route_state(sid)

    def route_parameter(self, sid: str) -> None:
        session = self._session(sid)
        session.set_parameter(self._json_body())
        self._send_json(200, {"frame": session.frame()})

    def route_trace(self, sid: str) -> None:
        session = self._session(sid)
        point = self.query.get("point", ["0"])[0]
        notation = self.query.get("notation", ["wb"])[0]
        self._send_json(200, session.trace(point, notation))

    def route_model(self, sid: str) -> None:
        session = self._session(sid)
        body = session.model_file()
        self._download(body, f"playground-{_slug(session)}.glassnet", "application/zip")

    def route_train_config(self, sid: str) -> None:
        document = self._session(sid).train_config()
        if self.query.get("download", [""])[0] == "toml":
            body = document["toml"].encode()
            self._download(body, "playground.toml", "application/toml")
            return
        self._send_json(200, document)

    def route_data_csv(self, sid: str) -> None:
        session = self._session(sid)
        body = session.data_csv().encode()
        self._download(body, f"playground-{_slug(session)}.csv", "text/csv")

    def route_upload_csv(self, sid: str) -> None:
        session = self._session(sid)
        if session.upload is None:
            raise PlaygroundError(404, "This run does not use an uploaded file.")
        self._download(session.upload.content, session.upload.filename, "text/csv")

    # -- the stream --------------------------------------------------------------------
    def route_stream(self, sid: str) -> None:
        session = self._session(sid)
        with session.cond:
            session.stream_token += 1
            token = session.stream_token
            session.streaming = True
            session.cond.notify_all()  # an older stream of this session ends
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            self._stream_loop(session, token)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            pass
        finally:
            with session.cond:
                if session.stream_token == token:
                    session.streaming = False
                    session.touched = time.monotonic()

    def _stream_loop(self, session: Session, token: int) -> None:
        """Train and send a frame per update while playing; ping while paused."""
        limits = self.server.limits
        interval = 1.0 / limits.max_updates_per_second
        keepalive = max(0.2, min(5.0, limits.grace_seconds / 4))
        last = 0.0

        def over() -> bool:
            return (
                session.closed
                or session.stream_token != token
                or self.server.stopping.is_set()
            )

        while True:
            with session.cond:
                session.cond.wait_for(lambda: over() or session.playing, keepalive)
                if over():
                    return
                playing = session.playing
            if not playing:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                continue
            pause = last + interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            last = time.monotonic()
            frame = session.advance()
            if frame is not None:
                data = json.dumps(frame, separators=(",", ":"), allow_nan=False)
                self.wfile.write(f"event: frame\ndata: {data}\n\n".encode())
                self.wfile.flush()


def _host_name(header: str) -> str:
    """The host part of a Host header (``[::1]:8765`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _slug(session: Session) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", session.points.name.lower()).strip("-") or "run"
