"""Bibliography lists: a page's (the entries it cites) and the site's (every entry, or those a block's
filter keeps), in bibliography order, each entry with its label, text, links, status and links back.
Entry texts are made once per build: the same entry reads the same on every list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mkdocs_factcheck.core.bibliography.entry_filter import EntryFilter
from mkdocs_factcheck.core.citations.labels import Numbering
from mkdocs_factcheck.core.formatting.csl import inlines
from mkdocs_factcheck.core.formatting.csl.documents import Document, DocumentResult
from mkdocs_factcheck.core.formatting.reference_html import (
    bibliography_block,
    bibliography_list,
    entry_body,
    item_html,
    label_text,
)

if TYPE_CHECKING:
    from mkdocs_factcheck.core.citations.engine import Engine, PageState


class BibliographyLists:
    """The lists of one build's engine."""

    def __init__(self, engine: Engine, csl_entries: inlines.RenderedEntries):
        self.engine = engine
        self._csl_entries = csl_entries
        self._bodies: dict[str, str] = {}
        self._csl_bodies: dict[tuple[str, str], str] = {}

    def item(self, key: str, numbering: Numbering, backlinks: list[tuple[str, str]]) -> str:
        label = label_text(self.engine.labeller.label(key, numbering), self.engine.mode)
        return item_html(key, label, self.entry_body(key), backlinks, self.engine.words["back_to_citation"])

    def entry_body(self, key: str) -> str:
        """An entry's formatted text, links and status: the same on every page that lists it, so made
        once per build. Statuses are per entry and fixed for the build (the verifier's is a placeholder
        that is filled in when the page is written)."""
        body = self._bodies.get(key.lower())
        if body is None:
            body = self._bodies[key.lower()] = entry_body(
                self.engine.formatter.html(key), self.engine.formatter.links_html(key), self.engine.entry_status(key)
            )
        return body

    def page(self, page: PageState) -> str:
        """The `<ol>` of the entries cited in a page, in bibliography order, with links back; empty if none."""
        keys = page.cited_keys()
        if page.nocite:
            keys += [key for key in self.engine.nocite_keys(page) if key.lower() not in {k.lower() for k in keys}]
        if not keys:
            return ""
        backlinks_for = page.backlinks()
        if page.csl is not None:
            return self.csl_list(page.csl, {key.lower() for key in keys}, backlinks_for)
        return bibliography_list(
            [self.item(key, page.numbering, backlinks_for(key)) for key in self.ordered(keys, page.numbering)]
        )

    def ordered(self, keys: list[str], numbering: Numbering) -> list[str]:
        """Bibliography order: by number for numeric labels, by the style's sorting otherwise."""
        if self.engine.labeller.uses_numbers:
            return sorted(keys, key=lambda k: numbering.number(k))
        if self.engine.mode == "author-year":
            return sorted(keys, key=lambda k: (self.engine.labeller.authors(k).lower(), self.engine.labeller.year(k)))
        entries = self.engine.style.sort([self.engine.bibliography.get(k).entry for k in keys])  # type: ignore[union-attr]
        return [entry.key for entry in entries]

    def csl_list(
        self, result: DocumentResult, keys: set[str], backlinks_for: Callable[[str], list[tuple[str, str]]]
    ) -> str:
        """The `<ol>` of those of `keys` (lower-cased) that the style listed, in its order."""
        csl = self.engine.csl
        assert csl is not None
        items = []
        for entry in result.entries:
            if entry.key not in keys:
                continue
            source = self.engine.bibliography.get(entry.key)
            assert source is not None
            html, text = self._csl_entries.of(entry.body)
            body = self._csl_bodies.get((entry.key, html))
            if body is None:  # with its links and status: once per build for each way it is written
                body = self._csl_bodies[(entry.key, html)] = entry_body(
                    html, self.engine.formatter.links_html(source.key, shown=text), self.engine.entry_status(source.key)
                )
            items.append(
                item_html(
                    source.key,
                    inlines.text(entry.label),
                    body,
                    backlinks_for(source.key),
                    self.engine.words["back_to_citation"],
                )
            )
        for key in sorted(keys & csl.failed_keys):  # formatted without the style, and listed all the same
            source = self.engine.bibliography.get(key)
            assert source is not None
            items.append(
                item_html(
                    source.key,
                    "",
                    self.entry_body(source.key),
                    backlinks_for(source.key),
                    self.engine.words["back_to_citation"],
                )
            )
        return bibliography_list(items)

    def site(self, backlinks_for, entry_filter: EntryFilter | None = None, title: str | None = None) -> str:
        """Every entry of the bibliography files (those `entry_filter` keeps); cited ones keep their
        numbers, the rest follow."""
        numbering = self.engine.site_numbering or Numbering()
        keys = self.engine.bibliography.keys()
        if entry_filter:
            cited = self.engine.cited_keys()
            keys = [key for key in keys if entry_filter.keeps(self.engine.bibliography.get(key), cited)]
        title = self.engine.words["bibliography_title"] if title is None else title
        heading_id = "bibliography" + ("-" + entry_filter.slug() if entry_filter else "")
        csl = self.engine.csl
        if csl is not None:
            numeric = csl.style.numeric
            hidden = numbering.ordered_keys() if numeric else []
            # As the site's document lists them, or listed; the cited first, with their numbers.
            site_document = self.engine.csl_site
            result = site_document.result() if site_document is not None else csl.format(Document([], hidden, keys))
            if result is not None:
                return bibliography_block(
                    self.csl_list(result, {key.lower() for key in keys}, backlinks_for), title, heading_id, site=True
                )
        items = [self.item(key, numbering, backlinks_for(key)) for key in self.ordered(keys, numbering)]
        return bibliography_block(bibliography_list(items), title, heading_id, site=True)
