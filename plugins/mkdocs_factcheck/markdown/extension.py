"""The Python-Markdown extension: citations, claims and bibliographies in one page.

It works on its own (Zensical, mkdocstrings, plain Python-Markdown), loading the bibliography itself;
under the MkDocs plugin it shares the plugin's engine, so the whole site has one bibliography, one
numbering and one list of findings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import partial
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from mkdocs_factcheck.core.bibliography.entry_filter import EntryFilter
from mkdocs_factcheck.core.bibliography.files import BibliographyError
from mkdocs_factcheck.core.citations.engine import Engine, PageState
from mkdocs_factcheck.core.citations.syntax import CitationGroup, example_labels
from mkdocs_factcheck.core.claims.claim import Claim, ClaimIds, claim_findings, source_caveat
from mkdocs_factcheck.core.claims.corrections import claim_corrections
from mkdocs_factcheck.core.claims.scale import Scale, ScaleError
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.pybtex_formatter import StyleError
from mkdocs_factcheck.core.formatting.reference_html import unique_entry_ids
from mkdocs_factcheck.core.page_lines import front_matter_line, lines_before, unix_lines
from mkdocs_factcheck.core.settings import EXTENSION, Settings, SettingsError, default_of, options_of, settings_from
from mkdocs_factcheck.markdown.attribute_guard import (
    CLAIM_ATTRIBUTES,
    HoldClaimAttributes,
    PutBackClaimAttributes,
    unread,
)
from mkdocs_factcheck.markdown.bibliography_markers import BibliographyMarkerProcessor
from mkdocs_factcheck.markdown.blocks import FencedDivProcessor
from mkdocs_factcheck.markdown.claim_elements import (
    BadgePlacer,
    append_inline,
    badge,
    badge_placement,
    citations_in,
    cited_keys,
    following_citations,
    has_class,
    plain_text,
)
from mkdocs_factcheck.markdown.cleanup import PlaceholderCleanup, RestoreEncoded
from mkdocs_factcheck.markdown.corrections_section import REVIEW_ATTRIBUTES, add_review_details, corrections_section
from mkdocs_factcheck.markdown.csl_citations import render_csl_citation, requests_for
from mkdocs_factcheck.markdown.elements import (
    PENDING,
    bibliography_container,
    finding_element,
    pending_citation,
    pending_in_reading_order,
    render_citation,
)
from mkdocs_factcheck.markdown.headings import anchor_headings_without_citations
from mkdocs_factcheck.markdown.inline import (
    AtEscapeProcessor,
    BracketedSpanProcessor,
    CitationProcessor,
    malformed_claim_finding,
)
from mkdocs_factcheck.markdown.needed import unsourced_sentences
from mkdocs_factcheck.markdown.page_extras import PageFinisher, TreeDone, add_page_extras
from mkdocs_factcheck.markdown.standalone import StandaloneSite, log, standalone_site

# Where the plugin puts the site's bibliography (with the block's filter and title), once every page is rendered.
SITE_BIBLIOGRAPHY_MARKER = "<!-- factcheck:site-bibliography {filter}|{title} -->"
SITE_BIBLIOGRAPHY_MARKER_RE = re.compile(r"<!-- factcheck:site-bibliography (?P<filter>[^|>]*)\|(?P<title>[^>]*) -->")
SAFE_TITLE = re.compile(r"[<>|-]")  # a title travels in an HTML comment
# Under the plugin a page's bibliography list is written into the page's HTML only after Material's
# search plugin has read the page: it would parse every entry for nothing (page bibliographies are kept
# out of the index), and the page's content stays smaller in memory.
# Each marker names the page state it belongs to (its index in `engine.pages`): a Markdown conversion
# nested in a page (mkdocstrings, excerpts) has a state of its own.
PAGE_BIBLIOGRAPHY_MARKER = "<!-- factcheck:page-bibliography:{index} -->"
PAGE_BIBLIOGRAPHY_MARKER_RE = re.compile(r"<!-- factcheck:page-bibliography:(\d+) -->")
# The names a site lists the extension by under `markdown_extensions`.
EXTENSION_NAMES = ("mkdocs_factcheck", "mkdocs_factcheck.markdown", "mkdocs_factcheck.markdown.extension")


class SourceCapture(Preprocessor):
    """Keeps the page's Markdown as written, to give line numbers, and starts the page's state."""

    def __init__(self, extension: FactcheckExtension, md: Markdown):
        super().__init__(md)
        self.extension = extension

    def run(self, lines):
        self.extension.start_page(self.md, unix_lines("\n".join(lines)))  # before Python-Markdown normalises them (30)
        return lines


class FactcheckTreeprocessor(Treeprocessor):
    """After inline processing: claims get their sources and badges, the bibliography is placed, and
    uncited check-worthy sentences are reported."""

    def __init__(self, extension: FactcheckExtension, md: Markdown):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        page: PageState | None = getattr(self.md, "factcheck_page", None)
        if page is None:
            return
        try:
            self.process_page(root, page)
        finally:
            self.extension.unmute()

    def process_page(self, root: etree.Element, page: PageState) -> None:
        engine = self.extension.get_engine()
        self.render_citations(root, page, engine)
        anchor_headings_without_citations(self.md, root)
        hint = "" if "attr_list" in self.md.treeprocessors else " (a paragraph's {: ...} needs the attr_list extension)"
        for written in unread(self.md.treeprocessors["factcheck_hold_attributes"]):  # type: ignore[arg-type]
            self.extension.malformed_claim(self.md, written.strip(), CLAIM_ATTRIBUTES.search(written)[1], hint)  # type: ignore[index]
        self.process_claims(root, page, engine)
        if self.extension.getConfig("citation_needed") and self.extension.page_options.get("citation_needed", True):
            for sentence, why, block in unsourced_sentences(root):
                line = page.locator.line_of_words(sentence)
                short = sentence if len(sentence) <= 80 else sentence[:77] + "..."
                self.report(
                    Finding(
                        "citation_needed",
                        f"citation needed: '{short}' has {why} but no source",
                        page=page.src_path or "<page>",
                        line=line,
                    ),
                    block,
                )
        corrections_section(
            root, self.extension.scale, page, engine, self.extension.current_context.get("meta") or {}, self.md
        )
        self.place_bibliography(root, page, engine)
        if not self.extension.host_writes_page_extras:
            add_page_extras(self.extension, self.md, root, page)
        page.rendered()

    def render_citations(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """Number and render every pending citation, in the order a reader meets them."""
        in_links = {id(span) for link in root.iter("a") for span in link.iter("span")}  # links cannot nest
        if engine.csl is not None:
            self.render_csl_citations(root, page, engine, in_links)
            return
        for span, group, resolved in self.resolved_citations(root, page, engine):
            render_citation(
                span, group, resolved, engine.mode, engine.words["unresolved"], linked=id(span) not in in_links
            )
            self.show_unknown(span, resolved, page, engine)

    def resolved_citations(self, root: etree.Element, page: PageState, engine: Engine):
        """(span, group, resolved cites) of each pending citation, in reading order."""
        for span in pending_in_reading_order(root):
            group = page.pending[int(span.attrib.pop(PENDING))]
            if self.extension.read_groups is not None:
                self.extension.read_groups.append(group)
            yield span, group, engine.resolve(page, group)

    def show_unknown(self, span: etree.Element, resolved: list, page: PageState, engine: Engine) -> None:
        """An unknown key's finding, next to its citation (editors, during `serve`)."""
        for cite in resolved:
            if not cite.resolved:
                line = next(r.line for r in reversed(page.citations) if r.key == cite.key)
                self.show(
                    Finding(
                        "unknown_key", engine.unknown_key_message(cite.key), page=page.src_path or "<page>", line=line
                    ),
                    span,
                )

    def render_csl_citations(self, root: etree.Element, page: PageState, engine: Engine, in_links: set[int]) -> None:
        """The page's citations as one document for the CSL style (see `Engine.csl_citations`)."""
        work = [
            (span, group, resolved, requests_for(span, group, resolved))
            for span, group, resolved in self.resolved_citations(root, page, engine)
        ]
        assert engine.csl is not None
        rendered = engine.csl_citations(
            page, [requests for *_, requests in work], [resolved for _, _, resolved, _ in work]
        )
        failed = frozenset(engine.csl.failed_keys)  # found while formatting this page, or before
        for index, (span, group, resolved, _) in enumerate(work):
            linked = id(span) not in in_links
            if rendered is None:
                render_citation(span, group, resolved, engine.mode, engine.words["unresolved"], linked=linked)
            else:
                render_csl_citation(span, group, resolved, rendered[index], engine.words["unresolved"], linked, failed)
            self.show_unknown(span, resolved, page, engine)

    # ---------------------------------------------------------------- claims

    def process_claims(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """Each claim of the page: its sources (the citations in it, and those right after an inline
        claim in its sentence), its id, its verdict and its badge."""
        claims = [e for e in root.iter() if has_class(e, "claim")]
        if not claims:
            return  # most pages: the two walks of the whole page below serve claims only
        parents = {child: parent for parent in root.iter() for child in parent}
        ids = ClaimIds({element.get("id") for element in root.iter() if element.get("id")})
        placer = BadgePlacer()
        meta = self.extension.current_context.get("meta") or {}
        summarised = self.extension.getConfig("summary") and meta.get("factcheck_summary", True)
        page_review = (
            (str(meta.get("reviewer") or ""), str(meta.get("reviewed") or "")) if summarised else None
        )  # the summary says it
        for element in claims:
            block = element.tag != "span"
            parent = parents.get(element)
            following = []
            if not block and parent is not None:
                siblings, position = placer.siblings(parent, element)
                following = following_citations(siblings, position)
            claim, duplicate = self._claim(
                element, page, engine, block, cited_keys(citations_in(element) + following), ids
            )
            placement = badge_placement(element, block)
            anchor = following[-1] if following else element  # the badge goes after it
            stop_follows = (anchor.tail or "").lstrip().startswith(".")
            verdict_element = badge(
                self.extension.scale,
                claim.verdict,
                claim.note,
                placement,
                claim.caveat,
                claim.id,
                self.extension.claim_status_slots,
                stop_follows,
            )
            add_review_details(
                verdict_element,
                self.extension.scale,
                claim,
                claim_corrections(engine.ledger, claim),
                engine.reviewers,
                engine.words,
                page_review,
                placement == "sentence" and stop_follows,
            )
            for finding in claim_findings(
                claim, self.extension.scale, [key in engine.bibliography for key in claim.cites]
            ):
                self.report(finding, verdict_element)
            if duplicate is not None:
                self.show(duplicate, verdict_element)
            if placement == "block":
                element.insert(0, verdict_element)  # heads the block, before its first paragraph
            elif placement == "end":
                append_inline(element, verdict_element)
            elif parent is None:
                element.append(verdict_element)
            else:  # after the citations that follow the claim in its sentence
                placer.after(parent, anchor, verdict_element)
        placer.insert_all()

    def _claim(
        self, element: etree.Element, page: PageState, engine: Engine, block: bool, keys: list[str], ids: ClaimIds
    ) -> tuple[Claim, Finding | None]:
        """The claim an element marks, read from its attributes and words, and the finding of its id if
        another claim has it; the element gets its id and verdict (the site's scale colours it)."""
        source = element.attrib.pop("data-factcheck-source", "")
        line = page.locator.line_of(source) if source else page.locator.line_of_words(plain_text(element))
        verdict = element.get("data-verdict") or element.attrib.pop("verdict", None)
        note = element.get("data-note") or element.attrib.pop("note", None) or ""
        text = plain_text(element)
        claim_id = element.get("id")
        derived = not claim_id
        if not claim_id:
            claim_id = ids.derived(text)
            element.set("id", claim_id)
        duplicate = None
        if not self.extension.echoing:  # an excerpt repeats a page's claims: their ids are that page's
            duplicate = engine.claim_id_taken(claim_id, page.src_path, line, derived)
        ids.used.add(claim_id)
        scale_verdict = self.extension.scale.get(verdict)
        element.set("data-verdict", scale_verdict.name if scale_verdict else "unrated")
        if scale_verdict:
            element.set("style", f"--verdict-color: {scale_verdict.color}")
        caveat = source_caveat(keys, [key in engine.bibliography for key in keys])
        claim = Claim(
            claim_id,
            text,
            verdict,
            note,
            page.src_path,
            line,
            keys,
            page.url,
            block,
            caveat,
            derived_id=derived,
            **self._review_attributes(element),
        )
        page.claims.append(claim)
        return claim, duplicate

    def _review_attributes(self, element: etree.Element) -> dict[str, Any]:
        """Reviewer, review date, correction and update: the claim's attributes (taken out of the
        HTML), the page's front matter `reviewer` and `reviewed` as defaults."""
        meta = self.extension.current_context.get("meta") or {}
        found = {}
        for name in REVIEW_ATTRIBUTES:
            value = element.attrib.pop("data-" + name, None) or element.attrib.pop(name, None)
            if value is None and name in ("reviewer", "reviewed") and meta.get(name) is not None:
                value = str(meta[name])
            found[name] = (value or "").strip()
        return found

    def report(self, finding: Finding, near: etree.Element | None = None) -> None:
        """Report a finding; with `show_findings` (editors, during `mkdocs serve`) also show it in the page."""
        self.extension.get_engine().report(finding)
        if near is not None:
            self.show(finding, near)

    def show(self, finding: Finding, near: etree.Element) -> None:
        severity = self.extension.get_engine().severity_of(finding.kind)
        if self.extension.show_findings and severity != "ignore":
            near.append(finding_element(finding, severity))

    # ---------------------------------------------------------------- bibliography

    def place_bibliography(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """The page's bibliography where `::: {#refs}` is (or at the end); each `::: {#refs scope=site}`
        block (a page may have several, each with its filter) lists the site's entries."""
        slots = [e for e in root.iter("div") if e.get("id") == "refs"]
        site_slots = [slot for slot in slots if slot.get("data-scope") == "site"]
        taken: set[str] = set()  # the entries' ids in the page's site blocks so far
        for number, slot in enumerate(site_slots, 1):
            holder = etree.Element("p")
            attributes = {name.removeprefix("data-"): value for name, value in slot.attrib.items()}
            listing = self.extension.site_bibliography_html(
                engine, EntryFilter.from_attributes(attributes), attributes.get("title")
            )
            holder.text = self.md.htmlStash.store(unique_entry_ids(listing, taken))
            self._fill(slot, holder, "refs" if number == 1 else f"refs-{number}")
        if site_slots:
            return
        page_holder = self.page_bibliography(page, engine)
        if page_holder is None:
            return
        if not slots:
            if self.extension.getConfig("page_bibliography"):
                root.append(page_holder)
            else:
                unlink_citations(root)
            return
        self._fill(slots[0], page_holder, "refs")

    @staticmethod
    def _fill(slot: etree.Element, holder: etree.Element, slot_id: str) -> None:
        slot.clear()
        slot.set("id", slot_id)
        slot.set("class", "factcheck-refs")
        slot.append(holder)

    def page_bibliography(self, page: PageState, engine: Engine) -> etree.Element | None:
        """The container and heading as elements (the table of contents lists the heading); the list as
        stashed HTML, which Python-Markdown neither parses nor serialises again. Under the plugin, the
        list is a marker filled in when the page is written (`PAGE_BIBLIOGRAPHY_MARKER`)."""
        if not page.cited_keys() and not page.nocite:
            return None
        container = bibliography_container(engine.words["bibliography_title"])
        if self.extension.defer_page_bibliography:
            listing = PAGE_BIBLIOGRAPHY_MARKER.format(index=page.index)
        else:
            listing = engine.lists.page(page)
        placeholder = self.md.htmlStash.store(listing)
        if len(container):
            container[-1].tail = placeholder  # after the heading
        else:
            container.text = placeholder
        return container


class FactcheckExtension(Extension):
    def __init__(self, **kwargs) -> None:
        # The options are the extension's share of the one declaration (core/settings.py).
        self.config = {
            option.name: [{} if option.name == "online" else default_of(option), option.metadata["doc"]]
            for option in options_of(Settings, EXTENSION)
        }
        super().__init__(**kwargs)
        # Set by a host (the MkDocs plugin, the check command, pages read ahead), else by the extension itself:
        self.engine: Engine | None = None  # the host's engine, for the whole site (standalone: None)
        self.page_context: dict = {}  # src_path, line_offset and url of the page being rendered (from a host)
        self.page_options: dict = {}  # per-page switches from front matter (`factcheck: {citation_needed: false}`)
        self.show_findings = False  # findings shown in the page itself (the plugin, during `mkdocs serve`)
        self.defer_page_bibliography = False  # a page's bibliography is a marker the host fills in (or ignores)
        self.host_writes_page_extras = False  # the host writes summary, JSON-LD and assets (see page_extras.py)
        self.current_context: dict = {}  # the page being converted: src_path, url, meta, site_url, ...
        self.claim_status_slots = False  # badges keep a slot for the online checks' findings, filled later
        self.read_groups: list[CitationGroup] | None = None  # when a list: every group read, in reading order
        self.scale = Scale(self.getConfig("verdicts") or None)
        self._standalone: StandaloneSite | None = None
        self._page_engine: Engine | None = None  # standalone: the engine of the page being converted
        self._muted = False  # while a conversion of no page runs (start_page), findings go nowhere

    @classmethod
    def hosted(cls, engine: Engine, scale: Scale, **options) -> FactcheckExtension:
        """The extension as a host runs it (the plugin, the check command, pages read ahead): bound to
        the host's engine, page bibliographies left as markers, the summary, JSON-LD and assets left to
        the host."""
        extension = cls(**options)
        extension.engine = engine
        extension.scale = scale
        extension.defer_page_bibliography = True
        extension.host_writes_page_extras = True
        return extension

    def enter_page(self, context: dict) -> None:
        """The page a host converts next: `src_path`, `line_offset`, `url`, `meta` (its front matter,
        whose `factcheck:` mapping holds the page's switches) and `front_matter_line` (a front matter
        key's line in the file)."""
        self.page_context = context
        self.page_options = page_switches(context.get("meta"))

    def setConfig(self, key, value) -> None:  # noqa: N802 - Python-Markdown's name
        """An unknown option is said once and left out; Python-Markdown's KeyError would end a Zensical
        build with a traceback."""
        if key not in self.config:
            message = f"mkdocs_factcheck: unknown option '{key}' (options: {', '.join(sorted(self.config))})"
            if message not in _REPORTED_OPTIONS:
                _REPORTED_OPTIONS.add(message)
                log.error(message)
            return
        super().setConfig(key, value)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)
        md.preprocessors.register(SourceCapture(self, md), "factcheck_source", 35)
        # Fenced divs go before the indented-code (80) and paragraph processors, after empty-line handling.
        md.parser.blockprocessors.register(FencedDivProcessor(md.parser, self), "factcheck_div", 85)
        md.parser.blockprocessors.register(
            BibliographyMarkerProcessor(md.parser, self), "factcheck_bibliography_marker", 84
        )
        # `\@` after autolinks (120) and automail (110), which own the @ they hold.
        md.inlinePatterns.register(AtEscapeProcessor(md), "factcheck_escape", 105)
        # Spans and citations after code (190), escapes (180), links (160), autolinks and raw HTML (90) and
        # entities (80), whose text is then opaque; before emphasis (70, 60), which then renders inside
        # prefixes and suffixes; spans first, so their text is then searched for citations.
        md.inlinePatterns.register(BracketedSpanProcessor(self, md), "factcheck_span", 78)
        md.inlinePatterns.register(CitationProcessor(self, md), "factcheck_citation", 77)
        # A paragraph's `{: .claim ...}` line skips the inline pass (20) and is back for attr_list (8).
        holder = HoldClaimAttributes(md)
        md.treeprocessors.register(holder, "factcheck_hold_attributes", 25)
        md.treeprocessors.register(PutBackClaimAttributes(md, holder), "factcheck_put_back_attributes", 8.5)
        # Escapes decoded and raw HTML placeholders taken out of claims' text and notes, before claims
        # and the citation-needed check read them (Python-Markdown itself decodes escapes at 0).
        cleanup = PlaceholderCleanup(md)
        md.treeprocessors.register(cleanup, "factcheck_cleanup", 7.5)
        # After inline processing (20) and attr_list (8), so `{: .claim}` on a paragraph is seen too.
        md.treeprocessors.register(FactcheckTreeprocessor(self, md), "factcheck_tree", 7)
        md.treeprocessors.register(RestoreEncoded(md, cleanup), "factcheck_restore", 6.9)
        # After raw HTML is put back (30): the page's final HTML, once the tree phase is over (TreeDone).
        md.treeprocessors.register(TreeDone(md), "factcheck_tree_done", -1000)
        md.postprocessors.register(PageFinisher(self, md), "factcheck_finish", 5)

    # ---------------------------------------------------------------- engine and pages

    def get_engine(self) -> Engine:
        """The plugin's (or check command's) engine, or (standalone) the one every page with these options
        shares, as it was when the page started (a bibliography edited mid-page counts from the next)."""
        if self.engine is not None:
            return self.engine
        if self._page_engine is not None:
            return self._page_engine
        return self.standalone().current().engine

    def standalone(self) -> StandaloneSite:
        if self._standalone is None:
            try:
                settings = settings_from(self.getConfigs(), EXTENSION)
            except SettingsError as error:
                raise ExtensionError(f"mkdocs_factcheck: {error}") from None
            self._standalone = standalone_site(settings, Path.cwd())
        return self._standalone

    def start_page(self, md: Markdown, markdown: str) -> None:
        self.unmute()  # a conversion before that stopped midway
        context = self.page_context or self._host_context(md, markdown)
        self.current_context = context
        self._page_engine = None
        if self.engine is not None:
            engine = self.engine
            if not context.get("src_path"):
                # Another plugin converting no page of ours (Material's blog renders a post's excerpt
                # again): rendered as the site renders it, but its findings are the page's, told there.
                self._muted = True
                engine.redirect_reports(_ignore)
        else:
            self.claim_status_slots = not self.host_writes_page_extras  # filled from the online cache (PageFinisher)
            self.page_options = page_switches(context.get("meta"))
            try:
                engine = self._page_engine = self.standalone().start_page().engine
            except (BibliographyError, StyleError, ScaleError, ExtensionError) as error:
                # No host to stop: say it once (until it works again), and leave the citations as written.
                if str(error) not in _REPORTED_ERRORS:
                    _REPORTED_ERRORS.add(str(error))
                    log.error(
                        "mkdocs_factcheck: %s; citations are left as written",
                        str(error).removeprefix("mkdocs_factcheck: "),
                    )
                md.factcheck_page = None  # type: ignore[attr-defined]
                return
            _REPORTED_ERRORS.clear()  # fixed: a later breakage is reported again (`zensical serve`)
        page = md.factcheck_page = engine.start_page(
            context.get("src_path"), markdown, context.get("line_offset", 0), context.get("url", "")
        )  # type: ignore[attr-defined]
        nocite = (context.get("meta") or {}).get("nocite")
        if nocite:
            line_of = context.get("front_matter_line")  # a host's: the line of a front matter key in the file
            engine.list_without_citing(page, nocite, line_of("nocite") if line_of else 1)
        md.factcheck_examples = example_labels(markdown)  # type: ignore[attr-defined]

    @property
    def echoing(self) -> bool:
        """A host's conversion of no page of ours is running (see `start_page`)."""
        return self._muted

    def unmute(self) -> None:
        if self._muted and self.engine is not None:
            self.engine.restore_reports()
            self._muted = False

    @staticmethod
    def examples(md: Markdown) -> frozenset[str]:
        """The page's example-list labels: `(@good)` is pandoc's example, not a citation."""
        return getattr(md, "factcheck_examples", frozenset())

    def malformed_claim(self, md: Markdown, source: str, attributes: str, hint: str = "") -> None:
        """A claim whose attributes cannot be read stays text, and the editor is told where."""
        page: PageState | None = getattr(md, "factcheck_page", None)
        line = page.locator.line_of(source) if page is not None else None
        path = (page.src_path if page is not None else None) or "<page>"
        self.get_engine().report(malformed_claim_finding(path, line or 1, attributes, hint))

    @staticmethod
    def _host_context(md: Markdown, markdown: str) -> dict:
        """Zensical tells each page's Markdown which file it renders; plain Python-Markdown does not."""
        from mkdocs_factcheck.zensical.context import page_context

        context = page_context(md) or {}
        if context.get("file"):
            try:
                text = Path(context["file"]).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                return context
            context["line_offset"] = lines_before(text, markdown)
            context["front_matter_line"] = partial(front_matter_line, text)
        return context

    def citation(self, md: Markdown, group: CitationGroup) -> etree.Element:
        """A pending citation: the tree processor numbers and renders it later, in document order
        (Python-Markdown's inline pass reaches nested blocks, such as admonitions, after their siblings)."""
        page: PageState | None = getattr(md, "factcheck_page", None)
        if page is None:  # the extension could not start (reported once): the text stays as written
            kept = etree.Element("span")
            kept.text = AtomicString(group.source)
            return kept
        span = pending_citation(group, len(page.pending))
        page.pending.append(group)
        return span

    def site_bibliography_html(self, engine: Engine, entry_filter: EntryFilter, title: str | None) -> str:
        if self.engine is not None:  # the plugin fills it in once every page is rendered
            return SITE_BIBLIOGRAPHY_MARKER.format(
                filter=entry_filter.marker_text(), title=SAFE_TITLE.sub("", title) if title is not None else ""
            )
        docs_dir = self.current_context.get("docs_dir")
        if docs_dir and self._standalone is not None:  # Zensical: the records the site's pages cite by identifier
            self._standalone.join_cited_identifiers(Path(docs_dir))
        return engine.lists.site(lambda key: [], entry_filter, title)


_REPORTED_ERRORS: set[str] = set()  # the extension cannot start: once until it works again
_REPORTED_OPTIONS: set[str] = set()  # unknown options: once per process (Zensical makes an extension per page)


class ExtensionError(Exception):
    """The extension cannot run (its bibliography, style or scale); one message, no traceback of ours."""


def _ignore(finding: Finding) -> None:
    pass


def unlink_citations(root: etree.Element) -> None:
    """A page without its bibliography (`page_bibliography: false`, no marker): its citations link to no
    entry, so they are no links (as an unlinked citation is, its entry stays its `title`)."""
    for link in root.iter("a"):
        if has_class(link, "citation-ref") and link.get("href", "").startswith("#ref-"):
            link.tag = "span"
            del link.attrib["href"]
            link.attrib.pop("role", None)


def page_switches(meta: object) -> dict:
    """A page's own switches, from its front matter (`factcheck: {citation_needed: false}`)."""
    front = meta.get("factcheck") if isinstance(meta, dict) else None
    return front if isinstance(front, dict) else {}


def makeExtension(**kwargs) -> FactcheckExtension:  # noqa: N802 - Python-Markdown's entry point name
    return FactcheckExtension(**kwargs)
