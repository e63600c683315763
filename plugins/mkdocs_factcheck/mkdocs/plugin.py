"""The MkDocs plugin: what needs the whole site. The per-page work is the Markdown extension's."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as etree
from html import unescape as html_unescape
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
from mkdocs_factcheck.core.bibliography.entry_filter import EntryFilter
from mkdocs_factcheck.core.bibliography.files import BibliographyError
from mkdocs_factcheck.core.citations.engine import CitationRecord, Engine, PageState
from mkdocs_factcheck.core.claims import corrections as corrections_page
from mkdocs_factcheck.core.claims.scale import Scale, ScaleError
from mkdocs_factcheck.core.config_file import ConfigFile, option_line
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.cache import FormattedCache
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
from mkdocs_factcheck.core.formatting.pybtex_formatter import StyleError
from mkdocs_factcheck.core.formatting.reference_html import ref_id, unique_entry_ids
from mkdocs_factcheck.core.mkdocs_bibtex_options import Note, read_as_ours
from mkdocs_factcheck.core.page_lines import front_matter_line, lines_before
from mkdocs_factcheck.core.report.build_report import (
    REPORT_FRONT_MATTER,
    REPORT_MARKER,
    REPORT_MARKER_TEXT,
    SUMMARY_MARKER,
    report_html,
    summary_html,
    summary_line,
)
from mkdocs_factcheck.core.report.claim_review import claim_review_script, review_author
from mkdocs_factcheck.core.report.page_links import page_url, relative_url
from mkdocs_factcheck.core.settings import Settings, SettingsError, extension_options, shared_options
from mkdocs_factcheck.core.site import SiteRun
from mkdocs_factcheck.core.wording import plural
from mkdocs_factcheck.markdown.assets import ASSETS
from mkdocs_factcheck.markdown.blocks import has_site_bibliography
from mkdocs_factcheck.markdown.csl_prefetch import PagesAhead
from mkdocs_factcheck.markdown.elements import finding_element
from mkdocs_factcheck.markdown.extension import (
    EXTENSION_NAMES,
    PAGE_BIBLIOGRAPHY_MARKER_RE,
    SITE_BIBLIOGRAPHY_MARKER_RE,
    FactcheckExtension,
)
from mkdocs_factcheck.mkdocs.config import FactcheckConfig, settings_of
from mkdocs_factcheck.mkdocs.search_view import search_view

log = get_plugin_logger(__name__)
ASSET_FILES = ("factcheck.css", "factcheck.js")
# Errors that do not stop `mkdocs serve`: the editor is making the change they are about.
SERVE_GOES_ON = ("unpublished_change",)
ENTRY_ITEM_RE = re.compile(
    r'<li id="ref-[^"]*" class="reference" data-key="(?P<key>[^"]*)">.*?(?=</li>)', re.DOTALL
)  # an entry's item (reference_html.item_html), to its end
# Options of the extension that are the plugin's as well.
SHARED_OPTIONS = [option.name for option in shared_options()]


class FactcheckPlugin(BasePlugin):
    config_class = FactcheckConfig  # derived from the one declaration of every option (core/settings.py)
    supports_multiple_instances = False

    def __init__(self) -> None:
        # Defining on_startup keeps this object across `mkdocs serve` rebuilds: the parsed bibliography
        # survives in this cache, keyed by the files' contents; per-build state is reset in on_config.
        self.bibliography_cache = BibliographyCache()
        self.formatted_cache = FormattedCache()  # formatted entries, kept across rebuilds and on disk
        self.csl_cache = DocumentCache()  # pages formatted with a CSL style, likewise
        self.is_serve = False
        self.settings = Settings()  # this build's options, as the core takes them (on_config)
        self.run: SiteRun | None = None  # this build's whole-site work (the core's, shared with the check command)
        self.engine: Engine | None = None
        self.extension: FactcheckExtension | None = None
        self.bib_paths: list[Path] = []
        self._lent: tuple[Page, str, str] | None = None  # a page's content while search reads its view
        self._first_state = 0  # the engine's first page state of the page being converted
        self._site_listed = False  # a page opens a site-wide bibliography block (see on_nav)
        self.given_options: set[str] | None = None  # the option names the site wrote (load_config)
        self.renamed_options: list[Note] = []  # mkdocs-bibtex's options given (load_config)
        # `mkdocs serve` rebuilds every page: the findings told again are the edited pages' and the new ones.
        self._told_before: set[tuple] | None = None  # the last build's findings (None: no build yet)
        self._page_digests: dict[str, str] = {}  # each page's text at the last build
        self._edited: set[str] = set()  # pages whose text changed since

    def load_config(self, options: dict, config_file_path: str | None = None):
        """The names the site wrote (MkDocs gives the others their defaults) and mkdocs-bibtex's among
        them, read as ours by the core (core/mkdocs_bibtex_options.py); each is said in on_config."""
        self.given_options = set(options)
        self.renamed_options = read_as_ours(options)[1]
        return super().load_config(options, config_file_path)

    def on_startup(self, *, command, dirty) -> None:
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        base = Path(config.config_file_path or ".").resolve().parent
        self._end_of_build()  # a build that ended without on_post_build or on_build_error
        self.run = self.engine = self.extension = (
            None  # the last build's, with its bibliography: freed before a new one is read
        )
        try:
            self.settings = settings_of(self.config, self.given_options)
            network = self.settings.online.serve or not self.is_serve  # serve: cached results only, unless asked
            told = self._told if self.is_serve and self._told_before is not None else None
            self.run = SiteRun(
                self.settings,
                base,
                logger=log,
                bibliography_cache=self.bibliography_cache,
                formatted_cache=self.formatted_cache,
                csl_cache=self.csl_cache,
                network=network,
                told=told,
                config_file=ConfigFile.read(Path(config.config_file_path), base) if config.config_file_path else None,
            )
        except (BibliographyError, StyleError, ScaleError, SettingsError) as error:
            raise PluginError(f"factcheck: {error}") from None
        self._tell_renamed_options(config)
        self.bib_paths = self.run.bib_paths
        self.engine = self.run.engine
        self.extension = self._install_extension(config, self.run.engine, self.run.scale)
        for name in ASSET_FILES:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            target.append(f"assets/factcheck/{name}")
        return config

    def _told(self, finding: Finding) -> bool:
        """During a `mkdocs serve` rebuild: a finding of an edited page, or one the last build did not have."""
        return finding.page in self._edited or self._told_before is None or finding.identity not in self._told_before

    def _tell_renamed_options(self, config: MkDocsConfig) -> None:
        assert self.run is not None
        path = Path(config.config_file_path or "mkdocs.yml")
        text = _file_text(path)
        for note in self.renamed_options:
            self.run.findings.report(
                Finding("renamed_option", note.message, file=path.name, line=option_line(text, note.name))
            )

    def _install_extension(self, config: MkDocsConfig, engine: Engine, scale: Scale) -> FactcheckExtension:
        """Use our extension instance (sharing the engine); a user's `markdown_extensions` entry for it
        (kept there for Zensical) is replaced, its options kept."""
        options: dict = {}
        kept = []
        for item in config.markdown_extensions:
            if isinstance(item, str) and item in EXTENSION_NAMES:
                options.update(config.mdx_configs.pop(item, {}) or {})
            elif not isinstance(item, FactcheckExtension):
                kept.append(item)
        self._warn_of_differences(options)
        options.pop("bibliography", None)  # the plugin's bibliography setting wins
        options.update(extension_options(self.settings))  # the site's options win over the extension's entry
        # Page bibliographies are written in on_post_page; the summary and JSON-LD gather nested
        # conversions (on_page_content); the assets are files.
        extension = FactcheckExtension.hosted(engine, scale, **options)
        extension.show_findings = self.is_serve and self.settings.show_findings_in_page
        extension.claim_status_slots = self.settings.online.enabled  # filled in on_env (retracted sources)
        kept.append(extension)
        if "attr_list" not in kept:
            kept.append("attr_list")  # `{: .claim verdict=...}` on a paragraph
        config.markdown_extensions = kept
        return extension

    def _warn_of_differences(self, options: dict) -> None:
        """The same mkdocs.yml must read alike under MkDocs (the plugin's options) and Zensical (the
        extension's): an option given in both with different values is a warning."""
        for name, value in options.items():
            if name not in SHARED_OPTIONS:
                continue
            ours = getattr(self.settings, name)
            if name == "bibliography":  # a path or a list of paths
                value, ours = _as_list(value), _as_list(ours)
            if value != ours:
                log.warning(
                    "markdown_extensions: mkdocs_factcheck: %s is %r there and %r in the plugin's options: MkDocs uses"
                    " the plugin's, Zensical the extension's; give both the same",
                    name,
                    value,
                    ours,
                )

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        for name in ASSET_FILES:
            files.append(
                File.generated(
                    config,
                    f"assets/factcheck/{name}",
                    abs_src_path=str(ASSETS / name),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        for name in (self.settings.report_page, self.settings.corrections_page):
            written = files.get_file_from_path(name) if name else None
            if written is not None and _written_by_check_command(written):
                files.remove(written)  # `check --write-report` wrote it for Zensical: this build writes its own
        self._site_listed = False
        if self.run is not None:
            pages = list(_page_texts(files))
            digests = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in pages}
            self._edited = {path for path, digest in digests.items() if self._page_digests.get(path) != digest}
            self._page_digests = digests
            self.run.start(text for _, text in pages)
            if self.run.engine.csl is not None and self.extension is not None:  # cold builds: pages read ahead
                self.run.engine.read_pages_ahead_with(
                    PagesAhead(pages, config.markdown_extensions, config.mdx_configs, self.extension.scale)
                )
                self._site_listed = any(has_site_bibliography(text) for _, text in pages)
        # Generated pages are not in nav unless the site puts them there: MkDocs would list them as omitted on every
        # build.
        if self._keeps_corrections_page() and files.get_file_from_path(self.settings.corrections_page) is None:
            files.append(
                File.generated(
                    config,
                    self.settings.corrections_page,
                    content=corrections_page.page_markdown(self.settings.words),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        if self.settings.report_page and files.get_file_from_path(self.settings.report_page) is None:
            title = self.settings.words.get("report_title", "Fact-check report")
            report = f"{REPORT_FRONT_MATTER}# {title}\n\n{REPORT_MARKER}\n"
            files.append(
                File.generated(config, self.settings.report_page, content=report, inclusion=InclusionLevel.NOT_IN_NAV)
            )
        return files

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        """A site with a site-wide bibliography, or numbered across the site by a numeric style, is one
        CSL document, its pages in navigation order (see `core/citeproc/site_document.py`)."""
        engine = self.run.engine if self.run is not None else None
        if (
            engine is not None
            and engine.csl is not None
            and (self._site_listed or (engine.site_numbering is not None and engine.csl.style.numeric))
        ):
            in_nav = [page.file.src_uri for page in nav.pages]
            seen = set(in_nav)
            engine.use_site_document(
                in_nav + [file.src_uri for file in files.documentation_pages() if file.src_uri not in seen],
                self._site_listed,
            )
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.extension is None:
            return None
        context = {
            "src_path": page.file.src_uri,
            "line_offset": _front_matter_lines(page, markdown),
            "url": page.url,
            "meta": page.meta,
        }
        self.extension.enter_page(
            {**context, "front_matter_line": lambda key, page=page: front_matter_line(_raw(page), key)}
        )
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
            if SITE_BIBLIOGRAPHY_MARKER_RE.search(html):  # every entry of the bibliography
                page.present_anchor_ids |= {ref_id(source.key) for source in self.engine.bibliography.sources.values()}
        # The page's own conversion and those nested in it (mkdocstrings, excerpts) each have a state.
        claims = [
            claim
            for state in self.engine.pages[self._first_state :]
            if state.src_path == page.file.src_uri
            for claim in state.claims
        ]
        if not claims:
            return None
        if self.settings.summary and page.meta.get("factcheck_summary", True):
            marker = f'<div class="factcheck-summary-slot">{SUMMARY_MARKER}</div>'
            title_end = html.find("</h1>")  # under the page's title, before the text
            at = title_end + len("</h1>") if title_end >= 0 else 0
            html = html[:at] + marker + html[at:]
        return html

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
            log.warning(
                "%s: another plugin changed the page while search indexed it; that change is not kept (the page keeps"
                " its citations)",
                page.file.src_uri,
            )
        page.content = full
        return context

    on_page_context = CombinedEvent(_lend_search_view, _take_search_view_back)

    @event_priority(-50)  # after other plugins' on_env: every page has been rendered by now
    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if not self.config.enabled or self.engine is None or self.extension is None:
            return None
        assert self.run is not None
        engine = self.engine
        pages_by_path = {file.src_uri: file.page for file in files.documentation_pages() if file.page is not None}
        for path, each in pages_by_path.items():  # corrections of removed claims, before the ledger is compared
            self.run.page_corrections(path, dict(each.meta), lambda key, each=each: front_matter_line(_raw(each), key))
        self.run.finish(config.site_url or "")
        online = self.run.online
        report_url = page_url(self.settings.report_page, config.use_directory_urls) if self.settings.report_page else ""
        cited_on = self._citations_across_pages()
        claims_by_path: dict[str, list] = {}  # a page may have several states (nested conversions)
        for state in engine.pages:
            claims_by_path.setdefault(state.src_path or "", []).extend(state.claims)
        for path, page_claims in claims_by_path.items():
            page = pages_by_path.get(path)
            if page is None or page.content is None:
                continue
            content = online.fill(page.content)  # online marks on bibliographies and citations
            if SITE_BIBLIOGRAPHY_MARKER_RE.search(content):
                taken: set[str] = set()  # the entries' ids in the page's site blocks so far

                def site_listing(marker, page=page, taken=taken) -> str:
                    entry_filter = EntryFilter.from_marker_text(marker["filter"])
                    listing = engine.lists.site(
                        lambda key: self._backlinks(cited_on, key, page), entry_filter, marker["title"] or None
                    )
                    return unique_entry_ids(
                        online.fill(listing), taken
                    )  # an entry may keep a placeholder (Engine.entry_body)

                content = SITE_BIBLIOGRAPHY_MARKER_RE.sub(site_listing, content)
            if SUMMARY_MARKER in content:
                content = content.replace(
                    SUMMARY_MARKER,
                    summary_html(
                        page_claims,
                        self.extension.scale,
                        page,
                        report_url,
                        self.settings.words,
                        self.settings.reviewers,
                    ),
                )
            self.run.check_front_matter(
                path, dict(page.meta), lambda key, page=page: front_matter_line(_raw(page), key)
            )
            # Here rather than per page: only now is it known which ratings the sources back (retractions).
            # No site_url, no absolute url (SiteRun.finish says so).
            content += claim_review_script(
                page_claims,
                self.extension.scale,
                page.canonical_url or "",
                self._organization(config),
                dict(page.meta),
                self.run.ledger,
                self.settings.reviewers,
            )
            page.content = content
        listing: Page | None = (
            pages_by_path.get(self.settings.corrections_page) if self.settings.corrections_page else None
        )
        if listing is not None and listing.content and corrections_page.PAGE_MARKER in listing.content:
            html = corrections_page.page_html(
                self.run.corrections(),
                self.extension.scale,
                corrections_page.link_from(listing.url),
                self.settings.words,
            )
            listing.content = listing.content.replace(f"<p>{corrections_page.PAGE_MARKER}</p>", html).replace(
                corrections_page.PAGE_MARKER, ""
            )
        if self.settings.report_page:
            report_page = pages_by_path.get(self.settings.report_page)
            if report_page is not None and report_page.content:
                data = self.run.published_report()  # computed once per build, reused for factcheck.json
                report_page.content = report_page.content.replace(
                    f"<p>{REPORT_MARKER}</p>",
                    report_html(
                        data,
                        self.extension.scale,
                        report_page,
                        self.settings.words,
                        json_name=self.settings.report_json,
                    ),
                ).replace(REPORT_MARKER, "")
        return env

    @event_priority(100)  # before other plugins' on_post_page (a minifier would drop the marker comments)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Write each bibliography list where the extension left its marker (see PAGE_BIBLIOGRAPHY_MARKER)."""
        engine = self.engine
        if engine is None or self.run is None or "factcheck:page-bibliography:" not in output:
            return None
        online = self.run.online

        shown = self.extension is not None and self.extension.show_findings
        by_place = self._entry_findings() if shown else {}

        def listing(match: re.Match) -> str:
            html = online.fill(engine.lists.page(engine.pages[int(match.group(1))]))  # online marks too
            return show_entry_findings(html, by_place, engine) if by_place else html

        return PAGE_BIBLIOGRAPHY_MARKER_RE.sub(listing, output)

    def _keeps_corrections_page(self) -> bool:
        """The corrections page is made for a site that keeps a ledger (it has published)."""
        ledger = self.run.ledger if self.run is not None else None
        return (
            bool(self.settings.corrections_page)
            and ledger is not None
            and ledger.path is not None
            and ledger.path.is_file()
        )

    def _entry_findings(self) -> dict[tuple[str, int], list[str]]:
        """With `show_findings_in_page` (serve): the findings about entries, as notes, by the entry's place."""
        assert self.run is not None
        notes: dict[tuple[str, int], list[str]] = {}
        for finding in self.run.findings.items:
            if finding.file and finding.line and not finding.page:
                notes.setdefault((finding.file, finding.line), []).append(
                    etree.tostring(finding_element(finding, finding.severity), encoding="unicode")
                )
        return notes

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
        return [
            (relative_url(state.url, from_page.url) + "#" + record.anchor, state.src_path or "")
            for state, record in cited_on.get(key.lower(), [])
        ]

    def _organization(self, config: MkDocsConfig) -> dict | None:
        """The fact-checker (ClaimReview's author): the `organization` setting, else the site's author or name."""
        return review_author(self.settings.organization, config.site_author or config.site_name, config.site_url or "")

    def on_build_error(self, *, error: Exception) -> None:
        self._end_of_build()

    def _end_of_build(self) -> None:
        """After a build, failed or not: nothing left running (see SiteRun.close)."""
        if self.run is not None:
            self.run.close()
        if self.extension is not None:
            # `mkdocs serve` keeps its first build's config (and with it this extension) for the whole
            # session: without this, that build's engine and bibliography would stay in memory too.
            self.extension.engine = None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._end_of_build()
        if not self.config.enabled or self.run is None:
            return
        self.run.save_caches()
        if self.is_serve:
            self._told_before = {finding.identity for finding in self.run.findings.items}
        data = self.run.report()
        if self.settings.report_json:
            target = Path(config.site_dir) / self.settings.report_json
            target.parent.mkdir(parents=True, exist_ok=True)
            # Compact: with `indent`, Python's json falls back to its pure-Python encoder, slow on large
            # sites; `python -m json.tool site/factcheck.json` shows it indented.
            target.write_text(
                json.dumps(self.run.published_report(), ensure_ascii=False, separators=(",", ":")) + "\n",
                encoding="utf-8",
            )
        log.info(summary_line(data))
        errors = self.run.findings.of_severity("error")
        if self.is_serve:  # an editor correcting a claim: told on every rebuild; builds and publish stop
            errors = [finding for finding in errors if finding.kind not in SERVE_GOES_ON]
        if errors:
            raise PluginError(f"factcheck: {plural(len(errors), 'finding')} configured as errors (see above)")

    def on_shutdown(self) -> None:
        self._end_of_build()

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if self.config.enabled:
            for path in self.bib_paths:
                server.watch(str(path))
            identifiers = self.run.identifiers.path if self.run is not None else None
            if identifiers is not None and identifiers.is_file():  # a hand edit of a frozen record
                server.watch(str(identifiers))
        return server


def show_entry_findings(html: str, notes: dict[tuple[str, int], list[str]], engine: Engine) -> str:
    """Each listed entry's findings (`missing_field`, ...) as notes at the end of its item."""

    def item(match: re.Match) -> str:
        source = engine.bibliography.get(html_unescape(match["key"]))
        found = notes.get((source.file, source.line), []) if source is not None else []
        return match[0] + "".join(found) if found else match[0]

    return ENTRY_ITEM_RE.sub(item, html)


def _page_texts(files: Files):
    """(src_uri, text) of each page, in the order MkDocs converts them."""
    for file in files.documentation_pages():
        try:
            yield file.src_uri, file.content_string
        except (OSError, UnicodeDecodeError):
            continue  # MkDocs reports an unreadable page itself


def _front_matter_lines(page: Page, markdown: str) -> int:
    """Lines before `page.markdown` in the file (front matter), so that reported lines match the file."""
    return lines_before(_raw(page), markdown)


def _written_by_check_command(file: File) -> bool:
    return REPORT_MARKER_TEXT in _text(file)[:2000]


def _raw(page: Page) -> str:
    return _text(page.file)


def _text(file: File) -> str:
    try:
        return file.content_string
    except (OSError, UnicodeDecodeError):
        return ""


def _file_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _as_list(value) -> list[str]:
    return [str(item) for item in ([value] if isinstance(value, str) else value)]
