"""Python-Markdown's placeholders out of what claims and the citation-needed check read.

After the inline pass a page still holds escapes as `STX code ETX` (decoded at the very end) and raw
HTML as `STX wzxhzdk:N ETX`; an attribute such as a claim's `note` holds them too. The claims' text,
notes, JSON-LD, `factcheck.json` and findings must read plain text instead.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import util
from markdown.treeprocessors import Treeprocessor

from mkdocs_factcheck.markdown.elements import AFTER, PIECE, has_class
from mkdocs_factcheck.markdown.inline import ESCAPED, PASSED_OVER, RUN, PassOver, decode_escaped, with_raw_html

NOTE_ATTRIBUTES = ("note", "data-note")
# Python-Markdown writes an autolinked e-mail address as entities behind its own `&` placeholder.
ENTITY = re.compile(re.escape(util.AMP_SUBSTITUTE) + r"(#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z]+;)")


class PlaceholderCleanup(Treeprocessor):
    def __init__(self, md) -> None:
        super().__init__(md)
        self.encoded: list[tuple[etree.Element, str]] = []  # e-mail texts read as text, put back after

    def run(self, root: etree.Element) -> None:
        self.repair_placeholders(root)  # first: reading a claim's note runs the inline pass again
        unwrap_runs(root)
        self.encoded = []
        # One pass: each element's e-mail text and notes are read before its escapes are decoded.
        for element in root.iter():
            if element.get(PASSED_OVER) is not None:
                del element.attrib[PASSED_OVER]
                element.text = str(element.text)  # later tree processors (smarty, abbr) read it
            if element.text and util.AMP_SUBSTITUTE in element.text:
                self.encoded.append((element, element.text))
                element.text = ENTITY.sub(lambda match: html.unescape("&" + match[1]), element.text)
            if has_class(element, "claim"):
                for name in NOTE_ATTRIBUTES:
                    value = element.get(name)
                    if value:
                        element.set(name, self.note_text(value))
            decode_element(element)  # Python-Markdown decodes them again at its own place: nothing left then

    def repair_placeholders(self, root: etree.Element) -> None:
        """Python-Markdown's emphasis can eat part of an inline placeholder (`*x *e* _ `c` *e*` leaves
        `klzzwxh:0000` in the page, with or without this extension); each placeholder left is replaced by
        what it stands for, which the inline pass still holds, and so are those inside what it restores
        (the inline pass never reached them)."""
        inline = self.md.treeprocessors["inline"] if "inline" in self.md.treeprocessors else None
        stashed = getattr(inline, "stashed_nodes", None)
        if not stashed:
            return
        waiting = list(root.iter())
        placed = {id(node) for node in waiting}  # a node is put back only where it is not already
        while waiting:
            parent = waiting.pop()
            restored: list[etree.Element] = []
            if parent.text and "\x03" in parent.text:
                parent.text = _restore(parent, -1, parent.text, stashed, placed, restored)
            if parent.text and ("\x02" in parent.text or "klzz" in parent.text):
                parent.text = TORN_START.sub("", parent.text)
            for index in range(len(parent) - 1, -1, -1):
                child = parent[index]
                if child.tail and "\x03" in child.tail:
                    child.tail = _restore(parent, index, child.tail, stashed, placed, restored)
                if child.tail and ("\x02" in child.tail or "klzz" in child.tail):
                    child.tail = TORN_START.sub("", child.tail)
            for node in restored:
                waiting.extend(node.iter())

    def note_text(self, value: str) -> str:
        """A note's Markdown (`*see* the [label](url)`, `\\*`) as the text a reader reads; inline HTML in a
        note is shown as written (a note is text in a badge and in JSON-LD, never markup)."""
        # Back to `\*`; a character Markdown does not escape (an escaped quote) as itself.
        markdown = ESCAPED.sub(
            lambda match: ("\\" if chr(int(match[1])) in self.md.ESCAPED_CHARS else "") + chr(int(match[1])), value
        )
        holder = etree.Element("div")
        paragraph = etree.SubElement(holder, "p")
        paragraph.text = markdown
        # The page's inline pass is over, so its processor can render this detached paragraph.
        if "inline" in self.md.treeprocessors:
            self.md.treeprocessors["inline"].run(holder)
        decode_escapes(holder)
        text = with_raw_html(self.md, "".join(paragraph.itertext()))
        return re.sub(r"\s+", " ", text).strip()


# An inline placeholder (`STX klzzwxh:0012 ETX`, five digits from the 10,000th), whole or with its
# start eaten; when emphasis closed inside one, its start (`STX kl`) is left at the end of the
# emphasis' text and its end in the tail. Never taken for one: an escape (`STX 8217 ETX`, digits right
# after STX) and a raw HTML placeholder (`STX wzxhzdk:1234 ETX`, which also ends in `k:` and digits).
LEFT_PLACEHOLDER = re.compile("(?:(?<!wzxhzd)(?<!wzxhzdk)\x02?k?l?z?z?w?x?h?:|(?<![\x02\\d:]))([0-9]{4,})\x03")
TORN_START = re.compile("(?:\x02k?l?z?z?w?x?h?:?|\x02?klzzw?x?h?:?)$")  # "klzz" ends no word


def _restore(parent: etree.Element, after: int, text: str, stashed: dict, placed: set[int], restored: list) -> str:
    """`text` (the text of `parent` when `after` is -1, else the tail of its child `after`) with its
    placeholders replaced by their nodes, inserted after it; returns what stays as that text."""
    pieces = LEFT_PLACEHOLDER.split(text)  # text, id, text, id, ..., text
    position = after + 1
    for number in range(1, len(pieces), 2):
        node = stashed.get(pieces[number])
        rest = pieces[number + 1]
        if isinstance(node, etree.Element) and id(node) not in placed:
            node.tail = (node.tail or "") + rest
            parent.insert(position, node)
            placed.update(id(inner) for inner in node.iter())
            restored.append(node)
            position += 1
        else:  # a string; an element in the tree already (once is enough); no such placeholder: as it is
            shown = (
                ""
                if isinstance(node, etree.Element)
                else str(node)
                if node is not None
                else f"klzzwxh:{pieces[number]}\x03"
            )
            if position == after + 1:
                pieces[0] += shown + rest
            else:
                previous = parent[position - 1]
                previous.tail = (previous.tail or "") + shown + rest
    return pieces[0]


def unwrap_runs(root: etree.Element) -> None:
    """Citations taken in one match (see `CitationProcessor`) become siblings in their paragraph again,
    each followed by its text; each parent is rebuilt once, innermost first (the text between two
    spans of a run may hold a run of citations)."""
    for parent in reversed(list(root.iter())):
        if not any(child.get(RUN) is not None for child in parent):
            continue
        children: list[etree.Element] = []
        for child in parent:
            if child.get(RUN) is None:
                children.append(child)
                continue
            children.extend(_gather(child[0]))
            children[-1].tail = (children[-1].tail or "") + (child.tail or "")
        parent[:] = children


def _gather(body: etree.Element) -> list[etree.Element]:
    """A run's citations, each with its pieces back inside it as `pending_citation` made them (a marker
    whose tail is the piece's text, then the piece's elements); the text after a citation is its tail
    and the elements of that text follow it."""
    siblings: list[etree.Element] = []
    citation = body  # the first child is always a citation
    for child in list(body):
        piece = child.get(PIECE)
        if piece is None:
            citation = child
            siblings.append(child)
            continue
        text, elements = child.text, list(child)
        if isinstance(text, PassOver):
            text = str(text)  # later tree processors (smarty, abbr) read it, as they did before
        if piece == AFTER:
            citation.tail = text
            siblings.extend(elements)
            continue
        del child[:]
        child.text, child.tail = None, text
        citation.append(child)
        citation.extend(elements)
    return siblings


def decode_escapes(root: etree.Element) -> None:
    """What Python-Markdown's unescape step does (code keeps its text), only where an escape is."""
    for element in root.iter():
        decode_element(element)


def decode_element(element: etree.Element) -> None:
    if element.text and util.STX in element.text and element.tag != "code":
        element.text = decode_escaped(element.text)
    if element.tail and util.STX in element.tail:
        element.tail = decode_escaped(element.tail)
    for name, value in element.items():
        if "wzxhzdk" in name or "klzzwxh" in name:
            # attr_list makes a name of raw HTML or code written in `{...}` (`*x*{ <b>y</b> }` gives
            # `_wzxhzdk:0_y_wzxhzdk:1_`, with or without this extension): no attribute of the page.
            del element.attrib[name]
        elif value and util.STX in value:  # attr_list leaves a bare name's value None
            element.set(name, decode_escaped(value))


class RestoreEncoded(Treeprocessor):
    """After claims and the citation-needed check have read them, e-mail addresses go back to the
    entities Python-Markdown writes them as."""

    def __init__(self, md, cleanup: PlaceholderCleanup) -> None:
        super().__init__(md)
        self.cleanup = cleanup

    def run(self, root: etree.Element) -> None:
        for element, text in self.cleanup.encoded:
            element.text = text
        self.cleanup.encoded = []
