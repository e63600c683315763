"""The MkDocs plugin: what needs the whole site. The per-page work is the Markdown extension's."""

from __future__ import annotations

import gc
import json
import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .. import __version__
from ..core.bibliography import BibliographyCache, BibliographyError, Source
from ..core.checks import check_sources, is_unverified
from ..core.engine import CitationRecord, Engine, PageState
from ..core.findings import Findings
from ..core.formatted_cache import FormattedCache
from ..core.formatter_process import FormatterProcess, worth_starting
from ..core.formatting import StyleError
from ..core.jsonld import claim_review_script
from ..core.online.report import OnlineReport
from ..core.reference_html import ref_id
from ..core.report import REPORT_MARKER, SUMMARY_MARKER, report_data, report_html, summary_html, summary_line
from ..core.scale import Scale, ScaleError
from ..core.syntax import keys_mentioned
from ..core.urls import relative_url
from ..markdown.extension import PAGE_BIBLIOGRAPHY_MARKER_RE, SITE_BIBLIOGRAPHY_MARKER, FactcheckExtension
from .config import FactcheckConfig
from .search_view import search_view

if TYPE_CHECKING:
    from ..core.online.verifier import OnlineVerifier

log = get_plugin_logger(__name__)
ASSETS = Path(__file__).parent.parent / "assets"
ASSET_FILES = ("factcheck.css", "factcheck.js")
EXTENSION_NAMES = ("mkdocs_factcheck", "mkdocs_factcheck.markdown", "mkdocs_factcheck.markdown.extension")


class FactcheckPlugin(BasePlugin[FactcheckConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        # Defining on_startup keeps this object across `mkdocs serve` rebuilds: the parsed bibliography
        # survives in this cache, keyed by the files' contents; per-build state is reset in on_config.
        self.bibliography_cache = BibliographyCache()
        self.formatted_cache = FormattedCache()  # formatted entries, kept across rebuilds and on disk
        self.is_serve = False
        self.engine: Engine | None = None
        self.findings = Findings()
        self.extension: FactcheckExtension | None = None
        self.bib_paths: list[Path] = []
        self.verifier: OnlineVerifier | None = None
        self.online = OnlineReport()
        self.report_cache: dict | None = None
        self._lent: tuple[Page, str, str] | None = None  # a page's content while search reads its view
        self._first_state = 0  # the engine's first page state of the page being converted

    def on_startup(self, *, command, dirty) -> None:
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        base = Path(config.config_file_path or ".").resolve().parent
        paths = self.config.bibliography
        paths = [paths] if isinstance(paths, str) else list(paths)
        self.bib_paths = [(base / p).resolve() for p in paths]
        self.findings = Findings(self.config.findings, logger=log)
        self.report_cache = None
        self._stop_formatter_process()  # a build that ended without on_post_build or on_build_error
        self.engine = self.extension = None  # the last build's, with its bibliography: freed before a new one is read
        if self.config.online.required and "service_unavailable" not in self.config.findings:
            self.findings.severities["service_unavailable"] = "error"  # the site asked for every check to run
        try:
            cache_dir = (base / self.config.online.cache_dir).resolve()
            bibliography = self.bibliography_cache.get(self.bib_paths, base, cache_dir)
            scale = Scale(self.config.verdicts or None)
            self.formatted_cache.load(cache_dir)
            self.engine = Engine(bibliography, self.config.style, self.config.citation_mode, self.config.numbering, self.config.words, self.findings.report, self.formatted_cache, self.config.title_case)
        except (BibliographyError, StyleError, ScaleError) as error:
            raise PluginError(f"factcheck: {error}") from None
        # The parsed bibliography (tens of objects an entry) lives for the whole build: kept out of the
        # cyclic garbage collector's full passes, which would traverse all of it each time (1.4 s of a
        # 20,000-entry build). Reference counting still frees what is dropped; undone after the build.
        # A `serve` rebuild first collects the last build's garbage, which freezing would otherwise keep.
        if self.is_serve:
            gc.collect()
        gc.freeze()
        self.engine.severity_of = self.findings.severity_of
        self.findings.extend(bibliography.findings)
        self.engine.status_providers.append(self._unverified_status)
        self.extension = self._install_extension(config, scale)
        self._start_online(base)
        for name in ASSET_FILES:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            target.append(f"assets/factcheck/{name}")
        return config

    def _start_online(self, base: Path) -> None:
        """The verifier: checks start in on_files (entries the Markdown mentions) and as entries are cited."""
        assert self.engine is not None
        online = self.config.online
        self.online = OnlineReport()
        if self.verifier is not None:
            self.verifier.close()
            self.verifier = None
        if not online.enabled:
            return
        from ..core.online.verifier import OnlineVerifier  # here: requests is imported only when checks are on

        network = online.serve or not self.is_serve  # serve: cached results only, unless asked
        contact = f" (mailto:{online.mailto})" if online.mailto else ""
        user_agent = f"mkdocs-factcheck/{__version__}{contact}"
        self.verifier = OnlineVerifier(online, (base / online.cache_dir).resolve(), user_agent, network=network)
        self.engine.cite_listeners.append(self.verifier.submit)
        self.engine.status_providers.append(self.verifier.status_html)  # a placeholder until finish()

    def _install_extension(self, config: MkDocsConfig, scale: Scale) -> FactcheckExtension:
        """Use our extension instance (sharing the engine); a user's `markdown_extensions` entry for it
        (kept there for Zensical) is replaced, its options kept."""
        options: dict = {}
        kept = []
        for item in config.markdown_extensions:
            if isinstance(item, str) and item in EXTENSION_NAMES:
                options.update(config.mdx_configs.pop(item, {}) or {})
            elif not isinstance(item, FactcheckExtension):
                kept.append(item)
        options.pop("bibliography", None)  # the plugin's bibliography setting wins
        options["citation_needed"] = self.config.citation_needed
        extension = FactcheckExtension(**options)
        extension.scale = scale
        extension.engine = self.engine
        extension.show_findings = self.is_serve and self.config.show_findings_in_page
        extension.defer_page_bibliography = True  # written in on_post_page
        kept.append(extension)
        if "attr_list" not in kept:
            kept.append("attr_list")  # `{: .claim verdict=...}` on a paragraph
        config.markdown_extensions = kept
        return extension

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        for name in ASSET_FILES:
            files.append(File.generated(config, f"assets/factcheck/{name}", abs_src_path=str(ASSETS / name), inclusion=InclusionLevel.NOT_IN_NAV))
        mentioned = self._mentioned_sources(files)
        self._prefetch_online_checks(mentioned)
        self._start_formatter_process(mentioned)
        if self.config.report_page and files.get_file_from_path(self.config.report_page) is None:
            title = self.config.words.get("report_title", "Fact-check report")
            # Out of the search index: it restates every claim and source of the site, so it would match
            # nearly any search, and it is the largest page for the search plugin to parse.
            front_matter = "---\nsearch:\n  exclude: true\n---\n"
            files.append(File.generated(config, self.config.report_page, content=f"{front_matter}# {title}\n\n{REPORT_MARKER}\n"))
        return files

    def _mentioned_sources(self, files: Files) -> list[Source]:
        """The entries the pages' Markdown mentions (`@key`), in page order: a superset of what they cite
        (keys in code blocks too), known before any page renders, so that work on them can start early."""
        if self.engine is None:
            return []
        bibliography = self.engine.bibliography
        sources: dict[str, Source] = {}  # once each, in the order first mentioned
        for file in files.documentation_pages():
            try:
                text = file.content_string
            except (OSError, UnicodeDecodeError):
                continue  # MkDocs reports an unreadable page itself
            for key in keys_mentioned(text):
                source = bibliography.get(key)
                if source is not None:
                    sources.setdefault(source.key.lower(), source)
        return list(sources.values())

    def _prefetch_online_checks(self, mentioned: list[Source]) -> None:
        """Start the online checks of every entry the pages mention before any page renders, so that
        the requests run while MkDocs renders rather than after it. Entries mentioned but never cited
        (a key in a code block) are checked but neither waited for nor reported."""
        if self.verifier is None:
            return
        for source in mentioned:
            self.verifier.prefetch(source)

    def _start_formatter_process(self, mentioned: list[Source]) -> None:
        """On a cold build, format the mentioned entries in a second process as well (see formatter_process)."""
        if self.engine is None:
            return
        formatter = self.engine.formatter
        unformatted = set(formatter.unformatted([source.key for source in mentioned]))
        sources = [source for source in mentioned if source.key in unformatted]
        if not worth_starting(len(sources)):
            return
        try:
            formatter.helper = FormatterProcess(self.config.style, sources, self.config.title_case)
        except Exception as error:  # noqa: BLE001 - no process could be started: the build formats everything itself
            log.debug("formatting in one process only: %s", error)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.extension is None:
            return None
        front = page.meta.get("factcheck")
        options: dict = front if isinstance(front, dict) else {}
        self.extension.page_context = {"src_path": page.file.src_uri, "line_offset": _front_matter_lines(page, markdown), "url": page.url}
        self.extension.page_options = options
        if self.engine is not None:
            self._first_state = len(self.engine.pages)  # this page's conversion, and any nested in it, start here
        return None

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.engine is None or self.extension is None:
            return None
        self.extension.page_context = {}
        self.extension.page_options = {}
        if page.present_anchor_ids is not None:  # the entries' anchors, for MkDocs' link validation
            for index in PAGE_BIBLIOGRAPHY_MARKER_RE.findall(html):
                page.present_anchor_ids |= {ref_id(key) for key in self.engine.pages[int(index)].cited_keys()}
        # The page's own conversion and those nested in it (mkdocstrings, excerpts) each have a state.
        claims = [claim for state in self.engine.pages[self._first_state :] if state.src_path == page.file.src_uri for claim in state.claims]
        if not claims:
            return None
        script = claim_review_script(claims, self.extension.scale, _absolute_url(config, page), config.site_author or config.site_name)
        if self.config.summary and page.meta.get("factcheck_summary", True):
            marker = f'<div class="factcheck-summary-slot">{SUMMARY_MARKER}</div>'
            title_end = html.find("</h1>")  # under the page's title, before the text
            at = title_end + len("</h1>") if title_end >= 0 else 0
            html = html[:at] + marker + html[at:]
        return html + script

    @event_priority(100)  # before Material's search plugin (priority 0) reads the page
    def _lend_search_view(self, context, *, page: Page, config: MkDocsConfig, nav):
        self._lent = None
        if not self.config.enabled or not page.content:
            return context
        view = search_view(page.content)
        if view is not None:
            self._lent = (page, page.content, view)
            page.content = view
        return context

    @event_priority(-100)  # after every other plugin's on_page_context
    def _take_search_view_back(self, context, *, page: Page, config: MkDocsConfig, nav):
        lent, self._lent = self._lent, None
        if lent is None or lent[0] is not page:
            return context
        _, full, view = lent
        if page.content is not view:
            log.warning("%s: another plugin changed the page while search indexed it; that change is not kept (the page keeps its citations)", page.file.src_uri)
        page.content = full
        return context

    on_page_context = CombinedEvent(_lend_search_view, _take_search_view_back)

    @event_priority(-50)  # after other plugins' on_env: every page has been rendered by now
    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if not self.config.enabled or self.engine is None or self.extension is None:
            return None
        engine = self.engine
        claims = [claim for page in engine.pages for claim in page.claims]
        cited = {record.key.lower() for page in engine.pages for record in page.citations if record.resolved}
        self.findings.extend(check_sources(engine.bibliography, cited, claims, self.config.unverified_pattern, self.config.max_source_age))
        if self.verifier is not None:
            self.online = self.verifier.finish()  # waits, bounded by online.deadline
            self.findings.extend(self.online.findings)
            self.findings.extend(self.online.claim_findings(claims))
        pages_by_path = {file.src_uri: file.page for file in files.documentation_pages() if file.page is not None}
        report_url = self._report_url()
        cited_on = self._citations_across_pages()
        claims_by_path: dict[str, list] = {}  # a page may have several states (nested conversions)
        for state in engine.pages:
            claims_by_path.setdefault(state.src_path or "", []).extend(state.claims)
        for path, page_claims in claims_by_path.items():
            page = pages_by_path.get(path)
            if page is None or page.content is None:
                continue
            content = self.online.fill(page.content)  # online marks on bibliographies and citations
            if SITE_BIBLIOGRAPHY_MARKER in content:
                listing = engine.site_bibliography(lambda key, page=page: self._backlinks(cited_on, key, page))
                content = content.replace(SITE_BIBLIOGRAPHY_MARKER, self.online.fill(listing))  # an entry may keep a placeholder (Engine.entry_body)
            if SUMMARY_MARKER in content:
                content = content.replace(SUMMARY_MARKER, summary_html(page_claims, self.extension.scale, page, report_url, self.config.words))
            page.content = content
        if self.config.report_page:
            report_page = pages_by_path.get(self.config.report_page)
            if report_page is not None and report_page.content:
                data = self._report()  # computed once per build, reused for factcheck.json
                report_page.content = report_page.content.replace(f"<p>{REPORT_MARKER}</p>", report_html(data, self.extension.scale, report_page, self.config.words)).replace(REPORT_MARKER, "")
        return env

    @event_priority(100)  # before other plugins' on_post_page (a minifier would drop the marker comments)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Write each bibliography list where the extension left its marker (see PAGE_BIBLIOGRAPHY_MARKER)."""
        engine = self.engine
        if engine is None or "factcheck:page-bibliography:" not in output:
            return None

        def listing(match: re.Match) -> str:
            return self.online.fill(engine.page_bibliography_list(engine.pages[int(match.group(1))]))  # online marks too

        return PAGE_BIBLIOGRAPHY_MARKER_RE.sub(listing, output)

    def _citations_across_pages(self) -> dict[str, list[tuple[PageState, CitationRecord]]]:
        """Every resolved citation of the site by lower-cased key, grouped once rather than per entry."""
        assert self.engine is not None
        grouped: dict[str, list[tuple[PageState, CitationRecord]]] = {}
        for state in self.engine.pages:
            for key, records in state.citations_by_key().items():
                grouped.setdefault(key, []).extend((state, record) for record in records)
        return grouped

    @staticmethod
    def _backlinks(cited_on: dict, key: str, from_page: Page) -> list[tuple[str, str]]:
        return [(relative_url(state.url, from_page.url) + "#" + record.anchor, state.src_path or "") for state, record in cited_on.get(key.lower(), [])]

    def _report_url(self) -> str:
        if not self.config.report_page:
            return ""
        path = self.config.report_page[:-3] if self.config.report_page.endswith(".md") else self.config.report_page
        return path + "/"

    def _unverified_status(self, key: str) -> str:
        assert self.engine is not None
        source = self.engine.bibliography.get(key)
        if source is None or not is_unverified(source, self.config.unverified_pattern):
            return ""
        word = escape(self.config.words.get("unverified", "Not fully verified"))
        return f'<span class="reference-status reference-unverified">{word}</span>'

    def _report(self) -> dict:
        """The report's data, once per build (after on_env every claim, citation and finding is known)."""
        assert self.engine is not None and self.extension is not None
        if self.report_cache is not None:
            return self.report_cache
        data = report_data(self.engine, self.findings, self.extension.scale, self.config.unverified_pattern, __version__)
        for source in data["sources"]:
            online = self.online.by_key.get(source["key"].lower())
            if online is not None:
                source["online"] = online
                source.setdefault("status", []).extend(online.get("summary", []))
        self.report_cache = data
        return data

    def on_build_error(self, *, error: Exception) -> None:
        self._end_of_build()

    def _end_of_build(self) -> None:
        """After a build, failed or not: no checks or formatter process left running (this also restores
        the switch interval)."""
        if self.verifier is not None:
            self.verifier.close()
        self._stop_formatter_process()
        gc.unfreeze()
        if self.extension is not None:
            # `mkdocs serve` keeps its first build's config (and with it this extension) for the whole
            # session: without this, that build's engine and bibliography would stay in memory too.
            self.extension.engine = None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._end_of_build()
        if not self.config.enabled or self.engine is None or self.extension is None:
            return
        self.formatted_cache.save()
        data = self._report()
        if self.config.report_json:
            target = Path(config.site_dir) / self.config.report_json
            target.parent.mkdir(parents=True, exist_ok=True)
            # Compact: with `indent`, Python's json falls back to its pure-Python encoder (1 s for 20,000
            # sources); `python -m json.tool site/factcheck.json` shows it indented.
            target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        log.info(summary_line(data))
        errors = self.findings.of_severity("error")
        if errors:
            raise PluginError(f"factcheck: {len(errors)} finding(s) configured as errors (see above)")

    def _stop_formatter_process(self) -> None:
        if self.engine is not None and self.engine.formatter.helper is not None:
            self.engine.formatter.helper.close()
            self.engine.formatter.helper = None

    def on_shutdown(self) -> None:
        if self.verifier is not None:
            self.verifier.close()
        self._stop_formatter_process()

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if self.config.enabled:
            for path in self.bib_paths:
                server.watch(str(path))
        return server


def _front_matter_lines(page: Page, markdown: str) -> int:
    """Lines before `page.markdown` in the file (front matter), so that reported lines match the file."""
    try:
        raw = page.file.content_string
    except (OSError, UnicodeDecodeError):
        return 0
    raw = raw.replace("\r\n", "\n")
    if markdown and raw.endswith(markdown):
        return raw[: len(raw) - len(markdown)].count("\n")
    position = raw.find(markdown[:200]) if markdown else -1
    return raw[:position].count("\n") if position > 0 else 0


def _absolute_url(config: MkDocsConfig, page: Page) -> str:
    if page.canonical_url:
        return page.canonical_url
    return page.url
