"""Bibliography files: parse them with pybtex, locate every entry, report what is wrong with them."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input import bibtex
from pybtex.exceptions import PybtexError

from .cachefiles import pybtex_version, remove_stale, write_atomically
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


def _parse_one(path: Path, display: str) -> tuple[BibliographyData, dict[str, list[int]], list[Finding]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BibliographyError(f"bibliography file not found: {display}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BibliographyError(f"cannot read bibliography file {display}: {error}") from None
    lines = entry_lines(text)
    findings: list[Finding] = []
    parser = bibtex.Parser(person_fields=[])  # names stay text until an entry is used (see Source)
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
        findings.append(Finding(kind, message, file=display, line=line))
    return data, lines, findings


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


def load(paths: list[Path], base: Path) -> Bibliography:
    """Parse every file; the first definition of a key wins, later ones are reported as duplicates."""
    bibliography = Bibliography()
    for path in paths:
        display = os.path.relpath(path, base) if path.is_absolute() else str(path)
        data, lines, findings = _parse_one(path, display)
        bibliography.findings.extend(findings)
        for key, entry in data.entries.items():
            line = lines.get(key.lower(), [0])[0]
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
    return bibliography


class BibliographyCache:
    """Keeps the parsed bibliography until the contents of one of its files change: in memory across
    `mkdocs serve` rebuilds, and on disk between builds when given a cache directory."""

    FILE = "bibliography.json"

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
            if cache_dir is not None:
                remove_stale(cache_dir, LEGACY_CACHE_FILES)
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


# The parsed bibliography is kept as JSON: loading 20,000 entries takes about a seventh of parsing them.
# JSON, not pickle: the cache directory is restored by CI systems between runs and branches, so its files
# are input like any other, and unpickling runs whatever the file says. Entries are stored as plain
# rows (strings, lists), checked row by row when read; the file is used only when its stamp (files'
# digests, base folder, versions) matches, and anything unreadable or malformed is parsed again.
CACHE_FORMAT = 1  # the rows' layout; another value is another layout (parsed again)
LEGACY_CACHE_FILES = ("bibliography.pickle",)  # never read (unpickling runs code): removed when seen


class _MalformedError(Exception):
    """A stored row that is not what `_write_parsed` writes."""


def _read_parsed(path: Path, stamp: tuple) -> Bibliography | None:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("stamp") != _plain(stamp):
            return None
        bibliography = Bibliography(findings=[_finding(row) for row in _list(data.get("findings"))])
        sources = bibliography.sources
        # Checked inline, without helpers: a bibliography of 20,000 entries has 150,000 fields.
        for row in _list(data.get("rows")):
            if type(row) is not list or len(row) != 6:
                raise _MalformedError()
            key, original_type, fields, persons, file, line = row
            if not (type(key) is str and type(original_type) is str and type(file) is str and type(line) is int and type(fields) is list):
                raise _MalformedError()
            for pair in fields:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
                    raise _MalformedError()
            entry = Entry(original_type, fields=fields)
            entry.key = key
            if persons:  # names are read later (Source.entry): stored persons are rare
                for role, people in map(_pair_of_list, _list(persons)):
                    entry.persons[role] = [_person(parts) for parts in people]
            sources[key.lower()] = Source(key, entry, file, line)
    except (OSError, ValueError, _MalformedError):  # missing, truncated, tampered, from another version: parse
        return None
    return bibliography


def _write_parsed(path: Path, stamp: tuple, bibliography: Bibliography) -> None:
    rows = [
        (source.key, source.raw.original_type, list(source.raw.fields.items()), [(role, [_name_parts(p) for p in people]) for role, people in source.raw.persons.items()], source.file, source.line)
        for source in bibliography.sources.values()
    ]
    findings = [(f.kind, f.message, f.file, f.line, f.page, f.severity) for f in bibliography.findings]
    data = {"format": CACHE_FORMAT, "stamp": _plain(stamp), "rows": rows, "findings": findings}
    try:
        write_atomically(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except Exception:  # noqa: BLE001 - a read-only directory, a full disk: a parse next time, nothing more
        pass


def _plain(stamp: tuple) -> list:
    """The stamp as JSON reads it back (tuples become lists)."""
    return json.loads(json.dumps(stamp))


def _list(value: object, length: int | None = None) -> list:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise _MalformedError()
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _MalformedError()
    return value


def _optional(value: object, kind: type) -> object:
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise _MalformedError()
    return value


def _pair_of_list(value: object) -> tuple[str, list]:
    role, people = _list(value, 2)
    return _str(role), _list(people)


def _finding(value: object) -> Finding:
    kind, message, file, line, page, severity = _list(value, 6)
    return Finding(_str(kind), _str(message), _optional(file, str), _optional(line, int), _optional(page, str), _str(severity))  # type: ignore[arg-type]


CACHE_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def _name_parts(person: Person) -> list[list[str]]:
    return [list(getattr(person, part)) for part in CACHE_NAME_PARTS]


def _person(value: object) -> Person:
    person = Person()
    for part, names in zip(CACHE_NAME_PARTS, _list(value, len(CACHE_NAME_PARTS)), strict=True):
        setattr(person, part, [_str(name) for name in _list(names)])
    return person
