"""Bibliography files: parse them with pybtex, locate every entry, report what is wrong with them."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input import bibtex
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError

from .cachefiles import pybtex_version, write_atomically
from .findings import Finding
from .identifiers import Identifier, identifiers_of

# The start of an entry in BibTeX source: `@type{key,` (or with parentheses). Used only to map keys to
# lines, which pybtex does not record.
ENTRY_START = re.compile(r"@\s*(?P<type>[A-Za-z]+)\s*[{(]\s*(?P<key>[^,\s]*)\s*,", re.MULTILINE)
NON_ENTRY_TYPES = {"string", "preamble", "comment"}
NAME_ROLES = {role.lower() for role in Person.valid_roles}  # author, editor
NAME_SEPARATOR = re.compile(" [Aa][Nn][Dd] ")  # pybtex's, on whitespace-normalised values


class BibliographyError(Exception):
    """A bibliography that cannot be used at all (missing file, unreadable): stops the build."""


class Source:
    """A bibliography entry, and where it was written.

    `raw` is the entry as parsed, its names (`author`, `editor`) still text among its fields: reading
    names into pybtex's `Person` is nearly half of parsing, and most entries of a large bibliography are
    never cited. `entry` has them read, on first use; whatever looks at every entry uses `raw`."""

    # Read on first use, and not pickled (see __getstate__): defaults for unpickled sources.
    _entry: Entry | None = None
    _identifiers: tuple[Identifier, ...] | None = None

    def __init__(self, key: str, entry: Entry, file: str, line: int):
        self.key = key
        self.raw = entry
        self.file = file
        self.line = line

    @property
    def entry(self) -> Entry:
        if self._entry is None:
            self._entry = with_names(self.raw)
        return self._entry

    @property
    def identifiers(self) -> tuple[Identifier, ...]:
        """Its DOI, PMID, PMCID, ISBN and URLs: read once (the checks, the links, the report and the
        online checks all ask, and pybtex's case-insensitive fields are slow to read)."""
        if self._identifiers is None:
            self._identifiers = tuple(identifiers_of(self.raw))
        return self._identifiers

    def __getstate__(self) -> dict:
        """Pickled as parsed (the parsed-bibliography cache, the formatter process): what is read from
        it on first use is read again there."""
        state = self.__dict__.copy()
        state.pop("_entry", None)
        state.pop("_identifiers", None)
        return state

    def __repr__(self) -> str:
        return f"Source({self.key!r}, {self.file}:{self.line})"


def with_names(raw: Entry) -> Entry:
    """The entry with its name fields read into persons, as pybtex's parser would have done; an entry
    without name fields is returned as it is. Name errors were reported when the file was loaded."""
    roles = [name for name in raw.fields if name.lower() in NAME_ROLES]
    if not roles:
        return raw
    entry = Entry(raw.type)
    entry.fields = raw.fields  # shared, not copied: the names stay there as text too (styles read persons)
    entry.original_type = raw.original_type
    entry.key = raw.key
    for role, persons in raw.persons.items():
        entry.persons[role] = list(persons)
    with pybtex.errors.capture():
        for role in roles:
            for name in split_name_list(raw.fields[role]):
                entry.add_person(Person(name), role)
    return entry


def split_names(value: str) -> list[str]:
    """A name field's names, as pybtex splits them, without its slower splitter unless braces need it:
    without braces, pybtex splits at every ` and ` of the whitespace-normalised value."""
    value = " ".join(value.split())
    return split_name_list(value) if "{" in value else NAME_SEPARATOR.split(value)


def name_problems(raw: Entry) -> list[str]:
    """pybtex's one complaint about a name (more than two commas), found without reading every name:
    only a name with three commas or more can have it."""
    problems: list[str] = []
    for role, value in raw.fields.items():
        if role.lower() not in NAME_ROLES or value.count(",") < 3:
            continue
        names = split_names(value)
        suspects = [name for name in names if name.count(",") >= 3]
        if suspects:
            with pybtex.errors.capture() as captured:
                for name in suspects:
                    Person(name)
            problems.extend(str(error) for error in captured)
    return problems


@dataclass
class Bibliography:
    """All entries of all bibliography files of a site, by key (BibTeX keys are case-insensitive)."""

    sources: dict[str, Source] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def get(self, key: str) -> Source | None:
        return self.sources.get(key.lower())

    def __contains__(self, key: str) -> bool:
        return key.lower() in self.sources

    def __len__(self) -> int:
        return len(self.sources)

    def keys(self) -> list[str]:
        return [source.key for source in self.sources.values()]


def entry_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of every entry start, by lower-cased key (a list: keys may be repeated)."""
    lines: dict[str, list[int]] = {}
    line, counted_to = 1, 0
    for match in ENTRY_START.finditer(text):
        if match["type"].lower() in NON_ENTRY_TYPES:
            continue
        line += text.count("\n", counted_to, match.start())  # from the previous entry on: linear in the file
        counted_to = match.start()
        lines.setdefault(match["key"].lower(), []).append(line)
    return lines


def read_text(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BibliographyError(f"bibliography file not found: {display}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BibliographyError(f"cannot read bibliography file {display}: {error}") from None


def _parse_one(path: Path, display: str, parser: bibtex.Parser) -> tuple[BibliographyData, dict[str, list[int]], list[Finding]]:
    """One BibTeX file, with the parser of the whole bibliography: its `@string` macros are those of the
    files before it too (a lab's `journals.bib` of macros, then its entries), as BibTeX reads them."""
    text = read_text(path, display)
    lines = entry_lines(text)
    findings: list[Finding] = []
    parser.data = BibliographyData()  # this file's entries: the file of each is known, duplicates across files are ours to report
    parser.filename = display
    # pybtex reports recoverable errors through a global hook: capture them so parsing goes on past a
    # bad entry, and turn each into a located finding instead of a line on stderr.
    with pybtex.errors.capture() as captured:
        try:
            data = parser.parse_string(text)
        except PybtexError as error:  # not recoverable: keep what was parsed before it
            captured.append(error)
            data = parser.data
    for problem in captured:
        line = getattr(problem, "lineno", None)
        message = str(problem)
        kind = "duplicate_key" if "repeated" in message.lower() else "bib_syntax"
        if kind == "duplicate_key":
            key = _quoted(message)
            occurrences = lines.get(key.lower(), []) if key else []
            line = occurrences[1] if len(occurrences) > 1 else line
            message = f"duplicate entry key '{key}' (the first one is used)"
        elif isinstance(problem, PybtexSyntaxError):
            line, message = _syntax_error(text, problem)
        findings.append(Finding(kind, message, file=display, line=line))
    return data, lines, findings


def _syntax_error(text: str, error: PybtexSyntaxError) -> tuple[int | None, str]:
    """The line of the entry the error is in: pybtex gives the line where its scanner stopped, which for
    an unclosed brace is the next entry's, or further."""
    start = error.error_context_info[0] if getattr(error, "error_context_info", None) else None
    if not isinstance(start, int) or start < 0:
        return error.lineno, str(error)
    line = text.count("\n", 0, start) + 1
    match = ENTRY_START.match(text, start)
    entry = f" in entry '{match['key']}'" if match and match["key"] else ""
    noticed = f" (noticed at line {error.lineno})" if error.lineno and error.lineno != line else ""
    return line, f"syntax error{entry}: {Exception.__str__(error)}{noticed}"


def _quoted(message: str) -> str:
    match = re.search(r"entry:? ?(\S+)$|[\"'](.+?)[\"']", message)
    if not match:
        return ""
    return (match.group(1) or match.group(2) or "").strip()


def inherit_crossrefs(sources: dict[str, Source]) -> None:
    """BibTeX's crossref: a child entry takes every field it lacks from its parent (pybtex leaves this to styles)."""
    for source in sources.values():
        parent_key = source.raw.fields.get("crossref")
        parent = sources.get(parent_key.lower()) if parent_key else None
        if parent is None:
            continue
        fields = source.raw.fields
        for name, value in parent.raw.fields.items():  # names too: they are fields until read
            if name.lower() not in ("crossref", "key", "ids") and name not in fields:
                fields[name] = value
        if "booktitle" not in fields and "title" in parent.raw.fields:
            fields["booktitle"] = parent.raw.fields["title"]


BIBTEX_SUFFIXES = (".bib", ".bibtex", ".biblatex")
CSL_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def load(paths: list[Path], base: Path) -> Bibliography:
    """Parse every file, in order, as one bibliography: BibTeX's `@string` macros and `crossref` reach
    across files. The first definition of a key wins, later ones are reported as duplicates."""
    from . import biblatex, csl  # here: they import this module's Source

    bibliography = Bibliography()
    parser = bibtex.Parser(person_fields=[])  # names stay text until an entry is used (see Source)
    for path in paths:
        display = os.path.relpath(path, base) if path.is_absolute() else str(path)
        suffix = path.suffix.lower()
        if suffix in CSL_SUFFIXES:
            items, findings = csl.read(read_text(path, display), display, CSL_SUFFIXES[suffix])
        elif suffix in BIBTEX_SUFFIXES:
            data, lines, findings = _parse_one(path, display, parser)
            items = [(key, entry, lines.get(key.lower(), [0])[0]) for key, entry in data.entries.items()]
        else:
            raise BibliographyError(f"bibliography file {display}: unknown format '{path.suffix}' (expected .bib, .json for CSL-JSON or .yaml for CSL-YAML)")
        bibliography.findings.extend(findings)
        for key, entry, line in items:
            existing = bibliography.get(key)
            if existing is not None:
                bibliography.findings.append(
                    Finding(
                        "duplicate_key",
                        f"duplicate entry key '{key}', already defined at {existing.file}:{existing.line} (the first one is used)",
                        file=display,
                        line=line,
                    )
                )
                continue
            bibliography.sources[key.lower()] = Source(key, entry, display, line)
            bibliography.findings.extend(Finding("bib_syntax", f"entry '{key}': {problem}", file=display, line=line) for problem in name_problems(entry))
    inherit_crossrefs(bibliography.sources)
    for source in bibliography.sources.values():
        biblatex.to_bibtex_fields(source.raw)  # after crossref: a child's inherited `date` counts too
    return bibliography


class BibliographyCache:
    """Keeps the parsed bibliography until the contents of one of its files change: in memory across
    `mkdocs serve` rebuilds, and on disk between builds when given a cache directory."""

    FILE = "bibliography.pickle"

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._bibliography: Bibliography | None = None
        self.parses = 0  # how many times files were parsed: tests and the benchmark read it

    @staticmethod
    def _stamp_of(paths: list[Path], base: Path) -> tuple:
        """The files' contents, by digest: an edit that keeps size and modification time still counts,
        and reading and hashing costs little next to parsing. The versions are part of it because the
        parsed objects are pybtex's and ours."""
        from .. import __version__

        stamp: list[tuple] = [(__version__, pybtex_version(), str(base))]
        for path in paths:
            try:
                stamp.append((str(path), hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()))
            except OSError:
                stamp.append((str(path), None))
        return tuple(stamp)

    def get(self, paths: list[Path], base: Path, cache_dir: Path | None = None, save: bool = True) -> Bibliography:
        """`save`: write the parsed files to `cache_dir` when they had to be parsed."""
        stamp = self._stamp_of(paths, base)
        if self._bibliography is not None and stamp == self._stamp:
            return self._bibliography
        self._bibliography = self._stamp = None  # let the old one go before the new one is read
        with collector_paused():
            bibliography = _read_parsed(cache_dir / self.FILE, stamp) if cache_dir is not None else None
            if bibliography is None:
                bibliography = load(paths, base)
                self.parses += 1
                if cache_dir is not None and save:
                    _write_parsed(cache_dir / self.FILE, stamp, bibliography)
        self._bibliography, self._stamp = bibliography, stamp
        return bibliography


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing creates tens of objects an entry, none of them garbage: Python's cyclic collector would
    run full passes over the growing heap while it does (1.8 s of a 20,000-entry build)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The parsed bibliography is pickled: loading 2,000 entries takes about a tenth of parsing them. The file
# lives in the site's own cache directory, written only by this plugin, and is used only when its stamp
# (files' digests, base folder, versions) matches; anything unreadable is parsed again.
# Entries are stored as plain rows (strings, lists, tuples), which pickle writes about four times as fast
# as pybtex's objects (0.3 s against 1.1 s for 20,000 entries) and reads back, objects rebuilt, faster too.
def _read_parsed(path: Path, stamp: tuple) -> Bibliography | None:
    try:
        with path.open("rb") as handle:
            stored_stamp, rows, findings = pickle.load(handle)
        if stored_stamp != stamp:
            return None
        bibliography = Bibliography(findings=list(findings))
        for key, original_type, fields, persons, file, line in rows:
            entry = Entry(original_type, fields=fields)
            entry.key = key
            for role, people in persons:
                entry.persons[role] = people
            bibliography.sources[key.lower()] = Source(key, entry, file, line)
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: parsing is always correct
        return None
    return bibliography


def _write_parsed(path: Path, stamp: tuple, bibliography: Bibliography) -> None:
    rows = [
        (source.key, source.raw.original_type, list(source.raw.fields.items()), list(source.raw.persons.items()), source.file, source.line)
        for source in bibliography.sources.values()
    ]
    try:
        write_atomically(path, pickle.dumps((stamp, rows, bibliography.findings), protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - a read-only directory, a full disk: a parse next time, nothing more
        pass
