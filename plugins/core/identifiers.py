"""Identifiers a reader can follow (DOI, PubMed, PMC, ISBN, URL): extraction, syntax checks and links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pybtex.database import Entry

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
PMCID_RE = re.compile(r"^PMC\d{1,9}$")
LATEX_URL = re.compile(r"\\url\{([^}]*)\}")


@dataclass(frozen=True)
class Identifier:
    scheme: str  # doi, pmid, pmcid, isbn, url
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
        if self.scheme == "url":
            return self.value
        return None

    @property
    def label(self) -> str:
        return {"doi": "doi:", "pmid": "PMID: ", "pmcid": "PMCID: ", "isbn": "ISBN ", "url": ""}[self.scheme] + self.value


def normalise_doi(value: str) -> str:
    value = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            return value[len(prefix):]
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
    if identifier.scheme == "isbn" and not isbn_valid(value):
        return f"ISBN '{value}' has a wrong length or check digit"
    if identifier.scheme == "url" and not url_valid(value):
        return f"URL '{value}' is not an http(s) address"
    return None
