"""A site's fact-check settings without a host: what the check command reads from `mkdocs.yml` or
`zensical.toml`. The MkDocs plugin validates the same options with MkDocs' own schema
(`mkdocs/config.py`); a test keeps the two sets of defaults equal."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from mkdocs_factcheck.core.findings import SEVERITIES
from mkdocs_factcheck.core.mkdocs_bibtex_options import read_as_ours


class SettingsError(ValueError):
    """An option of the wrong type or value; the message names it."""


@dataclass
class OnlineSettings:
    enabled: bool = True
    serve: bool = False
    mailto: str = ""
    crossref_api: str = "https://api.crossref.org"
    doi_resolver: str = "https://doi.org"
    eutils_api: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    isbn_api: str = "https://openlibrary.org"
    timeout: float = 10
    deadline: float = 120
    cache_dir: str = ".cache/plugin/factcheck"
    required: bool = False
    concurrency: int = 8
    per_host: int = 4
    check_urls: bool = True
    spacing: float = 0.1
    retries: int = 2
    max_redirects: int = 10
    cache_days: float = 30
    cache_missing_days: float = 1

    def __getitem__(self, name: str) -> Any:  # the verifier reads settings as a mapping or attributes
        return getattr(self, name)


@dataclass
class Settings:
    enabled: bool = True
    bibliography: str | list = "references.bib"
    identifiers_file: str = "references.identifiers.json"
    style: str = "unsrt"
    locale: str = ""
    page_bibliography: bool = True
    bibliography_marker: str = "\\bibliography"
    site_bibliography_marker: str = "\\full_bibliography"
    citation_mode: str = "numeric"
    title_case: str = "as-written"
    numbering: str = "site"
    words: dict = field(default_factory=dict)
    verdicts: list = field(default_factory=list)
    citation_needed: bool = True
    unverified_pattern: str = r"not verified|unverified|check against|resolve before|not found|could not be|mirror|only the .* verified|secondary|not from"
    max_source_age: int | None = None
    findings: dict = field(default_factory=dict)
    report_page: str = "factcheck-report.md"
    report_json: str = "factcheck.json"
    summary: bool = True
    show_findings_in_page: bool = False
    show_unverified: bool = False
    report_findings: bool = False
    organization: dict = field(default_factory=dict)
    online: OnlineSettings = field(default_factory=OnlineSettings)

    @property
    def bibliography_paths(self) -> list[str]:
        return [self.bibliography] if isinstance(self.bibliography, str) else list(self.bibliography)


CHOICES = {"citation_mode": ("numeric", "author-year"), "numbering": ("site", "page"), "title_case": ("as-written", "sentence")}
TYPES: dict[str, tuple[type, ...]] = {"bibliography": (str, list), "max_source_age": (int,)}


def settings_from(options: dict | None) -> Settings:
    """Settings from the options a user wrote (unknown names and wrong types are errors, as in MkDocs;
    mkdocs-bibtex's names are read as ours)."""
    options, _ = read_as_ours(options or {})
    online = options.pop("online", None) or {}
    if not isinstance(online, dict):
        raise SettingsError("factcheck.online: expected a mapping")
    settings = Settings(**_checked(Settings, options, "factcheck"))
    settings.online = OnlineSettings(**_checked(OnlineSettings, online, "factcheck.online"))
    paths = settings.bibliography_paths
    if not paths or not all(isinstance(item, str) and item for item in paths):
        raise SettingsError(f"factcheck.bibliography: expected a path or a list of paths, got {settings.bibliography!r}")
    try:
        re.compile(settings.unverified_pattern)
    except re.error as error:
        raise SettingsError(f"factcheck.unverified_pattern: not a regular expression: {error}") from None
    for kind, severity in settings.findings.items():
        if severity not in SEVERITIES:
            raise SettingsError(f"factcheck.findings.{kind}: '{severity}' is not one of {', '.join(SEVERITIES)}")
    return settings


def _expected(name: str, default: Any, annotation: str) -> tuple[type, ...]:
    if name in TYPES:
        return TYPES[name]
    if isinstance(default, bool):
        return (bool,)
    if annotation == "float":  # seconds and days: `timeout: 2.5` as well as `timeout: 10`
        return (int, float)
    return (type(default),)


def _checked(cls: Any, options: dict, where: str) -> dict:
    defaults = cls()
    annotations = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    names = [f.name for f in dataclasses.fields(cls) if f.name != "online"]
    for name, value in options.items():
        if name not in names:
            raise SettingsError(f"{where}: unknown option '{name}' (options: {', '.join(sorted(names))})")
        if value is None and name == "max_source_age":
            continue
        expected = _expected(name, getattr(defaults, name), annotations[name])
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise SettingsError(f"{where}.{name}: expected {' or '.join(t.__name__ for t in expected)}, got {type(value).__name__}")
        if name in CHOICES and value not in CHOICES[name]:
            raise SettingsError(f"{where}.{name}: '{value}' is not one of {', '.join(CHOICES[name])}")
    return options
