"""The user guide (guide/) under MkDocs' own `mkdocs` and `readthedocs` themes, as a reader meets it in
Chromium: a copy of guide/mkdocs.yml with only the theme swapped builds with --strict (its Markdown
extensions are all Python-Markdown's or pymdownx's, which any theme renders; Material's `features` and
`palette` go with its theme), every page of the navigation opens without an error, live citations show
their tooltip and lead to their entry and back, references are numbered once, claim badges are styled,
and no raw citation or claim syntax reaches the reader outside code. Screenshots go to IMAGES (look at them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from playwright.sync_api import expect

from .browsing import IMAGES, StaticServer
from .test_guide_site import GUIDE, NAV, url_path
from .test_themes import style

MAIN = '[role="main"]'  # the content column of both themes
# The reader's text of the content, code left out (the guide shows the syntax it documents in code).
PROSE = """main => { const copy = main.cloneNode(true); copy.querySelectorAll('pre, code').forEach(e => e.remove());
  return copy.textContent; }"""


@pytest.fixture(scope="module", params=["mkdocs", "readthedocs"])
def themed_guide(request, tmp_path_factory):
    """The guide copied, its theme swapped, built with `mkdocs build --strict`, and served: `(theme, server)`."""
    theme = request.param
    work = tmp_path_factory.mktemp(f"guide-{theme}")
    shutil.copytree(GUIDE, work / "guide", ignore=shutil.ignore_patterns(".cache", "site"))
    config_file = work / "guide" / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["theme"] = {"name": theme, "highlightjs": False}  # its highlight.js would come from a CDN
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site_dir = work / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file), "-d", str(site_dir)],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    server = StaticServer(site_dir)
    try:
        yield theme, server
    finally:
        server.close()


def test_every_page_opens_without_errors_and_shows_no_raw_syntax(themed_guide, tab):
    theme, server = themed_guide
    for _title, page in NAV:
        tab.page.goto(server.url(url_path(page)))
        main = tab.page.locator(MAIN).first
        expect(main.locator("h1").first).to_be_visible()
        prose = main.evaluate(PROSE)
        for raw in ("[@", "::: {", "{.claim", "{#claim"):
            assert raw not in prose, f"{theme}: {page} shows {raw!r} to readers"
        # Numbered once: our label on each entry, no list marker beside it.
        entries = tab.page.locator(f"{MAIN} li.reference")
        if entries.count():
            assert style(tab.page, f"{MAIN} li.reference", "list-style-type") == "none", page
            expect(tab.page.locator(f"{MAIN} li.reference .reference-label")).to_have_count(entries.count())
    assert tab.external_hosts() == set()


def test_a_live_citation_shows_its_reference_and_leads_to_its_entry_and_back(themed_guide, page):
    theme, server = themed_guide
    page.goto(server.url("citations/"))
    citation = page.locator(f"{MAIN} table a.citation-ref").first
    citation.scroll_into_view_if_needed()
    citation.hover()
    tooltip = page.locator("#factcheck-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Effect of recombinant interleukin 2")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"guide-{theme}-tooltip.png"))
    citation.click()
    expect(page).to_have_url(server.url("citations/#ref-onji1987effect"))
    entry = page.locator("#ref-onji1987effect")
    expect(entry).to_be_in_viewport()
    label, text = entry.locator(".reference-label").bounding_box(), entry.locator(".reference-text").bounding_box()
    assert label["x"] + label["width"] <= text["x"] + 1  # the label stands left of the entry, not over it
    page.screenshot(path=str(IMAGES / f"guide-{theme}-bibliography.png"))
    entry.locator("a.reference-backlink").first.click()
    expect(page.locator(f"{MAIN} table a.citation-ref").first).to_be_in_viewport()


def test_the_claims_page_shows_styled_badges(themed_guide, page):
    theme, server = themed_guide
    page.goto(server.url("claims/#hepb-encouraging"))
    expect(page.locator("aside.factcheck-summary")).to_be_visible()
    badge = ".claim-verdict .verdict-badge"
    expect(page.locator(badge)).to_have_count(3)
    assert style(page, badge, "display") == "inline-flex"
    assert style(page, badge, "border-top-left-radius") != "0px"
    assert style(page, badge, "background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    claim = page.locator("#hepb-encouraging")
    expect(claim.locator(".verdict-badge")).to_contain_text("Partly supported")
    claim.scroll_into_view_if_needed()
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"guide-{theme}-claims.png"))
    page.goto(server.url("factcheck-report/"))
    expect(page.locator("table.factcheck-claims tbody tr")).to_have_count(4)
    page.screenshot(path=str(IMAGES / f"guide-{theme}-report.png"), full_page=True)
