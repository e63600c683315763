"""Deterministic synthetic sites for the benchmark: the same docs built with and without mkdocs-factcheck.

    python bench/generate.py OUT [--pages 200] [--groups 6000] [--entries 2000] [--cited 2000] [--seed 1]

writes into OUT:

- `docs/`: `pages` pages with headings, paragraphs, lists, tables, fenced and indented code (some holding
  `@` and `[@...]`, which must stay as written), Pandoc citations of every form, and claims with verdicts;
- `references.bib`: `entries` entries (articles, books, web pages) with LaTeX accents, braces, DOIs,
  PMIDs, ISBNs and URLs; the pages cite the first `cited` of them, each at least once;
- `mkdocs.yml` (Material, search and factcheck) and `mkdocs-plain.yml` (Material and search only: the
  citations stay as text), with the same Markdown extensions;
- `identifiers.json`: the metadata of every DOI and PMID, which the local online server answers with.

The same arguments always give the same files (a seeded `random.Random`, no clock, no hash order).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SURNAMES = [
    ('M{\\"u}ller', "Mueller"),
    ("Dupont", "Dupont"),
    ("Stra{\\ss}er", "Strasser"),
    ("Garc{\\'i}a", "Garcia"),
    ("Onji", "Onji"),
    ("Kondoh", "Kondoh"),
    ("{\\O}stergaard", "Ostergaard"),
    ("Nakamura", "Nakamura"),
    ('Bront{\\"e}', "Bronte"),
    ("Smith", "Smith"),
    ("Nguyen", "Nguyen"),
    ("Kowalczyk", "Kowalczyk"),
    ('Sch{\\"o}nberg', "Schonberg"),
    ("Andersson", "Andersson"),
    ("Rossi", "Rossi"),
    ("Fran{\\c{c}}ois", "Francois"),
    ("Rosenberg", "Rosenberg"),
    ("Lotze", "Lotze"),
    ("Atkins", "Atkins"),
    ("Dvo{\\v{r}}{\\'a}k", "Dvorak"),
    ("van der Berg", "Berg"),
    ("de la Cruz", "Cruz"),
    ("O'Brien", "OBrien"),
    ("Petrovi{\\'c}", "Petrovic"),
]
GIVEN = [
    'J{\\"o}rg',
    "Ren{\\'e}",
    "Anna",
    "Hiroshi",
    "Mar{\\'i}a",
    "Steven A.",
    "Michael T.",
    "Ingrid",
    "Luc",
    'Zo{\\"e}',
    "Jos{\\'e} Luis",
    "K.",
]
JOURNALS = [
    "Journal of Immunology",
    "The New England Journal of Medicine",
    "Nature Medicine",
    "Cancer Research",
    "Journal of Clinical Oncology",
    "Blood",
    "The Lancet",
    "Clinical Immunology",
    "Annals of Oncology",
    "Cell",
]
PUBLISHERS = [
    ("Springer", "Berlin"),
    ("Oxford University Press", "Oxford"),
    ("Elsevier", "Amsterdam"),
    ("Wiley-Blackwell", "Hoboken, NJ"),
    ("Cold Spring Harbor Laboratory Press", "New York"),
]
TOPICS = [
    "interleukin-2",
    "T cells",
    "{NK} cells",
    "cytokine release",
    "renal carcinoma",
    "melanoma",
    "{IL-2} receptor",
    "regulatory T cells",
    "vascular leak syndrome",
    "low-dose therapy",
    "autoimmunity",
    "{CD25} expression",
]
TITLE_FORMS = [
    "<topic> in patients with advanced disease: a randomized trial",
    "Effects of <topic> on <topic2>",
    'A {{\\"O}}rebro cohort study of <topic>',
    '<topic> and <topic2>: na{\\"i}ve and memory responses',
    "The r{\\^o}le of <topic> in <topic2>",
    'Long-term follow-up of <topic> -- results from {Stra{\\ss}burg} and {Z{\\"u}rich}',
]
WORDS = (
    "the patients were treated with a regimen that the authors describe in some detail and the "
    "response was assessed by independent reviewers who did not know which arm each patient was in "
    "while the safety data were collected for every cycle of treatment and reported to the board"
).split()
VERDICTS = ["supported", "partly-supported", "unsupported", "contradicted"]


@dataclass
class Entry:
    key: str
    bibtex: str
    doi: str = ""
    pmid: str = ""
    meta: dict = field(default_factory=dict)


def isbn13(rng: random.Random) -> str:
    digits = [9, 7, 8] + [rng.randrange(10) for _ in range(9)]
    check = (10 - sum((1 if i % 2 == 0 else 3) * d for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits + [check]))


def letters(number: int) -> str:
    out = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[rest] + out
    return out


def make_entry(index: int, rng: random.Random) -> Entry:
    surname, ascii_name = SURNAMES[rng.randrange(len(SURNAMES))]
    year = 1975 + rng.randrange(50)
    key = f"{ascii_name.lower()}{year}{letters(index)}"
    count = rng.choice([1, 1, 2, 3, 4, 7])
    people = [f"{SURNAMES[rng.randrange(len(SURNAMES))][0]}, {rng.choice(GIVEN)}" for _ in range(count - 1)]
    authors = " and ".join([f"{surname}, {rng.choice(GIVEN)}", *people] + (["others"] if count >= 7 else []))
    topic, topic2 = rng.choice(TOPICS), rng.choice(TOPICS)
    first = topic[0].upper() + topic[1:] if not topic.startswith("{") else topic
    title = rng.choice(TITLE_FORMS).replace("<topic>", first).replace("<topic2>", topic2)
    kind = index % 20
    if kind < 13:  # article: DOI always, PMID on 7 in 13 (2,000 identifiers per 2,000 entries)
        journal = rng.choice(JOURNALS)
        doi = f"10.{1000 + index % 9000}/bench.{year}.{index:06d}"
        pmid = str(1000000 + index * 7) if kind < 7 else ""
        fields = {
            "author": authors,
            "title": title,
            "journal": journal,
            "year": str(year),
            "volume": str(1 + rng.randrange(120)),
            "number": str(1 + rng.randrange(12)),
            "pages": f"{(p := 1 + rng.randrange(900))}--{p + rng.randrange(30)}",
            "doi": doi,
        }
        if pmid:
            fields["pmid"] = pmid
        meta = {"title": title, "year": year, "family": ascii_name, "journal": journal}
        return Entry(key, bibtex("article", key, fields), doi, pmid, meta)
    if kind < 17:  # book
        publisher, address = rng.choice(PUBLISHERS)
        role = "editor" if index % 4 == 0 else "author"
        fields = {
            role: authors,
            "title": title,
            "publisher": publisher,
            "address": address,
            "year": str(year),
            "edition": rng.choice(["First", "Second", "Third"]),
            "isbn": isbn13(rng),
        }
        return Entry(key, bibtex("book", key, fields))
    fields = {
        "author": "{World Health Organization}" if index % 2 else authors,
        "title": title,
        "year": str(year),
        "howpublished": f"\\url{{https://example.org/reports/{key}}}",
        "url": f"https://example.org/pages/{key}.html",
        "urldate": f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "note": "Web page",
    }
    return Entry(key, bibtex("misc", key, fields))


def bibtex(kind: str, key: str, fields: dict[str, str]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}\n"


class Pages:
    """Writes pages whose citation groups cycle through every cited entry."""

    def __init__(self, rng: random.Random, keys: list[str]):
        self.rng = rng
        self.keys = keys
        # A stride prime to the number of keys visits every key once per cycle, in a scattered order.
        self.stride = next(s for s in range(7919, 7919 + len(keys) + 2) if math.gcd(s, len(keys)) == 1)
        self.next_key = 0
        self.groups = 0
        self.claims = 0
        self.left = 0  # citation groups still to write on the current page

    def key(self) -> str:
        key = self.keys[(self.next_key * self.stride) % len(self.keys)]
        self.next_key += 1
        return key

    def words(self, count: int) -> str:
        start = self.rng.randrange(len(WORDS) - count)
        return " ".join(WORDS[start : start + count])

    def sentence(self) -> str:
        text = self.words(self.rng.randrange(6, 14))
        return text[0].upper() + text[1:]

    def citation(self) -> str:
        """One citation group, in one of the Pandoc forms, rotating through them ("" when the page has its count)."""
        if self.left <= 0:
            return ""
        self.left -= 1
        self.groups += 1
        form = self.groups % 6
        if form == 0:
            return f"[@{self.key()}]"
        if form == 1:
            return f"[@{self.key()}; @{self.key()}]"
        if form == 2:
            return f"[see @{self.key()}, pp. 33-35; also @{self.key()}, chap. 1]"
        if form == 3:
            return f"[-@{self.key()}]"
        if form == 4:
            return f"@{self.key()}"
        return f"@{self.key()} [p. {3 + self.groups % 40}]"

    def cited_sentence(self) -> str:
        citation = self.citation()
        if not citation:
            return self.sentence() + "."
        if citation.startswith("@"):  # narrative: the citation is the sentence's subject
            return f"{citation} reported that {self.words(self.rng.randrange(5, 10))}."
        return f"{self.sentence()} {citation}."

    def claim(self, page: int) -> str:
        """A claim with its verdict, followed by its source (one citation group)."""
        if self.left <= 0:
            return self.sentence() + "."
        self.claims += 1
        self.groups += 1
        self.left -= 1
        verdict = VERDICTS[self.claims % len(VERDICTS)]
        claim_id = f"claim-{page}-{self.claims}"
        return (
            f"[{self.sentence()} in {12 + self.claims % 80} of {100 + self.claims % 50} patients]{{.claim #{claim_id}"
            f" verdict={verdict}}} [@{self.key()}]."
        )

    def page(self, number: int, groups: int) -> str:
        rng = self.rng
        self.left = groups
        out = [f"# Page {number}: {self.words(3)}\n", f"{self.sentence()}. {self.sentence()}.\n"]
        section = 0
        while self.left > 0:
            section += 1
            out.append(f"## Section {section}: {self.words(2)}\n")
            choice = section % 5
            if choice == 0:
                out.append("\n".join(f"- {self.cited_sentence()}" for _ in range(3)) + "\n")
            elif choice == 1:
                rows = [f"| Arm {letters(i).upper()} | {self.words(2)} | {self.citation()} |" for i in range(3)]
                out.append("| Arm | Outcome | Source |\n|---|---|---|\n" + "\n".join(rows) + "\n")
            elif choice == 2:
                out.append(
                    '```python\n@decorator\ndef cite(key):\n    return f"[@{key}]"  # [@notakey] stays code\n```\n'
                )
                out.append("    contact: editors@example.org [@alsonotakey]\n    @indented.code\n")
                out.append(f"{self.sentence()} with `@inline` and `[@code]` in code. {self.cited_sentence()}\n")
            elif choice == 3:
                out.append(f"{self.claim(number)} {self.sentence()}. {self.cited_sentence()}\n")
            out.append(
                " ".join(self.cited_sentence() if rng.random() < 0.6 else self.sentence() + "." for _ in range(5))
                + "\n"
            )
        return "\n".join(out)


def generate(
    out: Path, pages: int = 200, groups: int = 6000, entries: int = 2000, cited: int | None = None, seed: int = 1
) -> dict:
    """Write the site into `out`; returns a summary (counts of pages, groups, entries, identifiers)."""
    rng = random.Random(seed)
    bib = [make_entry(index, rng) for index in range(entries)]
    cited = min(cited or entries, entries)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.glob("*.md"):
        old.unlink()
    writer = Pages(random.Random(seed + 1), [entry.key for entry in bib[:cited]])
    per_page = [groups // pages + (1 if i < groups % pages else 0) for i in range(pages)]
    nav = []
    for number, count in enumerate(per_page, 1):
        name = "index.md" if number == 1 else f"page-{number:05d}.md"
        (docs / name).write_text(writer.page(number, count), encoding="utf-8")
        nav.append(name)
    (out / "references.bib").write_text(
        "% Synthetic bibliography for the mkdocs-factcheck benchmark.\n\n" + "\n".join(e.bibtex for e in bib),
        encoding="utf-8",
    )
    identifiers = {
        "doi": {e.doi.lower(): e.meta for e in bib[:cited] if e.doi},
        "pmid": {e.pmid: {**e.meta, "doi": e.doi} for e in bib[:cited] if e.pmid},
    }
    (out / "identifiers.json").write_text(json.dumps(identifiers, sort_keys=True), encoding="utf-8")
    write_configs(out)
    return {
        "pages": pages,
        "groups": writer.groups,
        "claims": writer.claims,
        "entries": entries,
        "cited": cited,
        "identifiers": len(identifiers["doi"]) + len(identifiers["pmid"]),
    }


def write_configs(out: Path, online: dict | None = None) -> None:
    """`mkdocs.yml` with the plugin (online off unless `online` is given) and `mkdocs-plain.yml` without."""
    extensions = ["attr_list", "tables", "admonition", "footnotes", {"toc": {"permalink": True}}]
    plain = {
        "site_name": "Benchmark",
        "site_url": "https://example.org/bench/",
        "theme": {"name": "material"},
        "site_dir": "site-plain",
        "plugins": ["search"],
        "markdown_extensions": extensions,
    }
    factcheck = {"bibliography": "references.bib", "style": "unsrt", "online": online or {"enabled": False}}
    ours = {**plain, "site_dir": "site", "plugins": ["search", {"factcheck": factcheck}]}
    (out / "mkdocs-plain.yml").write_text(yaml.safe_dump(plain, sort_keys=False), encoding="utf-8")
    (out / "mkdocs.yml").write_text(yaml.safe_dump(ours, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--groups", type=int, default=6000)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--cited", type=int, default=None, help="cite only the first N entries (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.pages, args.groups, args.entries, args.cited, args.seed)))


if __name__ == "__main__":
    main()
