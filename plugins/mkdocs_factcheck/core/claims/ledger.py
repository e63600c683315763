"""The published record of a fact-check (`factcheck-ledger.json` beside the config): for every claim
that was published, what readers were told (text, verdict, sources, page, date) and every correction
and update since. Only `mkdocs-factcheck publish` writes it (see `published`); builds read it and
compare the site with it (`changes`).

The file is JSON, one record per claim id, sorted and indented, with nothing that changes on its own
(no time of writing): two branches that publish different claims touch different lines, and
`merged` joins two ledgers whole (the `merge-ledger` command is a git merge driver)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.findings import Finding

FORMAT = 1
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMENDMENTS = ("corrections", "updates")  # a correction readers are told of; an update (a typo) they are not


class LedgerError(ValueError):
    """The ledger cannot be read: the message, and the line it is about."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


@dataclass
class Amendment:
    """A correction or update written at a claim (attributes) or, for a removed claim, in its page's
    front matter (`corrections:`)."""

    kind: str  # "correction" or "update"
    date: str
    note: str

    def key(self) -> tuple[str, str]:
        return (self.date, " ".join(self.note.split()))


@dataclass
class Ledger:
    path: Path | None = None
    records: dict[str, dict] = field(default_factory=dict)

    def get(self, claim_id: str) -> dict | None:
        return self.records.get(claim_id)

    def recorded(self, claim_id: str, kind: str = "corrections") -> list[dict]:
        record = self.records.get(claim_id)
        return list(record.get(kind, [])) if record else []


def load(path: Path) -> Ledger:
    """The ledger at `path` (empty when there is none); raises LedgerError for a file that is not one."""
    if not path.is_file():
        return Ledger(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        hint = (
            " (a merge conflict? see the README: mkdocs-factcheck merge-ledger)"
            if "<<<<<<<" in path.read_text(encoding="utf-8", errors="replace")
            else ""
        )
        raise LedgerError(f"not a ledger: {error.msg}{hint}", error.lineno) from None
    except RecursionError:
        raise LedgerError("not a ledger: JSON nested too deeply", 1) from None
    except (OSError, UnicodeDecodeError) as error:
        raise LedgerError(f"cannot be read: {error}") from None
    if json_data.too_deep(data):
        raise LedgerError(f"not a ledger: JSON nested more than {json_data.MAX_DEPTH} levels deep", 1)
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, dict) or not all(
        isinstance(record, dict) and isinstance(record.get("verdict", ""), str) for record in claims.values()
    ):
        raise LedgerError('not a ledger: expected {"claims": {id: record}}')
    return Ledger(path, {str(claim_id): record for claim_id, record in claims.items()})


def dumps(ledger: Ledger) -> str:
    records = {claim_id: ledger.records[claim_id] for claim_id in sorted(ledger.records)}
    return json.dumps({"format": FORMAT, "claims": records}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def save(ledger: Ledger) -> None:
    assert ledger.path is not None
    temporary = ledger.path.with_name(ledger.path.name + ".factcheck-tmp")
    temporary.write_text(dumps(ledger), encoding="utf-8")
    temporary.replace(ledger.path)


# ---------------------------------------------------------------------- comparing


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def last_date(record: dict) -> str:
    """When the record last changed: published, or its latest correction or update."""
    dates = [record.get("published", "")] + [
        item.get("date", "") for kind in AMENDMENTS for item in record.get(kind, [])
    ]
    return max(dates)


def is_recorded(record: dict | None, amendment: Amendment) -> bool:
    kind = "corrections" if amendment.kind == "correction" else "updates"
    return record is not None and any(
        (item.get("date", ""), " ".join(str(item.get("note", "")).split())) == amendment.key()
        for item in record.get(kind, [])
    )


def differences(claim: Claim, record: dict) -> dict[str, object]:
    """What changed since the record was published: the record's old values of `verdict`, `text`
    and the `sources` that were removed."""
    changed: dict[str, object] = {}
    if (claim.verdict or "") != record.get("verdict", ""):
        changed["verdict"] = record.get("verdict", "")
    if not same_text(claim.text, record.get("text", "")):
        changed["text"] = record.get("text", "")
    cites = {key.lower() for key in claim.cites}
    removed = [key for key in record.get("sources", []) if key.lower() not in cites]
    if removed:
        changed["sources"] = removed
    return changed


def describe(claim_id: str, claim: Claim | None, record: dict, changed: dict[str, object]) -> str:
    published = f"(published {record.get('published', '?')})"
    parts = []
    if "verdict" in changed:
        parts.append(f"verdict was '{changed['verdict']}' {published}, is now '{claim.verdict if claim else ''}'")
    if "text" in changed:
        parts.append(
            f"text was '{short(str(changed['text']))}' {published}, is now '{short(claim.text if claim else '')}'"
        )
    if "sources" in changed:
        removed = changed["sources"]
        assert isinstance(removed, list)
        parts.append(
            f"{'source' if len(removed) == 1 else 'sources'} {', '.join(repr(key) for key in removed)} removed"
            f" {published}"
        )
    return f"claim '{claim_id}': " + "; ".join(parts)


@dataclass
class Change:
    """One claim that differs from its published record, or a claim removed from the site."""

    claim_id: str
    claim: Claim | None  # None: removed
    record: dict
    changed: dict[str, object]
    amendment: Amendment | None  # the correction or update that covers it, not yet in the ledger


def pending_amendment(claim: Claim) -> Amendment | None:
    if claim.correction:
        return Amendment("correction", claim.corrected, claim.correction)
    if claim.update:
        return Amendment("update", claim.updated, claim.update)
    return None


def changes(
    ledger: Ledger, claims: list[Claim], removals: dict[str, tuple[Amendment, str, int]]
) -> tuple[list[Change], list[Finding]]:
    """Every claim that differs from its record (with the correction or update that covers it, if
    one does) and every record whose claim is gone; and the findings: a change without a correction
    is an `unpublished_change` error, a correction or update not yet in the ledger is reported as
    `unpublished_correction` or `unpublished_update` (information) until it is published.
    `removals`: corrections of removed claims, from the pages' front matter (claim id: the
    correction, its page and line)."""
    found: list[Change] = []
    findings: list[Finding] = []
    on_site = {claim.id: claim for claim in claims}
    for claim in claims:
        record = ledger.get(claim.id)
        amendment = pending_amendment(claim)
        if amendment is not None and is_recorded(record, amendment):
            amendment = None  # published already: it is the record's now
        place: dict[str, Any] = {"page": claim.page or "<page>", "line": claim.line}
        if record is None or record.get("removed"):
            continue  # a claim not published yet (or published again after its removal): nothing to compare
        changed = differences(claim, record)
        if not changed and amendment is None:
            continue
        if changed and amendment is None:
            what = 'add a correction (correction="..." corrected=YYYY-MM-DD)' + (
                ', or an update (update="..." updated=YYYY-MM-DD) for a change of wording'
                if set(changed) == {"text"}
                else ""
            )
            findings.append(
                Finding("unpublished_change", f"{describe(claim.id, claim, record, changed)}: {what}", **place)
            )
            continue
        assert amendment is not None
        if amendment.kind == "update" and set(changed) - {"text"}:
            findings.append(
                Finding(
                    "unpublished_change",
                    f"{describe(claim.id, claim, record, changed)}: an update is for wording only; a changed verdict or"
                    " a removed source needs a correction",
                    **place,
                )
            )
            continue
        if amendment.date < record.get("published", ""):
            findings.append(
                Finding(
                    "invalid_correction",
                    f"claim '{claim.id}': the {amendment.kind} is dated {amendment.date}, before the claim was"
                    f" published ({record.get('published')})",
                    **place,
                )
            )
            continue
        found.append(Change(claim.id, claim, record, changed, amendment))
        summary = describe(claim.id, claim, record, changed) if changed else f"claim '{claim.id}'"
        findings.append(
            Finding(
                f"unpublished_{amendment.kind}",
                f"{summary}: {amendment.kind} of {amendment.date} not yet published (mkdocs-factcheck publish)",
                **place,
            )
        )
    for claim_id, record in sorted(ledger.records.items()):
        if claim_id in on_site or record.get("removed"):
            continue
        removal = removals.get(claim_id)
        if removal is None:
            findings.append(
                Finding(
                    "unpublished_change",
                    f"claim '{claim_id}' (published {record.get('published', '?')}) is no longer on the site: add a"
                    f" correction for it to the front matter of its page (corrections: [{{claim: {claim_id}, date:"
                    " YYYY-MM-DD, note: ...}])",
                    page=record.get("page") or "<page>",
                    line=1,
                )
            )
            continue
        amendment, page, line = removal
        found.append(Change(claim_id, None, record, {"removed": True}, amendment))
        findings.append(
            Finding(
                "unpublished_correction",
                f"claim '{claim_id}' removed: correction of {amendment.date} not yet published (mkdocs-factcheck"
                " publish)",
                page=page,
                line=line,
            )
        )
    for claim_id, (_, page, line) in removals.items():
        record = ledger.get(claim_id)
        if claim_id in on_site or record is None:
            where = "is still on the site" if claim_id in on_site else "was never published"
            findings.append(
                Finding(
                    "invalid_correction",
                    f"front matter correction of claim '{claim_id}': the claim {where} (corrections of a claim go in"
                    " its attributes)",
                    page=page,
                    line=line,
                )
            )
    return found, findings


# ---------------------------------------------------------------------- publishing


def record_of(claim: Claim, date: str) -> dict:
    record = {
        "page": claim.page or "",
        "url": claim.url,
        "text": " ".join(claim.text.split()),
        "verdict": claim.verdict or "",
        "sources": list(claim.cites),
        "published": date,
    }
    if claim.reviewer:
        record["reviewer"] = claim.reviewer
    if claim.reviewed:
        record["reviewed"] = claim.reviewed
    return record


def published(ledger: Ledger, claims: list[Claim], found: list[Change], date: str) -> Ledger:
    """The ledger after publishing the site as it is now (`found`: its changes, each covered by a
    correction or update): new claims get a record, changed ones their new values and the
    amendment with what the record said before, removed ones their removal. Records are never
    dropped: a claim another branch published stays."""
    records = {claim_id: dict(record) for claim_id, record in ledger.records.items()}
    by_id = {change.claim_id: change for change in found}
    for claim in claims:
        record = records.get(claim.id)
        if record is None or record.get("removed"):
            fresh = record_of(claim, date)
            if record is not None:  # published again after its removal: its history stays
                fresh.update({kind: record[kind] for kind in AMENDMENTS if kind in record})
            records[claim.id] = fresh
            continue
        change = by_id.get(claim.id)
        updated = record_of(claim, record.get("published", date))
        for kind in AMENDMENTS:
            if kind in record:
                updated[kind] = list(record[kind])
        if change is not None and change.amendment is not None:
            add_amendment(updated, change.amendment, change.changed)
        records[claim.id] = updated
    for change in found:
        if change.claim is None and change.amendment is not None:
            record = dict(records[change.claim_id])
            add_amendment(record, change.amendment, {})
            record["removed"] = change.amendment.date
            records[change.claim_id] = record
    return Ledger(ledger.path, records)


def add_amendment(record: dict, amendment: Amendment, was: dict[str, object]) -> None:
    kind = "corrections" if amendment.kind == "correction" else "updates"
    entry: dict = {"date": amendment.date, "note": amendment.note}
    if was:
        entry["was"] = dict(was)
    record.setdefault(kind, []).append(entry)


# ---------------------------------------------------------------------- merging


def merged(ours: Ledger, theirs: Ledger) -> Ledger:
    """Both branches' records: a claim only one of them has is kept as it is; a claim both have keeps
    every correction and update of either, and the values of the one that changed last."""
    records = {claim_id: dict(record) for claim_id, record in ours.records.items()}
    for claim_id, record in theirs.records.items():
        mine = records.get(claim_id)
        if mine is None:
            records[claim_id] = dict(record)
            continue
        newer = record if last_date(record) > last_date(mine) else mine
        joined = dict(newer)
        joined["published"] = min(mine.get("published", ""), record.get("published", "")) or newer.get("published", "")
        for kind in AMENDMENTS:
            items = {
                (item.get("date", ""), item.get("note", "")): item
                for item in [*mine.get(kind, []), *record.get(kind, [])]
            }
            if items:
                joined[kind] = [items[key] for key in sorted(items)]
        records[claim_id] = joined
    return Ledger(ours.path, records)
