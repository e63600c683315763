"""Documents formatted by earlier builds: a warm build or a `serve` rebuild runs pandoc for nothing
that has not changed. The key covers the style's files, the locale, pandoc's and our version, the
document's citations and its entries as given to pandoc.

What is stored is pandoc's AST (data): it is rendered to HTML by `inlines.py`, which escapes every
string and links only to http(s) addresses, so a tampered file can change words, never inject markup.
An entry cited on many pages is stored once (`bodies`, by a digest of its AST), not once a page."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.cache_files import remove_stale, write_atomically
from mkdocs_factcheck.core.formatting.csl.documents import Document, DocumentResult
from mkdocs_factcheck.core.log import logger

log = logger("cache")


class DocumentCache:
    FILE = "csl.json"

    def __init__(self) -> None:
        self.documents: dict[str, object] = {}  # digest -> {"citations": [...], "entries": [[key, label, body id]]}
        self.bodies: dict[str, object] = {}  # body id -> an entry's inlines
        self.titles: dict[str, str] = {}  # a title field as written -> its text, for the report (LaTeX decoded)
        self.pages: dict[str, object] = {}  # a page's text (and what reads it) -> its documents, read ahead
        self.timeouts: set[str] = set()  # documents pandoc did not finish in time: not run again
        self.path: Path | None = None
        self.changed = False
        self.used: set[str] = set()  # what this build read or wrote: the rest is dropped when saving
        self.used_titles: set[str] = set()
        self.used_pages: set[str] = set()

    def load(self, directory: Path) -> None:
        """Read once; the builds of one `mkdocs serve` session keep the memory copy."""
        path = directory / self.FILE
        self.used = set()
        self.used_titles = set()
        self.used_pages = set()
        if self.path == path:
            return
        self.path = path
        self.changed = False
        remove_stale(directory)
        try:
            data = json_data.loads(path.read_text(encoding="utf-8"))  # nested too deeply: a ValueError
        except (OSError, ValueError):
            data = {}  # none yet, or damaged: formatting again is always correct
        documents = data.get("documents") if isinstance(data, dict) else None
        bodies = data.get("bodies") if isinstance(data, dict) else None
        titles = data.get("titles") if isinstance(data, dict) else None
        pages = data.get("pages") if isinstance(data, dict) else None
        timeouts = data.get("timeouts") if isinstance(data, dict) else None
        self.timeouts = {key for key in timeouts if isinstance(key, str)} if isinstance(timeouts, list) else set()
        self.pages = pages if isinstance(pages, dict) else {}
        self.documents = documents if isinstance(documents, dict) else {}
        self.bodies = bodies if isinstance(bodies, dict) else {}
        self.titles = (
            {key: value for key, value in titles.items() if isinstance(value, str)} if isinstance(titles, dict) else {}
        )

    @staticmethod
    def key(identity: list) -> str:
        return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> DocumentResult | None:
        stored = self.documents.get(key)
        found = None
        if isinstance(stored, dict) and isinstance(stored.get("entries"), list):
            entries = [
                (
                    [item[0], item[1], self.bodies.get(item[2])]
                    if isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)
                    else None
                )
                for item in stored["entries"]
            ]
            found = DocumentResult.from_data({"citations": stored.get("citations"), "entries": entries})
        if found is None and key in self.documents:
            del self.documents[key]  # another shape: formatted again
            self.changed = True
        if found is not None:
            self.used.add(key)
        return found

    def drop(self, key: str) -> None:
        if self.documents.pop(key, None) is not None:
            self.changed = True

    def put(self, key: str, result: DocumentResult) -> None:
        entries = []
        for entry in result.entries:
            body_id = hashlib.sha256(json.dumps(entry.body, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]
            self.bodies[body_id] = entry.body
            entries.append([entry.key, entry.label, body_id])
        self.documents[key] = {"citations": result.citations, "entries": entries}
        self.used.add(key)
        self.changed = True

    def timed_out(self, key: str) -> bool:
        if key in self.timeouts:
            self.used.add(key)
            return True
        return False

    def note_timeout(self, key: str) -> None:
        self.timeouts.add(key)
        self.used.add(key)
        self.changed = True

    def page_documents(self, key: str) -> list[Document] | None:
        """A page's documents as an earlier build read them ahead (see `markdown/csl_prefetch.py`)."""
        stored = self.pages.get(key)
        documents = [Document.from_data(item) for item in stored] if isinstance(stored, list) else None
        if documents is None or any(document is None for document in documents):
            return None
        self.used_pages.add(key)
        return documents  # type: ignore[return-value]

    def put_page_documents(self, key: str, documents: list[Document]) -> None:
        self.pages[key] = [document.to_data() for document in documents]
        self.used_pages.add(key)
        self.changed = True

    def title(self, written: str, decode) -> str:
        """A title as text, decoded once and kept (a reader's report shows it as text, escaped)."""
        self.used_titles.add(written)
        found = self.titles.get(written)
        if found is None:
            found = self.titles[written] = decode(written)
            self.changed = True
        return found

    def save(self) -> None:
        """Sorted JSON, written atomically, holding only what this build used: an edited page's old
        results do not pile up. A build that only read is not worth a rewrite for a few left unused
        (a page read ahead whose own conversion came out otherwise)."""
        unused = len(set(self.documents) - self.used)
        if self.path is None or not (self.changed or unused > max(8, len(self.documents) // 10)):
            return
        self.documents = {key: value for key, value in self.documents.items() if key in self.used}
        referenced = {
            item[2]
            for value in self.documents.values()
            if isinstance(value, dict)
            for item in value.get("entries", [])
            if isinstance(item, list) and len(item) == 3
        }
        self.bodies = {key: value for key, value in self.bodies.items() if key in referenced}
        self.titles = {key: value for key, value in self.titles.items() if key in self.used_titles}
        self.pages = {key: value for key, value in self.pages.items() if key in self.used_pages}
        self.timeouts = {key for key in self.timeouts if key in self.used}
        try:
            data = {
                "documents": self.documents,
                "bodies": self.bodies,
                "titles": self.titles,
                "pages": self.pages,
                "timeouts": sorted(self.timeouts),
            }
            write_atomically(self.path, json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        except OSError as error:  # read-only or full disk: formatted again next time
            log.info("factcheck: cannot write %s (%s)", self.path, error)
        self.changed = False
