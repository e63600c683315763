"""Records as every agency sends them (Crossref's own types, DataCite's `article` and `dataset`, NCBI
Bookshelf chapters and preprints): the CSL and BibTeX types they are read as, a site citing them by
identifier that checks clean offline, and `add` writing entries that pybtex and pandoc read back to the
same references as the citations by identifier."""

from __future__ import annotations

import json
import re
import subprocess

import pypandoc
import pytest
from agency_records import BIBTEX_TYPES, CROSSREF, DATACITE, PREPRINT_DOI, SUMMARIES, works_message
from identifier_fakes import IdentifierServices, online_settings
from pybtex.database import parse_file
from test_check_command import COMMAND

from mkdocs_factcheck.cli.main import main
from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography
from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.offline import missing_fields
from mkdocs_factcheck.core.checks.online.metadata import csl_from_doi, csl_from_summary
from mkdocs_factcheck.core.checks.online.record_types import csl_type

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)
# What pandoc's BibLaTeX reader makes of each BibTeX type written (its CSL type).
PANDOC_TYPES = {
    "article": "article-journal",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "misc": "",
    "book": "book",
    "phdthesis": "thesis",
    "techreport": "report",
    "dataset": "dataset",
}


@pytest.fixture
def fake(services):
    fake = IdentifierServices(services)
    fake.csl.update({doi.lower(): record for doi, record in {**CROSSREF, **DATACITE}.items()})
    fake.pubmed.update(SUMMARIES)
    services.works.update({doi.lower(): works_message(record) for doi, record in CROSSREF.items()})
    services.handles.update(doi.lower() for doi in DATACITE)
    return fake


def item_of(key: str) -> dict:
    scheme, value = key.split(":", 1)
    if scheme == "pmid":
        return csl_from_summary(SUMMARIES[value], "pmid", value)
    return csl_from_doi({**CROSSREF, **DATACITE}[value], value)


@pytest.mark.parametrize("key", sorted(BIBTEX_TYPES))
def test_each_agency_type_becomes_its_bibtex_type_with_the_fields_it_needs(key):
    entry = csl_bibliography.to_entry(key, item_of(key))
    assert entry.type == BIBTEX_TYPES[key]
    assert missing_fields(Source(key, entry, "x.json", 1)) == []
    if entry.type == "article":
        assert {"journal", "volume", "number", "pages"} <= set(entry.fields) and "howpublished" not in entry.fields
    if entry.type in ("incollection", "inproceedings"):
        assert "booktitle" in entry.fields and "howpublished" not in entry.fields


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"type": "journal-article"}, "article-journal"),
        ({"type": "book-chapter"}, "chapter"),
        ({"type": "posted-content", "subtype": "preprint"}, "article"),
        ({"type": "proceedings-article"}, "paper-conference"),
        ({"type": "reference-entry"}, "entry-encyclopedia"),
        ({"type": "dissertation"}, "thesis"),
        ({"type": "article-journal"}, "article-journal"),  # CSL's own, kept
        ({"type": "article", "types": {"resourceTypeGeneral": "Software"}}, "software"),
        ({"type": "article", "types": {"resourceTypeGeneral": "Text"}}, "document"),
        ({"types": {"resourceTypeGeneral": "JournalArticle"}}, "article-journal"),
        ({"type": "Preprint"}, "article"),  # DataCite's resourceTypeGeneral written as the type
        ({"type": "something-new"}, "document"),
        ({}, "article-journal"),
    ],
)
def test_agency_types_as_csl_types(record, expected):
    assert csl_type(record) == expected


PAGE = "# Sources\n\n" + "\n\n".join(f"Cited [@{key}]." for key in sorted(BIBTEX_TYPES)) + "\n\n::: {#refs}\n:::\n"


def entries_text(html: str) -> list[str]:
    """The references as readers read them, without their anchors."""
    block = html[html.index('class="references') :]
    items = re.findall(r"<li id=\"ref-[^\"]+\"[^>]*>(.*?)</li>", block, re.S)
    texts = (" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items)
    return sorted(re.sub(r"^\[\d+\] | ↩\S*$", "", text) for text in texts)  # numbers follow the order of citation


def test_a_site_citing_every_shape_by_identifier_checks_clean_offline_and_add_reads_back_the_same(
    site, fake, services, monkeypatch, capsys
):
    site.bib("")
    site.page("index.md", PAGE)
    # The preprint whose journal version exists is worth a warning (test_preprints.py): here, info.
    site.config(
        {"online": online_settings(services), "findings": {"uncited_entry": "ignore", "preprint_published": "info"}}
    )
    site.build()
    by_identifier = entries_text(site.html())
    assert len(by_identifier) == len(BIBTEX_TYPES)
    data = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    assert not [
        f for f in data["findings"] if f["kind"] in ("missing_field", "unknown_identifier", "unformattable_entry")
    ], data["findings"]
    # The README's CI command, on the frozen file.
    result = subprocess.run(
        [COMMAND, "check", "--offline", "--strict"], cwd=site.root, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr

    monkeypatch.chdir(site.root)
    assert main(["add", *sorted(BIBTEX_TYPES)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    keys = dict(re.findall(r"^(\S+): added to \S+ as '([^']+)'", out, re.M))
    # PubMed's record of the preprint carries its DOI: one work, one entry.
    assert f"pmid:30000002: already in references.bib as '{keys[f'doi:{PREPRINT_DOI}']}' (same DOI)" in out
    keys["pmid:30000002"] = keys[f"doi:{PREPRINT_DOI}"]
    assert sorted(keys) == sorted(BIBTEX_TYPES)
    bib = site.root / "references.bib"
    entries = parse_file(str(bib)).entries
    assert {identifier: entries[key].type for identifier, key in keys.items()} == {
        **BIBTEX_TYPES,
        "pmid:30000002": "misc",
    }
    read_by_pandoc = {
        item["id"]: item for item in json.loads(pypandoc.convert_file(str(bib), "csljson", format="biblatex"))
    }
    assert {identifier: read_by_pandoc[key]["type"] for identifier, key in keys.items()} == {
        identifier: PANDOC_TYPES[kind] for identifier, kind in BIBTEX_TYPES.items()
    }
    journal = read_by_pandoc[keys["doi:10.1000/journal.2020.1"]]
    assert (journal["container-title"], journal["volume"], journal["issue"], journal["page"]) == (
        "Journal of Hepatology",
        "72",
        "3",
        "401-409",
    )

    site.page(
        "index.md",
        "# Sources\n\n" + "\n\n".join(f"Cited [@{key}]." for key in set(keys.values())) + "\n\n::: {#refs}\n:::\n",
    )
    site.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    # Cited by key now: the entries render from references.bib (the identifiers file still knows the preprint's
    # published version).
    site.build()
    added = entries_text(site.html())
    assert len(added) == len(BIBTEX_TYPES) - 1 and set(added) <= set(
        by_identifier
    )  # the PubMed record of the preprint is its entry


def test_findings_about_records_written_in_this_build_carry_their_line_in_the_identifiers_file(site, fake, services):
    fake.csl["10.1000/nopublisher"] = {
        "type": "monograph",
        "DOI": "10.1000/nopublisher",
        "title": "A book without its publisher",
        "author": [{"given": "Ann", "family": "Adams"}],
        "issued": {"date-parts": [[2001]]},
    }
    site.bib("")
    site.page("index.md", "# A\n\n[@doi:10.1000/journal.2020.1] and [@doi:10.1000/nopublisher].\n")
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    site.build()
    written = (site.root / "references.identifiers.json").read_text(encoding="utf-8").splitlines()
    data = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    missing = [f for f in data["findings"] if f["kind"] == "missing_field"]
    assert [(f["file"], "publisher" in f["message"]) for f in missing] == [("references.identifiers.json", True)]
    line = missing[0]["line"]
    assert (
        line >= 1
        and written[line - 1].strip() == "{"
        and '"id": "doi:10.1000/nopublisher"' in "".join(written[line - 1 : line + 12])
    )


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        ({"type": "software", "title": "T", "publisher": "Zenodo"}, "software"),
        ({"type": "standard", "title": "T", "publisher": "ISO"}, "standard"),
        ({"type": "webpage", "title": "T", "URL": "https://example.org/"}, "online"),
        ({"type": "webpage", "title": "T"}, "misc"),  # @online needs its address
        ({"type": "manuscript", "title": "T", "author": [{"literal": "A"}]}, "misc"),  # @unpublished needs a note
        ({"type": "manuscript", "title": "T", "author": [{"literal": "A"}], "note": "In preparation"}, "unpublished"),
        (
            {
                "type": "chapter",
                "title": "T",
                "author": [{"literal": "A"}],
                "page": "1-2",
                "publisher": "P",
                "issued": {"date-parts": [[2000]]},
            },
            "inbook",
        ),
        ({"type": "article", "title": "T", "container-title": "SSRN"}, "misc"),
        ({"type": "document", "title": "T"}, "misc"),
    ],
)
def test_csl_types_as_bibtex_types_without_a_finding_they_do_not_deserve(item, kind):
    entry = csl_bibliography.to_entry("k", item)
    assert entry.type == kind
    assert missing_fields(Source("k", entry, "x.json", 1)) == []
    if kind == "misc" and "container-title" in item:
        assert entry.fields["howpublished"] == item["container-title"]
