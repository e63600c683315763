"""Formatting documents with a CSL style: the entries as pandoc reads them, one pandoc run per
document not formatted before, and a failure that degrades the entries it comes from, never the build."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..bibliography import Bibliography, Source
from ..findings import Finding
from ..latex import _decoded
from .cache import DocumentCache
from .documents import Document, DocumentResult, from_pandoc, to_pandoc
from .pandoc import CiteprocError, pandoc_version, run_citeproc
from .styles import CSLStyle

# Accented and special letters, braced or not (`{\'\i}`, `\"{o}`, `{\ss}`): decoded by our reader (latex.py),
# which gets some right that pandoc's does not (`{\'\i}` is í, not a dotless i with a loose accent). A
# brace group that starts with a command is no case protection in BibTeX, so nothing is lost with it.
ACCENT = r"\\(?:['\"`^~=.]|[cvuHkrdbt](?=[\s{]))\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])"
LETTER = r"\\(?:ss|i|j|o|O|ae|AE|oe|OE|aa|AA|l|L)(?![A-Za-z])"
SPECIAL_LETTERS = re.compile(rf"\{{(?:{ACCENT}|{LETTER})\}}|{ACCENT}|{LETTER}\s?")


def decoded_letters(value: str) -> str:
    return SPECIAL_LETTERS.sub(lambda match: _decoded(match.group().strip()), value) if "\\" in value else value


# Fields pandoc would follow to other entries, which are not in the document (keys are renamed).
SKIPPED_FIELDS = {"crossref", "xref", "xdata", "related", "set"}


def biblatex_text(source: Source, name: str) -> str:
    """The entry as BibLaTeX, named `name`: its fields as parsed (`@string` macros expanded, LaTeX kept
    for pandoc's reader, which decodes it and reads `{Protected}` words as protected from re-casing)."""
    raw = source.raw
    fields = [f"  {field} = {{{decoded_letters(value)}}}" for field, value in raw.fields.items() if field.lower() not in SKIPPED_FIELDS]
    for role, persons in raw.persons.items():
        if role not in raw.fields and persons:
            fields.append(f"  {role} = {{{' and '.join(str(person) for person in persons)}}}")
    entry_type = raw.original_type or raw.type
    return f"@{entry_type}{{{name},\n" + ",\n".join(fields) + "\n}\n"


class CSLFormatter:
    """Formats documents for one build. `formatted_count` and `pandoc_runs` are read by the tests and
    the benchmark."""

    def __init__(self, style: CSLStyle, locale: str, bibliography: Bibliography, report: Callable[[Finding], None], store: DocumentCache | None = None):
        self.style = style
        self.locale = locale or style.default_locale or "en-US"
        self.bibliography = bibliography
        self.report = report
        self.store = store
        self.pandoc_runs = 0
        self.failed_keys: set[str] = set()  # entries pandoc cannot read: left out of every document
        self._texts: dict[str, str] = {}

    def format(self, document: Document) -> DocumentResult | None:
        """The document's citations and bibliography; None if pandoc cannot run at all (reported once:
        the caller formats the document without the style)."""
        document = self._without(document, self.failed_keys)
        keys = document.keys()
        names = {key: f"k{index}" for index, key in enumerate(keys)}
        texts = [self._text(key, names[key]) for key in keys]
        texts += [f"@misc{{h{index}, title = {{-}}}}\n" for index in document.dummies()]
        try:
            identity = ["factcheck-csl-1", _version(), pandoc_version(), self.style.digest, self.locale, document.identity(), texts]
        except CiteprocError as error:
            self._processor_failed(error)
            return None
        digest = DocumentCache.key(identity)
        if self.store is not None:
            stored = self.store.get(digest)
            if stored is not None:
                return stored
        try:
            result = self._run(document, names, texts)
        except CiteprocError as error:
            bad = self._unreadable(keys, names) if len(keys) > 1 else set(keys)
            if not bad or bad == set(keys):
                self._processor_failed(error)
                return None
            return self.format(document)  # without the entries found bad (now in failed_keys)
        if self.store is not None:
            self.store.put(digest, result)
        return result

    def _run(self, document: Document, names: dict[str, str], texts: list[str]) -> DocumentResult:
        self.pandoc_runs += 1
        output = run_citeproc(to_pandoc(document, names), "".join(texts), self.style.path, self.locale)
        return from_pandoc(output, document, {name: key for key, name in names.items()})

    def _text(self, key: str, name: str) -> str:
        source = self.bibliography.get(key)
        assert source is not None, key
        return biblatex_text(source, name)

    def _unreadable(self, keys: list[str], names: dict[str, str]) -> set[str]:
        """The entries pandoc fails on alone (each tried in a document of its own), reported and kept
        out of later documents."""
        bad = set()
        for key in keys:
            try:
                self._run(Document([], nocite=[key]), {key: "k0"}, [self._text(key, "k0")])
            except CiteprocError as error:
                bad.add(key)
                source = self.bibliography.get(key)
                assert source is not None
                self.report(Finding("unformattable_entry", f"entry '{source.key}' cannot be formatted by the citation style: {error}", file=source.file, line=source.line))
        if bad != set(keys):
            self.failed_keys |= bad
        return bad

    def _processor_failed(self, error: CiteprocError) -> None:
        self.report(Finding("unformattable_entry", f"citation style {self.style.name} cannot be used: {error}; entries are formatted without it"))

    @staticmethod
    def _without(document: Document, keys: set[str]) -> Document:
        if not keys:
            return document
        groups = [[cite for cite in group if cite.key.lower() not in keys] for group in document.groups]
        return Document(groups, [k for k in document.hidden if k.lower() not in keys], [k for k in document.nocite if k.lower() not in keys])


def _version() -> str:
    from ... import __version__  # at call time: a new version (or a test's) changes every key

    return __version__
