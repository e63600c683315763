"""Documents formatted by earlier builds: a warm build or a `serve` rebuild runs pandoc for nothing
that has not changed. The key covers the style's files, the locale, pandoc's and our version, the
document's citations and its entries as given to pandoc.

What is stored is pandoc's AST (data): it is rendered to HTML by `inlines.py`, which escapes every
string and links only to http(s) addresses, so a tampered file can change words, never inject markup."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from ..cachefiles import remove_stale, write_atomically
from .documents import DocumentResult

log = logging.getLogger("mkdocs.plugins.mkdocs_factcheck.cache")


class DocumentCache:
    FILE = "csl.json"

    def __init__(self) -> None:
        self.items: dict[str, object] = {}
        self.path: Path | None = None
        self.changed = False
        self.used: set[str] = set()  # what this build read or wrote: the rest is dropped when saving

    def load(self, directory: Path) -> None:
        """Read once; the builds of one `mkdocs serve` session keep the memory copy."""
        path = directory / self.FILE
        self.used = set()
        if self.path == path:
            return
        self.path = path
        self.changed = False
        remove_stale(directory)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # none yet, or damaged: formatting again is always correct
        self.items = data if isinstance(data, dict) else {}

    @staticmethod
    def key(identity: list) -> str:
        return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> DocumentResult | None:
        found = DocumentResult.from_data(self.items.get(key))
        if found is None and key in self.items:
            del self.items[key]  # another shape: formatted again
            self.changed = True
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, result: DocumentResult) -> None:
        self.items[key] = result.to_data()
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Sorted JSON, written atomically, holding only what this build used: an edited page's old
        results do not pile up."""
        if self.path is None or not (self.changed or set(self.items) - self.used):
            return
        self.items = {key: value for key, value in self.items.items() if key in self.used}
        try:
            write_atomically(self.path, json.dumps(self.items, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        except OSError as error:  # read-only or full disk: formatted again next time
            log.info("factcheck: cannot write %s (%s)", self.path, error)
        self.changed = False
