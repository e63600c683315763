"""Citations by identifier (`[@doi:...]`, `@pmid:`, `@pmcid:`, `@isbn:`) in real builds against local
services on 127.0.0.1 answering in the real services' shapes: DOI content negotiation (a redirect to
the agency's CSL-JSON), E-utilities esummary, Open Library's books API."""

from __future__ import annotations

import json
import re

import pytest
from online_fakes import json_reply
from werkzeug import Request, Response

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

BIB = r"""
@article{onji1987,
  author  = {Onji, M. and Kondoh, H. and Horiike, N.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B}},
  journal = {Gut},
  year    = {1987},
  doi     = {10.1136/gut.28.12.1648},
  pmid    = {3501387}
}
"""

# What Crossref's content negotiation returns (trimmed): HTML and MathML in the title, a consortium
# author, a reference list and licences the identifiers file does not keep.
CSL_RECORD = {
    "indexed": {"date-parts": [[2024, 1, 5]]},
    "reference-count": 2,
    "publisher": "American Society of Clinical Oncology (ASCO)",
    "issue": "7",
    "license": [{"URL": "https://example.org/licence"}],
    "DOI": "10.1200/JCO.1999.17.7.2105",
    "type": "article-journal",
    "page": "2105-2105",
    "source": "Crossref",
    "title": "Response of <i>BRCA1</i> carriers to <mml:math xmlns:mml=\"http://www.w3.org/1998/Math/MathML\"><mml:msup><mml:mi>Ca</mml:mi><mml:mn>2+</mml:mn></mml:msup></mml:math> &amp; tamoxifen",
    "volume": "17",
    "author": [
        {"given": "Jane", "family": "Müller", "sequence": "first", "affiliation": []},
        {"name": "Breast Cancer Trials Consortium", "sequence": "additional", "affiliation": []},
        {"literal": "The ABC Study Group"},
    ],
    "container-title": "Journal of Clinical Oncology",
    "reference": [{"key": "ref1", "unstructured": "Something else"}],
    "issued": {"date-parts": [[1999, 7]]},
    "URL": "http://dx.doi.org/10.1200/JCO.1999.17.7.2105",
}
RETRACTED_RECORD = {
    "DOI": "10.1000/retracted",
    "type": "article-journal",
    "title": "A retracted study",
    "author": [{"given": "A.", "family": "Fraud"}],
    "container-title": "Journal of Tests",
    "issued": {"date-parts": [[2001]]},
    "updated-by": [{"DOI": "10.1000/notice", "type": "retraction", "label": "Retraction", "updated": {"date-parts": [[2005, 1, 1]]}}],
}
# esummary (db=pubmed): fields left out freely, a collective author.
SUMMARY = {
    "uid": "10561265",
    "pubdate": "1999 Jul",
    "source": "J Clin Oncol",
    "authors": [{"name": "Smith AB", "authtype": "Author"}, {"name": "Oncology Group", "authtype": "CollectiveName"}],
    "title": "Tamoxifen after surgery.",
    "pubtype": ["Journal Article"],
    "articleids": [{"idtype": "pubmed", "value": "10561265"}],
}
RETRACTED_SUMMARY = {
    "uid": "20000001",
    "pubdate": "2002",
    "title": "A retracted trial",
    "pubtype": ["Journal Article", "Retracted Publication"],
    "articleids": [{"idtype": "pubmed", "value": "20000001"}],
}
PMC_SUMMARY = {
    "uid": "2275327",
    "pubdate": "2008 Mar 3",
    "source": "BMC Biol",
    "authors": [{"name": "Jones CD", "authtype": "Author"}],
    "title": "An open article",
    "articleids": [{"idtype": "pmid", "value": "18315853"}, {"idtype": "doi", "value": "10.1186/1741-7007-6-12"}, {"idtype": "pmcid", "value": "PMC2275327"}],
}
BOOK = {
    "url": "https://openlibrary.org/books/OL7353617M/Fantastic_Mr._Fox",
    "title": "Fantastic Mr. Fox",
    "authors": [{"url": "https://openlibrary.org/authors/OL34184A/Roald_Dahl", "name": "Roald Dahl"}],
    "publishers": [{"name": "Puffin"}],
    "publish_places": [{"name": "New York"}],
    "publish_date": "October 1, 1988",
    "number_of_pages": 96,
}
ISBN = "9780140328721"


class Services:
    """The DOI resolver's content negotiation (302 to the agency), esummary and Open Library."""

    def __init__(self, services):
        self.base = services
        self.csl = {"10.1200/jco.1999.17.7.2105": CSL_RECORD, "10.1000/retracted": RETRACTED_RECORD}
        self.pubmed = {"10561265": SUMMARY, "20000001": RETRACTED_SUMMARY}
        self.pmc = {"2275327": PMC_SUMMARY}
        self.books = {ISBN: BOOK}
        services.routes.update({"/eutils/esummary.fcgi": self.esummary, "/openlibrary/api/books": self.openlibrary})
        self.resolver_routes = services
        services.server.clear()
        services.server.expect_request(re.compile(".*")).respond_with_handler(self.dispatch)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(("/doi/10.", "/agency/")):
            with self.base.lock:
                self.base.requests.append((0.0, request.method, request.path, dict(request.args)))
                self.base.headers.append(dict(request.headers))
        if request.path.startswith("/agency/"):
            return json_reply(self.csl[request.path[len("/agency/") :]], headers={"Content-Type": "application/vnd.citationstyles.csl+json"})
        if request.path.startswith("/doi/10."):
            doi = request.path[len("/doi/") :].lower()
            if doi not in self.csl:
                return Response("<html>DOI Not Found</html>", 404, content_type="text/html")
            if "citationstyles" not in request.headers.get("Accept", ""):
                return Response("", 302, headers={"Location": "https://publisher.invalid/"})
            return Response("", 302, headers={"Location": self.base.url(f"/agency/{doi}")})
        return self.base.dispatch(request)

    def esummary(self, request: Request) -> Response:
        db = self.pubmed if request.args.get("db") == "pubmed" else self.pmc
        ids = request.args.get("id", "").split(",")
        result: dict = {"uids": [i for i in ids if i in db]}
        for uid in ids:
            result[uid] = db[uid] if uid in db else {"uid": uid, "error": "cannot get document summary"}
        return json_reply({"header": {"type": "esummary", "version": "0.3"}, "result": result})

    def openlibrary(self, request: Request) -> Response:
        key = request.args.get("bibkeys", "")
        isbn = key.removeprefix("ISBN:")
        assert request.args.get("format") == "json" and request.args.get("jscmd") == "data"
        return json_reply({key: self.books[isbn]} if isbn in self.books else {})

    def count(self, prefix: str) -> int:
        return self.base.count(prefix)


@pytest.fixture
def fake(services):
    return Services(services)


def configure(site, services, **online):
    settings = {k: v for k, v in services.settings.items() if k != "mailto"}
    settings["isbn_api"] = services.url("/openlibrary")
    site.config({"online": {**settings, "cache_dir": ".cache/factcheck", "check_urls": False, **online}, "findings": {"uncited_entry": "ignore"}})


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
    assert "citation-unresolved" not in html
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
    assert "reference" not in items["doi:10.1200/jco.1999.17.7.2105"] and "license" not in items["doi:10.1200/jco.1999.17.7.2105"]
    assert items["pmcid:PMC2275327"]["DOI"] == "10.1186/1741-7007-6-12"
    accept = [h.get("Accept", "") for h in fake.base.headers]
    assert "application/vnd.citationstyles.csl+json" in accept
    assert not [f for f in findings(article) if f["kind"] in ("unknown_identifier", "unknown_key", "invalid_identifier")]


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
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    edited = path.read_bytes()
    article.page("other.md", "# Other\n\nA new one [@pmid:20000001].\n")
    article.build()
    assert "Fantastic Mr Fox (edited by hand)" in article.html()
    kept = {item["id"]: item for item in frozen(article)}
    assert kept[f"isbn:{ISBN}"]["title"] == "Fantastic Mr Fox (edited by hand)"
    assert "pmid:20000001" in kept  # the new one was added, the file kept sorted
    assert list(kept) == sorted(kept, key=str.lower)
    assert path.read_bytes() != edited


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
    for key in ("doi:10.9999/nothing", "pmid:99999999", "doi:foo", "pmid:12a", "isbn:978-0-14-032872-2", "isbn:9780306406157"):
        assert f"@{key}?" in html
    found = [(f["kind"], f["page"], f["line"], f["message"]) for f in findings(site) if f["kind"] in ("unknown_identifier", "invalid_identifier", "unknown_key")]
    unknown = {line: message for kind, _, line, message in found if kind == "unknown_identifier"}
    assert "DOI resolver does not know it (HTTP 404)" in unknown[3]
    assert "no pubmed record" in unknown[5]
    assert "Open Library has no record" in unknown[9]
    invalid = sorted(message for kind, page, line, message in found if kind == "invalid_identifier" and (page, line) == ("index.md", 7))
    assert len(invalid) == 3 and "10.NNNN/suffix" in invalid[0] and "check digit" in invalid[1] and "'12a'" in invalid[2]
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
