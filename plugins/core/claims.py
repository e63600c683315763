"""Claims: what one is, and the checks on it (the elements that mark claims are the Markdown side's)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding
from .scale import Scale


@dataclass
class Claim:
    id: str
    text: str
    verdict: str | None
    note: str
    page: str | None
    line: int
    cites: list[str] = field(default_factory=list)
    url: str = ""
    block: bool = False
    derived_id: bool = False  # made from the claim's words (so never reported as a duplicate)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "page": self.page,
            "url": self.url,
            "line": self.line,
            "text": self.text,
            "verdict": self.verdict,
            "note": self.note,
            "cites": self.cites,
        }


def slugify(text: str, words: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(tokens[:words]) or "claim"


def claim_findings(claim: Claim, scale: Scale, known_keys: list[bool]) -> list[Finding]:
    findings = []
    place: dict[str, Any] = {"page": claim.page or "<page>", "line": claim.line}
    if not claim.cites:
        findings.append(Finding("claim_without_source", f"claim '{claim.id}' has no source", **place))
    elif not any(known_keys):
        findings.append(Finding("claim_unknown_sources", f"claim '{claim.id}' cites only unknown keys: {', '.join(claim.cites)}", **place))
    if not claim.verdict:
        findings.append(Finding("claim_without_verdict", f"claim '{claim.id}' has no verdict (one of: {', '.join(scale.names)})", **place))
    elif scale.get(claim.verdict) is None:
        findings.append(Finding("unknown_verdict", f"claim '{claim.id}' has verdict '{claim.verdict}', which is not on the scale ({', '.join(scale.names)})", **place))
    return findings
