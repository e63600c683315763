"""Citations and bibliography containers as ElementTree elements, which escape text and attributes."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.util import AtomicString

from mkdocs_factcheck.core.citations.syntax import CitationGroup, tidy_locator
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.reference_html import ResolvedCite, ref_id


def has_class(element: etree.Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


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


PENDING = "data-factcheck-pending"  # on a citation span until the tree processor renders it
PIECE = "data-factcheck-piece"  # marks where a prefix or suffix starts inside a pending citation
AFTER = "after"  # the piece holding the text after a citation taken with the next one (see inline.py)


def pending_citation(group: CitationGroup, index: int) -> etree.Element:
    """A citation as the inline pass leaves it: each prefix and suffix is the tail of a marker, so
    Python-Markdown renders its Markdown (code, emphasis, escapes, links, nested citations) like any
    text; the tree processor then lays the pieces out around the numbers (`render_citation`)."""
    span = etree.Element("span")
    span.set("class", "citation")
    span.set("data-cites", " ".join(group.keys))
    span.set(PENDING, str(index))
    for number, cite in enumerate(group.cites):
        for part, markdown in (("prefix", cite.prefix), ("suffix", tidy_locator(cite.suffix))):
            if markdown:
                marker = etree.SubElement(span, "span")
                marker.set(PIECE, f"{part}-{number}")
                marker.tail = markdown
    return span


Piece = tuple[str, list[etree.Element]]  # leading text, then elements (each with its tail)


def pending_in_reading_order(root: etree.Element) -> list[etree.Element]:
    """The pending citations as a reader meets them. Python-Markdown puts footnotes at the end of the
    page; pandoc numbers a footnote's citations where the footnote is marked, and so do we: each note's
    citations come at its first mark."""
    notes_block = root.find(".//div[@class='footnote']")
    if notes_block is None:
        return [element for element in root.iter("span") if PENDING in element.attrib]
    notes = {name: item for item in notes_block.iter("li") if (name := item.get("id"))}
    order: list[etree.Element] = []
    visited: set[str] = set()

    def walk(node: etree.Element) -> None:
        for child in node:
            if child is notes_block:
                continue
            if child.tag == "span" and PENDING in child.attrib:
                order.append(child)
            walk(child)
            if child.tag == "a" and has_class(child, "footnote-ref"):
                target = (child.get("href") or "").lstrip("#")
                if target in notes and target not in visited:
                    visited.add(target)
                    walk(notes[target])

    walk(root)
    for name, item in notes.items():  # notes no mark outside them points to: where Python-Markdown put them
        if name not in visited:
            visited.add(name)
            walk(item)
    return order


def emptied_citation(span: etree.Element, group: CitationGroup) -> dict[str, Piece]:
    """A pending citation made an empty `<span class="citation" data-cites="a b">` (its tail kept), to
    be filled; returns its rendered prefixes and suffixes (`take_pieces`)."""
    pieces = take_pieces(span)
    tail = span.tail
    span.clear()
    span.tail = tail
    span.set("class", "citation")
    span.set("data-cites", " ".join(cite.key for cite in group.cites))
    return pieces


def take_pieces(span: etree.Element) -> dict[str, Piece]:
    pieces: dict[str, Piece] = {}
    current: list[etree.Element] | None = None
    for child in list(span):
        name = child.get(PIECE)
        if name is not None:
            current = []
            pieces[name] = (child.tail or "", current)
        elif current is not None:
            current.append(child)
    return pieces


def append_piece(parent: etree.Element, piece: Piece) -> None:
    text, elements = piece
    append_text(parent, text)
    for element in elements:
        parent.append(element)


def render_citation(
    span: etree.Element,
    group: CitationGroup,
    cites: list[ResolvedCite],
    mode: str,
    unresolved_word: str,
    linked: bool = True,
) -> None:
    """Fill `span` (its tail kept) as pandoc writes a citation: `<span class="citation" data-cites="a b">`,
    each reference a link to its entry (a plain span inside link text, where links cannot nest)."""
    pieces = emptied_citation(span, group)
    author_year = mode == "author-year"
    layout = _Layout(span, pieces, author_year, unresolved_word, linked)
    pairs = list(zip(group.cites, cites, strict=True))
    if group.narrative:
        layout.narrative(pairs)
        return
    if not author_year and all(r.resolved and r.label.isdigit() and not c.prefix and not c.suffix for c, r in pairs):
        pairs.sort(key=lambda pair: int(pair[1].label))  # [1; 7; 8; 9], as numeric styles print a group
    append_text(span, "(" if author_year else "[")
    layout.cites(pairs, bare_locator=not group.source.startswith("["))
    append_text(span, ")" if author_year else "]")


class _Layout:
    def __init__(
        self, span: etree.Element, pieces: dict[str, Piece], author_year: bool, unresolved_word: str, linked: bool
    ):
        self.span, self.pieces, self.author_year, self.unresolved_word, self.linked = (
            span,
            pieces,
            author_year,
            unresolved_word,
            linked,
        )

    def cites(self, pairs: list, bare_locator: bool = False, first: int = 0) -> None:
        """`see 1, p. 3; 2`: each cite's prefix, label and suffix."""
        for index, (cite, resolved) in enumerate(pairs):
            number = first + index
            if index:
                append_text(self.span, "; ")
            prefix = self.pieces.get(f"prefix-{number}")
            if prefix:
                append_piece(self.span, prefix)
                append_text(self.span, " ")
            if not resolved.resolved:
                unresolved_marker(self.span, cite.key, self.unresolved_word)
            else:
                shown = resolved.year if (self.author_year and cite.suppress_author) else resolved.label
                citation_link(self.span, resolved, shown, self.linked)
            self.suffix(cite, number, locator=bare_locator and index == 0)

    def suffix(self, cite, number: int, locator: bool) -> None:
        piece = self.pieces.get(f"suffix-{number}")
        if piece:
            # `, p. 3` and a locator after a key keep a comma; `[@a and nowhere else]` has none
            append_text(self.span, ", " if locator or cite.suffix.lstrip().startswith(",") else " ")
            append_piece(self.span, piece)

    def narrative(self, pairs: list) -> None:
        """`Alpha [1, p. 33; see 2]` / `Alpha (2000, p. 33; see Beta, 2001)`."""
        (cite, resolved), rest = pairs[0], pairs[1:]
        if not resolved.resolved:
            unresolved_marker(self.span, cite.key, self.unresolved_word)
            if self.pieces.get("suffix-0") or rest:
                append_text(self.span, " [")
                self._narrative_rest(cite, rest)
                append_text(self.span, "]")
            return
        append_text(self.span, resolved.authors + (" (" if self.author_year else " ["))
        citation_link(self.span, resolved, resolved.year if self.author_year else resolved.label, self.linked)
        piece = self.pieces.get("suffix-0")
        if piece:
            append_text(self.span, ", ")
            append_piece(self.span, piece)
        if rest:
            append_text(self.span, "; ")
            self.cites(rest, first=1)
        append_text(self.span, ")" if self.author_year else "]")

    def _narrative_rest(self, cite, rest: list) -> None:
        piece = self.pieces.get("suffix-0")
        if piece:
            append_piece(self.span, piece)
        if rest:
            if piece:
                append_text(self.span, "; ")
            self.cites(rest, first=1)


def citation_link(
    parent: etree.Element, cite: ResolvedCite, text: str, linked: bool = True, anchored: bool = True
) -> etree.Element:
    """A reference's link to its entry, with the cite's anchor (unless `anchored` is false: a cite
    named twice in one citation has its anchor once) and the entry as its tooltip."""
    link = etree.SubElement(parent, "a" if linked else "span")
    link.set("class", "citation-ref")
    if linked:
        link.set("href", "#" + ref_id(cite.key))
        link.set("role", "doc-biblioref")
    if anchored:
        link.set("id", cite.anchor)
    if cite.tooltip:
        link.set("title", cite.tooltip)
    link.text = AtomicString(text) if text else None
    return link


def unresolved_marker(parent: etree.Element, key: str, unresolved_word: str) -> None:
    marker = etree.SubElement(parent, "span")
    marker.set("class", "citation-unresolved")
    marker.set("title", f"{unresolved_word}: {key}")
    marker.text = AtomicString("@" + key + "?")


def bibliography_container(title: str) -> etree.Element:
    """A page's `<div class="references" role="doc-bibliography">` with its heading, as elements, so that
    the table of contents lists the heading; the list itself goes in as HTML (see `bibliography_list`).
    The site's bibliography is HTML only (`reference_html.bibliography_opening`)."""
    container = etree.Element("div")
    container.set("class", "references factcheck-bibliography factcheck-bibliography-page")
    container.set("role", "doc-bibliography")
    # A page's bibliography stays out of Material's search index (the references page has every
    # entry), so searching a title does not match every page that cites it, and the index stays small.
    container.set("data-search-exclude", "")
    if title:
        heading = etree.SubElement(container, "h2")
        heading.set("id", "references")
        heading.text = AtomicString(title)
    return container


def finding_element(finding: Finding, severity: str) -> etree.Element:
    """An editor's note in the page: what is wrong here, with the kind to silence it by."""
    note = etree.Element("span")
    note.set("class", f"factcheck-finding finding-{severity}")
    note.set("data-kind", finding.kind)
    note.set("role", "note")
    note.text = AtomicString(f"{finding.place}: {finding.message} [{finding.kind}]")
    return note
