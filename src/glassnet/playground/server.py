"""The playground's web server: the page, a JSON API, and a stream per tab.

The requests themselves are :mod:`glassnet.playground.handler`'s.

Standard library only (:class:`http.server.ThreadingHTTPServer`): one thread
per connection, so a tab's server-sent-event stream -- which also does the
tab's training while it plays -- never holds up another tab's requests.

Safety: the server binds to loopback unless told otherwise; it then refuses
clients that are not on this machine and requests whose ``Host`` header
names another machine (DNS rebinding), and it refuses state-changing
requests from other web pages (a foreign ``Origin``). Every size is bounded
by :class:`~glassnet.playground.config.Limits`.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from http.server import ThreadingHTTPServer

from glassnet.playground.config import Limits, PlaygroundError
from glassnet.playground.handler import Handler, is_loopback
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
                f"The playground already has {count} open sessions, its limit: "
                "close another tab (or wait for a closed one to be freed) and "
                "reload.",
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

    def _reap_loop(self) -> None:
        interval = max(0.2, min(5.0, self.limits.grace_seconds / 4))
        while not self.stopping.wait(interval):
            self.sessions.reap()

    def server_close(self) -> None:
        self.stopping.set()
        self.sessions.close_all()
        super().server_close()
