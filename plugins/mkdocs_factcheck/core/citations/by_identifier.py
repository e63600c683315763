"""Citations by identifier: `[@doi:10.1200/JCO.1999.17.7.2105]`, `@pmid:3501387`, `@pmcid:PMC2275327`,
`@isbn:978-0-306-40615-7`, `@{https://doi.org/10.1/x}`, next to ordinary keys.

An identifier resolves, in this order, to
1. the bibliography entry with that DOI, PMID, PMCID or ISBN (one source, one number);
2. the item of the site's identifiers file (`identifiers_file`, CSL-JSON next to mkdocs.yml), which the
   site commits and may edit by hand: what is there is never fetched again nor overwritten;
3. the record the services give (see online/metadata.py), when online checks run: it is added to the
   identifiers file at the end of the build, so that a build without network renders the same page.

A resolved identifier is a bibliography Source like any other (formatting, links, the report, the
online checks all see an entry); its key is the identifier (`doi:10.1200/jco.1999.17.7.2105`). One that
cannot be resolved stays in the page as an unknown key does, with an `unknown_identifier` finding at its
page and line giving the service's answer; a malformed one (`doi:foo`, a wrong ISBN check digit) is an
`invalid_identifier` finding, and nothing is asked of any service.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography
from mkdocs_factcheck.core.bibliography.files import Bibliography, Source
from mkdocs_factcheck.core.bibliography.identifiers import Identifier, isbn_valid, normalise_doi, problem
from mkdocs_factcheck.core.cache_files import write_atomically
from mkdocs_factcheck.core.checks.notice_marks import RETRACTING, marks_html
from mkdocs_factcheck.core.citations.syntax import keys_mentioned
from mkdocs_factcheck.core.findings import Finding, Reporter
from mkdocs_factcheck.core.log import logger

if TYPE_CHECKING:
    from mkdocs_factcheck.core.citations.engine import Engine

log = logger()
SCHEMES = ("doi", "pmid", "pmcid", "isbn")
DOI_ADDRESS = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
NOTICES_FIELD = "factcheck-notices"  # as online/metadata.py writes it
MAY_CITE_IDENTIFIER = re.compile(
    r"@\{?(?:(?:doi|pmid|pmcid|isbn):|(?:https?://)?(?:dx\.|www\.)?doi\.org/)", re.IGNORECASE
)


@dataclass(frozen=True)
class CitedIdentifier:
    scheme: str  # doi, pmid, pmcid, isbn
    value: str  # normalised: DOIs lower-cased, ISBNs without hyphens, PMC ids with `PMC`
    written: str  # the key as the page writes it

    @property
    def key(self) -> str:
        """The identifier as a key: the id of its item in the identifiers file."""
        return f"{self.scheme}:{self.value}"

    @property
    def problem(self) -> str | None:
        return problem(Identifier(self.scheme, self.value, self.scheme))


def cited_identifier(key: str) -> CitedIdentifier | None:
    """The identifier a citation key names, or None for an ordinary key."""
    text = key.strip()
    if DOI_ADDRESS.match(text):
        return CitedIdentifier("doi", normalise_doi(text).lower(), key)
    scheme, colon, value = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in SCHEMES:
        return None
    value = value.strip()
    if scheme == "doi":
        value = normalise_doi(value).lower()
    elif scheme == "pmcid":
        value = value.upper()
    elif scheme == "isbn":
        value = isbn13(re.sub(r"[\s-]", "", value).upper())
    return CitedIdentifier(scheme, value, key)


def isbn13(value: str) -> str:
    """An ISBN-10 as the ISBN-13 of the same book (978 and a new check digit): one book, one key.
    Anything else is returned as it is (its syntax is checked elsewhere)."""
    if not (len(value) == 10 and isbn_valid(value)):
        return value
    digits = "978" + value[:9]
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10) % 10
    return digits + str(check)


def _lowered(key: str) -> str:
    """An item's id as the lower-cased identifier key it names (`isbn:978-0-...` is `isbn:978...`)."""
    found = cited_identifier(key)
    return (found.key if found is not None else key).lower()


def identifier_keys(source: Source) -> list[str]:
    """An entry's DOI, PMID, PMCID and ISBN as identifier keys (`doi:10.x/y`)."""
    keys = []
    for identifier in source.identifiers:
        if identifier.scheme in SCHEMES and not problem(identifier):
            found = cited_identifier(f"{identifier.scheme}:{identifier.value}")
            if found is not None:
                keys.append(found.key.lower())
    return keys


class IdentifierCitations:
    """The identifier citations of one run (see the module's docstring). `fetcher` is None when online
    checks are off (`--offline`): then only the bibliography and the identifiers file answer."""

    def __init__(self, bibliography: Bibliography, base: Path, file: str, report: Reporter, fetcher=None):
        self.bibliography = bibliography
        self.report = report  # findings about the identifiers file
        self.page_report = report  # findings about a citation in a page: the engine's (see `attach`)
        self.joined: Callable[[], None] = lambda: None  # told when a source joins the bibliography (see `attach`)
        self.fetcher = fetcher
        self.display = file
        self.path = (base / file) if file else None
        self.items: dict[str, dict] = {}  # lower-cased identifier key -> CSL item, as the file has it
        self.raw: list = []  # the file's items, all of them, as they are: what a rewrite keeps
        self.sources: dict[str, Source] = {}  # lower-cased identifier key -> the file's item as a Source
        self.new: dict[str, dict] = {}  # fetched in this run: written at the end
        self.added: dict[
            str, Source
        ] = {}  # identifier key -> its source (the next run takes ours out: Bibliography.added)
        self.failed: dict[str, str] = {}  # lower-cased identifier key -> why it did not resolve
        self._index: dict[str, Source] | None = None
        self._readable = True
        self._text: str | None = None  # the file as this run read it: a later hand edit is merged, not reverted
        for lowered, source in bibliography.added.items():  # an earlier run's, on the same bibliography (`serve`)
            if bibliography.sources.get(lowered) is source:
                del bibliography.sources[lowered]
        bibliography.added.clear()
        bibliography.aliases.clear()
        self._read()

    # ------------------------------------------------------------------ the identifiers file

    def bind(self, page_report: Callable[[Finding], None], joined: Callable[[], None]) -> None:
        """Where findings about citations in a page go, and who is told when a source joins the bibliography."""
        self.page_report, self.joined = page_report, joined

    def _read(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._readable = False
            self.report(Finding("bib_syntax", f"cannot read the identifiers file: {error}", file=self.display, line=1))
            return
        self._text = text
        entries, findings = csl_bibliography.read(text, self.display, "json")
        for finding in findings:
            self._readable = False  # never rewritten over what could not be read
            self.report(finding)
        try:
            raw = json_data.loads(text.removeprefix("\ufeff"))
        except ValueError:
            raw = []
        self.raw = raw if isinstance(raw, list) else []
        by_id: dict[str, dict] = {}
        for item in self.raw:
            if isinstance(item, dict):
                by_id.setdefault(str(item.get("id")), item)  # the first of a repeated id, as csl.read keeps it
        for key, entry, line in entries:
            lowered = _lowered(key)
            if lowered in self.sources:
                first = self.sources[lowered]
                self.report(
                    Finding(
                        "duplicate_key",
                        f"a second item for '{key}', already at line {first.line} (the first one is used)",
                        file=self.display,
                        line=line,
                    )
                )
                continue
            self.items[lowered] = by_id.get(key, {})
            self.sources[lowered] = Source(key, entry, self.display, line)

    def freeze(self) -> None:
        """Add what this run fetched to the identifiers file: sorted by id, one item per identifier, the
        items already there kept as they are (a hand edit wins); written atomically, and only if new."""
        if not self.new or self.path is None:
            return
        if not self._readable:
            log.warning(
                "%s: not updated (it could not be read); identifiers fetched in this build: %s",
                self.display,
                ", ".join(sorted(self.new)),
            )
            return
        if not self._merge_edits():
            log.warning(
                "%s: not updated (it changed during the build and cannot be read now); identifiers fetched in this"
                " build: %s",
                self.display,
                ", ".join(sorted(self.new)),
            )
            return
        new = [item for key, item in self.new.items() if key not in self.items]
        # Every item of the file stays as it is (repeated ids too); sorting is stable.
        ordered = sorted(
            [*self.raw, *new], key=lambda item: str(item.get("id", "")).lower() if isinstance(item, dict) else ""
        )
        text = json.dumps(ordered, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as error:
            log.warning("%s: could not be written (%s)", self.display, error)
            return
        self.raw, self._text = ordered, text
        self.items.update({key: item for key, item in self.new.items() if key not in self.items})
        self._place(text)
        self.new = {}

    def _place(self, text: str) -> None:
        """The lines of the items just written, for the findings about them made after (checks, online)."""
        lines = {_lowered(key): line for key, _, line in csl_bibliography.read(text, self.display, "json")[0]}
        for key in self.new:
            source = self.added.get(key)
            if source is not None and source.file == self.display and key in lines:
                source.line = lines[key]

    def _merge_edits(self) -> bool:
        """What the file holds now, if it changed since this run read it (a hand edit during the build):
        its items are the ones kept, and only identifiers it lacks are added. False when it cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8") if self.path is not None and self.path.is_file() else None
        except (OSError, UnicodeDecodeError):
            return False
        if text == self._text or text is None:
            return True
        try:
            raw = json_data.loads(text.removeprefix("\ufeff"))
        except ValueError:
            return False
        if not isinstance(raw, list):
            return False
        self.raw = raw
        self.items = {
            _lowered(str(item.get("id"))): item
            for item in raw
            if isinstance(item, dict) and item.get("id") not in (None, "")
        }
        self._text = text
        return True

    # ------------------------------------------------------------------ resolving

    def handles(self, key: str) -> bool:
        return cited_identifier(key) is not None

    def start(self, page_texts: list[str]) -> None:
        """Before the pages render: items of the file that pages mention join the bibliography (so that
        the online checks start on them, and a page result of the check command finds them again), and
        the records of identifiers known nowhere are fetched, PubMed ids batched."""
        mentioned: dict[str, CitedIdentifier] = {}
        for text in page_texts:
            if not MAY_CITE_IDENTIFIER.search(text):
                continue  # most pages: one quick search rather than every key read again
            for key in keys_mentioned(text):
                found = cited_identifier(key)
                if found is not None and not found.problem and self.bibliography.get(key) is None:
                    mentioned.setdefault(found.key.lower(), found)
        to_fetch = []
        for lowered, found in mentioned.items():
            if self._in_bibliography(found) is not None or self.bibliography.get(found.key) is not None:
                continue
            if lowered in self.sources:
                self._add(self.sources[lowered])
            else:
                to_fetch.append(found)
        if to_fetch and self.fetcher is not None:
            self.fetcher.prefetch(to_fetch)

    def resolve(self, key: str, page: str, line: int) -> Source | None:
        """The source an identifier key names, or None (with a finding, unless not an identifier). The key
        as written becomes the source's alias: claims, the report and JSON-LD find the source by it."""
        source = self._resolve(key, page, line)
        if source is not None and key.lower() != source.key.lower():
            self.bibliography.aliases[key.lower()] = source
        return source

    def source_keys(self, keys: list[str]) -> list[str]:
        """Keys as written (a claim's) as the keys of their sources, once each, in order."""
        resolved = []
        for key in keys:
            source = self.bibliography.get(key) if key.lower() in self.bibliography.aliases else None
            resolved.append(source.key if source is not None else key)
        return list(dict.fromkeys(resolved))

    def _resolve(self, key: str, page: str, line: int) -> Source | None:
        found = cited_identifier(key)
        if found is None:
            return None
        why = found.problem
        if why:
            self.page_report(
                Finding("invalid_identifier", f"citation '{key}': {why} (not looked up)", page=page, line=line)
            )
            return None
        entry = self._in_bibliography(found)
        if entry is not None:
            return entry
        lowered = found.key.lower()
        source = self.bibliography.get(found.key) or self.added.get(lowered)
        if source is not None:
            return source
        if lowered in self.sources:
            return self._add(self.sources[lowered])
        if lowered not in self.failed:
            self.failed[lowered] = self._fetch(found)
        if lowered in self.added:
            return self.added[lowered]
        self.page_report(
            Finding("unknown_identifier", f"cannot resolve '{key}': {self.failed[lowered]}", page=page, line=line)
        )
        return None

    def _fetch(self, found: CitedIdentifier) -> str:
        """Fetch a record and add it; returns why not when it is not added."""
        if self.fetcher is None:
            where = f" and not in {self.display}" if self.display else ""
            return f"not in the bibliography{where}, and online checks are off"
        fetched = self.fetcher.get(found)
        if fetched.status != "found":
            return fetched.answer or fetched.status
        item = dict(fetched.item, id=found.key)
        try:
            entry = csl_bibliography.to_entry(found.key, item)
        except Exception as error:  # noqa: BLE001 - a record of a shape never seen: reported, not a traceback
            return f"the record could not be read ({type(error).__name__})"
        source = Source(found.key, entry, self.display or "<identifiers>", 0)
        matched = self._matching_entry(source)
        if matched is not None:
            self.added[found.key.lower()] = matched  # the record is an entry's under another identifier
        else:
            self._add(source)
        self.new[found.key.lower()] = item
        return ""

    def _add(self, source: Source) -> Source:
        matched = self._matching_entry(source)
        lowered = _lowered(source.key)
        if matched is not None:
            self.added[lowered] = matched
            return matched
        self.added[lowered] = source
        if source.key.lower() not in self.bibliography.sources:
            self.bibliography.sources[source.key.lower()] = self.bibliography.added[source.key.lower()] = source
            self.joined()
        return source

    def _matching_entry(self, source: Source) -> Source | None:
        """The bibliography entry with one of this record's identifiers (a PubMed record's DOI)."""
        index = self._entries_by_identifier()
        return next((index[key] for key in identifier_keys(source) if key in index), None)

    def _in_bibliography(self, found: CitedIdentifier) -> Source | None:
        return self._entries_by_identifier().get(found.key.lower())

    def _entries_by_identifier(self) -> dict[str, Source]:
        """The bibliography's entries by identifier key, made on the first identifier citation (a site
        that cites none never pays for it). Entries of BibTeX files are not parsed for it (most entries of
        a large bibliography never are): their files' text is searched for identifier fields, and only
        an entry whose field is not a plain value (a macro, `\\url{}`, an address) is parsed."""
        if self._index is None:
            index: dict[str, Source] = {}
            self._index = index
            found = _scanned(self.bibliography)
            for lowered, source in self.bibliography.sources.items():
                if lowered in self.bibliography.added:
                    continue
                keys = found.get(id(source))
                for key in identifier_keys(source) if keys is None else keys:
                    index.setdefault(key, source)
        return self._index

    # ------------------------------------------------------------------ notices without the online checks

    def notices(self, key: str) -> list[dict]:
        """The retraction and correction notices the identifiers file keeps for an item."""
        lowered = _lowered(key)
        item = self.items.get(lowered) or self.new.get(lowered) or {}
        notices = item.get(NOTICES_FIELD)
        return [n for n in notices if isinstance(n, dict)] if isinstance(notices, list) else []

    def status_html(self, key: str) -> str:
        """Readers' marks from the file's notices, for builds without online checks (with them, the
        checks' own marks say the same from today's records)."""
        notices = self.notices(key)
        return marks_html(notices, self.retracted(key))

    def retracted(self, key: str) -> bool:
        return any(str(n.get("type")) in RETRACTING and n.get("about", "this") == "this" for n in self.notices(key))

    def retracted_sources(self, cited: set[str]) -> list[Source]:
        """The file's items the site cites that its notices say are retracted."""
        return [
            source
            for lowered, source in self.added.items()
            if source.key.lower() in cited and source.file == self.display and self.retracted(lowered)
        ]

    def offline_findings(self, cited: set[str]) -> list[Finding]:
        """Retracted items of the file that the site cites, for builds without online checks."""
        return [
            Finding(
                "retracted_source",
                f"entry '{source.key}' is retracted (notice kept in {self.display})",
                file=source.file,
                line=source.line or None,
            )
            for source in self.retracted_sources(cited)
        ]


# An identifier field of a BibTeX entry and the start of its value.
FIELD = re.compile(rb"(?<![\w-])(doi|pmid|pmcid|isbn)\s*=\s*")  # searched in the lower-cased text
PLAIN_VALUE = re.compile(rb"[{\"]\s*([^{}\"\s\\]+)\s*[}\"]")


def _scanned(bibliography: Bibliography) -> dict[int, list[str]]:
    """Identifier keys of BibTeX entries read from their files' bytes, by id() of their Source; an
    entry missing here (a CSL item, a field that is not a plain value, an unreadable file) is parsed."""
    spans: dict[int, list[tuple[int, int, Source]]] = {}
    texts = {id(text): text for text in bibliography.texts.values()}
    for lowered, source in bibliography.sources.items():
        span, text = source.span, getattr(source, "_text", None)
        if span is not None and text is not None and lowered not in bibliography.added:
            spans.setdefault(id(text), []).append((span[0], span[1], source))
    found: dict[int, list[str]] = {}
    for text_id, entries in spans.items():
        try:
            data = texts[text_id].path.read_bytes().lower()  # identifiers are case-insensitive (keys are lower-cased)
        except (KeyError, OSError):
            continue
        entries.sort(key=lambda entry: entry[0])
        starts = [entry[0] for entry in entries]
        plain: dict[int, list[str]] = {id(source): [] for _, _, source in entries}
        for match in FIELD.finditer(data):
            at = bisect.bisect_right(starts, match.start()) - 1
            if at < 0 or match.start() >= entries[at][1]:
                continue  # outside any entry (a comment)
            source = entries[at][2]
            value = PLAIN_VALUE.match(data, match.end())
            identifier = (
                cited_identifier(f"{match.group(1).decode()}:{value.group(1).decode('utf-8', 'replace')}")
                if value
                else None
            )
            if identifier is None or identifier.problem or id(source) not in plain:
                plain.pop(id(source), None)  # read it properly
                continue
            plain[id(source)].append(identifier.key.lower())
        found.update(plain)
    return found


def attach(engine: Engine, identifiers: IdentifierCitations) -> None:
    """The engine's hook (Engine.resolve) and, without online checks, the readers' marks."""
    engine.resolve_identifiers_with(identifiers)
    identifiers.bind(engine.report, lambda: _relabel(engine))  # findings to whoever hears the engine's at the time
    if identifiers.fetcher is None:
        engine.add_status_provider(identifiers.status_html)


def _relabel(engine: Engine) -> None:
    """Labels made over the whole bibliography (author-year's 1987a/1987b, alpha's Onj87a) are made on
    first use and kept: a source joining it during the build (a record fetched when a page cites it)
    needs them made again."""
    engine.labeller.forget()
