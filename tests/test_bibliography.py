"""Bibliography files: problems located at file and line, styles, modes, numbering, caching."""

import json
import logging
import subprocess
import sys

import pytest
from conftest import BIB, nested_conversion_hook, soup
from mkdocs.exceptions import Abort


def test_syntax_error_is_located_and_the_rest_still_loads(site, warnings):
    site.bib("""
        @article{good1, author = {A, B}, title = {First}, journal = {J}, year = {2001}}

        @article{broken, author = {A, B} title = {No comma}, journal = {J}, year = {2002}}

        @article{good2, author = {C, D}, title = {Second}, journal = {J}, year = {2003}}
        """)
    site.config()
    site.page("index.md", "[@good1] [@good2]\n")
    site.build()
    assert any(m.startswith("mkdocs_factcheck: references.bib:3: syntax error") for m in warnings())
    keys = [li["data-key"] for li in soup(site.html()).select("li.reference")]
    assert keys == ["good1", "good2"]


def test_an_entry_an_unclosed_one_took_in_is_named_where_it_is_cited(site, warnings):
    """An unclosed brace takes the entries after it into its own value: citing one of those says where
    it is written and why it could not be read, not just that the key is unknown."""
    site.bib("""
        @article{broken, author = {A, B}, title = {Unclosed {brace, journal = {J}, year = {2002}}

        @article{after, author = {C, D}, title = {Second}, journal = {J}, year = {2003}}
        """)
    site.config()
    site.page("index.md", "[@after]\n")
    site.build()
    messages = warnings()
    assert any(m.startswith("mkdocs_factcheck: references.bib:1: syntax error in entry 'broken'") for m in messages), (
        messages
    )
    (unknown,) = [m for m in messages if "unknown citation key 'after'" in m]
    assert "it is written at references.bib:3, inside an entry before it that is not closed" in unknown


def test_unreadable_name_is_located_and_the_entry_still_renders(site, warnings):
    site.bib("""
        @article{good, author = {Onji, Masaaki}, title = {First}, journal = {J}, year = {2001}}

        @article{commas, author = {Onji, Masaaki, Jr., Extra and Kondoh, Hiroshi}, title = {Second}, journal = {J}, year = {2002}}

        @article{braced, author = {Kondoh, Hiroshi and M{\\"u}ller, Anna, Jr., Extra and {Barnes and Noble}}, title = {Third}, journal = {J}, year = {2003}}
        """)  # noqa: E501 - written as a user writes it
    site.config()
    site.page("index.md", "[@good] [@commas] [@braced]\n")
    site.build()
    assert any(
        m.startswith("mkdocs_factcheck: references.bib:3: entry 'commas': Too many commas") and "[bib_syntax]" in m
        for m in warnings()
    )
    assert any(m.startswith("mkdocs_factcheck: references.bib:5: entry 'braced': Too many commas") for m in warnings())
    entry = soup(site.html()).select_one("#ref-commas .reference-text").get_text()
    assert "Second" in entry and "Kondoh" in entry


def test_names_of_uncited_entries_are_never_read(bib_site):
    """Reading names is nearly half of parsing a .bib; a large shared bibliography's uncited entries keep
    theirs as text (they are only listed as uncited and in factcheck.json)."""
    bib_site.page("index.md", "[@onji1987]\n")
    config = bib_site.build()
    sources = config.plugins["factcheck"].engine.bibliography.sources
    assert sources["onji1987"]._entry is not None
    assert [key for key, source in sources.items() if source._entry is not None] == ["onji1987"]
    assert sources["mueller2001"].raw.fields["author"]  # still text


def test_duplicate_keys_within_and_across_files(site, warnings):
    site.bib("@misc{dup, title = {One}}\n@misc{dup, title = {Two}}\n@misc{shared, title = {A}}\n", "a.bib")
    site.bib("@misc{other, title = {B}}\n\n@misc{shared, title = {C}}\n", "b.bib")
    site.config({"bibliography": ["a.bib", "b.bib"]})
    site.page("index.md", "[@dup] [@shared] [@other]\n")
    site.build()
    found = [m for m in warnings() if "duplicate" in m]
    assert any(m.startswith("mkdocs_factcheck: a.bib:2: duplicate entry key 'dup'") for m in found), found
    assert any(
        m.startswith("mkdocs_factcheck: b.bib:3: duplicate entry key 'shared', already defined at a.bib:3")
        for m in found
    ), found
    text = soup(site.html()).select_one("#ref-shared").get_text()
    assert "A" in text and "C" not in text.replace("PMCID", "")


def test_entry_the_style_cannot_format_degrades_alone(site, warnings):
    site.bib("@weird{odd, title = {Lonely title}, year = {2001}}\n@misc{fine, title = {Fine}}\n")
    site.config()
    site.page("index.md", "[@odd] [@fine]\n")
    site.build()
    assert any(m.startswith("mkdocs_factcheck: references.bib:1: entry 'odd' cannot be formatted") for m in warnings())
    page = soup(site.html())
    assert "Lonely title" in page.select_one("#ref-odd").get_text()
    assert "Fine" in page.select_one("#ref-fine").get_text()


def test_missing_required_field_is_one_finding_and_the_entry_is_formatted_from_what_it_has(site, warnings):
    site.bib("@article{nojournal, author = {Onji, Masaaki}, title = {Lonely title}, year = {2001}}\n")
    site.config()
    site.page("index.md", "[@nojournal]\n")
    site.build()
    found = [m for m in warnings() if "nojournal" in m]
    assert found == ["mkdocs_factcheck: references.bib:1: entry 'nojournal' (article) lacks journal [missing_field]"]
    text = soup(site.html()).select_one("#ref-nojournal .reference-text").get_text()
    assert text.startswith("Masaaki Onji. Lonely title.") and "2001" in text, text
    assert "nojournal:" not in text


def test_missing_fields_of_cited_entries(site, warnings):
    site.bib("@book{b, title = {A book}, year = {2001}}\n")
    site.config({"style": "vancouver"})
    site.page("index.md", "[@b]\n")
    site.build()
    assert (
        "mkdocs_factcheck: references.bib:1: entry 'b' (book) lacks author or editor, publisher [missing_field]"
        in warnings()
    )


def test_unreadable_bibliography_stops_with_one_message(site, warnings):
    site.config({"bibliography": "missing.bib"})
    site.page("index.md", "[@a]\n")
    with pytest.raises(Abort):
        site.build()
    assert "factcheck: bibliography file not found: missing.bib" in warnings()


def test_unknown_style_stops_with_one_message(bib_site, warnings):
    bib_site.config({"style": "nosuchstyle"})
    bib_site.page("index.md", "[@onji1987]\n")
    with pytest.raises(Abort):
        bib_site.build()
    assert any(m.startswith("factcheck: unknown citation style 'nosuchstyle'") and "vancouver" in m for m in warnings())


def test_command_line_build_shows_no_traceback(bib_site):
    bib_site.config({"style": "nosuchstyle"})
    bib_site.page("index.md", "[@onji1987]\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"], cwd=bib_site.root, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "unknown citation style 'nosuchstyle'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("plain", "M. Onji, H. Kondoh, and N. Horiike. Effect of recombinant interleukin 2 on hepatitis B."),
        ("unsrt", "M. Onji, H. Kondoh, and N. Horiike. Effect of recombinant interleukin 2 on hepatitis B."),
        ("alpha", "M. Onji, H. Kondoh, and N. Horiike."),
        ("abbrv", "M. Onji, H. Kondoh, and N. Horiike."),
        (
            "vancouver",
            (
                "Onji M, Kondoh H, Horiike N. Effect of recombinant interleukin 2 on hepatitis B. Gut."
                " 1987;28(12):1648-52."
            ),
        ),
    ],
)
def test_styles_by_name(bib_site, style, expected):
    bib_site.config({"style": style})
    bib_site.page("index.md", "[@onji1987] [@mueller2001]\n")
    bib_site.build()
    page = soup(bib_site.html())
    text = page.select_one("#ref-onji1987 .reference-text").get_text().replace("\xa0", " ")
    assert text.startswith(expected), text
    labels = [a.get_text() for a in page.select("a.citation-ref")]
    assert labels == (["OKH87", labels[1]] if style == "alpha" else ["1", "2"])


def test_abbrv_abbreviates_first_names(bib_site):
    bib_site.config({"style": "abbrv"})
    bib_site.page("index.md", "[@mueller2001]\n")
    bib_site.build()
    text = soup(bib_site.html()).select_one("#ref-mueller2001 .reference-text").get_text().replace("\xa0", " ")
    assert text.startswith("J. Müller and J. García.")


def test_author_year_mode(bib_site):
    bib_site.config({"citation_mode": "author-year"})
    bib_site.page("index.md", "A [@onji1987; see @mueller2001, p. 4]. B [-@onji1987]. C @mueller2001 says.\n")
    bib_site.build()
    groups = [g.get_text() for g in soup(bib_site.html()).select("span.citation")]
    assert groups == ["(Onji et al., 1987; see Müller and García, 2001, p. 4)", "(1987)", "Müller and García (2001)"]


def test_author_year_tells_alike_entries_apart_by_letter(site):
    """Same first author, more than two authors, same year: 1987a and 1987b; other co-authors do not
    matter, a different first author does."""
    site.bib(
        "@article{a, author = {Onji, M. and Kondoh, H. and Lee, K.}, title = {A}, journal = {J}, year = {1987}}\n"
        "@article{b, author = {Masaaki Onji and Sato, T. and Ito, Y.}, title = {B}, journal = {J}, year = {1987}}\n"
        "@article{c, author = {{Onji Group} and Other, A. and Third, B.}, title = {C}, journal = {J}, year = {1987}}\n"
    )
    site.config({"citation_mode": "author-year"})
    site.page("index.md", "[@a] [@b] [@c]\n")
    site.build()
    groups = [g.get_text() for g in soup(site.html()).select("span.citation")]
    assert groups == ["(Onji et al., 1987a)", "(Onji et al., 1987b)", "(Onji Group et al., 1987)"]


def test_numbers_follow_first_citation_across_the_site(bib_site):
    bib_site.page("index.md", "[@web2020] [@onji1987]\n")
    bib_site.page("second.md", "[@onji1987] [@mueller2001]\n")
    bib_site.page("all.md", "# All\n\n::: {#refs scope=site}\n:::\n")
    bib_site.build()
    second = soup(bib_site.html("second/index.html"))
    assert [a.get_text() for a in second.select("a.citation-ref")] == ["2", "3"]
    full = soup(bib_site.html("all/index.html"))
    entries = full.select("li.reference")
    assert [li["data-key"] for li in entries][:3] == ["web2020", "onji1987", "mueller2001"]
    assert len(entries) == 7  # every entry of the bibliography, uncited ones after the cited
    backlinks = [a["href"] for a in full.select("#ref-onji1987 a.reference-backlink")]
    assert backlinks == ["../#cite-onji1987-1", "../second/#cite-onji1987-1"]


def test_page_numbering(bib_site):
    bib_site.config({"numbering": "page"})
    bib_site.page("index.md", "[@web2020] [@onji1987]\n")
    bib_site.page("second.md", "[@onji1987]\n")
    bib_site.build()
    assert [a.get_text() for a in soup(bib_site.html("second/index.html")).select("a.citation-ref")] == ["1"]


def test_reader_words_are_configurable(bib_site):
    bib_site.config({"words": {"bibliography_title": "Quellen"}})
    bib_site.page("index.md", "[@onji1987]\n")
    bib_site.build()
    assert soup(bib_site.html()).select_one(".factcheck-bibliography h2").get_text() == "Quellen"


def test_kinds_can_be_silenced_or_made_errors(bib_site, warnings):
    bib_site.page("index.md", "[@nope]\n")
    bib_site.config({"findings": {"unknown_key": "ignore"}})
    bib_site.build(strict=True)
    assert not [m for m in warnings() if "unknown citation key" in m]
    bib_site.config({"findings": {"unknown_key": "error"}})
    with pytest.raises(Abort):
        bib_site.build()
    assert "factcheck: 1 finding configured as errors (see above)" in warnings()
    assert "mkdocs_factcheck: index.md:1: unknown citation key 'nope' [unknown_key]" in warnings()


def test_strict_counts_findings(bib_site):
    bib_site.page("index.md", "[@nope]\n")
    with pytest.raises(Abort):
        bib_site.build(strict=True)


def test_bibliography_parsed_once_across_serve_rebuilds_and_each_entry_formatted_once(bib_site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    bib_site.page("index.md", "[@onji1987] " * 50 + "\n")

    def serve_config():  # as `mkdocs serve` does: a fresh config, the same plugin object
        return load_config(str(bib_site.root / "mkdocs.yml"))

    config = serve_config()
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["factcheck"]
    before = plugin.bibliography_cache.parses
    build(config)
    assert plugin.bibliography_cache.parses == before + 1
    assert plugin.engine.formatter.formatted_count == 1  # 50 citations, one entry formatted once
    config = serve_config()
    assert config.plugins["factcheck"] is plugin
    build(config)
    assert plugin.bibliography_cache.parses == before + 1  # nothing changed: not parsed again
    bib = bib_site.root / "references.bib"
    bib.write_text(BIB.replace("Effect of recombinant", "Changed effect of recombinant"))
    build(serve_config())
    assert plugin.bibliography_cache.parses == before + 2
    assert "Changed effect" in bib_site.html()


def test_build_leaves_the_garbage_collector_as_it_found_it(bib_site):
    """The collector is the host's process's: a build, or a failed one, neither pauses nor freezes it."""
    import gc

    from mkdocs.exceptions import Abort

    bib_site.page("index.md", "Text [@onji1987].\n")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    bib_site.build()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    bib_site.config({"findings": {"uncited_entry": "error"}})  # the build fails in on_post_build
    with pytest.raises(Abort):
        bib_site.build()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_serve_rebuild_lets_the_last_build_go(bib_site):
    """The config `mkdocs serve` keeps may not hold the previous build's engine (and bibliography)
    across rebuilds: memory grew by tens of MB on the benchmark site. The engine may sit in reference
    cycles, which the host's collector frees when it runs: unreachable is what counts."""
    import gc
    import weakref

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    bib_site.page("index.md", "Text [@onji1987].\n")

    def serve_config():
        return load_config(str(bib_site.root / "mkdocs.yml"))

    config = serve_config()
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["factcheck"]
    build(config)
    last_engine = weakref.ref(plugin.engine)
    build(serve_config())  # `config` stays alive: `mkdocs serve` keeps its first build's for the session
    gc.collect()
    assert plugin.engine is not None and last_engine() is None


def test_plain_python_markdown_without_the_plugin(tmp_path, monkeypatch):
    import markdown

    (tmp_path / "refs.bib").write_text(BIB)
    monkeypatch.chdir(tmp_path)
    md = markdown.Markdown(
        extensions=["mkdocs_factcheck"],
        extension_configs={"mkdocs_factcheck": {"bibliography": "refs.bib", "style": "vancouver"}},
    )
    html = md.convert("Text [@onji1987] and `[@code]`.")
    page = soup(html)
    assert page.select_one("a.citation-ref").get_text() == "1"
    assert page.select_one("#ref-onji1987") is not None
    assert "[@code]" in page.select_one("code").get_text()


def test_pybtex_plugins_are_not_looked_up_per_entry(site, monkeypatch):
    """pybtex's plugin lookup rescans installed distributions on every call: a build may look styles up
    once, never once per entry or name (the benchmark found it took 88% of a build)."""
    import pybtex.plugin

    import mkdocs_factcheck.core.formatting.pybtex_formatter as formatting

    formatting.latex_to_text.cache_clear()
    entries = "\n".join(
        f'@article{{e{n}, author={{M{{\\"u}}ller, A{n} and Smith, B}}, title={{T{n}}}, journal={{J}}, year={{2000}}}}'
        for n in range(40)
    )
    site.bib(entries)
    site.config({"style": "vancouver"})
    site.page("index.md", " ".join(f"[@e{n}]" for n in range(40)) + "\n\n::: {#refs scope=site}\n:::\n")
    calls = []
    original = pybtex.plugin.find_plugin
    monkeypatch.setattr(pybtex.plugin, "find_plugin", lambda *a, **k: calls.append(a) or original(*a, **k))
    monkeypatch.setattr(formatting, "find_plugin", pybtex.plugin.find_plugin)
    site.build()
    assert len(calls) <= 5, calls
    assert "Müller A, Smith B. T0. J. 2000." in soup(site.html()).select_one("#ref-e0").get_text()


def test_formatted_entries_are_kept_on_disk_between_builds(bib_site):
    bib_site.page("index.md", "[@onji1987]\n")

    def build():
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build"], cwd=bib_site.root, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return soup(bib_site.html()).select_one("#ref-onji1987 .reference-text").decode_contents()

    first = build()
    store = bib_site.root / ".cache" / "plugin" / "factcheck" / "formatted.json"
    items = json.loads(store.read_text())
    assert [html.replace("&nbsp;", "\xa0") for html, *_ in items.values()] == [first]
    # A second build takes the entry from the file (shown by a marker put there), not from pybtex ...
    store.write_text(json.dumps({key: ["FROM-THE-CACHE", *rest] for key, (_, *rest) in items.items()}))
    assert build() == "FROM-THE-CACHE"
    # ... and a changed entry has another key: formatted again, never served stale.
    (bib_site.root / "references.bib").write_text(BIB.replace("Effect of recombinant", "Effects of recombinant"))
    assert "Effects of recombinant" in build()


def test_empty_name_field_counts_as_missing(site, warnings):
    site.bib("@article{nameless, author = {}, title = {T}, journal = {J}, year = {2000}}\n")
    site.config()
    site.page("index.md", "[@nameless]\n")
    site.build()
    assert any("entry 'nameless' (article) lacks author" in m for m in warnings(logging.INFO))


def test_title_that_cannot_be_decoded_does_not_stop_the_page(site, warnings):
    site.bib("@misc{odd, title = {Half a brace x\\}}, year = {2001}}\n\n@misc{fine, title = {Fine}, year = {2002}}\n")
    site.config()
    site.page("index.md", "[@odd] and [@fine]\n")
    site.build()
    page = soup(site.html())
    assert page.select_one("#ref-odd") is not None and "Fine" in page.select_one("#ref-fine").get_text()


def test_nested_conversion_does_not_take_the_page_bibliography(bib_site):
    """A Markdown conversion inside a page's build (mkdocstrings, excerpts) has a page state of its own;
    the page's reference list is still its own."""
    nested_conversion_hook(bib_site, "Nested [@mueller2001].", shown=False)
    bib_site.config(extra={"hooks": ["hooks.py"], "validation": {"anchors": "warn"}})
    bib_site.page("index.md", "Text [@onji1987]. [The entry](#ref-onji1987).\n")
    bib_site.build(strict=True)
    assert [li["data-key"] for li in soup(bib_site.html()).select("li.reference")] == ["onji1987"]


def test_parsed_bibliography_read_from_disk_is_the_one_parsed(tmp_path):
    """Entries are stored as plain rows and rebuilt: every field, type, place and finding comes back."""
    from mkdocs_factcheck.core.bibliography.cache import BibliographyCache

    bib = tmp_path / "references.bib"
    bib.write_text(
        BIB + "@Article{child, crossref = {parent}, title = {Child}, author = {Doe, J. and Roe, R.}}\n"
        "@Book{parent, title = {Parent}, publisher = {P}, year = {1999}, ISBN = {9780306406157}}\n"
        "@misc{onji1987, title = {Repeated}}\n",
        encoding="utf-8",
    )
    cache_dir = tmp_path / "cache"
    first = BibliographyCache()
    parsed = first.get([bib], tmp_path, cache_dir)
    second = BibliographyCache()
    read = second.get([bib], tmp_path, cache_dir)
    assert (first.parses, second.parses) == (1, 0)

    def described(bibliography):
        return [
            (
                s.key,
                s.raw.type,
                s.raw.original_type,
                list(s.raw.fields.items()),
                s.file,
                s.line,
                s.entry.persons.get("author", []),
            )
            for s in bibliography.sources.values()
        ], [(f.kind, f.message, f.file, f.line) for f in bibliography.findings]

    assert described(read) == described(parsed)
    assert read.get("child").raw.fields["year"] == "1999" and read.get("parent").raw.original_type == "Book"
    assert [f.kind for f in read.findings] == ["duplicate_key"]


def test_other_pybtex_users_keep_pybtex_s_own_decoder(bib_site):
    """Our reading of LaTeX (markup as tags) is given to the styles we call, never installed on pybtex:
    after a build, pybtex's `Text.from_latex` reads `\\textit` as pybtex reads it."""
    from pybtex.richtext import Text

    before = Text.from_latex(r"\textit{Homo sapiens} in H$_2$O").render_as("html")
    bib_site.page("index.md", "Text [@onji1987].\n")
    bib_site.build()
    assert Text.from_latex(r"\textit{Homo sapiens} in H$_2$O").render_as("html") == before
    assert "<em>" not in before and "<i>" not in before  # pybtex's own reader knows no markup
