"""The user guide (guide/): a second site that builds strictly with our own plugin, whose links all
land, whose examples render live, and which documents every option; the README stays a first-minute
page that links it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import ROOT, Site, soup

from mkdocs_factcheck.mkdocs.config import FactcheckConfig, OnlineConfig

GUIDE = ROOT / "guide"
# mkdocs-bibtex 4.x's options (its config.py), each of which the migration page must map.
MKDOCS_BIBTEX_OPTIONS = (
    "bib_file",
    "bib_dir",
    "csl_file",
    "csl_file_encoding",
    "bib_command",
    "full_bib_command",
    "bib_by_default",
    "footnote_format",
    "enable_inline_citations",
)


def nav_pages(nav) -> list[str]:
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages.extend(nav_pages(value) if isinstance(value, list) else [value])
    return pages


def guide_config() -> dict:
    return yaml.safe_load((GUIDE / "mkdocs.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built_guide(tmp_path_factory) -> Path:
    """The guide copied to a temporary folder and built with --strict: its site folder."""
    root = tmp_path_factory.mktemp("guide") / "guide"
    shutil.copytree(GUIDE, root, ignore=shutil.ignore_patterns(".cache", "site"))
    site_dir = root.parent / "built"
    Site(root).build(strict=True, site_dir=str(site_dir))
    return site_dir


def page_html(site_dir: Path, page: str) -> str:
    target = "index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html"
    return (site_dir / target).read_text(encoding="utf-8")


def test_every_page_of_the_nav_is_built_and_every_page_is_in_the_nav(built_guide):
    pages = nav_pages(guide_config()["nav"])
    written = {p.relative_to(GUIDE / "docs").as_posix() for p in (GUIDE / "docs").rglob("*.md")}
    assert written | {"factcheck-report.md"} == set(pages)
    for page in pages:
        assert soup(page_html(built_guide, page)).select_one("article h1"), page


def test_the_examples_render_live_with_no_unknown_key(built_guide):
    citations = soup(page_html(built_guide, "citations.md"))
    table = citations.select_one("article table")
    cells = [row.select("td") for row in table.select("tbody tr")]
    rendered = {row[0].get_text(): row[1] for row in cells}
    group = rendered["[@onji1987effect; @kakumu1988pilot]"].select_one("span.citation")
    assert group["data-cites"] == "onji1987effect kakumu1988pilot"
    assert (
        rendered["[-@onji1987effect] (author suppressed)"].select_one("span.citation a.citation-ref")["href"]
        == "#ref-onji1987effect"
    )
    assert rendered["\\@name"].get_text() == "@name (a literal @)"
    identifiers = soup(page_html(built_guide, "identifiers.md"))
    assert identifiers.select_one('span.citation[data-cites="onji1987effect"] a')["href"] == "#ref-onji1987effect"
    claims = soup(page_html(built_guide, "claims.md"))
    assert len(claims.select(".claim-verdict .verdict-badge")) == 3
    assert claims.select_one("aside.factcheck-summary")
    assert soup(page_html(built_guide, "getting-started.md")).select_one("aside.factcheck-summary") is None
    for path in built_guide.rglob("*.html"):
        text = soup(path.read_text(encoding="utf-8")).select_one("article")
        if text is None:
            continue
        assert not text.select(".citation-unresolved"), path
        for span in text.select("span.citation"):
            assert "?" not in span.get_text(), (path, span)


def test_every_link_of_the_guide_lands_on_a_page_and_an_anchor(built_guide):
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = {e["id"] for e in soup(path.read_text(encoding="utf-8")).select("[id]")}
        return ids[path]

    checked = 0
    for page in built_guide.rglob("index.html"):
        for link in soup(page.read_text(encoding="utf-8")).select("article a[href]"):
            href = link["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(built_guide)}: {href}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in anchors(target), f"{page.relative_to(built_guide)}: {href}"
            checked += 1
    assert checked > 100


def option_names() -> list[str]:
    names = [name for name, _ in FactcheckConfig._schema if name != "online"]
    return names + [f"online.{name}" for name, _ in OnlineConfig._schema]


def test_every_option_of_the_plugin_is_documented():
    reference = (GUIDE / "docs" / "configuration.md").read_text(encoding="utf-8")
    reference += (GUIDE / "docs" / "online.md").read_text(encoding="utf-8")
    migration = (GUIDE / "docs" / "migration" / "mkdocs-bibtex.md").read_text(encoding="utf-8")
    missing = [name for name in option_names() if f"| `{name}` |" not in reference and f"`{name}" not in migration]
    assert not missing, f"options without a row in guide/docs/configuration.md: {missing}"


def test_the_migration_page_maps_every_mkdocs_bibtex_option():
    page = (GUIDE / "docs" / "migration" / "mkdocs-bibtex.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    for option in MKDOCS_BIBTEX_OPTIONS:
        assert any(line.startswith(f"| `{option}") for line in rows), option
    assert "mkdocs-factcheck migrate" in page
    for marker in ("\\bibliography", "\\full_bibliography"):
        assert marker in page


def test_the_readme_is_a_first_minute_page_that_links_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "](guide/docs/index.md)" in readme
    assert "make build" in readme and "make test" in readme
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme):
        if not urlsplit(target).scheme:
            assert (ROOT / target).exists(), target
