"""Claims in the page: elements with class `claim`, the citations that are their sources, and their
verdict badges."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown.util import HTML_PLACEHOLDER_RE

from ..core.scale import Scale

SENTENCE_END = re.compile(r"[.!?](?:[\"'”’)\]]*)(?:\s|$)")


def has_class(element: etree.Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def plain_text(element: etree.Element, skip_classes: tuple[str, ...] = ("citation", "claim-verdict")) -> str:
    """The reader's text of an element, without its citations and badges."""
    parts: list[str] = []

    def walk(node: etree.Element) -> None:
        if node is not element and any(has_class(node, name) for name in skip_classes):
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


def following_citations(parent: etree.Element, claim: etree.Element) -> list[etree.Element]:
    """Citations right after an inline claim, up to the end of its sentence."""
    children = list(parent)
    found = []
    position = children.index(claim) + 1
    text_between = claim.tail or ""
    while position < len(children):
        if SENTENCE_END.search(text_between):
            break
        node = children[position]
        if node.tag == "span" and has_class(node, "citation"):
            found.append(node)
        elif node.tag == "span" and has_class(node, "claim"):
            break
        text_between = node.tail or ""
        position += 1
    return found


def badge(scale: Scale, verdict_name: str | None, note: str, block: bool) -> etree.Element:
    """A visible, accessible verdict: icon and label (never colour alone), then the reviewer's note."""
    verdict = scale.get(verdict_name)
    holder = etree.Element("div" if block else "span")
    holder.set("class", "claim-verdict")
    chip = etree.SubElement(holder, "span")
    name = verdict.name if verdict else "unrated"
    label = verdict.label if verdict else (f"Unknown verdict: {verdict_name}" if verdict_name else "No verdict")
    chip.set("class", f"verdict-badge verdict-{name}")
    chip.set("data-verdict", name)
    if verdict:
        chip.set("style", f"--verdict-color: {verdict.color}")
    icon = etree.SubElement(chip, "span")
    icon.set("class", "verdict-icon")
    icon.set("aria-hidden", "true")
    icon.text = verdict.icon if verdict else "!"
    text = etree.SubElement(chip, "span")
    text.set("class", "verdict-label")
    text.text = label
    chip.set("aria-label", f"Fact-check verdict: {label}")
    chip.set("role", "img")
    if note:
        note_element = etree.SubElement(holder, "span")
        note_element.set("class", "claim-note")
        # inline, the sentence's own full stop follows the note
        note_element.text = note if block else note.rstrip().rstrip(".")
    return holder
