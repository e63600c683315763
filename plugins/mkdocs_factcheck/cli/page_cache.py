"""What each page gave the last check: its citations, claims and findings, reused while nothing it
depends on has changed, the way linters cache their results per file.

A page's results depend on its own text and place, the bibliography's contents, the options and the
extensions, and this package's version: all of them are in its key. What depends on other pages is not
kept but done again when a page is restored: duplicate claim ids across pages, and the citing of each
entry (online checks, formatting and its findings, what is cited). Stored as JSON data: loading it
runs nothing, and anything unreadable is as if there were no cache.

The file is signed (see cache_key): its first line holds the signature of the rest, which is read only
when the signature is this user's. A cache folder restored in CI thus changes no verdict or finding."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import types
import typing
from pathlib import Path

from mkdocs_factcheck.cli.cache_key import ENVIRONMENT, CacheKey
from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.cache_files import write_atomically
from mkdocs_factcheck.core.citations.engine import CitationRecord, Engine
from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.findings import KINDS, Finding
from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.version import __version__

FILE = "check-pages.json"
FORMAT = "mkdocs-factcheck check-pages, signed"
# Findings that depend on other pages: computed again on every run.
SITE_WIDE_KINDS = {"duplicate_claim_id"}
WORD = re.compile(r"\w+")
log = logger("cache")


class PageResults:
    def __init__(self, cache_dir: Path, site_key: str, key: CacheKey | None):
        self.path = cache_dir / FILE
        self.site_key = site_key
        self.key = key  # None: no key can be had, and nothing is read or written
        self.stored: dict[str, dict] = {}
        self.fresh: dict[str, dict] = {}
        body = self._signed_body()
        if body is None:
            return
        try:
            data = json_data.loads(body.decode("utf-8"))
        except ValueError:
            return
        if isinstance(data, dict) and data.get("site") == site_key and isinstance(data.get("pages"), dict):
            self.stored = data["pages"]

    def _signed_body(self) -> bytes | None:
        """The file's data after its signature line, if this key signed it; a file signed by another key
        (another machine or user) is not used, and one whose data the signature does not fit is a warning."""
        if self.key is None:
            log.info("factcheck: no cache key could be read or made (see %s): page results are not cached", ENVIRONMENT)
            return None
        try:
            header, _, body = self.path.read_bytes().partition(b"\n")
            signature = json_data.loads(header.decode("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(signature, dict) or signature.get("format") != FORMAT:
            return None
        if signature.get("key") != self.key.id:
            log.info(
                "factcheck: %s was signed with another key (another machine or user, or %s changed): "
                "every page is checked again",
                self.path,
                ENVIRONMENT,
            )
            return None
        if not self.key.signs(body, signature.get("signature")):
            log.warning(
                "factcheck: %s does not match its signature (a tampered cache?): not used, every page is checked again",
                self.path,
            )
            return None
        return body

    @staticmethod
    def key_of_site(settings, extensions: list, configs: dict, bibliography_files: list[Path]) -> str:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(
            repr(
                (
                    __version__,
                    repr(settings),
                    [str(e) for e in extensions],
                    json.dumps(configs, sort_keys=True, default=str),
                )
            ).encode()
        )
        for path in bibliography_files:
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"missing")
        return digest.hexdigest()

    @staticmethod
    def page_key(src_path: str, url: str, text: str) -> str:
        return hashlib.blake2b(f"{src_path}\0{url}\0{text}".encode(), digest_size=16).hexdigest()

    def restore(self, engine: Engine, src_path: str, url: str, key: str, text: str) -> bool:
        """Put the page's results into the engine and its findings into the run; False when not cached.
        Results that are not of the page they claim to be (a tampered file) end the use of the file."""
        stored = self.stored.get(src_path)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return False
        try:
            citations = [CitationRecord(**_typed(CitationRecord, record)) for record in _rows(stored, "citations")]
            claims = [Claim(**_typed(Claim, claim)) for claim in _rows(stored, "claims")]
            findings = [Finding(**_typed(Finding, finding)) for finding in _rows(stored, "findings")]
        except (KeyError, TypeError, ValueError):
            return False  # written by another layout: convert the page
        why = _not_of_page(src_path, text, citations, claims, findings)
        if why:
            log.warning(
                "factcheck: %s does not match %s (%s; a tampered cache?): not used, every page is checked again",
                self.path,
                src_path,
                why,
            )
            self.stored = {}
            return False
        engine.restore_page(src_path, url, citations, claims)
        for claim in claims:
            engine.claim_id_taken(claim.id, claim.page, claim.line, claim.derived_id)
        for finding in findings:
            engine.report(finding)
        self.fresh[src_path] = stored
        return True

    def keep(self, src_path: str, key: str, page, findings: list[Finding]) -> None:
        """The results of a page just converted (`page` None: an empty page, which has no state)."""
        self.fresh[src_path] = {
            "key": key,
            "citations": [dataclasses.asdict(record) for record in page.citations] if page is not None else [],
            "claims": [dataclasses.asdict(claim) for claim in page.claims] if page is not None else [],
            "findings": [_finding_data(f) for f in findings if f.page == src_path and f.kind not in SITE_WIDE_KINDS],
        }

    def save(self) -> None:
        if self.key is None:
            return
        body = json.dumps({"site": self.site_key, "pages": self.fresh}, ensure_ascii=False, separators=(",", ":"))
        data = body.encode("utf-8")
        signature = {"format": FORMAT, "key": self.key.id, "signature": self.key.sign(data)}
        try:
            write_atomically(self.path, json.dumps(signature).encode("ascii") + b"\n" + data)
        except OSError:
            pass  # a cache that cannot be written only costs the next run its time


def _rows(stored: dict, name: str) -> list:
    rows = stored[name]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TypeError(name)
    return rows


def _typed(kind: type, row: dict) -> dict:
    """The row, if every value has its field's type (a list of str for `cites`, None where allowed)."""
    hints = typing.get_type_hints(kind)
    for name, value in row.items():
        hint = hints.get(name)
        allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        plain = tuple(typing.get_origin(a) or a for a in allowed)
        if hint is None or not isinstance(value, plain) or (type(value) is bool and bool not in plain):
            raise TypeError(name)
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise TypeError(name)
    return row


def _not_of_page(
    src_path: str, text: str, citations: list[CitationRecord], claims: list[Claim], findings: list[Finding]
) -> str:
    """What in a page's stored results the page itself contradicts: a claim's id, verdict or words it
    does not hold, a citation or finding of another page or of a line it does not have."""
    lowered = text.lower()
    words = set(WORD.findall(lowered))
    lines = text.count("\n") + 1
    for record in citations:  # its key may be another's (a DOI citing an entry): its line is checked
        if not 0 <= record.line <= lines:
            return f"a citation of '{record.key}' at line {record.line}"
    for claim in claims:
        said = [claim.verdict or "", *([] if claim.derived_id else [claim.id])]
        if (
            claim.page != src_path
            or not 0 <= claim.line <= lines
            or any(part.lower() not in lowered for part in said)
            or not set(WORD.findall(claim.text.lower())) <= words
        ):
            return f"claim '{claim.id}'"
    for finding in findings:
        if finding.page != src_path or finding.kind not in KINDS or not 0 <= (finding.line or 0) <= lines:
            return f"a finding at line {finding.line}"
    return ""


def _finding_data(finding: Finding) -> dict:
    return {
        "kind": finding.kind,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "page": finding.page,
    }
