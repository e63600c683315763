"""The pages read ahead for a CSL style: on a site that is one CSL document, every page's document,
before the first page renders (`core/citeproc/site_document.py`); on other sites, at the first page
whose document is not cached, the pages from there on, formatted several at once.

Each page is converted up to the tree processors, with the site's extensions and an engine that only
notes its documents. A page whose conversion differs (it is not the same Markdown by then) just
formats on its own, or takes its place in the site's document."""

from __future__ import annotations

import json
from functools import partial

from markdown import Markdown

from mkdocs_factcheck.core.citations.engine import Engine
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
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
        """The documents of the pages from `src_path` on; for None, every page's (the site's document,
        read in every build), where a page read as before is not converted again: its documents are in
        the cache, by its text and what reads it."""
        start = (
            0
            if src_path is None
            else next((index for index, (path, _) in enumerate(self.pages) if path == src_path), None)
        )
        if start is None:
            return []
        store = engine.csl.store if engine.csl is not None and src_path is None else None
        if store is None:
            return self._converted(engine, self.pages[start:])[0]
        reading = self._reading(engine)
        keys = {path: DocumentCache.key([reading, path, text]) for path, text in self.pages}
        known = {path: store.page_documents(keys[path]) for path, _ in self.pages}
        waiting = [(path, text) for path, text in self.pages if known[path] is None]
        converted, read = self._converted(engine, waiting)
        documents: list[Document] = []
        for path, _ in self.pages:
            found = known[path]
            if found is None:
                found = [document for document in converted if document.page == path]
                if path in read:
                    store.put_page_documents(keys[path], found)
            documents += found
        return documents

    def _reading(self, engine: Engine) -> str:
        """What a page's documents depend on besides its text: our version, the extensions and their
        options, the bibliography's keys (which cites are known) and the entries pandoc cannot read."""
        from mkdocs_factcheck.version import __version__

        keys = sorted(key.lower() for key in engine.bibliography.keys())
        failed = sorted(engine.csl.failed_keys) if engine.csl is not None else []
        return DocumentCache.key(
            [__version__, self.extensions, json.dumps(self.configs, sort_keys=True, default=str), keys, failed]
        )

    def _converted(self, engine: Engine, pages: list[tuple[str, str]]) -> tuple[list[Document], set[str]]:
        """The pages' documents, and the paths of the pages converted to the end."""
        read: set[str] = set()
        if not pages:
            return [], read
        reader = engine.collecting_copy()
        extension = FactcheckExtension.hosted(reader, self.scale, citation_needed=False)
        try:
            md = Markdown(extensions=[*self.extensions, extension], extension_configs=self.configs)
        except Exception:  # noqa: BLE001 - an extension that cannot load twice: pages format one by one
            return [], read
        for path, text in pages:
            meta, markdown, offset = split_front_matter(text)
            extension.enter_page(
                {
                    "src_path": path,
                    "line_offset": offset,
                    "url": "",
                    "meta": meta,
                    "front_matter_line": partial(front_matter_line, text),
                }
            )
            md.reset()
            try:
                convert_tree(md, markdown)
            except Exception:  # noqa: BLE001 - the real conversion reports what is wrong with the page
                break
            read.add(path)
        assert reader.csl is not None and reader.csl.collected is not None
        return reader.csl.collected, read
