"""Which checks an entry gets, and how long their outcomes stay cached: what the verifier and the
cached results (hosts that run no checks) share, without the HTTP client (requests is imported only
when checks run)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.bibliography.identifiers import problem
from mkdocs_factcheck.core.checks.online.outcome import FOUND, NOT_FOUND, Check
from mkdocs_factcheck.core.settings import OnlineSettings

DAY = 86400.0
DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
DEFAULTS = {option.name: option.default for option in fields(OnlineSettings)}  # every online option's default


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
        elif identifier.scheme == "url" and online_option(settings, "check_urls"):
            if urlsplit(identifier.value).hostname in DOI_HOSTS:
                continue  # a DOI link: the DOI check covers it, and its redirect leads to a publisher's page
            checks.append(Check("url", identifier.value))
    return list(dict.fromkeys(checks))


def lifetime(settings, status: str) -> float:
    """Found records live long, not-found ones a day; transient failures are never stored."""
    days = {FOUND: online_option(settings, "cache_days"), NOT_FOUND: online_option(settings, "cache_missing_days")}.get(
        status, 0
    )
    return float(days) * DAY


def online_option(settings, name: str) -> Any:
    """An online option's value. Settings are the plugin's OnlineConfig, `OnlineSettings` or a dict (in
    tests); an option they lack (added later) or leave None has `OnlineSettings`' default."""
    default = DEFAULTS[name]
    if isinstance(settings, dict):
        return settings.get(name, default)
    try:
        value = settings[name]
    except (KeyError, TypeError):
        value = getattr(settings, name, default)
    return default if value is None else value
