"""Metadata of a cited identifier (DOI, PubMed id, PMC id, ISBN) from the services the online checks
use, as one CSL-JSON item: what `identifier_citations` freezes into the site's identifiers file.

- DOIs: content negotiation at the DOI resolver (`Accept: application/vnd.citationstyles.csl+json`);
  the resolver redirects to the registration agency (Crossref, DataCite, mEDRA), whose CSL-JSON is read.
  Redirects are followed here (a few, http(s) only), not by the client.
- PubMed and PMC ids: E-utilities esummary (JSON), many ids per request.
- ISBNs: Open Library's books API (`/api/books?bibkeys=ISBN:...&format=json&jscmd=data`), which needs no
  key. It knows many books, not all; its records are entered by volunteers and often lack editors, an
  edition or a place: a record it lacks is "not found", and what it returns is worth a look.

Requests go through the online checks' client (politeness per host, retries, the deadline), their
thread pool and their SQLite cache (keys `metadata:doi:10.x/y`); nothing here imports a host.
"""

from __future__ import annotations

import concurrent.futures as cf
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from mkdocs_factcheck.core.bibliography.identifiers import DOI_RE
from mkdocs_factcheck.core.checks.online import pubmed
from mkdocs_factcheck.core.checks.online.doi import notices as doi_notices
from mkdocs_factcheck.core.checks.online.doi import path as doi_path
from mkdocs_factcheck.core.checks.online.doi import service_url
from mkdocs_factcheck.core.checks.online.http import Client, ServiceError
from mkdocs_factcheck.core.checks.online.outcome import FOUND, NOT_FOUND, UNVERIFIED
from mkdocs_factcheck.core.checks.online.plan import lifetime, online_option
from mkdocs_factcheck.core.checks.online.record_types import csl_type, pubmed_type
from mkdocs_factcheck.core.checks.online.title_markup import rich_text
from mkdocs_factcheck.core.checks.online.waiting import Waiting
from mkdocs_factcheck.core.checks.preprints import HAS_PREPRINT_FIELD, PREPRINT_FIELD, record_facts
from mkdocs_factcheck.core.field_text import MAX_TEXT, text_of
from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.core.printable import quoted as _quoted

log = logger("online")
CSL_ACCEPT = "application/vnd.citationstyles.csl+json"
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
CACHE_PREFIX = "metadata:"
WAIT_MARGIN = 0.5  # seconds past the deadline a waiting page allows the client to give up on its own
# The CSL variables kept in the identifiers file: what the bibliography styles and checks read. A
# record's reference list, licences and funders are left out (the file is meant to be read and edited).
KEPT = (
    "type", "title", "author", "editor", "container-title", "collection-title", "issued", "volume", "issue",
    "page", "publisher", "publisher-place", "edition", "number", "genre", "DOI", "PMID", "PMCID", "ISBN", "URL",
)  # fmt: skip
NOTICES_FIELD = "factcheck-notices"  # ours: retraction and correction notices the record carries
NOTICE_KEPT = (
    "type",
    "label",
    "doi",
    "date",
    "about",
)  # of a notice (readers see its DOI and date); its source is not kept
FROM_FIELD = "factcheck-fetched-from"  # ours: the service the item came from
# Crossref `relation` types that are notices about the work.
RELATIONS = {
    "is-retracted-by": ("retraction", "Retraction"),
    "has-retraction": ("retraction", "Retraction"),
    "is-corrected-by": ("correction", "Correction"),
    "has-correction": ("correction", "Correction"),
    "has-expression-of-concern": ("expression_of_concern", "Expression of concern"),
}


@dataclass
class Fetched:
    """What the service said about one identifier: a CSL item (found), or its answer (not found, failed)."""

    status: str  # found, not_found or unverified
    answer: str = ""
    item: dict = field(default_factory=dict)

    def stored(self) -> dict:
        return {"status": self.status, "answer": self.answer, "item": self.item}


class MetadataFetcher:
    """Fetches identifiers' records on the online checks' pool; `prefetch` starts work, `get` waits."""

    def __init__(self, verifier) -> None:
        self.verifier = verifier
        self.settings = verifier.settings
        self.client: Client = verifier.client
        self.cache = verifier.cache
        self.pool = verifier.pool
        self.network: bool = verifier.network
        self.futures: dict[str, cf.Future] = {}  # identifier key -> Future[Fetched]

    def prefetch(self, identifiers: list) -> None:
        """Start fetching (`CitedIdentifier`s); PubMed and PMC ids go in batched requests. Returns at once."""
        wanted = [identifier for identifier in identifiers if identifier.key not in self.futures]
        if not wanted:
            return
        self.verifier.start_clock()
        batches: dict[str, dict[str, cf.Future]] = {"pmid": {}, "pmcid": {}}
        for identifier in wanted:
            if identifier.scheme in batches:
                future: cf.Future = cf.Future()
                batches[identifier.scheme][identifier.value] = self.futures[identifier.key] = future
            else:
                lane = self.verifier.lane(identifier.scheme)
                self.futures[identifier.key] = self.pool.submit(
                    self._one, identifier.scheme, identifier.value, lane=lane
                )
        for scheme, futures in batches.items():
            for chunk in pubmed.in_batches(futures):
                self.pool.submit(self._batch, scheme, chunk, lane=self.verifier.lane(scheme))

    def get(self, identifier) -> Fetched:
        """The record, waiting for it no longer than the online deadline allows."""
        self.prefetch([identifier])
        future = self.futures[identifier.key]
        deadline = time.monotonic() + max(0.0, self.client.remaining())
        Waiting("identifier records", "record", deadline, self._left).wait([future], until=deadline + WAIT_MARGIN)
        try:
            return future.result(timeout=0)
        except cf.TimeoutError:
            return Fetched(UNVERIFIED, "no answer before the online deadline")
        except cf.CancelledError:
            return Fetched(UNVERIFIED, "the online checks were stopped")
        except Exception as error:  # a bug (or a record of a shape never seen) must not stop the build; it is shown
            log.warning("fetching %s failed: %s: %s", identifier.key, type(error).__name__, error)
            return Fetched(UNVERIFIED, f"internal error: {type(error).__name__}")

    def _left(self) -> tuple[int, int]:
        return sum(1 for future in self.futures.values() if not future.done()), len(self.futures)

    # ------------------------------------------------------------------ running (pool threads)

    def _cached(self, key: str) -> Fetched | None:
        hit = self.cache.get(CACHE_PREFIX + key)
        if hit is None:
            return None
        value, checked = hit
        status, answer, item = value.get("status"), value.get("answer", ""), value.get("item") or {}
        if status not in (FOUND, NOT_FOUND) or not isinstance(answer, str) or not isinstance(item, dict):
            return None  # not what this module writes: fetched again and overwritten
        if time.time() - checked >= lifetime(self.settings, status):
            return None
        return Fetched(status, answer, item)

    def _store(self, key: str, fetched: Fetched) -> None:
        self.cache.put(CACHE_PREFIX + key, fetched.stored(), lifetime(self.settings, fetched.status))

    def _one(self, scheme: str, value: str) -> Fetched:
        key = f"{scheme}:{value}"
        cached = self._cached(key)
        if cached is not None:
            return cached
        if not self.network:
            return Fetched(UNVERIFIED, "not fetched: online checks run from the cache only (mkdocs serve)")
        try:
            if scheme == "doi":
                fetched = fetch_doi(self.client, online_option(self.settings, "doi_resolver"), value)
            else:
                fetched = fetch_isbn(self.client, online_option(self.settings, "isbn_api"), value)
        except ServiceError as error:
            return Fetched(UNVERIFIED, error.reason)
        self._store(key, fetched)
        return fetched

    def _batch(self, scheme: str, futures: dict[str, cf.Future]) -> None:
        """Every future ends (see pubmed.run_batch), or a page would wait for the deadline."""

        def fetch(wanted: list[str]) -> dict[str, Fetched]:
            try:
                return fetch_summaries(
                    self.client,
                    online_option(self.settings, "eutils_api"),
                    scheme,
                    wanted,
                    online_option(self.settings, "mailto"),
                )
            except ServiceError as error:
                return {value: Fetched(UNVERIFIED, error.reason) for value in wanted}

        def store(value: str, fetched: Fetched) -> None:
            if fetched.status != UNVERIFIED:  # what could not be fetched is asked again next time
                self._store(f"{scheme}:{value}", fetched)

        offline = (
            None
            if self.network
            else Fetched(UNVERIFIED, "not fetched: online checks run from the cache only (mkdocs serve)")
        )
        pubmed.run_batch(futures, lambda value: self._cached(f"{scheme}:{value}"), offline, fetch, store)


# ---------------------------------------------------------------------- the services


def fetch_doi(client: Client, base: str, doi: str) -> Fetched:
    """Content negotiation: the resolver answers 302 to the agency's CSL-JSON, 404 for an unknown DOI."""
    url = service_url(base, doi_path(doi))
    for _ in range(MAX_REDIRECTS + 1):
        reply = client.get(url, headers={"Accept": CSL_ACCEPT})
        if reply.status in REDIRECTS:
            target = urljoin(url, reply.header("location"))
            if urlsplit(target).scheme not in ("http", "https"):
                raise ServiceError(f"redirect to a non-web address ({target[:60]})")
            url = target
            continue
        if reply.status in (404, 410):
            return Fetched(NOT_FOUND, f"the DOI resolver does not know it (HTTP {reply.status})")
        if reply.status != 200:
            raise ServiceError(f"HTTP {reply.status}")
        kind = reply.header("content-type").lower()
        if "json" not in kind:  # a landing page: the agency offers no CSL-JSON for it
            return Fetched(NOT_FOUND, f"no CSL-JSON metadata for it (the DOI leads to {kind or 'a page'})")
        record = reply.json_object()
        written = record.get("DOI")
        if written is not None and (not isinstance(written, str) or written.strip().lower() != doi.lower()):
            return Fetched(UNVERIFIED, f"the resolver's record is of another DOI ({_quoted(written)}): not used")
        return Fetched(FOUND, "", csl_from_doi(record, doi))
    raise ServiceError(f"more than {MAX_REDIRECTS} redirects")


def fetch_summaries(client: Client, base: str, scheme: str, values: list[str], mailto: str = "") -> dict[str, Fetched]:
    """One esummary request for PubMed (`pmid`) or PMC (`pmcid`) ids: a result for each id asked for."""
    fetched = {}
    for value, item in pubmed.esummary(client, base, scheme, values, mailto).items():
        if isinstance(item, str):
            fetched[value] = Fetched(NOT_FOUND, f"no {pubmed.DATABASES[scheme]} record ({item[:100]})")
        elif item is not None:
            try:
                fetched[value] = _summary_of(item, scheme, value)
            except pubmed.MALFORMED as error:  # that id fails, never the other ids of its batch
                fetched[value] = Fetched(UNVERIFIED, pubmed.malformed(value, error))
        else:
            fetched[value] = Fetched(UNVERIFIED, "E-utilities reply without this id")
    return fetched


def _summary_of(summary: dict, scheme: str, value: str) -> Fetched:
    """The document as an item, unless it is of another id than the one asked for (its links would be)."""
    item = csl_from_summary(summary, scheme, value)
    name = "PMID" if scheme == "pmid" else "PMCID"
    if str(item.get(name, "")).upper() != value.upper():
        return Fetched(
            UNVERIFIED, f"the {pubmed.DATABASES[scheme]} record is of another id ({_quoted(item.get(name))}): not used"
        )
    return Fetched(FOUND, "", item)


def fetch_isbn(client: Client, base: str, isbn: str) -> Fetched:
    reply = client.get(
        f"{base.rstrip('/')}/api/books",
        params={"bibkeys": f"ISBN:{isbn}", "format": "json", "jscmd": "data"},
        headers={"Accept": "application/json"},
    )
    if reply.status != 200:
        raise ServiceError(f"HTTP {reply.status}")
    record = reply.json_object().get(f"ISBN:{isbn}")
    if not isinstance(record, dict) or not record:
        return Fetched(NOT_FOUND, "Open Library has no record of this ISBN")
    return Fetched(FOUND, "", csl_from_openlibrary(record, isbn))


# ---------------------------------------------------------------------- records to CSL items


def csl_from_doi(record: dict, doi: str) -> dict:
    """The agency's CSL-JSON, trimmed to what a bibliography needs, with its notices."""
    item = {name: record[name] for name in KEPT if name in record and record[name] not in (None, "", [])}
    for name in ("title", "container-title", "collection-title"):
        value = item.get(name)
        if isinstance(value, list):  # some agencies send lists
            value = next((v for v in value if isinstance(v, str) and v.strip()), "")
        if isinstance(value, str) and value.strip():
            item[name] = clean_title(value)
        else:
            item.pop(name, None)
    for role in ("author", "editor"):
        if role in item:
            item[role] = clean_names(item[role])
            if not item[role]:
                item.pop(role)
    for name in ("ISBN", "ISSN"):  # Crossref lists a book's ISBNs (print, electronic): the first is kept
        if isinstance(item.get(name), list):
            item[name] = next((str(v) for v in item[name] if isinstance(v, str) and v.strip()), "")
            if not item[name]:
                item.pop(name)
    written = record.get("DOI")
    item["DOI"] = (
        written if isinstance(written, str) and DOI_RE.match(written.strip()) else doi
    )  # the agency's spelling
    item["type"] = csl_type(record)
    server = _institution(record)
    if item["type"] == "article" and server and "container-title" not in item:
        item["container-title"] = server  # a posted preprint's server (bioRxiv), which Crossref names its institution
    notices = [
        {name: notice[name] for name in NOTICE_KEPT if notice[name]} for notice in doi_notices(record, item["DOI"])
    ]
    relations = record.get("relation")
    if isinstance(relations, dict):
        for name, targets in relations.items():
            known = RELATIONS.get(str(name).lower())
            for target in targets if known and isinstance(targets, list) else []:
                if isinstance(target, dict):
                    assert known is not None  # `targets` is only looped over for a known relation
                    notices.append(
                        {"type": known[0], "label": known[1], "doi": str(target.get("id", "")), "about": "this"}
                    )
    if notices:
        item[NOTICES_FIELD] = notices
    preprint, published, preprints = record_facts(record)
    if preprint:
        item[PREPRINT_FIELD] = {"published": published}
    if preprints:
        item[HAS_PREPRINT_FIELD] = preprints
    item[FROM_FIELD] = "doi"
    return item


def _institution(record: dict) -> str:
    institutions = record.get("institution")
    first = institutions[0] if isinstance(institutions, list) and institutions else institutions
    name = first.get("name") if isinstance(first, dict) else first
    return clean_title(name) if isinstance(name, str) and name.strip() else ""


def csl_from_summary(summary: dict, scheme: str, value: str) -> dict:
    """An esummary document (PubMed or PMC) as a CSL item; esummary leaves fields out freely. A
    Bookshelf record (`doctype` book or chapter) names its book and publisher in fields of its own."""
    parsed = pubmed.parse_summary(summary)
    item: dict = {"type": pubmed_type(summary)}
    title = (
        (text_of(summary.get("title")) or (text_of(summary.get("booktitle")) if item["type"] == "book" else ""))
        .strip()
        .rstrip(".")
    )
    if title:
        item["title"] = clean_title(title)
    authors = []
    for author in _list(summary.get("authors")):
        if not isinstance(author, dict) or not text_of(author.get("name")).strip():
            continue
        name = text_of(author["name"]).strip()
        if text_of(author.get("authtype")) == "CollectiveName":
            authors.append({"literal": name})
            continue
        words = name.split()  # "Onji M": family name(s), then initials
        authors.append({"family": " ".join(words[:-1]), "given": words[-1]} if len(words) > 1 else {"family": name})
    if authors:
        item["author"] = authors
    journal = (text_of(summary.get("fulljournalname")) or text_of(summary.get("source"))).strip()
    if item["type"] == "chapter":
        journal = (text_of(summary.get("booktitle")) or text_of(summary.get("bookname"))).strip()
    elif item["type"] == "book":
        journal = ""
    if journal:
        item["container-title"] = clean_title(journal)
    for csl_name, summary_name in (
        ("publisher", "publishername"),
        ("publisher-place", "publisherlocation"),
        ("edition", "edition"),
    ):
        text = text_of(summary.get(summary_name)).strip()
        if text and item["type"] in ("book", "chapter"):
            item[csl_name] = text
    for csl_name, summary_name in (("volume", "volume"), ("issue", "issue"), ("page", "pages")):
        text = text_of(summary.get(summary_name)).strip()
        if text:
            item[csl_name] = text
    if parsed["years"]:
        item["issued"] = {"date-parts": [[parsed["years"][0]]]}
    if parsed["doi"]:
        item["DOI"] = parsed["doi"]
    if parsed["pmid"] or scheme == "pmid":
        item["PMID"] = parsed["pmid"] or value
    if parsed["pmcid"] or scheme == "pmcid":
        item["PMCID"] = parsed["pmcid"] or value
    notices = [
        {
            "type": u["type"],
            "label": u["label"],
            "doi": "",
            "about": "this",
            **({"note": u["note"]} if u.get("note") else {}),
        }
        for u in parsed["updates"]
    ]
    if notices:
        item[NOTICES_FIELD] = notices
    if item["type"] == "article":  # PubMed's `Preprint` publication type
        item[PREPRINT_FIELD] = {"published": []}
    item[FROM_FIELD] = pubmed.DATABASES[scheme]
    return item


def csl_from_openlibrary(record: dict, isbn: str) -> dict:
    item: dict = {"type": "book", "ISBN": isbn}
    title = text_of(record.get("title")).strip()
    subtitle = text_of(record.get("subtitle")).strip()
    if title:
        item["title"] = clean_title(f"{title}: {subtitle}" if subtitle else title)
    authors = []
    for author in _list(record.get("authors")):
        name = text_of(author.get("name")).strip() if isinstance(author, dict) else ""
        if name:
            words = name.split()  # Open Library writes "Given Family"
            authors.append(
                {"family": words[-1], "given": " ".join(words[:-1])} if len(words) > 1 else {"literal": name}
            )
    if authors:
        item["author"] = authors
    publishers = [text_of(p.get("name")).strip() for p in _list(record.get("publishers")) if isinstance(p, dict)]
    if publishers and publishers[0]:
        item["publisher"] = publishers[0]
    places = [text_of(p.get("name")).strip() for p in _list(record.get("publish_places")) if isinstance(p, dict)]
    if places and places[0]:
        item["publisher-place"] = places[0]
    year = re.search(r"\b(\d{4})\b", text_of(record.get("publish_date")))
    if year:
        item["issued"] = {"date-parts": [[int(year.group(1))]]}
    url = text_of(record.get("url"))
    if url.startswith(("https://", "http://")):
        item["URL"] = url
    item[FROM_FIELD] = "openlibrary"
    return item


def _list(value: object) -> list:
    """A list a record holds, or none (a record of another shape)."""
    return value if isinstance(value, list) else []


def clean_names(names: object) -> list[dict]:
    """CSL names as the file keeps them: family/given/particles/suffix, or a literal (a consortium)."""
    cleaned = []
    for name in names if isinstance(names, list) else []:
        if not isinstance(name, dict):
            continue
        literal = text_of(name.get("literal")) or text_of(name.get("name"))  # Crossref writes organisations as `name`
        if literal and not text_of(name.get("family")):
            cleaned.append({"literal": clean_title(literal)})
            continue
        kept = {
            part: clean_title(text_of(name.get(part)))
            for part in ("family", "given", "non-dropping-particle", "dropping-particle", "suffix")
            if text_of(name.get(part))
        }
        if kept:
            cleaned.append(kept)
    return cleaned


def clean_title(text: str) -> str:
    """A title as CSL's rich text: MathML as text (with sup and sub), tags other than i, b, sup and sub
    dropped (their text kept), entities read, spaces collapsed (see title_markup). Cut at MAX_TEXT
    characters first."""
    return rich_text(text[:MAX_TEXT])  # `<` and `&` are text from here on: the formatter escapes them
