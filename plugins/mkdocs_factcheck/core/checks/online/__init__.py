"""Online verification of cited sources (DOIs, PubMed ids, URLs, metadata, retractions).

Contract with the plugin (`plugin.py`):

- `OnlineVerifier(settings, cache_dir, user_agent, network)` is created in `on_config`;
  `network=False` (e.g. `mkdocs serve` without `online.serve`) means: answer from the cache only.
- `prefetch(source)` is called in `on_files` for every entry whose `@key` the pages' Markdown holds,
  before any page renders; `submit(source)` the first time each entry is really cited. Both return at
  once (work goes to a thread pool); only submitted entries are waited for and reported.
- `status_html(key)` gives the marks of an entry: a placeholder while pages render, which
  `OnlineReport.fill(html)` replaces in every page once the checks are done.
- `finish()` is called in `on_env`; it waits (bounded by `online.deadline`) and returns an
  `OnlineReport`.
- `close()` is called in `on_post_build` and `on_shutdown`; it must be safe to call twice.

Modules, one job each: `http` (session, retries, deadline), `watchdog` (a hard wall-clock bound on each
request), `limits` (per-host politeness), `cache` (SQLite store), `doi` (handle API and Crossref), `pubmed`
(E-utilities), `urls`, `compare` (entry against record), `report` (outcomes to findings and marks),
`pool` (daemon threads), `verifier` (the thread pool and the deadline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs_factcheck.core.checks.online.results import OnlineReport
    from mkdocs_factcheck.core.checks.online.verifier import OnlineVerifier

__all__ = ["OnlineReport", "OnlineVerifier"]


def __getattr__(name: str):
    """Imported on first use: the verifier brings requests and urllib3, which a site with online checks
    off never needs."""
    if name == "OnlineReport":
        from mkdocs_factcheck.core.checks.online.results import OnlineReport

        return OnlineReport
    if name == "OnlineVerifier":
        from mkdocs_factcheck.core.checks.online.verifier import OnlineVerifier

        return OnlineVerifier
    raise AttributeError(name)
