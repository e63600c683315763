"""`mkdocs-factcheck publish`: record what the site publishes in its ledger, when it is deployed, and
`merge-ledger`, git's merge driver for that file. Nothing else writes the ledger."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TextIO

from mkdocs_factcheck.cli.check import CheckResult, run_check
from mkdocs_factcheck.cli.site_config import ConfigError, SiteConfig
from mkdocs_factcheck.core.claims import ledger as ledgers

# Findings that stop a publish: the ledger would record a change readers were not told of.
BLOCKING = ("unpublished_change", "invalid_correction", "invalid_ledger")


def run_publish(config: SiteConfig, date: str | None, out: TextIO, err: TextIO) -> int:
    """0: published; 1: a change without its correction (nothing written; the findings printed)."""
    if not config.settings.ledger_file:
        raise ConfigError(f"{config.path.name}: ledger_file is empty: this site keeps no ledger")
    date = date or datetime.datetime.now(datetime.UTC).date().isoformat()
    if not ledgers.DATE_RE.match(date):
        raise ConfigError(f"--date {date!r} is not a date (YYYY-MM-DD)")
    result = run_check(config, offline=True, use_cache=True)
    blocking = [finding for finding in result.findings if finding.kind in BLOCKING and finding.severity != "ignore"]
    if blocking:
        for finding in blocking:
            path, line = result.place(finding)
            print(
                (
                    f"{path}:{line}: {finding.message} [{finding.kind}]"
                    if line
                    else f"{path}: {finding.message} [{finding.kind}]"
                ),
                file=err,
            )
        print(f"mkdocs-factcheck: nothing published: {len(blocking)} change(s) readers would not be told of", file=err)
        return 1
    before = result.run.ledger or ledgers.Ledger(config.base / config.settings.ledger_file)
    after = ledgers.published(before, result.run.claims(), result.run.changes, date)
    ledgers.save(after)
    print(f"{config.relative(after.path or Path())}: {_summary(before, after, result)}", file=out)
    return 0


def _summary(before: ledgers.Ledger, after: ledgers.Ledger, result: CheckResult) -> str:
    new = len(set(after.records) - set(before.records))
    counts = {"correction": 0, "update": 0}
    removed = 0
    for change in result.run.changes:
        if change.amendment is not None:
            counts[change.amendment.kind] += 1
        removed += change.claim is None
    return (
        f"{len(result.run.claims())} claims published ({new} new, {counts['correction']} corrected, {counts['update']}"
        f" updated, {removed} removed); {len(after.records)} records"
    )


def run_merge(base: Path, ours: Path, theirs: Path) -> int:
    """git's merge driver (`%O %A %B`): both sides' records into `ours`; 0 when merged."""
    del base  # records are never deleted, so the common ancestor tells nothing the two sides do not
    try:
        merged = ledgers.merged(ledgers.load(ours), ledgers.load(theirs))
    except ledgers.LedgerError as error:
        raise ConfigError(f"cannot merge ledgers: {error}") from None
    ledgers.save(merged)
    return 0
