"""Bibliographies and CSL styles given as an http(s) URL (a Zotero API export, a lab's server): fetched
through the online checks' client (its timeout, deadline, retries and per-host spacing, a size limit),
frozen to a file beside the configuration, so that a build without the network gives the same pages,
and asked for again with the validators the cache keeps (an unchanged file costs a 304). A failed fetch
uses the frozen copy with one warning; with no copy, the build stops with one message."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.bibliography.files import BibliographyError
from mkdocs_factcheck.core.cache_files import write_atomically
from mkdocs_factcheck.core.checks.online.http import Client, ServiceError
from mkdocs_factcheck.core.findings import Finding, Reporter
from mkdocs_factcheck.core.formatting.pybtex_formatter import StyleError
from mkdocs_factcheck.core.report.page_links import is_url

MAX_BYTES = 64_000_000  # a whole group library exported as BibTeX
CACHE_NAME = "remote-files.json"
BIBLIOGRAPHY_SUFFIXES = (".bib", ".json", ".yaml", ".yml")
FORMAT_SUFFIXES = {"bibtex": ".bib", "biblatex": ".bib", "csljson": ".json"}  # Zotero's `format=`


class RemoteFiles:
    def __init__(self, base: Path, cache_dir: Path, online, *, network: bool, report: Reporter, user_agent: str):
        self.base = base
        self.cache_path = cache_dir / CACHE_NAME
        self.online = online
        self.network = network  # false: the frozen copy, unless there is none yet
        self.report = report
        self.user_agent = user_agent
        self.records = _read_json(self.cache_path)
        self._client: Client | None = None

    def local(self, url: str, kind: str) -> Path:
        """The file to read for `url` ("bibliography" or "style"): the frozen copy, fetched anew when the
        network may be used."""
        stem = frozen_stem(url, kind)
        frozen = next(iter(sorted(self.base.glob(stem + ".*"))), None)
        if frozen is not None and not self.network:
            return frozen
        record = self.records.get(url, {}) if frozen is not None else {}
        try:
            status, headers, body = self._fetch(url, record)
        except ServiceError as error:
            return self._failed(url, kind, frozen, error.reason)
        if status == 304 and frozen is not None:
            return frozen
        if status != 200:
            return self._failed(url, kind, frozen, f"HTTP {status}")
        suffix = ".csl" if kind == "style" else bibliography_suffix(url, body)
        target = self.base / (stem + suffix)
        if frozen is not None and frozen != target:
            frozen.unlink(missing_ok=True)  # the service now answers in another format
        if not target.is_file() or target.read_bytes() != body:
            write_atomically(target, body)
        self.records[url] = {
            "etag": headers.get("etag", ""),
            "last_modified": headers.get("last-modified", ""),
            "fetched": time.time(),
        }
        write_atomically(self.cache_path, json.dumps(self.records, indent=1, sort_keys=True).encode())
        return target

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _fetch(self, url: str, record: dict) -> tuple[int, dict[str, str], bytes]:
        headers = {}
        if record.get("etag"):
            headers["If-None-Match"] = record["etag"]
        if record.get("last_modified"):
            headers["If-Modified-Since"] = record["last_modified"]
        client = self._get_client()
        address = url
        for _ in range(int(self.online.max_redirects) + 1):
            reply = client.get(address, headers=headers)
            location = reply.header("location")
            if reply.status not in (301, 302, 303, 307, 308) or not location:
                return reply.status, reply.headers, reply.body
            address = urljoin(address, location)
            if not is_url(address):
                raise ServiceError(f"redirected to {address}, not an http(s) address")
        raise ServiceError(f"more than {self.online.max_redirects} redirects")

    def _get_client(self) -> Client:
        if self._client is None:
            online = self.online
            self._client = Client(
                self.user_agent,
                timeout=online.timeout,
                concurrency=1,
                per_host=1,
                retries=online.retries,
                spacing=online.spacing,
                max_bytes=MAX_BYTES,
            )
            self._client.deadline = time.monotonic() + float(online.deadline)
        return self._client

    def _failed(self, url: str, kind: str, frozen: Path | None, reason: str) -> Path:
        if frozen is None:
            error = StyleError if kind == "style" else BibliographyError
            raise error(f"cannot fetch {url} ({reason}), and there is no copy of it yet ({frozen_stem(url, kind)}.*)")
        self.report(
            Finding(
                "remote_file_unavailable",
                f"cannot fetch {url} ({reason}): the copy fetched before, {frozen.name}, is used",
            )  # no file: placed where the configuration gives the address (config_file.ConfigFile)
        )
        return frozen


def frozen_stem(url: str, kind: str) -> str:
    """`bibliography-api.zotero.org-1a2b3c4d`: which service, and which of its addresses."""
    host = urlsplit(url).hostname or "remote"
    return f"{kind}-{host}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def bibliography_suffix(url: str, body: bytes) -> str:
    """The format by the address (`refs.bib`, `?format=csljson`), else by the first character."""
    parts = urlsplit(url)
    suffix = Path(parts.path).suffix.lower()
    if suffix in BIBLIOGRAPHY_SUFFIXES:
        return suffix
    for value in parse_qs(parts.query).get("format", []):
        if value.lower() in FORMAT_SUFFIXES:
            return FORMAT_SUFFIXES[value.lower()]
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return ".json" if start in (b"[", b"{") else ".yaml" if start in (b"-", b"r") else ".bib"


def _read_json(path: Path) -> dict:
    try:
        data = json_data.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
