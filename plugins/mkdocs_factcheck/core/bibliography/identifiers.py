"""Identifiers a reader can follow (DOI, PubMed, PMC, ISBN, URL): extraction, syntax checks and links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from pybtex.database import Entry

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
PMCID_RE = re.compile(r"^PMC\d{1,9}$")
LATEX_URL = re.compile(r"\\url\{([^}]*)\}")
ARXIV_RE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
# A DOI written as an address or with a prefix: `https://doi.org/10.x/y`, `http://dx.doi.org/...`, `doi:10.x/y`.
DOI_PREFIX = re.compile(r"^(?:\\url\{)?\s*(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


@dataclass(frozen=True)
class Identifier:
    scheme: str  # doi, pmid, pmcid, arxiv, isbn, url
    value: str
    field: str  # the entry field it came from

    @property
    def href(self) -> str | None:
        """The address a reader follows, or None when the value is not valid for its scheme."""
        if problem(self):
            return None
        if self.scheme == "doi":
            return "https://doi.org/" + quote(self.value, safe="/:;()._-<>")
        if self.scheme == "pmid":
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.value}/"
        if self.scheme == "pmcid":
            return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.value}/"
        if self.scheme == "arxiv":
            return f"https://arxiv.org/abs/{self.value}"
        if self.scheme == "url":
            return self.value
        return None

    @property
    def label(self) -> str:
        return {"doi": "doi:", "pmid": "PMID: ", "pmcid": "PMCID: ", "arxiv": "arXiv:", "isbn": "ISBN ", "url": ""}[
            self.scheme
        ] + self.value


def normalise_doi(value: str) -> str:
    """The bare DOI (10.x/y) of a DOI as written, which may be an address (percent-encoded, in `\\url{}`)."""
    value = value.strip()
    match = DOI_PREFIX.match(value)
    if match:
        value = unquote(value[match.end() :].removesuffix("}")).strip()
    return value


def identifiers_of(entry: Entry) -> list[Identifier]:
    """Every identifier of an entry, in the order readers expect them: DOI, PMID, PMCID, ISBN, URLs."""
    fields = entry.fields
    found: list[Identifier] = []
    if fields.get("doi"):
        found.append(Identifier("doi", normalise_doi(fields["doi"]), "doi"))
    if fields.get("pmid"):
        found.append(Identifier("pmid", fields["pmid"].strip(), "pmid"))
    if fields.get("pmcid"):
        found.append(Identifier("pmcid", fields["pmcid"].strip(), "pmcid"))
    eprint_kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    if fields.get("eprint") and eprint_kind == "arxiv":
        found.append(Identifier("arxiv", fields["eprint"].strip().removeprefix("arXiv:"), "eprint"))
    if fields.get("isbn"):
        found.append(Identifier("isbn", fields["isbn"].strip(), "isbn"))
    if fields.get("url"):
        found.append(Identifier("url", LATEX_URL.sub(r"\1", fields["url"]).strip(), "url"))
    for name in ("howpublished", "note"):
        for url in LATEX_URL.findall(fields.get(name, "")):
            found.append(Identifier("url", url.strip(), name))
    return found


def isbn_valid(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"\d{13}", digits):
        total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def url_valid(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def problem(identifier: Identifier) -> str | None:
    """Why an identifier's syntax is impossible, or None when it could exist."""
    value = identifier.value
    if identifier.scheme == "doi" and not DOI_RE.match(value):
        return f"DOI '{value}' is not of the form 10.NNNN/suffix"
    if identifier.scheme == "pmid" and not PMID_RE.match(value):
        return f"PMID '{value}' is not a number of one to nine digits"
    if identifier.scheme == "pmcid" and not PMCID_RE.match(value):
        return f"PMCID '{value}' is not of the form PMC followed by digits"
    if identifier.scheme == "arxiv" and not ARXIV_RE.match(value):
        return f"arXiv id '{value}' is not of the form 2101.01234 or hep-th/9901001"
    if identifier.scheme == "isbn" and not isbn_valid(value):
        return f"ISBN '{value}' has a wrong length or check digit"
    if identifier.scheme == "url" and not url_valid(value):
        return f"URL '{value}' is not an http(s) address"
    return None
