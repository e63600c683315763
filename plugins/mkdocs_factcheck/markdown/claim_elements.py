"""Claims in the page: elements with class `claim`, the citations that are their sources, and their
verdict badges."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown.util import HTML_PLACEHOLDER_RE

from mkdocs_factcheck.core.claims.claim import CLAIM_STATUS_CLASS, NOT_RATED, NOT_RATED_ICON
from mkdocs_factcheck.core.claims.scale import Scale
from mkdocs_factcheck.markdown.elements import has_class

# Elements whose content may hold a block: a block claim of one of these (without text of its own
# before its first child) gets its badge as a block at its top. Any other (a paragraph, a heading, a
# tight list item) gets it inline at its end, where a `<div>` would be invalid HTML.
FLOW_CONTAINERS = frozenset(
    {"div", "section", "article", "aside", "blockquote", "li", "dd", "td", "th", "details", "figure"}
)
SENTENCE_END = re.compile(r"[.!?](?:[\"'”’)\]]*)(?:\s|$)")


def is_footnote_mark(node: etree.Element) -> bool:
    """A footnote's number in the text (`<sup id="fnref:n">`): no word of the claim."""
    return node.tag == "sup" and (node.get("id") or "").startswith("fnref")


def plain_text(element: etree.Element, skip_classes: tuple[str, ...] = ("citation", "claim-verdict")) -> str:
    """The reader's text of an element, without its citations and badges."""
    parts: list[str] = []

    def walk(node: etree.Element) -> None:
        if node is not element and (any(has_class(node, name) for name in skip_classes) or is_footnote_mark(node)):
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            # code spans hold their text HTML-escaped already; the claim's text is plain text
            parts.append(html.unescape(node.text) if node.tag == "code" else node.text)
        for child in node:
            walk(child)
        if node is not element and node.tail:
            parts.append(node.tail)

    walk(element)
    text = HTML_PLACEHOLDER_RE.sub("", "".join(parts))  # inline raw HTML tags are markup, not text
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([.,;:!?])", r"\1", text)  # where a citation was taken out before punctuation


def citations_in(element: etree.Element) -> list[etree.Element]:
    return [node for node in element.iter("span") if has_class(node, "citation")]


def following_citations(siblings: list[etree.Element], position: int) -> list[etree.Element]:
    """Citations right after the inline claim at `siblings[position]`, up to the end of its sentence.
    The caller lists the siblings once per parent: a paragraph with many claims stays linear."""
    found = []
    text_between = siblings[position].tail or ""
    position += 1
    while position < len(siblings):
        if SENTENCE_END.search(text_between):
            break
        node = siblings[position]
        if node.tag == "span" and has_class(node, "citation"):
            found.append(node)
        elif node.tag == "span" and has_class(node, "claim"):
            break
        text_between = node.tail or ""
        position += 1
    return found


def badge_placement(element: etree.Element, block: bool) -> str:
    if not block:
        return "sentence"
    if element.tag in FLOW_CONTAINERS and not (element.text or "").strip():
        return "block"
    return "end"


def append_inline(element: etree.Element, verdict: etree.Element) -> None:
    """A badge at the end of a paragraph's text, on its line, after one space."""
    if len(element):
        element[-1].tail = (element[-1].tail or "").rstrip() + " "
    else:
        element.text = (element.text or "").rstrip() + " "
    element.append(verdict)


class BadgePlacer:
    """Inline badges go after an element of their parent (the claim, or the last citation of its
    sentence). Each parent's children are listed once and the badges inserted in one pass at the end:
    looking positions up as badges go in would take time quadratic in the claims of a paragraph."""

    def __init__(self) -> None:
        self._siblings: dict[etree.Element, list[etree.Element]] = {}
        self._position: dict[etree.Element, int] = {}
        self._after: dict[etree.Element, dict[etree.Element, list[etree.Element]]] = {}

    def siblings(self, parent: etree.Element, child: etree.Element) -> tuple[list[etree.Element], int]:
        children = self._siblings.get(parent)
        if children is None:
            children = self._siblings[parent] = list(parent)
            self._position.update((node, index) for index, node in enumerate(children))
        return children, self._position[child]

    def after(self, parent: etree.Element, anchor: etree.Element, verdict: etree.Element) -> None:
        self._after.setdefault(parent, {}).setdefault(anchor, []).append(verdict)

    def insert_all(self) -> None:
        for parent, anchors in self._after.items():
            rebuilt = []
            for child in list(parent):
                rebuilt.append(child)
                previous = child
                for verdict in anchors.get(child, ()):
                    verdict.tail, previous.tail = previous.tail, " "  # the text after the anchor follows the badge
                    rebuilt.append(verdict)
                    previous = verdict
            parent[:] = rebuilt
        self._after.clear()


def badge(
    scale: Scale,
    verdict_name: str | None,
    note: str,
    placement: str = "block",
    caveat: str = "",
    claim_id: str = "",
    deferred_caveat: bool = False,
    stop_follows: bool = False,
) -> etree.Element:
    """A visible, accessible verdict: icon and label (never colour alone), then what the build knows
    against it (`caveat`, in words: no source, sources not found), then the reviewer's note. An unknown
    or missing verdict reads "Not rated": the raw value is the editors' business (see the findings).
    `deferred_caveat` leaves a slot that the plugin fills once the online checks are known (a claim
    whose only sources turn out to be retracted).
    `placement`: "block" (a div heading a block claim), "end" (a span closing a paragraph) or
    "sentence" (a span inside a sentence); `stop_follows`: the sentence's full stop comes right after
    the badge, so the note's own goes (never an ellipsis's)."""
    verdict = scale.get(verdict_name)
    holder = etree.Element("div" if placement == "block" else "span")
    holder.set("class", "claim-verdict")
    chip = etree.SubElement(holder, "span")
    name = verdict.name if verdict else "unrated"
    label = verdict.label if verdict else NOT_RATED
    chip.set("class", f"verdict-badge verdict-{name}")
    chip.set("data-verdict", name)
    if verdict:
        chip.set("style", f"--verdict-color: {verdict.color}")
    icon = etree.SubElement(chip, "span")
    icon.set("class", "verdict-icon")
    icon.set("aria-hidden", "true")
    icon.text = verdict.icon if verdict else NOT_RATED_ICON
    text = etree.SubElement(chip, "span")
    text.set("class", "verdict-label")
    text.text = label
    chip.set("aria-label", f"Fact-check verdict: {label}")
    chip.set("role", "img")
    if caveat:
        words = etree.SubElement(holder, "span")
        words.set("class", "claim-caveat")
        words.text = f"({caveat})"
    elif deferred_caveat and claim_id:
        slot = etree.SubElement(holder, "span")
        slot.set("class", CLAIM_STATUS_CLASS)
        slot.set("data-claim", claim_id)
    if note:
        note_element = etree.SubElement(holder, "span")
        note_element.set("class", "claim-note")
        note = note.rstrip()
        if placement == "sentence" and stop_follows and note.endswith(".") and not note.endswith(".."):
            note = note[:-1]
        note_element.text = note
    return holder


def cited_keys(citations: list[etree.Element]) -> list[str]:
    """The keys the citation elements cite, each once, in order."""
    keys: list[str] = []
    for citation in citations:
        for key in (citation.get("data-cites") or "").split():
            if key not in keys:
                keys.append(key)
    return keys
