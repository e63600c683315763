"""Comparing an entry with the record its identifier points to: title, year, first author's family name."""

from __future__ import annotations

import difflib
import re
import unicodedata

from pybtex.database import Entry
from pybtex.exceptions import PybtexError

from mkdocs_factcheck.core.checks.online.title_markup import plain_text
from mkdocs_factcheck.core.field_text import MAX_TEXT
from mkdocs_factcheck.core.formatting.pybtex_formatter import latex_to_text

TITLE_SIMILARITY = 0.85  # normalised titles this close are the same title (punctuation, a typo, a subtitle style)
NAME_SIMILARITY = 0.85


def latex_text(value: str) -> str:
    try:
        return latex_to_text(value)
    except (PybtexError, ValueError):
        return value.replace("{", "").replace("}", "")


def normalise(value: str) -> str:
    """Lower case, accents and markup removed, punctuation to spaces: what two spellings of a title share."""
    value = as_text(value)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", value.lower()))  # Greek letters too: $\sigma$ is σ on both sides


def as_text(value: str) -> str:
    """A Crossref title as text: its JATS/HTML tags (<i>, <sub>) and MathML taken out, not replaced by
    spaces (H<sub>2</sub>O is H2O, as the entry's H$_2$O reads); MathML's annotations (the formula
    again, as TeX) are dropped."""
    return plain_text(value[:MAX_TEXT])  # a record's text is capped before anything reads it


def similar_titles(entry_title: str, record_titles: list[str]) -> bool:
    mine = normalise(latex_text(entry_title))
    if not mine:
        return True
    for title in record_titles:
        theirs = normalise(title)
        if not theirs:
            continue
        if mine == theirs or (len(theirs) > 20 and (mine.startswith(theirs) or theirs.startswith(mine))):
            return True  # with or without the subtitle
        if close(mine, theirs, TITLE_SIMILARITY):
            return True
    return False


def entry_title(entry: Entry) -> str:
    return latex_text(entry.fields.get("title", ""))


def entry_year(entry: Entry) -> int | None:
    match = re.search(r"\d{4}", entry.fields.get("year", "") or entry.fields.get("date", ""))
    return int(match.group()) if match else None


def year_agrees(year: int | None, record_years: list[int]) -> bool:
    """Online-first: the record's print year may be one later (or earlier) than the year cited."""
    if year is None or not record_years:
        return True
    return any(abs(year - other) <= 1 for other in record_years)


def first_family(entry: Entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        return ""
    person = persons[0]
    return latex_text(" ".join(person.prelast_names + person.last_names))


def same_family(mine: str, theirs: str) -> bool:
    a, b = normalise(mine), normalise(theirs)
    if not a or not b:
        return True
    if a == b or a.split()[-1] == b.split()[-1]:
        return True  # "van der Berg" / "Berg", compound names
    return close(a, b, NAME_SIMILARITY)


def close(a: str, b: str, similarity: float) -> bool:
    """difflib's ratio at least `similarity`, its cheap upper bounds asked first: a title of another
    length cannot be close, and is not compared character by character."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= similarity
        and matcher.quick_ratio() >= similarity
        and matcher.ratio() >= similarity
    )


def mismatches(entry: Entry, record: dict, where: str) -> list[str]:
    """Each disagreement between the entry and a record (title, years, family), showing both values."""
    found = []
    title = entry.fields.get("title", "")
    titles = record.get("titles") or []
    if title and titles and not similar_titles(title, titles):
        found.append(f"title '{entry_title(entry)}' in the entry, '{normalise_space(titles[0])}' in {where}")
    year = entry_year(entry)
    years = record.get("years") or []
    if not year_agrees(year, years):
        found.append(f"year {year} in the entry, {', '.join(str(y) for y in sorted(set(years)))} in {where}")
    family = first_family(entry)
    theirs = record.get("family") or ""
    if family and theirs and not same_family(family, theirs):
        found.append(f"first author '{family}' in the entry, '{theirs}' in {where}")
    return found


def normalise_space(value: str) -> str:
    return " ".join(as_text(value).split())
