"""The plugin changes bench/NOTES.md recommends, applied inside the measured process to see what they gain
before they are made in plugins/: `bench/run.py --proposed-fixes` (results under bench/out/ only).

This is a measuring device, not the fix: the real changes belong in plugins/ (NOTES.md says where), with
the caches on the plugin object rather than in module globals.

1. Plain-text rendering without pybtex's per-call plugin lookup (`render_as("text")` rescans every
   installed distribution's entry points, about 19 ms a call here), and `latex_to_text` memoised.
2. The report's data computed once per build (it is computed in on_env and again in on_post_build).
3. Formatted entries cached by a digest of the entry, the style and the plugin and pybtex versions: in
   memory across `serve` rebuilds, and on disk for the next build.
4. The parsed bibliography cached on disk by a digest of the files' bytes.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import pickle
from importlib import metadata
from pathlib import Path

from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.richtext import BaseText, Text

import mkdocs_factcheck
from mkdocs_factcheck import bibliography, formatting, labels, report
from mkdocs_factcheck.plugin import FactcheckPlugin

TEXT = TextBackend()
CACHE = Path(".cache/plugin/factcheck")  # the worker runs in the site's folder, next to mkdocs.yml
PYBTEX = metadata.version("pybtex")

# 1 ------------------------------------------------------------------------------------------------
_backends: dict = {"text": TEXT}


def render_as(self, backend_name):
    backend = _backends.get(backend_name)
    if backend is None:
        from pybtex.plugin import find_plugin

        backend = _backends[backend_name] = find_plugin("pybtex.backends", backend_name)()
    return self.render(backend)


BaseText.render_as = render_as  # covers formatting.py, styles/vancouver.py and online/compare.py


@functools.lru_cache(maxsize=65536)
def latex_to_text(value: str) -> str:
    return Text.from_latex(value).render(TEXT)


for module in (formatting, labels, report):
    module.latex_to_text = latex_to_text

# 2 ------------------------------------------------------------------------------------------------
_report = FactcheckPlugin._report


def report_once(self):
    cached = getattr(self, "_bench_report", None)
    if cached is not None and cached[0] is self.engine and cached[1] is self.online:
        return cached[2]
    data = _report(self)
    self._bench_report = (self.engine, self.online, data)
    return data


FactcheckPlugin._report = report_once

# 3 ------------------------------------------------------------------------------------------------
FORMATTED_FILE = CACHE / "bench-formatted.json"
_formatted: dict[str, list[str]] = {}
_loaded = False
_format = formatting.EntryFormatter._format


def entry_digest(entry, style) -> str:
    persons = {role: [str(person) for person in people] for role, people in entry.persons.items()}
    data = [mkdocs_factcheck.__version__, PYBTEX, type(style).__module__, type(style).__qualname__, entry.type, sorted(entry.fields.items()), sorted(persons.items())]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def cached_format(self, key):
    global _loaded
    if not _loaded:
        _loaded = True
        if FORMATTED_FILE.exists():
            _formatted.update(json.loads(FORMATTED_FILE.read_text(encoding="utf-8")))
    lowered = key.lower()
    if lowered in self._formatted:
        return self._formatted[lowered]
    source = self.bibliography.get(key)
    digest = entry_digest(source.entry, self.style)
    hit = _formatted.get(digest)
    if hit is not None:
        self._formatted[lowered] = (hit[0], hit[1])
        return self._formatted[lowered]
    result = _format(self, key)
    _formatted[digest] = list(result)
    return result


formatting.EntryFormatter._format = cached_format


@atexit.register
def save_formatted() -> None:
    if _formatted:
        FORMATTED_FILE.parent.mkdir(parents=True, exist_ok=True)
        FORMATTED_FILE.write_text(json.dumps(_formatted, sort_keys=True, ensure_ascii=False), encoding="utf-8")


# 4 ------------------------------------------------------------------------------------------------
_load = bibliography.load


def cached_load(paths, base):
    digest = hashlib.sha256()
    digest.update(f"{mkdocs_factcheck.__version__} {PYBTEX} {base}".encode())
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            return _load(paths, base)
    target = CACHE / f"bench-bibliography-{digest.hexdigest()[:32]}.pickle"
    if target.exists():
        return pickle.loads(target.read_bytes())
    result = _load(paths, base)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


bibliography.load = cached_load
