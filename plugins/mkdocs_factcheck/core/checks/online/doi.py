"""DOIs: existence from the DOI handle API, metadata and update notices from Crossref."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from mkdocs_factcheck.core.checks.online.http import Client, Reply, ServiceError
from mkdocs_factcheck.core.checks.online.outcome import FOUND, NOT_FOUND, Outcome

DOI_SAFE = "/:;()<>@!$&'*+,="  # a DOI's suffix characters that travel unencoded in a path


def path(doi: str) -> str:
    """The DOI as the last part of a path. Its slashes travel as they are, unless a part is `.` or `..`
    (which clients and servers resolve against the path): then the DOI is one encoded segment."""
    if any(part in (".", "..") for part in doi.split("/")):
        return quote(doi, safe=DOI_SAFE.replace("/", ""))
    return quote(doi, safe=DOI_SAFE)


def service_url(base: str, *parts: str) -> str:
    """`base` joined with path parts, never leaving `base`'s path: what a record or a page writes in an
    identifier is data in one place of the address, not a way to another address of the host."""
    url = "/".join([base.rstrip("/"), *parts])
    segments = urlsplit(url).path.split("/")
    if any(segment in (".", "..") for segment in segments) or not url.startswith(base.rstrip("/") + "/"):
        raise ServiceError("an identifier that would leave the service's path (not requested)")
    return url


def check_handle(client: Client, base: str, doi: str) -> Outcome:
    """`{resolver}/api/handles/{doi}`: the JSON's responseCode decides, never the status alone.

    1 (or 200: the handle exists, without values) is found, 100 (handle not found) is not; the reply must
    name the DOI asked for. Anything else, including any redirect (a captive portal, a loop, a
    `javascript:` target), is the service failing: unverified, and not cached."""
    reply = client.get(service_url(base, "api/handles", path(doi)), headers={"Accept": "application/json"})
    if reply.status not in (200, 404):
        raise ServiceError(f"HTTP {reply.status}")
    data = reply.json_object()
    code = data.get("responseCode")
    named = str(data.get("handle", "")).lower() == doi.lower()
    if code in (1, 200) and reply.status == 200 and named:
        return Outcome(FOUND, "", {"url": handle_url(data)})
    if code == 100 and named:
        return Outcome(NOT_FOUND, "the DOI resolver does not know it")
    raise ServiceError(f"unexpected handle reply (HTTP {reply.status}, responseCode {code!r})")


def handle_url(data: dict) -> str:
    for value in data.get("values") or []:
        if isinstance(value, dict) and value.get("type") == "URL":
            return str((value.get("data") or {}).get("value", ""))
    return ""


def fetch_crossref(client: Client, base: str, doi: str, mailto: str = "") -> Outcome:
    """`{api}/works/{doi}`. A 404 means only that Crossref has no record (the DOI may be DataCite's),
    and only Crossref's own 404 (its "Resource not found." text) says so: a proxy's 404 page does not."""
    params = {"mailto": mailto} if mailto else None
    reply = client.get(service_url(base, "works", path(doi)), params=params, headers={"Accept": "application/json"})
    if reply.status == 404 and crossref_missing(reply):
        return Outcome(NOT_FOUND, "no Crossref record")
    if reply.status != 200:
        raise ServiceError(f"HTTP {reply.status}")
    data = reply.json_object()
    message = data.get("message")
    if data.get("status") != "ok" or not isinstance(message, dict):
        raise ServiceError("malformed Crossref reply (no message)")
    return Outcome(FOUND, "", parse_work(message, doi))


def crossref_missing(reply: Reply) -> bool:
    """Crossref's word for an unknown DOI: `Resource not found.` as text, or a JSON error saying so."""
    text = reply.body[:2000].decode("utf-8", "replace").strip()
    if text == "Resource not found.":
        return True
    try:
        data = reply.json_object()
    except ServiceError:
        return False
    return data.get("status") in ("error", "failed") and "not found" in json.dumps(data.get("message", "")).lower()


def parse_work(message: dict, doi: str) -> dict:
    """The fields the checks need, from a Crossref work record."""
    titles = [t for t in message.get("title") or [] if isinstance(t, str)]
    subtitles = [t for t in message.get("subtitle") or [] if isinstance(t, str)]
    if titles and subtitles:
        titles = titles + [f"{titles[0]}: {subtitles[0]}"]
    years = []
    for name in ("published-print", "published-online", "issued", "published"):
        parts = (message.get(name) or {}).get("date-parts") or [[None]]
        year = parts[0][0] if parts and parts[0] else None
        if isinstance(year, int):
            years.append(year)
    authors = [a for a in message.get("author") or [] if isinstance(a, dict)]
    first = next((a for a in authors if a.get("sequence") == "first"), authors[0] if authors else {})
    own = (message.get("DOI") or doi).lower()
    return {
        "titles": titles,
        "years": years,
        "family": str(first.get("family", "")),
        "doi": own,
        "updates": notices(message, own),
    }


def notices(record: dict, own_doi: str) -> list[dict]:
    """The update notices of a Crossref record (a work, or the CSL-JSON of content negotiation).

    updated-by: notices about this work. update-to: this work is itself a notice (about another DOI),
    except when it names its own DOI, as some publishers do on the retracted article."""
    own = own_doi.lower()
    found = []
    for relation in ("updated-by", "update-to"):
        for update in record.get(relation) or []:
            if not isinstance(update, dict):
                continue
            kind = str(update.get("type", "")).lower().replace("-", "_").replace(" ", "_")
            target = str(update.get("DOI", ""))
            about_this = relation == "updated-by" or target.lower() == own
            found.append(
                {
                    "type": kind,
                    "label": str(update.get("label") or kind.replace("_", " ").capitalize()),
                    "doi": target,
                    "date": date_text(update.get("updated")),
                    "source": str(update.get("source", "")),
                    "about": "this" if about_this else "other",
                }
            )
    return found


def date_text(value: object) -> str:
    """`{"date-parts": [[2020, 5, 1]]}` as `2020-05-01`; anything of another shape as no date."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    return "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(first) if isinstance(p, int))
