"""A network that does not answer (issue 27): servers on 127.0.0.1 that accept connections and never
answer. A silent host is asked once per request slot, then not again in the build; a network where no
host answers is left after one round of timeouts; both are remembered for some minutes in the online
cache, so that the next build asks nothing (one probe in the background), and an answer clears them.

Nothing here is timed: the tests count connections and requests, and read findings and the cache.
"""

from __future__ import annotations

import threading
import time

import fault_servers
import pytest
from online_fakes import json_reply, let_minutes_pass, remembered_hosts, summary, verify, work

from mkdocs_factcheck.core.checks.online.silent_hosts import MINUTES, SilentHosts

pytest_plugins = ["online_fixtures"]

PATHS = {"doi": "/doi/api/handles/10.1000/a", "crossref": "/crossref/works/10.1000/a", "pmid": "/eutils/esummary.fcgi"}
BIB_ONE = (
    "@article{ref, author={Smith, Jane}, title={A study}, journal={J}, year={2020}, doi={10.1000/a}, pmid={12345}}"
)
SETTINGS = {"timeout": 1, "deadline": 60, "retries": 2, "spacing": 0, "per_host": 2, "concurrency": 8}
WAITED = 15  # seconds a condition is waited for before the test fails


def articles(count: int, urls: int = 0) -> str:
    """Entries with a DOI and a PMID each, and `urls` web pages, each on a host of its own."""
    bib = "".join(
        f"@article{{a{n}, author={{Author, A}}, title={{Study {n}}}, journal={{J}}, year={{2020}},"
        f" doi={{10.1000/s.{n}}}, pmid={{{1000 + n}}}}}\n"
        for n in range(count)
    )
    return bib + "".join(
        f"@misc{{w{n}, title={{Page {n}}}, year={{2021}}, url={{http://site{n}.example.org/page}}}}\n"
        for n in range(urls)
    )


def pointed_at(base: str, **more) -> dict:
    return {
        "enabled": True,
        "crossref_api": f"{base}/crossref",
        "doi_resolver": f"{base}/doi",
        "eutils_api": f"{base}/eutils",
        **SETTINGS,
        **more,
    }


def details(report) -> set[str]:
    return {check["detail"] for data in report.by_key.values() for check in data["checks"]}


def unavailable(report) -> list[str]:
    return [finding.message for finding in report.findings if finding.kind == "service_unavailable"]


def wait_for(condition, what: str) -> None:
    end = time.monotonic() + WAITED
    while not condition():
        assert time.monotonic() < end, f"never: {what}"
        time.sleep(0.05)


@pytest.fixture
def silent():
    with fault_servers.raw_server(fault_servers.silent) as server:
        yield server


@pytest.fixture
def silent_proxy(local_only, monkeypatch):
    """Every request of the test goes to a proxy that accepts connections and never answers."""
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with fault_servers.raw_server(fault_servers.silent) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url())
        yield proxy


def test_a_silent_host_is_asked_once_per_slot_then_not_again(local_only, silent, tmp_path):
    """Twelve entries, 24 single requests and a batch to one host that never answers: only the
    requests in flight together (per_host, 2) go out; the others, and every retry, are not sent."""
    report, verifier = verify(pointed_at(silent.url()), articles(12), tmp_path)
    host = f"127.0.0.1:{silent.port}"
    assert verifier.client.sent == SETTINGS["per_host"]
    assert silent.connections == SETTINGS["per_host"]
    assert all(detail.startswith(f"no answer from {host}") for detail in details(report)), details(report)
    [message] = unavailable(report)  # said once, naming the host
    assert message.startswith(
        f"no answer from {host} (not asked again for {MINUTES} minutes): the online checks of 12 sources could not run"
    )
    assert {data["status"] for data in report.by_key.values()} == {"unverified"}


def test_a_network_where_no_host_answers_is_left_after_one_round(silent_proxy, tmp_path):
    """Through a proxy that never answers, 10 entries (DOI, Crossref, PubMed) and 20 web pages on 20
    hosts: one round of requests (at most `concurrency` in flight, and one more round should the first
    have gone to a single host) rather than a round per host."""
    settings = pointed_at("http://services.example.org", per_host=4)
    report, verifier = verify(settings, articles(10, urls=20), tmp_path)
    assert verifier.client.sent <= 2 * SETTINGS["concurrency"], verifier.client.sent
    assert silent_proxy.connections == verifier.client.sent
    [message] = unavailable(report)
    assert (
        message.startswith("no answer from ")
        and "or any other host" in message
        and "30 sources could not run" in message
    )
    assert {data["status"] for data in report.by_key.values()} == {"unverified"}
    remembered = remembered_hosts(tmp_path)
    assert "services.example.org" in remembered and len(remembered) > 2  # the hosts never asked too
    assert all(entry["network"] for entry in remembered.values())


def test_the_next_build_asks_a_remembered_host_nothing(local_only, silent, tmp_path):
    settings = pointed_at(silent.url())
    verify(settings, articles(3), tmp_path)
    host = f"127.0.0.1:{silent.port}"
    assert set(remembered_hosts(tmp_path)) == {host}
    since = remembered_hosts(tmp_path)[host]["since"]
    first = silent.connections
    report, verifier = verify(settings, articles(3), tmp_path)
    assert verifier.client.sent == 0
    assert verifier.client.probes == 1  # whether it answers again, asked in the background
    wait_for(lambda: silent.connections == first + 1, "the probe's connection")
    [message] = unavailable(report)
    assert message.startswith(f"no answer from {host} (remembered from an earlier build; asked again after ")
    assert remembered_hosts(tmp_path)[host]["since"] == since  # skipping it does not make it remembered longer
    let_minutes_pass(tmp_path)
    verify(settings, articles(3), tmp_path)
    assert silent.connections > first + 1  # asked again once the minutes have passed


def test_a_host_that_comes_back(services, tmp_path):
    """The fake services hang, then answer again: the build after the silence skips them and probes;
    the probe's answer clears the memory at once, and the build after that checks as usual."""
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.pubmed["12345"] = summary("12345", "A study", 2020, doi="10.1000/a")
    for path in PATHS.values():
        services.routes[path] = services.hang
    settings = {**services.settings, **SETTINGS}
    report, _ = verify(settings, BIB_ONE, tmp_path)
    host = services.url().split("//")[1]
    assert set(remembered_hosts(tmp_path)) == {host}
    services.release.set()
    services.routes.clear()
    count = services.count()
    report, verifier = verify(settings, BIB_ONE, tmp_path)
    assert verifier.client.sent == 0 and report.by_key["ref"]["status"] == "unverified"
    wait_for(lambda: remembered_hosts(tmp_path) == {}, "the probe's answer clears the memory")
    assert [method for _, method, _, _ in services.requests[count:]] == ["HEAD"]
    report, _ = verify(settings, BIB_ONE, tmp_path)
    assert report.by_key["ref"]["status"] == "verified"
    assert not unavailable(report)


def test_an_answer_clears_the_host_and_the_silent_network(tmp_path):
    from mkdocs_factcheck.core.checks.online.cache import Cache

    cache = Cache(tmp_path)
    memory = SilentHosts(cache, tmp_path)
    memory.remember(["a.example", "b.example"], network=True)
    memory.remember(["c.example"], network=False)
    memory.flush()
    again = SilentHosts(cache, tmp_path)
    assert {host for host in ("a.example", "b.example", "c.example", "d.example") if again.recall(host)} == {
        "a.example",
        "b.example",
        "c.example",
    }
    again.forget("d.example")  # another host answered: the network is not silent
    assert set(remembered_hosts(tmp_path)) == {"c.example"}
    again.forget("c.example")
    assert remembered_hosts(tmp_path) == {}
    cache.close()


def test_remembered_hosts_of_the_wrong_shape_are_ignored(tmp_path):
    from mkdocs_factcheck.core.checks.online.cache import Cache
    from mkdocs_factcheck.core.checks.online.silent_hosts import KEY

    cache = Cache(tmp_path)
    now = time.time()
    hosts = {
        "ok.example": {"since": now, "network": False},
        "old.example": {"since": now - MINUTES * 60 - 5, "network": False},
    }
    hosts.update(
        {
            "text.example": {"since": "now", "network": False},
            "bool.example": {"since": True, "network": False},
            "list.example": [],
        }
    )
    cache.put(KEY, {"hosts": hosts}, 600)
    memory = SilentHosts(cache, tmp_path)
    assert [host for host in hosts if memory.recall(host)] == ["ok.example"]
    cache.put(KEY, {"hosts": ["not", "a", "mapping"]}, 600)
    assert SilentHosts(cache, tmp_path).recall("ok.example") is None
    cache.close()


def test_a_host_that_answered_is_not_silent_for_one_timeout(services, tmp_path):
    """A host that answered in this build and then times out is slow, not silent: its other requests
    go on, and the timed-out one is retried (the rule of three failures in a row still applies)."""
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.pubmed["12345"] = summary("12345", "A study", 2020, doi="10.1000/a")
    answered = threading.Event()

    def slow_once(request):
        if not answered.is_set():
            answered.set()
            services.release.wait(3)  # longer than the timeout, once
        return json_reply({"status": "ok", "message": services.works["10.1000/a"]})

    services.routes[PATHS["crossref"]] = slow_once
    report, _ = verify({**services.settings, **SETTINGS, "timeout": 1.5, "per_host": 4}, BIB_ONE, tmp_path)
    assert report.by_key["ref"]["status"] == "verified", report.by_key["ref"]
    assert remembered_hosts(tmp_path) == {}
