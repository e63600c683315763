"""Headings that hold citations: their anchor and table-of-contents label come from their words
without the citations, as toc leaves footnote marks out. A citation's number changes whenever a
citation is added earlier in the site, and an anchor made of it would break every link to the heading."""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree
from copy import deepcopy

from markdown import Markdown
from markdown.extensions.toc import render_inner_html, strip_tags, unique

from mkdocs_factcheck.markdown.elements import has_class

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def without_citations(heading: etree.Element) -> etree.Element:
    """A copy of the heading with its citations taken out (their tails kept), as toc's remove_fnrefs
    takes footnote marks out."""
    copy = deepcopy(heading)
    for parent in list(copy.iter()):
        previous = None
        for child in list(parent):
            if not has_class(child, "citation"):
                previous = child
            elif previous is None:
                parent.text = (parent.text or "") + (child.tail or "")
                parent.remove(child)
            else:
                previous.tail = (previous.tail or "") + (child.tail or "")
                parent.remove(child)
    return copy


def anchor_headings_without_citations(md: Markdown, root: etree.Element) -> None:
    """Before toc (which keeps an id already there): each heading with a citation and no id of its own."""
    toc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
    if toc is None:
        return  # nothing makes anchors of headings
    headings = [
        element
        for element in root.iter()
        if element.tag in HEADINGS
        and "id" not in element.attrib
        and element.find(".//span[@class='citation']") is not None
    ]
    if not headings:
        return
    used = {element.get("id") for element in root.iter() if element.get("id")}
    for heading in headings:
        name = " ".join(strip_tags(render_inner_html(without_citations(heading), md)).split())
        heading.set("id", unique(toc.slugify(html.unescape(name), toc.sep), used))  # type: ignore[attr-defined]
        heading.set("data-toc-label", name)
