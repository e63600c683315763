"""The feature site built by Zensical (the extension alone, assets inline): tooltips and badges behave
and look as under MkDocs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from .browsing import write_feature_site

ZENSICAL = shutil.which("zensical") or str(Path(sys.executable).parent / "zensical")
SHOTS = Path(os.environ.get("FACTCHECK_SCREENSHOTS", "/tmp/factcheck-screenshots"))


@pytest.fixture
def zensical_site(site, serve):
    write_feature_site(site)
    config = site.root / "mkdocs.yml"
    data = yaml.safe_load(config.read_text())
    data["markdown_extensions"] = [
        *data["markdown_extensions"],
        {"mkdocs_factcheck": {"bibliography": "references.bib"}},
    ]
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    result = subprocess.run([ZENSICAL, "build"], cwd=site.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return serve(site.site_dir)


def test_tooltip_and_badges_on_a_zensical_site(zensical_site, page: Page):
    page.goto(zensical_site.url())
    link = page.locator("#cite-onji1987effect-1")
    link.hover()
    tooltip = page.locator("#factcheck-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(page.locator("#ref-onji1987effect .reference-text").inner_text())
    badge = page.locator("#claim-hbeag ~ .claim-verdict .verdict-badge").first
    expect(badge).to_be_visible()
    style = badge.evaluate(
        "(e) => { const s = getComputedStyle(e); return {display: s.display, radius: s.borderTopLeftRadius, border:"
        " s.borderTopStyle, weight: s.fontWeight}; }"
    )
    # The stylesheet reached the page: the badge is a rounded, bordered chip, not bare text.
    assert (
        style["display"] == "inline-flex"
        and style["radius"] not in ("0px", "")
        and style["border"] == "solid"
        and style["weight"] == "700"
    ), style
    icon = page.locator("#claim-hbeag ~ .claim-verdict .verdict-icon").first
    assert icon.evaluate("(e) => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "zensical-tooltip.png"))
