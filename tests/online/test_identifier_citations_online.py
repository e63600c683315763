"""Citations by identifier (`[@doi:...]`, `@pmid:`, `@pmcid:`, `@isbn:`) in real builds against local
services on 127.0.0.1 answering in the real services' shapes: DOI content negotiation (a redirect to
the agency's CSL-JSON), E-utilities esummary, Open Library's books API."""

from __future__ import annotations

import json
import re
import time

import pytest
from identifier_fakes import BIB, ISBN, IdentifierServices, online_settings
from werkzeug import Response

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)


@pytest.fixture
def fake(services):
    return IdentifierServices(services)


def configure(site, services, **online):
    settings = online_settings(services)
    site.config({"online": {**settings, **online}, "findings": {"uncited_entry": "ignore"}})


def findings(site) -> list[dict]:
    return json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))["findings"]


def frozen(site) -> list[dict]:
    return json.loads((site.root / "references.identifiers.json").read_text(encoding="utf-8"))


PAGE = """
# Article

Cited by DOI [@doi:10.1200/JCO.1999.17.7.2105, p. 3].

By PubMed id @pmid:10561265 and PMC id [-@pmcid:PMC2275327].

A book [see @isbn:978-0-14-032872-1].

The same DOI as an address [@{https://doi.org/10.1200/jco.1999.17.7.2105}].

An entry of references.bib by its DOI [@doi:10.1136/GUT.28.12.1648] and by key [@onji1987].

::: {#refs}
:::
"""


@pytest.fixture
def article(site, fake, services):
    site.bib(BIB)
    site.page("index.md", PAGE)
    configure(site, services)
    return site


def references(html: str) -> list[str]:
    block = html[html.index('class="references') :]
    return re.findall(r'<li id="(ref-[^"]+)"', block)


def test_every_kind_of_identifier_resolves_and_is_frozen(article, fake):
    article.build()
    html = article.html()
    assert 'class="citation-unresolved"' not in html
    refs = references(html)
    # One source, one number: the DOI cited twice (as doi: and as an address) and the DOI of onji1987.
    assert len(refs) == len(set(refs)) == 5
    assert "ref-onji1987" in refs
    assert html.count('href="#ref-onji1987"') == 2
    text = re.sub(r"<[^>]+>", "", html)
    assert "Müller" in text and "Breast Cancer Trials Consortium" in text and "The ABC Study Group" in text
    assert "<i>BRCA1</i>" in html or "<em>BRCA1</em>" in html
    assert "Ca<sup>2+</sup>" in html and "&amp; tamoxifen" in html
    assert "mml:" not in html and "Puffin" in html and "Fantastic Mr. Fox" in html
    assert "Tamoxifen after surgery" in text and "Oncology Group" in text
    items = {item["id"]: item for item in frozen(article)}
    assert sorted(items) == ["doi:10.1200/jco.1999.17.7.2105", f"isbn:{ISBN}", "pmcid:PMC2275327", "pmid:10561265"]
    assert (
        "reference" not in items["doi:10.1200/jco.1999.17.7.2105"]
        and "license" not in items["doi:10.1200/jco.1999.17.7.2105"]
    )
    assert items["pmcid:PMC2275327"]["DOI"] == "10.1186/1741-7007-6-12"
    accept = [h.get("Accept", "") for h in fake.base.headers]
    assert "application/vnd.citationstyles.csl+json" in accept
    assert not [
        f for f in findings(article) if f["kind"] in ("unknown_identifier", "unknown_key", "invalid_identifier")
    ]


def test_the_frozen_file_makes_an_offline_build_identical(article, fake, services):
    article.build()
    online_html = article.html()
    written = (article.root / "references.identifiers.json").read_bytes()
    before = len(fake.base.requests)
    article.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    article.build()
    assert article.html() == online_html
    assert len(fake.base.requests) == before  # nothing asked
    assert (article.root / "references.identifiers.json").read_bytes() == written  # not rewritten
    assert not [f for f in findings(article) if f["kind"] in ("unknown_identifier", "unknown_key")]


def test_a_second_online_build_fetches_nothing_again(article, fake):
    article.build()
    first = article.html()
    asked = [fake.count(prefix) for prefix in ("/doi/10.", "/agency/", "/openlibrary/")]
    assert asked == [1, 1, 1]  # the DOI cited twice (two ways) is asked for once
    (article.root / "references.identifiers.json").unlink()  # even without the file, the cache answers
    article.build()
    assert [fake.count(prefix) for prefix in ("/doi/10.", "/agency/", "/openlibrary/")] == asked
    assert article.html() == first


def test_a_hand_edit_wins_over_the_service(article, fake):
    article.build()
    path = article.root / "references.identifiers.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        if item["id"] == f"isbn:{ISBN}":
            item["title"] = "Fantastic Mr Fox (edited by hand)"
            item["id"] = "isbn:978-0-14-032872-1"  # written as people write it
    items.append({"id": "pmid:10561265", "title": "A second item for one id", "note": "kept"})
    path.write_text(json.dumps(items[::-1], indent=1), encoding="utf-8")
    edited = path.read_bytes()
    article.page("other.md", "# Other\n\nA new one [@pmid:20000001].\n")
    article.build()
    assert "Fantastic Mr Fox (edited by hand)" in article.html()
    written = frozen(article)
    kept = {item["id"]: item for item in written}
    assert kept["isbn:978-0-14-032872-1"]["title"] == "Fantastic Mr Fox (edited by hand)"
    assert "pmid:20000001" in kept  # the new one was added, the file kept sorted
    ids = [item["id"] for item in written]
    assert ids == sorted(ids, key=str.lower) and len(ids) == 6  # every item kept, the repeated one too
    assert path.read_bytes() != edited
    assert ("duplicate_key", "references.identifiers.json") in [(f["kind"], f.get("file")) for f in findings(article)]


def test_retraction_notices_are_kept_and_shown_offline_too(site, fake, services):
    site.bib(BIB)
    site.page("index.md", "# A\n\nRetracted [@doi:10.1000/retracted] and [@pmid:20000001].\n\n::: {#refs}\n:::\n")
    configure(site, services)
    site.build()
    items = {item["id"]: item for item in frozen(site)}
    assert items["doi:10.1000/retracted"]["factcheck-notices"][0]["type"] == "retraction"
    assert items["pmid:20000001"]["factcheck-notices"][0]["type"] == "retraction"
    site.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    site.build()
    html = site.html()
    assert html.count("reference-retracted") == 2
    kinds = [(f["kind"], f.get("file")) for f in findings(site)]
    assert kinds.count(("retracted_source", "references.identifiers.json")) == 2


def test_unresolvable_and_malformed_identifiers(site, fake, services):
    site.bib(BIB)
    site.page(
        "index.md",
        "# A\n\nUnknown DOI [@doi:10.9999/nothing].\n\nUnknown PMID @pmid:99999999.\n\n"
        "Bad [@doi:foo] and [@pmid:12a] and [@isbn:978-0-14-032872-2].\n\nUnknown book [@isbn:9780306406157].\n",
    )
    configure(site, services)
    site.build()
    html = site.html()
    for key in (
        "doi:10.9999/nothing",
        "pmid:99999999",
        "doi:foo",
        "pmid:12a",
        "isbn:978-0-14-032872-2",
        "isbn:9780306406157",
    ):
        assert f"@{key}?" in html
    found = [
        (f["kind"], f["page"], f["line"], f["message"])
        for f in findings(site)
        if f["kind"] in ("unknown_identifier", "invalid_identifier", "unknown_key")
    ]
    unknown = {line: message for kind, _, line, message in found if kind == "unknown_identifier"}
    assert "DOI resolver does not know it (HTTP 404)" in unknown[3]
    assert "no pubmed record" in unknown[5]
    assert "Open Library has no record" in unknown[9]
    invalid = sorted(
        message
        for kind, page, line, message in found
        if kind == "invalid_identifier" and (page, line) == ("index.md", 7)
    )
    assert (
        len(invalid) == 3 and "10.NNNN/suffix" in invalid[0] and "check digit" in invalid[1] and "'12a'" in invalid[2]
    )
    assert len(found) == 6  # no unknown_key besides
    paths = [p for _, _, p, _ in fake.base.requests]
    assert not [p for p in paths if "foo" in p] and not any("12a" in str(a) for _, _, _, a in fake.base.requests)
    assert not (site.root / "references.identifiers.json").exists()


def test_no_network_no_file_the_identifier_stays_unresolved(site, fake, services, closed_port):
    site.bib(BIB)
    site.page("index.md", "# A\n\nBy DOI [@doi:10.1200/JCO.1999.17.7.2105].\n")
    configure(site, services, doi_resolver=f"http://127.0.0.1:{closed_port}", retries=0)
    site.build()
    assert "@doi:10.1200/JCO.1999.17.7.2105?" in site.html()
    messages = [f["message"] for f in findings(site) if f["kind"] == "unknown_identifier"]
    assert messages and "connection refused" in messages[0]


def test_a_hanging_service_cannot_hold_the_build_past_the_deadline(site, fake, services):
    services.routes["/doi/10.1000/slow"] = services.hang
    site.bib(BIB)
    site.page("index.md", "# A\n\nSlow [@doi:10.1000/slow].\n")
    configure(site, services, timeout=300, deadline=1, retries=0)
    started = time.monotonic()
    site.build()
    # The deadline (1 s) ends the wait, not the timeout (300 s): a bound far from both, so that a busy
    # machine cannot make the test fail.
    assert time.monotonic() - started < 100
    assert "@doi:10.1000/slow?" in site.html()
    message = next(f["message"] for f in findings(site) if f["kind"] == "unknown_identifier")
    assert "deadline" in message or "timeout" in message


def test_pubmed_ids_of_the_site_are_fetched_in_one_request(site, fake, services):
    site.bib(BIB)
    site.page("a.md", "# A\n\n[@pmid:10561265]\n")
    site.page("b.md", "# B\n\n[@pmid:20000001] and `[@pmid:99999999]` in code, never cited.\n")
    configure(site, services)
    site.build()
    asked = [
        args["id"]
        for _, _, path, args in fake.base.requests
        if path == "/eutils/esummary.fcgi" and args.get("db") == "pubmed"
    ]
    assert sorted(asked[0].split(",")) == ["10561265", "20000001", "99999999"]  # prefetched together, code included
    assert sorted(item["id"] for item in frozen(site)) == [
        "pmid:10561265",
        "pmid:20000001",
    ]  # only what is cited is frozen


def test_author_year_labels_of_fetched_records_match_the_offline_build(article, services):
    configure(article, services)
    article.config(
        {"online": online_settings(services), "citation_mode": "author-year", "findings": {"uncited_entry": "ignore"}}
    )
    article.build()
    online_html = article.html()
    assert "Müller et al." in online_html or "Müller and" in online_html
    assert "n.d." not in online_html and "1999" in online_html
    article.config(
        {"online": {"enabled": False}, "citation_mode": "author-year", "findings": {"uncited_entry": "ignore"}}
    )
    article.build()
    assert article.html() == online_html


def test_a_record_carrying_the_doi_of_an_entry_is_that_entry(site, fake, services):
    fake.pubmed["55555555"] = {
        "uid": "55555555",
        "title": "Interleukin 2 and hepatitis B",
        "articleids": [{"idtype": "pubmed", "value": "55555555"}, {"idtype": "doi", "value": "10.1136/GUT.28.12.1648"}],
    }
    site.bib(BIB)
    site.page("index.md", "# A\n\nBy PMID [@pmid:55555555] and by key [@onji1987].\n\n::: {#refs}\n:::\n")
    configure(site, services)
    site.build()
    html = site.html()
    assert html.count('<li id="ref-') == 1 and html.count('href="#ref-onji1987"') == 2
    site.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    site.build()
    assert site.html() == html  # the frozen record still names the entry


def test_a_garbled_reply_is_the_service_failing_and_is_not_kept(site, fake, services):
    services.routes["/doi/10.1000/garbled"] = Response(
        "{not json", 200, content_type="application/vnd.citationstyles.csl+json"
    )
    site.bib(BIB)
    site.page("index.md", "# A\n\n[@doi:10.1000/garbled]\n")
    configure(site, services)
    site.build()
    message = next(f["message"] for f in findings(site) if f["kind"] == "unknown_identifier")
    assert "malformed JSON" in message
    assert not (site.root / "references.identifiers.json").exists()
    site.build()  # not cached: asked again
    assert fake.count("/doi/10.1000/garbled") == 2


def test_a_site_citing_no_identifier_asks_nothing_and_writes_no_file(site, fake, services):
    site.bib(BIB)
    site.page(
        "index.md",
        "# A\n\n[@onji1987], and `@doi:10.1200/JCO.1999.17.7.2105` only in code... which is fetched, never frozen.\n",
    )
    configure(site, services)
    site.build()
    assert not (site.root / "references.identifiers.json").exists()
    site.page("index.md", "# A\n\n[@onji1987] only.\n")
    before = fake.count("/doi/10.") + fake.count("/openlibrary/")
    site.build()
    assert fake.count("/doi/10.") + fake.count("/openlibrary/") == before
    assert not (site.root / "references.identifiers.json").exists()
