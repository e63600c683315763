"""Claims: what one is, and the checks on it (the elements that mark claims are the Markdown side's)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mkdocs_factcheck.core.claims.scale import Scale
from mkdocs_factcheck.core.findings import Finding

# What a badge shows for a verdict that is missing or not on the scale: neutral, never the raw value.
NOT_RATED = "Not rated"
NOT_RATED_ICON = "–"
# A slot in a badge for what only the online checks can tell (a claim resting on retracted sources),
# filled in by the plugin once they are known.
CLAIM_STATUS_CLASS = "factcheck-claim-status"
CLAIM_STATUS_RE = re.compile(r'<span class="factcheck-claim-status" data-claim="([^"]*)"></span>')


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
    caveat: str = ""  # what its badge says against its sources, known when the page renders (see source_caveat)
    derived_id: bool = False  # made from the claim's words (so never reported as a duplicate)
    preprints: list[dict] = field(
        default_factory=list
    )  # its preprint sources, known after the build (see PreprintSources.of)
    reviewer: str = ""  # an id of the site's `reviewers` (attribute, else the page's front matter)
    reviewed: str = ""  # the claim's review date, YYYY-MM-DD (attribute, else the page's `reviewed:`)
    correction: str = ""  # a correction's note for readers (attribute `correction`), dated `corrected`
    corrected: str = ""
    update: str = ""  # an update (a change of wording readers are not told of), dated `updated`
    updated: str = ""

    def as_json(self) -> dict:
        preprints = {"preprints": self.preprints} if self.preprints else {}
        return {
            "id": self.id,
            "page": self.page,
            "url": self.url,
            "line": self.line,
            "text": self.text,
            "verdict": self.verdict,
            "note": self.note,
            "cites": self.cites,
            **preprints,
            **{name: value for name in ("reviewer", "reviewed") if (value := getattr(self, name))},
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
        findings.append(
            Finding(
                "claim_unknown_sources",
                f"claim '{claim.id}' cites only unknown keys: {', '.join(claim.cites)}",
                **place,
            )
        )
    if not claim.verdict:
        findings.append(
            Finding(
                "claim_without_verdict",
                f"claim '{claim.id}' has no verdict (one of: {', '.join(scale.names)})",
                **place,
            )
        )
    elif scale.get(claim.verdict) is None:
        findings.append(
            Finding(
                "unknown_verdict",
                f"claim '{claim.id}' has verdict '{claim.verdict}', which is not on the scale"
                f" ({', '.join(scale.names)})",
                **place,
            )
        )
    return findings


def source_caveat(cites: list[str], known: list[bool], retracted: set[str] | None = None) -> str:
    """What a claim's badge says besides its verdict when the build cannot show a source for it, in a
    reader's words; "" when at least one of its sources is in the bibliography and not retracted."""
    if not cites:
        return "no source given"
    found = [key for key, is_known in zip(cites, known, strict=True) if is_known]
    if not found:
        return "source not found" if len(cites) == 1 else "sources not found"
    if retracted is not None and all(key.lower() in retracted for key in found):
        return "its source was retracted" if len(found) == 1 else "its sources were retracted"
    return ""


class ClaimIds:
    """The ids taken in a page, and the claim ids made from a claim's words: `claim-first-words`, then
    `-2`, `-3`, ..., from where the last claim alike left off, so that many claims with the same first
    words cost linear time."""

    def __init__(self, used: set) -> None:
        self.used = used
        self._next_number: dict[str, int] = {}

    def derived(self, text: str) -> str:
        base = "claim-" + slugify(text)
        number = self._next_number.get(base, 1)
        candidate = base if number == 1 else f"{base}-{number}"
        while candidate in self.used:
            number += 1
            candidate = f"{base}-{number}"
        self._next_number[base] = number + 1
        return candidate
