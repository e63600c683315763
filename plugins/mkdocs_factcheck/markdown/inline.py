"""Inline processors: Pandoc citations, bracketed spans and `\\@`.

They run after Python-Markdown's code spans, escapes, links, autolinks and raw HTML (priorities 190 to
80), so what those own is already an opaque placeholder here: nothing inside a code span, an autolink or
a raw HTML tag is ever read as a citation or a span, and raw HTML stays byte for byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from typing import TYPE_CHECKING

from markdown import util
from markdown.inlinepatterns import InlineProcessor

from mkdocs_factcheck.core.citations.syntax import BRACKETS, START_RE, Brackets, CitationGroup, Found, Scanner
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.markdown.elements import AFTER, PIECE

if TYPE_CHECKING:
    from mkdocs_factcheck.markdown.extension import FactcheckExtension

# Pandoc attributes: `#id`, `.class`, `key=value`, `key="quoted value"` (with `\"` inside, as pandoc has it).
ATTRIBUTE_RE = re.compile(
    r"""\s*(?:\#(?P<id>[\w:.-]+)|\.(?P<cls>[\w-]+)|(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'|(?P<bare>[^\s}]+)))"""
)
# `{...}` right after a span's text: no nested braces, so a search never runs past the next brace.
BRACES_RE = re.compile(r"\{(?P<attrs>[^{}]*)\}")
CLAIM_CLASS_RE = re.compile(r"(?:^|\s)\.claim(?=[\s}]|$)")
# Text between two citations that no later inline pattern could read across them: words, spaces, plain
# punctuation and placeholders of what earlier patterns took (no emphasis marks, quotes, dashes, HTML).
INERT_RE = re.compile(r"(?:[^\W_]|[ \t\n,.;:!?()]|\x02klzzwxh:[0-9]+\x03)*")
# Text between two bracketed spans that they are taken across in one match: INERT_RE's, with brackets,
# keys and `-` (citations between claims); never `{`, emphasis marks, quotes, dashes or HTML.
SPAN_GAP_RE = re.compile(r"(?:[^\W_]|[ \t\n,.;:!?()@\[\]-]|\x02klzzwxh:[0-9]+\x03)*")
ESCAPED = re.compile(f"{util.STX}([0-9]+){util.ETX}")  # a backslash escape, as Python-Markdown keeps it
BLANK_RE = re.compile(r"[ \t\n,;:]*")
PASSED_OVER = "data-factcheck-passed-over"  # a span whose text is a PassOver, made plain again after the inline pass
RUN = "data-factcheck-run"  # citations (or spans) taken in one match, unwrapped after the inline pass (cleanup.py)


def with_raw_html(md, text: str) -> str:
    """`text` with the raw HTML Python-Markdown stashed (`STX wzxhzdk:N ETX`) written out again."""
    blocks = md.htmlStash.rawHtmlBlocks

    def raw(match: re.Match) -> str:
        index = int(match[1])
        return str(blocks[index]) if index < len(blocks) else ""

    return util.HTML_PLACEHOLDER_RE.sub(raw, text) if util.STX in text else text


def decode_escaped(text: str) -> str:
    """The escaped characters of `text` as themselves (`\\*` is kept as STX 42 ETX until then)."""
    return ESCAPED.sub(lambda match: chr(int(match[1])), text)


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
            if match["dq"] is not None:
                value = match["dq"].replace('\\"', '"')
            elif match["sq"] is not None:
                value = match["sq"].replace("\\'", "'")
            else:
                value = match["bare"]
            pairs[match["key"].lower()] = value
        position = match.end()
    return identifier, classes, pairs


def looks_like_claim(attributes: str) -> bool:
    """Attributes that name the class `claim`, even when they cannot be read."""
    return bool(CLAIM_CLASS_RE.search(attributes))


def apply_attributes(element: etree.Element, identifier: str | None, classes: list[str], pairs: dict[str, str]) -> None:
    """Pandoc attributes onto an element: `key=value` pairs become `data-key` (never event handlers)."""
    if identifier:
        element.set("id", identifier)
    if classes:
        element.set("class", " ".join(classes))
    for key, value in pairs.items():
        element.set(key if key.startswith("data-") else "data-" + key, value)


class CachedText:
    """One scanner per text: Python-Markdown hands every candidate of one pass the same string, so
    bracket pairs found for one candidate serve the next (which keeps unclosed brackets linear)."""

    def __init__(self, md) -> None:
        self.md = md
        self._scanner: Scanner | None = None

    def scanner(self, data: str, examples: frozenset[str]) -> Scanner:
        if self._scanner is None or self._scanner.text is not data or self._scanner.examples is not examples:
            self._scanner = Scanner(data, examples, lambda position: self.link_at(data, position))
        return self._scanner

    def link_at(self, data: str, position: int) -> bool:
        """A link or span, already taken out of the text, starts here (`[@a][text](url)` is no citation)."""
        placeholder = util.INLINE_PLACEHOLDER_RE.match(data, position)
        if placeholder is None:
            return False
        node = self.md.treeprocessors["inline"].stashed_nodes.get(placeholder[1])
        return getattr(node, "tag", None) in ("a", "img", "span")  # links and bracketed spans


class Expressions:
    """Every inline pattern's expression (see `pass_over`), listed once per page: listing them
    (Python-Markdown sorts its registry into a new list) cost as much as a short citation."""

    def __init__(self, md) -> None:
        self.md = md
        self._listed: tuple[object, list[re.Pattern]] | None = None

    def get(self) -> list[re.Pattern]:
        page = getattr(self.md, "factcheck_page", None)
        if self._listed is None or self._listed[0] is not page:
            self._listed = (page, [pattern.getCompiledRegExp() for pattern in self.md.inlinePatterns])
        return self._listed[1]


class CitationProcessor(InlineProcessor):
    """`[see @a, p. 3; -@b]`, `@a`, `-@a` and `@a [p. 33]`, in one pass so that the bracket after a key
    is the key's, as pandoc reads it. Link text is searched too: pandoc reads citations there."""

    def __init__(self, extension: FactcheckExtension, md):
        super().__init__(START_RE.pattern, md)
        self.compiled_re = START_RE
        self.extension = extension
        self.cache = CachedText(md)
        self.expressions = Expressions(md)

    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        scanner = self.cache.scanner(data, self.extension.examples(self.md))
        found = scanner.at(m.start(0))
        if found is None:
            return None, None, None
        # Python-Markdown rebuilds the whole text after each match: a paragraph of n citations would
        # cost n times its length. Citations separated by plain text are taken in one match instead;
        # the text after each is a piece of it (Python-Markdown renders it), moved out after the pass.
        run = etree.Element("span")
        run.set(RUN, "")
        body = etree.SubElement(run, "span")
        patterns = self.expressions.get()
        self.add(body, self.extension.citation(self.md, self.readable(found.group)), patterns)
        end = found.end
        for gap, more in self.following(scanner, found.end):
            after = etree.SubElement(body, "span")
            after.set(PIECE, AFTER)
            after.text = (
                util.AtomicString(gap) if BLANK_RE.fullmatch(gap) else pass_over(gap, patterns)
            )  # nothing to render in it
            self.add(body, self.extension.citation(self.md, self.readable(more.group)), patterns)
            end = more.end
        return run, found.start, end

    @staticmethod
    def add(body: etree.Element, citation: etree.Element, patterns: list[re.Pattern]) -> None:
        """A citation and its pieces side by side, each piece's Markdown as its text, none with a tail:
        Python-Markdown's inline pass is linear only so. (It finds an element's place among its
        siblings for each tail it renders, and queues every element that has children.)
        `unwrap_runs` puts the pieces back into their citations."""
        pieces = list(citation)
        del citation[:]
        body.append(citation)
        for piece in pieces:
            piece.text, piece.tail = pass_over(piece.tail, patterns), None
            body.append(piece)

    def readable(self, group: CitationGroup) -> CitationGroup:
        """The group's source without placeholders: it locates the citation's line in the page."""
        if util.STX not in group.source:
            return group
        return replace(group, source=decode_escaped(self.unescape(group.source)))

    def following(self, scanner: Scanner, end: int) -> list[tuple[str, Found]]:
        """The citations after `end` separated only by inert text, with that text."""
        found: list[tuple[str, Found]] = []
        while True:
            gap = INERT_RE.match(scanner.text, end)
            assert gap is not None  # it matches the empty string
            more = scanner.at(gap.end()) if START_RE.match(scanner.text, gap.end()) else None
            if more is None or more.start != gap.end():
                return found
            found.append((gap.group(), more))
            end = more.end


class PassOver(util.AtomicString):
    """A piece's text that no inline pattern of the page would change (no pattern's expression finds
    anything in it, and it holds no placeholder): atomic for the inline pass only, where trying every
    pattern on each piece was most of a citation's cost; plain text again after it (cleanup.py), for
    later tree processors such as smarty and abbr."""


def pass_over(text: str | None, patterns: list[re.Pattern]) -> str | None:
    if not text or util.STX in text or any(pattern.search(text) for pattern in patterns):
        return text
    return PassOver(text)


class AtEscapeProcessor(InlineProcessor):
    """`\\@` writes a literal @, as in pandoc. Not in Python-Markdown's escapes (which run before
    autolinks): `<jane\\@example.org>` stays the autolink it is without this extension."""

    def __init__(self, md):
        super().__init__(r"\\@", md)

    def handleMatch(self, m, data):  # noqa: N802
        return f"{util.STX}{ord('@')}{util.ETX}", m.start(0), m.end(0)


class BracketedSpanProcessor(InlineProcessor):
    """Pandoc's bracketed span `[text]{#id .class key=value}`; with class `claim` it is a claim.

    The text inside is processed by the lower-priority inline patterns afterwards (citations included).
    """

    def __init__(self, extension: FactcheckExtension, md):
        super().__init__(r"\[", md)
        self.extension = extension
        self.expressions = Expressions(md)
        self._brackets: Brackets | None = None

    def handleMatch(self, m, data):  # noqa: N802
        span, end = self.span_at(data, m.start(0), report=True)
        if span is None:
            return None, None, None
        if data.startswith("{", end):
            return span, m.start(0), end  # attr_list gives `{...}` to the element it follows
        # As for citations (see CitationProcessor): Python-Markdown would copy the paragraph's text
        # after each span, so spans with only plain text and citations between are one match. Every
        # other span is in a run too, so that its text is rendered alike (nested spans included).
        run = etree.Element("span")
        run.set(RUN, "")
        body = etree.SubElement(run, "span")
        body.append(span)
        for gap, more, more_end in self.following(data, m.start(0), end):
            after = etree.SubElement(body, "span")
            after.set(PIECE, AFTER)
            after.text = gap
            body.append(more)
            end = more_end
        return run, m.start(0), end

    def span_at(self, data: str, opening: int, report: bool = False) -> tuple[etree.Element | None, int]:
        """The span whose `[` is at `opening`, and where it ends; a claim whose attributes cannot be
        read is reported when `report`."""
        if self._brackets is None or self._brackets.text is not data:
            self._brackets = Brackets(data)
        end = self._brackets.match(opening)
        braces = BRACES_RE.match(data, end + 1) if end is not None else None
        if end is None or braces is None:
            return None, 0
        attributes = parse_attributes(braces["attrs"])
        if attributes is None:
            if report and looks_like_claim(braces["attrs"]):
                # Told with its code and HTML as the page shows them, not as placeholders.
                self.extension.malformed_claim(
                    self.md,
                    self.locatable(data[opening : braces.end()]),
                    with_raw_html(self.md, self.unescape(braces["attrs"])),
                )
            return None, 0
        identifier, classes, pairs = attributes
        span = etree.Element("span")
        span.text = pass_over(data[opening + 1 : end], self.expressions.get())
        if isinstance(span.text, PassOver):
            span.set(PASSED_OVER, "")  # Python-Markdown keeps it atomic but not a PassOver: cleanup.py
        apply_attributes(span, identifier, classes, {key: self.unescape(value) for key, value in pairs.items()})
        if "claim" in classes:
            span.set("data-factcheck-source", self.locatable(data[opening : braces.end()]))
        return span, braces.end()

    def locatable(self, written: str) -> str:
        """What the page's Markdown holds of a span as written, to find its line: its words up to its
        first code, HTML or footnote mark (placeholders here), when those are enough to tell it apart."""
        literal = written.split(util.STX, 1)[0]
        return literal if literal == written or len(literal) >= 12 else self.unescape(written)

    def following(self, data: str, first: int, end: int) -> list[tuple[str, etree.Element, int]]:
        """The spans after `end` with the text before each, (text, span, its end), while that text is
        one that the later patterns read alike alone or in its paragraph (`SPAN_GAP_RE`, its brackets
        paired, not ending in `]`, whose meaning depends on what follows), up to a span that `{` follows;
        none when a bracket opened
        before `first` is still open (a citation around the spans would be cut)."""
        found: list[tuple[str, etree.Element, int]] = []
        while True:
            stop = SPAN_GAP_RE.match(data, end).end()  # type: ignore[union-attr]  # matches the empty string
            opening = last_group(data, end, stop) if data.startswith("{", stop) else None
            if opening is None or data.endswith("]", end, opening) or self._brackets.match(opening) != stop - 1:  # type: ignore[union-attr]
                break
            span, span_end = self.span_at(data, opening)
            if span is None or data.startswith("{", span_end):  # attr_list gives `{...}` to what it follows
                break
            found.append((data[end:opening], span, span_end))
            end = span_end
        return found if found and not open_before(data, first) else []


def run_text(node: etree.Element) -> str:
    """A stashed node's text as the inline pass left it; a run's elements were moved since, and given
    the text after them as tails (`unwrap_runs`): its text is what each of them held."""
    if node.get(RUN) is None or not len(node):
        return "".join(node.itertext())
    return "".join("".join(child.itertext()) for child in node[0])


def last_group(text: str, start: int, stop: int) -> int | None:
    """The `[` of the last bracket group of `text[start:stop]` when that group ends it and every bracket
    before it pairs up, else None."""
    depth, opening = 0, None
    for bracket in BRACKETS.finditer(text, start, stop):
        if text[bracket.start()] == "[":
            if not depth:
                opening = bracket.start()
            depth += 1
        elif not depth:
            return None
        else:
            depth -= 1
    return opening if not depth and stop > start and text[stop - 1] == "]" else None


def open_before(text: str, position: int) -> bool:
    """Whether a `[` before `position` has no `]` before it (pandoc counts brackets so)."""
    depth = 0
    for bracket in BRACKETS.finditer(text, 0, position):
        if text[bracket.start()] == "[":
            depth += 1
        elif depth:
            depth -= 1
    return depth > 0


def malformed_claim_finding(page: str, line: int, attributes: str, hint: str = "") -> Finding:
    return Finding(
        "malformed_claim",
        f"claim attributes cannot be read, so this is no claim: {{{attributes.strip()}}}{hint}",
        page=page,
        line=line,
    )
