"""PubMed and PubMed Central ids: E-utilities esummary, many ids per request."""

from __future__ import annotations

import concurrent.futures as cf
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from mkdocs_factcheck.core.checks.online.http import Client, ServiceError
from mkdocs_factcheck.core.checks.online.outcome import FOUND, NOT_FOUND, Outcome, unverified
from mkdocs_factcheck.core.field_text import text_of

# What reading a document of a shape never seen raises (each id's document is read on its own).
MALFORMED = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)
BATCH = 100  # ids per request; E-utilities asks for POST beyond about 200
DATABASES = {"pmid": "pubmed", "pmcid": "pmc"}
# PubMed's links from an article to notices about it (esummary `references[].reftype`).
NOTICE_TYPES = {
    "retractionin": ("retraction", "Retraction"),
    "partialretractionin": ("partial_retraction", "Partial retraction"),
    "expressionofconcernin": ("expression_of_concern", "Expression of concern"),
    "erratumin": ("correction", "Erratum"),
    "correctedandrepublishedin": ("correction", "Corrected and republished"),
}


def in_batches(futures: dict) -> list[dict]:
    """Pending ids (id -> what waits for it) in requests of at most BATCH ids."""
    values = list(futures)
    return [
        {value: futures[value] for value in values[start : start + BATCH]} for start in range(0, len(values), BATCH)
    ]


@contextmanager
def settling(futures: dict[str, cf.Future]) -> Iterator[None]:
    """Around the work of one batch: should it fail (a bug, or the thread stopped), every future still
    pending gets its exception, since whoever waits for one would otherwise wait for the deadline."""
    try:
        yield
    except BaseException as error:
        for future in futures.values():
            if not future.done():
                future.set_exception(error)
        raise


def run_batch(
    futures: dict[str, cf.Future], cached: Callable, offline: object, fetch: Callable, store: Callable
) -> None:
    """One batch of ids, each future given its result: from `cached(value)` where the cache has it, else
    `offline` when there is no network (None: there is one), else from one `fetch(values)` of all the
    rest, each result then given to `store(value, result)`."""
    with settling(futures):
        wanted = []
        for value, future in futures.items():
            hit = cached(value)
            if hit is not None:
                future.set_result(hit)
            elif offline is not None:
                future.set_result(offline)
            else:
                wanted.append(value)
        if wanted:
            results = fetch(wanted)
            for value in wanted:
                store(value, results[value])
                futures[value].set_result(results[value])


def uid(kind: str, value: str) -> str:
    """The uid E-utilities uses: PMC ids without their `PMC` prefix."""
    return value[3:] if kind == "pmcid" and value.upper().startswith("PMC") else value


def esummary(client: Client, base: str, kind: str, values: list[str], mailto: str = "") -> dict[str, dict | str | None]:
    """One esummary request for up to BATCH ids of one kind. For every id asked for: its document, the
    service's error for it (a str: it has no such record), or None (left out of the reply, or garbled).
    A failed request (an HTTP error, a reply without `result`) raises ServiceError."""
    uids = {uid(kind, value): value for value in values}
    params = {"db": DATABASES[kind], "id": ",".join(uids), "retmode": "json", "tool": "mkdocs-factcheck"}
    if mailto:
        params["email"] = mailto
    reply = client.get(f"{base.rstrip('/')}/esummary.fcgi", params=params, headers={"Accept": "application/json"})
    if reply.status != 200:
        raise ServiceError(f"HTTP {reply.status}")  # a 404 too: E-utilities answers unknown ids with 200
    data = reply.json_object()
    result = data.get("result")
    if not isinstance(result, dict):
        error = data.get("error")
        raise ServiceError(f"E-utilities error: {error}" if error else "malformed E-utilities reply (no result)")
    items: dict[str, dict | str | None] = {}
    for key, value in uids.items():
        item = result.get(key)
        if isinstance(item, dict) and "error" in item:  # the service's own word: no such record
            items[value] = str(item["error"])
        elif isinstance(item, dict) and str(item.get("uid", key)) == key:
            items[value] = item
        else:  # left out of the reply, or garbled: nothing is known about it
            items[value] = None
    return items


def summaries(client: Client, base: str, kind: str, values: list[str], mailto: str = "") -> dict[str, Outcome]:
    """The checks' outcome for every id asked for, from one esummary request."""
    outcomes = {}
    for value, item in esummary(client, base, kind, values, mailto).items():
        if isinstance(item, str):
            outcomes[value] = Outcome(NOT_FOUND, f"no {DATABASES[kind]} record")
        elif item is not None:
            try:
                outcomes[value] = Outcome(FOUND, "", parse_summary(item))
            except MALFORMED as error:  # that id fails, never the other ids of its batch
                outcomes[value] = unverified(malformed(value, error))
        else:
            outcomes[value] = unverified("E-utilities reply without this id")
    return outcomes


def malformed(value: str, error: Exception) -> str:
    """Why an id's document (of a shape never seen: a number where a list should be) is not read."""
    return f"malformed E-utilities record for {value} ({type(error).__name__})"


def parse_summary(item: dict) -> dict:
    ids = {
        text_of(a.get("idtype")).lower(): text_of(a.get("value"))
        for a in item.get("articleids") or []
        if isinstance(a, dict)
    }
    years = [int(m) for name in ("pubdate", "epubdate", "sortpubdate") if (m := _year(item.get(name)))]
    authors = [a for a in item.get("authors") or [] if isinstance(a, dict) and a.get("authtype", "Author") == "Author"]
    family = ""
    if authors:
        words = str(authors[0].get("name", "")).split()
        family = " ".join(words[:-1]) if len(words) > 1 else "".join(words)  # "Onji M": family then initials
    pubtypes = [str(t) for t in item.get("pubtype") or []]
    updates = []
    if any(t.lower() == "retracted publication" for t in pubtypes):
        updates.append(
            {
                "type": "retraction",
                "label": "Retracted Publication",
                "doi": "",
                "date": "",
                "source": "pubmed",
                "about": "this",
            }
        )
    for reference in item.get("references") or []:
        if not isinstance(reference, dict):
            continue
        known = NOTICE_TYPES.get(re.sub(r"[^a-z]", "", str(reference.get("reftype", "")).lower()))
        if known:
            pmid = str(reference.get("pmid", ""))
            note = f"PMID {pmid}" if pmid else str(reference.get("refsource", ""))
            updates.append(
                {
                    "type": known[0],
                    "label": known[1],
                    "doi": "",
                    "date": "",
                    "source": "pubmed",
                    "about": "this",
                    "note": note,
                }
            )
    pmcid = ids.get("pmc") or ids.get("pmcid", "")
    match = re.search(r"PMC\d+", pmcid)
    return {
        "titles": [text_of(item.get("title"))] if text_of(item.get("title")) else [],
        "years": years,
        "family": family,
        "doi": ids.get("doi", "").lower(),
        "pmid": ids.get("pubmed") or ids.get("pmid", ""),
        "pmcid": match.group() if match else "",
        "pubtypes": pubtypes,
        "updates": updates,
    }


def _year(value) -> str:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return match.group(1) if match else ""
