"""What an editor sees: `mkdocs serve` rebuilds on an edit to references.bib or to a page, the browser
reloads with the change, and the terminal names each finding as `path.md:LINE: message`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from .browsing import write_feature_site

RELOAD_MS = 30_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serving:
    """`mkdocs serve` in a subprocess; its output is read by a thread, and tests wait on it for a line."""

    def __init__(self, root, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=root,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, name="mkdocs-serve-output", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append("<exited>")
            self.changed.notify_all()

    def wait_for(self, pattern: str, start: int = 0, timeout: float = 60) -> re.Match:
        """The first output line from index `start` on that matches `pattern` (waits on the output)."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = start
        with self.changed:
            while True:
                for line in self.lines[seen:]:
                    if found := compiled.search(line):
                        return found
                    if line == "<exited>":
                        pytest.fail("mkdocs serve exited:\n" + "\n".join(self.lines))
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"no line matching {pattern!r} from mkdocs serve:\n" + "\n".join(self.lines))
                self.changed.wait(remaining)

    def mark(self) -> int:
        with self.changed:
            return len(self.lines)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.reader.join(timeout=15)
            self.process.stdout.close()


@pytest.fixture
def serving(site):
    write_feature_site(site)
    server = Serving(site.root, free_port())
    try:
        server.wait_for(r"Serving on http://127\.0\.0\.1")
        yield site, server
    finally:
        server.stop()


def test_bib_edit_reloads_the_page(serving, page: Page):
    site, server = serving
    page.goto(server.url)
    entry = page.locator("#ref-onji1987effect .reference-text")
    expect(entry).to_contain_text("Effect of recombinant interleukin 2 on hepatitis")
    page.evaluate("window.__before_reload = true")
    since = server.mark()

    bib = site.root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    old_title = "Effect of recombinant interleukin 2 on hepatitis {B} e antigen positive chronic hepatitis"
    assert old_title in text
    bib.write_text(text.replace(old_title, "Interleukin 2 in chronic hepatitis {B}: a revised title"), encoding="utf-8")

    expect(entry).to_contain_text("Interleukin 2 in chronic hepatitis B: a revised title", timeout=RELOAD_MS)
    assert page.evaluate("window.__before_reload === undefined"), "the page changed without a reload?"
    server.wait_for(r"Detected file changes", start=since)
    # The tooltip and the no-JavaScript title carry the new text too.
    link = page.locator("#cite-onji1987effect-1")
    assert "a revised title" in link.get_attribute("data-factcheck-title")
    link.hover()
    expect(page.locator("#factcheck-tooltip")).to_contain_text("a revised title")


def test_page_edit_reports_findings_with_lines(serving, page: Page):
    site, server = serving
    page.goto(server.url)
    expect(page.locator(".citation-unresolved")).to_have_count(0)
    since = server.mark()

    article = site.docs / "index.md"
    lines = article.read_text(encoding="utf-8").splitlines()
    lines.append("")
    lines.append("A new sentence cites a source nobody wrote down [@nobody2024missing].")
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected_line = len(lines)

    found = server.wait_for(r"index\.md:(\d+): .*nobody2024missing", start=since)
    assert int(found.group(1)) == expected_line, found.group(0)
    expect(page.locator(".citation-unresolved")).to_have_text("@nobody2024missing?", timeout=RELOAD_MS)


def test_serve_reads_the_ledger_and_never_writes_it(site, page: Page):
    """`mkdocs serve` compares the site with the ledger (a changed verdict is reported on each
    rebuild) but leaves the file as it was: only `mkdocs-factcheck publish` writes it."""
    write_feature_site(site)
    ledger = site.root / "factcheck-ledger.json"
    text = (site.docs / "index.md").read_text(encoding="utf-8")
    claim = re.search(r"\{#([\w-]+) \.claim verdict=([\w-]+)", text)
    assert claim is not None
    record = {
        "page": "index.md",
        "url": "",
        "text": "x",
        "verdict": "partly-supported" if claim[2] != "partly-supported" else "supported",
        "sources": [],
        "published": "2026-11-26",
    }
    ledger.write_text(json.dumps({"format": 1, "claims": {claim[1]: record}}), encoding="utf-8")
    before = ledger.read_bytes()
    server = Serving(site.root, free_port())
    try:
        server.wait_for(r"Serving on http://127\.0\.0\.1")
        server.wait_for(
            rf"claim '{claim[1]}': verdict was '{record['verdict']}' \(published 2026-11-26\), is now '{claim[2]}'"
        )
        page.goto(server.url)
        since = server.mark()
        (site.docs / "index.md").write_text(text + "\nOne more sentence.\n", encoding="utf-8")
        server.wait_for(r"Detected file changes", start=since)
        server.wait_for(r"unpublished_change", start=since)
        assert ledger.read_bytes() == before
    finally:
        server.stop()
    assert ledger.read_bytes() == before
