"""While a build waits for online checks or identifier records for more than two seconds, it says so:
what it waits for, how many are left, the deadline; a progress line on a terminal (a real pty here),
a log line otherwise. The services answer late on purpose: a record after 3 s, a web page after 6 s."""

from __future__ import annotations

import concurrent.futures as cf
import io
import os
import pty
import subprocess
import sys
import time

import pytest
from werkzeug import Request, Response

from mkdocs_factcheck.core.checks.online.waiting import CLEAR, Waiting

pytest_plugins = ["online_fixtures"]

PAGE = "# Page\n\nA record fetched late [@doi:10.1000/late] and a page checked late [@web].\n"
BIB = "@misc{web, title={A page}, year={2021}, url={URL}}\n"
RECORD = "Waiting for identifier records: 1 of 1 record left, deadline in "
CHECKS = "Waiting for online checks: 1 of 1 source left, deadline in "


def late(seconds: float, status: int):
    def handler(request: Request) -> Response:
        time.sleep(seconds)  # the fault under test: a service that answers late
        return Response("" if request.method == "HEAD" else "late", status, content_type="text/html")

    return handler


@pytest.fixture
def late_site(site, services):
    services.routes["/doi/10.1000/late"] = late(3, 404)
    services.routes["/web/late"] = late(6, 200)
    site.bib(BIB.replace("URL", services.url("/web/late")))
    site.page("index.md", PAGE)
    online = {
        **services.settings,
        "timeout": 20,
        "deadline": 40,
        "retries": 0,
        "cache_dir": ".cache/factcheck",
        "check_urls": True,
    }
    site.config({"online": online, "findings": {"uncited_entry": "ignore"}})
    return site


def build_process(site, terminal: bool) -> str:
    """`mkdocs build` in its own process, its stderr a pseudo-terminal or a pipe; what it wrote there."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(site.root / "mkdocs.yml")]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_line_in_a_terminal(late_site):
    output = build_process(late_site, terminal=True)
    assert CLEAR + RECORD in output and CLEAR + CHECKS in output, output
    last = output.rindex(CLEAR + CHECKS)
    assert CLEAR in output[last + len(CLEAR) :]  # wiped once the wait ended
    assert "Waiting for" not in output.replace(CLEAR + RECORD, "").replace(CLEAR + CHECKS, "")  # no log line besides


def test_a_log_line_otherwise(late_site):
    output = build_process(late_site, terminal=False)
    lines = [line for line in output.splitlines() if "Waiting for" in line]
    assert len(lines) == 2 and RECORD in lines[0] and CHECKS in lines[1], output
    assert "\r" not in output and "\x1b[K" not in output


def test_the_add_command_says_it_waits(site, services):
    """The command line sets up no logging: the line goes to stderr all the same."""
    services.routes["/doi/10.1000/late"] = late(3, 404)
    site.bib("")
    site.config({"online": {**services.settings, "retries": 0, "cache_dir": ".cache/factcheck"}})
    command = [sys.executable, "-m", "mkdocs_factcheck", "add", "-f", str(site.root / "mkdocs.yml"), "doi:10.1000/late"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # the service does not know it
    assert RECORD in done.stderr and "\r" not in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_short_wait_says_nothing():
    stream = Terminal()
    future: cf.Future = cf.Future()
    with cf.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: (time.sleep(0.5), future.set_result(1)))
        pending = Waiting("online checks", "source", time.monotonic() + 30, lambda: (1, 1), stream).wait([future])
    assert pending == set() and stream.getvalue() == ""
