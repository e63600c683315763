"""Online checks of entries as real bibliographies write them: CSL-JSON items, BibLaTeX fields, LaTeX markup
in titles compared with Crossref's HTML and MathML, against fake services on 127.0.0.1."""

from __future__ import annotations

from online_fakes import work

from mkdocs_factcheck.core.bibliography.files import load
from mkdocs_factcheck.core.checks.online.verifier import OnlineVerifier

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)


def verify_sources(settings: dict, sources: list, cache_dir):
    """Submit `sources` (as the bibliography loader made them) to a fresh verifier; the report."""
    verifier = OnlineVerifier(settings, cache_dir, "mkdocs-factcheck/test (mailto:editors@example.org)", network=True)
    try:
        for source in sources:
            verifier.submit(source)
        return verifier.finish()
    finally:
        verifier.close()


BIB = r"""
@article{markup,
  author = {Rosenberg, Steven},
  title = {The \textit{Drosophila} {\em period} gene and $\sigma$-factors in H$_2$O},
  journaltitle = {J},
  date = {1991-03},
  doi = {https://doi.org/10.1000/markup}
}
"""

CSL = """[
  {"id": "csl", "type": "article-journal", "title": "Interleukin-2 in <i>melanoma</i>",
   "author": [{"family": "Müller", "given": "Hans"}], "container-title": "J",
   "issued": {"date-parts": [[2020]]}, "DOI": "10.1000/csl"},
  {"id": "cslwrong", "type": "article-journal", "title": "Interferon in leukaemia",
   "author": [{"family": "Rozenbaum", "given": "Steven"}], "container-title": "J",
   "issued": {"date-parts": [[1987]]}, "DOI": "10.1000/wrong"}
]
"""


def test_titles_with_markup_match_crossref_html_and_mathml_and_csl_items_are_checked(services, tmp_path):
    mathml = (
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>σ</mml:mi>'
        '<mml:annotation encoding="application/x-tex">\\sigma</mml:annotation></mml:math>'
    )
    services.works["10.1000/markup"] = work(
        "10.1000/markup",
        f"The <i>Drosophila</i> <i>period</i> gene and {mathml}-factors in H<sub>2</sub>O",
        1991,
        "Rosenberg",
    )
    services.works["10.1000/csl"] = work("10.1000/csl", "Interleukin-2 in <i>melanoma</i>", 2020, "Müller")
    services.works["10.1000/wrong"] = work("10.1000/wrong", "Interleukin-2 in melanoma: a trial", 1991, "Rosenberg")
    services.handles.update({"10.1000/markup", "10.1000/csl", "10.1000/wrong"})
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "refs.json").write_text(CSL, encoding="utf-8")
    bibliography = load([tmp_path / "refs.bib", tmp_path / "refs.json"], tmp_path)
    report = verify_sources(services.settings, list(bibliography.sources.values()), tmp_path / "cache")
    mismatches = sorted(f.message for f in report.findings if f.kind == "metadata_mismatch")
    assert all("cslwrong" in m for m in mismatches) and len(mismatches) == 3, mismatches
    assert any(
        "title 'Interferon in leukaemia' in the entry, 'Interleukin-2 in melanoma: a trial'" in m for m in mismatches
    )
    wrong = next(f for f in report.findings if f.kind == "metadata_mismatch")
    assert (wrong.file, wrong.line) == ("refs.json", 5)
    assert report.by_key["markup"]["status"] == "verified", report.by_key["markup"]
    assert report.by_key["csl"]["status"] == "verified", report.by_key["csl"]
