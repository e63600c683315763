"""The citation groups of Markdown texts as the extension reads them, for comparing with
pandoc's reading (tests/test_pandoc_differential.py)."""

from __future__ import annotations

import re
from dataclasses import replace

from markdown import Markdown
from markdown.util import INLINE_PLACEHOLDER_RE

from mkdocs_factcheck.core.citations.syntax import CitationGroup
from mkdocs_factcheck.markdown.extension import FactcheckExtension
from mkdocs_factcheck.markdown.inline import decode_escaped, run_text


class GroupReader:
    """Groups in reading order (nested ones after the group holding them)."""

    def __init__(self, extensions: tuple = ("attr_list",)):
        self.extension = FactcheckExtension(citation_needed=False)
        self.md = Markdown(extensions=[*extensions, self.extension])

    def read(self, text: str) -> list[CitationGroup]:
        """Groups with prefixes and suffixes as text (code, links and escapes resolved)."""
        self.extension.read_groups = []
        self.md.reset()
        self.md.convert(text)
        return [
            CitationGroup(
                tuple(
                    replace(cite, prefix=self.text(cite.prefix), suffix=self.text(cite.suffix)) for cite in group.cites
                ),
                group.narrative,
                group.source,
            )
            for group in self.extension.read_groups
        ]

    def text(self, markdown: str) -> str:
        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]  # the last conversion's

        def resolve(match: re.Match) -> str:
            node = stash.get(match[1])
            return node if isinstance(node, str) else run_text(node) if node is not None else ""

        for _ in range(3):  # placeholders may hold placeholders
            markdown = INLINE_PLACEHOLDER_RE.sub(resolve, markdown)
        return decode_escaped(markdown)
