"""Batched services are scheduled fairly (issue 23, item 16): PubMed's batched requests do not wait
behind thousands of single DOI requests queued before them. Not timed: the order of events is asserted."""

from __future__ import annotations

import threading
import time

import fault_servers
from online_fakes import summary, verify

from mkdocs_factcheck.core.checks.online.pool import DaemonPool
from mkdocs_factcheck.core.checks.online.pubmed import BATCH

pytest_plugins = ["online_fixtures"]

DOIS, PMIDS = 300, 250  # 600 single requests (handle API and Crossref), 3 batches of E-utilities


class SilentRecording:
    """A host that never answers, noting when each of its connections ends (the client gave up)."""

    def __init__(self) -> None:
        self.ended: list[float] = []

    def __call__(self, conn, stop: threading.Event) -> None:
        fault_servers.read_request(conn)
        conn.settimeout(0.1)
        while not stop.is_set():
            try:
                if not conn.recv(1024):
                    break
            except TimeoutError:
                continue
        self.ended.append(time.monotonic())


def test_pubmed_batches_do_not_wait_behind_single_doi_requests(services, tmp_path):
    """The DOI resolver never answers and its 300 requests are queued first; Crossref and E-utilities
    answer at once. Every esummary batch is asked before the first DOI request gives up."""
    bib = "".join(
        f"@article{{a{n}, title={{Study {n}}}, journal={{J}}, year={{2020}}, doi={{10.1000/f.{n}}}"
        + (f", pmid={{{5000 + n}}}" if n < PMIDS else "")
        + "}\n"
        for n in range(DOIS)
    )
    for n in range(PMIDS):
        services.pubmed[str(5000 + n)] = summary(str(5000 + n), f"Study {n}", 2020)
    recording = SilentRecording()
    with fault_servers.raw_server(recording) as resolver:
        settings = {
            **services.settings,
            "doi_resolver": resolver.url("/doi"),
            "timeout": 8,
            "deadline": 60,
            "retries": 0,
            "per_host": 4,
            "concurrency": 8,
        }
        report, _ = verify(settings, bib, tmp_path)
    batches = [
        (when, args["id"].split(",")) for when, _, path, args in services.requests if path == "/eutils/esummary.fcgi"
    ]
    # How the ids split into requests depends on when the planning thread hands them over; what must
    # hold is that each id is asked once, in requests of at most BATCH ids.
    asked_ids = [pmid for _, ids in batches for pmid in ids]
    assert sorted(asked_ids) == sorted(str(5000 + n) for n in range(PMIDS))
    assert all(len(ids) <= BATCH for _, ids in batches)
    asked = [when for when, _ in batches]
    assert recording.ended, "the resolver's requests never ended"
    assert max(asked) < min(recording.ended), "an E-utilities batch waited for the DOI requests"
    pmid_outcomes = {
        check["outcome"] for data in report.by_key.values() for check in data["checks"] if check["check"] == "pmid"
    }
    assert pmid_outcomes == {"found"}


def test_the_pool_serves_its_lanes_in_turn():
    """Ten tasks of a lane that block are queued before one of another lane: that one runs while they
    block, and no lane has more than `per_lane` tasks running."""
    pool = DaemonPool(8, "lanes", per_lane=2)
    release = threading.Event()
    running: dict[str, int] = {}
    most: dict[str, int] = {}
    lock = threading.Lock()

    def task(lane: str) -> str:
        with lock:
            running[lane] = running.get(lane, 0) + 1
            most[lane] = max(most.get(lane, 0), running[lane])
        if lane == "slow":
            release.wait(30)
        with lock:
            running[lane] -= 1
        return lane

    slow = [pool.submit(task, "slow", lane="slow") for _ in range(10)]
    quick = pool.submit(task, "quick", lane="quick")
    assert quick.result(timeout=30) == "quick"
    assert not any(future.done() for future in slow)
    release.set()
    assert [future.result(timeout=30) for future in slow] == ["slow"] * 10
    assert most == {"slow": 2, "quick": 1}
    pool.shutdown()
    assert pool.submit(task, "late").cancelled()
