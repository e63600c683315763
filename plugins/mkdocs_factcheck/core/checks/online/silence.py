"""Which hosts answer in this build: a host whose requests time out without any answering is not asked
again, nor, once several hosts timed out and none answered, any host that has not answered.

A host's first requests go out together (its `per_host` slots). Should one time out before the host has
answered anything, its other requests wait until those in flight have ended: if none of them answered,
the host is silent and every request to it fails at once. The network likewise: while nothing has
answered and something timed out, requests to hosts that have not answered wait for the requests in
flight; when they all ended without an answer, timeouts from two hosts or more mean the network does not
answer. So a build on a network that accepts connections and never answers waits one timeout, however
many hosts its checks need.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from mkdocs_factcheck.core.checks.online.silent_hosts import reason

DEADLINE = "deadline"  # what `admit` says when the deadline passed while a request waited
NETWORK_HOSTS = 2  # hosts that must time out, with none answering, for the network to count as silent
POLL = 0.25  # seconds between looks at the deadline while a request waits


class Silence:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._sending: dict[str, int] = {}
        self._answered: set[str] = set()
        self._timed_out: set[str] = set()  # hosts with a timeout and no answer
        self.down: dict[str, str] = {}  # host -> reason: asked no more in this build
        self.network = ""  # the reason, once the network counts as silent
        self.newly_silent: list[str] = []  # hosts found silent in this build, in order (the network's included)

    def skip(self, host: str, why: str) -> None:
        """`host` is not asked in this build (remembered silent)."""
        with self._condition:
            self.down.setdefault(host, why)

    def refusal(self, host: str) -> str:
        """Why a request to `host` may not start, or ""."""
        with self._condition:
            return self._refusal(host)

    def _refusal(self, host: str) -> str:
        if host in self.down:
            return self.down[host]
        if self.network and host not in self._answered:
            return self.network
        return ""

    def _held(self, host: str) -> bool:
        if host in self._answered:
            return False
        if host in self._timed_out and self._sending.get(host):
            return True  # its first requests are timing out: theirs is the verdict
        return not self._answered and bool(self._timed_out) and any(self._sending.values())

    def admit(self, host: str, remaining: Callable[[], float]) -> str:
        """Just before a request is sent: "" (it goes, and counts as in flight until `ended`), or why not."""
        with self._condition:
            while True:
                refused = self._refusal(host)
                if refused:
                    return refused
                if not self._held(host):
                    self._sending[host] = self._sending.get(host, 0) + 1
                    return ""
                left = remaining()
                if left <= 0:
                    return DEADLINE
                self._condition.wait(min(left, POLL))

    def answered(self, host: str) -> bool:
        with self._condition:
            return host in self._answered

    def ended(self, host: str, answer: bool, timeout: bool) -> list[str]:
        """A request admitted to `host` ended: with an HTTP answer, a timeout, or another failure.
        Returns the hosts this made silent (to remember)."""
        with self._condition:
            self._sending[host] -= 1
            if answer:
                self._answered.add(host)
                self._timed_out.discard(host)
                self.down.pop(host, None)
            elif timeout and host not in self._answered:
                self._timed_out.add(host)
            found = self._judge(host)
            self._condition.notify_all()
            return found

    def _judge(self, host: str) -> list[str]:
        found = []
        if host in self._timed_out and not self._sending.get(host) and host not in self.down:
            self.down[host] = reason(host)
            found.append(host)
        if (
            not self.network
            and not self._answered
            and len(self._timed_out) >= NETWORK_HOSTS
            and not any(self._sending.values())
        ):
            self.network = reason("")
        self.newly_silent += found
        return found
