"""Records in the shapes the agencies send them today (written for these tests after their documentation
and replies): Crossref's content negotiation answering its own types (`journal-article`,
`book-chapter`, `posted-content` with `subtype: preprint` and `relation`), DataCite's CSL-JSON for
Zenodo and figshare DOIs (`article`, `dataset`), NCBI esummary for a Bookshelf chapter and a preprint."""

from __future__ import annotations

PUBLISHED_DOI = "10.1000/published.2021.7"
PREPRINT_DOI = "10.1101/2020.05.01.072876"

CROSSREF = {
    "10.1000/journal.2020.1": {
        "type": "journal-article",
        "DOI": "10.1000/journal.2020.1",
        "source": "Crossref",
        "publisher": "Elsevier BV",
        "title": "Interleukin-2 in hepatitis B",
        "container-title": "Journal of Hepatology",
        "container-title-short": "J Hepatol",
        "ISSN": ["0168-8278", "1600-0641"],
        "volume": "72",
        "issue": "3",
        "page": "401-409",
        "author": [{"given": "Mina", "family": "Onji", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2020, 3]]},
        "published-print": {"date-parts": [[2020, 3]]},
        "relation": {"has-preprint": [{"id-type": "doi", "id": "10.1101/2019.12.01.000001", "asserted-by": "object"}]},
    },
    "10.1000/chapter.2019.4": {
        "type": "book-chapter",
        "DOI": "10.1000/chapter.2019.4",
        "publisher": "Springer International Publishing",
        "publisher-place": "Cham",
        "title": "Cytokines in the liver",
        "container-title": "Handbook of Hepatology",
        "ISBN": ["9783030000004", "9783030000011"],
        "page": "55-80",
        "author": [{"given": "Hideo", "family": "Kondoh", "sequence": "first", "affiliation": []}],
        "editor": [{"given": "Ann", "family": "Editor", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2019]]},
    },
    "10.1000/proc.2018.9": {
        "type": "proceedings-article",
        "DOI": "10.1000/proc.2018.9",
        "publisher": "IEEE",
        "title": "Fast parsing of titles",
        "container-title": "2018 IEEE Conference on Text",
        "event": {"name": "Conference on Text", "location": "Lyon"},
        "page": "12-19",
        "author": [{"given": "Noriko", "family": "Horiike", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2018, 6]]},
    },
    PREPRINT_DOI: {
        "type": "posted-content",
        "subtype": "preprint",
        "DOI": PREPRINT_DOI,
        "source": "Crossref",
        "publisher": "Cold Spring Harbor Laboratory",
        "institution": [{"name": "bioRxiv"}],
        "group-title": "Immunology",
        "title": "Interleukin-2 in hepatitis B, a preprint",
        "author": [{"given": "Mina", "family": "Onji", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2020, 5, 3]]},
        "posted": {"date-parts": [[2020, 5, 3]]},
        "relation": {"is-preprint-of": [{"id-type": "doi", "id": PUBLISHED_DOI, "asserted-by": "subject"}]},
    },
    "10.1101/2021.02.02.429999": {
        "type": "posted-content",
        "subtype": "preprint",
        "DOI": "10.1101/2021.02.02.429999",
        "publisher": "Cold Spring Harbor Laboratory",
        "institution": [{"name": "medRxiv"}],
        "title": "An unpublished preprint",
        "author": [{"given": "Ken", "family": "Sato", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2021, 2, 4]]},
    },
    PUBLISHED_DOI: {
        "type": "journal-article",
        "DOI": PUBLISHED_DOI,
        "publisher": "Wiley",
        "title": "Interleukin-2 in hepatitis B: a trial",
        "container-title": "Hepatology",
        "volume": "74",
        "issue": "1",
        "page": "1-10",
        "author": [{"given": "Mina", "family": "Onji", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2021, 7]]},
        "relation": {"has-preprint": [{"id-type": "doi", "id": PREPRINT_DOI, "asserted-by": "subject"}]},
    },
    "10.1000/book.2015": {
        "type": "monograph",
        "DOI": "10.1000/book.2015",
        "publisher": "Oxford University Press",
        "publisher-place": "Oxford",
        "title": "The liver",
        "ISBN": ["9780190000004"],
        "author": [{"given": "Ruth", "family": "Baker", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2015]]},
    },
    "10.1000/thesis.2012": {
        "type": "dissertation",
        "DOI": "10.1000/thesis.2012",
        "publisher": "University of Tokyo",
        "title": "Hepatitis in mice",
        "author": [{"given": "Aki", "family": "Mori", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2012]]},
    },
    "10.1000/report.2010": {
        "type": "report",
        "DOI": "10.1000/report.2010",
        "publisher": "World Health Organization",
        "title": "Hepatitis report",
        "author": [{"name": "World Health Organization", "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[2010]]},
        "number": "WHO-2010-1",
    },
}
# DataCite's CSL-JSON (content negotiation for Zenodo and figshare DOIs): `article` for most records.
DATACITE = {
    "10.5281/zenodo.1234567": {
        "type": "article",
        "id": "https://doi.org/10.5281/zenodo.1234567",
        "DOI": "10.5281/zenodo.1234567",
        "URL": "https://zenodo.org/record/1234567",
        "title": "mkdocs-factcheck test data",
        "publisher": "Zenodo",
        "author": [{"family": "Onji", "given": "Mina"}],
        "issued": {"date-parts": [[2022, 1, 5]]},
        "version": "1.0",
    },
    "10.6084/m9.figshare.7654321": {
        "type": "dataset",
        "id": "https://doi.org/10.6084/m9.figshare.7654321",
        "DOI": "10.6084/m9.figshare.7654321",
        "URL": "https://figshare.com/articles/dataset/x/7654321",
        "title": "Liver enzyme measurements",
        "publisher": "figshare",
        "author": [{"family": "Kondoh", "given": "Hideo"}],
        "issued": {"date-parts": [[2019]]},
    },
}
# esummary (db=pubmed): an NCBI Bookshelf chapter and a preprint indexed by PubMed.
SUMMARIES = {
    "30000001": {
        "uid": "30000001",
        "pubdate": "2018",
        "doctype": "chapter",
        "source": "",
        "title": "Hepatitis B",
        "booktitle": "StatPearls",
        "publishername": "StatPearls Publishing",
        "publisherlocation": "Treasure Island (FL)",
        "authors": [{"name": "Tripathi N", "authtype": "Author"}],
        "pubtype": [],
        "articleids": [{"idtype": "pubmed", "value": "30000001"}],
    },
    "30000002": {
        "uid": "30000002",
        "pubdate": "2020 May 3",
        "source": "bioRxiv",
        "fulljournalname": "bioRxiv : the preprint server for biology",
        "title": "Interleukin-2 in hepatitis B, a preprint.",
        "authors": [{"name": "Onji M", "authtype": "Author"}],
        "pubtype": ["Preprint"],
        "articleids": [{"idtype": "pubmed", "value": "30000002"}, {"idtype": "doi", "value": PREPRINT_DOI}],
    },
}
# The BibTeX type each record becomes (what `add` writes and a citation by identifier is read as).
BIBTEX_TYPES = {
    "doi:10.1000/journal.2020.1": "article",
    "doi:10.1000/chapter.2019.4": "incollection",
    "doi:10.1000/proc.2018.9": "inproceedings",
    f"doi:{PREPRINT_DOI}": "misc",
    "doi:10.1101/2021.02.02.429999": "misc",
    "doi:10.1000/book.2015": "book",
    "doi:10.1000/thesis.2012": "phdthesis",
    "doi:10.1000/report.2010": "techreport",
    "doi:10.5281/zenodo.1234567": "misc",
    "doi:10.6084/m9.figshare.7654321": "dataset",
    "pmid:30000001": "incollection",
    "pmid:30000002": "misc",
}


def works_message(record: dict) -> dict:
    """The record as Crossref's REST API (`/works/{doi}`) writes it: titles and containers as lists."""
    message = {
        name: [value] if name in ("title", "container-title") and isinstance(value, str) else value
        for name, value in record.items()
    }
    message["type"] = {"article-journal": "journal-article"}.get(record["type"], record["type"])
    return message
