"""Formatted entries kept between builds: in memory across `mkdocs serve` rebuilds, on disk between
`mkdocs build` runs. The key covers everything the output depends on, so nothing stale is served.

The HTML of an entry goes into pages as it is, and the file comes from a cache directory that CI
systems restore between runs and branches: it is input, not trusted. So an entry's HTML is used only
if it holds nothing but the markup our backend emits (`is_backend_html`): escaped text, pybtex's
protected spans, the inline tags of styles and links to http(s) addresses, properly nested. Whatever
else a file holds is formatted again. Signing the file would not do: its key would sit in the same
restored directory.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import NamedTuple

from pybtex.database import Entry

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.cache_files import pybtex_version, remove_stale, write_atomically
from mkdocs_factcheck.core.log import logger

log = logger("cache")


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
        self._checked: set[str] = set()  # keys whose HTML passed is_backend_html (or that we formatted)

    def load(self, directory: Path) -> None:
        """Read the file once; later builds of one `mkdocs serve` session keep the memory copy."""
        path = directory / self.FILE
        if self.path == path:
            return
        self.path = path
        self.changed = False
        self._checked = set()
        remove_stale(directory)
        try:
            data = json_data.loads(path.read_text(encoding="utf-8"), max_depth=None)  # values checked by _is_current
        except (OSError, ValueError):
            data = {}  # no file yet, or a damaged one: formatting again is always correct
        # Checked once here, not at every lookup: entries of an older layout are dropped (formatted again).
        self.items = {key: value for key, value in data.items() if _is_current(value)} if isinstance(data, dict) else {}

    @staticmethod
    def key(style: object, entry: Entry) -> str:
        """`entry` as parsed (`Source.raw`): names are still text among its fields."""
        from mkdocs_factcheck.version import (
            __version__,
        )  # at call time: a new version (or a test's) must change every key

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
        if found is None:
            return None
        if key not in self._checked:  # checked on first use: a build reads only the entries it cites
            if not is_backend_html(found[0]):
                log.warning(
                    "factcheck: %s holds an entry with markup the formatter never writes (a tampered cache?): formatted"
                    " again",
                    self.path,
                )
                del self.items[key]
                self.changed = True
                return None
            self._checked.add(key)
        return Formatted(*found)

    def put(self, key: str, formatted: Formatted) -> None:
        if not is_backend_html(formatted.html):
            return  # a style's unusual markup: formatted every build rather than rejected as tampered
        self.items[key] = list(formatted)
        self._checked.add(key)
        self.changed = True

    def save(self) -> None:
        """Sorted JSON, written atomically."""
        if not self.changed or self.path is None:
            return
        try:
            write_atomically(self.path, json.dumps(self.items, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        except OSError as error:  # a read-only or full disk: formatted again next time
            log.info("factcheck: cannot write %s (%s)", self.path, error)
        self.changed = False


# The markup of SafeHTMLBackend (formatting.py) on pybtex's HTML backend: text escaped (&, <, >), tags
# with no attributes for styles' emphasis, `<span class="bibtex-protected">`, and `<a href>` only to
# http(s) URLs escaped with their quotes (so the value holds no `"`).
INLINE_TAGS = frozenset(
    {"em", "strong", "i", "b", "u", "s", "tt", "code", "sup", "sub", "small", "cite", "q", "span", "a"}
)
TAG = re.compile(r'<(/?)([a-z]+)( class="bibtex-protected"| href="https?://[^"<>]*")?>')
REQUIRED_ATTRIBUTE = {"span": ' class="bibtex-protected"', "a": " href="}


def is_backend_html(html: str) -> bool:
    """True if `html` holds only the backend's markup, every tag closed in order."""
    if "<" not in html:
        return ">" not in html  # most entries: text only
    tags = TAG.findall(html)
    # Each match holds one `<` and one `>`: equal counts mean no bracket outside the allowed tags.
    if html.count("<") != len(tags) or html.count(">") != len(tags):
        return False
    open_tags: list[str] = []
    for closing, name, attribute in tags:
        if name not in INLINE_TAGS:
            return False
        if closing:
            if attribute or not open_tags or open_tags.pop() != name:
                return False
        elif name in REQUIRED_ATTRIBUTE:
            if not attribute.startswith(REQUIRED_ATTRIBUTE[name]):
                return False
            open_tags.append(name)
        elif attribute:
            return False
        else:
            open_tags.append(name)
    return not open_tags


def _is_current(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == len(Formatted._fields)
        and all(isinstance(part, str) for part in value)
    )
