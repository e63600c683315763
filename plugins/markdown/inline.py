"""Inline processors: Pandoc citations and bracketed spans. Python-Markdown never runs inline processors
inside code spans or code blocks, so nothing in code is mistaken for a citation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import TYPE_CHECKING

from markdown.inlinepatterns import InlineProcessor

from ..core.syntax import GROUP_RE, NARRATIVE_RE, parse_group, parse_narrative

if TYPE_CHECKING:
    from .extension import FactcheckExtension

# Pandoc attributes: `#id`, `.class`, `key=value`, `key="quoted value"`.
ATTRIBUTE_RE = re.compile(r"""\s*(?:\#(?P<id>[\w:.-]+)|\.(?P<cls>[\w-]+)|(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+)))""")


def parse_attributes(text: str) -> tuple[str | None, list[str], dict[str, str]] | None:
    """`#id .claim verdict=supported` into (id, classes, pairs); None if it is not an attribute list."""
    identifier, classes, pairs = None, [], {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = ATTRIBUTE_RE.match(text, position)
        if not match or match.end() == position:
            return None
        if match["id"]:
            identifier = match["id"]
        elif match["cls"]:
            classes.append(match["cls"])
        else:
            value = match["dq"] if match["dq"] is not None else match["sq"] if match["sq"] is not None else match["bare"]
            pairs[match["key"].lower()] = value
        position = match.end()
    return identifier, classes, pairs


def apply_attributes(element: etree.Element, identifier: str | None, classes: list[str], pairs: dict[str, str]) -> None:
    """Pandoc attributes onto an element: `key=value` pairs become `data-key` (never event handlers)."""
    if identifier:
        element.set("id", identifier)
    if classes:
        element.set("class", " ".join(classes))
    for key, value in pairs.items():
        element.set(key if key.startswith("data-") else "data-" + key, value)


class CitationGroupProcessor(InlineProcessor):
    """`[see @a, p. 3; -@b]`."""

    ANCESTOR_EXCLUDES = ("a",)  # link text is the link's, not a citation

    def __init__(self, extension: FactcheckExtension, md):
        super().__init__(GROUP_RE.pattern, md)
        self.compiled_re = GROUP_RE
        self.extension = extension

    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        group = parse_group(m["body"], m.group(0))
        if group is None:
            return None, None, None
        return self.extension.citation(self.md, group), m.start(0), m.end(0)


class NarrativeCitationProcessor(InlineProcessor):
    """`@key` and `@key [p. 33]`."""

    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, extension: FactcheckExtension, md):
        super().__init__(NARRATIVE_RE.pattern, md)
        self.compiled_re = NARRATIVE_RE
        self.extension = extension

    def handleMatch(self, m, data):  # noqa: N802
        return self.extension.citation(self.md, parse_narrative(m)), m.start(0), m.end(0)


class BracketedSpanProcessor(InlineProcessor):
    """Pandoc's bracketed span `[text]{#id .class key=value}`; with class `claim` it is a claim.

    The text inside is processed by the lower-priority inline patterns afterwards (citations included).
    """

    def __init__(self, extension: FactcheckExtension, md):
        super().__init__(r"\[", md)
        self.extension = extension

    def handleMatch(self, m, data):  # noqa: N802
        end = _matching_bracket(data, m.start(0))
        if end is None or end + 1 >= len(data) or data[end + 1] != "{":
            return None, None, None
        close = data.find("}", end + 2)
        if close < 0:
            return None, None, None
        attributes = parse_attributes(data[end + 2 : close])
        if attributes is None:
            return None, None, None
        identifier, classes, pairs = attributes
        span = etree.Element("span")
        span.text = data[m.start(0) + 1 : end]
        apply_attributes(span, identifier, classes, pairs)
        if "claim" in classes:
            span.set("data-factcheck-source", self.unescape(data[m.start(0) : close + 1]))
        return span, m.start(0), close + 1


def _matching_bracket(data: str, start: int) -> int | None:
    depth = 0
    position = start
    while position < len(data):
        char = data[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return None
