"""The checks themselves, through the verifier, against fake services on 127.0.0.1."""

from __future__ import annotations

from online_fakes import kinds, summary, verify, work
from werkzeug import Response

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

RETRACTED = """
@article{wakefield,
  author = {Wakefield, Andrew},
  title = {Ileal-lymphoid-nodular hyperplasia},
  journal = {Lancet}, year = {1998},
  doi = {10.1000/retracted}
}
"""


def test_retracted_doi(services, tmp_path):
    notice = {
        "updated": {"date-parts": [[2010, 2, 6]]},
        "DOI": "10.1000/notice",
        "type": "retraction",
        "source": "retraction-watch",
        "label": "Retraction",
    }
    services.works["10.1000/retracted"] = work(
        "10.1000/retracted", "Ileal-lymphoid-nodular hyperplasia", 1998, "Wakefield", **{"updated-by": [notice]}
    )
    report, _ = verify(services.settings, RETRACTED, tmp_path)
    assert report.retracted == {"wakefield"}
    finding = next(f for f in report.findings if f.kind == "retracted_source")
    assert (finding.file, finding.line) == ("references.bib", 2)
    assert "doi:10.1000/notice" in finding.message and "2010-02-06" in finding.message
    assert "Retracted" in report.status_html("Wakefield")
    data = report.by_key["wakefield"]
    assert data["status"] == "retracted"
    assert {c["check"]: c["outcome"] for c in data["checks"]} == {"doi": "found", "crossref": "found"}


def test_doi_with_a_correction_is_a_notice_not_a_retraction(services, tmp_path):
    correction = {
        "updated": {"date-parts": [[2021, 5, 1]]},
        "DOI": "10.1000/erratum",
        "type": "correction",
        "label": "Correction",
        "source": "publisher",
    }
    services.works["10.1000/corrected"] = work(
        "10.1000/corrected", "A corrected study", 2020, "Smith", **{"updated-by": [correction]}
    )
    bib = (
        "@article{smith, author={Smith, Jane}, title={A corrected study}, journal={J}, year={2020},"
        " doi={10.1000/corrected}}"
    )
    report, _ = verify(services.settings, bib, tmp_path)
    assert report.retracted == set()
    assert kinds(report) == ["source_notice"]
    assert "Correction doi:10.1000/erratum" in report.findings[0].message
    assert "reference-notice" in report.status_html("smith")


def test_a_retraction_notice_cited_as_a_source_is_itself_a_notice(services, tmp_path):
    update = {
        "updated": {"date-parts": [[2010, 2, 6]]},
        "DOI": "10.1000/original",
        "type": "retraction",
        "label": "Retraction",
    }
    services.works["10.1000/notice"] = work(
        "10.1000/notice", "Retraction notice", 2010, "Editors", **{"update-to": [update]}
    )
    bib = (
        "@article{notice, author={Editors, The}, title={Retraction notice}, journal={J}, year={2010},"
        " doi={10.1000/notice}}"
    )
    report, _ = verify(services.settings, bib, tmp_path)
    assert report.retracted == set()
    assert kinds(report) == ["source_notice"] and "about doi:10.1000/original" in report.findings[0].message


def test_doi_that_does_not_exist(services, tmp_path):
    bib = (
        "\n@article{ghost,\n  author={Nobody, A}, title={Nothing}, journal={J}, year={2020},\n "
        " doi={10.1000/does-not-exist}\n}\n"
    )
    report, _ = verify(services.settings, bib, tmp_path)
    assert kinds(report) == ["doi_not_found"]
    finding = report.findings[0]
    assert (finding.file, finding.line) == ("references.bib", 2)
    assert "10.1000/does-not-exist" in finding.message
    assert report.by_key["ghost"]["status"] == "problems"


def test_title_year_and_author_mismatch_show_both_values(services, tmp_path):
    services.works["10.1000/x"] = work("10.1000/x", "Interleukin-2 in <i>melanoma</i>: a trial", 1991, "Rosenberg")
    services.works["10.1000/y"] = work("10.1000/y", "Online first paper", 2021, 'M{\\"u}ller')
    bib = r"""
@article{wrong, author={Rozenbaum, Steven}, title={Interferon in leukaemia}, journal={J}, year={1987}, doi={10.1000/x}}
@article{online, author={M{\"u}ller, Hans}, title={Online First Paper}, journal={J}, year={2020}, doi={10.1000/y}}
"""
    services.works["10.1000/y"]["author"][0]["family"] = "Müller"
    report, _ = verify(services.settings, bib, tmp_path)
    messages = sorted(f.message for f in report.findings if f.kind == "metadata_mismatch")
    assert len(messages) == 3, messages
    assert any(
        "title 'Interferon in leukaemia' in the entry, 'Interleukin-2 in melanoma: a trial'" in m for m in messages
    )
    assert any("year 1987 in the entry, 1991" in m for m in messages)
    assert any("first author 'Rozenbaum' in the entry, 'Rosenberg'" in m for m in messages)
    assert all("wrong" in m for m in messages)  # a year off by one (online first) and LaTeX accents are fine


def test_pmid_that_does_not_exist_and_batching(services, tmp_path):
    services.pubmed["111"] = summary("111", "Known paper", 2019, doi="10.1000/known")
    services.pubmed["222"] = summary(
        "222", "Retracted paper", 2018, pubtypes=["Journal Article", "Retracted Publication"]
    )
    services.pubmed["333"] = summary("333", "Somebody else's paper", 2018, doi="10.1000/else")
    services.pmc["444"] = summary("444", "Known paper", 2019)
    services.handles.update({"10.1000/known", "10.1000/mine"})
    bib = """
@article{known, title={Known paper}, year={2019}, pmid={111}, pmcid={PMC444}, doi={10.1000/known}}
@article{missing, title={Missing paper}, year={2019}, pmid={999}}
@article{retracted, title={Retracted paper}, year={2018}, pmid={222}}
@article{confused, title={My paper}, year={2018}, pmid={333}, doi={10.1000/mine}}
@article{nopmc, title={No PMC paper}, year={2018}, pmcid={PMC555}}
"""
    report, _ = verify(services.settings, bib, tmp_path)
    found = {(f.kind, f.message.split("'")[1]) for f in report.findings}
    assert ("pmid_not_found", "missing") in found
    assert ("pmcid_not_found", "nopmc") in found
    assert ("retracted_source", "retracted") in found
    assert ("metadata_mismatch", "confused") in found  # another DOI and another title
    assert not any(name == "known" for _, name in found)
    summaries = [args for _, _, path, args in services.requests if path == "/eutils/esummary.fcgi"]
    assert len(summaries) == 2  # one request per database, many ids each
    pubmed_ids = next(a["id"] for a in summaries if a["db"] == "pubmed")
    assert sorted(pubmed_ids.split(",")) == ["111", "222", "333", "999"]
    assert next(a["id"] for a in summaries if a["db"] == "pmc") in ("444,555", "555,444")
    assert all(a["retmode"] == "json" and a["tool"] == "mkdocs-factcheck" for a in summaries)


def test_dead_url_permanent_redirect_and_head_refused(services, tmp_path):
    base = services.url("/web")
    services.routes["/web/moved"] = Response("", 301, headers={"Location": "/web/ok/new"})
    services.routes["/web/temporary"] = Response("", 302, headers={"Location": "/web/ok/login"})
    services.routes["/web/nohead"] = lambda request: (
        Response("", 405) if request.method == "HEAD" else Response("x" * 100_000, 200)
    )
    bib = f"""
@misc{{dead, title={{Dead}}, url={{{base}/gone}}}}
@misc{{moved, title={{Moved}}, url={{{base}/moved}}}}
@misc{{temporary, title={{Temporary}}, url={{{base}/temporary}}}}
@misc{{nohead, title={{No HEAD}}, url={{{base}/nohead}}}}
"""
    report, _ = verify(services.settings, bib, tmp_path)
    by_kind = {f.kind: f.message for f in report.findings}
    assert sorted(by_kind) == ["url_moved", "url_unreachable"]
    assert f"{base}/gone does not answer (HTTP 404)" in by_kind["url_unreachable"]
    assert f"moved permanently to {base}/ok/new" in by_kind["url_moved"]
    assert [m for _, m, p, _ in services.requests if p == "/web/nohead"] == ["HEAD", "GET"]


def test_redirect_loop(services, tmp_path):
    services.routes["/web/a"] = Response("", 302, headers={"Location": "/web/b"})
    services.routes["/web/b"] = Response("", 302, headers={"Location": "/web/a"})
    bib = f"@misc{{loop, title={{Loop}}, url={{{services.url('/web/a')}}}}}"
    report, _ = verify(services.settings, bib, tmp_path)
    assert kinds(report) == ["url_unreachable"]
    assert "redirect loop" in report.findings[0].message
    assert services.count("/web/") == 2


def test_user_agent_and_mailto_are_sent(services, tmp_path):
    services.works["10.1000/retracted"] = work(
        "10.1000/retracted", "Ileal-lymphoid-nodular hyperplasia", 1998, "Wakefield"
    )
    verify(services.settings, RETRACTED, tmp_path)
    crossref = [args for _, _, path, args in services.requests if path.startswith("/crossref/")]
    assert crossref == [{"mailto": "editors@example.org"}]
    assert all(h["User-Agent"] == "mkdocs-factcheck/test (mailto:editors@example.org)" for h in services.headers)


def test_doi_links_are_not_fetched_and_crossref_vouches_for_the_doi(services, tmp_path):
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.routes["/doi/api/handles/10.1000/a"] = Response("down", 503)
    bib = (
        "@article{a, author={Smith, J}, title={A study}, year={2020}, doi={10.1000/a}, url={https://doi.org/10.1000/a}}"
    )
    report, _ = verify({**services.settings, "retries": 0}, bib, tmp_path)
    assert kinds(report) == []
    assert report.by_key["a"]["status"] == "verified"
    assert [c["check"] for c in report.by_key["a"]["checks"]] == ["doi", "crossref"]  # no request to doi.org


def test_a_slow_website_alone_is_not_shown_to_readers(services, tmp_path):
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.routes["/web/slow"] = services.hang
    bib = (
        "@article{a, author={Smith, J}, title={A study}, year={2020}, doi={10.1000/a},"
        f" url={{{services.url('/web/slow')}}}}}"
    )
    report, _ = verify({**services.settings, "timeout": 0.3, "retries": 0}, bib, tmp_path)
    assert kinds(report) == ["service_unavailable"] and report.findings[0].message.startswith(
        "websites could not be reached (timeout)"
    )
    assert report.by_key["a"]["status"] == "partly unverified"
    assert report.status_html("a") == ""
