"""HTTP for the online checks: one pooled session, limits overall and per host, polite retries, a deadline."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.checks.online import silent_hosts
from mkdocs_factcheck.core.checks.online.limits import HostGate, retry_after
from mkdocs_factcheck.core.checks.online.silence import DEADLINE, Silence
from mkdocs_factcheck.core.checks.online.watchdog import WATCHDOG, WatchedAdapter

# Documented request rates of the real services (seconds between requests to one host): E-utilities
# allows 3 requests a second without an API key; Crossref's polite pool about 10.
KNOWN_SPACING = {"eutils.ncbi.nlm.nih.gov": 0.34, "api.crossref.org": 0.1}
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 16384
CUT_MARGIN = 0.2  # seconds
NOT_RETRIED = {"host name not resolved"}  # a name that does not resolve now will not a second later
PROBES = 4  # remembered silent hosts asked, in the background, whether they answer again (per client)


class ServiceError(Exception):
    """The service failed, not the source: a timeout, a refused connection, a 5xx, a 429, a garbled reply."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DeadlineError(ServiceError):
    """The phase's deadline passed (or the verifier was closed): no new request starts."""

    def __init__(self) -> None:
        super().__init__("deadline")


class HostDownError(ServiceError):
    """The host failed TRIP times in a row, or is silent (silence.py): its requests fail at once."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    url: str
    body: bytes = b""

    def json(self):
        try:
            return json_data.loads(self.body)
        except ValueError:  # also UnicodeDecodeError, and nesting deeper than any record's
            raise ServiceError("malformed JSON in the reply") from None

    def json_object(self) -> dict:
        """The reply's JSON object; an HTML page (a proxy's, a portal's) or garbled JSON is a failing
        service. Other content types pass if the body is a JSON object: services mislabel replies."""
        kind = self.header("content-type").lower()
        if "html" in kind or "xml" in kind:
            raise ServiceError(f"unexpected content type ({kind})")
        data = self.json()
        if not isinstance(data, dict):
            raise ServiceError("malformed JSON in the reply (not an object)")
        return data

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Client:
    def __init__(
        self,
        user_agent: str,
        timeout: float,
        concurrency: int = 8,
        per_host: int = 4,
        retries: int = 2,
        spacing: float = 0.0,
        max_bytes: int = 4_000_000,
    ):
        self.timeout = float(timeout)
        self.per_host = max(1, per_host)
        self.retries = max(0, retries)
        self.spacing = max(0.0, spacing)
        self.max_bytes = max_bytes
        self.deadline: float | None = None  # time.monotonic() value; set when the phase starts
        self.stop = threading.Event()
        self.sent = 0  # requests actually sent (tests and the summary read it)
        self.probes = 0  # requests asking a remembered silent host whether it answers again
        self.silence = Silence()
        self.memory: silent_hosts.SilentHosts | None = None  # silent hosts of earlier builds (the verifier sets it)
        self._skipped: set[str] = set()  # hosts not asked because the network is silent, remembered once each
        self._count_lock = threading.Lock()
        self._overall = threading.BoundedSemaphore(max(1, concurrency))
        self._gates: dict[str, HostGate] = {}
        self._gates_lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        # Connections are kept and reused per host; retries are ours (they honour Retry-After and the deadline).
        adapter = WatchedAdapter(pool_connections=32, pool_maxsize=max(self.per_host, 4), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.stop.set()
        self.session.close()

    # ------------------------------------------------------------------ limits

    def _gate(self, url: str) -> tuple[str, HostGate]:
        parts = urlsplit(url)
        host = parts.netloc.lower()
        with self._gates_lock:
            gate = self._gates.get(host)
            if gate is not None:
                return host, gate
            spacing = max(self.spacing, KNOWN_SPACING.get(host.split(":")[0], 0.0))
            gate = self._gates[host] = HostGate(threading.BoundedSemaphore(self.per_host), spacing)
            self._recall(parts.scheme, host)  # before any other thread may use the gate
        return host, gate

    def _recall(self, scheme: str, host: str) -> None:
        """A host an earlier build found silent is not asked in this one; whether it answers again is
        asked in the background (nothing waits for it): its answer clears the memory for the next build."""
        remembered = self.memory.recall(host) if self.memory is not None else None
        if remembered is None:
            return
        self.silence.skip(host, silent_hosts.reason("" if remembered["network"] else host))
        if self.probes < PROBES:
            self.probes += 1
            threading.Thread(
                target=self._probe, args=(f"{scheme}://{host}/", host), name="factcheck-probe", daemon=True
            ).start()

    def _probe(self, url: str, host: str) -> None:
        with WATCHDOG.bound(self.timeout + CUT_MARGIN) as watch:
            try:
                self._exchange("HEAD", url, None, None, False, self.timeout)
            except ServiceError:
                return
        if not watch.fired and self.memory is not None:
            self.memory.forget(host)

    def remaining(self) -> float:
        if self.stop.is_set():
            return 0.0
        if self.deadline is None:
            return float("inf")
        return self.deadline - time.monotonic()

    def _sleep(self, seconds: float) -> None:
        """Wait, unless the deadline comes first: then give up at once rather than overrun it."""
        if seconds <= 0:
            return
        if seconds >= self.remaining() or self.stop.wait(seconds):
            raise DeadlineError()

    def _acquire(self, semaphore: threading.BoundedSemaphore) -> None:
        while not semaphore.acquire(timeout=0.05):
            if self.remaining() <= 0:
                raise DeadlineError()

    # ------------------------------------------------------------------ requests

    def get(self, url: str, **kwargs) -> Reply:
        return self.request("GET", url, **kwargs)

    def request(
        self, method: str, url: str, *, params: dict | None = None, headers: dict | None = None, read_body: bool = True
    ) -> Reply:
        """One request (redirects are not followed), retried on transient failures with backoff."""
        host, gate = self._gate(url)
        try:
            reply = self._attempts(host, gate, method, url, params, headers, read_body)
        except (DeadlineError, HostDownError):
            raise
        except ServiceError as error:
            gate.record(error.reason)
            raise
        gate.record()
        return reply

    def _attempts(self, host: str, gate: HostGate, method: str, url: str, params, headers, read_body: bool) -> Reply:
        why = ""
        for attempt in range(self.retries + 1):
            delay = min(8.0, 0.25 * 2**attempt) * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not security
            try:
                reply = self._once(host, gate, method, url, params, headers, read_body)
            except (DeadlineError, HostDownError):
                raise
            except ServiceError as error:
                why = error.reason
                if timed_out(why) and not self.silence.answered(host):
                    raise ServiceError(
                        silent_hosts.reason(host, why)
                    ) from None  # not retried: a host that answered nothing is not slow but silent
            else:
                gate.learn(reply.header)
                if reply.status not in TRANSIENT_STATUS:
                    return reply
                why = f"HTTP {reply.status}"
                wait = retry_after(reply.header("retry-after"))
                if wait is not None:
                    gate.pause(wait)  # every request to this host waits, not only this one
                    delay = wait
            if attempt == self.retries or why in NOT_RETRIED:
                break
            if delay >= self.remaining():
                why += " (a retry would pass the deadline)"
                break
            self._sleep(delay)
        raise ServiceError(why)

    def _once(self, host: str, gate: HostGate, method: str, url: str, params, headers, read_body: bool) -> Reply:
        if self.remaining() <= 0:
            raise DeadlineError()
        refused = self.silence.refusal(host)
        if refused:
            raise HostDownError(refused)
        self._acquire(gate.slots)
        try:
            if gate.down:  # checked once a slot is ours: the requests queued behind the failures end here
                raise HostDownError(gate.down)
            self._sleep(gate.reserve())
            self._acquire(self._overall)
            try:
                self._admit(host)
                answered = timeout = False
                try:
                    reply = self._send(method, url, params, headers, read_body)
                    answered = True
                    return reply
                except ServiceError as error:
                    timeout = timed_out(error.reason)
                    raise
                finally:
                    self._ended(host, answered, timeout)
            finally:
                self._overall.release()
        finally:
            gate.slots.release()

    def _admit(self, host: str) -> None:
        """The last word before a request is sent: a silent host's (or network's) requests end here."""
        refused = self.silence.admit(host, self.remaining)
        if refused == DEADLINE:
            raise DeadlineError()
        if refused:
            if (
                refused == self.silence.network
                and host not in self.silence.down
                and host not in self._skipped
                and self.memory is not None
            ):
                self._skipped.add(host)  # the network is silent: this host is skipped by the next builds too
                self.memory.remember([host], network=True)
            raise HostDownError(refused)

    def _ended(self, host: str, answered: bool, timeout: bool) -> None:
        network = self.silence.network
        silent = self.silence.ended(host, answered, timeout)
        if self.memory is None:
            return
        if answered:
            self.memory.forget(host)  # writes only if the host (or the network) was remembered
        if self.silence.network and not network:  # this ended the network's last request: all its hosts together
            self.memory.remember(self.silence.newly_silent, network=True)
        elif silent:
            self.memory.remember(silent, network=False)

    def _send(self, method: str, url: str, params, headers, read_body: bool) -> Reply:
        limit = min(self.timeout, self.remaining())
        if limit <= 0:
            raise DeadlineError()
        with self._count_lock:
            self.sent += 1
        # `limit` bounds the whole request, headers and body: the watchdog cuts its socket when it is up.
        # A cut socket reads as the end of the reply, which may then look complete: `fired` decides. The
        # margin lets a silent server meet urllib3's own timeout first (the watchdog is for drippers).
        with WATCHDOG.bound(limit + CUT_MARGIN) as watch:
            try:
                reply = self._exchange(method, url, params, headers, read_body, limit)
                if watch.fired:
                    raise ServiceError("timeout (reply too slow)")
            except ServiceError as error:
                reason = "timeout (reply too slow)" if watch.fired else error.reason
                if timed_out(reason) and limit < self.timeout:
                    raise DeadlineError() from None  # cut short by the deadline: says nothing of the host
                if reason != error.reason:
                    raise ServiceError(reason) from None
                raise
            return reply

    def _exchange(self, method: str, url: str, params, headers, read_body: bool, limit: float) -> Reply:
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, params=params, headers=headers, allow_redirects=False, stream=True, timeout=(limit, limit)
            )
        except requests.Timeout:
            raise ServiceError("timeout") from None
        except requests.ConnectionError as error:
            raise ServiceError(connection_reason(error)) from None
        except requests.RequestException as error:
            raise ServiceError(f"request failed: {type(error).__name__}") from None
        try:
            body = self._read(response, started, limit) if read_body else b""
            if read_body:
                response.raw.release_conn()  # read to the end: the connection goes back to the pool for reuse
        finally:
            response.close()  # an unread body is never downloaded: the connection is dropped instead
        headers_out = {name.lower(): value for name, value in response.headers.items()}
        return Reply(response.status_code, headers_out, response.url, body)

    def _read(self, response: requests.Response, started: float, limit: float) -> bytes:
        """The body, bounded in size and in total time: a server dripping bytes cannot hold a check forever."""
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    raise ServiceError(f"reply larger than {self.max_bytes} bytes")
                if time.monotonic() - started > limit:
                    raise ServiceError("timeout (reply too slow)")
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
            if "timed out" in str(error).lower():
                raise ServiceError("timeout") from None
            raise ServiceError(f"broken reply: {type(error).__name__}") from None
        return b"".join(chunks)


def timed_out(why: str) -> bool:
    return why.startswith("timeout")


def connection_reason(error: Exception) -> str:
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or "name resolution" in text
        or "getaddrinfo" in text
    ):
        return "host name not resolved"
    if "reset" in text:
        return "connection reset"
    return "connection failed"
