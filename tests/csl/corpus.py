"""A generated corpus for the CSL differential test: BibTeX entries of every common type, and citation
groups of every form. Seeded: the same corpus every run, so that the disagreements list stays exact.
Every entry and name is made up here."""

from __future__ import annotations

import random

FAMILIES = [
    "Onji",
    "Kondoh",
    "Rosenberg",
    "Atkins",
    "Fyfe",
    "Smith",
    "Nakamura",
    "Okafor",
    "Müller",
    "Ødegaard",
    "García",
    "Li",
    "Dubois",
    "Kowalski",
]
GIVEN = [
    "Makoto",
    "Hiroshi",
    "Steven A.",
    "Michael B.",
    "Gisela",
    "Anna",
    "Jean-Luc",
    "Wei",
    "Chinedu",
    "Maria José",
    "J. R. R.",
]
PARTICLES = ["von", "van der", "de la", "di"]
SUFFIXES = ["Jr.", "III", "Sr."]
GROUPS = ["{World Health Organization}", "{National Cancer Institute}", "{The IL-2 Trialists' Group}"]
TITLE_WORDS = [
    "interleukin-2",
    "therapy",
    "in",
    "metastatic",
    "renal",
    "cell",
    "carcinoma",
    "of",
    "the",
    "response",
    "{T}",
    "cells",
    "{DNA}",
    "dose",
    "and",
    "survival",
    "a",
    "review",
    "high-dose",
    "melanoma",
]
TITLE_WORDS += [r"{\"U}bergewicht", r"{\'E}tudes", r"{\AE}sthetic"]  # braced special letters: pandoc keeps their case
JOURNALS = ["J Clin Oncol", "N Engl J Med", "Journal of Immunology", "Cancer Res", "The Lancet"]
PUBLISHERS = [("Springer", "Berlin"), ("Oxford University Press", "Oxford"), ("Elsevier", "Amsterdam")]
TYPES = [
    "article",
    "article",
    "article",
    "book",
    "incollection",
    "inproceedings",
    "phdthesis",
    "mastersthesis",
    "techreport",
    "misc",
    "online",
    "inbook",
    "unpublished",
]


def person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(GROUPS)
    family = rng.choice(FAMILIES)
    given = rng.choice(GIVEN)
    if roll < 0.2:
        return f"{rng.choice(PARTICLES)} {family}, {given}"
    if roll < 0.28:
        return f"{family}, {rng.choice(SUFFIXES)}, {given}"
    if roll < 0.35:
        return f"{given} {family}"  # First Last order
    return f"{family}, {given}"


def title(rng: random.Random) -> str:
    words = [rng.choice(TITLE_WORDS) for _ in range(rng.randint(3, 10))]
    words[0] = words[0][:1].upper() + words[0][1:]
    text = " ".join(words)
    if rng.random() < 0.15:
        text += r": the \emph{in vivo} view"
    if rng.random() < 0.1:
        text = text.replace("the", r"th{\'e}", 1)
    return text


def entry(rng: random.Random, key: str, authors: str | None = None, year: str | None = None) -> str:
    kind = rng.choice(TYPES)
    fields: dict[str, str] = {}
    count = 1 if rng.random() < 0.3 else rng.choice([2, 3, 4, 5, 6, 7, 8, 12, 20, 30])
    fields["author"] = authors or " and ".join(person(rng) for _ in range(count))
    fields["title"] = title(rng)
    if year is None and rng.random() > 0.08:  # some entries have no date
        year = str(rng.randint(1975, 2024))
    if year:
        fields["year"] = year
    if kind == "article":
        fields["journal"] = rng.choice(JOURNALS)
        fields["volume"] = str(rng.randint(1, 400))
        if rng.random() < 0.6:
            fields["number"] = str(rng.randint(1, 12))
        first = rng.randint(1, 3000)
        fields["pages"] = f"{first}--{first + rng.randint(1, 30)}"
        if rng.random() < 0.5:
            fields["doi"] = f"10.{rng.randint(1000, 9999)}/x{rng.randint(10000, 99999)}"
    elif kind in ("book", "inbook", "incollection"):
        publisher, place = rng.choice(PUBLISHERS)
        fields["publisher"] = publisher
        fields["address"] = place
        if kind != "book":
            fields["booktitle"] = title(rng)
            fields["editor"] = " and ".join(person(rng) for _ in range(rng.randint(1, 3)))
            fields["pages"] = f"{rng.randint(1, 200)}--{rng.randint(201, 400)}"
        if rng.random() < 0.3:
            fields["edition"] = str(rng.randint(2, 5))
    elif kind == "inproceedings":
        fields["booktitle"] = "Proceedings of the " + title(rng)
        fields["pages"] = f"{rng.randint(1, 99)}--{rng.randint(100, 199)}"
    elif kind in ("phdthesis", "mastersthesis"):
        fields["school"] = "University of " + rng.choice(["Tokyo", "Oslo", "Lagos", "Lyon"])
    elif kind == "techreport":
        fields["institution"] = rng.choice(["National Cancer Institute", "RAND"])
        fields["number"] = f"TR-{rng.randint(1, 99)}"
    elif kind in ("misc", "online"):
        fields["url"] = f"https://example.org/{key}"
        if kind == "online":
            fields["urldate"] = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    elif kind == "unpublished":
        fields["note"] = "Manuscript in preparation"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}\n"


def biblatex_entry(rng: random.Random, key: str) -> str:
    """An entry as Zotero's Better BibTeX and other BibLaTeX exports write them: `date`, `journaltitle`,
    `subtitle`, `@thesis` with `institution`, `location`, `eprinttype`, a bare month macro."""
    authors = " and ".join(person(rng) for _ in range(rng.randint(1, 4)))
    date = f"{rng.randint(1980, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(10, 28)}"
    kind = rng.choice(["article", "thesis", "report", "pubmed", "book"])
    if kind == "article":
        fields = (
            f"journaltitle = {{{rng.choice(JOURNALS)}}}, date = {{{date}}}, subtitle = {{A {rng.choice(TITLE_WORDS)}"
            f" study}}, volume = {{{rng.randint(1, 99)}}}"
        )
    elif kind == "thesis":
        fields = (
            f"type = {{phdthesis}}, institution = {{University of {rng.choice(['Bergen', 'Kyoto', 'Leeds'])}}}, date ="
            f" {{{date[:4]}}}"
        )
        return f"@thesis{{{key},\n  author = {{{authors}}},\n  title = {{{title(rng)}}},\n  {fields}\n}}\n"
    elif kind == "report":
        fields = (
            f"institution = {{World Health Organization}}, number = {{WHO-{rng.randint(1, 99)}}}, year ="
            f" {{{date[:4]}}}, month = {rng.choice(['jan', 'mar', 'sep', 'dec'])}"
        )
        return f"@report{{{key},\n  author = {{{authors}}},\n  title = {{{title(rng)}}},\n  {fields}\n}}\n"
    elif kind == "pubmed":
        fields = (
            f"journal = {{{rng.choice(JOURNALS)}}}, year = {{{date[:4]}}}, eprinttype = {{pubmed}}, eprint ="
            f" {{{rng.randint(10000000, 39999999)}}}"
        )
    else:
        fields = (
            f"publisher = {{Springer}}, location = {{Berlin}}, subtitle = {{Methods and {rng.choice(TITLE_WORDS)}}},"
            f" date = {{{date[:4]}}}"
        )
        return f"@book{{{key},\n  author = {{{authors}}},\n  title = {{{title(rng)}}},\n  {fields}\n}}\n"
    return f"@article{{{key},\n  author = {{{authors}}},\n  title = {{{title(rng)}}},\n  {fields}\n}}\n"


def bibliography(seed: int = 14, size: int = 240) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    texts, keys = [], []
    for index in range(size):
        key = f"e{index:03d}"
        if index % 20 == 1:  # same authors, same year as the entry before: "1987a", "1987b"
            previous = texts[-1]
            authors = previous.split("author = {", 1)[1].split("},\n", 1)[0]
            year = previous.split("year = {", 1)[1].split("}", 1)[0] if "year = {" in previous else "1987"
            texts.append(entry(rng, key, authors, year))
        else:
            texts.append(entry(rng, key))
        keys.append(key)
    for index in range(size // 10):
        key = f"b{index:03d}"
        texts.append(biblatex_entry(rng, key))
        keys.append(key)
    return "".join(texts), keys


PREFIXES = ["see", "cf.", "e.g.,", "see also"]
LOCATORS = ["p. 3", "pp. 33-35", "chap. 2", "sec. 4", "fig. 1", "p. 12 and elsewhere", "p. *7*", "pp. **3-5**"]


def groups(keys: list[str], seed: int = 15, count: int = 160) -> list[str]:
    """Citation groups as Markdown, one per paragraph."""
    rng = random.Random(seed)
    written = []
    for _ in range(count):
        roll = rng.random()
        chosen = rng.sample(keys, rng.choice([1, 1, 1, 2, 2, 3, 4]))
        if roll < 0.15:  # narrative, with a locator or not
            locator = f" [{rng.choice(LOCATORS)}]" if rng.random() < 0.5 else ""
            written.append(f"As @{chosen[0]}{locator} shows.")
            continue
        cites = []
        for key in chosen:
            part = f"@{key}"
            if rng.random() < 0.15:
                part = "-" + part
            if rng.random() < 0.25:
                part = f"{rng.choice(PREFIXES)} {part}"
            if rng.random() < 0.3:
                part += f", {rng.choice(LOCATORS)}"
            elif rng.random() < 0.1:  # a suffix without a comma: the style adds none
                part += f" {rng.choice(['and elsewhere', 'for a review', 'p. 7'])}"
            cites.append(part)
        written.append(f"Text [{'; '.join(cites)}].")
    return written
