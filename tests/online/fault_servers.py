"""Raw TCP servers on 127.0.0.1 for faults below HTTP: headers sent a byte at a time, resets, silence.

pytest-httpserver (werkzeug) always answers with whole, well-formed headers; these faults need the socket.
Each server accepts in a daemon thread and runs `behaviour(connection, stop)` per connection, in its own
daemon thread; `stop` is set when the test ends, so that nothing outlives it.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

Behaviour = Callable[[socket.socket, threading.Event], None]
DRIP = 0.05  # seconds between the bytes a dripping server sends


def read_request(conn: socket.socket) -> bytes:
    """Up to the end of the request's headers (the checks send no body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def reset(conn: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0) rather than an orderly end."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def slow_headers(conn: socket.socket, stop: threading.Event) -> None:
    """Headers that never end, one byte at a time, each well within any read timeout."""
    read_request(conn)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    for byte in head:
        conn.sendall(bytes([byte]))
        if stop.wait(DRIP):
            return
    while not stop.wait(DRIP):
        conn.sendall(b"X")  # one endless header line


def slow_body(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
    while not stop.wait(DRIP):
        conn.sendall(b" ")


def reset_before_body(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    reset(conn)


def reset_during_body(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"responseCode": 1,'
        b' "handle": "10.1'
    )
    reset(conn)


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accepts, reads the request, never answers."""
    read_request(conn)
    stop.wait()


class RawServer:
    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            try:
                self.behaviour(conn, self.stop)
            finally:
                conn.close()

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()


@contextlib.contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[RawServer]:
    server = RawServer(behaviour)
    try:
        yield server
    finally:
        server.close()
