"""Bibliographies as they come: several files, BibLaTeX (Better BibTeX exports), LaTeX markup, CSL-JSON and
CSL-YAML, DOIs written as addresses, syntax errors, incomplete entries, titles' capitals."""

import json
import re

import pytest
from conftest import soup
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort


def factcheck_json(site) -> dict:
    return json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))


def reference_text(page, key: str) -> str:
    return " ".join(page.select_one(f"#ref-{key} .reference-text").get_text().split())


def by_kind(site, kind: str) -> list[dict]:
    return [f for f in factcheck_json(site)["findings"] if f["kind"] == kind]


# ---------------------------------------------------------------- several files, one bibliography

MACROS = r"""
@string{gut = {Gut}}
@string{lancet = "The Lancet"}
"""

ENTRIES = r"""
@article{onji1987,
  author  = {Onji, M. and Kondoh, H.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B}},
  journal = gut,
  year    = {1987}
}

@incollection{chapter2010,
  author   = {Jones, Bob},
  title    = {A Chapter},
  pages    = {1--10},
  crossref = {parent2010}
}

@article{noyear,
  author  = {Lang, Michel and Schiffner, Julia},
  title   = {Joined names stay apart},
  journal = lancet # { Oncology}
}
"""

PARENTS = r"""
@book{parent2010,
  editor    = {Smith, Anne},
  title     = {The Parent Book},
  publisher = {Big Press},
  year      = {2010}
}
"""


def test_string_macros_and_crossref_reach_across_files(site, warnings):
    site.bib(MACROS, "journals.bib")
    site.bib(ENTRIES, "entries.bib")
    site.bib(PARENTS, "parents.bib")
    site.config({"bibliography": ["journals.bib", "entries.bib", "parents.bib"]})
    site.page("index.md", "[@onji1987] [@chapter2010] [@noyear]\n")
    site.build()
    assert not [m for m in warnings() if "bib_syntax" in m], warnings()
    page = soup(site.html())
    assert "Gut, 1987" in reference_text(page, "onji1987")
    chapter = reference_text(page, "chapter2010")
    assert "The Parent Book" in chapter and "Big Press" in chapter and "2010" in chapter
    noyear = reference_text(page, "noyear")
    assert "The Lancet Oncology" in noyear and "Michel Lang and Julia Schiffner" in noyear
    # each entry keeps its own file and line
    missing = by_kind(site, "missing_field")
    assert [(f["file"], f["line"]) for f in missing] == [("entries.bib", 15)], missing
    sources = {s["key"]: (s["file"], s["line"]) for s in factcheck_json(site)["sources"]}
    assert sources["onji1987"] == ("entries.bib", 1) and sources["parent2010"] == ("parents.bib", 1)


def test_macro_defined_after_its_use_in_a_later_file_is_still_reported(site, warnings):
    site.bib("@article{early, author = {A, B}, title = {T}, journal = later, year = {2001}}\n", "a.bib")
    site.bib("@string{later = {Later}}\n", "b.bib")
    site.config({"bibliography": ["a.bib", "b.bib"]})
    site.page("index.md", "[@early]\n")
    site.build()
    assert any(
        m.startswith("mkdocs_factcheck: a.bib:1:") and "later" in m and "[bib_syntax]" in m for m in warnings()
    ), warnings()


def test_duplicate_keys_across_bibtex_and_csl_files(site, warnings):
    site.bib("@misc{shared, title = {From BibTeX}}\n", "a.bib")
    site.write(
        "b.json",
        '[\n  {"id": "other", "type": "webpage", "title": "Other"},\n  {"id": "shared", "type": "webpage", "title":'
        ' "From JSON"}\n]\n',
    )
    site.config({"bibliography": ["a.bib", "b.json"]})
    site.page("index.md", "[@shared] [@other]\n")
    site.build()
    assert any(
        m.startswith("mkdocs_factcheck: b.json:3: duplicate entry key 'shared', already defined at a.bib:1")
        for m in warnings()
    ), warnings()
    assert "From BibTeX" in reference_text(soup(site.html()), "shared")


# ---------------------------------------------------------------- BibLaTeX

# As Zotero's Better BibLaTeX writes them (dates in ISO form, journaltitle, eprints, urldate).
BIBLATEX = r"""
@article{kim2021,
  title = {Low-Dose Interleukin-2 in Lupus},
  author = {Kim, Soo-Jin and Park, Min},
  date = {2021-03-15},
  journaltitle = {Nature Medicine},
  volume = {27},
  number = {3},
  pages = {447--452},
  doi = {10.1038/s41591-021-01234-5},
  eprint = {33627894},
  eprinttype = {pubmed}
}

@online{who2023,
  title = {Interleukin-2 Fact Sheet},
  author = {{World Health Organization}},
  date = {2023},
  url = {https://www.who.int/news-room/fact-sheets/il2},
  urldate = {2024-01-15}
}

@report{nci2019,
  title = {Aldesleukin Safety Review},
  author = {Doe, Jane},
  institution = {National Cancer Institute},
  location = {Bethesda, MD},
  date = {2019-06},
  number = {NCI-2019-7},
  type = {techreport}
}

@thesis{lee2018,
  title = {Regulatory T Cells and Interleukin-2},
  author = {Lee, Ann},
  institution = {University of Oslo},
  date = {2018},
  type = {phdthesis}
}

@thesis{roe2017,
  title = {A Master's Work on Cytokines},
  author = {Roe, Rick},
  institution = {ETH Zürich},
  date = {2017-09-01/2017-12-01},
  type = {mathesis}
}

@mvbook{handbook,
  title = {Handbook of Cytokines},
  editor = {Grey, Gina},
  publisher = {Academic Press},
  location = {London},
  date = {1998/2001},
  volumes = {3}
}

@inbook{handbook-il2,
  title = {Interleukin-2},
  author = {White, Walt},
  pages = {11--40},
  crossref = {handbook}
}

@article{arxiv2020,
  title = {A Preprint on {IL-2} Dynamics},
  author = {Stone, Sam},
  date = {2020-11},
  journaltitle = {arXiv},
  eprint = {2011.01234},
  eprinttype = {arxiv},
  eprintclass = {q-bio.CB}
}
"""

BIBLATEX_KEYS = ["kim2021", "who2023", "nci2019", "lee2018", "roe2017", "handbook", "handbook-il2", "arxiv2020"]


def test_biblatex_entries_render_and_check_like_their_bibtex_equivalents(site, warnings):
    site.bib(BIBLATEX)
    site.config()
    site.page("index.md", " ".join(f"[@{key}]" for key in BIBLATEX_KEYS) + "\n")
    site.build()
    complaints = [
        m
        for m in warnings()
        if any(kind in m for kind in ("missing_field", "unformattable_entry", "invalid_identifier", "bib_syntax"))
    ]
    assert complaints == []
    page = soup(site.html())
    texts = {key: reference_text(page, key) for key in BIBLATEX_KEYS}
    assert "Nature Medicine, 27(3):447–452, March 2021" in texts["kim2021"], texts["kim2021"]
    assert page.select_one("#ref-kim2021 a.ref-pmid")["href"] == "https://pubmed.ncbi.nlm.nih.gov/33627894/"
    assert "World Health Organization" in texts["who2023"] and "2023" in texts["who2023"]
    assert "(accessed 2024-01-15)" in page.select_one("#ref-who2023 .reference-ids").get_text()
    assert "Technical Report NCI-2019-7, National Cancer Institute, Bethesda, MD, June 2019" in texts["nci2019"], texts[
        "nci2019"
    ]
    assert "PhD thesis, University of Oslo, 2018" in texts["lee2018"], texts["lee2018"]
    assert "Master's thesis, ETH Zürich, September 2017" in texts["roe2017"], texts["roe2017"]
    assert "Handbook of Cytokines" in texts["handbook"] and "Academic Press, London, 1998–2001" in texts["handbook"], (
        texts["handbook"]
    )
    assert "Handbook of Cytokines" in texts["handbook-il2"] and "pages 11–40" in texts["handbook-il2"], texts[
        "handbook-il2"
    ]
    assert page.select_one("#ref-arxiv2020 a.ref-arxiv")["href"] == "https://arxiv.org/abs/2011.01234"
    for key, text in texts.items():
        assert "n.d." not in text and key + ":" not in text
    sources = {s["key"]: s for s in factcheck_json(site)["sources"]}
    assert sources["kim2021"]["year"] == "2021" and sources["kim2021"]["identifiers"]["pmid"] == "33627894"
    assert sources["arxiv2020"]["identifiers"] == {"arxiv": "2011.01234"}


def test_biblatex_entry_lacking_a_field_is_reported_with_its_bibtex_requirements(site, warnings):
    site.bib(
        "@report{bare, title = {No Institution}, author = {Doe, Jane}, date = {2019}}\n\n@thesis{nodate, title = {T},"
        " author = {Lee, Ann}, institution = {Oslo}}\n"
    )
    site.config()
    site.page("index.md", "[@bare] [@nodate]\n")
    site.build()
    missing = sorted(m for m in warnings() if "[missing_field]" in m)
    assert missing == [
        "mkdocs_factcheck: references.bib:1: entry 'bare' (report) lacks institution [missing_field]",
        "mkdocs_factcheck: references.bib:3: entry 'nodate' (thesis) lacks year [missing_field]",
    ]


def test_author_year_labels_read_biblatex_dates(site):
    site.bib(BIBLATEX)
    site.config({"citation_mode": "author-year"})
    site.page("index.md", "[@kim2021] [@lee2018]\n")
    site.build()
    cites = [a.get_text() for a in soup(site.html()).select(".citation a")]
    assert cites == ["Kim and Park, 2021", "Lee, 2018"], cites


# ---------------------------------------------------------------- LaTeX markup

MARKUP = r"""
@article{fly,
  author  = {Ng, Ann},
  title   = {The \textit{Drosophila} {\em period} gene, $\sigma$-factors in H$_2$O, x$^{2}$ and \textbf{bold}, \textsc{Small Caps} and {\sc caps}},
  journal = {J. of \emph{Things}},
  year    = {2001},
  note    = {A\hspace{1em}B, $\mathrm{d}x$, of\/f, 50\% \& \$5}
}
"""  # noqa: E501 - written as a user writes it


def test_latex_markup_is_html_in_pages_and_text_in_tooltips_and_the_report(site):
    site.bib(MARKUP)
    site.config()
    site.page("index.md", "Text [@fly].\n")
    site.build()
    page = soup(site.html())
    entry = page.select_one("#ref-fly .reference-text")
    html = str(entry)
    assert "<i>Drosophila</i>" in html and "<i>period</i>" in html and "<i>Things</i>" in html
    assert "<b>bold</b>" in html
    assert [span.get_text() for span in entry.select("span.factcheck-smallcaps")] == ["Small Caps", "caps"]
    assert "font-variant:small-caps" in entry.select_one("span.factcheck-smallcaps")["style"]
    assert "H<sub>2</sub>O" in html and "x<sup>2</sup>" in html and "σ-factors" in html
    text = entry.get_text()
    assert "\\" not in text and "$" not in text.replace("$5", "")
    assert "A B, dx, off, 50% & $5" in " ".join(text.split())
    tooltip = page.select_one(".citation a")["title"]
    assert "The Drosophila period gene, σ-factors in H₂O, x² and bold, Small Caps and caps" in tooltip
    assert "<" not in tooltip and "\\" not in tooltip
    source = next(s for s in factcheck_json(site)["sources"] if s["key"] == "fly")
    assert source["title"] == "The Drosophila period gene, σ-factors in H₂O, x² and bold, Small Caps and caps"


def test_markup_in_names_and_hostile_latex_stays_escaped(site):
    site.bib(
        r"@article{x, author = {\textsc{Müller}, Hans}, title = {\textit{<script>alert(1)</script>} and"
        r" \emph{\url{javascript:alert(1)}}}, journal = {J}, year = {2001}}" + "\n"
    )
    site.config()
    site.page("index.md", "[@x]\n")
    site.build()
    html = site.html()
    assert "<script>alert" not in html and 'href="javascript:' not in html
    entry = soup(html).select_one("#ref-x .reference-text")
    assert entry.select_one("span.factcheck-smallcaps").get_text() == "Müller"
    assert "<script>alert(1)</script>" in entry.select_one("i").get_text()


# ---------------------------------------------------------------- CSL-JSON and CSL-YAML

CSL_JSON = """[
  {
    "id": "smith2020",
    "type": "article-journal",
    "title": "Interleukin-2 in <i>Mus musculus</i>: 50% & more",
    "author": [
      {"family": "Smith", "given": "Anna"},
      {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
      {"literal": "IL-2 Study Group"}
    ],
    "container-title": "Journal of Immunology",
    "volume": "12",
    "issue": "3",
    "page": "100-110",
    "issued": {"date-parts": [[2020, 5, 1]]},
    "DOI": "10.1000/j.imm_2020.12",
    "PMID": "31234567"
  },
  {
    "id": "label2022",
    "type": "webpage",
    "title": "Proleukin (aldesleukin) label",
    "publisher": "FDA",
    "URL": "https://www.accessdata.fda.gov/label.pdf",
    "issued": {"date-parts": [[2022]]},
    "accessed": {"date-parts": [[2024, 2, 3]]}
  },
  {
    "id": "nojournal",
    "type": "article-journal",
    "title": "Lacks its journal",
    "author": [{"family": "Roe", "given": "Rick"}],
    "issued": {"date-parts": [[2001]]}
  }
]
"""

CSL_YAML = """---
references:
- id: doe2001
  type: book
  title: The Proleukin Handbook
  author:
    - family: Doe
      given: John
  publisher: Big Press
  publisher-place: Boston
  issued: 2001-05-03
  ISBN: 978-0-306-40615-7
- id: baddoi
  type: chapter
  title: A chapter with a broken DOI
  author:
    - family: Poe
      given: Pam
  container-title: Collected Works
  publisher: Small Press
  issued:
    date-parts:
      - [2010]
  DOI: not-a-doi
...
"""


def test_csl_json_and_yaml_bibliographies_mixed_with_bibtex(site, warnings):
    site.bib("@article{bibentry, author = {Onji, M.}, title = {From BibTeX}, journal = {Gut}, year = {1987}}\n")
    site.write("refs.json", CSL_JSON)
    site.write("refs.yaml", CSL_YAML)
    site.config({"bibliography": ["references.bib", "refs.json", "refs.yaml"]})
    site.page("index.md", "[@bibentry] [@smith2020] [@label2022] [@nojournal] [@doe2001] [@baddoi]\n")
    site.build()
    page = soup(site.html())
    smith = reference_text(page, "smith2020")
    assert "Anna Smith, Jan van der Berg, and IL-2 Study Group" in smith, smith
    assert (
        "Interleukin-2 in Mus musculus: 50% & more" in smith
        and "Journal of Immunology, 12(3):100–110, May 2020" in smith
    ), smith
    assert "<i>Mus musculus</i>" in str(page.select_one("#ref-smith2020 .reference-text"))
    links = {a["class"][0]: a["href"] for a in page.select("#ref-smith2020 .reference-ids a")}
    assert links == {
        "ref-doi": "https://doi.org/10.1000/j.imm_2020.12",
        "ref-pmid": "https://pubmed.ncbi.nlm.nih.gov/31234567/",
    }
    assert page.select_one("#ref-label2022 a.ref-url")["href"] == "https://www.accessdata.fda.gov/label.pdf"
    assert "(accessed 2024-02-03)" in page.select_one("#ref-label2022 .reference-ids").get_text()
    assert "Proleukin (aldesleukin) label" in reference_text(page, "label2022")
    doe = reference_text(page, "doe2001")
    assert "John Doe. The Proleukin Handbook. Big Press, Boston, May 2001." in doe, doe
    assert "Collected Works" in reference_text(page, "baddoi")
    # findings at the file and line of each item
    assert "mkdocs_factcheck: refs.json:28: entry 'nojournal' (article) lacks journal [missing_field]" in warnings()
    assert any(m.startswith("mkdocs_factcheck: refs.yaml:13: entry 'baddoi': DOI 'not-a-doi'") for m in warnings()), (
        warnings()
    )
    sources = {s["key"]: s for s in factcheck_json(site)["sources"]}
    assert (sources["smith2020"]["file"], sources["smith2020"]["line"]) == ("refs.json", 2)
    assert (sources["doe2001"]["file"], sources["doe2001"]["line"]) == ("refs.yaml", 3)
    assert sources["doe2001"]["identifiers"] == {"isbn": "978-0-306-40615-7"}


def test_csl_json_syntax_error_is_located_and_earlier_items_load(site, warnings):
    site.write(
        "refs.json", '[\n  {"id": "ok", "type": "webpage", "title": "Fine"},\n  {"id": "bad" "type": "book"}\n]\n'
    )
    site.config({"bibliography": "refs.json"})
    site.page("index.md", "[@ok]\n")
    site.build()
    assert any(
        m.startswith("mkdocs_factcheck: refs.json:3: JSON syntax error") and "[bib_syntax]" in m for m in warnings()
    ), warnings()
    assert "Fine" in reference_text(soup(site.html()), "ok")


def test_csl_items_without_id_and_files_of_the_wrong_shape_are_reported(site, warnings):
    site.write("refs.yaml", "references:\n  - id: fine\n    title: Fine\n  - title: No id\n")
    site.write("other.json", '{"id": "not-a-list"}\n')
    site.config({"bibliography": ["refs.yaml", "other.json"]})
    site.page("index.md", "[@fine]\n")
    site.build()
    assert "mkdocs_factcheck: refs.yaml:4: CSL item without an 'id' (skipped) [bib_syntax]" in warnings()
    assert any(
        m.startswith("mkdocs_factcheck: other.json:1: a CSL-JSON file is an array of items") for m in warnings()
    ), warnings()


def test_unknown_bibliography_format_stops_with_one_message(site, warnings):
    site.write("refs.ris", "TY  - JOUR\n")
    site.config({"bibliography": "refs.ris"})
    site.page("index.md", "[@a]\n")
    with pytest.raises(Abort):
        site.build()
    assert any("bibliography file refs.ris: unknown format '.ris'" in m for m in warnings()), warnings()


# ---------------------------------------------------------------- identifiers, errors, incomplete entries


def test_doi_written_as_an_address_is_the_doi_with_an_info_finding(site, warnings):
    site.bib(
        "@article{a, author = {A, B}, title = {T}, journal = {J}, year = {2001}, doi ="
        " {https://doi.org/10.1136/gut.28.12.1648}}\n@article{b, author = {A, B}, title = {U}, journal = {J}, year ="
        " {2002}, doi = {http://dx.doi.org/10.1000/x%2Fy}}\n"
    )
    site.config()
    site.page("index.md", "[@a] [@b]\n")
    site.build()
    assert not [m for m in warnings() if "invalid_identifier" in m]
    info = sorted(m for m in warnings(level=20) if "[doi_normalised]" in m)
    assert info == [
        (
            "mkdocs_factcheck: references.bib:1: entry 'a': DOI written as 'https://doi.org/10.1136/gut.28.12.1648',"
            " read as 10.1136/gut.28.12.1648 [doi_normalised]"
        ),
        (
            "mkdocs_factcheck: references.bib:2: entry 'b': DOI written as 'http://dx.doi.org/10.1000/x%2Fy', read as"
            " 10.1000/x/y [doi_normalised]"
        ),
    ]
    page = soup(site.html())
    assert page.select_one("#ref-a a.ref-doi")["href"] == "https://doi.org/10.1136/gut.28.12.1648"
    assert page.select_one("#ref-a a.ref-doi").get_text() == "doi:10.1136/gut.28.12.1648"


def test_syntax_error_is_reported_at_the_line_of_its_entry(site, warnings):
    site.bib("""
        @article{first,
          author = {A, B},
          title = {Unclosed {brace},
          journal = {J},
          year = {2001}
        }

        @article{second, author = {C, D}, title = {Second}, journal = {J}, year = {2003}}

        @article{third,
          author = {E, F}
          title = {Missing comma}
        }
        """)
    site.config()
    site.page("index.md", "[@second]\n")
    site.build()
    syntax = [m for m in warnings() if "[bib_syntax]" in m]
    assert any(m.startswith("mkdocs_factcheck: references.bib:1: syntax error in entry 'first'") for m in syntax), (
        syntax
    )
    assert any(m.startswith("mkdocs_factcheck: references.bib:10: syntax error in entry 'third'") for m in syntax), (
        syntax
    )


def test_titles_keep_their_capitals_unless_the_site_asks_for_sentence_case(site):
    site.bib(
        "@article{de, author = {A, B}, title = {Über die Wirkung von Interleukin-2 auf T-Zellen mit Proleukin}, journal"
        " = {J}, year = {2001}}\n"
    )
    site.config()
    site.page("index.md", "[@de]\n")
    site.build()
    assert "Über die Wirkung von Interleukin-2 auf T-Zellen mit Proleukin." in reference_text(soup(site.html()), "de")
    site.config({"title_case": "sentence"})
    site.build()
    assert "Über die wirkung von interleukin-2 auf t-zellen mit proleukin." in reference_text(soup(site.html()), "de")


def test_url_in_howpublished_is_printed_once(site):
    site.bib(
        "@misc{web, title = {A web page}, howpublished = {\\url{https://example.org/page}}, year = {2020}}\n@misc{said,"
        " title = {Another}, howpublished = {Online at \\url{https://example.org/b}}}\n"
    )
    site.config()
    site.page("index.md", "[@web] [@said]\n")
    site.build()
    page = soup(site.html())
    assert page.select_one("#ref-web").get_text().count("https://example.org/page") == 1
    assert page.select_one("#ref-web a.ref-url")["href"] == "https://example.org/page"
    said = page.select_one("#ref-said").get_text()
    assert said.count("https://example.org/b") == 1 and "Online at" in said


# ---------------------------------------------------------------- large bibliographies


def test_a_warm_build_reads_only_the_entries_it_uses(site):
    """A lab's shared bibliography: entries are read from their text when first used, and the cache keeps
    where they are, so a warm build parses the cited ones only and shows them as a cold build does."""
    entries = [
        f'@article{{e{n}, author = {{M{{\\"u}}ller, J{n}}}, title = {{Title {n} on \\textit{{Stra{{\\ss}}e}}}}, journal'
        " = gut, year = {2000}}"
        for n in range(60)
    ]
    site.bib("@string{gut = {Gut}}\n" + "\n".join(entries) + "\n")
    site.config()
    site.page("index.md", "[@e7] [@e59]\n")
    MkDocsConfig.plugins.plugin_cache.clear()  # the plugin object of an earlier test, with its parse count
    first = site.build()
    cold_html = site.html()
    assert first.plugins["factcheck"].bibliography_cache.parses == 1
    MkDocsConfig.plugins.plugin_cache.clear()  # what a new `mkdocs build` process starts with
    warm = site.build()
    plugin = warm.plugins["factcheck"]
    assert plugin.bibliography_cache.parses == 0  # read from the cache
    sources = plugin.engine.bibliography.sources
    assert sorted(key for key, source in sources.items() if source._raw is not None) == ["e59", "e7"]
    assert site.html() == cold_html
    entry = soup(cold_html).select_one("#ref-e7 .reference-text")
    assert (
        entry.get_text().replace("\xa0", " ").startswith("J7 Müller. Title 7 on Straße. Gut, 2000")
        and entry.select_one("i").get_text() == "Straße"
    ), str(entry)
    data = factcheck_json(site)
    assert [s["key"] for s in data["sources"]] == ["e7", "e59"]
    assert data["uncited_sources"][0]["count"] == 58 and data["summary"]["sources"] == 60


def test_entries_of_a_file_with_windows_line_ends_and_accents_are_read_from_their_spans(site):
    text = (
        "@string{j = {Journal of Ä}}\r\n@article{first, author = {Ölund, Åsa}, title = {Før}, journal = j, year ="
        " {2001}}\r\n\r\n@article{second,\r\n  author = {Brown, B},\r\n  title = {Ünder},\r\n  journal = j,\r\n  year ="
        " {2002}\r\n}\r\n"
    )
    (site.root / "references.bib").write_bytes(text.encode("utf-8"))
    site.config()
    site.page("index.md", "[@second] [@first]\n")
    site.build()
    page = soup(site.html())
    assert reference_text(page, "second") == "B Brown. Ünder. Journal of Ä, 2002."
    assert reference_text(page, "first") == "Åsa Ölund. Før. Journal of Ä, 2001."
    sources = {s["key"]: s["line"] for s in factcheck_json(site)["sources"]}
    assert sources == {"first": 2, "second": 4}


def test_the_quick_entry_reader_agrees_with_pybtex():
    import pybtex.errors
    from pybtex.database.input import bibtex

    from mkdocs_factcheck.core.bibliography.files import _IndexingParser, _KeysOnly
    from mkdocs_factcheck.core.bibliography.quick_reader import quick_entry

    text = "\n".join(
        [
            MACROS,
            ENTRIES,
            BIBLATEX,
            MARKUP,
            (
                r'@article{q, title = "A {"}quoted{"} title", note = "x" # " and " # {y}, year = 2001, month = jan,'
                r" Author = {A and B}, TITLE = {second}}"
            ),
            r'@misc(paren, title = {T}, howpublished = "\url{https://x.org/~a}")',
            "@misc{spaces,\n  title   =   {  Many\n   spaces   here },\n}",
        ]
    )
    indexing = _IndexingParser(person_fields=[])
    indexing.data = _KeysOnly()
    with pybtex.errors.capture():  # the repeated TITLE: pybtex keeps the first, as the quick reader does
        indexing.parse_string(text)
        reference = bibtex.Parser(person_fields=[]).parse_string(text)
    macros = {name.lower(): value for name, value in indexing.macros.items()}
    read = 0
    for spans in indexing.spans.values():
        key, _, start, end = spans[0]
        entry = quick_entry(text, start, end, key, macros)
        if entry is not None:
            read += 1
            assert list(entry.fields.items()) == list(reference.entries[key].fields.items()), key
            assert entry.original_type == reference.entries[key].original_type
    assert read == len(reference.entries)


@pytest.mark.parametrize(
    ("title_case", "shown"),
    [("as-written", "Über die Wirkung von Proleukin"), ("sentence", "Über die wirkung von proleukin")],
)
def test_python_markdown_without_the_plugin_reads_csl_and_title_case(tmp_path, monkeypatch, title_case, shown):
    import markdown

    (tmp_path / "refs.yaml").write_text(
        "- id: de\n  type: article-journal\n  title: Über die Wirkung von Proleukin\n  author: [{family: Ng, given:"
        " Ann}]\n  container-title: J\n  issued: 2001\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    options = {"mkdocs_factcheck": {"bibliography": "refs.yaml", "title_case": title_case}}
    html = markdown.Markdown(extensions=["mkdocs_factcheck"], extension_configs=options).convert("Text [@de].")
    assert f"{shown}." in " ".join(soup(html).select_one("#ref-de").get_text().split())


def test_csl_json_with_a_byte_order_mark(site):
    (site.root / "refs.json").write_bytes(
        '\ufeff[{"id": "bom", "type": "webpage", "title": "Written on Windows"}]'.encode()
    )
    site.config({"bibliography": "refs.json"})
    site.page("index.md", "[@bom]\n")
    site.build()
    assert "Written on Windows" in reference_text(soup(site.html()), "bom")


LATEX_PIECES = [
    "a",
    "B",
    " ",
    "{",
    "}",
    "$",
    "^",
    "_",
    "~",
    "\\",
    "'",
    '"',
    "%",
    "&",
    "<i>",
    "\\textit",
    "\\em ",
    "\\sc ",
    "\\'",
    '\\"',
    "\\c ",
    "\\url",
    "\\href",
    "\\hspace",
    "\\sigma",
    "\\foo",
    "\\\\",
    "\\ss",
    "\\v{",
    "\\textsuperscript{",
]


@given(st.lists(st.sampled_from(LATEX_PIECES), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_latex_becomes_escaped_html_and_text_without_failing(value):
    from mkdocs_factcheck.core.bibliography.latex import rich
    from mkdocs_factcheck.core.formatting.pybtex_formatter import SafeHTMLBackend, latex_to_text, plain

    text = rich(value)
    html = text.render(SafeHTMLBackend())
    ours = re.sub(
        r'</?(?:i|b|sub|sup)>|<span class="(?:bibtex-protected|factcheck-smallcaps"'
        r' style="font-variant:small-caps)">|</span>',
        "",
        html,
    )
    assert "<" not in ours and ">" not in ours, html  # a field's own angle brackets are escaped, and no link is made
    assert isinstance(plain(text), str) and isinstance(latex_to_text(value), str)


def test_a_slash_command_reads_as_pandoc_reads_it(site):
    bib = (
        "@article{io, author = {Adams, Ann}, title = {Input{$\\slash$}output and and\\slash or}, journal = {J}, year ="
        " {2000}}\n"
    )
    site.bib(bib)
    site.config()
    site.page("index.md", "Text [@io].\n")
    site.build()
    page = soup(site.html())
    import pypandoc

    (site.root / "pandoc.bib").write_text(bib, encoding="utf-8")
    reference = pypandoc.convert_text(
        "[@io]\n", "plain", format="markdown", extra_args=["--citeproc", f"--bibliography={site.root / 'pandoc.bib'}"]
    )
    assert "Input/output and and/or" in " ".join(reference.split())  # pandoc's reading
    assert "Input/output and and/or" in page.select_one(".citation a")["title"]
    assert "Input/output and and/or" in page.select_one("#ref-io .reference-text").get_text()
