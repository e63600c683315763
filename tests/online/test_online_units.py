"""Small pieces: Crossref parsing, comparisons, marks and their escaping."""

from __future__ import annotations

from online_fakes import sources_from, work

from mkdocs_factcheck.core.checks.online.compare import mismatches, same_family, similar_titles
from mkdocs_factcheck.core.checks.online.doi import parse_work
from mkdocs_factcheck.core.checks.online.results import PLACEHOLDER, OnlineReport
from mkdocs_factcheck.core.claims.claim import Claim


def test_a_retracted_article_that_names_itself_in_update_to_is_retracted():
    update = {
        "updated": {"date-parts": [[2015, 1, 2]]},
        "DOI": "10.1000/Self",
        "type": "retraction",
        "label": "Retraction",
    }
    record = parse_work(work("10.1000/self", "T", 2010, "F", **{"update-to": [update]}), "10.1000/self")
    assert record["updates"][0]["about"] == "this" and record["updates"][0]["date"] == "2015-01-02"


def test_titles_and_names_compare_loosely_but_not_too_loosely():
    assert similar_titles(r"Effect of {IL-2} on \emph{T} cells", ["Effect of IL-2 on <i>T</i> cells."])
    assert similar_titles("Structure of interleukin-2", ["Structure of interleukin-2: a crystallographic study"])
    assert not similar_titles("Structure of interleukin-2", ["Clinical use of aldesleukin in melanoma"])
    assert same_family(r"M{\"u}ller", "Müller") and same_family("van der Berg", "Berg")
    assert not same_family("Smith", "Jones")


def test_mismatch_messages_show_both_values():
    (source,) = sources_from("@article{k, author={Smith, J}, title={Alpha}, year={2001}}")
    found = mismatches(source.entry, {"titles": ["Beta gamma delta"], "years": [1990], "family": "Jones"}, "the record")
    assert found == [
        "title 'Alpha' in the entry, 'Beta gamma delta' in the record",
        "year 2001 in the entry, 1990 in the record",
        "first author 'Smith' in the entry, 'Jones' in the record",
    ]


def test_marks_are_escaped_and_placeholders_filled():
    notice = {"type": "correction", "label": "<b>Correction</b>", "doi": '10.1/"x"', "date": "", "about": "this"}
    report = OnlineReport(by_key={"a&b": {"key": "a&b", "status": "verified", "notices": [notice]}})
    html = report.status_html("A&B")
    assert "<b>" not in html and "&lt;b&gt;Correction&lt;/b&gt;" in html and "&quot;x&quot;" in html
    page = "<li>" + PLACEHOLDER.format(key="a&amp;b") + "</li>"
    assert report.fill(page) == f"<li>{html}</li>"


def test_citations_of_retracted_sources_are_marked():
    report = OnlineReport(by_key={"bad": {"key": "Bad", "retracted": True, "notices": []}}, retracted={"bad"})
    html = (
        '<a class="citation-ref" href="#ref-Bad" id="cite-Bad-1">1</a> <a class="citation-ref" href="#ref-good"'
        ' id="c">2</a>'
    )
    filled = report.fill(html)
    assert filled.count("citation-retracted") == 1 and filled.index("citation-retracted") < filled.index("#ref-good")


def test_claim_resting_only_on_retracted_sources():
    report = OnlineReport(by_key={"bad": {}, "good": {}}, retracted={"bad"})
    claims = [
        Claim("only-bad", "x", "supported", "", "a.md", 3, ["Bad"]),
        Claim("mixed", "y", "supported", "", "a.md", 5, ["Bad", "good"]),
    ]
    (finding,) = report.claim_findings(claims)
    assert (finding.kind, finding.page, finding.line) == ("claim_rests_on_retracted", "a.md", 3)


def test_an_exhausted_rate_limit_pauses_the_host():
    import threading

    from mkdocs_factcheck.core.checks.online.limits import HostGate

    gate = HostGate(threading.BoundedSemaphore(1), spacing=0.0)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "5"}
    gate.learn(lambda name: headers.get(name, ""))
    assert 4 < gate.reserve() <= 5
    crossref = {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s"}
    gate.learn(lambda name: crossref.get(name, ""))
    assert gate.spacing == 0.02
