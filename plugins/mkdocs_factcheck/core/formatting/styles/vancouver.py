"""The Vancouver style (ICMJE / NLM "Citing Medicine") as a pybtex formatting style.

    Onji M, Kondoh H, Horiike N, Yamaguchi S, Ogawa Y, Kumon I, et al. Effect of ... Gut.
    1987 Dec;28(12):1648-52.

Authors are listed as family name and initials without full stops, six at most and then "et al.";
page ranges drop the repeated leading digits; the journal is printed as the entry gives it.
"""

from __future__ import annotations

import re

from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

from mkdocs_factcheck.core.formatting.pybtex_entries import decode
from mkdocs_factcheck.core.formatting.pybtex_formatter import latex_to_text, plain

MAX_AUTHORS = 6
MONTHS = {
    "jan": "Jan", "feb": "Feb", "mar": "Mar", "apr": "Apr", "may": "May", "jun": "Jun",
    "jul": "Jul", "aug": "Aug", "sep": "Sep", "oct": "Oct", "nov": "Nov", "dec": "Dec",
}  # fmt: skip


def _latex(value: str) -> Text:
    return decode(value) if value else Text()


def _plain(value: str) -> str:
    return latex_to_text(value) if value else ""


def person_name(person) -> str:
    family = " ".join(_plain(part) for part in person.prelast_names + person.last_names)
    initials = "".join(_plain(name)[:1].upper() for name in person.first_names + person.middle_names if _plain(name))
    suffix = " ".join(_plain(part) for part in person.lineage_names)
    return " ".join(part for part in (family, initials, suffix) if part)


def names(persons) -> str:
    real = [p for p in persons if str(p) != "others"]
    others = len(real) < len(persons)
    shown = [person_name(p) for p in real[:MAX_AUTHORS]]
    text = ", ".join(shown)
    if others or len(real) > MAX_AUTHORS:
        text += ", et al"
    return text


def short_pages(pages: str) -> str:
    """1648--1652 reads 1648-52; S73--S78 reads S73-8."""
    parts = re.split(r"\s*-+\s*|\u2013", pages.strip())
    if len(parts) != 2:
        return pages.strip()
    first, last = parts
    prefix = re.match(r"^[A-Za-z]*", first).group()  # type: ignore[union-attr]
    if last.startswith(prefix):
        first_digits, last_digits = first[len(prefix) :], last[len(prefix) :]
        if first_digits.isdigit() and last_digits.isdigit() and len(first_digits) == len(last_digits):
            common = 0
            while common < len(first_digits) - 1 and first_digits[common] == last_digits[common]:
                common += 1
            return f"{first}-{last_digits[common:]}"
    return f"{first}-{last}"


def sentence(text: Text | str) -> Text:
    text = Text(text) if isinstance(text, str) else text
    shown = plain(text).rstrip()
    if not shown:
        return Text()
    return text if shown.endswith((".", "?", "!")) else text + "."


class Style(BaseStyle):
    default_sorting_style = "none"  # Vancouver numbers references in the order they are cited

    def format_entry(self, label, entry, bib_data=None):
        fields = entry.fields
        kind = entry.type.lower()
        parts: list[Text] = []
        people = entry.persons.get("author") or entry.persons.get("editor")
        if people:
            who = names(people)
            if "author" not in entry.persons:
                who += ", editor" + ("s" if len(people) > 1 else "")
            parts.append(sentence(who))
        elif fields.get("organization") or fields.get("institution"):
            parts.append(sentence(_latex(fields.get("organization") or fields.get("institution", ""))))
        title = _latex(fields.get("title", ""))
        if kind == "article":
            parts.append(sentence(title))
            parts.append(sentence(_latex(fields.get("journal", ""))))
            parts.append(self._article_issue(fields))
        elif kind in ("book", "booklet", "manual", "proceedings"):
            parts.append(sentence(Tag("em", title) if title else title))
            if fields.get("edition"):
                parts.append(sentence(_latex(fields["edition"]) + " ed"))
            parts.append(self._publisher(fields))
        elif kind in ("incollection", "inproceedings", "inbook", "conference"):
            parts.append(sentence(title))
            container = _latex(fields.get("booktitle", ""))
            editors = entry.persons.get("editor")
            if editors:
                parts.append(
                    Text("In: ", names(editors), ", editor" + ("s" if len(editors) > 1 else "") + ". ")
                    + sentence(container)
                )
            elif container:
                parts.append(Text("In: ") + sentence(container))
            parts.append(self._publisher(fields, pages=fields.get("pages", "")))
        elif kind in ("phdthesis", "mastersthesis"):
            parts.append(sentence(title + " [dissertation]"))
            parts.append(self._publisher(fields, publisher_field="school"))
        elif kind == "techreport":
            parts.append(sentence(title))
            parts.append(self._publisher(fields, publisher_field="institution"))
        else:  # misc, online, unpublished, and anything else
            parts.append(sentence(title + " [Internet]" if title else title))
            if fields.get("howpublished"):
                parts.append(sentence(_latex(fields["howpublished"])))
            if fields.get("publisher"):
                parts.append(sentence(_latex(fields["publisher"])))
            if fields.get("year"):
                parts.append(sentence(self._date(fields)))
        if fields.get("note"):
            parts.append(sentence(_latex(fields["note"])))
        text = Text()
        for part in parts:
            if plain(part).strip():
                text = text + (" " if len(text) else "") + part
        return FormattedEntry(entry.key, text, label)

    @staticmethod
    def _date(fields) -> str:
        year = _plain(fields.get("year", ""))
        month = MONTHS.get(fields.get("month", "").strip().lower()[:3], "")
        return f"{year} {month}".strip()

    def _article_issue(self, fields) -> Text:
        text = self._date(fields)
        volume, number, pages = fields.get("volume", ""), fields.get("number", ""), fields.get("pages", "")
        if volume or number:
            text += ";" + _plain(volume)
            if number:
                text += f"({_plain(number)})"
        if pages:
            text += ":" + short_pages(_plain(pages))
        return sentence(text)

    def _publisher(self, fields, pages: str = "", publisher_field: str = "publisher") -> Text:
        place, publisher = _plain(fields.get("address", "")), _plain(fields.get(publisher_field, ""))
        text = f"{place}: {publisher}" if place and publisher else (publisher or place)
        year = self._date(fields)
        if year:
            text = f"{text}; {year}" if text else year
        if pages:
            text += f". p. {short_pages(_plain(pages))}"
        return sentence(text)
