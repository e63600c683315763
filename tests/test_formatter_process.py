"""Formatting in a second process on cold builds: the same pages, whoever formats an entry."""

from __future__ import annotations

import inspect
import os
import select
import signal
import sys
import textwrap
import time

import pytest
from conftest import soup

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
from mkdocs_factcheck.core.formatting import formatter_process
from mkdocs_factcheck.core.formatting.cache import FormattedCache
from mkdocs_factcheck.core.formatting.formatter_process import FormatterProcess
from mkdocs_factcheck.core.formatting.pybtex_formatter import SafeHTMLBackend, format_source, load_style

ENTRIES = 12
BIB = "".join(
    f"@article{{e{n}, author = {{M{{\\\"u}}ller, J. and Garc{{\\'i}}a, A{n}.}}, title = {{Interleukin-2 study {n}}},"
    f" journal = {{Gut}}, year = {{{1980 + n}}}, doi = {{10.1000/e{n}}}}}\n"
    for n in range(ENTRIES)
)
PAGE = "# Article\n\n" + "".join(f"Finding {n} [@e{n}]. Again @e{n}.\n\n" for n in range(ENTRIES))
# Waiting for the child, never for a fixed time: how long it may take at most on a slow machine.
PATIENCE = 60


def wait_for_child(process: FormatterProcess, expected: int) -> None:
    """Until the child has sent `expected` results, or has ended."""
    deadline = time.monotonic() + PATIENCE
    while len(process.results) < expected and time.monotonic() < deadline:
        readable, _, _ = select.select([process._fd], [], [], deadline - time.monotonic())
        if not readable:
            break
        before = len(process.results)
        process._receive()
        if len(process.results) == before and process.process.poll() is not None:
            process._receive()  # what it wrote just before it ended
            break


pytestmark = pytest.mark.skipif(os.name != "posix", reason="the second process is started on POSIX systems only")


def hanging_child(request) -> list[str]:
    """A child that never sends anything and would end only after ten minutes."""
    return [sys.executable, "-c", "import time; time.sleep(600)"]


@pytest.fixture
def always_start(monkeypatch):
    """The child is started for any number of entries, on any machine this runs on."""
    monkeypatch.setattr(formatter_process, "MIN_ENTRIES", 1)
    monkeypatch.setattr(formatter_process, "usable_cores", lambda: 2)


def hook_waiting_for_the_child(site, expected: int) -> None:
    """A site configured with a hook that runs after the plugin's on_files and lets the child finish
    before any page renders, so that the build must take every entry from it; it keeps what it saw."""
    hook = textwrap.dedent(f"""
        from __future__ import annotations

        import select
        import time

        from mkdocs.plugins import event_priority

        seen = {{}}

        @event_priority(-100)
        def on_files(files, config):
            helper = config.plugins["factcheck"].engine.formatter.helper
            seen["helper"] = helper
            if helper is not None:
                wait_for_child(helper, {expected})
            return files

        @event_priority(100)
        def on_post_build(config):
            formatter = config.plugins["factcheck"].engine.formatter
            seen["taken"] = formatter.taken_count
            seen["formatted_here"] = formatter.formatted_count
        """)
    (site.root / "hooks.py").write_text(
        hook + "\n\n" + inspect.getsource(wait_for_child).replace("PATIENCE", str(PATIENCE)), encoding="utf-8"
    )
    site.config(extra={"hooks": ["hooks.py"]})


def hook_module():
    return sys.modules["hooks.py"]


def test_child_sends_what_the_build_would_make(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    bibliography = BibliographyCache().get([bib], tmp_path)
    sources = [bibliography.get(f"e{n}") for n in range(ENTRIES)]
    assert sources[0].entry.persons["author"]  # names read in the build's copy: not sent, read again there
    process = FormatterProcess("unsrt", sources)
    try:
        wait_for_child(process, ENTRIES)
        style = load_style("unsrt")
        expected = {
            FormattedCache.key(style, source.raw): format_source(style, SafeHTMLBackend(), source) for source in sources
        }
        assert process.results == expected
    finally:
        process.close()
    assert process.process.returncode is not None and not process.request.exists()


def test_cold_build_takes_entries_from_the_child(site, always_start, monkeypatch):
    site.bib(BIB)
    site.page("index.md", PAGE)
    hook_waiting_for_the_child(site, ENTRIES)
    site.build()
    seen = hook_module().seen
    assert seen["taken"] == ENTRIES and seen["formatted_here"] == 0
    assert seen["helper"].process.returncode is not None, "the child outlived the build"
    with_child = soup(site.html()).select_one("article")

    (site.root / ".cache").rename(site.root / "old-cache")  # cold again, this time without a child
    site.config()
    monkeypatch.setattr(formatter_process, "MIN_ENTRIES", 10**9)
    site.build()
    alone = soup(site.html()).select_one("article")
    assert with_child is not None and str(with_child) == str(alone)  # citations (with authors), entries, links
    assert "Interleukin-2 study 11" in alone.get_text() and "Müller and García [12]" in alone.get_text()


def test_entry_the_child_cannot_format_is_formatted_and_reported_by_the_build(site, always_start, warnings):
    site.bib(BIB + "@weird{nojournal, title = {Lonely title}, year = {2001}}\n")
    site.page("index.md", PAGE + "Alone [@nojournal].\n")
    hook_waiting_for_the_child(site, ENTRIES + 1)
    site.build()
    seen = hook_module().seen
    assert seen["taken"] == ENTRIES and seen["formatted_here"] == 1
    messages = [m for m in warnings() if "entry 'nojournal' cannot be formatted" in m]
    assert len(messages) == 1, messages
    assert "Lonely title" in soup(site.html()).select_one("#ref-nojournal").get_text()


@pytest.mark.parametrize(
    "child",
    [
        "import sys; sys.exit(3)",  # ends at once
        "import sys; sys.stdout.buffer.write(bytes([0, 0, 0, 5]) + b'junk!'); sys.stdout.flush()",  # a damaged frame
        "import sys; sys.stdout.buffer.write(bytes([0, 0, 9, 9]) + b'short')",  # a frame cut short
    ],
)
def test_failing_child_changes_nothing(site, always_start, monkeypatch, child):
    monkeypatch.setattr(formatter_process, "child_command", lambda request: [sys.executable, "-c", child])
    site.bib(BIB)
    site.page("index.md", PAGE)
    hook_waiting_for_the_child(site, ENTRIES)
    site.build()
    seen = hook_module().seen
    assert seen["helper"] is not None and seen["taken"] == 0 and seen["formatted_here"] == ENTRIES
    entries = soup(site.html()).select("li.reference")
    assert len(entries) == ENTRIES and "Interleukin-2 study 0" in entries[0].get_text()


def test_no_child_for_a_warm_build_or_a_few_entries(site, monkeypatch):
    monkeypatch.setattr(formatter_process, "usable_cores", lambda: 2)
    monkeypatch.setattr(formatter_process, "MIN_ENTRIES", ENTRIES + 1)
    site.bib(BIB)
    site.page("index.md", PAGE)
    hook_waiting_for_the_child(site, ENTRIES)
    site.build()
    assert hook_module().seen["helper"] is None  # twelve entries: below the threshold
    monkeypatch.setattr(formatter_process, "MIN_ENTRIES", 1)
    site.build()
    assert hook_module().seen["helper"] is None  # every entry is in the formatted-entry cache


def test_build_never_waits_for_a_child_that_sends_nothing(site, always_start, monkeypatch):
    """A child that hangs: the build formats everything itself and kills it at the end (a child that
    had been waited for would have ended by itself, with code 0)."""
    monkeypatch.setattr(formatter_process, "child_command", hanging_child)
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.write(
        "hooks.py",
        "seen = {}\n\ndef on_post_page(output, page, config):\n    seen['helper'] ="
        " config.plugins['factcheck'].engine.formatter.helper\n    return output\n",
    )
    site.config(extra={"hooks": ["hooks.py"]})
    site.build()
    helper = hook_module().seen["helper"]
    assert helper is not None and helper.process.returncode == -signal.SIGKILL
    assert not helper.request.exists()
    assert len(soup(site.html()).select("li.reference")) == ENTRIES


def test_failed_build_stops_the_child(site, always_start, monkeypatch):
    monkeypatch.setattr(formatter_process, "child_command", hanging_child)
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.write(
        "hooks.py",
        "seen = {}\n\ndef on_env(env, config, files):\n    seen['helper'] ="
        " config.plugins['factcheck'].engine.formatter.helper\n    raise RuntimeError('a plugin failed')\n",
    )
    site.config(extra={"hooks": ["hooks.py"]})
    with pytest.raises(RuntimeError):
        site.build()
    helper = hook_module().seen["helper"]
    assert helper is not None and helper.process.returncode == -signal.SIGKILL
