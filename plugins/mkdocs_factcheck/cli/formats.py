"""The check command's output formats: lines for people, JSON (factcheck.json's schema), GitHub
Actions workflow commands, and SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs_factcheck.cli.check import CheckResult
from mkdocs_factcheck.core.findings import KINDS, Finding
from mkdocs_factcheck.version import __version__

FORMATS = ("text", "json", "github", "sarif")
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


# Information that is news for every editor, not a problem: shown without --verbose too.
ALWAYS_SHOWN = ("unpublished_correction", "unpublished_update")


def shown(result: CheckResult, verbose: bool) -> list[Finding]:
    """Warnings and errors, and corrections not yet published; all information with --verbose."""
    return [f for f in result.findings if verbose or f.severity != "info" or f.kind in ALWAYS_SHOWN]


def text(result: CheckResult, findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        path, line = result.place(finding)
        where = f"{path}:{line}" if line else path
        lines.append(f"{where}: {finding.message} [{finding.kind}]")
    return "\n".join(lines) + ("\n" if lines else "")


def json_report(result: CheckResult) -> str:
    """The same data as the plugin's factcheck.json, every finding included."""
    return json.dumps(result.run.report(), ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    # GitHub's workflow-command escaping (actions/toolkit's escapeData and escapeProperty).
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(result: CheckResult, findings: list[Finding]) -> str:
    """`::warning file=docs/a.md,line=12,title=unknown_key::message`, one line a finding."""
    lines = []
    for finding in findings:
        path, line = result.place(finding)
        properties = [f"file={_escape_property(path)}"]
        if line:
            properties.append(f"line={line}")
        properties.append(f"title={_escape_property('factcheck ' + finding.kind)}")
        lines.append(f"::{GITHUB_LEVELS[finding.severity]} {','.join(properties)}::{_escape_data(finding.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(result: CheckResult, findings: list[Finding]) -> str:
    kinds = sorted({finding.kind for finding in findings} | set(KINDS))
    index = {kind: number for number, kind in enumerate(kinds)}
    rules = [
        {
            "id": kind,
            "name": "".join(word.capitalize() for word in kind.split("_")),
            "shortDescription": {"text": kind.replace("_", " ")},
            "defaultConfiguration": {"level": SARIF_LEVELS.get(KINDS.get(kind, "warning"), "warning")},
        }
        for kind in kinds
    ]
    results = []
    for finding in findings:
        path, line = result.place(finding)
        location: dict = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
        if line:
            location["region"] = {"startLine": line}
        results.append(
            {
                "ruleId": finding.kind,
                "ruleIndex": index[finding.kind],
                "level": SARIF_LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "mkdocs-factcheck", "version": __version__, "rules": rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(result.config.base).resolve().as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render(name: str, result: CheckResult, verbose: bool) -> str:
    if name == "json":
        return json_report(result)
    findings = shown(result, verbose)
    if name == "github":
        return github(result, findings)
    if name == "sarif":
        return sarif(result, result.findings)  # code-scanning tools filter by level themselves
    return text(result, findings)
