"""Local services for identifier citations, answering in the real services' shapes: DOI content
negotiation (a 302 to the agency's CSL-JSON, as doi.org answers), E-utilities esummary (JSON), Open
Library's books API; records shaped like real ones (HTML and MathML in titles, consortium authors,
missing fields)."""

from __future__ import annotations

import re

from online_fakes import json_reply
from werkzeug import Request, Response

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
    "title": (
        "Response of <i>BRCA1</i> carriers to <mml:math"
        ' xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msup><mml:mi>Ca</mml:mi><mml:mn>2+</mml:mn></mml:msup></mml:math>'
        " &amp; tamoxifen"
    ),
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
    "updated-by": [
        {
            "DOI": "10.1000/notice",
            "type": "retraction",
            "label": "Retraction",
            "updated": {"date-parts": [[2005, 1, 1]]},
        }
    ],
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
    "articleids": [
        {"idtype": "pmid", "value": "18315853"},
        {"idtype": "doi", "value": "10.1186/1741-7007-6-12"},
        {"idtype": "pmcid", "value": "PMC2275327"},
    ],
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


class IdentifierServices:
    """The DOI resolver's content negotiation (302 to the agency), esummary and Open Library."""

    def __init__(self, services):
        self.base = services
        self.csl = {"10.1200/jco.1999.17.7.2105": CSL_RECORD, "10.1000/retracted": RETRACTED_RECORD}
        # esummary is the online checks' fake (online_fakes.Services), holding these records too.
        self.pubmed = services.pubmed
        self.pubmed.update({"10561265": SUMMARY, "20000001": RETRACTED_SUMMARY})
        self.pmc = services.pmc
        self.pmc.update({"2275327": PMC_SUMMARY})
        self.books = {ISBN: BOOK}
        services.routes.update({"/openlibrary/api/books": self.openlibrary})
        self.resolver_routes = services
        services.server.clear()
        services.server.expect_request(re.compile(".*")).respond_with_handler(self.dispatch)

    def dispatch(self, request: Request) -> Response:
        if request.path in self.base.routes:  # a test's own answer (a hanging server, an error)
            return self.base.dispatch(request)
        if request.path.startswith(("/doi/10.", "/agency/")):
            with self.base.lock:
                self.base.requests.append((0.0, request.method, request.path, dict(request.args)))
                self.base.headers.append(dict(request.headers))
                self.base.raw_paths.append(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI", ""))
        if request.path.startswith("/agency/"):
            return json_reply(
                self.csl[request.path[len("/agency/") :]],
                headers={"Content-Type": "application/vnd.citationstyles.csl+json"},
            )
        if request.path.startswith("/doi/10."):
            doi = request.path[len("/doi/") :].lower()
            if doi not in self.csl:
                return Response("<html>DOI Not Found</html>", 404, content_type="text/html")
            if "citationstyles" not in request.headers.get("Accept", ""):
                return Response("", 302, headers={"Location": "https://publisher.invalid/"})
            return Response("", 302, headers={"Location": self.base.url(f"/agency/{doi}")})
        return self.base.dispatch(request)

    def openlibrary(self, request: Request) -> Response:
        key = request.args.get("bibkeys", "")
        isbn = key.removeprefix("ISBN:")
        assert request.args.get("format") == "json" and request.args.get("jscmd") == "data"
        return json_reply({key: self.books[isbn]} if isbn in self.books else {})

    def count(self, prefix: str) -> int:
        return self.base.count(prefix)


def online_settings(services) -> dict:
    """The online settings pointing every service, the ISBN one too, at the local server."""
    settings = {k: v for k, v in services.settings.items() if k != "mailto"}
    return {**settings, "isbn_api": services.url("/openlibrary"), "cache_dir": ".cache/factcheck", "check_urls": False}
