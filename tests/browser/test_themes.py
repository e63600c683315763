"""The feature site under MkDocs' own `mkdocs` and `readthedocs` themes as well as Material: badges are
chips, bibliographies are numbered once (our label, no list marker as well), the tooltip works, and a
"Not rated" badge is neutral, not the error colour. Screenshots go to IMAGES (look at them)."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from .browsing import IMAGES, write_feature_site

NEUTRAL = "rgb(92, 92, 102)"  # --factcheck-neutral, light scheme
UNRATED_CLAIM = "\n\n[Interleukin-2 is made by T cells]{#claim-unrated .claim} [@onji1987effect].\n"


def themed_site(site, serve, theme: str):
    write_feature_site(site)
    with open(site.docs / "index.md", "a", encoding="utf-8") as page:
        page.write(UNRATED_CLAIM)
    config = yaml.safe_load((site.root / "mkdocs.yml").read_text(encoding="utf-8"))
    if theme != "material":
        config["theme"] = {"name": theme, "highlightjs": False}  # its highlight.js would come from a CDN
        config["plugins"].insert(0, "search")  # the theme's search box expects it
    (site.root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site.build()
    return serve(site.site_dir)


def style(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.eval_on_selector(
        selector, "(e, [p, pseudo]) => getComputedStyle(e, pseudo).getPropertyValue(p)", [prop, pseudo]
    )


@pytest.mark.parametrize("theme", ["mkdocs", "readthedocs", "material"])
def test_styles_work_under_the_theme(site, serve, tab, theme):
    server = themed_site(site, serve, theme)
    page = tab.page
    page.goto(server.url())
    badge = ".claim-verdict .verdict-badge"
    expect(page.locator(badge).first).to_be_visible()
    assert style(page, badge, "display") == "inline-flex"
    assert style(page, badge, "border-top-left-radius") != "0px"
    assert style(page, ".verdict-unrated", "border-top-color") == NEUTRAL
    assert style(page, ".verdict-unrated .verdict-icon", "background-color") == NEUTRAL
    # One number per entry: our label, and no list marker beside it.
    entry = "li.reference"
    assert style(page, entry, "list-style-type") == "none"
    label = page.locator(f"{entry} .reference-label").first
    expect(label).to_be_visible()
    label_box, text_box = label.bounding_box(), page.locator(f"{entry} .reference-text").first.bounding_box()
    assert label_box["x"] + label_box["width"] <= text_box["x"] + 1  # the label stands left of the entry, not over it
    page.locator("#claim-unrated").scroll_into_view_if_needed()
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"theme-{theme}-claims.png"))
    page.locator(".factcheck-bibliography").first.scroll_into_view_if_needed()
    page.screenshot(path=str(IMAGES / f"theme-{theme}-bibliography.png"))
    link = page.locator(".citation-ref").first
    link.scroll_into_view_if_needed()
    link.hover()
    expect(page.locator("#factcheck-tooltip")).to_be_visible()
    page.screenshot(path=str(IMAGES / f"theme-{theme}-tooltip.png"))
