"""Online verification of cited sources (DOIs, PubMed ids, URLs, metadata, retractions).

Contract with the plugin (`plugin.py`):

- `OnlineVerifier(settings, cache_dir, user_agent, network)` is created in `on_config`;
  `network=False` (e.g. `mkdocs serve` without `online.serve`) means: answer from the cache only.
- `submit(source)` is called the first time each entry is cited, while pages are being rendered; it
  must return at once (work goes to a thread pool).
- `finish()` is called in `on_env`; it waits (bounded by `online.deadline`) and returns an
  `OnlineReport`.
- `close()` is called in `on_post_build` and `on_shutdown`; it must be safe to call twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..bibliography import Source
from ..claims import Claim
from ..findings import Finding


@dataclass
class OnlineReport:
    findings: list[Finding] = field(default_factory=list)
    by_key: dict[str, dict] = field(default_factory=dict)  # lower-cased key -> JSON for factcheck.json
    retracted: set[str] = field(default_factory=set)  # lower-cased keys

    def status_html(self, key: str) -> str:
        return '<span class="reference-status reference-retracted">Retracted</span>' if key.lower() in self.retracted else ""

    def claim_findings(self, claims: list[Claim]) -> list[Finding]:
        return []


class OnlineVerifier:
    def __init__(self, settings, cache_dir: Path, user_agent: str, network: bool = True):
        self.settings = settings
        self.cache_dir = cache_dir
        self.user_agent = user_agent
        self.network = network
        self.submitted: dict[str, Source] = {}

    def submit(self, source: Source) -> None:
        self.submitted.setdefault(source.key.lower(), source)

    def finish(self) -> OnlineReport:
        return OnlineReport()

    def close(self) -> None:
        pass
