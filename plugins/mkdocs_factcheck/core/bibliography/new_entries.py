"""Entries a BibTeX bibliography is about to gain from CSL records (`mkdocs-factcheck add`): keyed in
the style most of its keys follow, never a second entry for a work it holds (the same DOI, PMID, PMCID
or ISBN), and written as BibTeX after what the file holds."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography
from mkdocs_factcheck.core.bibliography.files import Bibliography, Source
from mkdocs_factcheck.core.bibliography.identifiers import Identifier, problem
from mkdocs_factcheck.core.cache_files import write_atomically
from mkdocs_factcheck.core.citations.by_identifier import identifier_keys
from mkdocs_factcheck.core.field_text import MAX_TEXT
from mkdocs_factcheck.core.printable import quoted as _shown

STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "on",
    "in",
    "for",
    "and",
    "to",
    "with",
    "at",
    "by",
    "from",
    "is",
    "are",
    "as",
    "or",
    "its",
    "la",
    "le",
    "les",
    "el",
    "der",
    "die",
    "das",
    "de",
    "du",
    "und",
    "et",
}
# Identifier fields: written as they are (no LaTeX), so only a value of the identifier's own syntax is.
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid", "isbn", "url")
# What would end a BibTeX value or start an entry (`@article{k0,` inside a value is one to our scanner).
UNSAFE = re.compile(r"[{}\\@\"\s\x00-\x1f\x7f]")
URL_UNSAFE = re.compile(r"[{}\\@\"<>\s\x00-\x1f\x7f]")
# Field order of the entries written (what people expect to read first); others follow by name.
FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "journal",
    "booktitle",
    "series",
    "year",
    "month",
    "volume",
    "number",
    "pages",
    "edition",
    "publisher",
    "address",
    "school",
    "institution",
    "doi",
    "pmid",
    "pmcid",
    "isbn",
    "url",
)


class NewEntries:
    """The entries one command adds to a bibliography, one record at a time. `file` is where they go,
    as messages name it; the entries added are known as the bibliography's own are, so that the same
    work asked for twice (by its DOI, then by its PMID) is added once."""

    def __init__(self, bibliography: Bibliography, file: str):
        self.file = file
        self.texts: list[str] = []  # the entries added, as BibTeX, in order
        self._by_identifier = {
            key: source for source in bibliography.sources.values() for key in identifier_keys(source)
        }
        self._taken = {
            source.key.lower() for source in bibliography.sources.values()
        }  # keys differing in case only collide
        self._style = detect_key_style(bibliography.keys())
        self.left_out: list[str] = []  # the fields of the last entry added that could not be written, and why

    def holding(self, identifier: str) -> Source | None:
        """The entry with this identifier key (`doi:10.x/y`, in any case), if there is one."""
        return self._by_identifier.get(identifier.lower())

    def same_work(self, identifier: str, item: dict) -> tuple[Source, str] | None:
        """The entry with one of the record's other identifiers (its DOI, when asked for by PMID), and
        which one they share (`DOI`), if there is one."""
        record = _as_source(identifier, item)
        same = next((self._by_identifier[key] for key in identifier_keys(record) if key in self._by_identifier), None)
        return None if same is None else (same, _shared(record, same))

    def add(self, identifier: str, item: dict) -> str:
        """The record as a new entry, in the bibliography's key style; returns its key."""
        key = make_key(item, self._style, self._taken)
        self._taken.add(key.lower())
        text, self.left_out = bibtex_entry(
            key, {name: value for name, value in item.items() if not name.startswith("factcheck-")}
        )  # our notes on a record are no BibTeX
        self.texts.append(text)
        added = _as_source(key, item, self.file)
        for known in identifier_keys(added) + [identifier.lower()]:
            self._by_identifier.setdefault(known, added)
        return key

    def append_to(self, path: Path) -> None:
        """The entries added after what the file holds, byte for byte, a blank line between, with the
        file's line ends; written atomically."""
        if not self.texts:
            return
        old = path.read_bytes().decode("utf-8") if path.exists() else ""  # read_text would turn CRLF into LF
        newline = "\r\n" if "\r\n" in old else "\n"
        separator = "" if not old else (newline if old.endswith("\n") else newline * 2)
        write_atomically(path, (old + separator + "\n".join(self.texts).replace("\n", newline)).encode("utf-8"))


def _as_source(key: str, item: dict, file: str = "<record>") -> Source:
    """A CSL record as a source, to read its identifiers as an entry's are read."""
    return Source(key, csl_bibliography.to_entry(key, item), file, 0)


def _shared(record: Source, entry: Source) -> str:
    """The scheme of the first identifier the entry shares with the record (`DOI`), for the message."""
    mine = set(identifier_keys(record))
    shared = [key for key in identifier_keys(entry) if key in mine]
    return shared[0].split(":", 1)[0].upper() if shared else "identifier"


def key_styles() -> list[tuple[str, re.Pattern, Callable[[str, str, str], str]]]:
    """Key shapes seen in the wild (name, the pattern of an existing key, a maker from family, year, word)."""
    return [
        ("onji1987", re.compile(r"[a-z]+\d{4}[a-z]?"), lambda f, y, w: f"{f}{y}"),
        ("Onji1987", re.compile(r"[A-Z][a-z]+\d{4}[a-z]?"), lambda f, y, w: f"{f.capitalize()}{y}"),
        ("onji1987effect", re.compile(r"[a-z]+\d{4}[a-z]{2,}"), lambda f, y, w: f"{f}{y}{w}"),
        ("onji_1987_effect", re.compile(r"[a-z]+_\d{4}_[a-z]+"), lambda f, y, w: f"{f}_{y}_{w}"),
        (
            "Onji_1987_Effect",
            re.compile(r"[A-Z][a-z]+_\d{4}_[A-Z][a-z]*"),
            lambda f, y, w: f"{f.capitalize()}_{y}_{w.capitalize()}",
        ),
        ("onji_1987", re.compile(r"[a-z]+_\d{4}[a-z]?"), lambda f, y, w: f"{f}_{y}"),
        ("onji:1987", re.compile(r"[a-z]+:\d{4}[a-z]?"), lambda f, y, w: f"{f}:{y}"),
        ("Onji:1987", re.compile(r"[A-Z][a-z]+:\d{4}[a-z]?"), lambda f, y, w: f"{f.capitalize()}:{y}"),
    ]


def detect_key_style(keys: list[str]) -> str:
    """The style most of a site's keys follow (authorYEAR, `onji1987`, when none does)."""
    counts: Counter = Counter()
    for key in keys:
        for name, pattern, _ in key_styles():
            if pattern.fullmatch(key):
                counts[name] += 1
                break
    return counts.most_common(1)[0][0] if counts else "onji1987"


def make_key(item: dict, style: str, taken: set[str]) -> str:
    """A key for a CSL item in the given style, unique among `taken` (lower-cased): `onji1987`, then `onji1987a`..."""
    maker = next(make for name, _, make in key_styles() if name == style)
    key = maker(_family(item), _year(item), _word(item))
    unique, suffix = key, 0
    while unique.lower() in taken:
        unique = key + _letters(suffix)
        suffix += 1
    return unique


def _letters(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index % 26] * (index // 26 + 1)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(
        r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("ß", "ss")
    )


def _family(item: dict) -> str:
    for role in ("author", "editor"):
        names = item.get(role)
        if isinstance(names, list) and names and isinstance(names[0], dict):
            first = names[0]
            name = str(first.get("family") or "") or str(first.get("literal") or "").split(" ")[0]
            if _ascii(name):
                return _ascii(name)
    return _word(item) or "anon"


def _year(item: dict) -> str:
    parts = (item.get("issued") or {}).get("date-parts") if isinstance(item.get("issued"), dict) else None
    year = parts[0][0] if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] else None
    return str(year) if isinstance(year, int | str) and str(year).isdigit() else "nd"


def _word(item: dict) -> str:
    title = re.sub(r"<[^<>]+>", "", str(item.get("title") or "")[:MAX_TEXT])  # linear: a tag ends before the next `<`
    for word in title.split():
        folded = _ascii(word)
        if folded and folded not in STOPWORDS:
            return folded
    return ""


def bibtex_text(key: str, item: dict) -> str:
    return bibtex_entry(key, item)[0]


def bibtex_entry(key: str, item: dict) -> tuple[str, list[str]]:
    """The entry as BibTeX, its values as core/csl_bibliography.py writes CSL values (LaTeX, braces
    balanced, `@` in braces), and the identifier fields left out as not of their syntax, each with why:
    what a record holds is data, and never ends a value nor starts another entry."""
    entry = csl_bibliography.to_entry(key, item)
    fields: dict[str, str] = {}
    left_out = []
    for name, value in entry.fields.items():
        written, why = _identifier_value(name, value) if name in IDENTIFIER_FIELDS else (_text_value(value), "")
        if written:
            fields[name] = written
        else:
            left_out.append(f"{name} '{_shown(value)}' ({why})")
    names = sorted(
        fields, key=lambda name: (FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER), name)
    )
    width = max((len(name) for name in names), default=0)
    lines = [f"@{entry.type}{{{key},"]
    for name in names:
        lines.append(f"  {name.ljust(width)} = {{{fields[name]}}},")
    lines.append("}")
    return "\n".join(lines) + "\n", left_out


def _text_value(value: str) -> str:
    """A LaTeX value (csl_bibliography.latex's: one line, no control character) as BibTeX reads it
    back: braces paired, and `@` as `{@}`, which LaTeX prints as `@` and no scanner takes for an entry's start."""
    return _balanced(value).replace("@", "{@}")


def _identifier_value(name: str, value: str) -> tuple[str, str]:
    """An identifier as written into BibTeX, or "" and why it is not: a DOI, PMID, PMCID or ISBN of its
    syntax with nothing BibTeX reads as structure; a URL with such characters percent-encoded."""
    value = value.strip()
    if name == "url":
        value = URL_UNSAFE.sub(lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8")), value)
    why = problem(Identifier(name, value, name))
    if why is None and name != "url" and UNSAFE.search(value):
        why = "a character BibTeX would read as structure"
    return ("", why) if why else (value, "")


def _balanced(value: str) -> str:
    """BibTeX counts every brace, escaped or not: a value whose braces do not pair loses its escaped ones."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return value if depth == 0 else value.replace("\\{", "").replace("\\}", "")
