"""Fake Crossref, DOI handle API, E-utilities and web servers on 127.0.0.1, answering in the services' shapes.

Shapes follow the services' documentation: Crossref `/works/{doi}` ({"status": "ok", "message": {...}},
404 "Resource not found."), the DOI handle API (responseCode 1 with values, 404 with responseCode 100),
and E-utilities esummary with retmode=json ({"header": ..., "result": {"uids": [...], uid: {...}}}, an
unknown uid as {"uid": ..., "error": "cannot get document summary"}).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from pathlib import Path

from pybtex.database import parse_string
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from mkdocs_factcheck.core.bibliography.files import ENTRY_START, Source
from mkdocs_factcheck.core.checks.online import OnlineVerifier
from mkdocs_factcheck.core.checks.online.silent_hosts import KEY as SILENT_HOSTS
from mkdocs_factcheck.core.checks.online.silent_hosts import MINUTES

NON_ENTRY_TYPES = {"string", "preamble", "comment"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def work(doi: str, title: str, year: int, family: str, **extra) -> dict:
    """A Crossref work record, as `/works/{doi}` returns it under `message`."""
    message = {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [
            {"given": "A.", "family": family, "sequence": "first", "affiliation": []},
            {"given": "B.", "family": "Other", "sequence": "additional", "affiliation": []},
        ],
        "issued": {"date-parts": [[year, 3]]},
        "published-print": {"date-parts": [[year, 3, 1]]},
        "container-title": ["Journal of Tests"],
        "publisher": "Test Press",
    }
    message.update(extra)
    return message


def summary(uid: str, title: str, year: int, doi: str = "", pubtypes: list[str] | None = None, pmcid: str = "") -> dict:
    """An E-utilities esummary (db=pubmed) document."""
    ids = [{"idtype": "pubmed", "idtypen": 1, "value": uid}]
    if doi:
        ids.append({"idtype": "doi", "idtypen": 3, "value": doi})
    if pmcid:
        ids.append({"idtype": "pmc", "idtypen": 8, "value": pmcid})
    return {
        "uid": uid,
        "pubdate": f"{year} Mar",
        "epubdate": "",
        "source": "J Tests",
        "authors": [{"name": "Tester A", "authtype": "Author", "clusterid": ""}],
        "title": title,
        "pubtype": pubtypes or ["Journal Article"],
        "articleids": ids,
        "sortpubdate": f"{year}/03/01 00:00",
    }


class Services:
    """One threaded server playing every service; tests fill the dictionaries and read `requests`."""

    def __init__(self, server: HTTPServer):
        self.server = server
        self.works: dict[str, dict] = {}  # lower-cased DOI -> Crossref message
        self.handles: set[str] = set()  # DOIs the handle API knows (besides those in works)
        self.pubmed: dict[str, dict] = {}
        self.pmc: dict[str, dict] = {}
        self.routes: dict[str, object] = {}  # path -> Response, list of Responses (one per request), or callable
        self.requests: list[tuple[float, str, str, dict]] = []  # (time, method, path, args)
        self.headers: list[dict] = []
        self.raw_paths: list[str] = []  # each request's path as sent, before the server decodes it
        self.lock = threading.Lock()
        self.release = threading.Event()  # handlers that hang wait for this (set at teardown)
        server.expect_request(re.compile(".*")).respond_with_handler(self.dispatch)

    def url(self, path: str = "") -> str:
        return self.server.url_for(path).rstrip("/") if not path else self.server.url_for(path)

    @property
    def settings(self) -> dict:
        return {
            "enabled": True,
            "crossref_api": self.url("/crossref"),
            "doi_resolver": self.url("/doi"),
            "eutils_api": self.url("/eutils"),
            "timeout": 2,
            "deadline": 10,
            "spacing": 0,
            "retries": 2,
            "mailto": "editors@example.org",
        }

    def count(self, prefix: str = "/") -> int:
        return sum(1 for _, _, path, _ in self.requests if path.startswith(prefix))

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.requests.append((time.monotonic(), request.method, request.path, dict(request.args)))
            self.headers.append(dict(request.headers))
            self.raw_paths.append(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI", ""))
        route = self.routes.get(request.path)
        if isinstance(route, list):
            with self.lock:
                route = route.pop(0) if len(route) > 1 else route[0]
        if isinstance(route, Response):
            return route
        if callable(route):
            return route(request)
        if request.path.startswith("/crossref/works/"):
            doi = request.path[len("/crossref/works/") :].lower()
            if doi in self.works:
                return json_reply(
                    {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": self.works[doi]}
                )
            return Response("Resource not found.", 404, content_type="text/plain")
        if request.path.startswith("/doi/api/handles/"):
            doi = request.path[len("/doi/api/handles/") :].lower()
            if doi in self.works or doi in self.handles:
                target = {"format": "string", "value": f"https://publisher.invalid/{doi}"}
                values = [
                    {"index": 1, "type": "URL", "data": target, "ttl": 86400, "timestamp": "2020-01-01T00:00:00Z"}
                ]
                return json_reply({"responseCode": 1, "handle": doi, "values": values})
            return json_reply({"responseCode": 100, "handle": doi}, 404)
        if request.path == "/eutils/esummary.fcgi":
            db = self.pubmed if request.args.get("db") == "pubmed" else self.pmc
            ids = request.args.get("id", "").split(",")
            result: dict = {"uids": [i for i in ids if i in db]}
            for uid in ids:
                result[uid] = db[uid] if uid in db else {"uid": uid, "error": "cannot get document summary"}
            return json_reply({"header": {"type": "esummary", "version": "0.3"}, "result": result})
        if request.path.startswith("/web/ok"):
            return Response("" if request.method == "HEAD" else "<html>fine</html>", 200, content_type="text/html")
        return Response("Not Found", 404)

    def hang(self, request: Request) -> Response:
        """Answer only when the test ends: the client's timeout or the deadline must give up first."""
        self.release.wait(30)
        return Response("late", 200)


def json_reply(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data), status, headers=headers, content_type="application/json")


def entry_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of every entry start, by lower-cased key (a list: keys may be repeated)."""
    lines: dict[str, list[int]] = {}
    line, counted_to = 1, 0
    for match in ENTRY_START.finditer(text):
        if match["type"].lower() in NON_ENTRY_TYPES:
            continue
        line += text.count("\n", counted_to, match.start())  # from the previous entry on: linear in the file
        counted_to = match.start()
        lines.setdefault(match["key"].lower(), []).append(line)
    return lines


def sources_from(bib: str, file: str = "references.bib") -> list[Source]:
    data = parse_string(bib, "bibtex")
    lines = entry_lines(bib)
    return [Source(key, entry, file, lines[key.lower()][0]) for key, entry in data.entries.items()]


def verify(settings: dict, bib: str, cache_dir: Path, network: bool = True):
    """Submit every entry of `bib` to a fresh verifier, finish, close; returns (report, verifier)."""
    verifier = OnlineVerifier(
        settings, cache_dir, "mkdocs-factcheck/test (mailto:editors@example.org)", network=network
    )
    try:
        for source in sources_from(bib):
            verifier.submit(source)
        report = verifier.finish()
    finally:
        verifier.close()
    return report, verifier


def kinds(report) -> list[str]:
    return sorted(f.kind for f in report.findings)


def remembered_hosts(cache_dir: Path) -> dict[str, dict]:
    """The silent hosts the online cache remembers (host -> since, network), read straight from the file."""
    path = cache_dir / "online.sqlite3"
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT value FROM outcomes WHERE key = ? AND expires > ?", (SILENT_HOSTS, time.time())
        ).fetchone()
    return json.loads(row[0])["hosts"] if row else {}


def let_minutes_pass(cache_dir: Path) -> None:
    """As if the minutes silent hosts are remembered had passed: their times moved back by that much."""
    path = cache_dir / "online.sqlite3"
    if not path.exists():
        return
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT value FROM outcomes WHERE key = ?", (SILENT_HOSTS,)).fetchone()
        if row:
            value = json.loads(row[0])
            for entry in value["hosts"].values():
                entry["since"] -= MINUTES * 60 + 1
            db.execute("UPDATE outcomes SET value = ? WHERE key = ?", (json.dumps(value), SILENT_HOSTS))
