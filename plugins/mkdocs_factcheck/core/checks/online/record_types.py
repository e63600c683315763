"""The type of a work as each agency writes it, as CSL's item type (which core/csl_bibliography.py maps
to BibTeX's): Crossref's own types (content negotiation often answers them instead of CSL's),
DataCite's `resourceTypeGeneral`, NCBI's document and publication types.

The mappings follow the CSL 1.0.2 schema's types and what citation.js, Zotero's Crossref and DataCite
translators and pandoc make of the same records; a type none of them knows is a CSL `document`.
"""

from __future__ import annotations

# CSL 1.0.2's item types: a record already typed so is kept as it is.
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage",
}  # fmt: skip
# Crossref's types (api.crossref.org/types) that are not CSL's, or mean something else there.
CROSSREF_TYPES = {
    "journal-article": "article-journal", "journal-issue": "periodical", "journal-volume": "periodical",
    "journal": "periodical", "book-chapter": "chapter", "book-section": "chapter", "book-part": "chapter",
    "book-track": "chapter", "reference-entry": "entry-encyclopedia", "book": "book", "monograph": "book",
    "edited-book": "book", "reference-book": "book", "book-set": "book", "book-series": "book",
    "proceedings-article": "paper-conference", "proceedings": "book", "proceedings-series": "book",
    "posted-content": "article", "dissertation": "thesis", "report": "report", "report-component": "report",
    "report-series": "report", "dataset": "dataset", "database": "dataset", "component": "document",
    "standard": "standard", "peer-review": "review", "grant": "document", "other": "document",
}  # fmt: skip
# DataCite's resourceTypeGeneral (schema 4.5).
DATACITE_TYPES = {
    "audiovisual": "motion_picture", "award": "document", "book": "book", "bookchapter": "chapter",
    "collection": "collection", "computationalnotebook": "software", "conferencepaper": "paper-conference",
    "conferenceproceeding": "book", "datapaper": "article-journal", "dataset": "dataset",
    "dissertation": "thesis", "event": "event", "image": "graphic", "instrument": "document",
    "interactiveresource": "webpage", "journal": "periodical", "journalarticle": "article-journal",
    "model": "document", "outputmanagementplan": "document", "peerreview": "review",
    "physicalobject": "document", "preprint": "article", "project": "document", "report": "report",
    "service": "webpage", "software": "software", "sound": "song", "standard": "standard",
    "studyregistration": "document", "text": "document", "workflow": "software", "other": "document",
}  # fmt: skip
# NCBI publication types (esummary's `pubtype`) that make a PubMed record other than a journal article.
PUBMED_TYPES = {"preprint": "article", "dataset": "dataset", "patent": "patent"}
PUBMED_DOCTYPES = {"book": "book", "chapter": "chapter"}  # esummary's `doctype` (NCBI Bookshelf records)


def csl_type(record: dict) -> str:
    """The CSL type of a record as an agency sends it (content negotiation's CSL-JSON, whatever the
    agency): its `type` if it is CSL's, else Crossref's or DataCite's type mapped, else `document`;
    a record without any type is taken for a journal article, as the identifiers' resolvers mean it."""
    written = str(record.get("type") or "").strip().lower()
    types = record.get("types")
    general = str(
        (types.get("resourceTypeGeneral") if isinstance(types, dict) else record.get("resourceTypeGeneral")) or ""
    ).lower()
    if general in DATACITE_TYPES and written in ("", "article", "document"):
        return DATACITE_TYPES[general]  # DataCite's generic CSL type for what its own type says better
    if written in CSL_TYPES:
        return written
    if written in CROSSREF_TYPES:
        return CROSSREF_TYPES[written]
    if written:
        return DATACITE_TYPES.get(written.replace("-", "").replace("_", ""), "document")
    return "article-journal"


def pubmed_type(summary: dict) -> str:
    """The CSL type of an esummary document: a Bookshelf book or chapter, a preprint, else an article."""
    doctype = str(summary.get("doctype") or "").lower()
    if doctype in PUBMED_DOCTYPES:
        return PUBMED_DOCTYPES[doctype]
    kinds = {str(kind).lower() for kind in summary.get("pubtype") or []}
    return next((PUBMED_TYPES[kind] for kind in sorted(kinds) if kind in PUBMED_TYPES), "article-journal")
