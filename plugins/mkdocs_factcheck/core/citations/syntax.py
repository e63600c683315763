"""Pandoc's citation syntax: finding a citation at a place in a text, and splitting it into cites. No
Markdown here: the caller hands in text whose code spans, links, raw HTML and escapes are already opaque
(Python-Markdown's placeholders hold no bracket, `;` or `@`), and renders prefixes and suffixes itself.

The grammar is pandoc 3.9's, checked against pandoc itself by tests/test_pandoc_differential.py:

- `[prefix @key suffix; prefix -@key suffix]`: a normal group; every item needs a key, brackets nest
  by counting, and the closing bracket must not be followed by another closed bracket (a reference
  link); links and spans are taken by Python-Markdown and the span processor before this runs.
- `@key` and `-@key` in the text; a bracket after them (spaces and one line break allowed, and not
  followed by `(`, `[` or `{`) holds either more cites (`@a [see @b]`), or a suffix then more cites (`@a [p. 33;
  @b]`), or a suffix alone.
- An `@` right after a letter, a digit or a full stop starts no key: e-mail addresses and `x.@a` are
  text, as in pandoc.

Every scan is linear in what it reads, and nothing is read twice for one start position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A key: a letter, digit, `_` or `*`, then word characters, with `:.#$%&-+?<>~/` allowed when a word
# character follows (and `:` or `/` before another `/`); or `{...}` without spaces or braces.
KEY_RE = re.compile(r"@(?:\{(?P<braced>[^{}\s]+)\}|(?P<plain>[\w*](?:\w|[:.#$%&+?<>~/-](?=\w)|[:/](?=/))*))")
# Where a citation may start: a bracket, or an `@` (with its `-`). Python-Markdown's search for these
# is cheap; `find_citation` decides.
START_RE = re.compile(r"\[|-?@")
# Any `@key` in a text, without telling code from prose: what a page may cite, found before it is
# rendered (a superset of what it cites).
MENTION_RE = re.compile(r"(?<![\w\\])" + KEY_RE.pattern)
BRACKETS = re.compile(r"[\[\]]")
ITEM_BREAK = re.compile(r"[;\[]|@\{[^{}\s]+\}")  # a braced key may hold a `;`
SPACES = re.compile(r"[ \t]*\n?[ \t]*")
# `(@label)`, `@label.` or `@label)` opening a line: an item of a pandoc example list, whose label is
# then no citation anywhere in the page; `(@)`, `@.` and `@)` are items without a label.
EXAMPLE_ITEM_RE = re.compile(r"[ ]{0,3}(?:\(@(?P<paren>[\w-]*)\)|@(?P<bare>[\w-]*)[.)])(?=[ \t]|$)")


@dataclass(frozen=True, slots=True)
class Cite:
    key: str
    prefix: str = ""  # Markdown, as written, without the spaces around it
    suffix: str = ""  # Markdown, as written: a locator starts with its comma (`, p. 3`)
    suppress_author: bool = False
    in_text: bool = False  # `@key`: the author is part of the sentence


@dataclass(frozen=True, slots=True)
class CitationGroup:
    cites: tuple[Cite, ...]
    narrative: bool
    source: str  # the text it came from, to locate it and to show it when unresolved

    @property
    def keys(self) -> list[str]:
        return [cite.key for cite in self.cites]


@dataclass(frozen=True, slots=True)
class Found:
    group: CitationGroup
    start: int
    end: int


def _after_word(text: str, position: int) -> bool:
    """Pandoc's "not after a string": an `@` (or its `-`) right after a letter, a digit or a full stop,
    or after the `*` closing emphasis (`*x*@a`)."""
    before = position
    while before > 0 and text[before - 1] == "*" and position - before < 3:
        before -= 1
    return before > 0 and (text[before - 1].isalnum() or (before == position and text[before - 1] == "."))


def key_at(text: str, position: int) -> tuple[str, bool, int, int] | None:
    """(key, suppress_author, start, end) for a key at `position` (at its `-` or `@`), else None."""
    suppress = text.startswith("-", position)
    if _after_word(text, position):
        if not suppress:
            return None
        suppress, position = False, position + 1  # `x-@a`: the `-` is text, the key still starts
    match = KEY_RE.match(text, position + 1 if suppress else position)
    if match is None:
        return None
    return match["braced"] or match["plain"], suppress, position, match.end()


class Brackets:
    """The matching `]` of each `[` of one text, found by counting (as pandoc balances brackets), each
    bracket looked at once: scanning from one `[` records the pairs inside it, and a `[` whose scan
    reached the end without closing marks every `[` it passed as unclosed too."""

    def __init__(self, text: str):
        self.text = text
        self.closing: dict[int, int | None] = {}

    def match(self, opening: int) -> int | None:
        if opening in self.closing:
            return self.closing[opening]
        stack: list[int] = []
        search = opening
        while (found := BRACKETS.search(self.text, search)) is not None:
            position = found.start()
            search = position + 1
            if self.text[position] == "[":
                known = self.closing.get(position, -1)
                if known is None:  # it never closes, so neither does anything open around it
                    break
                if known >= 0 and stack:  # already paired: skip what it holds
                    search = known + 1
                    continue
                stack.append(position)
                continue
            start = stack.pop()
            self.closing[start] = position
            if not stack:
                return position
        for start in stack:
            self.closing[start] = None
        return None


class Scanner:
    """Finds citations in one text; `examples` are labels of example-list items (not citations)."""

    def __init__(self, text: str, examples: frozenset[str] = frozenset(), link_at: Callable[[int], bool] | None = None):
        self.text = text
        self.examples = examples
        self.brackets = Brackets(text)
        # Whether a link, already taken out of the text, starts at a position: it began with `[`.
        self.link_at = link_at or (lambda position: False)

    def key(self, position: int) -> tuple[str, bool, int, int] | None:
        return key_at(self.text, position)

    def at(self, position: int) -> Found | None:
        """The citation starting at `position` (a `[`, `-` or `@`), or None."""
        if self.text.startswith("[", position):
            return self.normal_group(position)
        return self.in_text(position)

    # ------------------------------------------------------------ `[...]`

    def normal_group(self, opening: int) -> Found | None:
        closing = self.closing_of(opening)
        if closing is None:
            return None
        if (
            self.text.startswith("[", closing + 1)
            and self.brackets.match(closing + 1) is not None
            or self.link_at(closing + 1)
        ):
            return None  # `[text][ref]` is a reference link, or its text (valid links and spans are gone)
        cites = self.cite_list(opening + 1, closing)
        if cites is None:
            return None
        return self.found(cites, False, opening, closing + 1)

    def closing_of(self, opening: int) -> int | None:
        if self.text.startswith("[^", opening):  # a footnote reference
            return None
        return self.brackets.match(opening)

    def cite_list(self, start: int, end: int) -> list[Cite] | None:
        """`prefix @key suffix; ...` between `start` and `end`: every item has a key, or None."""
        cites = []
        for item_start, item_end in self.items(start, end):
            cite = self.cite(item_start, item_end)
            if cite is None:
                return None
            cites.append(cite)
        return cites or None

    def items(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans between the `;` of one bracket's level (not inside nested brackets)."""
        spans = []
        position = item_start = start
        while (found := ITEM_BREAK.search(self.text, position, end)) is not None:
            at = found.start()
            if self.text[at] == "@":
                position = found.end()
                continue
            if self.text[at] == "[":
                closing = self.brackets.match(at)
                position = at + 1 if closing is None or closing > end else closing + 1
                continue
            spans.append((item_start, at))
            position = item_start = at + 1
        spans.append((item_start, end))
        return spans

    def cite(self, start: int, end: int) -> Cite | None:
        """`prefix @key suffix`: the first key of the item's own level starts it."""
        position = start
        while True:
            candidate = START_RE.search(self.text, position, end)
            if candidate is None:
                return None
            at = candidate.start()
            if self.text[at] == "[":
                closing = self.brackets.match(at)
                position = at + 1 if closing is None or closing > end else closing + 1
                continue
            found = self.key(at)
            if found is None:
                position = candidate.end()
                continue
            key, suppress, _, key_end = found
            prefix = self.text[start:at].strip()
            suffix = self.text[key_end:end].rstrip()
            return Cite(key, prefix, suffix, suppress)

    # ------------------------------------------------------------ `@key [...]`

    def in_text(self, position: int) -> Found | None:
        found = self.key(position)
        if found is None or found[0] in self.examples:  # `@good` refers to example `(@good)`; `[@good]` cites
            return None
        key, suppress, position, key_end = found
        first = Cite(key, suppress_author=suppress, in_text=not suppress)
        opening = SPACES.match(self.text, key_end).end()  # type: ignore[union-attr]  # always matches
        closing = self.closing_of(opening) if self.text.startswith("[", opening) else None
        if (
            closing is not None
            and not self.text.startswith(("(", "{", "["), closing + 1)
            and not self.link_at(closing + 1)
        ):
            rest = self.bracket_after_key(first, opening + 1, closing)
            if rest is not None:
                return self.found(rest, not suppress, position, closing + 1)
        return self.found([first], not suppress, position, key_end)

    def bracket_after_key(self, first: Cite, start: int, end: int) -> list[Cite] | None:
        """`@a [see @b]` (more cites), `@a [p. 33; @b]` (a suffix, then cites) or `@a [p. 33]`."""
        more = self.cite_list(start, end)
        if more is not None:
            return [first, *more]
        items = self.items(start, end)
        suffix = self.text[items[0][0] : items[0][1]].strip()
        rest: list[Cite] = []
        if len(items) > 1:
            cites = self.cite_list(items[1][0], end)
            if cites is None:
                return None
            rest = cites
        return [Cite(first.key, suffix=suffix, suppress_author=first.suppress_author, in_text=first.in_text), *rest]

    def found(self, cites: list[Cite], narrative: bool, start: int, end: int) -> Found:
        return Found(CitationGroup(tuple(cites), narrative, self.text[start:end]), start, end)


def find_citations(text: str, examples: frozenset[str] = frozenset()) -> list[Found]:
    """Every top-level citation of a plain text, left to right (nested ones stay in prefixes and
    suffixes, as the Markdown extension finds them when it renders those)."""
    scanner = Scanner(text, examples)
    found = []
    position = 0
    while (candidate := START_RE.search(text, position)) is not None:
        citation = scanner.at(candidate.start())
        if citation is None:
            position = candidate.start() + 1
            continue
        found.append(citation)
        position = citation.end
    return found


def tidy_locator(suffix: str) -> str:
    """`, pp. 33-35` reads `pp. 33–35`: the separating comma goes, number ranges get an en dash."""
    suffix = suffix.strip()
    if suffix.startswith(","):
        suffix = suffix[1:].strip()
    return en_dash_ranges(suffix)


def en_dash_ranges(text: str) -> str:
    return re.sub(r"(?<=\d)[ ]?-{1,2}[ ]?(?=\d)", "\u2013", text)


def example_labels(markdown: str) -> frozenset[str]:
    """Labels of pandoc example-list items (`(@good) An example.`): a line that opens a block (after a
    blank line) or follows another item; inside a paragraph such a line is text."""
    labels = set()
    opens_block = True
    for line in markdown.split("\n"):
        match = EXAMPLE_ITEM_RE.match(line) if opens_block else None
        if match and (match["paren"] or match["bare"]):
            labels.add(match["paren"] or match["bare"])
        opens_block = not line.strip() or match is not None
    return frozenset(labels)


def keys_mentioned(text: str) -> list[str]:
    """Every `@key` of a Markdown text, in order, once each: a superset of what the page cites (it
    includes keys in code and e-mail-like text), used only to start work early."""
    return list(dict.fromkeys(match["braced"] or match["plain"] for match in MENTION_RE.finditer(text)))
