"""The playground's web server: the page, a JSON API, and a stream per tab.

The requests themselves are :mod:`glassnet.playground.handler`'s.

Standard library only (:class:`http.server.ThreadingHTTPServer`): one thread
per connection, so a tab's server-sent-event stream -- which also does the
tab's training while it plays -- never holds up another tab's requests.

Safety: the server binds to loopback unless told otherwise; it then refuses
clients that are not on this machine. Whatever the address, it answers only
requests whose ``Host`` header names it (the loopback names, the address it
was given, or an IP address: a DNS-rebinding page names its own domain), and
it refuses state-changing requests from other web pages (a foreign or opaque
``Origin``, or a content type a page may send without asking). Every size,
the connections served at once and the time each may take are bounded by
:class:`~glassnet.playground.config.Limits`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import sys
import threading
import time
from http.server import ThreadingHTTPServer

from glassnet.playground.config import Limits, PlaygroundError
from glassnet.playground.handler import LOCAL_NAMES, Handler, is_loopback
from glassnet.playground.session import Session

__all__ = ["PlaygroundServer", "SessionStore", "is_loopback"]


class SessionStore:
    """The open sessions, at most ``limits.max_sessions`` of them."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __contains__(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._sessions

    def create(self, config: dict) -> Session:
        self.reap()
        self._check_room()
        session = Session(config, self.limits)
        with self._lock:
            self._check_room(locked=True)
            self._sessions[session.id] = session
        return session

    def _check_room(self, locked: bool = False) -> None:
        count = len(self._sessions) if locked else len(self)
        if count >= self.limits.max_sessions:
            raise PlaygroundError(
                429,
                f"The playground already has {count} open tabs, its limit (a "
                "browser keeps at most 6 connections to one server, and each "
                "tab holds one): close another playground tab and reload.",
            )

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise PlaygroundError(
                404,
                "This session has ended (the tab was closed or idle, or the server "
                "restarted): reload the page to start a new one.",
            )
        session.touched = time.monotonic()
        return session

    def close(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None:
            _end(session)

    def close_all(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            _end(session)

    def reap(self) -> None:
        """Free sessions without a page for ``grace_seconds`` (closed tabs)."""
        now = time.monotonic()
        with self._lock:
            stale = [
                key
                for key, s in self._sessions.items()
                if not s.streaming and now - s.touched > self.limits.grace_seconds
            ]
            ended = [self._sessions.pop(key) for key in stale]
        for session in ended:
            _end(session)


class Connections:
    """The open connections: at most ``limit``, each within its ``timeout``.

    A connection is *waiting* until its request (line, headers and body) has
    arrived; a stream is exempt from the deadline once it starts (its writes
    still time out). Sockets the server did not admit (handed to
    ``finish_request`` directly) are ignored.
    """

    def __init__(self, limit: int, timeout: float):
        self.limit, self.timeout = limit, timeout
        self._lock = threading.Lock()
        # socket -> [deadline (None for a stream), waiting for its request]
        self._open: dict[socket.socket, list] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def admit(self, sock: socket.socket) -> bool:
        """Room for ``sock``, closing the longest-waiting one if all are taken."""
        with self._lock:
            if len(self._open) >= self.limit:
                waiting = [(v[0], s) for s, v in self._open.items() if v[1]]
                if not waiting:
                    return False
                victim = min(waiting, key=lambda item: item[0])[1]
                del self._open[victim]
                _cut(victim)
            self._open[sock] = [time.monotonic() + self.timeout, True]
            return True

    def received(self, sock: socket.socket) -> None:
        with self._lock:
            if sock in self._open:
                self._open[sock][1] = False

    def streaming(self, sock: socket.socket) -> None:
        with self._lock:
            if sock in self._open:
                self._open[sock] = [None, False]

    def release(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(sock, None)

    def cut_overdue(self) -> None:
        """Close the connections past their deadline (idle or slow clients)."""
        now = time.monotonic()
        with self._lock:
            late = [s for s, v in self._open.items() if v[0] is not None and v[0] < now]
            for sock in late:
                del self._open[sock]
        for sock in late:
            _cut(sock)


def _cut(sock: socket.socket) -> None:
    """Wake the connection's thread: its reads and writes fail from now on."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _end(session: Session) -> None:
    with session.cond:
        session.closed = True
        session.playing = False
        session.cond.notify_all()


class PlaygroundServer(ThreadingHTTPServer):
    """The playground on ``host:port`` (port 0: any free port).

    Parameters
    ----------
    host : str, default "127.0.0.1"
        A non-loopback address lets other machines in (the command warns).
        Requests must name this address, a loopback name or an IP address in
        their ``Host`` header.
    port : int, default 8765
    limits : Limits, optional
    quiet : bool, default True
        Do not log every request on stderr.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8765,
        *,
        limits: Limits | None = None,
        quiet: bool = True,
    ):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.limits = limits or Limits()
        self.sessions = SessionStore(self.limits)
        self.allow_remote = not is_loopback(host)
        self.allowed_hosts = {*LOCAL_NAMES, host.strip("[]").lower()}
        self.connections = Connections(
            self.limits.max_connections, self.limits.request_timeout
        )
        self.quiet = quiet
        self.stopping = threading.Event()
        super().__init__((host.strip("[]"), port), Handler)
        self._reaper = threading.Thread(
            target=self._reap_loop, name="playground-reaper", daemon=True
        )
        self._reaper.start()

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn),
        # which can wait on DNS; the address is all the handler needs.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def answers_to(self, host: str) -> bool:
        """Whether a request naming ``host`` (its ``Host`` header) is for us.

        Loopback names and the address the server was given; when serving
        other machines, any IP address too (a page that rebinds a DNS name
        to this machine names its own domain, never an address).
        """
        if host in self.allowed_hosts:
            return True
        if not self.allow_remote:
            return False
        try:
            ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            return False
        return True

    def host_names(self) -> str:
        names = ", ".join(sorted(self.allowed_hosts))
        return f"{names} and IP addresses" if self.allow_remote else names

    def process_request(self, request, client_address) -> None:
        if not self.connections.admit(request):
            with contextlib.suppress(OSError):
                request.sendall(
                    b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
                    b"Retry-After: 1\r\nConnection: close\r\n\r\n"
                )
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        self.connections.release(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that left or was cut off is no error of the server's.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def _reap_loop(self) -> None:
        interval = max(
            0.05,
            min(0.5, self.limits.grace_seconds / 4, self.limits.request_timeout / 4),
        )
        while not self.stopping.wait(interval):
            self.connections.cut_overdue()
            self.sessions.reap()

    def server_close(self) -> None:
        self.stopping.set()
        self.sessions.close_all()
        super().server_close()
