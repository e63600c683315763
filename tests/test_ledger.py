"""The published record of a fact-check: `mkdocs-factcheck publish` writes the ledger, builds compare
the site with it, corrections and updates, removed claims, merged branches, reviewers and dates in the
HTML and the ClaimReview data (checked against schema.org's own list of each type's properties)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIB, soup

from mkdocs_factcheck.cli.main import main
from mkdocs_factcheck.core.claims.ledger import load

COMMAND = shutil.which("mkdocs-factcheck") or str(Path(sys.executable).parent / "mkdocs-factcheck")
REVIEWERS = {
    "ab": {"name": "Ann Bee", "url": "https://example.org/people/ann", "role": "Medical editor"},
    "cd": {"name": "Carl Dee"},
}
PAGE = """\
---
reviewer: ab
reviewed: 2026-11-20
---
# Coffee

[Coffee keeps students awake]{.claim #awake verdict=supported} [@onji1987].

[Tea is drunk by students]{.claim #tea verdict=supported reviewer=cd reviewed=2026-11-22} [@onji1987; @mueller2001].
"""


def make(site, page: str = PAGE, **plugin):
    site.bib(BIB)
    site.page("index.md", page)
    site.config(
        plugin={"reviewers": REVIEWERS, "findings": {"uncited_entry": "ignore", "no_identifier": "ignore"}, **plugin}
    )
    return site


def publish(site, monkeypatch, date: str, capsys=None) -> int:
    monkeypatch.chdir(site.root)
    return main(["publish", "--date", date])


def check(site, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(site.root)
    capsys.readouterr()
    code = main(["check", "--offline", *args])
    out, err = capsys.readouterr()
    return code, out, err


def edit(site, old: str, new: str) -> None:
    path = site.docs / "index.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_publish_records_every_claim_and_a_build_never_writes_the_ledger(site, monkeypatch, capsys):
    make(site)
    site.build()
    assert not (site.root / "factcheck-ledger.json").exists()  # a build is no publication
    assert publish(site, monkeypatch, "2026-11-26") == 0
    records = load(site.root / "factcheck-ledger.json").records
    assert records["awake"] == {
        "page": "index.md",
        "url": "",
        "text": "Coffee keeps students awake",
        "verdict": "supported",
        "sources": ["onji1987"],
        "published": "2026-11-26",
        "reviewer": "ab",
        "reviewed": "2026-11-20",
    }
    assert records["tea"]["reviewer"] == "cd" and records["tea"]["sources"] == ["onji1987", "mueller2001"]
    written = (site.root / "factcheck-ledger.json").read_bytes()
    site.build()
    assert (site.root / "factcheck-ledger.json").read_bytes() == written
    assert check(site, monkeypatch, capsys)[0] == 0


def test_a_changed_verdict_fails_the_build_until_it_has_a_correction(site, monkeypatch, capsys, caplog):
    make(site)
    assert publish(site, monkeypatch, "2026-11-26") == 0
    edit(site, "#awake verdict=supported", "#awake verdict=contradicted")
    with pytest.raises(Exception, match="BuildError|configured as errors"):
        site.build()
    expected = "claim 'awake': verdict was 'supported' (published 2026-11-26), is now 'contradicted': add a correction"
    assert any(expected in record.getMessage() and "index.md:7" in record.getMessage() for record in caplog.records)
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 1 and f"docs/index.md:7: {expected}" in out
    assert publish(site, monkeypatch, "2026-12-01") == 1  # nothing recorded that readers were not told
    assert load(site.root / "factcheck-ledger.json").records["awake"]["verdict"] == "supported"

    edit(
        site,
        "#awake verdict=contradicted",
        '#awake verdict=contradicted correction="A later trial found the opposite." corrected=2026-12-02',
    )
    site.build()
    html = soup(site.html())
    notice = html.select_one("#awake ~ .claim-verdict .claim-correction") or html.select_one(".claim-correction")
    assert (
        notice.get_text() == "Corrected on 2026-12-02: the verdict was Supported; A later trial found the opposite"
    )  # the sentence's full stop follows
    section = html.select_one("section.factcheck-corrections")
    assert section.h2.get_text() == "Corrections"
    assert section.select_one("a[href='#awake']") is not None and "The verdict was Supported" in section.get_text()
    listing = soup(site.html("factcheck-corrections/index.html")).select_one(".factcheck-corrections-list")
    assert "2026-12-02" in listing.get_text() and listing.select_one("a")["href"] == "../#awake"
    reviews = {
        review["url"].rsplit("#", 1)[1]: review
        for review in json.loads(html.select_one("script.factcheck-claimreview").string)
    }
    assert reviews["awake"]["dateModified"] == "2026-12-02" and "dateModified" not in reviews["tea"]
    report = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    assert [(c["claim"], c["date"], c["was"]) for c in report["corrections"]] == [
        ("awake", "2026-12-02", {"verdict": "supported"})
    ]

    code, out, err = check(site, monkeypatch, capsys)
    assert (
        code == 0
        and "awake': verdict was 'supported' (published 2026-11-26), is now 'contradicted': "
        "correction of 2026-12-02 not yet published"
        in out
    )
    assert "1 correction or update not yet published" in err
    assert publish(site, monkeypatch, "2026-12-03") == 0
    record = load(site.root / "factcheck-ledger.json").records["awake"]
    assert record["verdict"] == "contradicted" and record["published"] == "2026-11-26"
    assert record["corrections"] == [
        {"date": "2026-12-02", "note": "A later trial found the opposite.", "was": {"verdict": "supported"}}
    ]
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 0 and out == ""  # published: nothing pending
    site.build()  # readers still see it, now from the ledger
    assert (
        soup(site.html())
        .select_one(".claim-correction")
        .get_text()
        .startswith("Corrected on 2026-12-02: the verdict was Supported")
    )


def test_a_changed_text_and_a_removed_source_need_a_correction_too(site, monkeypatch, capsys):
    make(site)
    publish(site, monkeypatch, "2026-11-26")
    edit(site, "[Tea is drunk by students]", "[Tea is drunk by  most students]")
    edit(site, "[@onji1987; @mueller2001]", "[@onji1987]")
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 1
    assert (
        "claim 'tea': text was 'Tea is drunk by students' (published 2026-11-26), is now 'Tea is drunk by most"
        " students'; source 'mueller2001' removed (published 2026-11-26): add a correction" in out
    )
    edit(site, "[Tea is drunk by  most students]", "[Tea  is drunk\nby students]")  # whitespace is no change
    assert "text was" not in check(site, monkeypatch, capsys)[1]


def test_a_typo_is_an_update_recorded_but_not_shown(site, monkeypatch, capsys):
    make(site)
    publish(site, monkeypatch, "2026-11-26")
    edit(
        site,
        "[Coffee keeps students awake]{.claim #awake verdict=supported}",
        '[Coffee keeps students awake.]{.claim #awake verdict=supported update="Full stop added." updated=2026-11-28}',
    )
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 0 and "update of 2026-11-28 not yet published (mkdocs-factcheck publish) [unpublished_update]" in out
    site.build()
    html = soup(site.html())
    assert html.select(".claim-correction") == [] and html.select("section.factcheck-corrections") == []
    assert "No corrections" in soup(site.html("factcheck-corrections/index.html")).get_text()
    assert publish(site, monkeypatch, "2026-11-29") == 0
    assert load(site.root / "factcheck-ledger.json").records["awake"]["updates"] == [
        {"date": "2026-11-28", "note": "Full stop added.", "was": {"text": "Coffee keeps students awake"}}
    ]
    # an update cannot change a verdict
    edit(site, "#awake verdict=supported", "#awake verdict=unsupported")
    edit(site, 'update="Full stop added." updated=2026-11-28', 'update="Verdict." updated=2026-11-30')
    code, out, _ = check(site, monkeypatch, capsys)
    assert (
        code == 1 and "an update is for wording only; a changed verdict or a removed source needs a correction" in out
    )


def test_a_removed_claim_needs_a_correction_in_its_pages_front_matter(site, monkeypatch, capsys):
    make(site)
    publish(site, monkeypatch, "2026-11-26")
    edit(
        site,
        "[Tea is drunk by students]{.claim #tea verdict=supported reviewer=cd reviewed=2026-11-22} [@onji1987;"
        " @mueller2001].\n",
        "",
    )
    code, out, _ = check(site, monkeypatch, capsys)
    assert (
        code == 1
        and "docs/index.md:1: claim 'tea' (published 2026-11-26) is no longer on the site: add a correction" in out
    )
    edit(
        site,
        "reviewed: 2026-11-20\n",
        "reviewed: 2026-11-20\ncorrections:\n  - claim: tea\n    date: 2026-12-05\n    note: The study was about coffee"
        " only.\n",
    )
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 0 and "claim 'tea' removed: correction of 2026-12-05 not yet published" in out
    site.build()
    section = soup(site.html()).select_one("section.factcheck-corrections").get_text()
    assert (
        "“Tea is drunk by students” (removed; its verdict was Supported). The study was about coffee only." in section
    )
    assert publish(site, monkeypatch, "2026-12-06") == 0
    record = load(site.root / "factcheck-ledger.json").records["tea"]
    assert record["removed"] == "2026-12-05" and record["corrections"][0]["note"] == "The study was about coffee only."
    assert check(site, monkeypatch, capsys)[0] == 0
    site.build()
    assert "removed; its verdict was Supported" in soup(site.html("factcheck-corrections/index.html")).get_text()


def test_unpublished_changes_and_corrections_in_every_output_format(site, monkeypatch, capsys):
    make(
        site,
        PAGE.replace(
            "#tea verdict=supported", '#tea verdict=supported correction="Second source added." corrected=2026-12-01'
        ),
    )
    ledger = {
        "format": 1,
        "claims": {
            "awake": {
                "page": "index.md",
                "url": "",
                "text": "Coffee keeps students awake",
                "verdict": "unsupported",
                "sources": ["onji1987"],
                "published": "2026-11-26",
            },
            "tea": {
                "page": "index.md",
                "url": "",
                "text": "Tea is drunk by students",
                "verdict": "supported",
                "sources": ["onji1987"],
                "published": "2026-11-26",
            },
        },
    }
    (site.root / "factcheck-ledger.json").write_text(json.dumps(ledger), encoding="utf-8")
    outputs = {
        name: check(site, monkeypatch, capsys, "--format", name)[1] for name in ("text", "json", "github", "sarif")
    }
    assert "[unpublished_change]" in outputs["text"] and "[unpublished_correction]" in outputs["text"]
    assert "::error file=docs/index.md,line=7,title=factcheck unpublished_change::claim 'awake'" in outputs["github"]
    assert "::notice file=docs/index.md,line=9,title=factcheck unpublished_correction::claim 'tea'" in outputs["github"]
    sarif = {result["ruleId"]: result["level"] for result in json.loads(outputs["sarif"])["runs"][0]["results"]}
    assert sarif["unpublished_change"] == "error" and sarif["unpublished_correction"] == "note"
    report = json.loads(outputs["json"])
    assert {f["kind"] for f in report["findings"]} >= {"unpublished_change", "unpublished_correction"}
    assert [(c["claim"], c["date"]) for c in report["corrections"]] == [("tea", "2026-12-01")]


def test_two_branches_publish_different_claims_and_git_merges_both(site, monkeypatch, tmp_path):
    make(site)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=site.root, check=True)
    subprocess.run(
        ["git", "config", "merge.factcheck-ledger.driver", f"{COMMAND} merge-ledger %O %A %B"],
        cwd=site.root,
        check=True,
    )
    (site.root / ".gitattributes").write_text("factcheck-ledger.json merge=factcheck-ledger\n", encoding="utf-8")
    (site.root / ".gitignore").write_text(".cache/\nsite/\n", encoding="utf-8")
    publish(site, monkeypatch, "2026-11-26")
    subprocess.run([*git, "add", "."], cwd=site.root, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=site.root, check=True)
    subprocess.run(["git", "checkout", "-qb", "other"], cwd=site.root, check=True)
    site.page("b.md", "# B\n\n[Milk is white]{.claim #milk verdict=supported} [@onji1987].\n")
    publish(site, monkeypatch, "2026-11-27")
    subprocess.run([*git, "commit", "-qam", "milk"], cwd=site.root, check=True)
    subprocess.run([*git, "add", "."], cwd=site.root, check=True)
    subprocess.run([*git, "commit", "-qm", "milk page"], cwd=site.root, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=site.root, check=True)
    site.page("c.md", "# C\n\n[Water is wet]{.claim #water verdict=supported} [@onji1987].\n")
    publish(site, monkeypatch, "2026-11-28")
    subprocess.run([*git, "add", "."], cwd=site.root, check=True)
    subprocess.run([*git, "commit", "-qm", "water"], cwd=site.root, check=True)
    merged = subprocess.run(
        [*git, "merge", "-q", "other", "-m", "merge"], cwd=site.root, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    records = load(site.root / "factcheck-ledger.json").records
    assert set(records) == {"awake", "tea", "milk", "water"}
    assert records["milk"]["published"] == "2026-11-27" and records["water"]["published"] == "2026-11-28"


def test_a_damaged_ledger_is_one_finding_at_its_line(site, monkeypatch, capsys):
    make(site)
    (site.root / "factcheck-ledger.json").write_text('{\n  "claims": {\n<<<<<<< HEAD\n', encoding="utf-8")
    code, out, _ = check(site, monkeypatch, capsys)
    assert code == 1 and "factcheck-ledger.json:3: not a ledger" in out and "merge-ledger" in out


def test_reviewers_in_the_html_the_report_and_the_claimreview(site, monkeypatch, capsys):
    make(site)
    site.build()
    html = soup(site.html())
    reviews = {
        review["url"].rsplit("#", 1)[1]: review
        for review in json.loads(html.select_one("script.factcheck-claimreview").string)
    }
    assert reviews["awake"]["author"] == {
        "@type": "Person",
        "name": "Ann Bee",
        "url": "https://example.org/people/ann",
        "jobTitle": "Medical editor",
    }
    assert reviews["awake"]["publisher"] == {"@type": "Organization", "name": "Test", "url": "https://example.org/"}
    assert reviews["awake"]["datePublished"] == "2026-11-20" and reviews["tea"]["datePublished"] == "2026-11-22"
    assert reviews["tea"]["author"] == {"@type": "Person", "name": "Carl Dee"}
    # the page's reviewer and date are in its summary; a claim reviewed otherwise says so at its badge
    summary = html.select_one(".factcheck-summary .summary-title")
    assert "2 claims reviewed by Ann Bee, Medical editor on 2026-11-20." in summary.get_text()
    assert summary.select_one("a.claim-reviewer, .claim-reviewer a")["href"] == "https://example.org/people/ann"
    assert [element.get_text() for element in html.select(".claim-review")] == ["Reviewed by Carl Dee on 2026-11-22"]
    site.config(
        plugin={
            "reviewers": REVIEWERS,
            "summary": False,
            "findings": {"uncited_entry": "ignore", "no_identifier": "ignore"},
        }
    )
    site.build()
    lines = [element.get_text() for element in soup(site.html()).select(".claim-review")]
    assert lines == ["Reviewed by Ann Bee (Medical editor) on 2026-11-20", "Reviewed by Carl Dee on 2026-11-22"]
    report = soup(site.html("factcheck-report/index.html"))
    assert (
        "Ann Bee, Medical editor" in report.select_one("#report-awake").get_text()
        and "2026-11-22" in report.select_one("#report-tea").get_text()
    )
    for review in reviews.values():
        assert_documented(review)


def test_an_unknown_reviewer_is_a_finding(site, monkeypatch, capsys):
    make(site, PAGE.replace("reviewer=cd", "reviewer=zz"))
    code, out, _ = check(site, monkeypatch, capsys, "--strict")
    assert (
        code == 1
        and "docs/index.md:9: claim 'tea': unknown reviewer 'zz' (reviewers: ab, cd) [unknown_reviewer]" in out
    )


SCHEMA = {
    row["label"]: row
    for row in csv.DictReader(
        (Path(__file__).parent / "schemaorg" / "types.csv").read_text(encoding="utf-8").splitlines()
    )
}


def assert_documented(node: dict, expected_type: str = "ClaimReview") -> None:
    """Every property of a node is one schema.org documents for its type (release 30.0), recursively."""
    kind = node.get("@type", expected_type)
    assert kind in SCHEMA, kind
    allowed = {url.rsplit("/", 1)[1] for url in SCHEMA[kind]["properties"].split(", ")}
    for name, value in node.items():
        if name.startswith("@"):
            continue
        assert name in allowed, f"{kind} has no property {name}"
        if isinstance(value, dict):
            assert_documented(value, value.get("@type", ""))


def test_merging_keeps_every_correction_of_a_claim_both_branches_changed(tmp_path):
    from mkdocs_factcheck.core.claims.ledger import Ledger, merged

    base = {
        "page": "a.md",
        "url": "a/",
        "text": "T",
        "verdict": "supported",
        "sources": ["k"],
        "published": "2026-11-01",
    }
    ours = Ledger(
        tmp_path / "x",
        {
            "c": {
                **base,
                "verdict": "unsupported",
                "corrections": [{"date": "2026-11-05", "note": "one", "was": {"verdict": "supported"}}],
            }
        },
    )
    theirs = Ledger(
        tmp_path / "y",
        {
            "c": {
                **base,
                "verdict": "contradicted",
                "corrections": [{"date": "2026-11-09", "note": "two", "was": {"verdict": "supported"}}],
            },
            "d": {**base, "text": "D"},
        },
    )
    joined = merged(ours, theirs).records
    assert set(joined) == {"c", "d"}
    assert joined["c"]["verdict"] == "contradicted"  # the later change
    assert [item["note"] for item in joined["c"]["corrections"]] == ["one", "two"]
    assert merged(theirs, ours).records["c"] == joined["c"]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"claims": ' + "[" * 100 + "]" * 100 + "}"])
def test_a_ledger_nested_too_deeply_is_one_finding_not_a_traceback(site, monkeypatch, capsys, text):
    make(site)
    (site.root / "factcheck-ledger.json").write_text(text, encoding="utf-8")
    code, out, err = check(site, monkeypatch, capsys)
    assert code == 1 and "factcheck-ledger.json:1: not a ledger: JSON nested" in out and "Traceback" not in err
