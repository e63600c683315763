"""The bibliography and formatted-entry caches as hostile input: planted, tampered, damaged, left half
written by a killed build. Every build here is real (a site in a temporary folder); kills are SIGKILLs of
a real child process, stopped on a condition in the middle of its write.

The online cache (SQLite) has its own suite: tests/online/test_online_cache_damage.py.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import soup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
from mkdocs_factcheck.core.cache_files import STALE_AFTER, TEMPORARY_PREFIX
from mkdocs_factcheck.core.formatting.cache import FormattedCache, is_backend_html

BIB = r"""
@article{onji1987,
  author  = {Onji, M. and Kondoh, H.},
  title   = {Effect of interleukin 2 on hepatitis {B}: eleven patients},
  journal = {Gut}, year = {1987}, volume = {28}, pages = {1648--1652},
  doi     = {10.1136/gut.28.12.1648},
  url     = {https://example.org/onji?a=1&b="2"}
}

@book{parent2010,
  editor = {Smith, Anne}, title = {The Parent Book}, publisher = {Big \& Press}, year = {2010}
}
"""
PAGE = "# Page\n\nA claim [@onji1987] and a book [@parent2010].\n"
TITLE_WORDS = "eleven patients"


def fresh_build(site) -> tuple[str, object]:
    """A build as a new `mkdocs build` process makes it (MkDocs keeps plugin objects in a class cache)."""
    MkDocsConfig.plugins.plugin_cache.clear()
    config = load_config(str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config, dirty=False)
    finally:
        config.plugins.on_shutdown()
        MkDocsConfig.plugins.plugin_cache.clear()
    return site.html(), config.plugins["factcheck"]


@pytest.fixture
def cached_site(site):
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.config()
    return site


def cache_dir(site) -> Path:
    return site.root / ".cache" / "plugin" / "factcheck"


def assert_right(html: str) -> None:
    """The references as a cold build shows them, and nothing planted."""
    page = soup(html)
    texts = [item.get_text(" ") for item in page.select("li.reference")]
    assert len(texts) == 2 and any(TITLE_WORDS in text for text in texts), texts
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html


# ------------------------------------------------------------------ planted files: nothing runs


class Payload:
    """Unpickling this writes a file: what a planted bibliography.pickle did during a normal build."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_planted_pickle_is_never_loaded(cached_site, tmp_path):
    directory = cache_dir(cached_site)
    directory.mkdir(parents=True)
    marker = tmp_path / "pwned"
    for name in ("bibliography.pickle", BibliographyCache.FILE, FormattedCache.FILE):
        (directory / name).write_bytes(pickle.dumps(Payload(marker)))
    html, plugin = fresh_build(cached_site)
    assert not marker.exists(), "a cache file ran code"
    assert not (directory / "bibliography.pickle").exists()  # an earlier version's file: removed, never read
    assert plugin.bibliography_cache.parses == 1
    assert_right(html)


def planted_rows(site, change) -> None:
    """Rewrite the stored bibliography's rows (its stamp kept, so that it is used) with `change(rows)`."""
    path = cache_dir(site) / BibliographyCache.FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rows"] = change(data["rows"])
    path.write_text(json.dumps(data), encoding="utf-8")


def set_at(index: int, value):
    return lambda rows: [[*row[:index], value, *row[index + 1 :]] for row in rows]


@pytest.mark.parametrize(
    "change",
    [
        # A BibTeX entry is stored as [key, file, line, start, end]: where its text is in its file.
        pytest.param(set_at(0, None), id="key-null"),
        pytest.param(set_at(1, "elsewhere.bib"), id="file-not-the-bibliography's"),
        pytest.param(set_at(2, "12"), id="line-a-string"),
        pytest.param(set_at(3, -5), id="span-negative"),
        pytest.param(set_at(3, 10**9), id="span-reversed"),
        pytest.param(set_at(4, [1]), id="span-a-list"),
        pytest.param(lambda rows: [row[:4] for row in rows], id="short-row"),
        pytest.param(lambda rows: [[*row, "extra"] + ["x"] * 0 for row in rows], id="six-items-not-a-csl-item"),
        pytest.param(lambda rows: {"not": "rows"}, id="rows-an-object"),
    ],
)
def test_a_tampered_bibliography_cache_is_parsed_again(cached_site, change):
    """Through the cache's own entry point, as on_config calls it (parsing is all it does)."""
    paths, base, directory = [cached_site.root / "references.bib"], cached_site.root, cache_dir(cached_site)
    first = BibliographyCache().get(paths, base, directory)
    planted_rows(cached_site, change)
    cache = BibliographyCache()
    again = cache.get(paths, base, directory)
    assert cache.parses == 1
    assert {key: dict(s.raw.fields) for key, s in again.sources.items()} == {
        key: dict(s.raw.fields) for key, s in first.sources.items()
    }
    assert BibliographyCache().get(paths, base, directory).keys() == first.keys()  # rewritten: used again


def test_planted_markup_in_a_well_formed_bibliography_cache_is_escaped(site):
    """A well-formed file with the right stamp is used: what it holds is then text, like a .bib's.
    (BibTeX entries are stored as spans of their file, whose digest is in the stamp: the fields that the
    file itself holds are those of CSL items.)"""
    site.write(
        "refs.json",
        json.dumps(
            [
                {
                    "id": "csl1",
                    "type": "article-journal",
                    "title": "A CSL item",
                    "author": [{"family": "Doe", "given": "J"}],
                    "container-title": "J",
                    "issued": {"date-parts": [[2000]]},
                }
            ]
        ),
    )
    site.page("index.md", "Cited [@csl1].\n")
    site.config(plugin={"bibliography": "refs.json"})
    fresh_build(site)

    def change(rows):
        csl_rows = [row for row in rows if len(row) == 6]
        assert csl_rows
        for row in csl_rows:
            row[4] = [
                [name, value + '<script>alert("x")</script>' if name == "title" else value] for name, value in row[4]
            ]
        return rows

    planted_rows(site, change)
    html, _ = fresh_build(site)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def formatted_items(site) -> dict:
    return json.loads((cache_dir(site) / FormattedCache.FILE).read_text(encoding="utf-8"))


HOSTILE_HTML = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<span onclick="alert(1)">x</span>',
    '<a href="https://e.org/" onclick="alert(1)">x</a>',
    "<em>never closed: the rest of the page in italics, alert(",
    "</li></ol><div>alert(1)</div>",
    "a <!-- alert( --> comment",
]


@pytest.mark.parametrize("planted", HOSTILE_HTML)
def test_the_check_rejects_hostile_html(planted):
    assert not is_backend_html(planted)


def test_tampered_formatted_html_is_not_injected(cached_site, warnings):
    fresh_build(cached_site)
    items = formatted_items(cached_site)
    planted = dict(zip(items, [HOSTILE_HTML[0], HOSTILE_HTML[2]], strict=True))
    (cache_dir(cached_site) / FormattedCache.FILE).write_text(
        json.dumps({key: [planted[key], *value[1:]] for key, value in items.items()}), encoding="utf-8"
    )
    html, plugin = fresh_build(cached_site)
    assert plugin.engine.formatter.formatted_count == 2
    assert_right(html)
    assert any("formatted again" in message for message in warnings())
    assert all(is_backend_html(value[0]) for value in formatted_items(cached_site).values())  # the bad ones replaced
    _, plugin = fresh_build(cached_site)
    assert plugin.engine.formatter.formatted_count == 0  # and cached again


@pytest.mark.parametrize("style", ["unsrt", "plain", "alpha", "abbrv", "vancouver"])
def test_what_the_styles_write_passes_the_check(tmp_path, style):
    """Every entry of the shared test bibliography and of this one, in every built-in style: what the
    formatter writes is what the check lets through (or a warm build would format everything again)."""
    from conftest import BIB as SHARED

    from mkdocs_factcheck.core.bibliography.files import load
    from mkdocs_factcheck.core.formatting.pybtex_formatter import SafeHTMLBackend, format_source, load_style

    path = tmp_path / "all.bib"
    path.write_text(
        SHARED + BIB.replace("onji1987", "onji1987b").replace("parent2010", "parent2010b"), encoding="utf-8"
    )
    sources = load([path], tmp_path).sources.values()
    formatted = [format_source(load_style(style), SafeHTMLBackend(), source).html for source in sources]
    assert len(formatted) == 9 and all(is_backend_html(html) for html in formatted), formatted


# ------------------------------------------------------------------ damaged files: parsed or formatted again


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def other_layout(path: Path) -> None:
    path.write_text(json.dumps({"format": 99, "rows": "elsewhere", "some": ["other", "program"]}), encoding="utf-8")


def a_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("x", encoding="utf-8")


def deeply_nested(path: Path) -> None:
    path.write_text('{"format": 2, "rows": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")


@pytest.mark.parametrize(
    "damage", [truncated, random_bytes, other_layout, a_directory, deeply_nested], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("name", [BibliographyCache.FILE, FormattedCache.FILE])
def test_a_damaged_cache_file_is_rebuilt_or_bypassed(cached_site, warnings, name, damage):
    fresh_build(cached_site)
    damage(cache_dir(cached_site) / name)
    html, plugin = fresh_build(cached_site)
    assert_right(html)
    if name == BibliographyCache.FILE:
        assert plugin.bibliography_cache.parses == 1
    else:
        assert plugin.engine.formatter.formatted_count == 2
    assert warnings() == []
    if damage is random_bytes:  # rewritten whole, so the next build uses it
        _, plugin = fresh_build(cached_site)
        assert plugin.bibliography_cache.parses == 0 and plugin.engine.formatter.formatted_count == 0


# ------------------------------------------------------------------ killed mid-write


CHILD = """
import os, sys, threading
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

config_file, blocked, stage = sys.argv[1], sys.argv[2], sys.argv[3]
real_replace = os.replace
real_fdopen = os.fdopen


class HalfWritten:
    # The temporary file of `blocked`: half its bytes written and flushed, then the write stops.

    def __init__(self, handle, name):
        self.handle, self.name = handle, name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        print("writing", Path(self.name).name, flush=True)
        threading.Event().wait()


def fdopen(descriptor, *args, **kwargs):
    handle = real_fdopen(descriptor, *args, **kwargs)
    name = os.readlink(f"/proc/self/fd/{descriptor}") if os.path.exists(f"/proc/self/fd/{descriptor}") else ""
    stem = Path(blocked).stem
    if stage == "half" and stem in Path(name).name:
        return HalfWritten(handle, name)
    return handle

def replace(source, target, *args, **kwargs):
    # The write of `blocked` stops here, its temporary file written and not yet renamed: where a kill
    # leaves the most behind. The parent reads this line, then kills the process.
    if stage == "replace" and Path(target).name == blocked:
        print("writing", Path(source).name, flush=True)
        threading.Event().wait()
    return real_replace(source, target, *args, **kwargs)

os.replace = replace
os.fdopen = fdopen
config = load_config(config_file)
config.plugins.on_startup(command="build", dirty=False)
build(config)
"""


def killed_mid_write(site, blocked: str, tmp_path: Path, stage: str = "replace") -> str:
    """Runs a build in a child process, kills it with SIGKILL during the write of `blocked` (`stage`:
    "half", half its temporary file written; "replace", all of it, not yet renamed); returns the
    temporary file's name."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(site.root / "mkdocs.yml"), blocked, stage],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()  # returns when the child is in the write (or has died)
        assert line.startswith("writing "), child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return line.split()[1]


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize("stage", ["half", "replace"])
@pytest.mark.parametrize("name", [BibliographyCache.FILE, FormattedCache.FILE])
def test_a_build_killed_mid_write_leaves_nothing_for_long(cached_site, tmp_path, name, stage):
    directory = cache_dir(cached_site)
    temporary = killed_mid_write(cached_site, name, tmp_path, stage)
    assert temporary.startswith(TEMPORARY_PREFIX) and (directory / temporary).is_file()
    assert not (directory / name).exists()  # never half a file under the real name
    older = directory / ".bibliography-k2j4h1.pickle"  # what earlier versions left
    older.write_bytes(b"x" * 1000)
    age(older, 3600)

    html, _ = fresh_build(cached_site)
    assert_right(html)
    assert (directory / temporary).exists(), "a temporary younger than a minute may be another build's write"
    assert not older.exists()
    age(directory / temporary, STALE_AFTER + 1)
    html, plugin = fresh_build(cached_site)
    assert_right(html)
    assert not [p.name for p in directory.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]
    assert plugin.bibliography_cache.parses == 0 and plugin.engine.formatter.formatted_count == 0


def test_a_file_in_place_of_the_cache_folder_costs_only_the_cache(cached_site):
    directory = cache_dir(cached_site)
    directory.parent.mkdir(parents=True)
    directory.write_text("not a folder", encoding="utf-8")
    html, plugin = fresh_build(cached_site)
    assert_right(html)
    html, plugin = fresh_build(cached_site)
    assert_right(html)
    assert plugin.bibliography_cache.parses == 1 and directory.read_text(encoding="utf-8") == "not a folder"


def test_names_read_into_persons_survive_the_cache(tmp_path):
    """Entries are cached with their names as text; should a parser read them into persons, the
    cache keeps every part of each name."""
    from pybtex.database import Entry, Person

    from mkdocs_factcheck.core.bibliography.cache import _read_parsed, _write_parsed
    from mkdocs_factcheck.core.bibliography.files import Bibliography, Source
    from mkdocs_factcheck.core.findings import Finding

    entry = Entry("article", fields={"title": "T", "year": "2000"})
    entry.key = "k"
    entry.persons["author"] = [Person("de la Fontaine, Jr., Jean Pierre"), Person("{Barnes and Noble}")]
    stored = Bibliography(
        {"k": Source("k", entry, "refs.bib", 3)}, [Finding("bib_syntax", "m", file="refs.bib", line=2)]
    )
    _write_parsed(tmp_path / "b.json", ("stamp",), stored, [], tmp_path)
    loaded = _read_parsed(tmp_path / "b.json", ("stamp",))
    assert loaded is not None and loaded.findings == stored.findings
    source = loaded.get("k")
    assert (source.file, source.line, dict(source.raw.fields)) == ("refs.bib", 3, {"title": "T", "year": "2000"})
    assert [str(p) for p in source.raw.persons["author"]] == [str(p) for p in entry.persons["author"]]
    assert [p.prelast_names for p in source.raw.persons["author"]] == [["de", "la"], []]
    assert _read_parsed(tmp_path / "b.json", ("another stamp",)) is None
