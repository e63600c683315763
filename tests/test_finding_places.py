"""Every finding names the file and the line of what it is about (issue 22): pages, bibliography
files and the configuration, in the check command's output and in the MkDocs build's findings."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from test_check_command import COMMAND

from mkdocs_factcheck.core.config_file import ConfigFile
from mkdocs_factcheck.core.findings import KINDS, Finding

BIB = """\
@article{good2001,
  author = {Onji, M.},
  title = {A study of the liver},
  journal = {Gut},
  year = {2001},
}

@article{good2001,
  author = {Dup, A.},
  title = {Dup},
  journal = {J},
  year = {2002},
}

@article{nojournal,
  author = {Miss, A.},
  title = {Missing},
  year = {2003},
  doi = {not-a-doi},
  annote = {Not verified},
}

@misc{unused,
  title = {Never cited},
  year = {2019},
}

@article{broken,
  author = {B},
  title = {Broken
"""

PAGE = """\
# Home

[A claim without source]{.claim #c1 verdict=supported}.

[Another claim]{.claim #c2 verdict=weird} [@good2001].

[Third]{.claim #c3} [@nojournal] [@nope] and [@doi:10.1000/abc].

[Dup id]{.claim #c2 verdict=supported reviewer=nobody} [@good2001].

Patients improved by 45% in 2001.
"""

# What each kind's line holds: the text a finding of that kind must point at.
EXPECTED = {
    "duplicate_key": "@article{good2001",
    "bib_syntax": "@article{broken",
    "uncited_entry": "@",
    "missing_field": "@article{nojournal",
    "invalid_identifier": "@article{nojournal",
    "unverified_source": "@article{nojournal",
    "unknown_key": "[@nope]",
    "unknown_identifier": "[@doi:10.1000/abc]",
    "claim_without_source": "#c1",
    "unknown_verdict": "#c2",
    "claim_without_verdict": "#c3",
    "duplicate_claim_id": "[Dup id]",
    "unknown_reviewer": "reviewer=nobody",
    "citation_needed": "45%",
    "no_site_url": "site_url",  # or line 1, where the file has no such key
    "no_identifier": "@article{good2001",
    "renamed_option": "bib_file",
}


def write_site(root, *, site_url: bool) -> None:
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text(PAGE, encoding="utf-8")
    (root / "references.bib").write_text(BIB, encoding="utf-8")
    config = {
        "site_name": "Places",
        **({"site_url": ""} if site_url else {}),
        "theme": {"name": "material"},
        "markdown_extensions": ["attr_list"],
        "plugins": [
            {
                "factcheck": {
                    "bib_file": "references.bib",  # mkdocs-bibtex's name: a renamed_option finding
                    "online": {"enabled": False},
                    "report_findings": True,
                    "unverified_pattern": "not verified",
                    "findings": {"uncited_entry": "info"},
                }
            }
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def line_at(root, file: str, line: int) -> str:
    return (root / file).read_text(encoding="utf-8").splitlines()[line - 1]


def assert_placed(root, findings: list[dict], docs: str) -> None:
    """Each finding: a file that exists, a line in it, holding what the finding is about."""
    assert {f["kind"] for f in findings} >= set(EXPECTED) - {"renamed_option"}, sorted({f["kind"] for f in findings})
    for finding in findings:
        assert finding["kind"] in KINDS
        file = f"{docs}{finding['page']}" if finding.get("page") else finding.get("file")
        assert file and finding.get("line"), finding
        text = line_at(root, file, finding["line"])
        expected = EXPECTED[finding["kind"]]
        if expected + ":" not in (root / file).read_text(encoding="utf-8") and file.endswith(".yml"):
            assert finding["line"] == 1, finding  # an option not given: the file's first line
        else:
            assert expected in text, (finding, text)


@pytest.mark.parametrize("site_url", [False, True], ids=["no site_url", "empty site_url"])
def test_every_finding_of_the_check_command_has_its_file_and_line(tmp_path, site_url):
    write_site(tmp_path, site_url=site_url)
    result = subprocess.run(
        [COMMAND, "check", "--offline", "--format", "json", "--verbose"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert "renamed_option" in {f["kind"] for f in findings}
    assert_placed(tmp_path, findings, "docs/")
    no_site_url = next(f for f in findings if f["kind"] == "no_site_url")
    assert no_site_url["file"] == "mkdocs.yml" and (no_site_url["line"] > 1) == site_url


def test_every_finding_of_a_build_has_its_file_and_line(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    write_site(tmp_path, site_url=False)
    build(load_config(str(tmp_path / "mkdocs.yml")))
    findings = json.loads((tmp_path / "site/factcheck.json").read_text(encoding="utf-8"))["findings"]
    assert_placed(tmp_path, findings, "docs/")


CONFIG = """\
site_name: Places
site_url: https://example.org/
plugins:
  - factcheck:
      bibliography: https://example.org/library.bib
      style: csl:apa
      online:
        timeout: 5
"""


@pytest.mark.parametrize(
    "finding, line",
    [
        (Finding("unformattable_entry", "citation style apa cannot be used: pandoc failed"), 6),
        (Finding("remote_file_unavailable", "cannot fetch https://example.org/library.bib (timeout): ..."), 5),
        (Finding("service_unavailable", "the DOI resolver did not answer"), 7),
        (Finding("no_site_url", "site_url is not set"), 2),
        (Finding("renamed_option", "a kind no option is known for"), 1),
    ],
    ids=["style", "remote file", "service", "site_url", "no option"],
)
def test_a_finding_about_the_configuration_is_placed_at_its_option(tmp_path, finding, line):
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    config = ConfigFile.read(tmp_path / "mkdocs.yml", tmp_path)
    assert config is not None
    placed = config.place(finding)
    assert (placed.file, placed.line, placed.message) == ("mkdocs.yml", line, finding.message)
    located = Finding("unknown_key", "x", page="index.md", line=3)
    assert config.place(located) is located  # a finding with a place of its own keeps it


def test_zensical_toml_options_are_found_too(tmp_path):
    (tmp_path / "zensical.toml").write_text('[project]\nsite_name = "Places"\nsite_url = ""\n', encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Other\n", encoding="utf-8")
    config = ConfigFile.found_in(tmp_path)
    assert config is not None and config.name == "zensical.toml"
    assert config.place(Finding("no_site_url", "site_url is not set")).line == 3


def test_a_page_that_cannot_be_read_is_a_finding_at_its_first_line(tmp_path):
    write_site(tmp_path, site_url=True)
    (tmp_path / "docs/latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    result = subprocess.run(
        [COMMAND, "check", "--offline", "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    unreadable = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "unreadable_page"]
    assert [(f["page"], f["line"]) for f in unreadable] == [("latin1.md", 1)]


def test_every_finding_is_one_printable_line_whoever_made_it(caplog):
    """Findings.report escapes what a service or a file put in a message, for every output at once
    (the log, the check command's formats): no newline, ESC or bidirectional control gets through."""
    import logging

    from mkdocs_factcheck.core.findings import Findings

    logger = logging.getLogger("factcheck-test-findings")
    findings = Findings(logger=logger)
    with caplog.at_level(logging.INFO, logger="factcheck-test-findings"):
        findings.report(Finding("unknown_key", "forged\n\x1b[2JAll sources verified\u202e", page="a.md", line=2))
    (stored,) = findings.items
    (logged,) = [record.getMessage() for record in caplog.records]
    for text in (stored.message, logged):
        assert "forged" in text and "All sources verified" in text
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in text), text
