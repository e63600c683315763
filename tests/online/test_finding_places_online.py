"""Findings of the online checks and of identifier citations name the file and line of what they are
about (issue 22), on the build that first writes the identifiers file as on the builds after it."""

from __future__ import annotations

import json
import re

import pytest
from identifier_fakes import BIB, IdentifierServices, online_settings

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)


@pytest.fixture
def fake(services):
    return IdentifierServices(services)


def test_findings_about_frozen_records_have_their_line_from_the_first_build(site, fake, services):
    site.bib(BIB)
    site.page("index.md", "# A\n\nRetracted [@doi:10.1000/retracted] and [@pmid:20000001].\n")
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    identifiers = site.root / "references.identifiers.json"
    assert not identifiers.exists()
    for build in ("first", "next"):
        site.build()
        found = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))["findings"]
        about_records = [f for f in found if f.get("file") == "references.identifiers.json"]
        assert {f["kind"] for f in about_records} >= {"retracted_source", "missing_field"}, (build, found)
        lines = identifiers.read_text(encoding="utf-8").splitlines()
        for finding in about_records:
            assert finding.get("line", 0) > 0, (build, finding)
            named = re.search(r"entry '([^']+)'", finding["message"])[1]
            start = finding["line"] - 1  # the line where the record's object opens
            end = next((n for n in range(start + 1, len(lines)) if lines[n] == "  {"), len(lines))
            assert lines[start].strip() == "{" and f'"id": "{named}"' in "\n".join(lines[start:end]), (build, finding)
        for finding in found:
            assert (finding.get("page") or finding.get("file")) and finding.get("line"), (build, finding)
