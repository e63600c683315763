"""Bibliography files: parse them with pybtex, locate every entry, report what is wrong with them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, BibliographyDataError, Entry, Person
from pybtex.database.input import bibtex
from pybtex.database.input.bibtex import LowLevelParser
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError

from mkdocs_factcheck.core.bibliography.identifiers import Identifier, identifiers_of
from mkdocs_factcheck.core.bibliography.quick_reader import quick_entry
from mkdocs_factcheck.core.findings import Finding

# The start of an entry in BibTeX source: `@type{key,` (or with parentheses): names the entry a syntax
# error is in (the loader takes entries' lines and spans from pybtex's scanner, see _IndexingParser).
ENTRY_START = re.compile(r"@\s*(?P<type>[A-Za-z]+)\s*[{(]\s*(?P<key>[^,\s]*)\s*,", re.MULTILINE)
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

    def __init__(
        self, key: str, entry: Entry | None, file: str, line: int, lazy: tuple[BibText, int, int] | None = None
    ):
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

    @line.setter
    def line(self, value: int) -> None:
        """The line of a source written after it was read (a record the identifiers file gains at the end of a
        build)."""
        if self._text is None:
            self._where = value

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
    _written: dict[str, tuple[str, int]] | None = field(default=None, repr=False)  # see written_but_unread

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

    def written_but_unread(self, key: str) -> tuple[str, int] | None:
        """Where an entry `key` is written in a BibTeX file although it is not in the bibliography: a
        syntax error before it (an unclosed brace) took it in. Only looked for when a file has one, and
        the files are read for it once."""
        if self._written is None:
            self._written = {}
            if any(finding.kind == "bib_syntax" for finding in self.findings):
                for display, bib_text in self.texts.items():
                    try:
                        text = read_text(bib_text.path, display)
                    except BibliographyError:
                        continue  # gone or unreadable since it was loaded: nothing to say of it
                    line, counted_to = 1, 0
                    for match in ENTRY_START.finditer(text):
                        line += text.count("\n", counted_to, match.start())  # from the entry before: linear
                        counted_to = match.start()
                        self._written.setdefault(match["key"].lower(), (display, line))
        return self._written.get(key.lower())


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
        commands = LowLevelParser(
            text,
            keyless_entries=self.keyless_entries,
            handle_error=self.handle_error,
            want_entry=self.data.want_entry,
            filename=self.filename,
            macros=self.macros,
        )
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


def _parse_one(
    path: Path, display: str, parser: _IndexingParser
) -> tuple[str, list[tuple[str, int, int, int]], dict[str, list[str]], list[Finding]]:
    """One BibTeX file, with the parser of the whole bibliography: its `@string` macros are those of the
    files before it too (a lab's `journals.bib` of macros, then its entries), as BibTeX reads them.
    Its text, its entries (key, line, span of text), the problems of their names, and its findings."""
    text = read_text(path, display)
    findings: list[Finding] = []
    parser.data = data = (
        _KeysOnly()
    )  # this file's keys: the file of each is known, duplicates across files are ours to report
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
            parent = (
                self.bibliography.get(parent_key) if parent_key and parent_key.lower() not in self._parsing else None
            )
            if parent is not None:
                inherit_fields(entry, parent.raw)
        finally:
            self._parsing.discard(key.lower())
        from mkdocs_factcheck.core.bibliography.biblatex import (
            to_bibtex_fields,
        )  # here: it imports nothing of this module, but reads as a step of it

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
    from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography  # here: it is needed only for CSL files

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
            located = [
                (key, line, Source(key, None, display, line, (bib_text, start, end))) for key, line, start, end in spans
            ]
        else:
            raise BibliographyError(
                f"bibliography file {display}: unknown format '{path.suffix}' (expected .bib, .json for CSL-JSON or"
                " .yaml for CSL-YAML)"
            )
        bibliography.findings.extend(findings)
        for key, line, source in located:
            existing = bibliography.get(key)
            if existing is not None:
                bibliography.findings.append(
                    Finding(
                        "duplicate_key",
                        f"duplicate entry key '{key}', already defined at {existing.file}:{existing.line} (the first"
                        " one is used)",
                        file=display,
                        line=line,
                    )
                )
                continue
            lowered = key.lower()
            bibliography.sources[key if lowered == key else lowered] = source  # one string, not two
            bibliography.findings.extend(
                Finding("bib_syntax", f"entry '{key}': {problem}", file=display, line=line)
                for problem in problems.get(key, [])
            )
    bibliography.macros = dict(parser.macros)
    return bibliography
