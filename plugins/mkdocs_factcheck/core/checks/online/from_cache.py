"""Online results as earlier builds left them in the cache, for hosts that run no online checks of
their own (the extension under Zensical or plain Python-Markdown). Sends nothing."""

from __future__ import annotations

import time
from pathlib import Path

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.online.cache import FILENAME, Cache
from mkdocs_factcheck.core.checks.online.outcome import Check, Outcome, unverified
from mkdocs_factcheck.core.checks.online.plan import lifetime, online_option, plan_checks
from mkdocs_factcheck.core.checks.online.results import OnlineReport, OnlineReportBuilder
from mkdocs_factcheck.core.log import logger

log = logger("online")


class CachedResults:
    def __init__(self, settings, cache_dir: Path):
        self.settings = settings
        self.cache_dir = cache_dir
        self.cache: Cache | None = None  # opened once a build or the check command has made it (`serve` runs long)

    def report(self, sources: list[Source]) -> OnlineReport:
        """The marks and findings of these entries from what is cached; an entry never checked gets none."""
        builder = OnlineReportBuilder(float(online_option(self.settings, "deadline")))
        for source in sources:
            checks = plan_checks(source, self.settings)
            outcomes = {check: self._cached(check) for check in checks}
            builder.add(source, checks, outcomes)
        return builder.finish()

    def _cached(self, check: Check) -> Outcome:
        if self.cache is None and (self.cache_dir / FILENAME).is_file():
            self.cache = Cache(self.cache_dir, log)
        hit = self.cache.get(check.cache_key) if self.cache is not None else None
        if hit is None:
            return unverified("offline")
        outcome = Outcome.from_cache(*hit)  # None: a row of the wrong shape (the cache is input)
        if outcome is None or time.time() - outcome.checked >= lifetime(self.settings, outcome.status):
            return unverified("offline")
        return outcome
