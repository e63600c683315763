"""Caches never serve a stale formatted reference: after a changed entry, style or plugin version, the
HTML shows the new text.

Each test builds a small site twice in one process. `serve`: as `mkdocs serve` does (mkdocs/commands/
serve.py): `on_startup(command="serve")` once, then the config is loaded again before the second build, so
the plugin object and whatever it keeps in memory survive. `fresh`: the second build gets a new plugin
object, as a new `mkdocs build` process would, so only what the plugin keeps on disk (.cache) survives.
No test here measures or asserts a time.
"""

from __future__ import annotations

import os
import sys

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache

ENTRY = """
@article{onji1987,
  author = {Onji, Masaaki and Kondoh, Hiroshi},
  title = {{TITLE}},
  journal = {Journal of Immunology},
  year = {1987},
  volume = {12},
  pages = {33--45},
  doi = {10.1000/jim.1987.0001}
}
"""
PAGE = """
# Page

Onji and Kondoh treated eleven patients [@onji1987].
"""


def bibliography(title: str) -> str:
    return ENTRY.replace("TITLE", title)


def forget_plugin_objects() -> None:
    """What a new process starts with: MkDocs keeps plugins that define on_startup in this cache."""
    MkDocsConfig.plugins.plugin_cache.clear()


class Session:
    """Two builds of one site in one process, the second as `mkdocs serve` rebuilds or as a new `mkdocs build`."""

    def __init__(self, site, mode: str):
        self.site = site
        self.mode = mode
        self.builds = 0

    def build(self) -> str:
        config_file = str(self.site.root / "mkdocs.yml")
        if self.mode == "fresh" or self.builds == 0:
            if self.mode == "fresh":
                forget_plugin_objects()
            config = load_config(config_file)
            config.plugins.on_startup(command="serve" if self.mode == "serve" else "build", dirty=False)
        else:
            config = load_config(config_file)  # serve's get_config(): same plugin objects
        build(config, dirty=False)
        if self.mode == "fresh":
            config.plugins.on_shutdown()
        self.builds += 1
        return self.site.html()

    def close(self) -> None:
        forget_plugin_objects()


@pytest.fixture(params=["serve", "fresh"])
def session(request, site):
    forget_plugin_objects()
    result = Session(site, request.param)
    yield result
    result.close()


def reference_text(html: str) -> str:
    from conftest import soup

    items = soup(html).select("li.reference .reference-text")
    assert items, "the page has no bibliography entry"
    return " ".join(item.get_text(" ", strip=True) for item in items)


def citations(html: str) -> list[str]:
    from conftest import soup

    return [span.get_text() for span in soup(html).select("span.citation")]


def tooltip(html: str) -> str:
    from conftest import soup

    return " ".join(link.get("title", "") for link in soup(html).select("a.citation-ref"))


def test_changed_entry_is_formatted_again(site, session):
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    first = session.build()
    assert "Interleukin-2 in eleven patients" in reference_text(first)
    site.bib(bibliography("Recombinant interleukin-2 in eleven patients with renal cancer"))
    second = session.build()
    assert "Recombinant interleukin-2 in eleven patients with renal cancer" in reference_text(second)
    assert "Recombinant interleukin-2 in eleven patients with renal cancer" in tooltip(second)


def test_changed_entry_of_same_size_and_time_is_formatted_again(site, session, request):
    """A copy that keeps the file's size and modification time (`cp -p`, `rsync -t`, an archive, a coarse
    file system clock) still changes what the references say."""
    bib = site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    first = session.build()
    assert "Interleukin-2 in eleven patients" in reference_text(first)
    stat = bib.stat()
    site.bib(bibliography("Interleukin-2 in twenty patients"))  # as many characters
    assert bib.stat().st_size == stat.st_size
    os.utime(bib, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = session.build()
    assert "Interleukin-2 in twenty patients" in reference_text(second)


def test_changed_authors_are_shown(site, session):
    """The short author list of a narrative citation is kept with the formatted entry: an edited
    author field is read again."""
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", "# Page\n\n@onji1987 treated eleven patients.\n")
    site.config({"citation_mode": "author-year"})
    assert citations(session.build()) == ["Onji and Kondoh (1987)"]
    site.bib(bibliography("Interleukin-2 in eleven patients").replace("Kondoh, Hiroshi", "Kondo, Hiroshi"))
    assert citations(session.build()) == ["Onji and Kondo (1987)"]


def test_renamed_entry_without_author_or_title_shows_its_new_key(site, session):
    """Such an entry is labelled by its key in author-year mode: the key is part of the cache key."""
    site.bib("@misc{who2020, year = {2020}, url = {https://example.org/facts}}\n")
    site.page("index.md", "# Page\n\nSee [@who2020].\n")
    site.config({"citation_mode": "author-year"})
    assert citations(session.build()) == ["(who2020, 2020)"]
    site.bib("@misc{whofacts, year = {2020}, url = {https://example.org/facts}}\n")
    site.page("index.md", "# Page\n\nSee [@whofacts].\n")
    assert citations(session.build()) == ["(whofacts, 2020)"]


def test_changed_style_is_used(site, session):
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config({"style": "unsrt"})
    first = reference_text(session.build())
    site.config({"style": "vancouver"})
    second = reference_text(session.build())
    assert first != second, "the style changed but the reference reads the same"
    # unsrt writes given names in full, Vancouver as initials without stops: "Onji M, Kondoh H".
    assert "Masaaki" in first
    assert "Onji M" in second and "Masaaki" not in second


def test_new_plugin_version_formats_again(site, session, monkeypatch):
    """A new version of the plugin may format entries differently: nothing formatted by the old one is reused."""
    import mkdocs_factcheck
    import mkdocs_factcheck.core.formatting.pybtex_formatter as formatting

    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    first = reference_text(session.build())
    assert "Formatted by version two" not in first
    # The new version: another version number everywhere the package exposes it, and formatting code that
    # writes something else (here: a prefix to the title, which the old version never wrote).
    for name, module in list(sys.modules.items()):
        if name == "mkdocs_factcheck" or name.startswith("mkdocs_factcheck."):
            if hasattr(module, "__version__"):
                monkeypatch.setattr(module, "__version__", "99.0.0")
    assert mkdocs_factcheck.__version__ == "99.0.0"
    original = formatting.printable_copy

    def new_printable_copy(entry):
        copy = original(entry)
        copy.fields["title"] = "Formatted by version two: " + copy.fields.get("title", "")
        return copy

    monkeypatch.setattr(formatting, "printable_copy", new_printable_copy)
    second = reference_text(session.build())
    assert "Formatted by version two" in second


def fresh_build(site) -> tuple[str, object]:
    """A build as a new `mkdocs build` process makes it; returns the page and the plugin object."""
    forget_plugin_objects()
    config = load_config(str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config, dirty=False)
    config.plugins.on_shutdown()
    return site.html(), config.plugins["factcheck"]


def test_parsed_bibliography_is_read_from_disk_by_the_next_build(site):
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    _, first = fresh_build(site)
    assert first.bibliography_cache.parses == 1
    html, second = fresh_build(site)
    assert second.bibliography_cache.parses == 0, "nothing changed, yet the .bib was parsed again"
    assert "Interleukin-2 in eleven patients" in reference_text(html)
    site.bib(bibliography("Interleukin-2 in twenty patients"))
    html, third = fresh_build(site)
    assert third.bibliography_cache.parses == 1
    assert "Interleukin-2 in twenty patients" in reference_text(html)
    forget_plugin_objects()


def test_warm_build_reads_no_names(site):
    """Reading names is nearly half of parsing: a build that finds every entry formatted on disk takes
    labels, authors and tooltips from there and leaves the names as text."""
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", "# Page\n\n@onji1987 treated eleven patients [@onji1987].\n")
    site.config()
    cold, _ = fresh_build(site)
    warm, plugin = fresh_build(site)
    assert plugin.engine.formatter.formatted_count == 0
    assert all(source._entry is None for source in plugin.engine.bibliography.sources.values())
    assert warm == cold
    forget_plugin_objects()


@pytest.mark.parametrize("damage", [b"", b"not json at all", None])
def test_damaged_parsed_bibliography_is_parsed_again(site, damage):
    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    fresh_build(site)
    stored = site.root / ".cache" / "plugin" / "factcheck" / BibliographyCache.FILE
    assert stored.is_file()
    if damage is None:
        stored.write_bytes(stored.read_bytes()[:200])  # cut short, as by a full disk
    else:
        stored.write_bytes(damage)
    html, plugin = fresh_build(site)
    assert plugin.bibliography_cache.parses == 1
    assert "Interleukin-2 in eleven patients" in reference_text(html)
    forget_plugin_objects()


def test_formatted_cache_of_an_older_layout_is_not_used(site):
    """Entries written in an older layout ([html, text, title], before authors were kept) are formatted
    again, not half-read."""
    import json

    from mkdocs_factcheck.core.formatting.cache import FormattedCache

    site.bib(bibliography("Interleukin-2 in eleven patients"))
    site.page("index.md", PAGE)
    site.config()
    _, plugin = fresh_build(site)
    stored = site.root / ".cache" / "plugin" / "factcheck" / FormattedCache.FILE
    items = json.loads(stored.read_text(encoding="utf-8"))
    assert items and all(len(value) == 4 for value in items.values())
    stored.write_text(json.dumps({key: ["<i>stale</i>", "stale", "stale"] for key in items}), encoding="utf-8")
    html, plugin = fresh_build(site)
    assert plugin.engine.formatter.formatted_count == 1
    assert "stale" not in html and "Interleukin-2 in eleven patients" in reference_text(html)
    forget_plugin_objects()
