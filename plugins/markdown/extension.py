"""The Python-Markdown extension: citations, claims and bibliographies in one page.

It works on its own (Zensical, mkdocstrings, plain Python-Markdown), loading the bibliography itself;
under the MkDocs plugin it shares the plugin's engine, so the whole site has one bibliography, one
numbering and one list of findings.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from pathlib import Path

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import INLINE_PLACEHOLDER_RE, AtomicString

from ..core.bibliography import BibliographyCache
from ..core.claims import Claim, claim_findings, slugify
from ..core.engine import Engine, PageState
from ..core.findings import Finding, Findings
from ..core.scale import Scale
from ..core.syntax import CitationGroup, example_labels
from .blocks import FencedDivProcessor
from .claim_elements import badge, citations_in, following_citations, has_class, plain_text
from .cleanup import ESCAPED, PlaceholderCleanup, RestoreEncoded
from .elements import PENDING, bibliography_container, pending_citation, render_citation
from .inline import AtEscapeProcessor, BracketedSpanProcessor, CitationProcessor, malformed_claim_finding
from .needed import unsourced_sentences

# Standalone, findings go to a logger under `mkdocs.` so that `mkdocs build --strict` still counts them
# when the extension is listed in `markdown_extensions` without the plugin.
log = logging.getLogger("mkdocs.plugins.mkdocs_factcheck")
SITE_BIBLIOGRAPHY_MARKER = "<!-- factcheck:site-bibliography -->"
# Under the plugin a page's bibliography list is written into the page's HTML only after Material's
# search plugin has read the page: it would parse every entry for nothing (page bibliographies are kept
# out of the index), and the page's content stays smaller in memory.
# Each marker names the page state it belongs to (its index in `engine.pages`): a Markdown conversion
# nested in a page (mkdocstrings, excerpts) has a state of its own.
PAGE_BIBLIOGRAPHY_MARKER = "<!-- factcheck:page-bibliography:{index} -->"
PAGE_BIBLIOGRAPHY_MARKER_RE = re.compile(r"<!-- factcheck:page-bibliography:(\d+) -->")


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
        page.rendered()

    def render_citations(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        """Number and render every pending citation, in the order a reader meets them."""
        in_links = {id(span) for link in root.iter("a") for span in link.iter("span")}  # links cannot nest
        for span in [e for e in root.iter("span") if PENDING in e.attrib]:
            group = page.pending[int(span.attrib.pop(PENDING))]
            if self.extension.read_groups is not None:
                self.extension.read_groups.append(group)
            resolved = engine.resolve(page, group)
            render_citation(span, group, resolved, engine.mode, engine.words["unresolved"], linked=id(span) not in in_links)
            for cite in resolved:
                if not cite.resolved:
                    line = next(r.line for r in reversed(page.citations) if r.key == cite.key)
                    self.show(Finding("unknown_key", engine.unknown_key_message(cite.key), page=page.src_path or "<page>", line=line), span)

    # ---------------------------------------------------------------- claims

    def process_claims(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        scale = self.extension.scale
        parents = {child: parent for parent in root.iter() for child in parent}
        used_ids = {element.get("id") for element in root.iter() if element.get("id")}
        for element in [e for e in root.iter() if has_class(e, "claim")]:
            block = element.tag != "span"
            source = element.attrib.pop("data-factcheck-source", "")
            line = page.locator.line_of(source) if source else page.locator.line_of_words(plain_text(element))
            cites = citations_in(element)
            if not block and element in parents:
                cites += following_citations(parents[element], element)
            keys = []
            for citation in cites:
                for key in (citation.get("data-cites") or "").split():
                    if key not in keys:
                        keys.append(key)
            verdict = element.get("data-verdict") or element.attrib.pop("verdict", None)
            note = element.get("data-note") or element.attrib.pop("note", None) or ""
            text = plain_text(element)
            claim_id = element.get("id")
            if not claim_id:
                claim_id = self._derived_id(text, used_ids)
                element.set("id", claim_id)
            elif claim_id in engine.claim_ids:
                engine.report(Finding("duplicate_claim_id", f"claim id '{claim_id}' is used by another claim", page=page.src_path or "<page>", line=line))
            used_ids.add(claim_id)
            engine.claim_ids.add(claim_id)
            scale_verdict = scale.get(verdict)
            element.set("data-verdict", scale_verdict.name if scale_verdict else (verdict or "unrated"))
            if scale_verdict:
                element.set("style", f"--verdict-color: {scale_verdict.color}")  # the site's scale colours the claim
            claim = Claim(claim_id, text, verdict, note, page.src_path, line, keys, page.url, block)
            page.claims.append(claim)
            known = [key in engine.bibliography for key in keys]
            verdict_element = badge(scale, verdict, note, block)
            for finding in claim_findings(claim, scale, known):
                self.report(finding, verdict_element)
            self._attach_badge(element, parents, cites, verdict_element, block)

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
    def _derived_id(text: str, used: set) -> str:
        base = "claim-" + slugify(text)
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    @staticmethod
    def _attach_badge(element, parents, cites, verdict_element, block) -> None:
        if block:
            element.insert(0, verdict_element)
            return
        parent = parents.get(element)
        if parent is None:
            element.append(verdict_element)
            return
        after = element
        children = list(parent)
        for citation in cites:  # after the last citation that follows the claim in its sentence
            if citation in children and children.index(citation) > children.index(after):
                after = citation
        position = children.index(after) + 1
        verdict_element.tail = after.tail
        after.tail = " "
        parent.insert(position, verdict_element)

    # ---------------------------------------------------------------- bibliography

    def place_bibliography(self, root: etree.Element, page: PageState, engine: Engine) -> None:
        slot = next((e for e in root.iter("div") if e.get("id") == "refs"), None)
        holder: etree.Element | None
        if slot is not None and slot.get("data-scope") == "site":
            holder = etree.Element("p")
            holder.text = self.md.htmlStash.store(self.extension.site_bibliography_html(engine))
        else:
            holder = self.page_bibliography(page, engine)
        if holder is None:
            return
        if slot is None:
            root.append(holder)
            return
        slot.clear()
        slot.set("id", "refs")
        slot.set("class", "factcheck-refs")
        slot.append(holder)

    def page_bibliography(self, page: PageState, engine: Engine) -> etree.Element | None:
        """The container and heading as elements (the table of contents lists the heading); the list as
        stashed HTML, which Python-Markdown neither parses nor serialises again. Under the plugin, the
        list is a marker filled in when the page is written (`PAGE_BIBLIOGRAPHY_MARKER`)."""
        if not page.cited_keys():
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
            "style": ["unsrt", "pybtex formatting style: plain, unsrt, alpha, abbrv, vancouver, or any installed pybtex style plugin."],
            "citation_mode": ["numeric", "numeric ([1]) or author-year (Onji et al., 1987)."],
            "bibliography_title": ["References", "Heading of a page's bibliography."],
            "verdicts": [[], "The verdict scale: a list of {name, label, rating, color, icon}, best first."],
            "citation_needed": [True, "Report uncited sentences that look like checkable facts."],
        }
        super().__init__(**kwargs)
        self.engine: Engine | None = None  # set by the MkDocs plugin for each build
        self.page_context: dict = {}  # src_path, line_offset and url of the page being rendered (plugin)
        self.page_options: dict = {}  # per-page switches from front matter (plugin)
        self.show_findings = False  # findings shown in the page itself (plugin, during `mkdocs serve`)
        self.defer_page_bibliography = False  # the plugin writes page bibliographies in on_post_page
        self.read_groups: list[CitationGroup] | None = None  # when a list: every group read, in reading order
        self.scale = Scale(self.getConfig("verdicts") or None)
        self._cache = BibliographyCache()
        self._own_findings: Findings | None = None
        self._standalone_engine: Engine | None = None

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

    # ---------------------------------------------------------------- engine and pages

    def get_engine(self) -> Engine:
        """The plugin's engine, or (standalone) one built from this extension's own configuration."""
        if self.engine is not None:
            return self.engine
        paths = self.getConfig("bibliography")
        paths = [paths] if isinstance(paths, str) else list(paths)
        resolved = [Path(p).resolve() for p in paths]
        bibliography = self._cache.get(resolved, Path.cwd())
        if self._standalone_engine is not None and self._standalone_engine.bibliography is bibliography:
            return self._standalone_engine
        if self._own_findings is None:
            self._own_findings = Findings(logger=log)
            self._own_findings.extend(bibliography.findings)
        engine = Engine(
            bibliography,
            style=self.getConfig("style"),
            mode=self.getConfig("citation_mode"),
            numbering="page",
            words={"bibliography_title": self.getConfig("bibliography_title")},
            report=self._own_findings.report,
        )
        self._standalone_engine = engine
        return engine

    def start_page(self, md: Markdown, markdown: str) -> None:
        engine = self.get_engine() if self.engine is None else self.engine
        context = self.page_context
        md.factcheck_page = engine.start_page(context.get("src_path"), markdown, context.get("line_offset", 0), context.get("url", ""))  # type: ignore[attr-defined]
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

    def citation(self, md: Markdown, group: CitationGroup) -> etree.Element:
        """A pending citation: the tree processor numbers and renders it later, in document order
        (Python-Markdown's inline pass reaches nested blocks, such as admonitions, after their siblings)."""
        page: PageState | None = getattr(md, "factcheck_page", None)
        if page is None:  # converted without our preprocessor (should not happen): still never drop text
            page = md.factcheck_page = self.get_engine().start_page(None, group.source)  # type: ignore[attr-defined]
        span = pending_citation(group, len(page.pending))
        page.pending.append(group)
        return span

    def site_bibliography_html(self, engine: Engine) -> str:
        if self.engine is not None:
            return SITE_BIBLIOGRAPHY_MARKER  # the plugin fills it in once every page is rendered
        return engine.site_bibliography(lambda key: [])


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
            return node if isinstance(node, str) else "".join(node.itertext()) if node is not None else ""

        for _ in range(3):  # placeholders may hold placeholders
            markdown = INLINE_PLACEHOLDER_RE.sub(resolve, markdown)
        return ESCAPED.sub(lambda match: chr(int(match[1])), markdown)


def makeExtension(**kwargs) -> FactcheckExtension:  # noqa: N802 - Python-Markdown's entry point name
    return FactcheckExtension(**kwargs)
