"""From check outcomes to what the site shows: findings, factcheck.json data, marks on entries and citations."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from html import escape, unescape

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.notice_marks import marks_html, notice_text
from mkdocs_factcheck.core.checks.online.compare import entry_title, mismatches, similar_titles
from mkdocs_factcheck.core.checks.online.outcome import (
    FOUND,
    NOT_FOUND,
    NOTICES,
    RETRACTING,
    UNVERIFIED,
    Check,
    Outcome,
)
from mkdocs_factcheck.core.checks.online.silent_hosts import host_of
from mkdocs_factcheck.core.claims.claim import CLAIM_STATUS_RE, Claim, source_caveat
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.reference_html import anchor_slug
from mkdocs_factcheck.core.wording import plural

# Entries in page bibliographies are rendered before the checks end: they carry this placeholder, which
# `OnlineReport.fill` replaces once the outcomes are known.
PLACEHOLDER = '<span class="factcheck-online-status" data-key="{key}"></span>'
PLACEHOLDER_RE = re.compile(r'<span class="factcheck-online-status" data-key="([^"]*)"></span>')
CITATION_RE = re.compile(r'(<a class="citation-ref" href="#ref-([^"]+)"[^>]*>.*?</a>)', re.DOTALL)
REASON_WORDS = {"deadline": "deadline", "offline": "not checked yet"}


@dataclass
class OnlineReport:
    findings: list[Finding] = field(default_factory=list)
    by_key: dict[str, dict] = field(default_factory=dict)  # lower-cased key -> JSON for factcheck.json
    retracted: set[str] = field(default_factory=set)  # lower-cased keys
    claim_caveats: dict[str, str] = field(default_factory=dict)  # claim id -> words on its badge (retracted sources)

    def status_html(self, key: str) -> str:
        """Marks for readers on a bibliography entry: what the checks found (retracted, notices). A check
        that could not run (no network, the deadline, `mkdocs serve`) says nothing about the source, so it
        leaves no mark: editors read it in the terminal."""
        data = self.by_key.get(key.lower())
        if not data:
            return ""
        return marks_html(data.get("notices", []), bool(data.get("retracted")))

    def claim_findings(self, claims: list[Claim]) -> list[Finding]:
        """A claim whose every checked source is retracted rests on nothing: a finding for editors, and
        words on its badge for readers (filled in by `fill`)."""
        findings = []
        for claim in claims:
            checked = [key.lower() for key in claim.cites if key.lower() in self.by_key]
            caveat = (
                source_caveat(claim.cites, [key.lower() in self.by_key for key in claim.cites], self.retracted)
                if checked
                else ""
            )
            if caveat:
                self.claim_caveats[claim.id] = caveat
            if checked and all(key in self.retracted for key in checked):
                keys = ", ".join(key for key in claim.cites if key.lower() in self.retracted)
                message = (
                    f"claim '{claim.id}' rests only on retracted {'source' if len(checked) == 1 else 'sources'}: {keys}"
                )
                findings.append(
                    Finding("claim_rests_on_retracted", message, page=claim.page or "<page>", line=claim.line)
                )
        return findings

    def fill(self, html: str) -> str:
        """Replace the placeholders of page bibliographies and badges, and mark citations of retracted entries."""
        html = PLACEHOLDER_RE.sub(lambda m: self.status_html(unescape(m.group(1))), html)
        html = CLAIM_STATUS_RE.sub(self._claim_status, html)
        if not self.retracted:
            return html
        slugs = {anchor_slug(self.by_key[key].get("key", key)): key for key in self.retracted if key in self.by_key}
        slugs.update({anchor_slug(key): key for key in self.retracted})

        def mark(match: re.Match) -> str:
            if unescape(match.group(2)) not in slugs:
                return match.group(1)
            return (
                match.group(1)
                + '<span class="citation-status citation-retracted" title="This source was retracted">retracted</span>'
            )

        return CITATION_RE.sub(mark, html)

    def _claim_status(self, match: re.Match) -> str:
        caveat = self.claim_caveats.get(unescape(match.group(1)), "")
        return f'<span class="claim-caveat">({escape(caveat)})</span>' if caveat else ""


def iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).replace(microsecond=0).isoformat()


class OnlineReportBuilder:
    """Turns the outcomes of every submitted source into one `OnlineReport`."""

    def __init__(self, deadline: float, silence_note: str = ""):
        self.deadline = deadline
        self.silence_note = silence_note  # when silent hosts are asked again
        self.report = OnlineReport()
        self.unreachable: dict[str, dict] = {}  # service -> reasons and keys
        self.silent: dict[str, list[str]] = {}  # host that did not answer ("" the network) -> keys

    def add(self, source: Source, checks: list[Check], outcomes: dict[Check, Outcome]) -> None:
        """One entry: its checks judged, its notices gathered, its findings and its factcheck.json data."""
        key = source.key.lower()
        judged: list[Finding] = []
        notices: list[dict] = []
        reasons: list[str] = []
        results = []
        for check in checks:
            outcome = _counted_outcome(check, outcomes)
            results.append(_check_result(check, outcome))
            if outcome.status == UNVERIFIED:
                reasons.append(outcome.detail)
                self._unreachable(check, outcome.detail, source.key)
                continue
            judged.extend(self._judge(source, check, outcome, checks, outcomes, notices))
        retracted = any(_retracts_this(n) for n in notices)
        findings = [
            Finding(f.kind, f.message, file=source.file, line=source.line)
            for f in _with_notices(source.key, judged, notices)
        ]
        if retracted:
            self.report.retracted.add(key)
        self.report.findings.extend(findings)
        reason = unverified_reason(reasons)
        self.report.by_key[key] = {
            "key": source.key,
            "status": _entry_status(checks, findings, reasons, retracted),
            "retracted": retracted,
            "unverified": bool(reasons),
            "unverified_reason": reason,
            "notices": notices,
            "summary": [f.message for f in findings] + ([f"unverified ({reason})"] if reasons else []),
            "problems": [
                f.message for f in findings
            ],  # what was found, for readers too (not what could not be checked)
            "checks": results,
        }

    def _unreachable(self, check: Check, reason: str, key: str) -> None:
        if reason == "offline":
            return  # serve without online checks: nothing was asked of any service
        host = host_of(reason)
        if host is not None:  # said once for all silent hosts, naming them
            keys = self.silent.setdefault(host, [])
            if key not in keys:
                keys.append(key)
            return
        service = "deadline" if reason == "deadline" else check.service
        entry = self.unreachable.setdefault(service, {"reasons": {}, "keys": []})
        entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
        if key not in entry["keys"]:
            entry["keys"].append(key)

    def _judge(
        self,
        source: Source,
        check: Check,
        outcome: Outcome,
        checks: list[Check],
        outcomes: dict[Check, Outcome],
        notices: list[dict],
    ) -> list[Finding]:
        entry = source.entry
        key = source.key
        data = outcome.data
        found: list[Finding] = []
        if check.kind == "doi" and outcome.status == NOT_FOUND:
            crossref = outcomes.get(Check("crossref", check.value))
            if crossref is None or crossref.status != FOUND:  # Crossref knowing it outweighs the resolver
                found.append(
                    Finding("doi_not_found", f"entry '{key}': DOI {check.value} does not exist ({outcome.detail})")
                )
        elif check.kind == "crossref" and outcome.status == FOUND:
            for problem in mismatches(entry, data, f"the Crossref record of doi:{check.value}"):
                found.append(Finding("metadata_mismatch", f"entry '{key}': {problem}"))
            _add_notices(notices, data.get("updates", []))
        elif check.kind in ("pmid", "pmcid"):
            label = "PMID" if check.kind == "pmid" else "PMCID"
            if outcome.status == NOT_FOUND:
                found.append(
                    Finding(
                        f"{check.kind}_not_found",
                        f"entry '{key}': {label} {check.value} does not exist ({outcome.detail})",
                    )
                )
                return found
            doi = next((c.value for c in checks if c.kind == "doi"), "")
            if doi and data.get("doi") and data["doi"].lower() != doi.lower():
                found.append(
                    Finding(
                        "metadata_mismatch",
                        f"entry '{key}': {label} {check.value} is the record of doi:{data['doi']}, the entry's DOI is"
                        f" {doi}",
                    )
                )
            titles = data.get("titles") or []
            if entry.fields.get("title") and titles and not similar_titles(entry.fields["title"], titles):
                found.append(
                    Finding(
                        "metadata_mismatch",
                        f"entry '{key}': title '{entry_title(entry)}' in the entry, '{titles[0]}' in {label}"
                        f" {check.value}",
                    )
                )
            _add_notices(notices, data.get("updates", []))
        elif check.kind == "url":
            if outcome.status == NOT_FOUND:
                found.append(
                    Finding("url_unreachable", f"entry '{key}': URL {check.value} does not answer ({outcome.detail})")
                )
            elif data.get("moved_to"):
                found.append(
                    Finding("url_moved", f"entry '{key}': URL {check.value} moved permanently to {data['moved_to']}")
                )
        return found

    def finish(self) -> OnlineReport:
        if self.silent:
            self.report.findings.append(Finding("service_unavailable", self._silent_message()))
        for service, entry in self.unreachable.items():
            keys = entry["keys"]
            listed = listing(keys)
            if service == "deadline":
                message = (
                    f"online checks stopped at the deadline ({self.deadline:g} s): {plural(len(keys), 'source')} left"
                    f" unverified: {listed}"
                )
            else:
                reasons = ", ".join(
                    f"{reason} ({count})" if count > 1 else reason for reason, count in entry["reasons"].items()
                )
                message = (
                    f"{service} could not be reached ({reasons}): {plural(len(keys), 'source')} left unverified:"
                    f" {listed}"
                )
            self.report.findings.append(Finding("service_unavailable", message))
        return self.report

    def _silent_message(self) -> str:
        hosts = [host for host in self.silent if host]
        named = listing(hosts, 6)
        names = (f"{named} or any other host" if hosts else "any host") if "" in self.silent else named
        keys = list(dict.fromkeys(key for keys in self.silent.values() for key in keys))
        note = f" ({self.silence_note})" if self.silence_note else ""
        return (
            f"no answer from {names}{note}: the online checks of {plural(len(keys), 'source')} could not run:"
            f" {listing(keys)}"
        )


def listing(names: list[str], shown: int = 8) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _counted_outcome(check: Check, outcomes: dict[Check, Outcome]) -> Outcome:
    """A DOI the resolver could not be asked about is found all the same when Crossref has its record."""
    outcome = outcomes[check]
    crossref = outcomes.get(Check("crossref", check.value)) if check.kind == "doi" else None
    if outcome.status == UNVERIFIED and crossref is not None and crossref.status == FOUND:
        return Outcome(FOUND, "Crossref has its record", checked=crossref.checked, cached=crossref.cached)
    return outcome


def _check_result(check: Check, outcome: Outcome) -> dict:
    """One check as factcheck.json lists it."""
    return {
        "check": check.kind,
        "id": check.value,
        "service": check.service,
        "outcome": outcome.status.replace("_", " "),
        "detail": outcome.detail,
        "checked": iso(outcome.checked),  # for an unverified check: when it was tried
        "from_cache": outcome.cached,
    }


def _with_notices(key: str, judged: list[Finding], notices: list[dict]) -> list[Finding]:
    """The findings of an entry: its retraction first, then what its checks found, then its other notices."""
    findings = list(judged)
    retractions = [n for n in notices if _retracts_this(n)]
    if retractions:
        text = "; ".join(notice_text(n) for n in retractions)
        findings.insert(0, Finding("retracted_source", f"entry '{key}' was retracted: {text}"))
    for notice in notices:
        if _retracts_this(notice):
            continue
        if notice["about"] == "this":
            findings.append(Finding("source_notice", f"entry '{key}' has a notice: {notice_text(notice)}"))
        else:
            about = f"entry '{key}' is itself a notice ({notice.get('label', '')}) about doi:{notice.get('doi', '')}"
            findings.append(Finding("source_notice", about))
    return findings


def _entry_status(checks: list[Check], findings: list[Finding], reasons: list[str], retracted: bool) -> str:
    """An entry's status in factcheck.json: the worst of what its checks found, or how many could run."""
    if not checks:
        return "no identifier"
    if retracted:
        return "retracted"
    if any(f.kind != "source_notice" for f in findings):
        return "problems"
    if not reasons:
        return "verified"
    return "unverified" if len(reasons) == len(checks) else "partly unverified"


def _retracts_this(notice: dict) -> bool:
    """A retraction (or withdrawal, removal) of the entry itself, not one the entry is of another work."""
    return notice["type"] in RETRACTING and notice["about"] == "this"


def _add_notices(notices: list[dict], updates: list[dict]) -> None:
    for update in updates:
        if update.get("type") not in NOTICES:
            continue
        identity = (update.get("type"), (update.get("doi") or "").lower(), update.get("about"))
        if any((n["type"], (n.get("doi") or "").lower(), n["about"]) == identity for n in notices):
            continue
        if (
            update.get("source") == "pubmed"
            and update["type"] in RETRACTING
            and any(_retracts_this(n) for n in notices)
        ):
            continue  # PubMed's flag repeats what Crossref said
        notices.append(dict(update))


def unverified_reason(reasons: list[str]) -> str:
    if not reasons:
        return ""
    if "offline" in reasons:
        return REASON_WORDS["offline"]
    if "deadline" in reasons:
        return "deadline"
    return "service unreachable"
