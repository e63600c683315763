"""The citation engine of one build: bibliography, style, labels and words, shared by every page."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs_factcheck.core.bibliography.files import Bibliography
from mkdocs_factcheck.core.citations.bibliography_lists import BibliographyLists
from mkdocs_factcheck.core.citations.labels import Labeller, Numbering
from mkdocs_factcheck.core.citations.syntax import KEY_RE, CitationGroup
from mkdocs_factcheck.core.findings import Finding, Reporter
from mkdocs_factcheck.core.formatting.csl import inlines
from mkdocs_factcheck.core.formatting.csl.documents import CiteRequest, Document, DocumentResult
from mkdocs_factcheck.core.formatting.csl.processor import CSLFormatter
from mkdocs_factcheck.core.formatting.csl.site_document import SiteDocument
from mkdocs_factcheck.core.formatting.csl.styles import choose, pybtex_name
from mkdocs_factcheck.core.formatting.pybtex_formatter import EntryFormatter, latex_to_text, load_style
from mkdocs_factcheck.core.formatting.reference_html import ResolvedCite, anchor_slug
from mkdocs_factcheck.core.page_lines import SourceLocator

if TYPE_CHECKING:
    from mkdocs_factcheck.core.citations.by_identifier import IdentifierCitations
    from mkdocs_factcheck.core.claims.ledger import Ledger

DEFAULT_WORDS = {
    "bibliography_title": "References",
    "unresolved": "Unknown reference",
    "back_to_citation": "Back to citation",
}


@dataclass
class CitationRecord:
    """One cite of a key in a page, as the report and the back-links need it."""

    key: str
    anchor: str
    line: int
    resolved: bool
    group_source: str


@dataclass
class PageState:
    """What one page's conversion learns: its citations (in order) and its claims."""

    src_path: str | None
    locator: SourceLocator
    numbering: Numbering
    url: str = ""
    index: int = 0  # its place in the engine's pages: what a page-bibliography marker names
    citations: list[CitationRecord] = field(default_factory=list)
    pending: list[CitationGroup] = field(default_factory=list)  # parsed, not yet rendered (see extension)
    claims: list = field(default_factory=list)
    nocite: list[str] = field(default_factory=list)  # keys the page lists without citing them (front matter)
    csl: DocumentResult | None = None  # the page as the CSL style formatted it
    _anchor_counts: dict[str, int] = field(default_factory=dict)

    def rendered(self) -> None:
        """The page is converted: what was kept to render it (its Markdown, parsed groups) can go; the
        site keeps every page's state until the build ends."""
        self.pending.clear()
        self.locator.forget()

    def next_anchor(self, key: str) -> str:
        count = self._anchor_counts.get(key.lower(), 0) + 1
        self._anchor_counts[key.lower()] = count
        return f"cite-{anchor_slug(key)}-{count}"

    def citations_by_key(self) -> dict[str, list[CitationRecord]]:
        """Resolved citations grouped by lower-cased key, in page order (the back-links of each entry)."""
        grouped: dict[str, list[CitationRecord]] = {}
        for record in self.citations:
            if record.resolved:
                grouped.setdefault(record.key.lower(), []).append(record)
        return grouped

    def backlinks(self) -> Callable[[str], list[tuple[str, str]]]:
        """Each entry's back-links from this page: (`#anchor`, the citation as written), in page order."""
        by_key = self.citations_by_key()
        return lambda key: [("#" + record.anchor, record.group_source) for record in by_key.get(key.lower(), [])]

    def cited_keys(self) -> list[str]:
        seen: dict[str, str] = {}
        for record in self.citations:
            if record.resolved:
                seen.setdefault(record.key.lower(), record.key)
        return list(seen.values())


class Engine:
    """Formats and labels citations for every page of one build."""

    def __init__(
        self,
        bibliography: Bibliography,
        style: str = "unsrt",
        mode: str = "numeric",
        numbering: str = "page",
        words: dict | None = None,
        report: Reporter | None = None,
        store=None,
        title_case: str = "as-written",
        *,
        base: Path | None = None,
        locale: str = "",
        csl_store=None,
        severity_of: Callable[[str], str] | None = None,
        ledger: Ledger | None = None,
        reviewers: dict | None = None,
        page_prefix: str = "",
    ):
        """`style` is a pybtex style or a CSL one (see `citeproc/styles.py`), `base` the folder a `.csl`
        path is relative to, `page_prefix` how the host names the docs folder before a page's path (the
        check command: `docs/`). With a CSL style, pybtex still gives the plain text the report shows."""
        self.bibliography = bibliography
        self.style_option, self.base, self.locale = style, base, locale  # as given: `collecting_copy` makes another
        kind, csl_style = choose(style, base or Path.cwd())
        self.style_name = pybtex_name(style) if kind == "pybtex" else "unsrt"
        self.title_case = title_case
        self.style = load_style(self.style_name, title_case)
        self.csl: CSLFormatter | None = None
        if csl_style is not None:
            self.csl = CSLFormatter(csl_style, locale, bibliography, self._report_once, csl_store)
            mode = "numeric" if csl_style.numeric else "author-year"  # the style decides
        self.mode = mode
        self.numbering_scope = numbering
        self.words = {**DEFAULT_WORDS, **(words or {})}
        self._reporters: list[Reporter] = [report or (lambda finding: None)]  # the last one hears findings
        self.ledger: Ledger | None = ledger  # the published record, for the corrections readers see
        self.reviewers: dict = dict(reviewers or {})  # the site's reviewers by id
        self.severity_of = severity_of or (
            lambda kind: "warning"
        )  # the site's Findings knows the configured severities
        self.formatter = EntryFormatter(bibliography, self.style, self._report_once, store)
        self.formatter.style_gaps_reported = self.csl is None
        self.labeller = Labeller(bibliography, self.style, mode, self.formatter.authors)
        self.site_numbering = Numbering() if numbering == "site" else None
        # The host's way to read the pages still to come, for formatting them together (`csl_citations`).
        self.csl_prefetch: Callable[[Engine, str | None], list[Document]] | None = None
        self.csl_site: SiteDocument | None = None  # the site as one CSL document (`use_site_document`)
        self.pages: list[PageState] = []
        self.claim_ids: dict[str, str] = {}  # every claim id of the site so far, and where it is: `page:line`
        self.page_prefix = page_prefix  # before a page's path in a message that names another place
        self.status_providers: list = []  # callables key -> HTML shown on an entry (retracted, unverified)
        self.cite_listeners: list = []  # callables Source -> None, told once per entry when first cited
        self.identifiers: IdentifierCitations | None = None  # resolves `@doi:...` keys (identifier_citations.py)
        self._cited: set[str] = set()
        self._reported: set = set()
        self._unknown_messages: dict[str, str] = {}  # see unknown_key_message
        self._csl_entries = inlines.RenderedEntries()  # shared with the lists: tooltips read the same texts
        self.lists = BibliographyLists(self, self._csl_entries)

    def report(self, finding: Finding) -> None:
        self._reporters[-1](finding)

    @property
    def reporter(self) -> Reporter:
        """Who hears findings now."""
        return self._reporters[-1]

    @contextlib.contextmanager
    def reporting_to(self, reporter: Reporter) -> Iterator[None]:
        """Findings go to `reporter` while the block runs (the check command keeps each page's)."""
        self.redirect_reports(reporter)
        try:
            yield
        finally:
            self.restore_reports()

    def redirect_reports(self, reporter: Reporter) -> None:
        """Findings go to `reporter` until `restore_reports` (a conversion of no page tells nothing)."""
        self._reporters.append(reporter)

    def restore_reports(self) -> None:
        if len(self._reporters) > 1:
            self._reporters.pop()

    def read_pages_ahead_with(self, prefetch: Callable[[Engine, str | None], list[Document]]) -> None:
        """The host's way to read the pages still to come, for formatting them together (`csl_citations`)."""
        self.csl_prefetch = prefetch

    def resolve_identifiers_with(self, identifiers: IdentifierCitations) -> None:
        """`@doi:...` keys are resolved by `identifiers` (see `resolve`)."""
        self.identifiers = identifiers

    def add_cite_listener(self, listener: Callable) -> None:
        """`listener(source)` is told once per entry, when it is first cited."""
        self.cite_listeners.append(listener)

    def add_status_provider(self, provider: Callable[[str], str]) -> None:
        """`provider(key)` gives HTML shown on an entry (retracted, not fully verified), or ""."""
        self.status_providers.append(provider)

    def _report_once(self, finding: Finding) -> None:
        identity = (finding.kind, finding.message, finding.file, finding.line, finding.page)
        if identity not in self._reported:
            self._reported.add(identity)
            self.report(finding)

    # ---------------------------------------------------------------- the site so far

    def claims(self) -> list:
        """Every claim of the pages converted, in page order."""
        return [claim for page in self.pages for claim in page.claims]

    def cited_keys(self) -> set[str]:
        """The entries cited by the pages converted (lower-cased keys)."""
        return {record.key.lower() for page in self.pages for record in page.citations if record.resolved}

    def listed_keys(self) -> set[str]:
        """The entries the pages cite or list without citing (`nocite`): all are checked, none is
        uncited (lower-cased keys)."""
        keys = self.cited_keys()
        for page in self.pages:
            keys.update(key.lower() for key in self.nocite_keys(page))
        return keys

    def cited_on(self) -> dict[str, list[str]]:
        """For each entry cited or listed without citing (lower-cased key), the pages that do so, in
        page order."""
        pages: dict[str, list[str]] = {}
        for page in self.pages:
            keys = [record.key for record in page.citations if record.resolved] + self.nocite_keys(page)
            for key in keys:
                if page.src_path and page.src_path not in pages.setdefault(key.lower(), []):
                    pages[key.lower()].append(page.src_path)
        return pages

    def start_afresh(self, report: Reporter) -> None:
        """As if no page had been converted (standalone, where each page is a site of its own): no page
        states, no claim ids, and findings to `report` (said again on a page converted again)."""
        self._reporters = [report]
        self.claim_ids = {}
        self.pages.clear()

    def start_page(self, src_path: str | None, markdown: str, line_offset: int = 0, url: str = "") -> PageState:
        numbering = self.site_numbering or Numbering()
        page = PageState(src_path, SourceLocator(markdown, line_offset), numbering, url, index=len(self.pages))
        self.pages.append(page)
        return page

    # ---------------------------------------------------------------- citations

    def resolve(self, page: PageState, group: CitationGroup) -> list:
        line = page.locator.line_of(group.source)
        resolved = []
        for cite in group.cites:
            source = self.bibliography.get(cite.key)
            identifiers = self.identifiers if source is None else None
            by_identifier = identifiers is not None and identifiers.handles(cite.key)
            if (
                identifiers is not None and by_identifier
            ):  # `@doi:10.x/y`: identifier_citations.py, which reports its own findings
                source = identifiers.resolve(cite.key, page.src_path or "<page>", line)
            if source is None:
                if not by_identifier:
                    self._report_once(
                        Finding(
                            "unknown_key", self.unknown_key_message(cite.key), page=page.src_path or "<page>", line=line
                        )
                    )
                page.citations.append(CitationRecord(cite.key, "", line, False, group.source))
                resolved.append(ResolvedCite(cite.key, False))
                continue
            self.note_cited(source)
            anchor = page.next_anchor(source.key)
            page.citations.append(CitationRecord(source.key, anchor, line, True, group.source))
            resolved.append(ResolvedCite(source.key, True, anchor=anchor))
            if self.csl is None:  # a CSL style labels it with the page's other citations (`csl_citations`)
                self._label(resolved[-1], page)
        return resolved

    def _label(self, cite: ResolvedCite, page: PageState) -> None:
        """Our own label, authors, year and tooltip for a cite (pybtex styles, or a CSL style that failed)."""
        cite.label = self.labeller.label(cite.key, page.numbering)
        cite.authors = self.labeller.authors(cite.key)
        cite.year = self.labeller.year(cite.key) if self.mode == "author-year" else ""
        cite.tooltip = self.formatter.text(cite.key)

    def csl_citations(
        self, page: PageState, groups: list[list[CiteRequest]], resolved: list[list[ResolvedCite]]
    ) -> list[list] | None:
        """The page's citations as the CSL style writes them (pandoc's inlines, one list per group), from
        one document: numbers, disambiguation ("1987a") and "ibid." depend on the page's other citations.
        With site-wide numbers (numeric styles), the entries cited by earlier pages come first, unseen.
        None if the style cannot be used; the caller then labels the page itself."""
        assert self.csl is not None
        site_numbering = self.site_numbering if self.csl.style.numeric else None
        hidden = site_numbering.ordered_keys() if site_numbering is not None else []
        for group in groups:
            for request in group:
                page.numbering.number(request.key)
        if self.csl_site is not None:
            document = Document(groups, [], self.nocite_keys(page), page=page.src_path)
            result = page.csl = (
                self.csl_site.page_part(document) if groups or document.nocite else DocumentResult([], [])
            )
            if self.csl_site.given_up:  # timed out: from here on each page is a document of its own
                self.csl_site = None
        if self.csl_site is None:
            document = Document(groups, hidden, self.nocite_keys(page), page=page.src_path)
            read_ahead = (lambda: self._pages_ahead(page)) if self.csl_prefetch is not None else None
            result = page.csl = self.csl.format_page(document, read_ahead)
        if result is None:
            for group_cites in resolved:  # labelled as without the style
                for cite in group_cites:
                    if cite.resolved:
                        self._label(cite, page)
            return None
        texts = {entry.key: self._csl_entries.of(entry.body)[1] for entry in result.entries}
        for group_cites in resolved:
            for cite in group_cites:
                cite.tooltip = texts.get(cite.key.lower(), "")
        return result.citations

    def use_site_document(self, order: list[str], listed: bool) -> None:
        """The site is one CSL document (see `citeproc/site_document.py`): for a host that reads every
        page ahead (`csl_prefetch`), on a site with a site-wide bibliography. `order`: the pages' paths
        in navigation order; `listed`: a site-wide block lists every entry (as `nocite: "@*"`)."""
        if self.csl is None or self.csl_prefetch is None:
            return
        prefetch, self.csl_prefetch = self.csl_prefetch, None
        self.csl_site = SiteDocument(
            self.csl, lambda: prefetch(self, None), order, (lambda: self.bibliography.keys()) if listed else list
        )

    def _pages_ahead(self, page: PageState) -> list[Document]:
        """The documents of the pages after `page`, read ahead by the host; once a build."""
        prefetch, self.csl_prefetch = self.csl_prefetch, None
        return prefetch(self, page.src_path) if prefetch is not None else []

    def collecting_copy(self) -> Engine:
        """An engine like this one, numbered as far as this one is, whose CSL formatter only notes the
        documents it is given: the host converts the pages still to come with it (see `csl_prefetch`)."""
        copy = Engine(
            self.bibliography,
            self.style_option,
            self.mode,
            self.numbering_scope,
            self.words,
            None,
            None,
            self.title_case,
            base=self.base,
            locale=self.locale,
        )
        assert copy.csl is not None
        copy.csl.collecting()
        copy.csl.failed_keys = set(self.csl.failed_keys) if self.csl is not None else set()
        if self.site_numbering is not None and copy.site_numbering is not None:
            for key in self.site_numbering.ordered_keys():
                copy.site_numbering.number(key)
        return copy

    def nocite_keys(self, page: PageState) -> list[str]:
        """The page's `nocite` keys that are entries; `@*` stands for every entry."""
        keys: list[str] = []
        for key in page.nocite:
            if key == "*":
                keys.extend(self.bibliography.keys())
            elif key in self.bibliography:
                keys.append(self.bibliography.get(key).key)  # type: ignore[union-attr]
        return keys

    def claim_id_taken(self, claim_id: str, page: str | None, line: int, derived: bool = False) -> Finding | None:
        """Claim ids are the site's anchors into pages: a second claim with an id given by hand is
        reported (ids made from a claim's words are made unique on their page instead); the finding is
        returned too, for the page to show next to the claim."""
        other = self.claim_ids.get(claim_id)
        self.claim_ids.setdefault(claim_id, f"{page or '<page>'}:{line}")
        if other is None or derived:
            return None
        finding = Finding(
            "duplicate_claim_id",
            f"claim id '{claim_id}' is used by another claim, at {self.page_prefix}{other}",
            page=page or "<page>",
            line=line,
        )
        self.report(finding)
        return finding

    def note_cited(self, source) -> None:
        """The listeners (online checks) hear of each entry once, when it is first cited."""
        if source.key.lower() not in self._cited:
            self._cited.add(source.key.lower())
            for listener in self.cite_listeners:
                listener(source)

    def restore_page(self, src_path: str, url: str, citations: list[CitationRecord], claims: list) -> PageState:
        """A page as an earlier conversion left it (the check command's page results): its entries are
        cited and formatted again, so that what depends on the whole site (online checks, formatting
        findings, what is cited) is as if the page had been converted."""
        page = self.start_page(src_path, "", 0, url)
        page.citations = citations
        page.claims = claims
        for record in citations:
            source = self.bibliography.get(record.key) if record.resolved else None
            if source is not None:
                self.note_cited(source)
                if self.csl is None:  # formatted as a conversion would (its findings); CSL formats documents
                    self.formatter.text(source.key)
        return page

    def unknown_key_message(self, key: str) -> str:
        """Once per key and build: every citation of an unknown key asks, and the nearest keys are
        searched among all the bibliography's."""
        message = self._unknown_messages.get(key)
        if message is None:
            message = self._unknown_messages[key] = self._unknown_key_message(key)
        return message

    def _unknown_key_message(self, key: str) -> str:
        message = f"unknown citation key '{key}'"
        written = self.bibliography.written_but_unread(key)
        if written is not None:
            return (
                message
                + f" (it is written at {written[0]}:{written[1]}, inside an entry before it that is not closed: see the"
                " syntax error there)"
            )
        close = difflib.get_close_matches(key, self.bibliography.keys(), n=3, cutoff=0.6)
        if close:
            message += " (did you mean " + ", ".join(f"'{k}'" for k in close) + "?)"
        return message

    # ---------------------------------------------------------------- bibliographies

    def entry_title(self, key: str) -> str:
        """An entry's title as plain text (LaTeX decoded), for the report: kept with the entry's pybtex
        forms; with a CSL style, which pybtex does not format, decoded alone."""
        if self.csl is None:
            return self.formatter.title(key)
        source = self.bibliography.get(key)
        assert source is not None
        written = source.raw.fields.get("title", "")
        return self.csl.store.title(written, latex_to_text) if self.csl.store is not None else latex_to_text(written)

    def entry_status(self, key: str) -> str:
        return " ".join(html for provider in self.status_providers if (html := provider(key)))

    def list_without_citing(self, page: PageState, value: object, line: int = 1) -> None:
        """Front matter `nocite: [@a, @b]` or `nocite: "@*"`, as pandoc has it: the entries join the page's
        bibliography without a citation (and are checked like cited ones)."""
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            for match in KEY_RE.finditer(str(text)):
                key = match["braced"] or match["plain"]
                if key == "*":
                    page.nocite.append("*")
                    continue
                source = self.bibliography.get(key)
                if source is None:
                    self._report_once(
                        Finding(
                            "unknown_key",
                            self.unknown_key_message(key) + " (in nocite)",
                            page=page.src_path or "<page>",
                            line=line,
                        )
                    )
                    continue
                self.note_cited(source)
                page.nocite.append(source.key)
