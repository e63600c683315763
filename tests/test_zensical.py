"""The Markdown extension without MkDocs: one build of the same mkdocs.yml under Zensical."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import BIB, soup

ZENSICAL = shutil.which("zensical") or str(Path(sys.executable).parent / "zensical")


def test_same_config_builds_under_mkdocs_and_zensical(site):
    site.bib(BIB)
    site.page("index.md", "# Hello\n\nCited [@onji1987; @mueller2001] and @web2020 and `[@code]`.\n\n[A claim]{.claim #c verdict=supported} [@onji1987].\n")
    config = site.config(
        extra={
            # Zensical runs Python-Markdown extensions but not MkDocs plugins: list the extension too.
            # Under MkDocs the plugin takes this entry over (one engine for the whole site).
            "markdown_extensions": ["attr_list", {"mkdocs_factcheck": {"bibliography": "references.bib", "style": "vancouver"}}],
        }
    )
    data = yaml.safe_load(config.read_text())
    data["plugins"][0]["factcheck"]["style"] = "vancouver"
    config.write_text(yaml.safe_dump(data, sort_keys=False))

    site.build()
    mkdocs_page = soup(site.html())
    shutil.rmtree(site.site_dir)

    result = subprocess.run([ZENSICAL, "build"], cwd=site.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    zensical_page = soup(site.html())

    for page in (mkdocs_page, zensical_page):
        assert [g["data-cites"] for g in page.select("span.citation")] == ["onji1987 mueller2001", "web2020", "onji1987"]
        assert page.select_one("#ref-onji1987 .reference-text").get_text().startswith("Onji M, Kondoh H, Horiike N.")
        assert page.select_one("span.claim#c")["data-verdict"] == "supported"
        assert "[@code]" in page.select_one("code").get_text()


def test_zensical_reports_unknown_keys(site):
    site.bib(BIB)
    site.page("index.md", "Broken [@nope].\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    result = subprocess.run([ZENSICAL, "build"], cwd=site.root, capture_output=True, text=True, timeout=300)
    assert "unknown citation key 'nope'" in result.stdout + result.stderr
    assert soup(site.html()).select_one(".citation-unresolved").get_text() == "@nope?"
