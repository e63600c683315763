"""The user guide (guide/), built by MkDocs with our plugin and served from 127.0.0.1, as a reader
meets it in Chromium: every page of its navigation opens without an error, the navigation leads from
page to page, its live examples behave like the article's citations and claims, and axe-core finds no
serious or critical violation of ours, in both palettes. Screenshots go to IMAGES (look at them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from playwright.sync_api import expect

from .browsing import IMAGES, PHONE, ROOT, StaticServer
from .test_accessibility import assert_accessible

GUIDE = ROOT / "guide"


def nav_pages(nav) -> list[tuple[str, str]]:
    """(title, page) of every entry of the guide's nav, in order."""
    pages = []
    for item in nav:
        title, value = next(iter(item.items()))
        pages.extend(nav_pages(value) if isinstance(value, list) else [(title, value)])
    return pages


NAV = nav_pages(yaml.safe_load((GUIDE / "mkdocs.yml").read_text(encoding="utf-8"))["nav"])


def url_path(page: str) -> str:
    return "" if page == "index.md" else page.removesuffix(".md") + "/"


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    """The guide, copied and built with `mkdocs build --strict` into a temporary folder, and served."""
    work = tmp_path_factory.mktemp("guide")
    shutil.copytree(GUIDE, work / "guide", ignore=shutil.ignore_patterns(".cache", "site"))
    site_dir = work / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(work / "guide" / "mkdocs.yml"),
            "-d",
            str(site_dir),
        ],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    server = StaticServer(site_dir)
    try:
        yield server
    finally:
        server.close()


def test_every_page_of_the_navigation_opens_without_errors_or_external_requests(guide, tab):
    for title, page in NAV:
        tab.page.goto(guide.url(url_path(page)))
        expect(tab.page.locator("article h1").first).to_be_visible()
        expect(tab.page).to_have_title(
            f"{title} - mkdocs-factcheck guide" if page != "index.md" else "mkdocs-factcheck guide"
        )
    assert tab.external_hosts() == set()  # fonts off: the guide asks no third party for anything


def test_the_navigation_leads_through_the_guide(guide, page):
    page.goto(guide.url())
    page.locator("nav.md-nav--primary").get_by_role("link", name="Citations", exact=True).click()
    expect(page).to_have_url(guide.url("citations/"))
    expect(page.locator("article h1")).to_contain_text("Writing citations")
    page.locator(".md-footer__link--next").click()
    expect(page).to_have_url(guide.url("identifiers/"))
    page.locator("article").get_by_role("link", name="online checks").first.click()
    expect(page).to_have_url(guide.url("online/"))
    page.goto(guide.url())
    page.locator("article").get_by_role("link", name="Moving from mkdocs-bibtex").click()
    expect(page.locator("article h1")).to_contain_text("Moving from mkdocs-bibtex")


def test_a_live_citation_shows_its_reference_and_leads_to_its_entry_and_back(guide, page):
    page.goto(guide.url("citations/"))
    citation = page.locator("article table a.citation-ref").first
    citation.hover()
    tooltip = page.locator("#factcheck-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Effect of recombinant interleukin 2")
    citation.click()
    expect(page).to_have_url(guide.url("citations/#ref-onji1987effect"))
    entry = page.locator("#ref-onji1987effect")
    expect(entry).to_be_in_viewport()
    entry.locator("a.reference-backlink").first.click()
    expect(page.locator("article table a.citation-ref").first).to_be_in_viewport()


def test_the_claims_page_shows_its_summary_badges_and_a_linked_claim(guide, page):
    page.goto(guide.url("claims/#hepb-encouraging"))
    expect(page.locator("aside.factcheck-summary")).to_be_visible()
    expect(page.locator(".claim-verdict .verdict-badge")).to_have_count(3)
    claim = page.locator("#hepb-encouraging")
    expect(claim).to_be_in_viewport()
    expect(claim.locator(".verdict-badge")).to_contain_text("Partly supported")
    page.locator("aside.factcheck-summary a").filter(has_text="report").click()
    expect(page).to_have_url(guide.url("factcheck-report/"))
    expect(page.locator("table.factcheck-claims tbody tr")).to_have_count(4)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_guide_pages_are_accessible(guide, tabs, scheme):
    tab = tabs(color_scheme=scheme)
    for page in (
        "index.md",
        "getting-started.md",
        "citations.md",
        "bibliographies.md",
        "claims.md",
        "migration/mkdocs-bibtex.md",
        "configuration.md",
        "factcheck-report.md",
    ):
        tab.page.goto(guide.url(url_path(page)))
        expect(tab.page.locator("article h1").first).to_be_visible()
        assert_accessible(tab.page)


def test_guide_screenshots(guide, tabs):
    IMAGES.mkdir(parents=True, exist_ok=True)
    desktop = tabs().page
    for name, path in (
        ("guide-home.png", ""),
        ("guide-citations.png", "citations/"),
        ("guide-migration.png", "migration/mkdocs-bibtex/"),
    ):
        desktop.goto(guide.url(path))
        desktop.screenshot(path=str(IMAGES / name), animations="disabled", caret="hide")
    desktop.goto(guide.url("claims/"))
    desktop.locator("#hepb-encouraging").scroll_into_view_if_needed()
    desktop.screenshot(path=str(IMAGES / "guide-claims.png"), animations="disabled", caret="hide")
    dark = tabs(color_scheme="dark").page
    dark.goto(guide.url("getting-started/"))
    dark.locator("#onji-dosing").scroll_into_view_if_needed()
    dark.screenshot(path=str(IMAGES / "guide-getting-started-dark.png"), animations="disabled", caret="hide")
    phone = tabs(viewport=PHONE, is_mobile=True, has_touch=True).page
    phone.goto(guide.url("citations/"))
    phone.screenshot(path=str(IMAGES / "guide-phone.png"), animations="disabled", caret="hide")
    for name in (
        "guide-home.png",
        "guide-citations.png",
        "guide-migration.png",
        "guide-claims.png",
        "guide-getting-started-dark.png",
        "guide-phone.png",
    ):
        assert (IMAGES / name).stat().st_size > 10_000, name
