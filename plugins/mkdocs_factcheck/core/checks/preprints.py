"""Preprints among the cited sources: which sources are preprints, what the records say of their
peer-reviewed versions, and the mark readers see ("Preprint", "Preprint; published as ...").

A source is a preprint when its record says so (Crossref's `posted-content` with `subtype: preprint`,
DataCite's `Preprint`, PubMed's publication type), when it comes from a preprint server (arXiv, bioRxiv,
medRxiv, Research Square, SSRN and the like, by name or by the DOI prefix the server registers), or
when its entry is marked so (BibLaTeX's `pubstate = {prepublished}`, `type = {Preprint}`).
"""

from __future__ import annotations

import re
from html import escape

from pybtex.database import Entry

from mkdocs_factcheck.core.bibliography.identifiers import Identifier, normalise_doi

PREPRINT_FIELD = "factcheck-preprint"  # ours, in the identifiers file: {"published": [{"doi", "title"}]}
HAS_PREPRINT_FIELD = "factcheck-has-preprint"  # ours: the preprints of a cited article (recorded, not shown)
SERVERS = re.compile(
    r"\b(?:arxiv|biorxiv|medrxiv|research\s+square|ssrn|chemrxiv|psyarxiv|socarxiv|eartharxiv|techrxiv|"
    r"osf\s+preprints|preprints\.org|authorea\s+preprints|sportrxiv|edarxiv)\b",
    re.IGNORECASE,
)
# DOI prefixes (and suffix shapes) that preprint servers register: bioRxiv and medRxiv share 10.1101
# with Cold Spring Harbor's journals, whose suffixes are not dates or bare numbers.
DOI_PREFIXES = re.compile(
    r"^10\.(?:48550/arxiv\.|1101/(?:\d{4}\.\d{2}\.\d{2}\.)?\d{6,}(?:v\d+)?$|21203/rs\.|2139/ssrn\.|26434/chemrxiv|"
    r"31234/osf\.io/|31219/osf\.io/|31235/osf\.io/|20944/preprints|36227/techrxiv|22541/au\.|51224/srxiv)",
    re.IGNORECASE,
)
# Fields of an entry that name where it appeared: a preprint server there makes it a preprint.
VENUE_FIELDS = (
    "journal",
    "journaltitle",
    "howpublished",
    "publisher",
    "organization",
    "institution",
    "eprinttype",
    "archiveprefix",
)
MARKED = re.compile(r"^\s*(?:pre-?published|preprint)\s*$", re.IGNORECASE)


def is_preprint(entry: Entry) -> bool:
    """Whether an entry (a BibTeX one, or a record read as one) is a preprint."""
    fields = entry.fields
    if any(MARKED.match(fields.get(name, "")) for name in ("pubstate", "type", "entrysubtype")):
        return True
    venues = " ".join(fields.get(name, "") for name in VENUE_FIELDS if name not in ("eprinttype", "archiveprefix"))
    if SERVERS.search(venues):
        return True
    if (
        fields.get("eprint")
        and (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower() == "arxiv"
    ):
        return not (
            fields.get("journal") or fields.get("journaltitle")
        )  # a journal's article with its arXiv copy is no preprint
    return bool(DOI_PREFIXES.match(normalise_doi(fields.get("doi", ""))))


def record_facts(record: dict) -> tuple[bool, list[dict], list[str]]:
    """What an agency's record says: whether it is a preprint, its published versions (Crossref's
    `relation.is-preprint-of`, DataCite's `IsPreprintOf`) as [{"doi"}], and the DOIs of its preprints
    (`has-preprint`, `HasPreprint`)."""
    subtype = str(record.get("subtype") or "").lower()
    types = record.get("types")
    general = str(
        (types.get("resourceTypeGeneral") if isinstance(types, dict) else "") or record.get("type") or ""
    ).lower()
    preprint = subtype == "preprint" or general == "preprint"
    published: list[str] = []
    preprints: list[str] = []
    into = {"is-preprint-of": published, "ispreprintof": published, "has-preprint": preprints, "haspreprint": preprints}
    relations = record.get("relation")
    named: list[
        tuple[object, object]
    ] = []  # (relation, DOI), from Crossref's `relation` and DataCite's `relatedIdentifiers`
    for name, targets in relations.items() if isinstance(relations, dict) else []:
        for target in targets if isinstance(targets, list) else []:
            if isinstance(target, dict) and str(target.get("id-type", "doi")).lower() == "doi":
                named.append((name, target.get("id")))
    for related in record.get("relatedIdentifiers") or []:
        if isinstance(related, dict) and str(related.get("relatedIdentifierType", "")).upper() == "DOI":
            named.append((related.get("relationType"), related.get("relatedIdentifier")))
    for name, doi in named:
        if str(name).lower() in into and isinstance(doi, str) and doi.strip():
            into[str(name).lower()].append(normalise_doi(doi))
    published = list(dict.fromkeys(published))
    return preprint or bool(published), [{"doi": doi} for doi in published], list(dict.fromkeys(preprints))


def arxiv_journal_doi(entry: Entry) -> str:
    """The journal DOI an arXiv entry gives (arXiv's own `doi` field, as its BibTeX export writes it)."""
    fields = entry.fields
    doi = normalise_doi(fields.get("doi", ""))
    arxiv = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower() == "arxiv"
    in_journal = fields.get("journal") or fields.get("journaltitle")  # then the entry is that version
    return doi if arxiv and fields.get("eprint") and doi and not in_journal and not DOI_PREFIXES.match(doi) else ""


def published_versions(item: dict) -> list[dict]:
    """The published versions an identifiers file's item records, each {"doi", "title"?}."""
    facts = item.get(PREPRINT_FIELD)
    versions = facts.get("published") if isinstance(facts, dict) else None
    return (
        [v for v in versions if isinstance(v, dict) and isinstance(v.get("doi"), str) and v["doi"]]
        if isinstance(versions, list)
        else []
    )


def mark_html(published: list[dict], word: str = "Preprint") -> str:
    """The readers' mark: `Preprint`, or `Preprint; published as <a>its title</a>` (a link to its DOI)."""
    links = []
    for version in published:
        href = Identifier("doi", version["doi"], "doi").href
        shown = escape(str(version.get("title") or f"doi:{version['doi']}"))
        links.append(f'<a href="{escape(href, quote=True)}">{shown}</a>' if href else shown)
    published_as = f"; published as {', '.join(links)}" if links else ""
    return f'<span class="reference-status reference-preprint">{escape(word)}{published_as}</span>'


def finding_text(key: str, published: list[dict]) -> str:
    versions = ", ".join(f"doi:{v['doi']}" + (f" ('{v['title']}')" if v.get("title") else "") for v in published)
    return f"entry '{key}' is a preprint; a peer-reviewed version has been published: {versions}"
