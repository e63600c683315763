"""The pages still to come, read ahead for a CSL style: a cold build with a numeric style and site-wide
numbers formats them in one pandoc document (`CSLFormatter.format_together`) instead of one document a
page, each of which would cite every entry cited before it.

The host gives the pages' files in the order it converts them. At the first page whose document is not
cached, each page from there on is converted up to the tree processors, with the site's extensions and
an engine that only notes its document; the engine then formats them together, and every page finds
its part in the cache. A page whose conversion differs (it is not the same Markdown by then) just
formats on its own."""

from __future__ import annotations

from functools import partial

from markdown import Markdown

from mkdocs_factcheck.core.citations.engine import Engine
from mkdocs_factcheck.core.formatting.csl.documents import Document
from mkdocs_factcheck.core.page_lines import front_matter_line, split_front_matter
from mkdocs_factcheck.markdown.convert import OUTPUT_ONLY, convert_tree
from mkdocs_factcheck.markdown.extension import FactcheckExtension


class PagesAhead:
    def __init__(self, pages: list[tuple[str, str]], extensions: list, configs: dict, scale):
        self.pages = pages  # (src_path, the file's text)
        # Extensions by name only: an extension object (another plugin's) belongs to the host's Markdown,
        # and a second Markdown would take it over. Without it a page may read otherwise: it then
        # formats on its own.
        self.extensions = [name for name in extensions if isinstance(name, str) and name not in OUTPUT_ONLY]
        self.configs = {name: options for name, options in configs.items() if name not in OUTPUT_ONLY}
        self.scale = scale

    def __call__(self, engine: Engine, src_path: str | None) -> list[Document]:
        start = next((index for index, (path, _) in enumerate(self.pages) if path == src_path), None)
        if start is None:
            return []
        reader = engine.collecting_copy()
        extension = FactcheckExtension.hosted(reader, self.scale, citation_needed=False)
        try:
            md = Markdown(extensions=[*self.extensions, extension], extension_configs=self.configs)
        except Exception:  # noqa: BLE001 - an extension that cannot load twice: pages format one by one
            return []
        for path, text in self.pages[start:]:
            meta, markdown, offset = split_front_matter(text)
            extension.enter_page({"src_path": path, "line_offset": offset, "url": "", "meta": meta, "front_matter_line": partial(front_matter_line, text)})
            md.reset()
            try:
                convert_tree(md, markdown)
            except Exception:  # noqa: BLE001 - the real conversion reports what is wrong with the page
                break
        assert reader.csl is not None and reader.csl.collected is not None
        return reader.csl.collected
