"""Says what a build waits for, once it has waited two seconds: what, how many are left, the deadline.

In a terminal, one progress line on stderr, rewritten in place and wiped when the wait ends; otherwise
(CI, a log file) a log line, then one every LOG_EVERY seconds (on stderr where no logging is set up).
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.core.wording import plural

log = logger("online")
QUIET = 2.0  # seconds of waiting said nothing about
TICK = 0.5  # seconds between looks (and between updates of the progress line)
LOG_EVERY = 10.0  # seconds between log lines
CLEAR = "\r\x1b[K"  # to the start of the line, erased


class Waiting:
    def __init__(
        self, what: str, unit: str, deadline: float, left: Callable[[], tuple[int, int]], stream: TextIO | None = None
    ):
        """`what` is waited for (`online checks`), counted in `unit`s; `left()` says how many are left of how
        many; `deadline` is a time.monotonic() value."""
        self.what, self.unit, self.deadline, self.left = what, unit, deadline, left
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.shown = False
        self.logged: float | None = None

    def wait(self, futures: Iterable[cf.Future], until: float | None = None) -> set[cf.Future]:
        """Waits for `futures` until `until` (the deadline by default); returns those not done."""
        end = self.deadline if until is None else until
        pending = set(futures)
        try:
            while pending:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                _, pending = cf.wait(pending, timeout=min(TICK, remaining))
                if pending:
                    self.tell()
        finally:
            self.close()
        return pending

    def line(self) -> str:
        left, total = self.left()
        seconds = max(0.0, self.deadline - time.monotonic())
        return f"Waiting for {self.what}: {left} of {plural(total, self.unit)} left, deadline in {seconds:.0f} s"

    def tell(self) -> None:
        now = time.monotonic()
        if now - self.started < QUIET:
            return
        if _terminal(self.stream):
            self.stream.write(CLEAR + self.line())
            self.stream.flush()
            self.shown = True
        elif self.logged is None or now - self.logged >= LOG_EVERY:
            if log.hasHandlers():
                log.info(self.line())
            else:  # no logging set up (the command line, whose lastResort shows warnings only): the line itself
                self.stream.write(self.line() + "\n")
                self.stream.flush()
            self.logged = now

    def close(self) -> None:
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False


def _terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False
