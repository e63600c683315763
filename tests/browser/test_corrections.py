"""A correction as readers see it: at the claim, in the page's Corrections section and on the site's
corrections page, in real Chromium, with a screenshot to look at."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from .browsing import CONTRAST_JS, IMAGES, PALETTES

BIB = """
@article{onji1987effect,
  author  = {Onji, M. and Kondoh, H.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B}},
  journal = {Gut},
  year    = {1987},
  doi     = {10.1136/gut.28.12.1648}
}
"""
PAGE = """\
---
reviewed: 2026-11-20
---
# Interleukin-2 in hepatitis B

[Eleven patients were treated daily for one to four weeks]{.claim #onji-dosing verdict=supported note="Matches the 1987 paper."} [@onji1987effect].

[Most patients lost the surface antigen]{.claim #antigen-loss verdict=contradicted note="Only one of eleven did." correction="We first rated this claim as supported, misreading the paper's table." corrected=2026-12-02} [@onji1987effect].
"""  # noqa: E501 - written as a user writes it
LEDGER = {
    "format": 1,
    "claims": {
        "onji-dosing": {
            "page": "index.md",
            "url": "",
            "text": "Eleven patients were treated daily for one to four weeks",
            "verdict": "supported",
            "sources": ["onji1987effect"],
            "published": "2026-11-26",
        },
        "antigen-loss": {
            "page": "index.md",
            "url": "",
            "text": "Most patients lost the surface antigen",
            "verdict": "supported",
            "sources": ["onji1987effect"],
            "published": "2026-11-26",
        },
    },
}


def test_a_correction_at_the_claim_in_the_page_and_on_the_corrections_page(site, serve, tab):
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.write("factcheck-ledger.json", json.dumps(LEDGER))
    site.config(
        plugin={"findings": {"no_identifier": "info", "uncited_entry": "info"}},
        extra={
            "theme": {"name": "material", "font": False, "palette": PALETTES},
            "nav": [
                {"Article": "index.md"},
                {"Corrections": "factcheck-corrections.md"},
                {"Fact-check report": "factcheck-report.md"},
            ],
        },
    )
    site.build()
    server = serve(site.site_dir)
    page = tab.page
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(server.url())
    claim = page.locator("#antigen-loss")
    notice = page.locator(".claim-correction")
    expect(notice).to_have_count(1)
    expect(notice).to_be_visible()
    expect(notice).to_have_text(
        "Corrected on 2026-12-02: the verdict was Supported; We first rated this claim as supported, misreading the"
        " paper's table"
    )  # the sentence's full stop follows
    expect(notice.locator("time")).to_have_attribute("datetime", "2026-12-02")
    assert page.eval_on_selector(".claim-correction", CONTRAST_JS) >= 4.5
    section = page.locator("section.factcheck-corrections")
    expect(section.locator("h2")).to_have_text("Corrections")
    expect(section.locator("li")).to_have_count(1)
    IMAGES.mkdir(parents=True, exist_ok=True)
    paragraph = page.locator("p", has=claim)
    paragraph.scroll_into_view_if_needed()
    paragraph.screenshot(path=str(IMAGES / "correction-claim.png"), animations="disabled", caret="hide")
    section.screenshot(path=str(IMAGES / "correction-section.png"), animations="disabled", caret="hide")
    section.locator("a").click()  # the section leads back to the claim
    expect(page).to_have_url(server.url() + "#antigen-loss")

    page.goto(server.url("factcheck-corrections/"))
    items = page.locator(".factcheck-corrections-list li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("2026-12-02")
    expect(items.first).to_contain_text(
        "“Most patients lost the surface antigen” (now Contradicted). The verdict was Supported"
    )
    items.first.locator("a").click()
    expect(page.locator("#antigen-loss")).to_be_visible()
    assert tab.errors == []
