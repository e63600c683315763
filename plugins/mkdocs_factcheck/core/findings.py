"""Findings: what the checks report to editors, each with a kind, a severity and a place."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from mkdocs_factcheck.core.printable import escaped

SEVERITIES = ("ignore", "info", "warning", "error")

# Every kind of finding, with its default severity. Users change any of them under
# `findings:` in the plugin configuration, the way sphinxcontrib-bibtex lets them silence one kind.
KINDS: dict[str, str] = {
    # citations and the bibliography (per page)
    "unknown_key": "warning",
    "unknown_identifier": "warning",
    "unreadable_page": "warning",
    "bib_syntax": "warning",
    "duplicate_key": "warning",
    "unformattable_entry": "warning",
    "missing_field": "warning",
    # claims
    "claim_without_source": "warning",
    "claim_unknown_sources": "warning",
    "claim_without_verdict": "warning",
    "unknown_verdict": "warning",
    "duplicate_claim_id": "warning",
    "no_site_url": "warning",
    "invalid_front_matter": "warning",
    "malformed_claim": "warning",
    "citation_needed": "warning",
    # the published record (ledger), corrections and reviewers
    "unpublished_change": "error",
    "unpublished_correction": "info",
    "unpublished_update": "info",
    "invalid_correction": "warning",
    "invalid_ledger": "error",
    "unknown_reviewer": "warning",
    # sources
    "invalid_identifier": "warning",
    "doi_normalised": "info",
    "no_identifier": "warning",
    "unverified_source": "warning",
    "source_too_old": "warning",
    "uncited_entry": "info",
    "preprint_published": "warning",
    # online verification
    "doi_not_found": "warning",
    "pmid_not_found": "warning",
    "pmcid_not_found": "warning",
    "url_unreachable": "warning",
    "url_moved": "info",
    "metadata_mismatch": "warning",
    "retracted_source": "warning",
    "source_notice": "info",
    "claim_rests_on_retracted": "warning",
    "service_unavailable": "info",
    # the configuration
    "renamed_option": "info",
    "remote_file_unavailable": "warning",
}


@dataclass(frozen=True)
class Finding:
    """One problem, located in a page or a bibliography file (paths relative to the docs or config dir)."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    page: str | None = None
    severity: str = field(default="", compare=False)

    @property
    def place(self) -> str:
        where = self.page or self.file or ""
        if where and self.line:
            return f"{where}:{self.line}"
        return where

    def formatted(self) -> str:
        place = self.place
        return f"{place}: {self.message}" if place else self.message

    @property
    def identity(self) -> tuple:
        return (self.kind, self.message, self.file, self.line, self.page)

    def as_json(self) -> dict:
        data = asdict(self)
        return {k: v for k, v in data.items() if v is not None}


Reporter = Callable[[Finding], None]


class Findings:
    """Collects findings for one build, applying the configured severity of each kind."""

    def __init__(
        self,
        severities: dict[str, str] | None = None,
        logger: logging.Logger | logging.LoggerAdapter | None = None,
        told: Callable[[Finding], bool] | None = None,
        place: Callable[[Finding], Finding] | None = None,
    ):
        self.severities = {**KINDS, **(severities or {})}
        self.logger = logger
        self.told = told  # which findings the logger tells (all: None); every one is kept
        self.place = place  # places a finding of no file and no page (config_file.ConfigFile.place)
        self.items: list[Finding] = []
        self._seen: set[tuple] = set()

    def severity_of(self, kind: str) -> str:
        return self.severities.get(kind, "warning")

    def report(self, finding: Finding) -> None:
        severity = self.severity_of(finding.kind)
        if severity == "ignore":
            return
        if self.place is not None:
            finding = self.place(finding)
        identity = finding.identity
        if identity in self._seen:  # the same finding from two passes over one page is one finding
            return
        self._seen.add(identity)
        # What a service or a file said, quoted in a message, is one printable line in every output.
        located = Finding(finding.kind, escaped(finding.message), finding.file, finding.line, finding.page, severity)
        self.items.append(located)
        if self.logger is not None and (self.told is None or self.told(located)):
            level = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}[severity]
            self.logger.log(level, "%s [%s]", located.formatted(), located.kind)

    def of_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.items if f.severity == severity]

    def counts_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.items:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        return dict(sorted(counts.items()))

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.report(finding)
