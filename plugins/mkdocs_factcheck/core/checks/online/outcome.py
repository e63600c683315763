"""What one check found: a small record, the same whether it came from the network or the cache."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import NamedTuple

# Crossref's update types (core/checks/notice_marks.py), as the checks know them.
from mkdocs_factcheck.core.checks.notice_marks import NOTICES, RETRACTING  # noqa: F401

FOUND, NOT_FOUND, UNVERIFIED = "found", "not_found", "unverified"


# The service behind each kind of check, as named in findings (one service_unavailable per service).
SERVICES = {
    "doi": "DOI resolver",
    "crossref": "Crossref",
    "pmid": "PubMed (E-utilities)",
    "pmcid": "PubMed Central (E-utilities)",
    "url": "websites",
}


class Check(NamedTuple):
    kind: str  # doi (handle API), crossref, pmid, pmcid, url
    value: str

    @property
    def cache_key(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def service(self) -> str:
        return SERVICES[self.kind]


@dataclass
class Outcome:
    status: str  # found, not_found or unverified
    detail: str = ""  # why (not found, unverified), or what (moved to ...)
    data: dict = field(default_factory=dict)  # the record's fields the comparisons need
    checked: float = field(default_factory=time.time)
    cached: bool = False

    def stored(self) -> dict:
        return {"status": self.status, "detail": self.detail, "data": self.data}

    @classmethod
    def from_cache(cls, value: dict, checked: float) -> Outcome | None:
        """None unless `value` has the shape `stored()` writes: the cache file is input (CI restores it),
        and the comparisons and the report must not meet a list where a title should be."""
        status, detail, data = value.get("status"), value.get("detail", ""), value.get("data") or {}
        if (
            status not in (FOUND, NOT_FOUND)
            or not isinstance(detail, str)
            or not isinstance(data, dict)
            or not valid_data(data)
        ):
            return None
        return cls(status, detail, data, float(checked), cached=True)


def unverified(reason: str) -> Outcome:
    return Outcome(UNVERIFIED, reason)


# The fields of a check's record (doi.py, pubmed.py, urls.py) and their types; other names are ignored.
STRINGS = {"url", "family", "doi", "pmid", "pmcid", "final", "moved_to"}
STRING_LISTS = {"titles", "pubtypes"}


def valid_data(data: dict) -> bool:
    for name, value in data.items():
        if name in STRINGS:
            ok = isinstance(value, str)
        elif name in STRING_LISTS:
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        elif name == "years":
            ok = isinstance(value, list) and all(type(item) is int for item in value)
        elif name == "status":
            ok = type(value) is int
        elif name == "updates":
            ok = isinstance(value, list) and all(
                isinstance(u, dict) and all(isinstance(v, str) for v in u.values()) for u in value
            )
        else:
            ok = True
        if not ok:
            return False
    return True
