"""mkdocs-bibtex's page markers, `\\bibliography` and `\\full_bibliography` (or the site's own, options
`bibliography_marker` and `site_bibliography_marker`): a line that is one of them places a bibliography
as `::: {#refs}` or `::: {#refs scope=site}` does. The line itself never reaches readers."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import TYPE_CHECKING

from markdown.blockprocessors import BlockProcessor

if TYPE_CHECKING:
    from mkdocs_factcheck.markdown.extension import FactcheckExtension


class BibliographyMarkerProcessor(BlockProcessor):
    def __init__(self, parser, extension: FactcheckExtension):
        super().__init__(parser)
        self.extension = extension

    def scopes(self) -> dict[str, str]:
        """Each marker's scope ("" the page's, "site" the whole bibliography)."""
        markers = {
            self.extension.getConfig("bibliography_marker"): "",
            self.extension.getConfig("site_bibliography_marker"): "site",
        }
        return {marker.strip(): scope for marker, scope in markers.items() if marker.strip()}

    def marker_line(self, block: str) -> int | None:
        scopes = self.scopes()
        for index, line in enumerate(block.split("\n")):
            if len(line) - len(line.lstrip(" ")) < 4 and line.strip() in scopes:  # four spaces: code
                return index
        return None

    def test(self, parent, block):
        return self.marker_line(block) is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        index = self.marker_line(block)
        assert index is not None
        lines = block.split("\n")
        before, marker, after = "\n".join(lines[:index]), lines[index].strip(), "\n".join(lines[index + 1 :])
        if before.strip():
            self.parser.parseBlocks(parent, [before])
        div = etree.SubElement(parent, "div")
        div.set("id", "refs")
        if self.scopes()[marker] == "site":
            div.set("data-scope", "site")
        if after.strip():
            blocks.insert(0, after)
