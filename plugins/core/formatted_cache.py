"""Formatted entries kept between builds: in memory across `mkdocs serve` rebuilds, on disk between
`mkdocs build` runs. The key covers everything the output depends on, so nothing stale is served."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

from pybtex.database import Entry

from .cachefiles import pybtex_version, write_atomically


class Formatted(NamedTuple):
    """One entry's forms, made once per entry and kept here: a warm build formats nothing and reads no
    names (the authors are among the forms because reading names costs nearly as much as parsing)."""

    html: str
    text: str
    title: str  # plain text, LaTeX decoded
    authors: str  # "Onji et al." (formatting.short_authors)


class FormattedCache:
    """Digest of (plugin and pybtex versions, style, entry as parsed) -> its `Formatted` forms."""

    FILE = "formatted.json"

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}
        self.path: Path | None = None
        self.changed = False

    def load(self, directory: Path) -> None:
        """Read the file once; later builds of one `mkdocs serve` session keep the memory copy."""
        path = directory / self.FILE
        if self.path == path:
            return
        self.path = path
        self.changed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # no file yet, or a damaged one: formatting again is always correct
        # Checked once here, not at every lookup: entries of an older layout are dropped (formatted again).
        self.items = {key: value for key, value in data.items() if _is_current(value)} if isinstance(data, dict) else {}

    @staticmethod
    def key(style: object, entry: Entry) -> str:
        """`entry` as parsed (`Source.raw`): names are still text among its fields."""
        from .. import __version__  # at call time: a new version (or a test's) must change every key

        style_class = type(style)
        persons = {role: [str(person) for person in people] for role, people in entry.persons.items()}
        identity = [
            __version__,
            pybtex_version(),
            f"{style_class.__module__}.{style_class.__qualname__}",
            entry.type,
            entry.key,  # an entry with no author nor title is labelled by its key
            sorted((name.lower(), value) for name, value in entry.fields.items()),
            sorted(persons.items()),
        ]
        return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> Formatted | None:
        found = self.items.get(key)
        return Formatted(*found) if found is not None else None

    def put(self, key: str, formatted: Formatted) -> None:
        self.items[key] = list(formatted)
        self.changed = True

    def save(self) -> None:
        """Sorted JSON, written atomically."""
        if not self.changed or self.path is None:
            return
        write_atomically(self.path, json.dumps(self.items, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        self.changed = False


def _is_current(value: object) -> bool:
    return isinstance(value, list) and len(value) == len(Formatted._fields) and all(isinstance(part, str) for part in value)
