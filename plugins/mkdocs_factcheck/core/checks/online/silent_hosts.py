"""Hosts that did not answer, remembered for a few minutes in the online cache, so that the next builds
and `serve` rebuilds skip them at once instead of waiting a timeout again.

One row of the online cache (`silent-hosts`, JSON): host -> when it was found silent, and whether the
whole network was (no host answered: then an answer from any host clears it). Any answer from a host
clears that host at once, and the network's entries. Nothing here sends a request or imports requests:
the report (which words the findings) reads the reasons too.
"""

from __future__ import annotations

import datetime
import threading
import time
from pathlib import Path

from mkdocs_factcheck.core.checks.online.cache import Cache

MINUTES = 5  # how long a silent host is skipped
KEY = "silent-hosts"
SILENT = "no answer from "  # the start of every reason given for a silent host's checks
NETWORK = "any host"


def reason(host: str, detail: str = "") -> str:
    """Why a check of a silent host could not run; `host` "" for the network (no host answered)."""
    return SILENT + (host or NETWORK) + (f" ({detail})" if detail else "")


def host_of(reason_text: str) -> str | None:
    """The host a silent-host reason names ("" for the network), or None for another reason."""
    if not reason_text.startswith(SILENT):
        return None
    rest = reason_text[len(SILENT) :]
    return "" if rest.startswith(NETWORK) else rest.split(" ", 1)[0]


def clock(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%H:%M UTC")


class SilentHosts:
    """The remembered silent hosts of one cache folder. `cache` is the verifier's (read once, here);
    writes open the file on their own, since the last may come from a probe after the build closed its cache."""

    def __init__(self, cache: Cache, cache_dir: Path, now: float | None = None):
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._dirty = False
        self._hosts = self._fresh(self._load(cache), time.time() if now is None else now)

    def recall(self, host: str) -> dict | None:
        """{"since": time, "network": bool} while `host` is remembered silent, else None."""
        with self._lock:
            entry = self._hosts.get(host)
        return dict(entry) if entry and time.time() - entry["since"] < MINUTES * 60 else None

    def remember(self, hosts: list[str], network: bool) -> None:
        """Kept until `flush` (the end of the build): a build may skip hundreds of hosts."""
        now = time.time()
        with self._lock:
            for host in hosts:
                self._hosts[host] = {"since": now, "network": network}
            self._dirty = True

    def flush(self) -> None:
        with self._lock:
            if self._dirty:
                self._write()

    def forget(self, host: str) -> None:
        """`host` answered: neither it nor the network is silent any more."""
        with self._lock:
            gone = [name for name, entry in self._hosts.items() if name == host or entry["network"]]
            if not gone:
                return
            for name in gone:
                del self._hosts[name]
            self._write()

    def until(self, host: str) -> float | None:
        """When `host` is asked again, while it is remembered silent."""
        entry = self.recall(host)
        return entry["since"] + MINUTES * 60 if entry else None

    @staticmethod
    def _load(cache: Cache) -> dict:
        hit = cache.get(KEY)
        hosts = hit[0].get("hosts") if hit else None
        return hosts if isinstance(hosts, dict) else {}

    @staticmethod
    def _fresh(hosts: dict, now: float) -> dict[str, dict]:
        """The entries of the right shape and age: the cache file is input (CI restores it)."""
        kept = {}
        for host, entry in hosts.items():
            if not isinstance(host, str) or not isinstance(entry, dict):
                continue
            since, network = entry.get("since"), entry.get("network")
            if (
                isinstance(since, int | float)
                and not isinstance(since, bool)
                and isinstance(network, bool)
                and 0 <= now - since < MINUTES * 60
            ):
                kept[host] = {"since": float(since), "network": network}
        return kept

    def _write(self) -> None:
        cache = Cache(self.cache_dir)
        try:
            cache.put(KEY, {"hosts": self._hosts}, MINUTES * 60)
        finally:
            cache.close()
        self._dirty = False
