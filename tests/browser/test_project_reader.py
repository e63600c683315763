"""The project's own site, built offline, as a reader sees it in Chromium: nothing about the build or
the editors' work, and paragraph claims that read as one paragraph with their badge."""

from __future__ import annotations

from playwright.sync_api import expect

from .browsing import article_path

# The build's states (the site is built without network here) and the editors' remarks of references.bib.
FORBIDDEN = (
    "unverified",
    "not verified",
    "unreachable",
    "could not be reached",
    "deadline",
    "not checked yet",
    "service",
    "mirror",
    "pmid taken",
    "resolve before",
    "check against",
    "before publishing",
    "secondary index",
)

# Everything a reader can read or hear: the rendered text, tooltips, accessible names, and the text
# the citation tooltips show.
READER_TEXT_JS = """
() => {
  const parts = [document.body.innerText];
  for (const e of document.querySelectorAll('[title], [aria-label], [alt]')) {
    parts.push(e.getAttribute('title') || '', e.getAttribute('aria-label') || '', e.getAttribute('alt') || '');
  }
  for (const s of document.querySelectorAll('script.factcheck-claimreview')) parts.push(s.textContent);
  return parts.join(' ').toLowerCase();
}
"""


def test_no_reader_page_shows_the_build_state_or_an_editors_remark(project_site, tab):
    server, site_dir = project_site
    pages = sorted(path.relative_to(site_dir).parent.as_posix() for path in site_dir.rglob("index.html"))
    checked = 0
    for path in [*pages, "factcheck.json"]:
        url = server.url("" if path == "." else path if path.endswith(".json") else path + "/")
        tab.page.goto(url)
        text = (
            tab.page.evaluate(READER_TEXT_JS)
            if not path.endswith(".json")
            else tab.page.evaluate("() => document.body.innerText.toLowerCase()")
        )
        found = [word for word in FORBIDDEN if word in text]
        assert not found, f"{path}: {found}"
        checked += 1
    assert checked >= 5


def test_a_paragraph_claim_reads_as_one_paragraph_with_its_badge(project_site, tab):
    server, site_dir = project_site
    page = tab.page
    page.goto(server.url(article_path(site_dir)) + "#made-in-humans")
    claim = page.locator("p#made-in-humans")
    expect(claim).to_be_visible()
    # the browser kept one paragraph: the badge and the citation are inside it, nothing was split off
    expect(claim.locator("> .claim-verdict .verdict-badge")).to_have_count(1)
    assert claim.evaluate("(p) => p.nextElementSibling.tagName") == "P"
    assert claim.evaluate(
        "(p) => !p.nextElementSibling.matches('.claim-verdict') && p.nextElementSibling.textContent.trim().length > 40"
    )
    badge = claim.locator(".verdict-badge").bounding_box()
    citation = claim.locator(".citation").last.bounding_box()
    # the badge starts on the line of the claim's last citation
    assert badge["y"] < citation["y"] + citation["height"] and citation["y"] < badge["y"] + badge["height"], (
        badge,
        citation,
    )
    assert badge["x"] > citation["x"]
    line = claim.evaluate("(p) => parseFloat(getComputedStyle(p).lineHeight)")
    assert claim.bounding_box()["height"] < 3 * line + 20  # a short claim with its note: at most two lines here
