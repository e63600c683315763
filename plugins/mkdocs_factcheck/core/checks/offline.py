"""Offline checks of the sources a site cites: fields, identifiers, notes, age, and what is never cited."""

from __future__ import annotations

import datetime
import re
from typing import Any

from mkdocs_factcheck.core.bibliography.biblatex import bibtex_type
from mkdocs_factcheck.core.bibliography.files import NAME_ROLES, Bibliography, Source
from mkdocs_factcheck.core.bibliography.identifiers import problem
from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.findings import Finding

MAX_UNCITED_LISTED = 30
# Editors' remarks on an entry ("PMID read from a mirror", "resolve before publishing") go in BibTeX's
# conventional `annote` field, which no bibliography style prints; `note` is bibliographic data that
# every style shows to readers.
EDITORS_FIELD = "annote"

# Fields each BibTeX entry type needs (alternatives separated by `/`), as BibTeX's standard styles do.
REQUIRED_FIELDS = {
    "article": ["author", "title", "journal", "year"],
    "book": ["author/editor", "title", "publisher", "year"],
    "booklet": ["title"],
    "inbook": ["author/editor", "title", "chapter/pages", "publisher", "year"],
    "incollection": ["author", "title", "booktitle", "publisher", "year"],
    "inproceedings": ["author", "title", "booktitle", "year"],
    "conference": ["author", "title", "booktitle", "year"],
    "manual": ["title"],
    "mastersthesis": ["author", "title", "school", "year"],
    "phdthesis": ["author", "title", "school", "year"],
    "proceedings": ["title", "year"],
    "techreport": ["author", "title", "institution", "year"],
    "unpublished": ["author", "title", "note"],
    "misc": [],
    "online": ["title", "url/howpublished"],
}


def missing_fields(source: Source) -> list[str]:
    entry = source.raw  # every cited entry is checked: its names are not read for this (see Source)
    # A name field counts when it holds a name: `author = {}` is as good as missing.
    present = {name.lower() for name, value in entry.fields.items() if name.lower() not in NAME_ROLES or value.strip()}
    present |= {role.lower() for role, people in entry.persons.items() if people}
    missing = []
    kind = entry.type.lower()
    requirements = (
        REQUIRED_FIELDS[kind] if kind in REQUIRED_FIELDS else REQUIRED_FIELDS.get(bibtex_type(entry), [])
    )  # BibLaTeX's by their BibTeX type
    for requirement in requirements:
        options = requirement.split("/")
        if not any(option in present for option in options):
            missing.append(" or ".join(options))
    return missing


def check_sources(
    bibliography: Bibliography,
    cited: set[str],
    claims: list[Claim],
    unverified_pattern: str,
    max_age: int | None,
    today: datetime.date | None = None,
) -> list[Finding]:
    """Findings on the entries: cited ones are checked in full; the others only reported as uncited."""
    findings: list[Finding] = []
    unverified = re.compile(unverified_pattern, re.IGNORECASE) if unverified_pattern else None
    claim_keys = {key.lower() for claim in claims for key in claim.cites}
    uncited = [source for lowered, source in bibliography.sources.items() if lowered not in cited]
    findings.extend(uncited_findings(uncited))
    for lowered, source in bibliography.sources.items():
        place: dict[str, Any] = {"file": source.file, "line": source.line}
        if lowered not in cited:
            continue
        missing = missing_fields(source)
        if missing:
            findings.append(
                Finding(
                    "missing_field", f"entry '{source.key}' ({source.raw.type}) lacks {', '.join(missing)}", **place
                )
            )
        identifiers = source.identifiers
        for identifier in identifiers:
            why = problem(identifier)
            if why:
                findings.append(Finding("invalid_identifier", f"entry '{source.key}': {why}", **place))
            elif identifier.scheme == "doi" and identifier.value != source.raw.fields[identifier.field].strip():
                written = source.raw.fields[identifier.field].strip()
                findings.append(
                    Finding(
                        "doi_normalised",
                        f"entry '{source.key}': DOI written as '{written}', read as {identifier.value}",
                        **place,
                    )
                )
        if lowered in claim_keys and not identifiers:
            findings.append(
                Finding(
                    "no_identifier",
                    f"entry '{source.key}' supports a claim but has no DOI, PMID, PMCID, ISBN or URL a reader could"
                    " follow",
                    **place,
                )
            )
        remark = editors_remark(source)
        if unverified and remark and unverified.search(remark):
            findings.append(
                Finding("unverified_source", f"entry '{source.key}' is marked as not fully verified: {remark}", **place)
            )
    if max_age:
        year_now = (today or datetime.date.today()).year
        for claim in claims:
            years = [year for key in claim.cites if (year := _year(bibliography.get(key)))]
            if years and year_now - max(years) > max_age:
                findings.append(
                    Finding(
                        "source_too_old",
                        f"claim '{claim.id}': its newest source is from {max(years)}, older than {max_age} years",
                        page=claim.page,
                        line=claim.line,
                    )
                )
    return findings


def uncited_findings(uncited: list[Source]) -> list[Finding]:
    """One finding per uncited entry; past a handful, one finding per file (a shared bibliography of
    thousands of entries is normal, and factcheck.json still lists every source with where it is cited)."""
    if len(uncited) <= MAX_UNCITED_LISTED:
        return [Finding("uncited_entry", f"entry '{s.key}' is never cited", file=s.file, line=s.line) for s in uncited]
    by_file: dict[str, list[Source]] = {}
    for source in uncited:
        by_file.setdefault(source.file, []).append(source)
    findings = []
    for file, sources in by_file.items():
        shown = ", ".join(f"'{s.key}'" for s in sources[:5])
        findings.append(
            Finding(
                "uncited_entry",
                f"{len(sources)} entries are never cited: {shown} and {len(sources) - 5} more",
                file=file,
                line=sources[0].line,
            )
        )
    return findings


def editors_remark(source: Source) -> str:
    return source.raw.fields.get(EDITORS_FIELD, "")


def is_unverified(source: Source, unverified_pattern: str) -> bool:
    """Whether the editors' remark on an entry says that part of it is not verified."""
    remark = editors_remark(source)
    return bool(unverified_pattern and remark and re.search(unverified_pattern, remark, re.IGNORECASE))


def _year(source: Source | None) -> int | None:
    if source is None:
        return None
    match = re.search(r"\d{4}", source.raw.fields.get("year", ""))
    return int(match.group()) if match else None
