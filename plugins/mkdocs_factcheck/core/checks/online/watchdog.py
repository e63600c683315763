"""A hard wall-clock bound on every request, whatever the server does.

urllib3's read timeout applies to each `recv`: a server that sends its headers (or its body) one byte at
a time keeps a request going forever. A watchdog thread shuts the request's socket down when its time is
up; the blocked `recv` then returns at once and the request fails. The socket is found through the
connection classes below, which hand every socket a request uses to the watch of the thread making it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Watch:
    """One request's bound: the sockets it uses, and whether its time ran out."""

    def __init__(self, expires: float):
        self.expires = expires
        self.sockets: list[socket.socket] = []
        self.fired = False

    def fire(self) -> None:
        self.fired = True
        for sock in self.sockets:
            cut(sock)


def cut(sock: socket.socket) -> None:
    """Wake whatever thread is blocked on `sock` (shutdown, unlike close, does that on every platform).
    The plain socket's method: on a TLS socket it shuts the file descriptor down without a TLS goodbye."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watchdog:
    """One daemon thread for all requests of a client; it sleeps until the earliest bound."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._watches: set[Watch] = set()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def bound(self, seconds: float) -> Iterator[Watch]:
        """Requests made by this thread inside the block are cut after `seconds`."""
        watch = Watch(time.monotonic() + seconds)
        with self._condition:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="factcheck-watchdog", daemon=True)
                self._thread.start()
            self._condition.notify()
        _current.watch = watch
        try:
            yield watch
        finally:
            _current.watch = None
            with self._condition:
                self._watches.discard(watch)

    def attach(self, watch: Watch, sock: socket.socket) -> None:
        with self._condition:
            watch.sockets.append(sock)
            if watch.fired:  # the time ran out before this socket was made
                cut(sock)

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for watch in [w for w in self._watches if w.expires <= now and not w.fired]:
                    watch.fire()
                waiting = [w.expires for w in self._watches if not w.fired]
                self._condition.wait(max(0.0, min(waiting) - now) if waiting else None)


WATCHDOG = Watchdog()  # one for the process: its thread costs nothing while no request runs
_current = threading.local()


def _attach(sock: socket.socket | None) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        WATCHDOG.attach(watch, sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)  # a new connection: its plain socket (under TLS, too)
        return sock

    def request(self, *args, **kwargs) -> None:  # type: ignore[override]
        _attach(self.sock)  # a reused connection's socket
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args, **kwargs) -> None:  # type: ignore[override]
        _attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, its connections handing their sockets to the watchdog (through an HTTP proxy
    too; a SOCKS proxy has its own connection classes: there only the daemon threads bound the build)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS  # type: ignore[assignment]

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager
