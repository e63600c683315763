"""Politeness per host: spacing between requests, pauses asked for by the server, skipping a host that is down."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TRIP = 3  # requests to one host that failed in a row (after their retries) before the host is skipped


@dataclass
class HostGate:
    """Requests in flight to one host, and the earliest time the next one may start."""

    slots: threading.BoundedSemaphore
    spacing: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_start: float = float("-inf")
    paused_until: float = 0.0
    failures: int = 0  # requests that failed in a row, after their retries
    down: str = ""  # why this host is skipped for the rest of the build, once it failed TRIP times in a row

    def reserve(self) -> float:
        """Claim the next start time; returns how long to wait for it."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.last_start + self.spacing, self.paused_until)
            self.last_start = start
            return start - now

    def pause(self, seconds: float) -> None:
        """Nothing starts on this host for `seconds` (Retry-After, an exhausted rate limit)."""
        with self.lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def slow_down(self, spacing: float) -> None:
        with self.lock:
            self.spacing = max(self.spacing, spacing)

    def record(self, failure: str = "") -> None:
        """A down service is not asked again and again: a build without network ends quickly."""
        with self.lock:
            self.failures = self.failures + 1 if failure else 0
            if failure and self.failures >= TRIP:
                self.down = failure

    def learn(self, header: Callable[[str], str]) -> None:
        """Crossref announces its limit (X-Rate-Limit-Limit per X-Rate-Limit-Interval); others say what remains."""
        limit, interval = header("x-rate-limit-limit"), header("x-rate-limit-interval")
        try:
            if limit and interval:
                seconds = float(interval.strip().rstrip("s") or 1)
                self.slow_down(seconds / max(1.0, float(limit)))
        except ValueError:  # a header we cannot read teaches nothing; the request itself succeeded
            pass
        remaining = header("x-ratelimit-remaining") or header("ratelimit-remaining")
        reset = header("x-ratelimit-reset") or header("ratelimit-reset")
        if remaining.strip() == "0" and reset:
            try:
                value = float(reset)
            except ValueError:
                return
            self.pause(value - time.time() if value > 1e9 else value)  # an epoch time or seconds


def retry_after(value: str) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
