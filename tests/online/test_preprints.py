"""Preprints among the cited sources: readers see "Preprint" (and "published as ..." where the record
names the peer-reviewed version), editors a finding naming it, factcheck.json and the identifiers file
carry it, and the offline build shows the same page. Records served on 127.0.0.1 in the agencies' shapes."""

from __future__ import annotations

import json

import pytest
from agency_records import CROSSREF, PREPRINT_DOI, PUBLISHED_DOI, SUMMARIES, works_message
from conftest import soup
from identifier_fakes import IdentifierServices, online_settings
from pybtex.database import Entry

from mkdocs_factcheck.core.checks.preprints import is_preprint, mark_html, record_facts

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)
PUBLISHED_TITLE = "Interleukin-2 in hepatitis B: a trial"


@pytest.fixture
def fake(services):
    fake = IdentifierServices(services)
    fake.csl.update({doi.lower(): record for doi, record in CROSSREF.items()})
    fake.pubmed.update(SUMMARIES)
    services.works.update({doi.lower(): works_message(record) for doi, record in CROSSREF.items()})
    return fake


def marks(html: str) -> dict[str, str]:
    """Each reference's preprint mark (its text), by the entry's key."""
    page = soup(html)
    return {
        li["data-key"]: mark.get_text()
        for li in page.select("li.reference")
        for mark in li.select(".reference-preprint")
    }


def build_both(site, services) -> tuple[str, dict, str, dict]:
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    site.build()
    online = (site.html(), json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8")))
    site.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    site.build()
    return online[0], online[1], site.html(), json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))


def kinds(data: dict, kind: str) -> list[dict]:
    return [f for f in data["findings"] if f["kind"] == kind]


def test_identifier_citations_of_preprints_show_them_and_their_published_version_online_and_offline(
    site, fake, services
):
    site.bib("")
    site.page(
        "index.md",
        f"# A\n\nPreprint [@doi:{PREPRINT_DOI}], unpublished [@doi:10.1101/2021.02.02.429999], the article"
        " [@doi:10.1000/journal.2020.1], in PubMed [@pmid:30000002].\n\n::: {#refs}\n:::\n",
    )
    online_html, online_data, offline_html, offline_data = build_both(site, services)
    assert offline_html == online_html
    shown = marks(online_html)
    assert shown == {
        f"doi:{PREPRINT_DOI}": f"Preprint; published as {PUBLISHED_TITLE}",
        "doi:10.1101/2021.02.02.429999": "Preprint",
        "pmid:30000002": "Preprint",
    }  # the journal article, whose record names its own preprint, has no mark
    link = soup(online_html).select_one(".reference-preprint a")
    assert link["href"] == f"https://doi.org/{PUBLISHED_DOI}"
    for data in (online_data, offline_data):
        [finding] = kinds(data, "preprint_published")
        assert PUBLISHED_DOI in finding["message"] and PUBLISHED_TITLE in finding["message"]
        assert finding["file"] == "references.identifiers.json" and finding["line"] >= 1
        sources = {source["key"]: source for source in data["sources"]}
        assert sources[f"doi:{PREPRINT_DOI}"]["preprint"] == {
            "preprint": True,
            "published": [{"doi": PUBLISHED_DOI, "title": PUBLISHED_TITLE}],
        }
        assert sources["doi:10.1000/journal.2020.1"]["preprint"] == {
            "preprint": False,
            "has-preprint": ["10.1101/2019.12.01.000001"],
        }
    frozen = {
        item["id"]: item for item in json.loads((site.root / "references.identifiers.json").read_text(encoding="utf-8"))
    }
    assert frozen[f"doi:{PREPRINT_DOI}"]["factcheck-preprint"]["published"] == [
        {"doi": PUBLISHED_DOI, "title": PUBLISHED_TITLE}
    ]


BIB = rf"""
@misc{{onji2020,
  author       = {{Onji, Mina}},
  title        = {{Interleukin-2 in hepatitis {{B}}, a preprint}},
  year         = {{2020}},
  howpublished = {{bioRxiv}},
  doi          = {{{PREPRINT_DOI}}}
}}
@misc{{onji2020arxiv,
  author        = {{Onji, Mina}},
  title         = {{Interleukin-2 in hepatitis {{B}}, on arXiv}},
  year          = {{2020}},
  eprint        = {{2005.01234}},
  archivePrefix = {{arXiv}},
  doi           = {{{PUBLISHED_DOI}}}
}}
@article{{onji2021,
  author  = {{Onji, Mina}},
  title   = {{{PUBLISHED_TITLE}}},
  journal = {{Hepatology}},
  year    = {{2021}},
  volume  = {{74}},
  pages   = {{1--10}},
  eprint  = {{2005.01234}},
  archivePrefix = {{arXiv}},
  doi     = {{{PUBLISHED_DOI}}}
}}
"""


def test_bibtex_preprints_are_marked_and_their_records_frozen_for_the_offline_build(site, fake, services):
    site.bib(BIB)
    site.page(
        "index.md",
        "# A\n\nOn bioRxiv [@onji2020], on arXiv [@onji2020arxiv], in the journal [@onji2021].\n\n::: {#refs}\n:::\n",
    )
    online_html, online_data, offline_html, offline_data = build_both(site, services)
    assert offline_html == online_html
    assert marks(online_html) == {
        "onji2020": f"Preprint; published as {PUBLISHED_TITLE}",
        "onji2020arxiv": f"Preprint; published as {PUBLISHED_TITLE}",
    }
    for data in (online_data, offline_data):
        found = sorted((f["file"], f["line"]) for f in kinds(data, "preprint_published"))
        assert found == [("references.bib", 1), ("references.bib", 8)]  # the entries' lines
        assert not kinds(data, "missing_field")


@pytest.mark.parametrize(
    ("fields", "preprint"),
    [
        ({"howpublished": "bioRxiv"}, True),
        ({"journal": "arXiv preprint arXiv:2101.01234"}, True),  # Google Scholar's export
        ({"publisher": "Research Square"}, True),
        ({"journal": "SSRN Electronic Journal"}, True),
        ({"pubstate": "prepublished"}, True),
        ({"type": "Preprint"}, True),
        ({"doi": "10.1101/2020.05.01.072876"}, True),
        ({"doi": "https://doi.org/10.48550/arXiv.2101.01234"}, True),
        ({"doi": "10.21203/rs.3.rs-12345/v1"}, True),
        ({"eprint": "2101.01234", "eprinttype": "arxiv"}, True),
        (
            {"eprint": "2101.01234", "eprinttype": "arxiv", "journal": "Phys. Rev. D"},
            False,
        ),  # a journal's article with its arXiv copy
        (
            {"doi": "10.1101/gr.123456.111", "journal": "Genome Research"},
            False,
        ),  # Cold Spring Harbor's journal, same prefix
        ({"journal": "Journal of Hepatology"}, False),
    ],
)
def test_which_entries_are_preprints(fields, preprint):
    assert is_preprint(Entry("misc", fields={"title": "T", **fields})) is preprint


def test_record_relations_and_datacite_related_identifiers():
    assert record_facts(CROSSREF[PREPRINT_DOI]) == (True, [{"doi": PUBLISHED_DOI}], [])
    assert record_facts(CROSSREF[PUBLISHED_DOI]) == (False, [], [PREPRINT_DOI])
    datacite = {
        "types": {"resourceTypeGeneral": "Preprint"},
        "relatedIdentifiers": [
            {"relatedIdentifier": "10.1000/J.1", "relatedIdentifierType": "DOI", "relationType": "IsPreprintOf"}
        ],
    }
    assert record_facts(datacite) == (True, [{"doi": "10.1000/J.1"}], [])


def test_the_mark_escapes_titles_and_links_only_valid_dois():
    html = mark_html([{"doi": "10.1000/x", "title": "<script>x</script>"}, {"doi": "not a doi", "title": "T"}])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<a ") == 1 and 'href="https://doi.org/10.1000/x"' in html


def test_claims_resting_on_a_preprint_carry_it_in_claimreview_and_factcheck_json(site, fake, services):
    site.bib("")
    site.page(
        "index.md",
        f"# A\n\n[Interleukin-2 clears hepatitis B]{{.claim #il2 verdict=supported}} [@doi:{PREPRINT_DOI}].\n",
    )
    online_html, online_data, offline_html, offline_data = build_both(site, services)
    assert offline_html == online_html
    [script] = [s.string for s in soup(online_html).select('script[type="application/ld+json"]')]
    [review] = json.loads(script) if script.strip().startswith("[") else [json.loads(script)]
    [cited] = review["citation"]
    assert cited["creativeWorkStatus"] == "Preprint" and cited["url"] == f"https://doi.org/{PREPRINT_DOI}"
    assert cited["workExample"] == [
        {
            "@type": "ScholarlyArticle",
            "creativeWorkStatus": "Published",
            "url": f"https://doi.org/{PUBLISHED_DOI}",
            "name": PUBLISHED_TITLE,
        }
    ]
    for data in (online_data, offline_data):
        [claim] = data["claims"]
        assert claim["preprints"] == [
            {
                "key": f"doi:{PREPRINT_DOI}",
                "title": "Interleukin-2 in hepatitis B, a preprint",
                "url": f"https://doi.org/{PREPRINT_DOI}",
                "published": [{"doi": PUBLISHED_DOI, "title": PUBLISHED_TITLE}],
            }
        ]
