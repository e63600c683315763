"""Pandoc's fenced divs, `::: {#id .class key=value}` ... `:::`, for block claims and the `#refs` marker."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import TYPE_CHECKING

from markdown.blockprocessors import BlockProcessor

from mkdocs_factcheck.markdown.inline import apply_attributes, looks_like_claim, parse_attributes

if TYPE_CHECKING:
    from mkdocs_factcheck.markdown.extension import FactcheckExtension

OPEN_RE = re.compile(r"^:{3,}\s*(?:\{(?P<attrs>[^}]*)\}|(?P<word>[\w-]+))\s*:*\s*$")
CLOSE_RE = re.compile(r"^:{3,}\s*$")
OPENING_LINE_RE = re.compile(r"^[ \t]*(:{3,}.*)$", re.MULTILINE)


def has_site_bibliography(text: str) -> bool:
    """Whether a page's Markdown opens a `::: {#refs scope=site}` block (or one in a code block: the host
    then treats the site as having one, which changes how labels agree, never what a page holds)."""
    for line in OPENING_LINE_RE.findall(text) if "scope" in text else []:
        opening = OPEN_RE.match(line.strip())
        parsed = parse_attributes(opening["attrs"]) if opening and opening["attrs"] is not None else None
        if parsed is not None and parsed[0] == "refs" and parsed[2].get("scope") == "site":
            return True
    return False


FENCE_RE = re.compile(r"^:{3}", re.MULTILINE)  # only lines starting so can open or close

Place = tuple[int, int]  # (block, line) in a list of blocks


class FencePairs:
    """The closing fence of every opening fence of one list of blocks, paired in one pass (a stack, as
    nesting counts). The parser only ever removes blocks from the front of its list, so the pairs of
    the blocks that remain are the same: each opener is looked up, not searched for (a search per
    opener made unclosed divs quadratic)."""

    def __init__(self, blocks: list[str]):
        self.blocks = list(blocks)
        self.pairs: dict[Place, Place | None] = {}
        stack: list[Place] = []
        for block_index, block in enumerate(blocks):
            if not FENCE_RE.search(block):
                continue
            for line_index, line in enumerate(block.split("\n")):
                if OPEN_RE.match(line):
                    stack.append((block_index, line_index))
                    self.pairs[(block_index, line_index)] = None
                elif CLOSE_RE.match(line) and stack:
                    self.pairs[stack.pop()] = (block_index, line_index)

    def fits(self, blocks: list[str]) -> bool:
        """Whether `blocks` is what is left of this list (its last blocks, unchanged)."""
        offset = len(self.blocks) - len(blocks)
        # The front and the end are enough: the parser changes a list only at its front.
        return 0 <= offset < len(self.blocks) and self.blocks[offset] is blocks[0] and self.blocks[-1] is blocks[-1]

    def closing(self, blocks: list[str]) -> Place | None:
        """The close of the fence opening `blocks[0]`, relative to `blocks`."""
        offset = len(self.blocks) - len(blocks)
        found = self.pairs.get((offset, 0))
        return None if found is None else (found[0] - offset, found[1])


class FencedDivProcessor(BlockProcessor):
    """A div whose content is ordinary Markdown; it may span blank lines, so it gathers several blocks."""

    def __init__(self, parser, extension: FactcheckExtension | None = None):
        super().__init__(parser)
        self.extension = extension
        self._pairs: dict[int, FencePairs] = {}  # per list of blocks: a div's content is a list of its own

    def test(self, parent, block):
        return bool(OPEN_RE.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        first, _, rest = blocks[0].partition("\n")
        opening = OPEN_RE.match(first)
        assert opening is not None
        if opening["attrs"] is not None:
            attributes = parse_attributes(opening["attrs"])
            if attributes is None:
                if self.extension is not None and looks_like_claim(opening["attrs"]):
                    self.extension.malformed_claim(self.parser.md, first, opening["attrs"])
                return False
            identifier, classes, pairs = attributes
        else:
            identifier, classes, pairs = None, [opening["word"]], {}
        found = self._closing(blocks)
        if found is None:
            return False  # no closing fence: pandoc reads no div either, so the text stays a paragraph
        block_index, line_index = found
        pieces = [rest] + blocks[1:]
        content_blocks = pieces[:block_index]
        closing_lines = pieces[block_index].split("\n")
        if block_index == 0:
            line_index -= 1  # the opener's own line is not in `rest`
        content_blocks.append("\n".join(closing_lines[:line_index]))
        remainder = "\n".join(closing_lines[line_index + 1 :])
        del blocks[: block_index + 1]
        if remainder.strip():
            blocks.insert(0, remainder)
        div = etree.SubElement(parent, "div")
        apply_attributes(div, identifier, classes, pairs)
        if "claim" in classes:
            div.set("data-factcheck-source", first)
        self.parser.parseChunk(div, "\n\n".join(block for block in content_blocks if block.strip()))
        return True

    def _closing(self, blocks: list[str]) -> Place | None:
        pairs = self._pairs.get(id(blocks))
        if pairs is None or not pairs.fits(blocks):
            if len(self._pairs) > 64:  # lists of finished conversions
                self._pairs.clear()
            pairs = self._pairs[id(blocks)] = FencePairs(blocks)
        return pairs.closing(blocks)
