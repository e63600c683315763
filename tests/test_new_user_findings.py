"""What a new user met (issue 26), each on a real site: the report page and MkDocs' nav validation, the
report's links, paths and places in the check command's messages, YAML errors naming their file,
filtered blocks' heading ids, the JSON output's `uncited_sources`, Zensical's site bibliography."""

from __future__ import annotations

import json
import logging

from conftest import BIB, soup
from test_identifier_citations import FROZEN
from test_zensical import zensical_build

from mkdocs_factcheck.cli.main import main as cli_main


def test_the_report_page_is_not_an_omitted_nav_file(site, caplog):
    site.bib(BIB)
    site.page("index.md", "# A\n\nCited [@onji1987].\n")
    site.config(extra={"nav": ["index.md"], "validation": {"nav": {"omitted_files": "warn"}}})
    site.build(strict=True)  # MkDocs' strict mode fails on an omitted file
    assert (site.site_dir / "factcheck-report/index.html").is_file()
    assert not [r for r in caplog.records if 'not included in the "nav"' in r.getMessage()]


def test_the_report_page_can_be_put_in_nav(site):
    site.bib(BIB)
    site.page("index.md", "# A\n\nCited [@onji1987].\n")
    site.config(extra={"nav": ["index.md", {"Fact-check report": "factcheck-report.md"}]})
    site.build(strict=True)
    titles = [link.get_text(strip=True) for link in soup(site.html()).select("nav.md-nav--primary a.md-nav__link")]
    assert "Fact-check report" in titles


def test_every_link_of_the_report_has_its_anchor(site):
    site.bib(BIB)
    site.page(
        "index.md",
        "# A\n\n[IL-2 helps]{.claim #c verdict=supported} [@onji1987; @nokey].\n\n[Also]{.claim #d verdict=supported}"
        " [@NOKEY2].\n",
    )
    site.config()
    site.build()
    page = soup((site.site_dir / "factcheck-report/index.html").read_text(encoding="utf-8"))
    ids = {element["id"] for element in page.select("[id]")}
    anchors = [link["href"][1:] for link in page.select("a[href^='#']")]
    assert "source-onji1987" in anchors
    assert [anchor for anchor in anchors if anchor not in ids] == []
    assert "nokey" in page.select_one("#report-c").get_text()  # named, not linked


def test_check_from_a_subfolder_prints_paths_from_there(site, monkeypatch, capsys):
    site.bib(BIB + "\n@article{broken,\n  title = {No end}\n")
    site.page("a.md", "# A\n\n[One]{.claim #same verdict=supported} [@onji1987].\n")
    site.page("b.md", "# B\n\n[Two]{.claim #same verdict=supported} [@onji1987].\n")
    site.config()
    monkeypatch.chdir(site.docs)
    cli_main(["check", "--offline", "-f", "../mkdocs.yml"])
    out = capsys.readouterr().out
    bib_lines = [line for line in out.splitlines() if "[bib_syntax]" in line]
    assert bib_lines and all(line.startswith("../references.bib:") for line in bib_lines), out
    duplicate = next(line for line in out.splitlines() if "[duplicate_claim_id]" in line)
    assert duplicate.startswith("b.md:3: ") and "at a.md:3" in duplicate  # both places named alike
    monkeypatch.chdir(site.root)
    cli_main(["check", "--offline"])
    duplicate = next(line for line in capsys.readouterr().out.splitlines() if "[duplicate_claim_id]" in line)
    assert duplicate.startswith("docs/b.md:3: ") and "at docs/a.md:3" in duplicate


def test_yaml_errors_name_the_file(site, monkeypatch, capsys):
    site.bib(BIB)
    site.page("index.md", "# A\n")
    site.write("mkdocs.yml", "site_name: x\nplugins: [factcheck\n")
    monkeypatch.chdir(site.root)
    assert cli_main(["check", "--offline"]) == 2
    error = capsys.readouterr().err
    assert 'in "mkdocs.yml", line' in error and "<unicode string>" not in error


def test_a_csl_yaml_error_names_its_line_not_a_string(site, caplog):
    site.write("refs.yaml", "- id: a\n  type: book\n  title: !!python/name:os.system\n")
    site.page("index.md", "# A\n\n[@a]\n")
    site.config({"bibliography": "refs.yaml"})
    site.build()
    messages = [r.getMessage() for r in caplog.records if "[bib_syntax]" in r.getMessage()]
    assert len(messages) == 1 and "refs.yaml:3: YAML error: could not determine a constructor" in messages[0]
    assert "<unicode string>" not in messages[0]


def test_a_filtered_block_has_a_readable_heading_id(site):
    site.bib(BIB)
    site.page("index.md", '# All\n\n::: {#refs scope=site type="book" cited=no}\n:::\n')
    site.config()
    site.build()
    headings = [h["id"] for h in soup(site.html()).select(".factcheck-bibliography h2")]
    assert headings == ["bibliography-type-book-cited-no"]


def test_the_json_output_has_uncited_sources_only_when_it_lists_some(site, monkeypatch, capsys):
    site.bib(BIB)
    site.page("index.md", "# A\n\nCited [@onji1987].\n")
    site.config()
    monkeypatch.chdir(site.root)
    cli_main(["check", "--offline", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert "uncited_sources" not in data
    assert any(not source["cited_on"] for source in data["sources"])  # the uncited are in `sources`
    many = "".join(f"@misc{{u{n}, title = {{Uncited {n}}}, year = {{2020}}}}\n" for n in range(40))
    site.bib(BIB + many)
    cli_main(["check", "--offline", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["uncited_sources"][0]["count"] >= 40


def test_zensicals_site_bibliography_lists_the_identifiers_files_records(site):
    site.bib(BIB)
    site.write("references.identifiers.json", json.dumps(FROZEN, indent=2))
    site.page("index.md", "# References\n\n::: {#refs scope=site}\n:::\n")  # before the citing page
    site.page("z.md", "# Z\n\nBy DOI [@doi:10.1200/JCO.1999.17.7.2105] and a key [@onji1987].\n")
    site.config(extra={"markdown_extensions": ["attr_list", {"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    site.build()
    listed = {li["id"] for li in soup(site.html()).select("li.reference")}
    assert "ref-doi:10.1200_2fjco.1999.17.7.2105" in listed
    zensical_build(site)
    zensical = {li["id"] for li in soup(site.html()).select("li.reference")}
    assert zensical == listed


def test_a_serve_rebuild_tells_the_edited_pages_findings_and_new_ones(site, caplog):
    """As `mkdocs serve` rebuilds: a fresh config, the same plugin object, every page built again."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site.bib(BIB)
    keys = {"a": "alphamissing", "b": "betagone", "c": "gammaabsent"}
    for name, key in keys.items():
        site.page(f"{name}.md", f"# {name}\n\nUnknown [@{key}].\n")
    site.config()

    def rebuild() -> list[str]:
        caplog.clear()
        config = load_config(str(site.root / "mkdocs.yml"))
        config.plugins.on_startup(command="serve", dirty=False)
        build(config, serve_url="http://127.0.0.1:8000/")
        return [r.getMessage() for r in caplog.records if "[unknown_key]" in r.getMessage()]

    caplog.set_level(logging.INFO)
    assert len(rebuild()) == 3  # the first build tells everything
    site.page("b.md", "# b\n\nUnknown [@betagone], edited.\n")
    assert [message.split(": ", 2)[1] for message in rebuild()] == ["b.md:3"]
    site.bib(BIB + "\n@misc{gammaabsent, title = {Now there}, year = {2020}}\n")
    assert rebuild() == []  # c's finding is gone, nothing new
    site.page("a.md", "# a\n\nUnknown [@alphamissing] and [@newone].\n")
    assert sorted(message.split(": ", 2)[1] for message in rebuild()) == ["a.md:3", "a.md:3"]
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    assert sorted(f["page"] for f in data["findings"] if f["kind"] == "unknown_key") == [
        "a.md",
        "a.md",
        "b.md",
    ]  # all still kept


def test_a_duplicate_claim_id_is_shown_in_the_page_during_serve(site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site.bib(BIB)
    site.page("a.md", "# A\n\n[One]{.claim #same verdict=supported} [@onji1987].\n")
    site.page("b.md", "# B\n\n[Two]{.claim #same verdict=supported} [@onji1987].\n")
    site.config({"show_findings_in_page": True})
    config = load_config(str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config, serve_url="http://127.0.0.1:8000/")
    notes = [note.get_text() for note in soup(site.html("b/index.html")).select(".factcheck-finding")]
    assert [note for note in notes if "claim id 'same' is used by another claim, at a.md:3" in note] != [], notes


def test_an_entrys_findings_are_shown_in_the_page_during_serve(site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site.bib(BIB + "\n@article{thin2020,\n  title = {Only a title},\n  year = {2020}\n}\n")
    site.page("index.md", "# A\n\nCited [@thin2020] and [@onji1987].\n")
    site.config({"show_findings_in_page": True})
    config = load_config(str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config, serve_url="http://127.0.0.1:8000/")
    page = soup(site.html())
    notes = [note.get_text() for note in page.select("#ref-thin2020 .factcheck-finding")]
    assert any(
        "entry 'thin2020' (article) lacks author" in note and note.startswith("references.bib:") for note in notes
    ), notes
    assert not page.select("#ref-onji1987 .factcheck-finding")
