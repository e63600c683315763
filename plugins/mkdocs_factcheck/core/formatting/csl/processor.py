"""Formatting documents with a CSL style: the entries as pandoc reads them, one pandoc run per
document not formatted before, and a failure that degrades the entries it comes from, never the build."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from mkdocs_factcheck.core.bibliography.files import Bibliography
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.csl import pandoc
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
from mkdocs_factcheck.core.formatting.csl.documents import Document, DocumentResult, from_pandoc, to_pandoc
from mkdocs_factcheck.core.formatting.csl.entries import NAME_SLOT, biblatex_text
from mkdocs_factcheck.core.formatting.csl.pandoc import (
    CiteprocError,
    CiteprocTimeoutError,
    pandoc_version,
    run_citeproc,
)
from mkdocs_factcheck.core.formatting.csl.styles import CSLStyle


class CSLFormatter:
    """Formats documents for one build. `pandoc_runs` is read by the tests and the benchmark."""

    def __init__(
        self,
        style: CSLStyle,
        locale: str,
        bibliography: Bibliography,
        report: Callable[[Finding], None],
        store: DocumentCache | None = None,
    ):
        self.style = style
        self.locale = locale or style.default_locale or "en-US"
        self.bibliography = bibliography
        self.report = report
        self.store = store
        self.pandoc_runs = 0
        self.failed_keys: set[str] = set()  # entries pandoc cannot read: left out of every document
        self.broken = False  # pandoc cannot run: every page is labelled without the style
        self.timeouts_give_up = True  # a timeout gives the style up (the site's document has a way back)
        self._texts: dict[str, str] = {}
        self._last_digest: tuple[Document, tuple[str, dict[str, str], list[str]]] | None = None
        self.collected: list[Document] | None = None  # collecting (see `collecting`): documents, no pandoc

    def collecting(self) -> None:
        """From now on, `format` only notes the documents it is given (the pages read ahead)."""
        self.collected = []

    def digest(self, document: Document) -> tuple[str, dict[str, str], list[str]]:
        """The document's key in the cache, the names its keys go to pandoc under, and its entries as
        pandoc reads them. Raises CiteprocError when pandoc cannot be run (its version is in the key)."""
        if self._last_digest is not None and self._last_digest[0] is document:
            return self._last_digest[1]  # asked by `cached`, then by `format`
        keys = document.keys()
        names = {key: f"k{index}" for index, key in enumerate(keys)}
        texts = [self._text(key, names[key]) for key in keys]
        identity = [
            "factcheck-csl-2",
            _version(),
            pandoc_version(),
            self.style.digest,
            self.locale,
            document.identity(),
            texts,
        ]
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
            if stored is not None and fits(stored, document):
                return stored
            if stored is not None:
                self.store.drop(digest)  # not this document's (a damaged or edited cache): formatted again
            if self.store.timed_out(digest):  # in an earlier build: it would take as long again
                self._timed_out(CiteprocTimeoutError(f"pandoc took more than {pandoc.TIMEOUT:g} s in an earlier build"))
                return None
        try:
            result = self._run(document, names, texts)
        except CiteprocError as error:
            if isinstance(error, CiteprocTimeoutError) and self.store is not None:
                self.store.note_timeout(digest)
            if self.broken or isinstance(error, CiteprocTimeoutError):
                return None  # timed out: nothing tried again
            bad = self._unreadable(keys, names) if len(keys) > 1 else set(keys)
            if self.broken:
                return None
            if not bad or bad == set(keys):
                self._processor_failed(error)
                return None
            return self.format(document)  # without the entries found bad (now in failed_keys)
        if self.store is not None:
            self.store.put(digest, result)
        return result

    def format_page(self, document: Document, read_ahead: Callable[[], list[Document]] | None) -> DocumentResult | None:
        """A page's document, as `format` makes it, or None (the caller labels the page without the
        style). The first page of a build not in the cache calls `read_ahead` for the documents of the
        pages still to come and formats them first, each on its own, several at once. (A site that is
        one document is formatted by `format_site`.)"""
        if document.groups and read_ahead is not None and not self.cached(document):
            self.format_each(read_ahead())
        return self.format(document) if document.groups or document.nocite else DocumentResult([], [])

    def format_site(
        self, documents: list[Document], nocite: list[str]
    ) -> tuple[DocumentResult, list[DocumentResult]] | None:
        """The site as one document: every page's groups in site order, and `nocite` (the entries the
        site lists without citing them). Returns its result and each page's part of it: the page's
        citations, and the entries of its keys as the site lists them (label, number and text alike on
        every page). None if the style cannot be used, or the site's document timed out (`broken` is
        then False: its pages can still be formatted each on its own)."""
        self.timeouts_give_up = False
        try:
            result = self.format(Document([group for document in documents for group in document.groups], [], nocite))
        finally:
            self.timeouts_give_up = True
        if result is None:
            return None
        parts = []
        offset = 0
        for document in documents:
            own = set(document.keys())
            parts.append(
                DocumentResult(
                    result.citations[offset : offset + len(document.groups)],
                    [entry for entry in result.entries if entry.key in own],
                )
            )
            offset += len(document.groups)
        return result, parts

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
        with ThreadPoolExecutor(
            max_workers=max(1, min(os.cpu_count() or 1, 8))
        ) as pool:  # pandoc runs in its own process
            for digest, groups, result in pool.map(run, waiting):
                if result is not None and len(result.citations) == groups:
                    self.store.put(digest, result)
                    kept += 1
        return kept

    def _run(self, document: Document, names: dict[str, str], texts: list[str]) -> DocumentResult:
        """One pandoc run. A timeout gives the style up for the build (reported once): each later run,
        and each entry tried alone, could wait as long again. JSON of another shape than pandoc's is
        a failure like any other."""
        if self.broken:
            raise CiteprocError("the style was given up")
        self.pandoc_runs += 1
        stand_ins = "".join(f"@misc{{h{index}, title = {{-}}}}\n" for index in document.dummies())
        try:
            output = run_citeproc(to_pandoc(document, names), "".join(texts) + stand_ins, self.style.path, self.locale)
        except CiteprocTimeoutError as error:
            self._timed_out(error)
            raise
        try:
            result = from_pandoc(output, document, {name: key for key, name in names.items()})
        except (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError):
            raise CiteprocError("pandoc wrote JSON of another shape than a document") from None
        if not fits(result, document):
            raise CiteprocError("pandoc's document does not hold the citations it was given")
        return result

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
            if self.broken:
                return set()
            try:
                self._run(Document([], nocite=[key]), {key: "k0"}, [self._text(key, "k0")])
            except CiteprocError as error:
                errors[key] = error
        if len(errors) == len(keys):
            return set(errors)  # every entry fails alone: pandoc is what fails (`_processor_failed`)
        for key, why in errors.items():
            source = self.bibliography.get(key)
            assert source is not None
            self.report(
                Finding(
                    "unformattable_entry",
                    f"entry '{source.key}' cannot be formatted by the citation style: {why}",
                    file=source.file,
                    line=source.line,
                )
            )
        self.failed_keys |= set(errors)
        return set(errors)

    def _timed_out(self, error: CiteprocTimeoutError) -> None:
        if self.timeouts_give_up:
            self._processor_failed(error)

    def _processor_failed(self, error: CiteprocError) -> None:
        if self.broken:
            return
        self.broken = True
        self.report(
            Finding(
                "unformattable_entry",
                f"citation style {self.style.name} cannot be used: {error}; entries are formatted without it",
            )
        )

    @staticmethod
    def _without(document: Document, keys: set[str]) -> Document:
        if not keys:
            return document
        groups = [[cite for cite in group if cite.key.lower() not in keys] for group in document.groups]
        return Document(
            groups,
            [k for k in document.hidden if k.lower() not in keys],
            [k for k in document.nocite if k.lower() not in keys],
        )


def fits(result: DocumentResult, document: Document) -> bool:
    """Whether a result (pandoc's, or the cache's) is one of this document: a citation for each group,
    and entries of its keys only."""
    keys = set(document.keys())
    return len(result.citations) == len(document.groups) and all(entry.key in keys for entry in result.entries)


def _version() -> str:
    from mkdocs_factcheck.version import __version__  # at call time: a new version (or a test's) changes every key

    return __version__
