"""The project's own article as readers see it, in both palettes and on a phone, written to docs/images/
for the README (look at them after a change of styles). The same pages are checked for errors."""

from __future__ import annotations

import json
import re
import struct

from playwright.sync_api import Page, expect

from .browsing import IMAGES, PHONE, article_path, report_path

# The project's mkdocs.yml keeps Material's default Google fonts: those requests are answered empty by the
# tests (offline). Any other host would be a request to a third party that the site does not need.
ALLOWED_HOSTS = {"fonts.googleapis.com", "fonts.gstatic.com"}


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def shoot(page: Page, name: str, **options) -> tuple[int, int]:
    IMAGES.mkdir(parents=True, exist_ok=True)
    target = IMAGES / name
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(target), animations="disabled", caret="hide", **options)
    return png_size(target)


def open_article(page: Page, server, site_dir, hash_: str = "") -> None:
    page.goto(server.url(article_path(site_dir)) + hash_)
    expect(page.locator("aside.factcheck-summary")).to_be_visible()
    expect(page.locator(".factcheck-bibliography")).to_be_attached()


def test_article_light(project_site, tab):
    server, site_dir = project_site
    open_article(tab.page, server, site_dir)
    assert tab.page.get_attribute("body", "data-md-color-scheme") == "default"
    assert shoot(tab.page, "article-light.png") == (1280, 900)
    assert tab.external_hosts() <= ALLOWED_HOSTS, tab.external


def test_article_dark(project_site, tabs):
    server, site_dir = project_site
    tab = tabs(color_scheme="dark")
    open_article(tab.page, server, site_dir)
    assert tab.page.get_attribute("body", "data-md-color-scheme") == "slate"
    # Further down than the light one: claims, badges and citations in running text.
    tab.page.locator(".claim").nth(1).scroll_into_view_if_needed()
    tab.page.evaluate("window.scrollBy(0, -200)")
    assert shoot(tab.page, "article-dark.png") == (1280, 900)


def test_article_phone(project_site, tabs):
    server, site_dir = project_site
    tab = tabs(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    open_article(tab.page, server, site_dir)
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert shoot(tab.page, "article-phone.png") == (2 * PHONE["width"], 2 * PHONE["height"])


def test_tooltip(project_site, tab):
    server, site_dir = project_site
    page = tab.page
    open_article(page, server, site_dir)
    link = page.locator(".claim ~ .citation a.citation-ref, .claim .citation a.citation-ref").first
    link.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -250)")
    link.hover()
    tooltip = page.locator("#factcheck-tooltip")
    expect(tooltip).to_be_visible()
    key = link.evaluate("(e) => e.hash.slice(1)")
    expect(tooltip).to_contain_text(page.locator(f"[id='{key}'] .reference-text").inner_text())
    a, b = link.bounding_box(), tooltip.bounding_box()
    left, top = max(0, min(a["x"], b["x"]) - 40), max(0, min(a["y"], b["y"]) - 40)
    right, bottom = (
        max(a["x"] + a["width"], b["x"] + b["width"]) + 40,
        max(a["y"] + a["height"], b["y"] + b["height"]) + 40,
    )
    shoot(
        page,
        "tooltip.png",
        clip={"x": left, "y": top, "width": min(1280, right) - left, "height": min(900, bottom) - top},
    )


def test_claim_anchor(project_site, tab):
    """A link to a claim, as the report and ClaimReview give it: the page opens on the highlighted claim."""
    server, site_dir = project_site
    page = tab.page
    page.goto(server.url(article_path(site_dir)))
    claim_id = page.locator(".claim").nth(2).get_attribute("id")
    open_article(page, server, site_dir, "#" + claim_id)
    claim = page.locator(f"[id='{claim_id}']")
    expect(claim).to_be_in_viewport()
    assert claim.evaluate("(e) => e.matches(':target')")
    shoot(page, "claim-anchor.png", clip={"x": 0, "y": 0, "width": 1280, "height": 450})


def test_bibliography(project_site, tab):
    server, site_dir = project_site
    page = tab.page
    open_article(page, server, site_dir)
    bibliography = page.locator(".factcheck-bibliography")
    bibliography.evaluate("(e) => window.scrollBy(0, e.getBoundingClientRect().top - 80)")
    box = bibliography.bounding_box()
    shoot(
        page,
        "bibliography.png",
        clip={
            "x": box["x"] - 10,
            "y": box["y"] - 10,
            "width": box["width"] + 20,
            "height": min(box["height"] + 20, 560),
        },
    )


def test_report(project_site, tab):
    server, site_dir = project_site
    page = tab.page
    page.goto(server.url(report_path(site_dir)))
    expect(page.locator("table.factcheck-claims")).to_be_visible()
    assert shoot(page, "report.png") == (1280, 900)
    assert tab.external_hosts() <= ALLOWED_HOSTS, tab.external


def test_every_page_of_the_project_without_errors(project_site, tab):
    """Every page loads without console errors; every in-page link has its target; JSON-LD parses."""
    server, site_dir = project_site
    pages = sorted(path.relative_to(site_dir).parent.as_posix() for path in site_dir.rglob("index.html"))
    assert len(pages) >= 3
    reviews = 0
    for path in pages:
        page = tab.page
        page.goto(server.url("" if path == "." else path + "/"))
        expect(page.locator("article")).to_be_visible()
        missing = page.eval_on_selector_all(
            "article a[href^='#']",
            "(links) => links.map(a => a.hash.slice(1)).filter(id => id &&"
            " !document.getElementById(decodeURIComponent(id)))",
        )
        assert not missing, f"{path}: in-page links without a target: {missing}"
        for text in page.locator("script.factcheck-claimreview").all_text_contents():
            data = json.loads(text)
            assert all(item["@type"] == "ClaimReview" for item in data)
            reviews += len(data)
    assert reviews == page_claims(site_dir)
    assert tab.external_hosts() <= ALLOWED_HOSTS, tab.external


def page_claims(site_dir) -> int:
    """Claims with a verdict on the scale, counted in the built HTML (each has one ClaimReview)."""
    count = 0
    for html in site_dir.rglob("index.html"):
        count += len(
            re.findall(
                r'<span[^>]*class="verdict-badge verdict-(?!unrated)[^"]*"[^>]*data-verdict=',
                html.read_text(encoding="utf-8"),
            )
        )
    return count


# The writing guide's pictures: each Markdown example of the README (the feature site's article, see
# browsing.ARTICLE) next to what it becomes.
GUIDE = {
    "guide-summary.png": "aside.factcheck-summary",
    "guide-claim.png": "p:has(> #claim-hbeag)",
    "guide-block-claim.png": "div#claim-toxicity",
    "guide-citations.png": "p:has(> .citation[data-cites='proleukinlabel'])",
    "guide-bibliography.png": ".factcheck-bibliography",
}


def shoot_element(page: Page, selector: str, name: str, pad: int = 12) -> tuple[int, int]:
    element = page.locator(selector)
    expect(element).to_have_count(1)
    element.evaluate("(e) => window.scrollBy(0, e.getBoundingClientRect().top - 120)")
    box = element.bounding_box()
    clip = {
        "x": max(0, box["x"] - pad),
        "y": max(0, box["y"] - pad),
        "width": box["width"] + 2 * pad,
        "height": box["height"] + 2 * pad,
    }
    return shoot(page, name, clip=clip)


def test_writing_guide_images(feature_site, tabs):
    site, server = feature_site
    page = tabs(viewport={"width": 900, "height": 1000}, device_scale_factor=2).page
    page.goto(server.url())
    for name, selector in GUIDE.items():
        width, height = shoot_element(page, selector, name)
        assert width > 200 and height > 40, (name, width, height)
    dark = tabs(viewport={"width": 900, "height": 1000}, device_scale_factor=2, color_scheme="dark").page
    dark.goto(server.url())
    shoot_element(dark, "aside.factcheck-summary", "guide-summary-dark.png")


# The README's "same citation in three styles": one paragraph and its bibliography, per CSL style.
STYLE_PAGE = """\
# Interleukin-2

High-dose interleukin-2 produced durable responses in a minority of patients with metastatic melanoma
[see @atkins1999, p. 2107; @rosenberg1994].
"""
STYLE_BIB = r"""
@article{atkins1999,
  author  = {Atkins, Michael B. and Lotze, Michael T. and Dutcher, Janice P. and Fisher, Richard I. and Weiss, Geoffrey and Margolin, Kim},
  title   = {High-Dose Recombinant Interleukin 2 Therapy for Patients With Metastatic Melanoma},
  journal = {Journal of Clinical Oncology},
  year    = {1999},
  volume  = {17},
  number  = {7},
  pages   = {2105--2116},
  doi     = {10.1200/JCO.1999.17.7.2105}
}
@article{rosenberg1994,
  author  = {Rosenberg, Steven A. and Yang, James C. and Topalian, Suzanne L.},
  title   = {Treatment of 283 Consecutive Patients With Metastatic Melanoma or Renal Cell Cancer Using High-Dose Bolus Interleukin 2},
  journal = {JAMA},
  year    = {1994},
  volume  = {271},
  number  = {12},
  pages   = {907--913}
}
"""  # noqa: E501 - written as a user writes it
THREE_STYLES = {
    "csl:vancouver": "style-vancouver.png",
    "apa": "style-apa.png",
    "chicago-author-date": "style-chicago.png",
}


def test_the_same_citation_in_three_styles(site, serve, tabs):
    site.bib(STYLE_BIB)
    site.page("index.md", STYLE_PAGE)
    page = tabs(viewport={"width": 900, "height": 700}, device_scale_factor=2).page
    texts = set()
    for style, name in THREE_STYLES.items():
        site.config({"style": style, "citation_needed": False})
        site.build()
        server = serve(site.site_dir)
        page.goto(server.url())
        expect(page.locator("span.citation a.citation-ref").first).to_be_visible()
        texts.add(page.locator("span.citation").inner_text())
        article = page.locator("article")
        box = article.bounding_box()
        clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], 560)}
        width, height = shoot(page, name, clip=clip)
        assert width > 800 and height > 300
    # NLM's citation-sequence style prints no locators in the text: the style decides, as in pandoc.
    assert texts == {
        "(see 1,2)",
        "(see Atkins et al., 1999, p. 2107; Rosenberg et al., 1994)",
        "(see Atkins et al. 1999, 2107; Rosenberg et al. 1994)",
    }
