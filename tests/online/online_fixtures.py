"""Fixtures of the online tests: fake services on 127.0.0.1 (see online_fakes.py), and no other host.

A plugin module rather than tests/online/conftest.py: without packages, every conftest.py is imported as
the module `conftest`, and a second one would shadow tests/conftest.py for `from conftest import ...`.
Test modules load it with `pytest_plugins = ["online_fixtures"]`; no fixture here is autouse, since
plugin fixtures apply to the whole session.
"""

from __future__ import annotations

import socket

import pytest
from online_fakes import LOCAL_HOSTS, Services
from pytest_httpserver import HTTPServer


@pytest.fixture
def local_only(monkeypatch):
    """No test may reach beyond 127.0.0.1: any other host fails to resolve."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in LOCAL_HOSTS:
            raise socket.gaierror(f"test blocked a lookup of {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(scope="session")
def fake_server():
    """One threaded server for the session (stopping one takes half a second); each test sets its own routes."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def services(fake_server, local_only):
    fake_server.clear()
    fake = Services(fake_server)
    yield fake
    fake.release.set()  # handlers still hanging answer now
    fake_server.clear()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
