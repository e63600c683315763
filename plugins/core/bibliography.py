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
from pybtex.database import BibliographyData, BibliographyDataError, Entry, Person
from pybtex.database.input import bibtex
from pybtex.database.input.bibtex import LowLevelParser
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError

from .cachefiles import pybtex_version, remove_stale, write_atomically
from .findings import Finding
from .identifiers import Identifier, identifiers_of

# The start of an entry in BibTeX source: `@type{key,` (or with parentheses): names the entry a syntax
# error is in (the loader takes entries' lines and spans from pybtex's scanner, see _IndexingParser).
ENTRY_START = re.compile(r"@\s*(?P<type>[A-Za-z]+)\s*[{(]\s*(?P<key>[^,\s]*)\s*,", re.MULTILINE)
NON_ENTRY_TYPES = {"string", "preamble", "comment"}
NAME_ROLES = {role.lower() for role in Person.valid_roles}  # author, editor
NAME_SEPARATOR = re.compile(" [Aa][Nn][Dd] ")  # pybtex's, on whitespace-normalised values
SPAN_BITS = 32  # an entry's start and length in its file are below 4 GiB
SPAN_MASK = (1 << SPAN_BITS) - 1


class BibliographyError(Exception):
    """A bibliography that cannot be used at all (missing file, unreadable): stops the build."""


class Source:
    """A bibliography entry, and where it was written.

    `raw` is the entry as parsed, its names (`author`, `editor`) still text among its fields: reading
    names into pybtex's `Person` is nearly half of parsing, and most entries of a large bibliography are
    never cited. `entry` has them read, on first use; whatever looks at every entry uses `raw`."""

    # Slots: a 100,000-entry bibliography has as many sources, most of them never read.
    __slots__ = ("key", "file", "_where", "_raw", "_text", "_entry", "_identifiers")

    def __init__(self, key: str, entry: Entry | None, file: str, line: int, lazy: tuple[BibText, int, int] | None = None):
        """`entry`, or `lazy`: the BibTeX file and the span of its text the entry is parsed from on first
        use (a large shared bibliography's uncited entries are never parsed in a warm build)."""
        self.key = key
        self._raw = entry
        self.file = file
        self._text: BibText | None = lazy[0] if lazy is not None else None
        # The line, and for a lazy entry its span, as one number (line << 64 | start << 32 | length)
        # rather than three: a 100,000-entry bibliography has as many.
        self._where = (line << 2 * SPAN_BITS | lazy[1] << SPAN_BITS | (lazy[2] - lazy[1])) if lazy is not None else line
        self._entry: Entry | None = None  # read on first use, and not pickled (see __getstate__)
        self._identifiers: tuple[Identifier, ...] | None = None

    @property
    def line(self) -> int:
        return self._where >> 2 * SPAN_BITS if self._text is not None else self._where

    @property
    def span(self) -> tuple[int, int] | None:
        """Where a BibTeX entry's text is in its file, in bytes (None for a CSL item)."""
        if self._text is None:
            return None
        start = (self._where >> SPAN_BITS) & SPAN_MASK
        return start, start + (self._where & SPAN_MASK)

    @property
    def raw(self) -> Entry:
        if self._raw is None:
            span = self.span
            assert self._text is not None and span is not None, self.key
            self._raw = self._text.parse(self.key, *span)
        return self._raw

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
        """Pickled parsed (the formatter process reads no file): what is read from it on first use
        (names, identifiers) is read again there."""
        return {"key": self.key, "raw": self.raw, "file": self.file, "line": self.line}  # parsed, if it was not yet

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["key"], state["raw"], state["file"], state["line"])  # type: ignore[misc]

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
    texts: dict[str, BibText] = field(default_factory=dict)  # BibTeX files' texts, by the name findings give them
    macros: dict[str, str] = field(default_factory=dict)  # `@string` macros of all BibTeX files
    # Sources a run added (identifier citations, see identifier_citations.py): the bibliography outlives
    # the run during `mkdocs serve`, so the next run takes them out before it starts.
    added: dict[str, Source] = field(default_factory=dict)
    # Other keys of a source, lower-cased: `doi:10.1136/GUT.28.12.1648` for the entry with that DOI,
    # `https://doi.org/...` for the item `doi:...`. Set by the run as it resolves them, cleared with `added`.
    aliases: dict[str, Source] = field(default_factory=dict)

    def get(self, key: str) -> Source | None:
        lowered = key.lower()
        source = self.sources.get(lowered)
        if source is None and self.aliases:
            return self.aliases.get(lowered)
        return source

    def __contains__(self, key: str) -> bool:
        lowered = key.lower()
        return lowered in self.sources or lowered in self.aliases

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
    """The file's text with its line ends as they are (`\r\n` kept): entries are read again later from
    their byte spans in the file."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise BibliographyError(f"bibliography file not found: {display}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BibliographyError(f"cannot read bibliography file {display}: {error}") from None


class _IndexingParser(bibtex.Parser):
    """pybtex's parser, noting where each entry's text starts and ends, and its line."""

    def parse_string(self, text):  # pybtex's own loop (Parser.parse_string), with the spans kept
        self.unnamed_entry_counter = 1
        self.command_start = 0
        self.spans: dict[str, list[tuple[str, int, int, int]]] = {}  # lower-cased key -> (key, line, start, end)
        commands = LowLevelParser(text, keyless_entries=self.keyless_entries, handle_error=self.handle_error, want_entry=self.data.want_entry, filename=self.filename, macros=self.macros)
        line, counted_to = 1, 0
        for command in commands:
            kind = command[0].lower()
            if kind == "string":
                continue
            if kind == "preamble":
                self.process_preamble(*command[1])
                continue
            key = command[1][0]
            start = commands.command_start
            line += text.count("\n", counted_to, start)  # from the previous entry on: linear in the file
            counted_to = start
            if key is not None:
                self.spans.setdefault(key.lower(), []).append((key, line, start, commands.pos))
            self.process_entry(command[0], *command[1])
        return self.data


def _parse_one(path: Path, display: str, parser: _IndexingParser) -> tuple[str, list[tuple[str, int, int, int]], dict[str, list[str]], list[Finding]]:
    """One BibTeX file, with the parser of the whole bibliography: its `@string` macros are those of the
    files before it too (a lab's `journals.bib` of macros, then its entries), as BibTeX reads them.
    Its text, its entries (key, line, span of text), the problems of their names, and its findings."""
    text = read_text(path, display)
    findings: list[Finding] = []
    parser.data = data = _KeysOnly()  # this file's keys: the file of each is known, duplicates across files are ours to report
    parser.filename = display
    parser.spans = {}
    # pybtex reports recoverable errors through a global hook: capture them so parsing goes on past a
    # bad entry, and turn each into a located finding instead of a line on stderr.
    with pybtex.errors.capture() as captured:
        try:
            parser.parse_string(text)
        except PybtexError as error:  # not recoverable: keep what was parsed before it
            captured.append(error)
    spans = parser.spans
    for problem in captured:
        line = getattr(problem, "lineno", None)
        message = str(problem)
        kind = "duplicate_key" if "repeated" in message.lower() else "bib_syntax"
        if kind == "duplicate_key":
            key = _quoted(message)
            occurrences = spans.get(key.lower(), []) if key else []
            line = occurrences[1][1] if len(occurrences) > 1 else line
            message = f"duplicate entry key '{key}' (the first one is used)"
        elif isinstance(problem, PybtexSyntaxError):
            line, message = _syntax_error(text, problem)
        findings.append(Finding(kind, message, file=display, line=line))
    entries = [spans[key.lower()][0] for key in data.entries.keys() if key.lower() in spans]
    return text, byte_spans(text, entries), data.name_problems, findings


def byte_spans(text: str, entries: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """The entries' spans in bytes of the UTF-8 file (what BibText reads) rather than characters."""
    if text.isascii():
        return entries
    offsets = sorted({position for _, _, start, end in entries for position in (start, end)})
    in_bytes, counted, total = {}, 0, 0
    for position in offsets:  # in order: each stretch of text is encoded once
        total += len(text[counted:position].encode("utf-8"))
        counted = position
        in_bytes[position] = total
    return [(key, line, in_bytes[start], in_bytes[end]) for key, line, start, end in entries]


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


class BibText:
    """A BibTeX file, from which its entries are parsed when first used (each read from its byte span:
    the file's text is not held in memory), with the `@string` macros of the whole bibliography;
    `bibliography` gives `crossref` parents."""

    def __init__(self, path: Path, macros: dict[str, str], bibliography: Bibliography):
        self.path = path
        self.macros = macros
        self._macros = {name.lower(): value for name, value in macros.items()}
        self.bibliography = bibliography
        self._parsing: set[str] = set()  # keys being parsed: a crossref cycle stops here

    def parse(self, key: str, start: int, end: int) -> Entry:
        """The entry `key` from its span: its fields as the whole file's parse gives them (the problems of
        its text were reported when the file was loaded), its crossref parent's and BibLaTeX's added."""
        text = self._read(start, end)
        entry = quick_entry(text, 0, len(text), key, self._macros)
        if entry is None:  # anything the quick reader does not know: pybtex's parser
            parser = bibtex.Parser(person_fields=[], macros=self.macros)
            with pybtex.errors.capture():
                try:
                    parsed = parser.parse_string(text)
                except PybtexError:
                    parsed = parser.data
            entry = parsed.entries.get(key) or Entry("misc")
        entry.key = key
        self._parsing.add(key.lower())
        try:
            parent_key = entry.fields.get("crossref", "")
            parent = self.bibliography.get(parent_key) if parent_key and parent_key.lower() not in self._parsing else None
            if parent is not None:
                inherit_fields(entry, parent.raw)
        finally:
            self._parsing.discard(key.lower())
        from .biblatex import to_bibtex_fields  # here: it imports nothing of this module, but reads as a step of it

        to_bibtex_fields(entry)
        return entry

    def _read(self, start: int, end: int) -> str:
        """The text of a byte span, or "" when the file is gone (the entry is then empty; the next build
        sees the change and reads the file again)."""
        try:
            with self.path.open("rb") as file:
                file.seek(start)
                return file.read(end - start).decode("utf-8", errors="replace")
        except OSError:
            return ""


# The quick reader of one entry's text, for entries pybtex has already read once (when the file was
# loaded): the common forms of BibTeX values, `{...}`, `"..."`, numbers, macros and `#`, read by regular
# expressions about ten times as fast as pybtex's scanner. Anything else returns None, and pybtex reads it.
ENTRY_HEAD = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])\s*([^,\s]*)\s*,")
FIELD_NAME = re.compile(r"\s*([A-Za-z][\w@!$&*+\-./:;<>?\[\]^`|~]*)\s*=\s*")
SPACES = re.compile(r"\s*")
NUMBER_OR_MACRO = re.compile(r"\d+|[A-Za-z][\w@!$&*+\-./:;<>?\[\]^`|~]*")
BRACES = re.compile(r"[{}]")
WHITESPACE = re.compile(r"\s+")


def quick_entry(text: str, start: int, end: int, key: str, macros: dict[str, str]) -> Entry | None:
    head = ENTRY_HEAD.match(text, start, end)
    if head is None or head[3].lower() != key.lower():
        return None
    closing = "}" if head[2] == "{" else ")"
    fields: dict[str, str] = {}
    seen: set[str] = set()
    position = head.end()
    try:
        while True:
            position = SPACES.match(text, position).end()  # type: ignore[union-attr]
            if text[position] == closing:
                break
            name = FIELD_NAME.match(text, position, end)
            if name is None:
                return None
            position = name.end()
            parts = []
            while True:
                char = text[position]
                if char == "{" or char == '"':
                    close = _value_end(text, position + 1, "}" if char == "{" else '"', end)
                    if close < 0:
                        return None
                    parts.append(text[position + 1 : close])
                    position = close + 1
                else:
                    word = NUMBER_OR_MACRO.match(text, position, end)
                    if word is None:
                        return None
                    value = word[0] if word[0].isdigit() else macros.get(word[0].lower())
                    if value is None:
                        return None
                    parts.append(value)
                    position = word.end()
                position = SPACES.match(text, position).end()  # type: ignore[union-attr]
                if text[position] != "#":
                    break
                position = SPACES.match(text, position + 1).end()  # type: ignore[union-attr]
            if name[1].lower() not in seen:  # pybtex keeps the first of a repeated field
                seen.add(name[1].lower())
                fields[name[1]] = WHITESPACE.sub(" ", "".join(parts).strip())
            if text[position] == ",":
                position += 1
            elif text[position] != closing:
                return None
    except IndexError:
        return None
    entry = Entry(head[1], fields=fields)
    return entry


def _value_end(text: str, position: int, closing: str, end: int) -> int:
    """Where a `{...}` or `"..."` value ends (its closing character at brace level 0), or -1."""
    level = 0
    while True:
        if closing == '"':
            found = text.find('"', position, end) if level == 0 else -1
            brace = BRACES.search(text, position, end)
            if brace is None or (found >= 0 and found < brace.start()):
                return found
        else:
            brace = BRACES.search(text, position, end)
            if brace is None:
                return -1
        if brace[0] == "{":
            level += 1
        elif level == 0:
            return brace.start() if closing == "}" else -1
        else:
            level -= 1
        position = brace.end()


class _KeysOnly(BibliographyData):
    """What loading a BibTeX file keeps of each entry: its key, and the problems of its names. The
    entries themselves are parsed again, one by one, when used (see BibText): a 100,000-entry
    bibliography is not held in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.name_problems: dict[str, list[str]] = {}

    def add_entry(self, key, entry) -> None:
        if key in self.entries:
            pybtex.errors.report_error(BibliographyDataError(f"repeated bibliography entry: {key}"))
            return
        self.entries[key] = True
        problems = name_problems(entry)
        if problems:
            self.name_problems[key] = problems


def _quoted(message: str) -> str:
    match = re.search(r"entry:? ?(\S+)$|[\"'](.+?)[\"']", message)
    if not match:
        return ""
    return (match.group(1) or match.group(2) or "").strip()


def inherit_fields(entry: Entry, parent: Entry) -> None:
    """BibTeX's crossref: a child entry takes every field it lacks from its parent (pybtex leaves this to styles)."""
    fields = entry.fields
    for name, value in parent.fields.items():  # names too: they are fields until read
        if name.lower() not in ("crossref", "key", "ids") and name not in fields:
            fields[name] = value
    if "booktitle" not in fields and "title" in parent.fields:
        fields["booktitle"] = parent.fields["title"]


BIBTEX_SUFFIXES = (".bib", ".bibtex", ".biblatex")
CSL_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def load(paths: list[Path], base: Path) -> Bibliography:
    """Parse every file, in order, as one bibliography: BibTeX's `@string` macros and `crossref` reach
    across files. The first definition of a key wins, later ones are reported as duplicates. BibTeX
    entries are parsed again from their text when first used (see BibText)."""
    from . import csl_bibliography  # here: it is needed only for CSL files

    bibliography = Bibliography()
    parser = _IndexingParser(person_fields=[])  # names stay text until an entry is used (see Source)
    for path in paths:
        display = os.path.relpath(path, base) if path.is_absolute() else str(path)
        suffix = path.suffix.lower()
        problems: dict[str, list[str]] = {}
        if suffix in CSL_SUFFIXES:
            items, findings = csl_bibliography.read(read_text(path, display), display, CSL_SUFFIXES[suffix])
            located = [(key, line, Source(key, entry, display, line)) for key, entry, line in items]
        elif suffix in BIBTEX_SUFFIXES:
            text, spans, problems, findings = _parse_one(path, display, parser)
            bib_text = bibliography.texts[display] = BibText(path, parser.macros, bibliography)
            located = [(key, line, Source(key, None, display, line, (bib_text, start, end))) for key, line, start, end in spans]
        else:
            raise BibliographyError(f"bibliography file {display}: unknown format '{path.suffix}' (expected .bib, .json for CSL-JSON or .yaml for CSL-YAML)")
        bibliography.findings.extend(findings)
        for key, line, source in located:
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
            lowered = key.lower()
            bibliography.sources[key if lowered == key else lowered] = source  # one string, not two
            bibliography.findings.extend(Finding("bib_syntax", f"entry '{key}': {problem}", file=display, line=line) for problem in problems.get(key, []))
    bibliography.macros = dict(parser.macros)
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
                with path.open("rb") as file:  # in chunks: a 30 MB file is not held in memory for this
                    stamp.append((str(path), hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()))
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
                    _write_parsed(cache_dir / self.FILE, stamp, bibliography, paths, base)
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
# are input like any other, and unpickling runs whatever the file says. The file is used only when its
# stamp (files' digests, base folder, versions) matches; every row is checked when read, and anything
# unreadable or malformed is parsed again.
# A BibTeX entry is stored as where its text is (file, line, span): it is parsed again from the file when
# a build uses it, so a warm build of a site citing 2,000 of 100,000 entries parses 2,000 of them and
# holds the other 98,000 as a few numbers and strings each. CSL items are stored as plain rows.
CACHE_FORMAT = 2  # the rows' layout; another value is another layout (parsed again)
LEGACY_CACHE_FILES = ("bibliography.pickle",)  # never read (unpickling runs code): removed when seen


class _MalformedError(Exception):
    """A stored row that is not what `_write_parsed` writes."""


def _read_parsed(path: Path, stamp: tuple) -> Bibliography | None:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("stamp") != _plain(stamp):
            return None
        macros = data.get("macros")
        if type(macros) is not dict or not all(type(k) is str and type(v) is str for k, v in macros.items()):
            raise _MalformedError()
        bibliography = Bibliography(findings=[_finding(row) for row in _list(data.get("findings"))], macros=macros)
        stamped_files = {entry[0] for entry in stamp[1:]}  # only the bibliography's own files are read
        for display, file_path in map(_pair_of_str, _list(data.get("files"))):
            if file_path not in stamped_files:
                raise _MalformedError()
            bibliography.texts[display] = BibText(Path(file_path), macros, bibliography)
        sources = bibliography.sources
        texts = bibliography.texts
        # Checked inline, without helpers: a bibliography of 100,000 entries has as many rows.
        for row in _list(data.get("rows")):
            if type(row) is not list:
                raise _MalformedError()
            if len(row) == 5:  # a BibTeX entry: where its text is
                key, file, line, start, end = row
                if not (type(key) is str and type(file) is str and file in texts and type(line) is int and type(start) is int and type(end) is int and 0 <= start <= end):
                    raise _MalformedError()
                lowered = key.lower()
                sources[key if lowered == key else lowered] = Source(key, None, file, line, (texts[file], start, end))  # one string, not two
                continue
            if len(row) != 6:
                raise _MalformedError()
            key, file, line, original_type, fields, persons = row  # a CSL item, as read
            if not (type(key) is str and type(original_type) is str and type(file) is str and type(line) is int and type(fields) is list):
                raise _MalformedError()
            for pair in fields:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
                    raise _MalformedError()
            entry = Entry(original_type, fields=fields)
            entry.key = key
            for role, people in map(_pair_of_list, _list(persons)):
                entry.persons[role] = [_person(parts) for parts in people]
            sources[key.lower()] = Source(key, entry, file, line)
    except (OSError, ValueError, TypeError, _MalformedError):  # missing, truncated, tampered, from another version: parse
        return None
    return bibliography


def _write_parsed(path: Path, stamp: tuple, bibliography: Bibliography, paths: list[Path], base: Path) -> None:
    rows: list[tuple] = []
    for source in bibliography.sources.values():
        span = source.span
        if span is not None:
            rows.append((source.key, source.file, source.line, *span))
        else:
            raw = source.raw
            persons = [(role, [_name_parts(p) for p in people]) for role, people in raw.persons.items()]
            rows.append((source.key, source.file, source.line, raw.original_type, list(raw.fields.items()), persons))
    displays = {(os.path.relpath(p, base) if p.is_absolute() else str(p)): str(p) for p in paths}
    files = [(display, displays[display]) for display in bibliography.texts]
    findings = [(f.kind, f.message, f.file, f.line, f.page, f.severity) for f in bibliography.findings]
    data = {"format": CACHE_FORMAT, "stamp": _plain(stamp), "rows": rows, "findings": findings, "macros": bibliography.macros, "files": files}
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


def _pair_of_str(value: object) -> tuple[str, str]:
    first, second = _list(value, 2)
    return _str(first), _str(second)


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
