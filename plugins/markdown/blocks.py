"""Pandoc's fenced divs, `::: {#id .class key=value}` ... `:::`, for block claims and the `#refs` marker."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor

from .inline import apply_attributes, parse_attributes

OPEN_RE = re.compile(r"^:{3,}\s*(?:\{(?P<attrs>[^}]*)\}|(?P<word>[\w-]+))\s*:*\s*$")
CLOSE_RE = re.compile(r"^:{3,}\s*$")


class FencedDivProcessor(BlockProcessor):
    """A div whose content is ordinary Markdown; it may span blank lines, so it gathers several blocks."""

    def test(self, parent, block):
        return bool(OPEN_RE.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        first, _, rest = blocks[0].partition("\n")
        opening = OPEN_RE.match(first)
        assert opening is not None
        if opening["attrs"] is not None:
            attributes = parse_attributes(opening["attrs"])
            if attributes is None:
                return False
            identifier, classes, pairs = attributes
        else:
            identifier, classes, pairs = None, [opening["word"]], {}
        found = self._find_close([rest] + blocks[1:])
        if found is None:
            return False  # no closing fence: pandoc reads no div either, so the text stays a paragraph
        block_index, line_index = found
        pieces = [rest] + blocks[1:]
        content_blocks = pieces[:block_index]
        closing_lines = pieces[block_index].split("\n")
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

    @staticmethod
    def _find_close(pieces: list[str]) -> tuple[int, int] | None:
        depth = 0
        for block_index, block in enumerate(pieces):
            for line_index, line in enumerate(block.split("\n")):
                if OPEN_RE.match(line):
                    depth += 1
                elif CLOSE_RE.match(line):
                    if depth == 0:
                        return block_index, line_index
                    depth -= 1
        return None
