"""The Python-Markdown extension: citations, claims and bibliographies in one page.

It works on its own (Zensical, mkdocstrings, plain Python-Markdown), loading the bibliography itself;
under the MkDocs plugin it shares the plugin's engine, so the whole site has one bibliography, one
numbering and one list of findings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from html import unescape
from pathlib import Path
from types import SimpleNamespace

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import INLINE_PLACEHOLDER_RE, AtomicString

from ..core.bibliography import BibliographyError
from ..core.claims import Claim, claim_findings, slugify, source_caveat
from ..core.engine import Engine, PageState
from ..core.entry_filter import EntryFilter
from ..core.findings import Finding
from ..core.formatting import StyleError
from ..core.jsonld import claim_review_script, review_author
from ..core.locate import lines_before
from ..core.online.report import PLACEHOLDER_RE
from ..core.report import summary_html
from ..core.scale import Scale, ScaleError
from ..core.settings import Settings, SettingsError, settings_from
from ..core.syntax import CitationGroup, example_labels
from .assets import inline_assets
from .blocks import FencedDivProcessor
from .claim_elements import BadgePlacer, append_inline, badge, badge_placement, citations_in, following_citations, has_class, plain_text
from .cleanup import ESCAPED, PlaceholderCleanup, RestoreEncoded
from .csl_citations import render_csl_citation, requests_for
from .elements import PENDING, bibliography_container, pending_citation, render_citation
from .inline import AtEscapeProcessor, BracketedSpanProcessor, CitationProcessor, malformed_claim_finding, run_text
from .needed import unsourced_sentences
from .standalone import StandaloneSite, log, standalone_site

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
        self.extension.start_page(self.md, "\n".join(lines))
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
        engine = self.extension.get_engine()
        self.render_citations(root, page, engine)
        self.process_claims(root, page, engine)
        if self.extension.getConfig("citation_needed") and self.extension.page_options.get("citation_needed", True):
            for sentence, why, block in unsourced_sentences(root):
                line = page.locator.line_of_words(sentence)
                short = sentence if len(sentence) <= 80 else sentence[:77] + "..."
                self.report(Finding("citation_needed", f"citation needed: '{short}' has {why} but no source", page=page.src_path or "<page>", line=line), block)
        self.place_bibliography(root, page, engine)
        if not self.extension.host_writes_page_extras:
            self.add_page_extras(root, page)
        page.rendered()

    def add_page_extras(self, root: etree.Element, page: PageState) -> None:
        """Without the plugin: the fact-check summary under the page's title and the ClaimReview data,
        after the online results cached for the page's sources (a retraction changes a claim's badge)."""
        extension = self.extension
        online = extension.cached_online_report(page)
        self.md.factcheck_online = online  # type: ignore[attr-defined]  # for PageFinisher
        if not page.claims:
            return
        online.claim_findings(page.claims)  # the claims resting only on retracted sources get their words
        for claim in page.claims:
            claim.caveat = claim.caveat or online.claim_caveats.get(claim.id, "")
        context = extension.current_context
        meta = context.get("meta") or {}
        scale = extension.scale
        # Zensical turns every relative link into one from the page's Markdown file (raw HTML too): the
        # summary links file to file there, URL to URL elsewhere.
        view = SimpleNamespace(url=context.get("src_path" if context.get("docs_dir") else "url", ""), meta=meta)
        if extension.getConfig("summary") and meta.get("factcheck_summary", True):
            summary = etree.Element("div")
            summary.set("class", "factcheck-summary-slot")
            summary.text = self.md.htmlStash.store(summary_html(page.claims, scale, view, extension.report_url(), extension.get_engine().words))
            title = next((index for index, child in enumerate(root) if child.tag == "h1"), None)
            root.insert(0 if title is None else title + 1, summary)
        site_url = extension.getConfig("site_url") or context.get("site_url", "")
        url = site_url.rstrip("/") + "/" + context.get("url", "") if site_url else ""  # no site_url, no absolute url
        author = review_author(extension.getConfig("organization") or {}, context.get("site_author", ""), site_url)
        script = claim_review_script(page.claims, scale, url, author, meta)
        if script:
            holder = etree.SubElement(root, "div")
            holder.set("class", "factcheck-claimreview-slot")
            holder.text = self.md.htmlStash.store(script)

    def render_citations(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """Number and render every pending citation, in the order a reader meets them."""
        in_links = {id(span) for link in root.iter("a") for span in link.iter("span")}  # links cannot nest
        if engine.csl is not None:
            self.render_csl_citations(root, page, engine, in_links)
            return
        for span, group, resolved in self.resolved_citations(root, page, engine):
            render_citation(span, group, resolved, engine.mode, engine.words["unresolved"], linked=id(span) not in in_links)
            self.show_unknown(span, resolved, page, engine)

    def resolved_citations(self, root: etree.Element, page: PageState, engine: Engine):
        """(span, group, resolved cites) of each pending citation, in reading order."""
        for span in [e for e in root.iter("span") if PENDING in e.attrib]:
            group = page.pending[int(span.attrib.pop(PENDING))]
            if self.extension.read_groups is not None:
                self.extension.read_groups.append(group)
            yield span, group, engine.resolve(page, group)

    def show_unknown(self, span: etree.Element, resolved: list, page: PageState, engine: Engine) -> None:
        """An unknown key's finding, next to its citation (editors, during `serve`)."""
        for cite in resolved:
            if not cite.resolved:
                line = next(r.line for r in reversed(page.citations) if r.key == cite.key)
                self.show(Finding("unknown_key", engine.unknown_key_message(cite.key), page=page.src_path or "<page>", line=line), span)

    def render_csl_citations(self, root: etree.Element, page: PageState, engine: Engine, in_links: set[int]) -> None:
        """The page's citations as one document for the CSL style (see `Engine.csl_citations`)."""
        work = [(span, group, resolved, requests_for(span, group, resolved)) for span, group, resolved in self.resolved_citations(root, page, engine)]
        assert engine.csl is not None
        rendered = engine.csl_citations(page, [requests for *_, requests in work], [resolved for _, _, resolved, _ in work])
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
        claims = [e for e in root.iter() if has_class(e, "claim")]
        if not claims:
            return  # most pages: the two walks of the whole page below serve claims only
        scale = self.extension.scale
        parents = {child: parent for parent in root.iter() for child in parent}
        used_ids = {element.get("id") for element in root.iter() if element.get("id")}
        next_number: dict[str, int] = {}  # per derived id: the suffix to try next (claims alike in words)
        placer = BadgePlacer()
        for element in claims:
            block = element.tag != "span"
            source = element.attrib.pop("data-factcheck-source", "")
            line = page.locator.line_of(source) if source else page.locator.line_of_words(plain_text(element))
            parent = parents.get(element)
            following = []
            if not block and parent is not None:
                siblings, position = placer.siblings(parent, element)
                following = following_citations(siblings, position)
            cites = citations_in(element) + following
            keys = []
            for citation in cites:
                for key in (citation.get("data-cites") or "").split():
                    if key not in keys:
                        keys.append(key)
            verdict = element.get("data-verdict") or element.attrib.pop("verdict", None)
            note = element.get("data-note") or element.attrib.pop("note", None) or ""
            text = plain_text(element)
            claim_id = element.get("id")
            derived = not claim_id
            if not claim_id:
                claim_id = self._derived_id(text, used_ids, next_number)
                element.set("id", claim_id)
            engine.claim_id_taken(claim_id, page.src_path, line, derived)
            used_ids.add(claim_id)
            scale_verdict = scale.get(verdict)
            element.set("data-verdict", scale_verdict.name if scale_verdict else "unrated")
            if scale_verdict:
                element.set("style", f"--verdict-color: {scale_verdict.color}")  # the site's scale colours the claim
            known = [key in engine.bibliography for key in keys]
            caveat = source_caveat(keys, known)
            claim = Claim(claim_id, text, verdict, note, page.src_path, line, keys, page.url, block, caveat, derived_id=derived)
            page.claims.append(claim)
            placement = badge_placement(element, block)
            verdict_element = badge(scale, verdict, note, placement, caveat, claim_id, deferred_caveat=self.extension.claim_status_slots)
            for finding in claim_findings(claim, scale, known):
                self.report(finding, verdict_element)
            if placement == "block":
                element.insert(0, verdict_element)  # heads the block, before its first paragraph
            elif placement == "end":
                append_inline(element, verdict_element)
            elif parent is None:
                element.append(verdict_element)
            else:  # after the citations that follow the claim in its sentence
                placer.after(parent, following[-1] if following else element, verdict_element)
        placer.insert_all()

    def report(self, finding: Finding, near: etree.Element | None = None) -> None:
        """Report a finding; with `show_findings` (editors, during `mkdocs serve`) also show it in the page."""
        self.extension.get_engine().report(finding)
        if near is not None:
            self.show(finding, near)

    def show(self, finding: Finding, near: etree.Element) -> None:
        severity = self.extension.get_engine().severity_of(finding.kind)
        if self.extension.show_findings and severity != "ignore":
            near.append(finding_element(finding, severity))

    @staticmethod
    def _derived_id(text: str, used: set, next_number: dict[str, int]) -> str:
        """`claim-first-words`, then `-2`, `-3`, ...: where the last claim alike left off, so that many
        claims with the same first words cost linear time."""
        base = "claim-" + slugify(text)
        number = next_number.get(base, 1)
        candidate = base if number == 1 else f"{base}-{number}"
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        next_number[base] = number + 1
        return candidate

    # ---------------------------------------------------------------- bibliography

    def place_bibliography(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """The page's bibliography where `::: {#refs}` is (or at the end); each `::: {#refs scope=site}`
        block (a page may have several, each with its filter) lists the site's entries."""
        slots = [e for e in root.iter("div") if e.get("id") == "refs"]
        site_slots = [slot for slot in slots if slot.get("data-scope") == "site"]
        for slot in site_slots:
            holder = etree.Element("p")
            attributes = {name.removeprefix("data-"): value for name, value in slot.attrib.items()}
            holder.text = self.md.htmlStash.store(self.extension.site_bibliography_html(engine, EntryFilter.from_attributes(attributes), attributes.get("title")))
            self._fill(slot, holder)
        if site_slots:
            return
        page_holder = self.page_bibliography(page, engine)
        if page_holder is None:
            return
        if not slots:
            root.append(page_holder)
            return
        self._fill(slots[0], page_holder)

    @staticmethod
    def _fill(slot: etree.Element, holder: etree.Element) -> None:
        slot.clear()
        slot.set("id", "refs")
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
            listing = engine.page_bibliography_list(page)
        placeholder = self.md.htmlStash.store(listing)
        if len(container):
            container[-1].tail = placeholder  # after the heading
        else:
            container.text = placeholder
        return container


class FactcheckExtension(Extension):
    def __init__(self, **kwargs) -> None:
        self.config = {
            "bibliography": [[], "BibTeX file or list of files (relative to the working directory when used without the plugin)."],
            "style": ["unsrt", "A pybtex style (plain, unsrt, alpha, abbrv, vancouver), a CSL style id (apa, ieee, csl:vancouver, ...) or a .csl file."],
            "locale": ["", "The language CSL styles write in (en-US, de-DE, ...); empty: the style's own, else en-US."],
            "title_case": ["as-written", "Titles as the entry writes them, or 'sentence': the style's sentence case."],
            "citation_mode": ["numeric", "numeric ([1]) or author-year (Onji et al., 1987)."],
            "bibliography_title": ["References", "Heading of a page's bibliography."],
            "verdicts": [[], "The verdict scale: a list of {name, label, rating, color, icon}, best first."],
            "citation_needed": [True, "Report uncited sentences that look like checkable facts."],
            # Without the MkDocs plugin (Zensical, plain Python-Markdown); the plugin's options of the same names.
            "findings": [{}, "Severity per kind of finding: ignore, info, warning or error."],
            "words": [{}, "Reader-facing words (see the plugin's `words`)."],
            "summary": [True, "The fact-check summary at the top of pages with claims."],
            "unverified_pattern": [Settings.unverified_pattern, "Regular expression: an entry whose note matches it is not fully verified."],
            "identifiers_file": ["references.identifiers.json", "CSL-JSON file of the records cited by identifier (doi:, pmid:, ...), relative to the working directory."],
            "online": [{}, "Online settings; pages show the results cached in online.cache_dir by the check command or an MkDocs build."],
            "report_url": ["", "The report page's URL, relative to the site root (the summary links to it); Zensical: found in the docs folder."],
            "site_url": ["", "The site's address, for absolute URLs in the ClaimReview data (Zensical: its site_url)."],
            "organization": [{}, "The fact-checker named as the author of the ClaimReview data: {name, url} (default: the site's author or name)."],
            "inline_assets": [True, "Add the badges' and tooltips' CSS and JavaScript to each page (the plugin adds them as files)."],
        }
        super().__init__(**kwargs)
        self.engine: Engine | None = None  # set by the MkDocs plugin for each build
        self.page_context: dict = {}  # src_path, line_offset and url of the page being rendered (plugin)
        self.page_options: dict = {}  # per-page switches from front matter (plugin)
        self.show_findings = False  # findings shown in the page itself (plugin, during `mkdocs serve`)
        self.defer_page_bibliography = False  # the plugin writes page bibliographies in on_post_page
        self.host_writes_page_extras = False  # the plugin (or the check command) writes summary, JSON-LD and assets
        self.current_context: dict = {}  # the page being converted: src_path, url, meta, site_url, ...
        self.claim_status_slots = False  # badges keep a slot for what the online checks find (plugin)
        self.read_groups: list[CitationGroup] | None = None  # when a list: every group read, in reading order
        self.scale = Scale(self.getConfig("verdicts") or None)
        self._standalone: StandaloneSite | None = None
        self._page_engine: Engine | None = None  # standalone: the engine of the page being converted

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
        # `\@` after autolinks (120) and automail (110), which own the @ they hold.
        md.inlinePatterns.register(AtEscapeProcessor(md), "factcheck_escape", 105)
        # Spans and citations after code (190), escapes (180), links (160), autolinks and raw HTML (90) and
        # entities (80), whose text is then opaque; before emphasis (70, 60), which then renders inside
        # prefixes and suffixes; spans first, so their text is then searched for citations.
        md.inlinePatterns.register(BracketedSpanProcessor(self, md), "factcheck_span", 78)
        md.inlinePatterns.register(CitationProcessor(self, md), "factcheck_citation", 77)
        # Escapes decoded and raw HTML placeholders taken out of claims' text and notes, before claims
        # and the citation-needed check read them (Python-Markdown itself decodes escapes at 0).
        cleanup = PlaceholderCleanup(md)
        md.treeprocessors.register(cleanup, "factcheck_cleanup", 7.5)
        # After inline processing (20) and attr_list (8), so `{: .claim}` on a paragraph is seen too.
        md.treeprocessors.register(FactcheckTreeprocessor(self, md), "factcheck_tree", 7)
        md.treeprocessors.register(RestoreEncoded(md, cleanup), "factcheck_restore", 6.9)
        # After raw HTML is put back (30): the page's final HTML. Python-Markdown's toc also runs the
        # postprocessors on each heading's HTML, during the tree phase: the last tree processor marks
        # its end, so that only the whole page is finished.
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
            options = {name: self.getConfig(name) for name in ("bibliography", "style", "locale", "citation_mode", "title_case", "verdicts", "citation_needed", "findings", "summary", "unverified_pattern", "identifiers_file", "online")}
            options["bibliography"] = options["bibliography"] or "references.bib"
            options["words"] = {"bibliography_title": self.getConfig("bibliography_title"), **(self.getConfig("words") or {})}
            try:
                settings = settings_from(options)
            except SettingsError as error:
                raise ExtensionError(f"mkdocs_factcheck: {error}") from None
            self._standalone = standalone_site(settings, Path.cwd())
        return self._standalone

    def start_page(self, md: Markdown, markdown: str) -> None:
        context = self.page_context or self._host_context(md, markdown)
        self.current_context = context
        self._page_engine = None
        if self.engine is not None:
            engine = self.engine
        else:
            self.claim_status_slots = not self.host_writes_page_extras  # filled from the online cache (PageFinisher)
            front = (context.get("meta") or {}).get("factcheck")
            self.page_options = front if isinstance(front, dict) else {}  # `factcheck: {citation_needed: false}`
            try:
                engine = self._page_engine = self.standalone().start_page().engine
            except (BibliographyError, StyleError, ScaleError, ExtensionError) as error:
                # No host to stop: say it once (until it works again), and leave the citations as written.
                if str(error) not in _REPORTED_ERRORS:
                    _REPORTED_ERRORS.add(str(error))
                    log.error("mkdocs_factcheck: %s; citations are left as written", str(error).removeprefix("mkdocs_factcheck: "))
                md.factcheck_page = None  # type: ignore[attr-defined]
                return
            _REPORTED_ERRORS.clear()  # fixed: a later breakage is reported again (`zensical serve`)
        page = md.factcheck_page = engine.start_page(context.get("src_path"), markdown, context.get("line_offset", 0), context.get("url", ""))  # type: ignore[attr-defined]
        nocite = (context.get("meta") or {}).get("nocite")
        if nocite:
            engine.list_without_citing(page, nocite)
        md.factcheck_examples = example_labels(markdown)  # type: ignore[attr-defined]

    @staticmethod
    def examples(md: Markdown) -> frozenset[str]:
        """The page's example-list labels: `(@good)` is pandoc's example, not a citation."""
        return getattr(md, "factcheck_examples", frozenset())

    def malformed_claim(self, md: Markdown, source: str, attributes: str) -> None:
        """A claim whose attributes cannot be read stays text, and the editor is told where."""
        page: PageState | None = getattr(md, "factcheck_page", None)
        line = page.locator.line_of(source) if page is not None else None
        path = (page.src_path if page is not None else None) or "<page>"
        self.get_engine().report(malformed_claim_finding(path, line or 1, attributes))

    @staticmethod
    def _host_context(md: Markdown, markdown: str) -> dict:
        """Zensical tells each page's Markdown which file it renders; plain Python-Markdown does not."""
        from ..zensical.context import page_context

        context = page_context(md) or {}
        if context.get("file"):
            try:
                context["line_offset"] = lines_before(Path(context["file"]).read_text(encoding="utf-8-sig"), markdown)
            except (OSError, UnicodeDecodeError):
                pass
        return context

    def cached_online_report(self, page: PageState, keys: list[str] | None = None):
        """Standalone: what earlier online checks cached about the page's sources, or `keys` (nothing is sent)."""
        site = self.standalone()
        bibliography = self.get_engine().bibliography
        wanted = dict.fromkeys(page.cited_keys() + (keys or []))
        return site.cached_online.report([source for key in wanted if (source := bibliography.get(key)) is not None])

    def report_url(self) -> str:
        """Where the summary's link goes: the option, or (Zensical) the report page the check command
        wrote, as a Markdown file that Zensical links."""
        if self.getConfig("report_url"):
            return self.getConfig("report_url")
        docs_dir = self.current_context.get("docs_dir")
        if docs_dir and (Path(docs_dir) / REPORT_PAGE).is_file():
            return REPORT_PAGE
        return ""

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
            return SITE_BIBLIOGRAPHY_MARKER.format(filter=entry_filter.marker_text(), title=SAFE_TITLE.sub("", title) if title is not None else "")
        return engine.site_bibliography(lambda key: [], entry_filter, title)


REPORT_PAGE = "factcheck-report.md"  # where `mkdocs-factcheck check --write-report` writes it (its default)
_REPORTED_ERRORS: set[str] = set()  # the extension cannot start: once until it works again
_REPORTED_OPTIONS: set[str] = set()  # unknown options: once per process (Zensical makes an extension per page)


class ExtensionError(Exception):
    """The extension cannot run (its bibliography, style or scale); one message, no traceback of ours."""


class TreeDone(Treeprocessor):
    def run(self, root):
        self.md.factcheck_tree_done = True  # type: ignore[attr-defined]


class PageFinisher(Postprocessor):
    """Without the plugin: online marks from the cache on the page's entries and citations, and the
    reader's CSS and JavaScript."""

    def __init__(self, extension: FactcheckExtension, md: Markdown):
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        extension = self.extension
        if extension.host_writes_page_extras or extension.engine is not None or not getattr(self.md, "factcheck_tree_done", False):
            return text
        self.md.factcheck_tree_done = False  # type: ignore[attr-defined]
        page: PageState | None = getattr(self.md, "factcheck_page", None)
        if page is None or not (page.citations or page.claims or "factcheck-" in text):
            return text  # nothing of ours: no assets either (a site bibliography or a report page has some)
        online = getattr(self.md, "factcheck_online", None)
        listed = [unescape(key) for key in PLACEHOLDER_RE.findall(text)]  # the site bibliography lists uncited entries too
        if listed:
            online = extension.cached_online_report(page, listed)
        if online is not None:
            text = online.fill(text)
        if extension.getConfig("inline_assets"):
            text += inline_assets()
        return text


def finding_element(finding: Finding, severity: str) -> etree.Element:
    """An editor's note in the page: what is wrong here, with the kind to silence it by."""
    note = etree.Element("span")
    note.set("class", f"factcheck-finding finding-{severity}")
    note.set("data-kind", finding.kind)
    note.set("role", "note")
    note.text = AtomicString(f"{finding.place}: {finding.message} [{finding.kind}]")
    return note


class GroupReader:
    """The citation groups of Markdown texts as the extension reads them, in reading order (nested
    ones after the group holding them): what tests compare with pandoc, and a tool may inspect."""

    def __init__(self, extensions: tuple = ("attr_list",)):
        self.extension = FactcheckExtension(citation_needed=False)
        self.md = Markdown(extensions=[*extensions, self.extension])

    def read(self, text: str) -> list[CitationGroup]:
        """Groups with prefixes and suffixes as text (code, links and escapes resolved)."""
        self.extension.read_groups = []
        self.md.reset()
        self.md.convert(text)
        return [CitationGroup(tuple(replace(cite, prefix=self.text(cite.prefix), suffix=self.text(cite.suffix)) for cite in group.cites), group.narrative, group.source) for group in self.extension.read_groups]

    def text(self, markdown: str) -> str:
        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]  # the last conversion's

        def resolve(match: re.Match) -> str:
            node = stash.get(match[1])
            return node if isinstance(node, str) else run_text(node) if node is not None else ""

        for _ in range(3):  # placeholders may hold placeholders
            markdown = INLINE_PLACEHOLDER_RE.sub(resolve, markdown)
        return ESCAPED.sub(lambda match: chr(int(match[1])), markdown)


def makeExtension(**kwargs) -> FactcheckExtension:  # noqa: N802 - Python-Markdown's entry point name
    return FactcheckExtension(**kwargs)
