"""BibLaTeX data (what Zotero's Better BibTeX and many labs export) read as its BibTeX equivalent, so that
BibTeX styles format it and the checks find what they look for: `date` gives `year` and `month`,
`journaltitle` gives `journal`, `@online` is a `misc`, `@report` a `techreport`, and so on."""

from __future__ import annotations

import re

from pybtex.database import Entry

# BibLaTeX entry types (and common aliases) by the BibTeX type styles know them as.
BIBTEX_TYPES = {
    "online": "misc", "www": "misc", "webpage": "misc", "electronic": "misc", "software": "misc", "dataset": "misc",
    "patent": "misc", "artwork": "misc", "audio": "misc", "image": "misc", "movie": "misc", "music": "misc",
    "video": "misc", "performance": "misc", "standard": "misc", "letter": "misc", "legislation": "misc",
    "jurisdiction": "misc", "legal": "misc", "set": "misc", "periodical": "misc", "misc": "misc",
    "report": "techreport", "thesis": "phdthesis", "masterthesis": "mastersthesis",
    "mvbook": "book", "collection": "book", "mvcollection": "book", "reference": "book", "mvreference": "book",
    "bookinbook": "inbook", "suppbook": "inbook",
    "inreference": "incollection", "suppcollection": "incollection",
    "mvproceedings": "proceedings", "conference": "inproceedings",
    "review": "article", "suppperiodical": "article",
}  # fmt: skip
THESIS_KINDS = {
    "mathesis": "mastersthesis",
    "masterthesis": "mastersthesis",
    "mastersthesis": "mastersthesis",
    "phdthesis": "phdthesis",
}
# `type` values that are BibLaTeX keys, not words to print ("PhD thesis" is the style's own).
TYPE_KEYS = {"phdthesis", "mathesis", "masterthesis", "mastersthesis", "techreport", "resreport", "candthesis"}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# An ISO 8601 date of BibLaTeX's `date` (2001, 2001-05, 2001-05-03, with `~`, `?` or `%` for uncertain),
# or a range of two (`2001/2003`, `2001-05/`).
ISO_DATE = re.compile(
    r"^\s*(?P<year>-?\d{4})(?:-(?P<month>\d{2}))?(?:-\d{2})?(?:T[\d:+Z.-]*)?[~?%]?\s*(?:/\s*(?:(?P<end>\d{4})[\d:T+Z.~?%-]*)?)?\s*$"
)
# Fields whose BibLaTeX name has a BibTeX equivalent that styles and checks read.
FIELD_ALIASES = {"journaltitle": "journal", "location": "address"}
# `eprinttype` (or BibTeX's `archivePrefix`) values whose identifier lives in a field of its own here.
EPRINT_FIELDS = {"pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}
EPRINT_URLS = {
    "jstor": "https://www.jstor.org/stable/{}",
    "hdl": "https://hdl.handle.net/{}",
    "handle": "https://hdl.handle.net/{}",
}


def bibtex_type(entry: Entry) -> str:
    """The BibTeX type a style formats the entry as (`@thesis` by its `type`: PhD or master's)."""
    kind = entry.type.lower()
    if kind == "thesis":
        return THESIS_KINDS.get(
            entry.fields.get("type", "").strip().lower().replace("'", "").replace(" ", ""), "phdthesis"
        )
    kind = BIBTEX_TYPES.get(kind, kind)
    if kind == "inbook" and entry.fields.get("booktitle", entry.fields.get("title")) != entry.fields.get("title"):
        return "incollection"  # BibLaTeX's @inbook titles its part and names its book: BibTeX's incollection
    return kind


def to_bibtex_fields(entry: Entry) -> None:
    """Add to the entry's fields the BibTeX fields its BibLaTeX ones stand for, when it lacks them. The
    BibLaTeX fields stay: nothing of the entry is lost, and a BibLaTeX style could read them. What it
    changed is kept in `written_fields(entry)`, for a reader of BibLaTeX itself (pandoc)."""
    fields = entry.fields
    before = dict(fields)
    for biblatex_name, bibtex_name in FIELD_ALIASES.items():
        if biblatex_name in fields and bibtex_name not in fields:
            fields[bibtex_name] = fields[biblatex_name]
    if "date" in fields and "year" not in fields:
        year, month = date_parts(fields["date"])
        if year:
            fields["year"] = year
            if month and "month" not in fields:
                fields["month"] = month
    if "subtitle" in fields and "title" in fields:
        fields["title"] = f"{fields['title']}: {fields['subtitle']}"  # BibTeX styles print no subtitle
    if (
        entry.type.lower() in ("thesis", "mastersthesis", "phdthesis")
        and "school" not in fields
        and "institution" in fields
    ):
        fields["school"] = fields["institution"]
    _eprint(fields)
    if len(fields) != len(before) or fields.get("title") != before.get("title"):
        entry.factcheck_written = before  # type: ignore[attr-defined]


def written_fields(entry: Entry):
    """The entry's fields as its file writes them, before `to_bibtex_fields` (macros expanded)."""
    return getattr(entry, "factcheck_written", None) or entry.fields


def date_parts(value: str) -> tuple[str, str]:
    """Year and month name of a BibLaTeX `date` ("2001--2003" for a range of years); ("", "") when it
    is not an ISO date (then the entry has no year, and the checks say so)."""
    match = ISO_DATE.match(value)
    if not match:
        return "", ""
    year = match["year"]
    if match["end"] and match["end"] != year:
        return f"{year}--{match['end']}", ""
    month = int(match["month"]) if match["month"] else 0
    return year, MONTH_NAMES[month - 1] if 1 <= month <= 12 else ""


def _eprint(fields) -> None:
    eprint = fields.get("eprint", "").strip()
    kind = (
        (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    )  # pybtex's fields ignore case
    if not eprint or not kind:
        return
    target = EPRINT_FIELDS.get(kind)
    if target and target not in fields:
        fields[target] = eprint
    elif kind in EPRINT_URLS and "url" not in fields:
        fields["url"] = EPRINT_URLS[kind].format(eprint)
