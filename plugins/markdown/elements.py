"""Citations and bibliography containers as ElementTree elements, which escape text and attributes."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.util import AtomicString

from ..core.reference_html import ResolvedCite, ref_id
from ..core.syntax import CitationGroup, tidy_locator


def append_text(parent: etree.Element, text: str) -> None:
    """Add text after the last child of `parent` (ElementTree keeps it in the child's tail)."""
    if not text:
        return
    # AtomicString: no inline pattern may read this text again (an unresolved `@key` would loop).
    if len(parent):
        last = parent[-1]
        last.tail = AtomicString((last.tail or "") + text)
    else:
        parent.text = AtomicString((parent.text or "") + text)


def render_citation(span: etree.Element, group: CitationGroup, cites: list[ResolvedCite], mode: str, unresolved_word: str) -> None:
    """Fill `span` (its tail kept) as pandoc writes a citation: `<span class="citation" data-cites="a b">`,
    each reference a link to its entry."""
    tail = span.tail
    span.clear()
    span.tail = tail
    span.set("class", "citation")
    span.set("data-cites", " ".join(cite.key for cite in group.cites))
    author_year = mode == "author-year"
    if group.narrative:
        _narrative(span, group, cites[0], author_year, unresolved_word)
        return
    opening, closing = ("(", ")") if author_year else ("[", "]")
    append_text(span, opening)
    pairs = list(zip(group.cites, cites, strict=True))
    if not author_year and all(r.resolved and r.label.isdigit() and not c.prefix and not c.suffix for c, r in pairs):
        pairs.sort(key=lambda pair: int(pair[1].label))  # [1; 7; 8; 9], as numeric styles print a group
    for index, (cite, resolved) in enumerate(pairs):
        if index:
            append_text(span, "; ")
        if cite.prefix:
            append_text(span, cite.prefix + " ")
        if not resolved.resolved:
            _unresolved(span, cite.key, unresolved_word)
        else:
            shown = resolved.year if (author_year and cite.suppress_author) else resolved.label
            _link(span, resolved, shown)
        locator = tidy_locator(cite.suffix)
        if locator:
            append_text(span, ", " + locator)
    append_text(span, closing)


def _narrative(span: etree.Element, group: CitationGroup, cite: ResolvedCite, author_year: bool, unresolved_word: str) -> None:
    locator = tidy_locator(group.cites[0].suffix)
    if not cite.resolved:
        _unresolved(span, cite.key, unresolved_word)
        if locator:
            append_text(span, f" [{locator}]")
        return
    append_text(span, cite.authors + (" (" if author_year else " ["))
    _link(span, cite, cite.year if author_year else cite.label)
    if locator:
        append_text(span, ", " + locator)
    append_text(span, ")" if author_year else "]")


def _link(parent: etree.Element, cite: ResolvedCite, text: str) -> None:
    link = etree.SubElement(parent, "a")
    link.set("class", "citation-ref")
    link.set("href", "#" + ref_id(cite.key))
    link.set("id", cite.anchor)
    link.set("role", "doc-biblioref")
    if cite.tooltip:
        link.set("title", cite.tooltip)
    link.text = AtomicString(text)


def _unresolved(parent: etree.Element, key: str, unresolved_word: str) -> None:
    marker = etree.SubElement(parent, "span")
    marker.set("class", "citation-unresolved")
    marker.set("title", f"{unresolved_word}: {key}")
    marker.text = AtomicString("@" + key + "?")


def bibliography_container(title: str, heading_id: str = "references", site: bool = False) -> etree.Element:
    """`<div class="references" role="doc-bibliography">` with its heading, as elements, so that the
    table of contents lists the heading; the list itself goes in as HTML (see `bibliography_list`)."""
    kind = "factcheck-bibliography-site" if site else "factcheck-bibliography-page"
    container = etree.Element("div")
    container.set("class", f"references factcheck-bibliography {kind}")
    container.set("role", "doc-bibliography")
    if not site:
        # A page's bibliography stays out of Material's search index (the references page has every
        # entry), so searching a title does not match every page that cites it, and the index stays small.
        container.set("data-search-exclude", "")
    if title:
        heading = etree.SubElement(container, "h2")
        heading.set("id", heading_id)
        heading.text = AtomicString(title)
    return container


