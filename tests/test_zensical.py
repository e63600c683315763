"""One mkdocs.yml built by MkDocs (plugin and extension) and by Zensical (the extension alone): what each
host promises in the README's table of hosts."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import BIB, soup

from mkdocs_factcheck.markdown.assets import inline_assets

ZENSICAL = shutil.which("zensical") or str(Path(sys.executable).parent / "zensical")
COMMAND = shutil.which("mkdocs-factcheck") or str(Path(sys.executable).parent / "mkdocs-factcheck")

PAGE = """\
---
title: Hepatitis
reviewed: 2026-11-20
---
# Hepatitis

Cited [@onji1987; @mueller2001] and @web2020 and `[@code]`.

[IL-2 lowered a hepatitis B marker in some patients]{.claim #c verdict=supported note="Three of eleven."} [@onji1987].

[A retracted study says so]{.claim #r verdict=contradicted} [@retracted2010].

Broken [@nokey].
"""

RETRACTED = """
@article{retracted2010,
  author  = {Smith, Jane},
  title   = {A retracted study},
  journal = {Journal of Examples},
  year    = {2010},
  doi     = {10.1000/retracted}
}
"""


def write_site(site, online: dict | None = None):
    site.bib(BIB + RETRACTED)
    site.page("index.md", PAGE)
    config = site.config(
        plugin={
            "style": "vancouver",
            "findings": {"uncited_entry": "ignore"},
            **({"online": online} if online else {}),
        },
        extra={
            # Zensical runs Python-Markdown extensions but not MkDocs plugins: list the extension too.
            # Under MkDocs the plugin takes this entry over (one engine for the whole site).
            "site_url": "https://example.org/site/",
            "markdown_extensions": [
                "attr_list",
                {"mkdocs_factcheck": {"bibliography": "references.bib", "style": "vancouver"}},
            ],
        },
    )
    return config


def zensical_build(site) -> str:
    result = subprocess.run([ZENSICAL, "build"], cwd=site.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def retraction_service(httpserver):
    """The DOI handle API and Crossref on 127.0.0.1: one DOI, retracted."""
    notice = {
        "updated": {"date-parts": [[2011, 2, 6]]},
        "DOI": "10.1000/notice",
        "type": "retraction",
        "label": "Retraction",
        "source": "retraction-watch",
    }
    message = {
        "DOI": "10.1000/retracted",
        "type": "journal-article",
        "title": ["A retracted study"],
        "author": [{"given": "Jane", "family": "Smith", "sequence": "first"}],
        "issued": {"date-parts": [[2010, 3]]},
        "container-title": ["Journal of Examples"],
        "updated-by": [notice],
    }
    httpserver.expect_request("/api/handles/10.1000/retracted").respond_with_json(
        {
            "responseCode": 1,
            "handle": "10.1000/retracted",
            "values": [
                {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://publisher.invalid/x"}}
            ],
        }
    )
    httpserver.expect_request("/works/10.1000/retracted").respond_with_json(
        {"status": "ok", "message-type": "work", "message": message}
    )
    httpserver.expect_request("/api/handles/10.1136/gut.28.12.1648").respond_with_json(
        {"responseCode": 1, "handle": "10.1136/gut.28.12.1648", "values": []}
    )
    httpserver.expect_request("/works/10.1136/gut.28.12.1648").respond_with_data("Resource not found.", status=404)
    base = httpserver.url_for("").rstrip("/")
    return {
        "enabled": True,
        "doi_resolver": base,
        "crossref_api": base,
        "eutils_api": base + "/eutils",
        "check_urls": False,
        "retries": 0,
        "deadline": 20,
        "spacing": 0,
    }


def test_same_site_under_mkdocs_and_zensical(site, retraction_service, caplog):
    write_site(site, online=retraction_service)
    # CI's way for a Zensical site: the check command runs the online checks and fills the cache.
    result = subprocess.run([COMMAND, "check"], cwd=site.root, capture_output=True, text=True, timeout=300)
    assert "retracted_source" in result.stdout + result.stderr or result.returncode in (0, 1)
    # Both hosts then build offline from the warm cache.
    data = yaml.safe_load((site.root / "mkdocs.yml").read_text())
    data["plugins"][0]["factcheck"]["online"]["serve"] = False
    (site.root / "mkdocs.yml").write_text(yaml.safe_dump(data, sort_keys=False))

    caplog.set_level(logging.INFO)
    site.build()
    mkdocs_log = "\n".join(r.getMessage() for r in caplog.records)
    mkdocs_html = site.html()
    mkdocs_page = soup(mkdocs_html)
    assert (site.site_dir / "assets/factcheck/factcheck.css").is_file()
    shutil.rmtree(site.site_dir)

    zensical_log = zensical_build(site)
    zensical_html = site.html()
    zensical_page = soup(zensical_html)

    for page in (mkdocs_page, zensical_page):
        # citations, page bibliography, claims and badges
        assert [g["data-cites"] for g in page.select("span.citation")] == [
            "onji1987 mueller2001",
            "web2020",
            "onji1987",
            "retracted2010",
            "nokey",
        ]
        assert page.select_one("#ref-onji1987 .reference-text").get_text().startswith("Onji M, Kondoh H, Horiike N.")
        assert page.select_one("span.claim#c")["data-verdict"] == "supported"
        assert (
            page.select_one("#c + .claim-verdict .verdict-label, #c ~ .claim-verdict .verdict-label").get_text()
            == "Supported"
        )
        assert "[@code]" in page.select_one("code").get_text()
        # the summary under the title
        summary = page.select_one(".factcheck-summary")
        assert summary is not None and "2026-11-20" in summary.get_text()
        # online marks from the cache: the retracted entry and its citation
        assert page.select_one("#ref-retracted2010 .reference-retracted") is not None
        assert page.select_one('span.citation[data-cites="retracted2010"] .citation-retracted') is not None
    # the same ClaimReview data, with absolute URLs from site_url
    reviews = [
        json.loads(s.string)
        for p in (mkdocs_page, zensical_page)
        for s in p.select('script[type="application/ld+json"].factcheck-claimreview')
    ]
    assert len(reviews) == 2 and reviews[0] == reviews[1]
    assert reviews[0][0]["url"] == "https://example.org/site/#c"
    # styles and the tooltip script: files under MkDocs, inline under Zensical
    assert (
        'href="assets/factcheck/factcheck.css"' in mkdocs_html and 'src="assets/factcheck/factcheck.js"' in mkdocs_html
    )
    assert (
        zensical_html.count('<style class="factcheck-assets">') == 1
        and zensical_html.count('<script class="factcheck-assets">') == 1
    )
    # findings name the file and its line (front matter counted) under both
    assert "index.md:13: unknown citation key 'nokey'" in mkdocs_log
    assert "index.md:13: unknown citation key 'nokey'" in zensical_log
    assert "<page>" not in zensical_log


def test_zensical_publishes_the_report_the_check_command_writes(site):
    write_site(site)
    result = subprocess.run(
        [COMMAND, "check", "--offline", "--write-report"], cwd=site.root, capture_output=True, text=True, timeout=300
    )
    assert "report written to docs/factcheck-report.md" in result.stderr
    zensical_build(site)
    report = soup((site.site_dir / "factcheck-report/index.html").read_text())
    assert report.select_one("#report-c") is not None
    summary_link = soup(site.html()).select_one(".factcheck-summary a")
    assert summary_link["href"] == "factcheck-report/"


def test_zensical_page_numbering_and_one_parse_for_all_pages(site):
    site.bib(BIB)
    site.page("index.md", "# One\n\n[@mueller2001] then [@onji1987].\n")
    site.page("two.md", "# Two\n\n[@onji1987] first here.\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    zensical_build(site)
    one = soup(site.html())
    two = soup((site.site_dir / "two/index.html").read_text())
    assert one.select_one('span.citation[data-cites="onji1987"]').get_text() == "[2]"
    assert two.select_one('span.citation[data-cites="onji1987"]').get_text() == "[1]", "each page numbered on its own"


def test_zensical_reports_unknown_keys_at_the_file(site):
    site.bib(BIB)
    site.page("sub/page.md", "---\ntitle: T\n---\nBroken [@nope].\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    output = zensical_build(site)
    assert "sub/page.md:4: unknown citation key 'nope'" in output
    assert (
        soup((site.site_dir / "sub/page/index.html").read_text()).select_one(".citation-unresolved").get_text()
        == "@nope?"
    )


def test_plain_python_markdown_gets_every_per_page_feature(tmp_path, monkeypatch):
    import markdown

    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(BIB)
    md = markdown.Markdown(
        extensions=["toc", "attr_list", "mkdocs_factcheck"],
        extension_configs={"mkdocs_factcheck": {"bibliography": "references.bib", "site_url": "https://example.org/"}},
    )
    html = md.convert("# Title\n\n[A claim]{.claim #a verdict=supported} [@onji1987].\n")
    page = soup(html)
    assert page.select_one("h1")["id"] == "title", "the toc runs postprocessors on headings: no assets there"
    assert page.select_one(".factcheck-summary") is not None
    assert json.loads(page.select_one("script.factcheck-claimreview").string)[0]["url"] == "https://example.org/#a"
    assert html.count('<style class="factcheck-assets">') == 1
    assert page.select_one("#ref-onji1987") is not None


def test_inline_assets_cannot_end_their_elements():
    assets = inline_assets()
    css = assets.split('<style class="factcheck-assets">', 1)[1].split("</style>", 1)[0]
    js = assets.split('<script class="factcheck-assets">', 1)[1].rsplit("</script>", 1)[0]
    assert "</style" not in css.lower() and "</script" not in js.lower() and "<!--" not in js


def test_zensical_with_an_unreadable_bibliography_says_so_once_and_keeps_the_text(site):
    site.page("index.md", "Cited [@onji1987].\n")
    site.page("two.md", "Also [@onji1987].\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "missing.bib"}}]})
    output = zensical_build(site)
    assert "Traceback" not in output
    assert output.count("bibliography file not found: missing.bib") == 1
    assert "[@onji1987]" in soup(site.html()).get_text()


# ---------------------------------------------------------------------- what a new user ran into


def resolve_link(page_url: str, href: str) -> str:
    import posixpath

    path = posixpath.normpath(posixpath.join(posixpath.dirname("/" + page_url + "x"), href.split("#")[0]))
    return path.lstrip("/")


def test_zensical_links_work_from_pages_in_folders(site):
    """Zensical turns relative links, raw HTML included, into links from the page's Markdown file."""
    site.bib(BIB)
    site.page("index.md", "# Home\n\n[A claim]{.claim #a verdict=supported} [@onji1987].\n")
    site.page("sub/deep/page.md", "# Deep\n\n[Another claim]{.claim #b verdict=supported} [@mueller2001].\n")
    site.config(
        extra={
            "site_url": "https://example.org/site/",
            "markdown_extensions": ["attr_list", {"mkdocs_factcheck": {"bibliography": "references.bib"}}],
        }
    )
    subprocess.run(
        [COMMAND, "check", "--offline", "--write-report"],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    zensical_build(site)
    deep = soup((site.site_dir / "sub/deep/page/index.html").read_text())
    target = resolve_link("sub/deep/page/", deep.select_one(".factcheck-summary a")["href"])
    assert (site.site_dir / target / "index.html").is_file(), target
    report = soup((site.site_dir / "factcheck-report/index.html").read_text())
    for link in report.select(".factcheck-claims a[href*='#']"):
        target = resolve_link("factcheck-report/", link["href"])
        assert (site.site_dir / target / "index.html").is_file(), link["href"]
    assert report.select_one("style.factcheck-assets") is not None, "the report page's badges are styled too"


def test_zensical_lines_count_the_blank_lines_after_front_matter(site):
    site.bib(BIB)
    site.page("b.md", "---\ntitle: B\n---\n\n\n\n# B\n\nBroken [@nope].\n")
    site.page("a.md", "---\ntitle: A\n...\n\n\n# A\n\n\nBroken [@nix].\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    output = zensical_build(site)
    assert "b.md:9: unknown citation key 'nope'" in output
    assert "a.md:9: unknown citation key 'nix'" in output


def test_zensical_lines_of_a_page_with_windows_line_ends(site):
    """Zensical hands over a CRLF page's Markdown as written: its lines are still the file's, front
    matter counted (they were 3 short: the front matter was not found)."""
    site.bib(BIB)
    (site.root / "docs").mkdir(parents=True, exist_ok=True)
    (site.root / "docs" / "c.md").write_bytes(
        b"---\r\ntitle: C\r\n---\r\n\r\n# C\r\n\r\nBroken [@nope]\r\nover two lines [@nix].\r\n"
    )
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    output = zensical_build(site)
    assert "c.md:7: unknown citation key 'nope'" in output and "c.md:8: unknown citation key 'nix'" in output, output


def test_zensical_page_opts_out_of_the_citation_needed_check(site):
    site.bib(BIB)
    site.page("k.md", "---\nfactcheck:\n  citation_needed: false\n---\nIn 2001, 45% of patients improved a lot.\n")
    site.page("l.md", "In 2001, 45% of patients improved a lot.\n")
    site.config(extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib"}}]})
    output = zensical_build(site)
    assert "l.md:1: citation needed" in output and "k.md" not in output


def test_zensical_site_bibliography_page_gets_styles_and_cached_marks(site, retraction_service):
    write_site(site, online=retraction_service)
    site.page("references.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    subprocess.run([COMMAND, "check"], cwd=site.root, capture_output=True, text=True, timeout=300, check=False)
    zensical_build(site)
    page = soup((site.site_dir / "references/index.html").read_text())
    assert page.select_one("style.factcheck-assets") is not None
    assert page.select_one("#ref-retracted2010 .reference-retracted") is not None
    assert not page.select(".factcheck-online-status"), "no placeholder left"


def test_mkdocs_warns_when_the_extension_entry_says_otherwise(site, caplog):
    site.bib(BIB)
    site.page("index.md", "Cited [@onji1987].\n")
    site.config(
        extra={
            "markdown_extensions": [
                "attr_list",
                {"mkdocs_factcheck": {"bibliography": "references.bib", "style": "vancouver"}},
            ]
        }
    )
    caplog.set_level(logging.WARNING)
    site.build()
    assert any(
        "style is 'vancouver' there and 'unsrt' in the plugin's options" in r.getMessage() for r in caplog.records
    )


def test_mkdocs_anchor_validation_knows_the_site_bibliography(site, caplog):
    site.bib(BIB)
    site.page("index.md", "Cited [@onji1987].\n\nSee [the entry](references.md#ref-mueller2001).\n")
    site.page("references.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    site.config(extra={"validation": {"anchors": "warn"}})
    caplog.set_level(logging.WARNING)
    site.build()
    assert not [r.getMessage() for r in caplog.records if "no such anchor" in r.getMessage()]


def test_an_error_is_reported_again_after_it_was_fixed(tmp_path, monkeypatch, caplog):
    import markdown

    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.ERROR)

    def convert() -> None:
        markdown.Markdown(
            extensions=["mkdocs_factcheck"], extension_configs={"mkdocs_factcheck": {"bibliography": "refs.bib"}}
        ).convert("Cited [@onji1987].\n")

    def errors() -> int:
        return sum("bibliography file not found" in r.getMessage() for r in caplog.records)

    convert()
    convert()
    assert errors() == 1, "once while it stays broken"
    (tmp_path / "refs.bib").write_text(BIB)
    convert()
    (tmp_path / "refs.bib").unlink()
    convert()
    assert errors() == 2, "broken again: said again"


def test_zensical_with_a_misspelled_option_says_so_and_builds(site):
    site.bib(BIB)
    site.page("index.md", "Cited [@onji1987].\n")
    site.page("two.md", "Cited [@onji1987].\n")
    site.config(
        extra={"markdown_extensions": [{"mkdocs_factcheck": {"bibliography": "references.bib", "stlye": "vancouver"}}]}
    )
    output = zensical_build(site)
    assert "Traceback" not in output and output.count("unknown option 'stlye'") == 1
    assert soup(site.html()).select_one("span.citation a.citation-ref") is not None


def test_zensical_shows_a_correction_and_publishes_the_corrections_page_the_check_command_writes(site):
    write_site(site)
    page = site.docs / "index.md"
    page.write_text(
        page.read_text().replace(
            '#c verdict=supported note="Three of eleven."',
            '#c verdict=partly-supported note="Three of eleven." correction="Only three of eleven patients."'
            " corrected=2026-12-02",
        )
    )
    ledger = {
        "format": 1,
        "claims": {
            "c": {
                "page": "index.md",
                "url": "",
                "text": "IL-2 lowered a hepatitis B marker in some patients",
                "verdict": "supported",
                "sources": ["onji1987"],
                "published": "2026-11-26",
            }
        },
    }
    (site.root / "factcheck-ledger.json").write_text(json.dumps(ledger), encoding="utf-8")
    result = subprocess.run(
        [COMMAND, "check", "--offline", "--write-report"], cwd=site.root, capture_output=True, text=True, timeout=300
    )
    assert "corrections to docs/factcheck-corrections.md" in result.stderr
    assert (
        "claim 'c': verdict was 'supported' (published 2026-11-26), is now 'partly-supported': correction of 2026-12-02"
        " not yet published" in result.stdout
    )
    zensical_build(site)
    html = soup(site.html())
    assert (
        html.select_one(".claim-correction").get_text()
        == "Corrected on 2026-12-02: the verdict was Supported; Only three of eleven patients"
    )
    assert html.select_one("section.factcheck-corrections a")["href"] == "#c"
    listing = soup((site.site_dir / "factcheck-corrections/index.html").read_text()).select_one(
        ".factcheck-corrections-list"
    )
    assert "2026-12-02" in listing.get_text() and listing.select_one("a")["href"] == "../#c"
