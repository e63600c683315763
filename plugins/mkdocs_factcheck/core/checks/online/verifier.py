"""Runs the checks of every cited source on a thread pool while pages render, within one deadline."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.online import doi, pubmed
from mkdocs_factcheck.core.checks.online import url_checks as urls
from mkdocs_factcheck.core.checks.online.cache import Cache
from mkdocs_factcheck.core.checks.online.http import Client, ServiceError
from mkdocs_factcheck.core.checks.online.outcome import UNVERIFIED, Check, Outcome, unverified
from mkdocs_factcheck.core.checks.online.plan import lifetime, online_option, plan_checks
from mkdocs_factcheck.core.checks.online.pool import DaemonPool
from mkdocs_factcheck.core.checks.online.results import PLACEHOLDER, OnlineReport, OnlineReportBuilder
from mkdocs_factcheck.core.checks.online.silent_hosts import MINUTES, SilentHosts, clock
from mkdocs_factcheck.core.checks.online.waiting import Waiting
from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.version import __version__

log = logger("online")
# The option giving each service's address: a request's lane in the pool is its host.
SERVICE_OPTIONS = {
    "doi": "doi_resolver",
    "crossref": "crossref_api",
    "pmid": "eutils_api",
    "pmcid": "eutils_api",
    "isbn": "isbn_api",
}
BATCH_WAIT = 0.2  # seconds PubMed ids gather before one batched request


def user_agent(settings) -> str:
    """What every request says it comes from, with the editors' address when `mailto` is set (Crossref's
    and NCBI's etiquette)."""
    mailto = online_option(settings, "mailto")
    return f"mkdocs-factcheck/{__version__}" + (f" (mailto:{mailto})" if mailto else "")


class OnlineVerifier:
    def __init__(self, settings, cache_dir: Path, user_agent: str, network: bool = True):
        self.settings = settings
        self.cache_dir = cache_dir
        self.user_agent = user_agent
        self.network = network
        self.submitted: dict[str, Source] = {}
        self.plans: dict[str, list[Check]] = {}
        self.futures: dict[Check, cf.Future] = {}
        self.cache = Cache(cache_dir, log)
        self.client = Client(
            user_agent,
            timeout=online_option(settings, "timeout"),
            concurrency=online_option(settings, "concurrency"),
            per_host=online_option(settings, "per_host"),
            retries=online_option(settings, "retries"),
            spacing=online_option(settings, "spacing"),
        )
        self.client.memory = SilentHosts(self.cache, cache_dir) if network else None
        # More workers than request slots: a worker waiting for a busy host must not hold up the others.
        # One lane per host, each with no more work running than the host has request slots.
        workers = max(4, min(64, 4 * online_option(settings, "concurrency")))
        self.pool = DaemonPool(
            workers, "factcheck-online", per_lane=online_option(settings, "per_host")
        )  # daemon threads: none can keep the build from exiting
        self.started: float | None = None
        self.report: OnlineReport | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, dict[str, cf.Future]] = {"pmid": {}, "pmcid": {}}  # ids waiting for a batch
        self._batch_scheduled = False
        self._closed = False

    # ------------------------------------------------------------------ the contract

    def prefetch(self, source: Source) -> None:
        """Start the checks of an entry the pages seem to cite, before they render; returns at once.
        Only entries then really cited (`submit`) are waited for and reported."""
        key = source.key.lower()
        if key in self.plans or self._closed:
            return
        self.start_clock()
        self.plans[key] = plan = self._plan(source)
        for check in plan:
            if check not in self.futures:
                self.futures[check] = self._start(check)

    def start_clock(self) -> None:
        """The online phase's deadline starts with its first request, whoever makes it: these checks, or
        the identifiers' metadata (`metadata.MetadataFetcher`)."""
        if self.started is None:
            self.started = time.monotonic()
            self.client.deadline = self.started + float(online_option(self.settings, "deadline"))

    def submit(self, source: Source) -> None:
        """A newly cited entry: its checks start now unless prefetched; returns at once."""
        key = source.key.lower()
        if key in self.submitted or self._closed:
            return
        self.prefetch(source)
        self.submitted[key] = source

    def status_html(self, key: str) -> str:
        """Before `finish`: a placeholder (page bibliographies render early); after: the marks."""
        if self.report is not None:
            return self.report.status_html(key)
        if key.lower() not in self.submitted:
            return ""
        return PLACEHOLDER.format(key=escape(key, quote=True))

    def finish(self) -> OnlineReport:
        if self.report is not None:
            return self.report
        self._flush_batches()
        checks = {
            check for key in self.submitted for check in self.plans[key]
        }  # prefetched, never cited: not waited for
        pending = {self.futures[check] for check in checks}
        if pending and self.started is not None:
            end = self.started + float(online_option(self.settings, "deadline"))
            Waiting("online checks", "source", end, self._sources_left).wait(pending)
        self.client.stop.set()  # past the deadline nothing new starts; what is running ends by its timeout
        if self.client.memory is not None:
            self.client.memory.flush()
        outcomes = {check: self._result(self.futures[check]) for check in checks}
        builder = OnlineReportBuilder(float(online_option(self.settings, "deadline")), self._silence_note())
        for key, source in self.submitted.items():
            builder.add(source, self.plans[key], outcomes)
        self.report = builder.finish()
        self._summary(outcomes)
        return self.report

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.client.memory is not None:
            self.client.memory.flush()
        self.client.close()
        self.pool.shutdown(cancel_futures=True)
        self.cache.close()

    # ------------------------------------------------------------------ planning

    def _plan(self, source: Source) -> list[Check]:
        return plan_checks(source, self.settings)

    def lane(self, kind: str, value: str = "") -> str:
        """The pool's lane of a request: the host it goes to (a URL check's, the service's)."""
        option = SERVICE_OPTIONS.get(kind)
        return urlsplit(online_option(self.settings, option) if option else value).netloc.lower()

    def _start(self, check: Check) -> cf.Future:
        if check.kind in self._pending:
            future: cf.Future = cf.Future()
            with self._lock:
                self._pending[check.kind][check.value] = future
                schedule = not self._batch_scheduled
                self._batch_scheduled = True
            if schedule:
                self.pool.submit(self._batch_later)
            return future
        return self.pool.submit(self._run, check, lane=self.lane(check.kind, check.value))

    # ------------------------------------------------------------------ running

    def _run(self, check: Check) -> Outcome:
        cached = self._cached(check)
        if cached is not None:
            return cached
        if not self.network:
            return unverified("offline")
        settings = self.settings
        try:
            if check.kind == "doi":
                outcome = doi.check_handle(self.client, online_option(settings, "doi_resolver"), check.value)
            elif check.kind == "crossref":
                outcome = doi.fetch_crossref(
                    self.client, online_option(settings, "crossref_api"), check.value, online_option(settings, "mailto")
                )
            else:
                outcome = urls.check_url(self.client, check.value, online_option(settings, "max_redirects"))
        except ServiceError as error:
            return unverified(error.reason)
        self._store(check, outcome)
        return outcome

    def _lifetime(self, status: str) -> float:
        return lifetime(self.settings, status)

    def _cached(self, check: Check) -> Outcome | None:
        hit = self.cache.get(check.cache_key)
        if hit is None:
            return None
        outcome = Outcome.from_cache(*hit)
        if outcome is None:
            return None  # not what this plugin writes: checked again, and overwritten
        # Freshness is judged with today's settings, so that shortening a lifetime takes effect at once.
        return outcome if time.time() - outcome.checked < self._lifetime(outcome.status) else None

    def _store(self, check: Check, outcome: Outcome) -> None:
        self.cache.put(check.cache_key, outcome.stored(), self._lifetime(outcome.status), outcome.checked)

    def _batch_later(self) -> None:
        self.client.stop.wait(BATCH_WAIT)  # let the ids of the next pages join this request
        self._flush_batches()

    def _flush_batches(self) -> None:
        with self._lock:
            taken = {kind: dict(pending) for kind, pending in self._pending.items()}
            for pending in self._pending.values():
                pending.clear()
            self._batch_scheduled = False
        for kind, futures in taken.items():
            for chunk in pubmed.in_batches(futures):
                self.pool.submit(self._run_batch, kind, chunk, lane=self.lane(kind))

    def _run_batch(self, kind: str, futures: dict[str, cf.Future]) -> None:
        """The futures must end (see pubmed.run_batch), or finish() would wait for the deadline."""

        def fetch(wanted: list[str]) -> dict[str, Outcome]:
            try:
                return pubmed.summaries(
                    self.client,
                    online_option(self.settings, "eutils_api"),
                    kind,
                    wanted,
                    online_option(self.settings, "mailto"),
                )
            except ServiceError as error:
                return {value: unverified(error.reason) for value in wanted}

        offline = None if self.network else unverified("offline")
        pubmed.run_batch(
            futures,
            lambda value: self._cached(Check(kind, value)),
            offline,
            fetch,
            lambda value, outcome: self._store(Check(kind, value), outcome),
        )

    # ------------------------------------------------------------------ waiting and reporting

    def _sources_left(self) -> tuple[int, int]:
        done = sum(1 for key in self.submitted if all(self.futures[check].done() for check in self.plans[key]))
        return len(self.submitted) - done, len(self.submitted)

    def _silence_note(self) -> str:
        """When the silent hosts of this build are asked again (the findings say it)."""
        memory, silence = self.client.memory, self.client.silence
        if memory is None or not (silence.down or silence.network):
            return ""
        remembered = [
            since for host in silence.down if host not in silence.newly_silent and (since := memory.until(host))
        ]
        if remembered:
            return f"remembered from an earlier build; asked again after {clock(min(remembered))}"
        return f"not asked again for {MINUTES} minutes"

    def _result(self, future: cf.Future) -> Outcome:
        if not future.done():
            return unverified("deadline")
        try:
            return future.result()
        except cf.CancelledError:
            return unverified("deadline")
        except Exception as error:  # a bug in a check must not stop the build; it is shown, not swallowed
            log.warning("online check failed: %s: %s", type(error).__name__, error)
            return unverified(f"internal error: {type(error).__name__}")

    def _summary(self, outcomes: dict[Check, Outcome]) -> None:
        if not self.submitted or self.started is None:
            return
        elapsed = max(time.monotonic() - self.started, 0.001)
        cached = sum(1 for o in outcomes.values() if o.cached)
        left = sum(1 for o in outcomes.values() if o.status == UNVERIFIED)
        total = len(self.submitted)
        where = "" if self.network else " (cache only: online checks are off for `mkdocs serve`)"
        log.info(
            "Online checks%s: %d sources, %d checks (%d from cache, %d requests, %d unverified) in %.1f s (%.1f"
            " sources/s)",
            *(where, total, len(outcomes), cached, self.client.sent, left, elapsed, total / elapsed),
        )
