"""How the checks behave when services are slow, down, rate-limited or garbled; the deadline; the cache."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from online_fakes import json_reply, kinds, verify, work
from werkzeug import Response

from mkdocs_factcheck.core.checks.online.http import Client
from mkdocs_factcheck.core.checks.online.limits import retry_after

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

DOI_BIB = "@article{ref, author={Smith, Jane}, title={A study}, journal={J}, year={2020}, doi={10.1000/a}}"


def crossref_ok(services):
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")


def test_429_with_retry_after_is_honoured(services, tmp_path):
    crossref_ok(services)
    ok = json_reply({"status": "ok", "message": services.works["10.1000/a"]})
    services.routes["/crossref/works/10.1000/a"] = [Response("slow down", 429, headers={"Retry-After": "1"}), ok]
    report, _ = verify(services.settings, DOI_BIB, tmp_path)
    assert kinds(report) == []
    times = [t for t, _, path, _ in services.requests if path.startswith("/crossref/")]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9  # waited as asked, not the short backoff


def test_500_then_success(services, tmp_path):
    crossref_ok(services)
    ok = json_reply({"status": "ok", "message": services.works["10.1000/a"]})
    services.routes["/crossref/works/10.1000/a"] = [Response("oops", 500), Response("oops", 503), ok]
    report, _ = verify(services.settings, DOI_BIB, tmp_path)
    assert kinds(report) == []
    assert services.count("/crossref/") == 3
    assert report.by_key["ref"]["status"] == "verified"


def test_persistent_5xx_leaves_the_source_unverified_and_is_not_cached(services, tmp_path):
    crossref_ok(services)
    services.routes["/crossref/works/10.1000/a"] = Response("down", 503)
    report, _ = verify({**services.settings, "retries": 1}, DOI_BIB, tmp_path)
    assert kinds(report) == ["service_unavailable"]
    assert "Crossref could not be reached (HTTP 503)" in report.findings[0].message
    assert report.findings[0].file is None
    assert report.status_html("ref") == ""  # a build-machine state: no mark for readers
    services.routes.clear()
    report, _ = verify(services.settings, DOI_BIB, tmp_path)  # not cached: asked again, now answered
    assert kinds(report) == [] and report.by_key["ref"]["status"] == "verified"


def test_timeout_is_reported_once_per_service(services, tmp_path):
    services.routes["/crossref/works/10.1000/a"] = services.hang
    services.routes["/crossref/works/10.1000/b"] = services.hang
    services.handles.update({"10.1000/a", "10.1000/b"})
    bib = DOI_BIB + "\n@article{other, title={B}, year={2020}, doi={10.1000/b}}"
    started = time.monotonic()
    report, _ = verify({**services.settings, "timeout": 0.5, "retries": 0}, bib, tmp_path)
    assert time.monotonic() - started < 15  # the server would hang for 30 s (wide margin: a loaded machine)
    assert kinds(report) == ["service_unavailable"]
    message = report.findings[0].message
    assert message.startswith("Crossref could not be reached (timeout (2))") and "ref, other" in message
    checks = {c["check"]: c for c in report.by_key["ref"]["checks"]}
    assert checks["crossref"]["outcome"] == "unverified" and checks["crossref"]["detail"] == "timeout"
    assert checks["doi"]["outcome"] == "found"


def test_slow_drip_reply_is_cut_off(services, tmp_path):
    def drip(request):
        def body():
            for _ in range(300):
                yield b" "
                time.sleep(0.1)  # the server drips; the client's total time per reply must end it

        return Response(body(), 200, content_type="application/json")

    services.handles.add("10.1000/a")
    services.routes["/crossref/works/10.1000/a"] = drip
    started = time.monotonic()
    report, _ = verify({**services.settings, "timeout": 0.5, "retries": 0}, DOI_BIB, tmp_path)
    assert time.monotonic() - started < 15  # the drip lasts 30 s; each byte comes well within the timeout
    assert report.by_key["ref"]["checks"][1]["detail"] == "timeout (reply too slow)"
    assert kinds(report) == ["service_unavailable"]


def test_malformed_json(services, tmp_path):
    services.handles.add("10.1000/a")
    services.routes["/crossref/works/10.1000/a"] = Response(
        '{"status": "ok", "message": {', 200, content_type="application/json"
    )
    report, _ = verify(services.settings, DOI_BIB, tmp_path)
    assert kinds(report) == ["service_unavailable"]
    assert "malformed JSON" in report.findings[0].message


def test_connection_refused(services, tmp_path, closed_port):
    dead = f"http://127.0.0.1:{closed_port}"
    settings = {**services.settings, "crossref_api": dead, "doi_resolver": dead, "retries": 1}
    bib = DOI_BIB + "\n@article{other, title={B}, year={2020}, doi={10.1000/b}}"
    report, _ = verify(settings, bib, tmp_path)
    messages = sorted(f.message for f in report.findings)
    assert kinds(report) == ["service_unavailable", "service_unavailable"]  # one per service, not per source
    assert messages[0].startswith("Crossref could not be reached (connection refused (2))")
    assert messages[1].startswith("DOI resolver could not be reached (connection refused (2))")
    assert report.by_key["ref"]["status"] == "unverified"


def test_the_deadline_bounds_the_phase(services, tmp_path):
    services.routes["/crossref/works/10.1000/a"] = services.hang
    services.routes["/doi/api/handles/10.1000/a"] = services.hang
    started = time.monotonic()
    report, _ = verify({**services.settings, "timeout": 20, "deadline": 0.6}, DOI_BIB, tmp_path)
    assert time.monotonic() - started < 12  # not the 20 s timeout, nor the 30 s the server would hang
    assert kinds(report) == ["service_unavailable"]
    assert report.findings[0].message.startswith(
        "online checks stopped at the deadline (0.6 s): 1 source left unverified: ref"
    )
    assert report.status_html("ref") == ""


def test_retries_stop_at_the_deadline(services, tmp_path):
    services.routes["/crossref/works/10.1000/a"] = Response("busy", 429, headers={"Retry-After": "30"})
    services.handles.add("10.1000/a")
    started = time.monotonic()
    report, _ = verify({**services.settings, "deadline": 6}, DOI_BIB, tmp_path)
    assert time.monotonic() - started < 20  # the 30 s Retry-After, which passes the deadline, is not waited for
    assert "HTTP 429 (a retry would pass the deadline)" in report.findings[0].message
    assert services.count("/crossref/") == 1


def test_warm_cache_sends_no_request(services, tmp_path):
    crossref_ok(services)
    bib = (
        DOI_BIB + f"\n@misc{{page, title={{P}}, url={{{services.url('/web/ok')}}}}}\n@article{{pm, title={{Gone}},"
        " year={2019}, pmid={999}}"
    )
    first, _ = verify(services.settings, bib, tmp_path)
    assert kinds(first) == ["pmid_not_found"]
    sent = len(services.requests)
    assert sent == 4
    second, verifier = verify(services.settings, bib, tmp_path)
    assert len(services.requests) == sent and verifier.client.sent == 0
    assert kinds(second) == ["pmid_not_found"]  # not-found outcomes are cached too (for a shorter time)
    assert all(check["from_cache"] for data in second.by_key.values() for check in data["checks"])
    expired, _ = verify({**services.settings, "cache_missing_days": 0}, bib, tmp_path)
    assert len(services.requests) == sent + 1  # only the not-found PMID is asked again


def test_cache_only_without_network(services, tmp_path):
    crossref_ok(services)
    verify(services.settings, DOI_BIB, tmp_path)
    sent = len(services.requests)
    bib = DOI_BIB + "\n@article{new, title={B}, year={2020}, doi={10.1000/b}}"
    report, _ = verify(services.settings, bib, tmp_path, network=False)
    assert len(services.requests) == sent
    assert report.by_key["ref"]["status"] == "verified"
    assert report.by_key["new"]["status"] == "unverified"
    assert report.status_html("new") == ""
    assert kinds(report) == []  # nothing was asked of any service: nothing is unavailable


def test_two_builds_share_one_cache_at_once(services, tmp_path):
    """Two processes check the same sources into one cache at the same time; both finish, the cache stays whole."""
    for n in range(20):
        services.works[f"10.1000/n{n}"] = work(f"10.1000/n{n}", f"Paper {n}", 2020, "Smith")
    bib = "\n".join(
        f"@article{{n{n}, author={{Smith, J}}, title={{Paper {n}}}, year={{2020}}, doi={{10.1000/n{n}}}}}"
        for n in range(20)
    )
    script = Path(__file__).with_name("online_fakes.py").parent
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "from online_fakes import verify; from pathlib import Path;"
        "report, _ = verify(json.loads(sys.argv[2]), sys.argv[3], Path(sys.argv[4]));"
        "print(sorted(d['status'] for d in report.by_key.values()) == ['verified'] * 20)"
    )
    import json

    args = [sys.executable, "-c", code, str(script), json.dumps(services.settings), bib, str(tmp_path / "cache")]
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [out.strip() for out, _ in outputs] == ["True", "True"], outputs
    sent = len(services.requests)
    report, verifier = verify(services.settings, bib, tmp_path / "cache")
    assert verifier.client.sent == 0 and len(services.requests) == sent
    assert all(d["status"] == "verified" for d in report.by_key.values())


def test_two_builds_in_threads_at_once(services, tmp_path):
    for n in range(10):
        services.works[f"10.1000/n{n}"] = work(f"10.1000/n{n}", f"Paper {n}", 2020, "Smith")
    bib = "\n".join(
        f"@article{{n{n}, author={{Smith, J}}, title={{Paper {n}}}, year={{2020}}, doi={{10.1000/n{n}}}}}"
        for n in range(10)
    )
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(verify(services.settings, bib, tmp_path)[0])) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(reports) == 2
    assert all(d["status"] == "verified" for report in reports for d in report.by_key.values())


def test_per_host_limit(services, tmp_path):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def counted(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)  # the server holds each request briefly so that overlaps can happen
        with lock:
            state["now"] -= 1
        return Response("", 200)

    base = services.url("/web")
    for n in range(8):
        services.routes[f"/web/p{n}"] = counted
    bib = "\n".join(f"@misc{{p{n}, title={{P}}, url={{{base}/p{n}}}}}" for n in range(8))
    report, _ = verify({**services.settings, "per_host": 2, "concurrency": 8}, bib, tmp_path)
    assert kinds(report) == []
    assert state["max"] == 2


def test_rate_limit_headers_space_requests(services):
    services.routes["/api"] = Response("", 200, headers={"X-Rate-Limit-Limit": "5", "X-Rate-Limit-Interval": "1s"})
    client = Client("test", timeout=2)
    try:
        started = time.monotonic()
        client.get(services.url("/api"))
        client.get(services.url("/api"))
        both = time.monotonic() - started
    finally:
        client.close()
    # 5 per second: the second request may not start before a fifth of a second has passed. Measured on
    # the client's side, since a loaded server may record the first arrival late.
    assert both >= 0.18
    assert services.count("/api") == 2


def test_retry_after_forms():
    assert retry_after("3") == 3.0
    assert retry_after("") is None
    assert retry_after("soon") is None
    assert 0 <= retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_a_down_host_is_skipped_after_repeated_failures(services, tmp_path, closed_port):
    dead = f"http://127.0.0.1:{closed_port}"
    settings = {
        **services.settings,
        "crossref_api": dead,
        "doi_resolver": dead,
        "retries": 1,
        "concurrency": 1,
        "per_host": 1,
    }
    bib = "\n".join(f"@article{{n{n}, title={{P}}, year={{2020}}, doi={{10.1000/n{n}}}}}" for n in range(6))
    report, verifier = verify(settings, bib, tmp_path)
    # Twelve checks, each tried twice, would be 24 requests; after three checks failed in a row the host is skipped
    # (a few retries of checks already under way may still go out).
    assert verifier.client.sent <= 10
    assert {d["status"] for d in report.by_key.values()} == {"unverified"}
    assert kinds(report) == ["service_unavailable", "service_unavailable"]


def test_connections_are_reused():
    """A keep-alive server (HTTP/1.1) sees one connection for several requests read to the end."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    peers = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the name http.server calls
            peers.add(self.client_address)
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = Client("test", timeout=2)
    try:
        replies = [client.get(f"http://127.0.0.1:{server.server_address[1]}/{n}").json() for n in range(4)]
    finally:
        client.close()
        server.shutdown()
        server.server_close()
    assert replies == [{"ok": True}] * 4
    assert len(peers) == 1
