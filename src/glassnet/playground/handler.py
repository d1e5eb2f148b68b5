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
import select
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, unquote, urlsplit

from glassnet.playground.config import PlaygroundError, options, parse_config
from glassnet.playground.data import dataset_samples, read_upload
from glassnet.playground.session import Session

__all__ = ["Handler", "is_loopback"]

#: Largest JSON request body.
MAX_JSON_BYTES = 64 << 10
#: Deepest nesting of arrays and objects in a JSON body.
MAX_JSON_DEPTH = 32
#: Most digits of an integer in a JSON body or a query string.
MAX_DIGITS = 32
#: Most fields of a query string.
MAX_QUERY_FIELDS = 32
#: Seconds between two heartbeats of a paused stream (a broken one is
#: found at the next).
HEARTBEAT_SECONDS = 1.0
#: The content type of every state-changing request but an upload and a close.
JSON_TYPE = "application/json"
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
    ("POST", rf"/api/sessions/{_SID}/step-through", "step_through"),
    ("POST", rf"/api/sessions/{_SID}/step-through/exit", "step_through_exit"),
    ("GET", rf"/api/sessions/{_SID}/input-gradients", "input_gradients"),
    ("GET", rf"/api/sessions/{_SID}/model", "model"),
    ("GET", rf"/api/sessions/{_SID}/train-config", "train_config"),
    ("GET", rf"/api/sessions/{_SID}/data\.csv", "data_csv"),
    ("GET", rf"/api/sessions/{_SID}/upload\.csv", "upload_csv"),
]
_COMPILED = [(m, re.compile(p + r"\Z"), name) for m, p, name in ROUTES]


class Handler(BaseHTTPRequestHandler):
    """Routes a request to ``route_<name>``; a refusal is JSON ``{"error": ...}``."""

    #: the PlaygroundServer (glassnet.playground.server) serving this request
    server: ThreadingHTTPServer
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
    def setup(self) -> None:
        # Every read and write of the connection gives up after this long;
        # the server also ends a request that takes longer in all.
        self.timeout = self.server.limits.request_timeout
        super().setup()

    def _dispatch(self, method: str) -> None:
        try:
            self._check_origin(method)
            url = _split(self.path)
            name, params = self._route(method, url.path)
            self.query = _query(url.query)
            self.body = self._read_body(method, name)
            self.server.connections.received(self.connection)
            getattr(self, f"route_{name}")(**params)
        except PlaygroundError as exc:
            self._answer_error(exc.status, exc.message)
        except OSError:  # the client left, or was too slow (timeout)
            self.close_connection = True
        except Exception as exc:  # a bug: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._answer_error(500, f"Internal error: {exc!r}")

    def _answer_error(self, status: int, message: str) -> None:
        try:
            self._send_json(status, {"error": message})
        except OSError:
            self.close_connection = True

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
        if not self.server.allow_remote and not is_loopback(self.client_address[0]):
            raise PlaygroundError(
                403,
                "This playground serves this computer only; start it with "
                "--host ADDRESS to let other machines in.",
            )
        host = _host_name(self.headers.get("Host", ""))
        if host and not self.server.answers_to(host):
            raise PlaygroundError(
                403,
                f"The request names the host {host!r}; this playground answers "
                f"to {self.server.host_names()} only.",
            )
        origin = self.headers.get("Origin")
        if method != "GET" and origin is not None:
            if origin.strip().lower() == "null":
                raise PlaygroundError(
                    403,
                    "Requests from a page without an origin (Origin: null: a "
                    "sandboxed frame, a local file or a redirect) are not accepted.",
                )
            expected = "http://" + self.headers.get("Host", "")
            if origin != expected:
                raise PlaygroundError(
                    403, f"Requests from the page at {origin} are not accepted."
                )

    # -- reading and writing ---------------------------------------------------------
    def _read_body(self, method: str, name: str) -> bytes:
        """The body of a state-changing request, of the type its route takes.

        JSON routes need ``Content-Type: application/json`` and an upload a
        CSV type: both make a browser ask first (CORS preflight) before
        sending them from another page, which this server never allows. A
        close may come without a type (``navigator.sendBeacon``).
        """
        if method == "GET":
            return b""
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if name == "upload":
            # Another type is refused, naming the file, by read_upload.
            if not kind:
                raise PlaygroundError(
                    415,
                    "An upload must be sent with the Content-Type of a CSV file "
                    "(text/csv). Got none.",
                )
            return self._body(self.server.limits.max_upload_bytes, "uploaded file")
        if kind != JSON_TYPE and not (name == "close" and not kind):
            raise PlaygroundError(
                415,
                f"A {method} to {urlsplit(self.path).path} must be sent with "
                f"Content-Type: {JSON_TYPE}. Got {kind or 'none'!r} instead.",
            )
        return self._body(MAX_JSON_BYTES, "request")

    def _body(self, limit: int, what: str) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                raise PlaygroundError(411, f"Send the {what} with a Content-Length.")
            return b""
        if not (length.isascii() and length.isdigit() and len(length) <= 18):
            raise PlaygroundError(400, f"Bad Content-Length {length[:40]!r}.")
        size = int(length)
        if size > limit:
            self._drain(size)
            raise PlaygroundError(
                413, f"The {what} is {size:,} bytes; the limit is {limit:,} bytes."
            )
        body = self.rfile.read(size)
        if len(body) < size:
            raise ConnectionAbortedError("the client sent less than it announced")
        return body

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
        raw = self.body
        if not raw.strip():
            return {}
        return parse_json(raw)

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
        # The page draws each generated set's thumbnail from its sample.
        samples = dataset_samples()
        self._send_json(200, {**options(self.server.limits), "samples": samples})

    def route_create(self) -> None:
        config = self._config(self._json_body())
        session = self.server.sessions.create(config)
        self._send_json(201, {"setup": session.setup(), "frame": session.frame()})

    def route_state(self, sid: str) -> None:
        session = self._session(sid)
        self._send_json(200, {"setup": session.setup(), "frame": session.frame()})

    def route_close(self, sid: str) -> None:
        self.server.sessions.close(sid)
        self._send_json(200, {"closed": sid})

    def route_config(self, sid: str) -> None:
        session = self._session(sid)
        session.reconfigure(self._config(self._json_body()))
        self.route_state(sid)

    def route_upload(self, sid: str) -> None:
        session = self._session(sid)
        limits = self.server.limits
        content = self.body
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
        decimals = self.query.get("decimals", ["4"])[0]
        self._send_json(200, session.trace(point, notation, decimals))

    def route_step_through(self, sid: str) -> None:
        session = self._session(sid)
        info = session.step_through(self._json_body())
        self._send_json(200, {"trace": info, "frame": session.frame()})

    def route_step_through_exit(self, sid: str) -> None:
        session = self._session(sid)
        session.end_step_through()
        self._send_json(200, {"frame": session.frame()})

    def route_input_gradients(self, sid: str) -> None:
        self._send_json(200, self._session(sid).input_gradients())

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
        """Frames while playing, a heartbeat every second while paused.

        A stream that breaks -- the client closed it (end of file) or a write
        failed or timed out -- is a closed tab or a killed browser: its
        session is freed at once, not after ``grace_seconds``.
        """
        session = self._session(sid)
        with session.cond:
            session.stream_token += 1
            token = session.stream_token
            session.streaming = True
            session.cond.notify_all()  # an older stream of this session ends
        self.server.connections.streaming(self.connection)
        gone = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            gone = self._stream_loop(session, token)
        except OSError:
            gone = True
        finally:
            with session.cond:
                current = session.stream_token == token
                if current:
                    session.streaming = False
                    session.touched = time.monotonic()
            if gone and current:
                self.server.sessions.close(sid)
            self.close_connection = True

    def _client_gone(self) -> bool:
        """Whether the client closed its side of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True

    def _stream_loop(self, session: Session, token: int) -> bool:
        """Train and send a frame per update while playing; ping while paused.

        Returns whether the client went away (else the server ended the stream).
        """
        limits = self.server.limits
        interval = 1.0 / limits.max_updates_per_second
        heartbeat = max(0.05, min(HEARTBEAT_SECONDS, limits.grace_seconds / 4))
        last = 0.0

        def over() -> bool:
            return (
                session.closed
                or session.stream_token != token
                or self.server.stopping.is_set()
            )

        while True:
            with session.cond:
                session.cond.wait_for(lambda: over() or session.playing, heartbeat)
                if over():
                    return False
                playing = session.playing
            if self._client_gone():
                return True
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


def parse_json(raw: bytes):
    """A JSON request body; malformed, too deep or too long numbers are a 400.

    Raises
    ------
    PlaygroundError
        Status 400 with a one-line message.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlaygroundError(
            400, f"The request body is not valid JSON: not UTF-8 text ({exc.reason})."
        ) from None
    depth = _nesting(text)
    if depth > MAX_JSON_DEPTH:
        raise PlaygroundError(
            400,
            f"The request body nests JSON arrays and objects {depth} deep; the "
            f"limit is {MAX_JSON_DEPTH}.",
        )
    try:
        return json.loads(text, parse_int=_json_int)
    except _TooLongError as exc:
        raise PlaygroundError(400, f"The request body {exc}") from None
    except (ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlaygroundError(
            400, f"The request body is not valid JSON: {first}."
        ) from None


class _TooLongError(ValueError):
    pass


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _TooLongError(
            f"holds an integer of {digits} digits; the limit is {MAX_DIGITS}."
        )
    return int(text)


_SPECIAL = re.compile(r'[\[\]{}"\\]')


def _nesting(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings (linear, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    last = -2
    for match in _SPECIAL.finditer(text):
        char, at = match.group(), match.start()
        if escaped and at == last + 1:
            escaped = False
            last = at
            continue
        escaped = False
        last = at
        if in_string:
            if char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _split(path: str):
    try:
        return urlsplit(path)
    except ValueError as exc:
        raise PlaygroundError(400, f"Bad request path: {exc}.") from None


def _query(query: str) -> dict[str, list[str]]:
    """The fields of a query string; too many of them is a 400."""
    try:
        return parse_qs(query, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        raise PlaygroundError(
            400, f"The query string has more than {MAX_QUERY_FIELDS} fields."
        ) from None


def _host_name(header: str) -> str:
    """The host part of a Host header (``[::1]:8765`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _slug(session: Session) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", session.points.name.lower()).strip("-") or "run"
