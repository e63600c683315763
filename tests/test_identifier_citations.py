"""Citations by identifier without any network: keys read and normalised, records turned into CSL items,
the identifiers file read by real builds (a hand-written file is what a site commits), the check command."""

from __future__ import annotations

import json
import subprocess

import pytest
from test_check_command import COMMAND

from mkdocs_factcheck.core.bibliography.new_entries import NewEntries, bibtex_text, detect_key_style, make_key
from mkdocs_factcheck.core.checks.online.metadata import (
    clean_title,
    csl_from_doi,
    csl_from_openlibrary,
    csl_from_summary,
)
from mkdocs_factcheck.core.citations.by_identifier import cited_identifier
from mkdocs_factcheck.core.citations.syntax import find_citations

BIB = r"""
@article{onji1987,
  author  = {Onji, M. and Kondoh, H.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B}},
  journal = {Gut},
  year    = {1987},
  doi     = {10.1136/gut.28.12.1648},
  pmid    = {3501387}
}
"""
FROZEN = [
    {
        "id": "doi:10.1200/jco.1999.17.7.2105",
        "type": "article-journal",
        "title": "Response of <i>BRCA1</i> carriers",
        "author": [{"family": "Müller", "given": "Jane"}, {"literal": "Breast Cancer Trials Consortium"}],
        "container-title": "Journal of Clinical Oncology",
        "issued": {"date-parts": [[1999, 7]]},
        "DOI": "10.1200/JCO.1999.17.7.2105",
    },
    {
        "id": "isbn:9780140328721",
        "type": "book",
        "title": "Fantastic Mr. Fox",
        "author": [{"family": "Dahl", "given": "Roald"}],
        "issued": {"date-parts": [[1988]]},
        "ISBN": "9780140328721",
    },
    {
        "id": "pmid:20000001",
        "type": "article-journal",
        "title": "A retracted trial",
        "PMID": "20000001",
        "factcheck-notices": [{"type": "retraction", "label": "Retracted Publication", "about": "this"}],
    },
]


@pytest.mark.parametrize(
    ("written", "key", "problem"),
    [
        ("doi:10.1200/JCO.1999.17.7.2105", "doi:10.1200/jco.1999.17.7.2105", None),
        ("DOI:10.1200/jco.1999.17.7.2105", "doi:10.1200/jco.1999.17.7.2105", None),
        ("https://doi.org/10.1200/JCO.1999.17.7.2105", "doi:10.1200/jco.1999.17.7.2105", None),
        ("http://dx.doi.org/10.1000/a%2Fb", "doi:10.1000/a/b", None),
        ("pmid:3501387", "pmid:3501387", None),
        ("pmcid:pmc2275327", "pmcid:PMC2275327", None),
        ("isbn:978-0-14-032872-1", "isbn:9780140328721", None),
        ("isbn:0-306-40615-2", "isbn:9780306406157", None),  # an ISBN-10 is its ISBN-13: one book, one key
        ("isbn:0-14-032872-6", "isbn:9780140328721", None),
        ("isbn:080442957x", "isbn:9780804429573", None),
        ("doi:foo", "doi:foo", "10.NNNN/suffix"),
        ("pmid:12a", "pmid:12a", "one to nine digits"),
        ("pmcid:2275327", "pmcid:2275327", "PMC followed by digits"),
        ("isbn:978-0-14-032872-2", "isbn:9780140328722", "check digit"),
    ],
)
def test_identifier_keys_are_read_and_normalised(written, key, problem):
    found = cited_identifier(written)
    assert found is not None and found.key == key and found.written == written
    assert (found.problem is None) if problem is None else (problem in found.problem)


@pytest.mark.parametrize("key", ["onji1987", "smith:2000.a", "urn:x", "doi", "pmid", "https://example.org/x"])
def test_ordinary_keys_are_not_identifiers(key):
    assert cited_identifier(key) is None


def test_titles_lose_markup_they_cannot_show_and_keep_what_csl_reads():
    math = (
        "<mml:math"
        ' xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msub><mml:mi>H</mml:mi><mml:mn>2</mml:mn></mml:msub><mml:mi>O</mml:mi></mml:math>'
    )
    assert (
        clean_title(f"Water ({math}) in <i>vivo</i>  &amp; <jats:sc>more</jats:sc>")
        == "Water (H<sub>2</sub>O) in <i>vivo</i> & more"
    )
    assert clean_title("p &lt; 0.05 and p < 0.01") == "p < 0.05 and p < 0.01"
    assert clean_title("<mml:math><broken></mml:math> x") == "x"


def test_records_become_trimmed_csl_items_with_their_notices():
    item = csl_from_doi(
        {
            "DOI": "10.1000/X",
            "title": ["A <b>title</b>"],
            "author": [{"name": "A Consortium"}, {"family": "Doe", "given": "J."}, "garbage"],
            "reference": [{"key": "r"}],
            "update-to": [{"DOI": "10.1000/x", "type": "retraction", "label": "Retraction"}],
            "relation": {"has-correction": [{"id": "10.1000/fix", "id-type": "doi"}]},
        },
        "10.1000/x",
    )
    assert item["title"] == "A <b>title</b>" and "reference" not in item
    assert item["author"] == [{"literal": "A Consortium"}, {"family": "Doe", "given": "J."}]
    assert [(n["type"], n["about"]) for n in item["factcheck-notices"]] == [
        ("retraction", "this"),
        ("correction", "this"),
    ]
    # esummary leaves fields out: nothing is invented for them.
    bare = csl_from_summary({"uid": "1", "pubtype": ["Retracted Publication"]}, "pmid", "1")
    assert bare == {
        "type": "article-journal",
        "PMID": "1",
        "factcheck-notices": [{"type": "retraction", "label": "Retracted Publication", "doi": "", "about": "this"}],
        "factcheck-fetched-from": "pubmed",
    }
    book = csl_from_openlibrary(
        {"title": "T", "subtitle": "S", "authors": [{"name": "Plato"}], "url": "javascript:alert(1)"}, "9780140328721"
    )
    assert book["title"] == "T: S" and book["author"] == [{"literal": "Plato"}] and "URL" not in book


def test_key_styles_are_detected_and_followed():
    item = {
        "author": [{"family": "Müller-Lüdenscheidt"}],
        "issued": {"date-parts": [[1999]]},
        "title": "The effect of things",
    }
    assert detect_key_style(["onji1987", "smith2001", "odd.key."]) == "onji1987"
    assert detect_key_style(["Onji1987", "Smith2001a"]) == "Onji1987"
    assert detect_key_style(["onji_1987_interleukin", "smith_2001_study"]) == "onji_1987_effect"
    assert detect_key_style(["x", "y"]) == "onji1987"  # the fallback: authorYEAR
    assert make_key(item, "onji1987", set()) == "mullerludenscheidt1999"
    assert make_key(item, "onji_1987_effect", set()) == "mullerludenscheidt_1999_effect"
    assert make_key(item, "onji1987", {"mullerludenscheidt1999"}) == "mullerludenscheidt1999a"
    assert make_key({"title": "Anonymous work"}, "onji1987", set()) == "anonymousnd"


def test_bibtex_text_is_parseable_with_braces_balanced():
    from pybtex.database import parse_string

    text = bibtex_text(
        "x2000",
        {
            "type": "article-journal",
            "title": "A } lone brace and {pairs}",
            "author": [{"literal": "Group"}],
            "issued": {"date-parts": [[2000]]},
        },
    )
    entry = parse_string(text, "bibtex").entries["x2000"]
    assert entry.fields["title"].count("{") == entry.fields["title"].count("}")


def test_new_entries_leave_a_crlf_file_as_it_was(tmp_path):
    """Appending keeps the file's text byte for byte, its Windows line ends too, and writes the new
    entries with the same line ends (reading the file as text had turned every CRLF into LF)."""
    from pybtex.database import parse_file

    from mkdocs_factcheck.core.bibliography.files import load

    path = tmp_path / "references.bib"
    old = b"@book{onji1987,\r\n  author = {Onji, M.},\r\n  title  = {Effect},\r\n  year   = {1987},\r\n}\r\n"
    path.write_bytes(old)
    entries = NewEntries(load([path], tmp_path), "references.bib")
    entries.add(
        "doi:10.5555/x",
        {
            "type": "book",
            "title": "Written by hand",
            "author": [{"family": "Hand"}],
            "issued": {"date-parts": [[2020]]},
            "DOI": "10.5555/x",
        },
    )
    entries.append_to(path)
    data = path.read_bytes()
    assert data.startswith(old) and b"\n" not in data.replace(b"\r\n", b"")
    assert set(parse_file(str(path)).entries) == {"onji1987", "hand2020"}


@pytest.fixture
def frozen_site(site):
    site.bib(BIB)
    site.write("references.identifiers.json", json.dumps(FROZEN, indent=2))
    site.page(
        "index.md",
        "# A\n\nBy DOI [@doi:10.1200/JCO.1999.17.7.2105] and again @{https://doi.org/10.1200/jco.1999.17.7.2105}.\n\n"
        "A book [@isbn:978-0-14-032872-1, p. 3]. Onji by DOI [@doi:10.1136/gut.28.12.1648] and key [@onji1987].\n\n"
        "Retracted [@pmid:20000001].\n\n::: {#refs}\n:::\n",
    )
    site.config({"findings": {"uncited_entry": "ignore"}})
    return site


def test_the_identifiers_file_answers_without_network(frozen_site):
    before = (frozen_site.root / "references.identifiers.json").read_bytes()
    frozen_site.build()
    html = frozen_site.html()
    assert 'class="citation-unresolved"' not in html
    assert html.count('<li id="ref-') == 4  # the DOI twice and onji1987 by DOI are one source each
    assert html.count('href="#ref-onji1987"') == 2
    assert "Breast Cancer Trials Consortium" in html and "Fantastic Mr. Fox" in html
    assert html.count("reference-retracted") == 1
    assert (frozen_site.root / "references.identifiers.json").read_bytes() == before
    data = json.loads((frozen_site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    keys = {source["key"] for source in data["sources"] if source.get("cited_by") or source.get("cited_on")}
    assert {"doi:10.1200/jco.1999.17.7.2105", "isbn:9780140328721", "onji1987"} <= keys
    kinds = [(f["kind"], f.get("file"), f.get("line")) for f in data["findings"]]
    assert ("retracted_source", "references.identifiers.json", 45) in kinds  # the line of its item
    assert not [k for k in kinds if k[0] in ("unknown_identifier", "unknown_key")]


def test_author_year_citations_by_identifier(frozen_site):
    frozen_site.config({"citation_mode": "author-year", "findings": {"uncited_entry": "ignore"}})
    frozen_site.build()
    html = frozen_site.html()
    assert "Müller" in html and "1999" in html and "Dahl" in html


def test_unknown_and_malformed_identifiers_offline(site):
    site.bib(BIB)
    site.page("index.md", "# A\n\nNot frozen [@doi:10.1000/elsewhere].\n\nMalformed [@doi:foo; @onji1987].\n")
    site.config()
    site.build()
    html = site.html()
    assert "@doi:10.1000/elsewhere?" in html and "@doi:foo?" in html
    data = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    found = sorted((f["kind"], f["page"], f["line"]) for f in data["findings"] if f.get("page"))
    assert found == [("invalid_identifier", "index.md", 5), ("unknown_identifier", "index.md", 3)]
    message = next(f["message"] for f in data["findings"] if f["kind"] == "unknown_identifier")
    assert "references.identifiers.json" in message and "online checks are off" in message
    assert not (site.root / "references.identifiers.json").exists()


def test_a_broken_identifiers_file_is_reported_and_never_overwritten(site):
    site.bib(BIB)
    site.write("references.identifiers.json", '[{"id": "doi:10.1000/x", "title": "T"},\n  {oops}]')
    site.page("index.md", "# A\n\n[@doi:10.1000/x]\n")
    site.config()
    site.build()
    data = json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    assert ("bib_syntax", "references.identifiers.json", 2) in [
        (f["kind"], f.get("file"), f.get("line")) for f in data["findings"]
    ]
    assert 'class="citation-unresolved"' not in site.html()  # what could be read is used


def test_the_check_command_resolves_identifiers_and_caches_pages_alike(frozen_site):
    frozen_site.page("b.md", "# B\n\nUnknown [@pmid:123456].\n")

    def check(*args):
        result = subprocess.run(
            [COMMAND, "check", "--offline", "--format", "json", *args],
            cwd=frozen_site.root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        data = json.loads(result.stdout)
        return sorted((f["kind"], f.get("page") or f.get("file"), f.get("line")) for f in data["findings"]), sorted(
            s["key"] for s in data["sources"]
        )

    fresh = check("--no-cache")
    assert ("unknown_identifier", "docs/b.md", 3) in fresh[0] or ("unknown_identifier", "b.md", 3) in fresh[0]
    assert "doi:10.1200/jco.1999.17.7.2105" in fresh[1]
    assert check() == fresh and check() == fresh  # cold, then from the page results


def test_claims_resting_on_identifiers_have_their_sources(frozen_site):
    frozen_site.page(
        "claims.md",
        "# Claims\n\n[The trial was stopped]{.claim #stopped verdict=supported}"
        " [@{https://doi.org/10.1200/JCO.1999.17.7.2105}; @doi:10.1136/GUT.28.12.1648].\n\n[A book says so]{.claim"
        " #book verdict=supported} [@isbn:978-0-14-032872-1].\n",
    )
    frozen_site.build()
    data = json.loads((frozen_site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    claims = {claim["id"]: claim for claim in data["claims"]}
    assert claims["stopped"]["cites"] == ["doi:10.1200/jco.1999.17.7.2105", "onji1987"]
    assert claims["book"]["cites"] == ["isbn:9780140328721"]
    sources = {source["key"]: source for source in data["sources"]}
    assert sources["onji1987"]["cited_by"] == ["stopped"] and sources["isbn:9780140328721"]["cited_by"] == ["book"]
    assert not [f for f in data["findings"] if f["kind"].startswith("claim_")]
    html = frozen_site.html("claims/index.html")
    assert "source not found" not in html and "ClaimReview" in html


def test_plain_python_markdown_reads_the_identifiers_file(tmp_path, monkeypatch):
    import markdown

    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "references.identifiers.json").write_text(json.dumps(FROZEN), encoding="utf-8")
    md = markdown.Markdown(
        extensions=["mkdocs_factcheck"], extension_configs={"mkdocs_factcheck": {"bibliography": "references.bib"}}
    )
    html = md.convert(
        "By DOI [@doi:10.1200/JCO.1999.17.7.2105], by ISBN [@isbn:978-0-14-032872-1] and"
        " [@doi:10.1136/gut.28.12.1648].\n"
    )
    assert 'class="citation-unresolved"' not in html  # (the inline styles name the class)
    assert "Breast Cancer Trials Consortium" in html and "Fantastic Mr. Fox" in html and 'href="#ref-onji1987"' in html


def test_records_of_odd_shapes_give_items_not_tracebacks():
    from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography

    odd = {
        "DOI": 5,
        "title": 12,
        "author": {"family": "X"},
        "editor": [None, {"given": ""}],
        "issued": "soon",
        "updated-by": {"type": "retraction"},
        "relation": ["x"],
        "page": None,
    }
    item = csl_from_doi(odd, "10.1000/odd")
    entry = csl_bibliography.to_entry("doi:10.1000/odd", item)
    assert entry.fields["doi"] == "10.1000/odd" and "author" not in entry.fields
    summary = csl_from_summary(
        {"uid": "1", "authors": ["Smith A", {"name": 7}], "title": None, "pubdate": "1999", "references": "none"},
        "pmid",
        "1",
    )
    assert csl_bibliography.to_entry("pmid:1", summary).fields["year"] == "1999"
    book = csl_from_openlibrary(
        {"authors": "Plato", "publishers": [{"name": None}], "publish_date": 1988}, "9780140328721"
    )
    assert csl_bibliography.to_entry("isbn:9780140328721", book).fields["year"] == "1988"


def test_csl_styles_format_identifier_citations_as_entries(frozen_site):
    frozen_site.config({"style": "ieee", "findings": {"uncited_entry": "ignore"}})
    frozen_site.build()
    html = frozen_site.html()
    assert 'class="citation-unresolved"' not in html
    assert html.count('<li id="ref-') == 4  # one number per source, whichever way it is cited
    assert "J. Müller and Breast Cancer Trials Consortium" in html and "R. Dahl" in html


def test_a_bare_doi_address_as_key(frozen_site):
    frozen_site.page(
        "bare.md",
        "# Bare\n\nAs @https://doi.org/10.1200/JCO.1999.17.7.2105 found"
        " [-@https://dx.doi.org/10.1200/jco.1999.17.7.2105, p. 2].\n",
    )
    frozen_site.build()
    html = frozen_site.html("bare/index.html")
    assert 'class="citation-unresolved"' not in html
    assert html.count('href="#ref-doi:10.1200_2fjco.1999.17.7.2105"') == 2


def test_a_rebuild_on_the_same_bibliography_starts_without_the_last_builds_identifiers(tmp_path):
    """`mkdocs serve` keeps the parsed bibliography across rebuilds: what a run added to it goes."""
    from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
    from mkdocs_factcheck.core.settings import settings_from
    from mkdocs_factcheck.core.site import SiteRun

    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "references.identifiers.json").write_text(json.dumps(FROZEN), encoding="utf-8")
    cache = BibliographyCache()

    def run(text: str) -> SiteRun:
        site_run = SiteRun(
            settings_from({"online": {"enabled": False}}), tmp_path, logger=None, bibliography_cache=cache
        )
        site_run.start([text])
        return site_run

    first = run("[@doi:10.1200/JCO.1999.17.7.2105] and [@doi:10.1136/GUT.28.12.1648]")
    page = first.engine.start_page("a.md", "")
    for found in find_citations("[@doi:10.1200/JCO.1999.17.7.2105] and [@doi:10.1136/GUT.28.12.1648]"):
        first.engine.resolve(page, found.group)
    bibliography = first.engine.bibliography
    assert (
        "doi:10.1200/jco.1999.17.7.2105" in bibliography
        and bibliography.get("doi:10.1136/GUT.28.12.1648").key == "onji1987"
    )
    first.close()
    second = run("No citations now.")
    assert second.engine.bibliography is bibliography  # the same parsed files
    assert "doi:10.1200/jco.1999.17.7.2105" not in bibliography and "doi:10.1136/gut.28.12.1648" not in bibliography
    assert len(bibliography) == 1
    second.close()


def test_markup_in_a_record_reaches_the_page_escaped(site):
    site.bib(BIB)
    # As a hand edit could leave it (a fetched title loses tags other than i, b, sup and sub).
    item = {
        "id": "doi:10.1000/x",
        "type": "article-journal",
        "title": "p < 0.05 & <script>alert(1)</script> <i>in vivo</i>",
        "URL": "javascript:alert(2)",
    }
    site.write("references.identifiers.json", json.dumps([item]))
    site.page("index.md", "# A\n\n[@doi:10.1000/x]\n")
    site.config()
    site.build()
    html = site.html()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html  # only http(s) addresses become links
    assert "p &lt; 0.05 &amp;" in html and "<i>in vivo</i>" in html


def test_the_check_command_reads_an_edited_identifiers_file_again(frozen_site):
    """The identifiers file is part of what the check command's page results depend on: a record added
    by hand resolves the page's identifier on the next run, cache or not."""
    frozen_site.page("b.md", "# B\n\nUnknown [@pmid:123456].\n")

    def kinds():
        result = subprocess.run(
            [COMMAND, "check", "--offline", "--format", "json"],
            cwd=frozen_site.root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return {finding["kind"] for finding in json.loads(result.stdout)["findings"]}

    assert "unknown_identifier" in kinds()
    path = frozen_site.root / "references.identifiers.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    items.append(
        {
            "id": "pmid:123456",
            "type": "article-journal",
            "title": "Added by hand",
            "author": [{"family": "Hand", "given": "A."}],
            "issued": {"date-parts": [[2001]]},
            "PMID": "123456",
        }
    )
    path.write_text(json.dumps(items), encoding="utf-8")
    assert "unknown_identifier" not in kinds()


def test_the_extension_takes_the_identifiers_file_option(tmp_path, monkeypatch):
    import markdown

    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "records.json").write_text(json.dumps(FROZEN), encoding="utf-8")
    md = markdown.Markdown(
        extensions=["mkdocs_factcheck"],
        extension_configs={"mkdocs_factcheck": {"bibliography": "references.bib", "identifiers_file": "records.json"}},
    )
    html = md.convert("By ISBN [@isbn:978-0-14-032872-1].\n")
    assert "Fantastic Mr. Fox" in html and 'class="citation-unresolved"' not in html
