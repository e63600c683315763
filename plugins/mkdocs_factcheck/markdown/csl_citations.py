"""Citations as a CSL style writes them (pandoc's inlines, see `core/citeproc`), laid out in the page
with our conventions: `span.citation[data-cites]`, each entry's words a link to `#ref-KEY` with the
cite's anchor and the entry as its tooltip, a prefix's or suffix's rendered Markdown where the style
placed it, and unknown keys shown, not dropped."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from mkdocs_factcheck.core.citations.syntax import CitationGroup
from mkdocs_factcheck.core.formatting.csl.documents import CiteRequest
from mkdocs_factcheck.core.formatting.csl.inlines import Builder, render
from mkdocs_factcheck.core.formatting.reference_html import ResolvedCite
from mkdocs_factcheck.markdown.elements import (
    Piece,
    append_piece,
    append_text,
    citation_link,
    emptied_citation,
    take_pieces,
    unresolved_marker,
)


def requests_for(span: etree.Element, group: CitationGroup, resolved: list[ResolvedCite]) -> list[CiteRequest]:
    """What pandoc is given of a group: its resolved cites, their modes, and of each prefix and suffix
    only whether it is there, except a suffix's plain leading text (its locator)."""
    pieces = take_pieces(span)
    requests = []
    for number, (cite, result) in enumerate(zip(group.cites, resolved, strict=True)):
        if not result.resolved:  # given as a key pandoc does not find: the style puts it in its place
            requests.append(CiteRequest(cite.key, "normal", number=number, known=False))
            continue
        mode = (
            "author-in-text"
            if group.narrative and number == 0
            else "suppress-author"
            if cite.suppress_author
            else "normal"
        )
        suffix = pieces.get(f"suffix-{number}")
        markup = given_markup(suffix[1]) if suffix is not None and suffix[1] else None
        suffix_text = ""
        if suffix is not None:  # as pandoc reads it: `, p. 3`, ` and elsewhere` (no comma: none added), `p. 4`
            if cite.suffix.lstrip().startswith(","):
                suffix_text = f", {suffix[0]}"
            else:
                suffix_text = (" " if cite.suffix[:1].isspace() else "") + suffix[0]
        prefix = pieces.get(f"prefix-{number}")
        prefix_text = (
            (prefix[0] + "".join(etree.tostring(element, encoding="unicode", method="text") for element in prefix[1]))
            if prefix
            else ""
        )
        rest = bool(suffix and suffix[1]) and markup is None
        requests.append(CiteRequest(result.key, mode, prefix_text, suffix_text, rest, number, markup or ()))
    return requests


def given_markup(elements: list[etree.Element]) -> tuple[tuple[str, str], ...] | None:
    """A suffix's markup after its leading text as pandoc is given it (`CiteRequest.suffix_markup`), or
    None when an element holds more than text (a link, a citation, HTML): that goes as a placeholder."""
    pairs = []
    for element in elements:
        if element.tag not in GIVEN_TAGS or len(element) or element.attrib:
            return None
        pairs.append((str(element.tag), element.text or ""))
        if element.tail:
            pairs.append(("", element.tail))
    return tuple(pairs)


GIVEN_TAGS = {"em", "strong", "code", "sup", "sub"}


def render_csl_citation(
    span: etree.Element,
    group: CitationGroup,
    resolved: list[ResolvedCite],
    inlines: list,
    unresolved_word: str,
    linked: bool = True,
    failed: frozenset[str] = frozenset(),
) -> None:
    """`failed`: the (lower-cased) keys of entries pandoc could not format: shown by their key, linked."""
    pieces = emptied_citation(span, group)
    unknown = {
        number: (cite, result)
        for number, (cite, result) in enumerate(zip(group.cites, resolved, strict=True))
        if not result.resolved
    }
    # The suffix's leading text went to pandoc (which printed it, with its locator), and its markup too
    # when it is only emphasis or code: only other markup is placed. An unknown key's pieces went as
    # nothing: they stand with its marker, as written.
    kept = {
        name: pieces.pop(name)
        for number in unknown
        for name in (f"prefix-{number}", f"suffix-{number}")
        if name in pieces
    }
    pieces = {
        name: ("", [] if given_markup(piece[1]) is not None else piece[1]) if name.startswith("suffix-") else piece
        for name, piece in pieces.items()
    }
    pieces = {name: piece for name, piece in pieces.items() if piece[0] or piece[1]}
    formatted = [cite for cite in resolved if cite.resolved and cite.key.lower() not in failed]
    builder = _ElementBuilder(span, pieces, formatted, linked)
    builder.unknown = {
        f"missing-{number}": (cite, kept.get(f"prefix-{number}"), kept.get(f"suffix-{number}"), unresolved_word)
        for number, (cite, _) in unknown.items()
    }
    render(inlines, builder)
    for cite in resolved:
        if cite.resolved and cite.key.lower() in failed:
            append_text(span, " [")
            citation_link(span, cite, cite.key, linked)
            append_text(span, "]")
    for piece in builder.pieces.values():  # a piece the style did not place: kept, at the end
        append_text(span, " ")
        append_piece(span, piece)
    for cite in builder.unplaced():  # a collapsed range ("1–3") names its middle entries by no link
        anchor = etree.SubElement(span, "span")
        anchor.set("class", "citation-anchor")
        anchor.set("id", cite.anchor)
    for name in list(builder.unknown):  # a style that left it out (or a cache from before): at the end
        append_text(span, " ")
        builder.piece(name)


class _ElementBuilder(Builder):
    def __init__(self, span: etree.Element, pieces: dict[str, Piece], cites: list[ResolvedCite], linked: bool):
        super().__init__()
        self.stack = [span]
        self.pieces = pieces
        self.cites = cites
        self.linked = linked
        self.placed: set[str] = set()
        self.unknown: dict[str, tuple] = {}  # placeholder name -> (cite, prefix, suffix, word) of an unknown key

    def text(self, text: str) -> None:
        append_text(self.stack[-1], text)

    def open(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "a" and not self.linked:  # inside link text, where links cannot nest
            tag, attributes = "span", {}
        self.stack.append(etree.SubElement(self.stack[-1], tag, attributes))

    def close(self, tag: str) -> None:
        self.stack.pop()

    def piece(self, name: str) -> None:
        if name in self.unknown:
            self._unknown(*self.unknown.pop(name))
            return
        piece = self.pieces.pop(name, None)  # each once, whatever a style does with it
        if piece is not None:
            append_piece(self.stack[-1], piece)

    def _unknown(self, cite, prefix: Piece | None, suffix: Piece | None, unresolved_word: str) -> None:
        """`see @nokey?, p. 4`: an unknown key's marker with its prefix and suffix, as pybtex styles show it."""
        parent = self.stack[-1]
        if prefix:
            append_piece(parent, prefix)
            append_text(parent, " ")
        unresolved_marker(parent, cite.key, unresolved_word)
        if suffix:
            append_text(parent, ", " if cite.suffix.lstrip().startswith(",") else " ")
            append_piece(parent, suffix)

    def entry_link(self, key: str, inlines: list) -> None:
        cite = next((c for c in self.cites if c.key.lower() == key), None)
        if cite is None:  # not a key of this group (a tampered cache): its words only
            render(inlines, self)
            return
        link = citation_link(self.stack[-1], cite, "", self.linked, anchored=cite.anchor not in self.placed)
        self.placed.add(cite.anchor)
        self.stack.append(link)
        render(inlines, self)  # the style's words for it ("Onji et al., 1987, p. 3"), as AtomicStrings
        self.stack.pop()

    def unplaced(self) -> list[ResolvedCite]:
        return [cite for cite in self.cites if cite.anchor not in self.placed]
