"""Which checks an entry gets, and how long their outcomes stay cached: what the verifier and the
cached results (hosts that run no checks) share, without the HTTP client (requests is imported only
when checks run)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..bibliography import Source
from ..identifiers import problem
from .outcome import FOUND, NOT_FOUND, Check

DAY = 86400.0
DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}


def plan_checks(source: Source, settings) -> list[Check]:
    """The checks of one entry: its DOI (handle and Crossref record), PubMed and PMC ids, and URLs."""
    checks: list[Check] = []
    for identifier in source.identifiers:
        if problem(identifier):
            continue  # the offline checks report impossible identifiers
        if identifier.scheme == "doi":
            value = identifier.value.lower()  # DOIs are case-insensitive
            checks += [Check("doi", value), Check("crossref", value)]
        elif identifier.scheme in ("pmid", "pmcid"):
            checks.append(Check(identifier.scheme, identifier.value.upper()))
        elif identifier.scheme == "url" and _get(settings, "check_urls", True):
            if urlsplit(identifier.value).hostname in DOI_HOSTS:
                continue  # a DOI link: the DOI check covers it, and its redirect leads to a publisher's page
            checks.append(Check("url", identifier.value))
    return list(dict.fromkeys(checks))


def lifetime(settings, status: str) -> float:
    """Found records live long, not-found ones a day; transient failures are never stored."""
    days = {FOUND: _get(settings, "cache_days", 30), NOT_FOUND: _get(settings, "cache_missing_days", 1)}.get(status, 0)
    return float(days) * DAY


def _get(settings, name: str, default):
    """Settings are the plugin's OnlineConfig (or a dict in tests); options added later fall back."""
    if isinstance(settings, dict):
        return settings.get(name, default)
    try:
        value = settings[name]
    except (KeyError, TypeError):
        value = getattr(settings, name, default)
    return default if value is None else value


