"""Network faults, each on 127.0.0.1: the checks end within their bound, the outcome is right, nothing
wrong is cached, and the next run against a healthy server is right.

HTTP-level faults come from pytest-httpserver; faults below HTTP (headers a byte at a time, resets, a
silent peer) from raw sockets (fault_servers.py). Each fault hits every service the entry needs (DOI
handle API, Crossref, E-utilities) unless it is about one of them.
"""

from __future__ import annotations

import email.utils
import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import fault_servers
import pytest
from online_fakes import SILENT_HOSTS, json_reply, let_minutes_pass, summary, verify, work
from werkzeug import Request, Response

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

BIB = "@article{ref, author={Smith, Jane}, title={A study}, journal={J}, year={2020}, doi={10.1000/a}, pmid={12345}}"
PATHS = {"doi": "/doi/api/handles/10.1000/a", "crossref": "/crossref/works/10.1000/a", "pmid": "/eutils/esummary.fcgi"}
FAST = {"timeout": 0.5, "deadline": 4, "retries": 0}  # against a faulty server: it fails soon
HEALTHY = {"timeout": 3, "deadline": 10, "retries": 1}  # against a healthy one on a busy machine
BOUND = HEALTHY["deadline"] + 5  # seconds: "it does not hang", not a speed target
ALL_UNVERIFIED = {"doi": "unverified", "crossref": "unverified", "pmid": "unverified"}
ALL_FOUND = {"doi": "found", "crossref": "found", "pmid": "found"}


def healthy(services) -> None:
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.pubmed["12345"] = summary("12345", "A study", 2020, doi="10.1000/a")


def outcomes(report) -> dict[str, str]:
    return {check["check"]: check["outcome"].replace(" ", "_") for check in report.by_key["ref"]["checks"]}


def cached(cache_dir: Path) -> dict[str, str]:
    """Check key -> stored status, read straight from the SQLite file (the silent hosts left out)."""
    path = cache_dir / "online.sqlite3"
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        return {
            key: value
            for key, value in db.execute(
                "SELECT key, json_extract(value, '$.status') FROM outcomes WHERE key != ?", (SILENT_HOSTS,)
            )
        }


def timed_verify(settings: dict, cache_dir: Path):
    started = time.monotonic()
    report, verifier = verify(settings, BIB, cache_dir)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND, f"the checks took {elapsed:.1f} s"
    return report, verifier


def every_service(response_or_handler):
    return {kind: response_or_handler for kind in PATHS}


def dripping(services):
    """A body sent a byte every 50 ms (the fault itself), ending when the test does."""

    def handler(request: Request) -> Response:
        def drip():
            yield b'{"responseCode": 1,'
            while not services.release.wait(0.05):
                yield b" "

        return Response(drip(), 200, content_type="application/json")

    return handler


def retry_date(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def hang(services):
    return every_service(services.hang)


def esummary_without_id(request: Request) -> Response:
    return json_reply({"header": {"type": "esummary", "version": "0.3"}, "result": {"uids": []}})


# name -> (routes by service, given the fake services; expected outcomes; what the cache then holds)
HTTP_FAULTS = {
    "hang": (hang, ALL_UNVERIFIED),
    "5xx": (lambda s: every_service(Response("down", 503)), ALL_UNVERIFIED),
    "429-huge-retry-after": (
        lambda s: every_service(Response("slow down", 429, headers={"Retry-After": "9" * 400})),
        ALL_UNVERIFIED,
    ),
    "slow-body": (lambda s: every_service(dripping(s)), ALL_UNVERIFIED),
    "truncated-json": (
        lambda s: every_service(
            Response('{"responseCode": 1, "handle": "10.1000/a", "val', 200, content_type="application/json")
        ),
        ALL_UNVERIFIED,
    ),
    "malformed-json": (
        lambda s: every_service(Response("{responseCode: 1}", 200, content_type="application/json")),
        ALL_UNVERIFIED,
    ),
    "json-not-an-object": (lambda s: every_service(json_reply([1, 2, 3])), ALL_UNVERIFIED),
    "wrong-content-type": (
        lambda s: every_service(
            Response('<html><form action="/login">Sign in to the Wi-Fi</form></html>', 200, content_type="text/html")
        ),
        ALL_UNVERIFIED,
    ),
    "json-labelled-html": (
        lambda s: every_service(Response('{"responseCode": 1, "handle": "10.1000/a"}', 200, content_type="text/html")),
        ALL_UNVERIFIED,
    ),
    "html-404": (
        lambda s: every_service(Response("<html><h1>404 Not Found</h1>nginx</html>", 404, content_type="text/html")),
        ALL_UNVERIFIED,
    ),
    "redirect-loop": (
        lambda s: {kind: Response("", 302, headers={"Location": path}) for kind, path in PATHS.items()},
        ALL_UNVERIFIED,
    ),
    "redirect-javascript": (
        lambda s: every_service(Response("", 302, headers={"Location": "javascript:alert(1)"})),
        ALL_UNVERIFIED,
    ),
    "redirect-ftp": (
        lambda s: every_service(Response("", 301, headers={"Location": "ftp://files.invalid/a"})),
        ALL_UNVERIFIED,
    ),
    "handle-json-for-another-doi": (
        lambda s: {
            "doi": json_reply({"responseCode": 1, "handle": "10.9999/portal"}),
            "crossref": Response("down", 503),
            "pmid": Response("down", 503),
        },
        ALL_UNVERIFIED,
    ),
    "esummary-without-the-id": (
        lambda s: {"pmid": esummary_without_id},
        {"doi": "found", "crossref": "found", "pmid": "unverified"},
    ),
}


@pytest.mark.parametrize("fault", list(HTTP_FAULTS))
def test_http_fault(services, tmp_path, fault):
    healthy(services)
    routes, expected = HTTP_FAULTS[fault]
    for kind, route in routes(services).items():
        services.routes[PATHS[kind]] = route
    report, _ = timed_verify({**services.settings, **(HEALTHY if "found" in expected.values() else FAST)}, tmp_path)
    assert outcomes(report) == expected
    found = {
        f"{kind}:{'12345' if kind == 'pmid' else '10.1000/a'}"
        for kind, outcome in expected.items()
        if outcome == "found"
    }
    assert cached(tmp_path) == dict.fromkeys(found, "found"), "a failure was cached"
    services.release.set()  # hanging handlers answer now
    services.routes.clear()
    let_minutes_pass(tmp_path)  # a host that did not answer is skipped for some minutes (test_silent_hosts.py)
    report, _ = timed_verify({**services.settings, **HEALTHY}, tmp_path)
    assert outcomes(report) == ALL_FOUND
    assert set(cached(tmp_path).values()) == {"found"} and len(cached(tmp_path)) == 3


@pytest.mark.parametrize("header", ["1", "date"])
def test_429_with_retry_after_then_success(services, tmp_path, header):
    """Retry-After in seconds or as an HTTP date is waited for, then the answer counts."""
    healthy(services)
    value = "1" if header == "1" else retry_date(1)
    ok = json_reply({"status": "ok", "message": services.works["10.1000/a"]})
    services.routes[PATHS["crossref"]] = [Response("slow down", 429, headers={"Retry-After": value}), ok]
    report, _ = timed_verify({**services.settings, **HEALTHY, "retries": 2}, tmp_path)
    assert outcomes(report) == ALL_FOUND
    assert services.count("/crossref/") == 2


def test_429_with_a_huge_retry_after_gives_up_at_once(services, tmp_path):
    """A pause past the deadline is not waited for: the checks end long before it."""
    healthy(services)
    services.routes[PATHS["crossref"]] = Response("slow down", 429, headers={"Retry-After": retry_date(10**6)})
    started = time.monotonic()
    report, _ = verify({**services.settings, **FAST}, BIB, tmp_path)
    assert time.monotonic() - started < FAST["deadline"]
    # Every fake service shares one host, so the pause holds E-utilities up too, as it should.
    assert outcomes(report)["crossref"] == "unverified"
    assert set(cached(tmp_path).values()) <= {"found"}


RAW_FAULTS = {
    "slow-headers": fault_servers.slow_headers,
    "slow-body": fault_servers.slow_body,
    "reset-before-body": fault_servers.reset_before_body,
    "reset-during-body": fault_servers.reset_during_body,
    "silent": fault_servers.silent,
}


def pointed_at(settings: dict, base: str) -> dict:
    return {
        **settings,
        **FAST,
        "crossref_api": f"{base}/crossref",
        "doi_resolver": f"{base}/doi",
        "eutils_api": f"{base}/eutils",
    }


@pytest.mark.parametrize("fault", list(RAW_FAULTS))
def test_socket_fault(services, tmp_path, fault):
    healthy(services)
    with fault_servers.raw_server(RAW_FAULTS[fault]) as server:
        report, _ = timed_verify(pointed_at(services.settings, server.url()), tmp_path)
        assert server.connections >= 1
        assert pool_threads_left() == [], "a request outlived its bound"
    assert outcomes(report) == ALL_UNVERIFIED
    assert cached(tmp_path) == {}
    let_minutes_pass(tmp_path)
    report, _ = timed_verify({**services.settings, **HEALTHY}, tmp_path)
    assert outcomes(report) == ALL_FOUND


def pool_threads_left() -> list[str]:
    """The verifier's threads still alive once each had a request's bound (and a margin) to end: its
    requests really end, they are not merely abandoned (the server is still misbehaving meanwhile)."""
    end = time.monotonic() + FAST["timeout"] + 4
    for thread in threading.enumerate():
        if thread.name.startswith("factcheck-online"):
            thread.join(max(0.0, end - time.monotonic()))
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("factcheck-online")]


def test_connection_refused(services, tmp_path, closed_port):
    healthy(services)
    report, _ = timed_verify(pointed_at(services.settings, f"http://127.0.0.1:{closed_port}"), tmp_path)
    assert outcomes(report) == ALL_UNVERIFIED and cached(tmp_path) == {}
    report, _ = timed_verify({**services.settings, **HEALTHY}, tmp_path)
    assert outcomes(report) == ALL_FOUND


def test_services_own_not_found_is_believed_and_cached(services, tmp_path):
    """The other side of the faults: the handle API's responseCode 100, Crossref's "Resource not found."
    and esummary's per-id error are the services' own word, so they count and are cached."""
    report, _ = timed_verify({**services.settings, **HEALTHY}, tmp_path)
    assert outcomes(report) == {"doi": "not_found", "crossref": "not_found", "pmid": "not_found"}
    assert cached(tmp_path) == {
        "doi:10.1000/a": "not_found",
        "crossref:10.1000/a": "not_found",
        "pmid:12345": "not_found",
    }


def test_a_redirect_from_the_handle_api_is_not_found_and_not_cached(services, tmp_path):
    """A captive portal redirects every request: that must not mark a DOI found (Crossref down too, so
    nothing else vouches for it)."""
    services.routes[PATHS["doi"]] = Response("", 302, headers={"Location": "http://portal.invalid/login"})
    services.routes[PATHS["crossref"]] = Response("down", 503)
    report, _ = timed_verify({**services.settings, **FAST}, tmp_path)
    assert outcomes(report)["doi"] == "unverified"
    assert "doi:10.1000/a" not in cached(tmp_path)


@pytest.mark.parametrize("target", ["javascript:alert(1)", "ftp://files.invalid/a"])
def test_url_redirecting_to_another_scheme_is_unverified_not_cached(services, tmp_path, target):
    services.routes["/web/page"] = Response("", 302, headers={"Location": target})
    bib = f"@misc{{ref, title={{A page}}, year={{2020}}, url={{{services.url('/web/page')}}}}}"
    report, _ = verify({**services.settings, **FAST}, bib, tmp_path)
    check = report.by_key["ref"]["checks"][0]
    assert check["outcome"] == "unverified" and "not checked" in check["detail"]
    assert cached(tmp_path) == {}


# ---------------------------------------------------------------- the process exits


BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

config = load_config(sys.argv[1])
config.plugins.on_startup(command="build", dirty=False)
try:
    build(config)
finally:
    config.plugins.on_shutdown()
print("built")
"""


@pytest.mark.parametrize("fault", ["slow-headers", "silent"])
def test_build_process_exits_within_the_deadline_whatever_the_server_does(site, tmp_path, fault):
    """A real `mkdocs build` in its own process against a server that drips its headers (urllib3's
    timeout is per recv) or never answers: the process ends soon after the deadline."""
    deadline = 3
    with fault_servers.raw_server(RAW_FAULTS[fault]) as server:
        base = server.url()
        site.bib(BIB)
        site.page("index.md", "# Page\n\nA claim [@ref].\n")
        online = {
            "enabled": True,
            "timeout": 30,
            "deadline": deadline,
            "retries": 0,
            "spacing": 0,
            "cache_dir": ".cache/factcheck",
        }
        online.update(
            {"crossref_api": f"{base}/crossref", "doi_resolver": f"{base}/doi", "eutils_api": f"{base}/eutils"}
        )
        site.config({"online": online})
        script = tmp_path / "build.py"
        script.write_text(textwrap.dedent(BUILD), encoding="utf-8")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(script), str(site.root / "mkdocs.yml")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout
    assert elapsed < deadline + 15, (
        f"the build process took {elapsed:.1f} s"
    )  # generous: Python and MkDocs start up too
    # The source stays unverified, which the editors read in the terminal; readers see no mark of it.
    report = json.loads(
        (site.site_dir / "factcheck.json").read_text(encoding="utf-8")
    )  # the site's tests publish findings
    assert {"service_unavailable"} & {finding["kind"] for finding in report["findings"]}, report["findings"]
    assert "Unverified" not in (site.site_dir / "index.html").read_text(encoding="utf-8")


STUCK = """
import threading
from mkdocs_factcheck.core.checks.online.pool import DaemonPool

pool = DaemonPool(2, "stuck")
started = threading.Event()
pool.submit(lambda: (started.set(), threading.Event().wait()))  # stuck for good, as no timeout reaches
started.wait(10)
pool.shutdown()
print("leaving")
"""


def test_a_stuck_pool_thread_does_not_keep_the_process_alive():
    result = subprocess.run([sys.executable, "-c", STUCK], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "leaving" in result.stdout, result.stderr


def test_the_bound_holds_through_an_http_proxy(local_only, monkeypatch):
    """With HTTP_PROXY set (as on many CI machines) requests go through another connection pool: a
    proxy that drips its reply's headers is cut all the same."""
    from mkdocs_factcheck.core.checks.online.http import Client, ServiceError

    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with fault_servers.raw_server(fault_servers.slow_headers) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url())
        client = Client("test", timeout=0.5, retries=0)
        started = time.monotonic()
        with pytest.raises(ServiceError, match="too slow"):
            client.get("http://doi.invalid/api/handles/10.1000/a")
        assert time.monotonic() - started < 5
        assert proxy.connections == 1
        client.close()
