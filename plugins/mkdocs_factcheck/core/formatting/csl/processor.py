"""Formatting documents with a CSL style: the entries as pandoc reads them, one pandoc run per
document not formatted before, and a failure that degrades the entries it comes from, never the build."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from mkdocs_factcheck.core.bibliography.files import Bibliography
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
from mkdocs_factcheck.core.formatting.csl.documents import Document, DocumentResult, from_pandoc, to_pandoc
from mkdocs_factcheck.core.formatting.csl.entries import NAME_SLOT, biblatex_text
from mkdocs_factcheck.core.formatting.csl.pandoc import CiteprocError, pandoc_version, run_citeproc
from mkdocs_factcheck.core.formatting.csl.styles import CSLStyle


class CSLFormatter:
    """Formats documents for one build. `pandoc_runs` is read by the tests and the benchmark."""

    def __init__(self, style: CSLStyle, locale: str, bibliography: Bibliography, report: Callable[[Finding], None], store: DocumentCache | None = None):
        self.style = style
        self.locale = locale or style.default_locale or "en-US"
        self.bibliography = bibliography
        self.report = report
        self.store = store
        self.pandoc_runs = 0
        self.failed_keys: set[str] = set()  # entries pandoc cannot read: left out of every document
        self.broken = False  # pandoc cannot run: every page is labelled without the style
        self._texts: dict[str, str] = {}
        self._last_digest: tuple[Document, tuple[str, dict[str, str], list[str]]] | None = None
        self.collected: list[Document] | None = None  # collecting (see `collecting`): documents, no pandoc

    def collecting(self) -> None:
        """From now on, `format` only notes the documents it is given (see `format_together`)."""
        self.collected = []

    def digest(self, document: Document) -> tuple[str, dict[str, str], list[str]]:
        """The document's key in the cache, the names its keys go to pandoc under, and its entries as
        pandoc reads them. Raises CiteprocError when pandoc cannot be run (its version is in the key)."""
        if self._last_digest is not None and self._last_digest[0] is document:
            return self._last_digest[1]  # asked by `cached`, then by `format`
        keys = document.keys()
        names = {key: f"k{index}" for index, key in enumerate(keys)}
        texts = [self._text(key, names[key]) for key in keys]
        identity = ["factcheck-csl-2", _version(), pandoc_version(), self.style.digest, self.locale, document.identity(), texts]
        made = (DocumentCache.key(identity), names, texts)
        self._last_digest = (document, made)
        return made

    def cached(self, document: Document) -> bool:
        if self.store is None:
            return False
        try:
            return self.store.get(self.digest(self._without(document, self.failed_keys))[0]) is not None
        except CiteprocError:
            return True  # nothing to run early: `format` reports it

    def format(self, document: Document) -> DocumentResult | None:
        """The document's citations and bibliography; None if pandoc cannot run at all (reported once:
        the caller formats the document without the style)."""
        document = self._without(document, self.failed_keys)
        if self.broken:
            return None  # reported once: no more runs, and no entry tried alone, for each page
        if self.collected is not None:
            self.collected.append(document)
            return DocumentResult([[] for _ in document.groups], [])
        try:
            digest, names, texts = self.digest(document)
        except CiteprocError as error:
            self._processor_failed(error)
            return None
        keys = document.keys()
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

    def format_page(self, document: Document, read_ahead: Callable[[], list[Document]] | None, site_numbered: bool) -> DocumentResult | None:
        """A page's document, as `format` makes it, or None (the caller labels the page without the
        style). The first page of a build not in the cache calls `read_ahead` for the documents of the
        pages still to come and formats them first: numbered across the site, as one document; else
        each on its own, several at once."""
        if document.groups and read_ahead is not None and not self.cached(document):
            ahead = read_ahead()
            if site_numbered:
                self.format_together(ahead)
            else:
                self.format_each(ahead)
        result = self.format(document) if document.groups or document.nocite else DocumentResult([], [])
        if result is not None and len(result.citations) != len(document.groups):
            return None  # not what was asked (a damaged cache)
        return result

    def format_together(self, documents: list[Document]) -> int:
        """Consecutive pages' documents of a numeric style with site-wide numbers, formatted in one
        pandoc run, as one document holding them all (which numbers their entries as theirs do); each
        page's part is kept in the cache, where the page's own `format` finds it. A cold build then
        runs pandoc once, not once a page (each such run restarting pandoc and citing every entry cited
        before). Pages that list entries uncited (`nocite`) are left to their own run: those entries'
        numbers would differ. Returns how many pages' results were kept."""
        documents = [self._without(document, self.failed_keys) for document in documents]
        if self.store is None or self.broken or len(documents) < 2:
            return 0
        together = Document([group for document in documents for group in document.groups], documents[0].hidden)
        try:
            digest, names, texts = self.digest(together)
            result = self._run(together, names, texts)
        except CiteprocError:
            return 0  # each page runs on its own, and reports what fails
        if len(result.citations) != len(together.groups):
            return 0
        kept = 0
        offset = 0
        for document in documents:
            citations = result.citations[offset : offset + len(document.groups)]
            offset += len(document.groups)
            own = set(document.keys())
            entries = [entry for entry in result.entries if entry.key in own]
            if document.nocite or len(entries) != len(own):
                continue
            self.store.put(self.digest(document)[0], DocumentResult(citations, entries))
            kept += 1
        return kept

    def format_each(self, documents: list[Document]) -> int:
        """Independent documents (pages numbered on their own, or author-date styles, where each page is
        a document), formatted by as many pandoc processes at once as there are processors, each result
        kept in the cache for its page's own `format`. Returns how many were kept."""
        if self.store is None or self.broken:
            return 0
        waiting = []
        for document in documents:
            document = self._without(document, self.failed_keys)
            if not document.groups or document.nocite:
                continue
            try:
                digest, names, texts = self.digest(document)
            except CiteprocError:
                return 0
            if self.store.get(digest) is None:
                waiting.append((digest, document, names, texts))

        def run(job):
            digest, document, names, texts = job
            try:
                return digest, len(document.groups), self._run(document, names, texts)
            except CiteprocError:
                return digest, 0, None  # its page's own run reports it

        kept = 0
        with ThreadPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, 8))) as pool:  # pandoc runs in its own process
            for digest, groups, result in pool.map(run, waiting):
                if result is not None and len(result.citations) == groups:
                    self.store.put(digest, result)
                    kept += 1
        return kept

    def _run(self, document: Document, names: dict[str, str], texts: list[str]) -> DocumentResult:
        self.pandoc_runs += 1
        stand_ins = "".join(f"@misc{{h{index}, title = {{-}}}}\n" for index in document.dummies())
        output = run_citeproc(to_pandoc(document, names), "".join(texts) + stand_ins, self.style.path, self.locale)
        return from_pandoc(output, document, {name: key for key, name in names.items()})

    def _text(self, key: str, name: str) -> str:
        """The entry as pandoc reads it, named `name`; made once per build (an entry is in many pages)."""
        text = self._texts.get(key)
        if text is None:
            source = self.bibliography.get(key)
            assert source is not None, key
            text = self._texts[key] = biblatex_text(source, NAME_SLOT)
        return text.replace(NAME_SLOT, name, 1)

    def _unreadable(self, keys: list[str], names: dict[str, str]) -> set[str]:
        """The entries pandoc fails on alone (each tried in a document of its own), reported and kept
        out of later documents."""
        errors: dict[str, CiteprocError] = {}
        for key in keys:
            try:
                self._run(Document([], nocite=[key]), {key: "k0"}, [self._text(key, "k0")])
            except CiteprocError as error:
                errors[key] = error
        if len(errors) == len(keys):
            return set(errors)  # every entry fails alone: pandoc is what fails (`_processor_failed`)
        for key, why in errors.items():
            source = self.bibliography.get(key)
            assert source is not None
            self.report(Finding("unformattable_entry", f"entry '{source.key}' cannot be formatted by the citation style: {why}", file=source.file, line=source.line))
        self.failed_keys |= set(errors)
        return set(errors)

    def _processor_failed(self, error: CiteprocError) -> None:
        self.broken = True
        self.report(Finding("unformattable_entry", f"citation style {self.style.name} cannot be used: {error}; entries are formatted without it"))

    @staticmethod
    def _without(document: Document, keys: set[str]) -> Document:
        if not keys:
            return document
        groups = [[cite for cite in group if cite.key.lower() not in keys] for group in document.groups]
        return Document(groups, [k for k in document.hidden if k.lower() not in keys], [k for k in document.nocite if k.lower() not in keys])


def _version() -> str:
    from mkdocs_factcheck.version import __version__  # at call time: a new version (or a test's) changes every key

    return __version__
