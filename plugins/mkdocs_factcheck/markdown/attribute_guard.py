"""A paragraph's claim attributes (`{: .claim verdict=... note="Only *some* of them."}` on its last line)
kept out of the inline pass: attr_list reads them only after it, and emphasis or a link rendered inside
the note splits the attribute list across elements, so that attr_list no longer sees it and the reader
gets the editor's markup as text. The note's Markdown is rendered from the attribute, as an inline
claim's is (`cleanup.PlaceholderCleanup.note_text`)."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import util
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from mkdocs_factcheck.markdown.inline import looks_like_claim

CLAIM_ATTRIBUTES = AttrListTreeprocessor.BLOCK_RE  # attr_list's own pattern for a block's last line


def escaped_quotes(line: str) -> str:
    """`note="Say \\"hi\\"."`, as pandoc writes a quote in a quoted value: attr_list knows no escapes,
    so each escaped quote goes to it as Python-Markdown keeps an escaped character (STX 34 ETX), which
    the cleanup reads back as the quote."""
    return (
        line.replace('\\"', f"{util.STX}34{util.ETX}").replace("\\'", f"{util.STX}39{util.ETX}")
        if "\\" in line
        else line
    )


class HoldClaimAttributes(Treeprocessor):
    """Before the inline pass: a text-only block's last line of claim attributes is taken out."""

    def __init__(self, md) -> None:
        super().__init__(md)
        self.held: list[tuple[etree.Element, str]] = []

    def run(self, root: etree.Element) -> None:
        self.held = []
        for element in root.iter():
            if len(element) or not element.text or "{" not in element.text or isinstance(element.text, AtomicString):
                continue  # a block with children has no raw last line yet; code keeps its text
            match = CLAIM_ATTRIBUTES.search(element.text)
            if match is not None and looks_like_claim(match[1]):
                self.held.append((element, escaped_quotes(element.text[match.start() :])))
                element.text = element.text[: match.start()]


class PutBackClaimAttributes(Treeprocessor):
    """After the inline pass, before attr_list: each line held goes back at the end of its block."""

    def __init__(self, md, holder: HoldClaimAttributes) -> None:
        super().__init__(md)
        self.holder = holder

    def run(self, root: etree.Element) -> None:
        for element, line in self.holder.held:
            if len(element):
                element[-1].tail = (element[-1].tail or "") + line
            else:
                element.text = (element.text or "") + line


def unread(holder: HoldClaimAttributes) -> list[str]:
    """After attr_list: the attribute lists it left as text (it cannot read them, or it is not enabled),
    each still at the end of its block; the page's claims are then reported as not made."""
    left = []
    for element, line in holder.held:
        end = element[-1].tail if len(element) else element.text
        if end and end.endswith(line):
            left.append(line)
    holder.held = []
    return left
