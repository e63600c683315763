"""A local stand-in for Crossref, the DOI handle API and NCBI E-utilities that answers after a fixed latency.

It answers from the `identifiers.json` the generator writes, so that the metadata matches the
bibliography; it counts requests (by service), the most in flight at once, and the time from the first
request to the last answer. `GET /_stats` returns those counts; `POST /_reset` sets them to zero.

    python bench/server.py SITE_DIR [--port 0] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.requests: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.first_start: float | None = None
        self.last_end: float | None = None

    def start(self, kind: str) -> None:
        with self.lock:
            self.requests[kind] = self.requests.get(kind, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            now = time.perf_counter()
            self.first_start = now if self.first_start is None else self.first_start

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1
            self.last_end = time.perf_counter()

    def as_json(self) -> dict:
        with self.lock:
            span = (
                (self.last_end - self.first_start)
                if self.first_start is not None and self.last_end is not None
                else 0.0
            )
            return {
                "requests": dict(self.requests),
                "total": sum(self.requests.values()),
                "max_in_flight": self.max_in_flight,
                "span_seconds": span,
            }


class FakeServices(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], identifiers: dict, latency: float, stats: Stats | None = None):
        super().__init__(address, Handler)
        self.identifiers = identifiers
        self.latency = latency
        self.stats = stats or Stats()  # shared when several servers stand for several services


def crossref_work(doi: str, meta: dict) -> dict:
    return {
        "status": "ok",
        "message-type": "work",
        "message": {
            "DOI": doi,
            "type": "journal-article",
            "title": [meta["title"]],
            "container-title": [meta["journal"]],
            "author": [{"family": meta["family"], "given": "A."}],
            "issued": {"date-parts": [[meta["year"]]]},
            "published": {"date-parts": [[meta["year"]]]},
            "URL": f"https://doi.org/{doi}",
            "update-to": [],
            "relation": {},
        },
    }


def handle_record(doi: str) -> dict:
    return {
        "responseCode": 1,
        "handle": doi,
        "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": f"https://example.org/article/{doi}"}}
        ],
    }


def esummary(ids: list[str], known: dict) -> dict:
    result: dict = {"uids": []}
    for pmid in ids:
        meta = known.get(pmid)
        if meta is None:
            result[pmid] = {"uid": pmid, "error": "cannot get document summary"}
            continue
        result["uids"].append(pmid)
        result[pmid] = {
            "uid": pmid,
            "pubdate": str(meta["year"]),
            "title": meta["title"],
            "fulljournalname": meta["journal"],
            "authors": [{"name": f"{meta['family']} A", "authtype": "Author"}],
            "articleids": (
                [{"idtype": "pubmed", "value": pmid}]
                + ([{"idtype": "doi", "value": meta["doi"]}] if meta.get("doi") else [])
            ),
            "pubtype": ["Journal Article"],
        }
    return {"header": {"type": "esummary", "version": "0.3"}, "result": result}


class Handler(BaseHTTPRequestHandler):
    server: FakeServices
    protocol_version = "HTTP/1.1"
    # http.server writes the headers and the body separately; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK of the headers (40 ms on Linux) on a kept-alive connection, which
    # nearly doubled the 50 ms latency this server is meant to have. Real services do not stall so.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):  # noqa: N802 - http.server's name
        self.do_GET()

    def do_POST(self):  # noqa: N802
        if self.path == "/_reset":
            self.server.stats.reset()
            return self._send(200, {"reset": True})
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        return self.do_GET(extra=parse_qs(body))

    def do_GET(self, extra: dict | None = None):  # noqa: N802
        url = urlsplit(self.path)
        if url.path == "/_stats":
            return self._send(200, self.server.stats.as_json())
        query = {**parse_qs(url.query), **(extra or {})}
        path = unquote(url.path)
        if path.startswith("/works/") or path == "/works":
            kind = "crossref"
        elif path.startswith("/api/handles/"):
            kind = "doi_handle"
        elif path.endswith("esummary.fcgi"):
            kind = "esummary"
        elif path.endswith(".fcgi"):
            kind = "eutils_other"
        else:
            kind = "other"
        self.server.stats.start(kind)
        try:
            time.sleep(self.server.latency)
            identifiers = self.server.identifiers
            if kind == "crossref" and path.startswith("/works/"):
                doi = path[len("/works/") :]
                meta = identifiers["doi"].get(doi.lower())
                return (
                    self._send(200, crossref_work(doi, meta))
                    if meta
                    else self._send(404, {"status": "error", "message": "Resource not found."})
                )
            if kind == "crossref":  # a search or filter (e.g. updates of a DOI: retractions): nothing
                return self._send(
                    200, {"status": "ok", "message-type": "work-list", "message": {"total-results": 0, "items": []}}
                )
            if kind == "doi_handle":
                doi = path[len("/api/handles/") :]
                if doi.lower() in identifiers["doi"]:
                    return self._send(200, handle_record(doi))
                return self._send(404, {"responseCode": 100, "handle": doi})
            if kind == "esummary":
                ids = [i for value in query.get("id", []) for i in value.split(",") if i]
                return self._send(200, esummary(ids, identifiers["pmid"]))
            return self._send(404, {"error": f"the benchmark server does not answer {path}"})
        finally:
            self.server.stats.end()

    def _send(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def start(site: Path, latency: float = 0.05, port: int = 0, stats: Stats | None = None) -> FakeServices:
    """Serve on 127.0.0.1 in a daemon thread; `server.server_address[1]` is the port."""
    identifiers = json.loads((site / "identifiers.json").read_text(encoding="utf-8"))
    server = FakeServices(("127.0.0.1", port), identifiers, latency, stats)
    threading.Thread(target=server.serve_forever, name="bench-server", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    server = start(args.site, args.latency, args.port)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
