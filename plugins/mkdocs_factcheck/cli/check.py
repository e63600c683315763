"""`mkdocs-factcheck check`: convert every page of a site with the extension, bound to one SiteRun,
as a build would, and return what the checks found. No theme, no HTML written."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from markdown import Markdown

from mkdocs_factcheck.cli.cache_key import CacheKey
from mkdocs_factcheck.cli.page_cache import PageResults
from mkdocs_factcheck.cli.site_config import ConfigError, SiteConfig, site_pages
from mkdocs_factcheck.core.bibliography.files import BibliographyError
from mkdocs_factcheck.core.citations.engine import PageState
from mkdocs_factcheck.core.claims import corrections
from mkdocs_factcheck.core.claims.scale import ScaleError
from mkdocs_factcheck.core.config_file import ConfigFile
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.pybtex_formatter import StyleError
from mkdocs_factcheck.core.page_lines import front_matter_line, split_front_matter
from mkdocs_factcheck.core.report.build_report import REPORT_FRONT_MATTER, REPORT_MARKER_TEXT, report_html
from mkdocs_factcheck.core.report.page_links import page_url
from mkdocs_factcheck.core.settings import SettingsError, extension_options
from mkdocs_factcheck.core.site import SiteRun
from mkdocs_factcheck.markdown.convert import OUTPUT_ONLY, convert_tree
from mkdocs_factcheck.markdown.csl_prefetch import PagesAhead
from mkdocs_factcheck.markdown.extension import FactcheckExtension


@dataclass
class CheckResult:
    config: SiteConfig
    run: SiteRun
    pages: list[str]  # docs-relative paths, in the order converted

    @property
    def findings(self) -> list[Finding]:
        """In the order of their places (file, line), whatever order the pages were converted or cached in."""
        return sorted(self.run.findings.items, key=lambda f: (*self._sort_place(f), f.kind, f.message))

    def _sort_place(self, finding: Finding) -> tuple[str, int]:
        path, line = self.place(finding)
        return path, line or 0

    def path_of(self, finding: Finding) -> Path | None:
        """The file a finding is about: a page in the docs folder, or a file next to the config."""
        if finding.page:
            return None if finding.page.startswith("<") else self.config.docs_dir / finding.page
        return self.config.base / finding.file if finding.file else self.config.path

    def place(self, finding: Finding) -> tuple[str, int | None]:
        """A finding's file as the editor opens it from where the command runs, and its line."""
        path = self.path_of(finding)
        return (self.config.relative(path) if path is not None else finding.page or ""), finding.line


def run_check(
    config: SiteConfig, *, offline: bool, only: list[Path] | None = None, use_cache: bool = True
) -> CheckResult:
    """Raises ConfigError when the site cannot be checked (bibliography, style, scale, options, docs
    folder, Markdown extensions)."""
    run = _site_run(config, offline)
    try:
        texts = _read_pages(config, run)
        run.start(texts.values())
        extension = _extension(config, run)
        extensions, configs = _checked_extensions(config)
        md = _markdown(config, extensions, configs, extension)
        if run.engine.csl is not None:  # cold runs: pages read ahead (see markdown/csl_prefetch.py)
            run.engine.read_pages_ahead_with(PagesAhead(list(texts.items()), extensions, configs, run.scale))
        results = _page_results(run, extensions, configs) if use_cache else None
        _convert_pages(config, run, md, extension, texts, results)
        run.finish(config.site_url)
        run.save_caches()
        if results is not None:
            results.save()
    finally:
        run.close()
    result = CheckResult(config, run, list(texts))
    if only is not None:
        _keep_only(result, only)
    return result


def _site_run(config: SiteConfig, offline: bool) -> SiteRun:
    """The run every page is checked in: the bibliography read, the style and the scale loaded."""
    settings = config.settings
    if offline:
        settings.online.enabled = False
    if not config.docs_dir.is_dir():
        raise ConfigError(f"{config.path.name}: docs folder {config.relative(config.docs_dir)} does not exist")
    docs = config.relative(config.docs_dir)
    prefix = "" if docs == "." else docs + "/"  # a second place, named as the first (CheckResult.place)
    try:
        run = SiteRun(
            settings,
            config.base,
            logger=None,
            network=not offline,
            page_prefix=prefix,
            config_file=ConfigFile.read(config.path, config.base),
        )
    except (BibliographyError, StyleError, ScaleError, SettingsError) as error:
        raise ConfigError(f"{config.path.name}: {error}") from None
    run.findings.extend(config.renamed)
    return run


def _read_pages(config: SiteConfig, run: SiteRun) -> dict[str, str]:
    """Every page's text by its docs-relative path; a page that cannot be read is a finding, not an error."""
    texts = {}
    for src_path, path in site_pages(config):
        try:
            texts[src_path] = path.read_text(encoding="utf-8-sig")  # text mode: line ends are "\n" already
        except (OSError, UnicodeDecodeError) as error:
            run.findings.report(Finding("unreadable_page", f"cannot read this page: {error}", page=src_path, line=1))
    return texts


def _checked_extensions(config: SiteConfig) -> tuple[list, dict]:
    """The site's Markdown extensions and their options, less those that only shape the output."""
    extensions = [name for name in config.extensions if name not in OUTPUT_ONLY]
    configs = {name: options for name, options in config.extension_configs.items() if name not in OUTPUT_ONLY}
    return extensions, configs


def _markdown(config: SiteConfig, extensions: list, configs: dict, extension: FactcheckExtension) -> Markdown:
    """One Markdown for every page, reset between them, as MkDocs does not: building its extensions
    per page cost a tenth of the command's time."""
    try:
        return Markdown(extensions=[*extensions, extension], extension_configs=configs)
    except (ImportError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(
            f"{config.path.name}: markdown_extensions cannot be loaded: {type(error).__name__}: {error}"
        ) from None


def _page_results(run: SiteRun, extensions: list, configs: dict) -> PageResults | None:
    """The pages' results cached from the last run, for a site whose pages depend on their text only:
    a page that includes other files (snippets) depends on more, and nothing is cached."""
    if any(str(name) in INCLUDING for name in extensions):
        return None
    bibliography_files = [*run.bib_paths, *([run.identifiers.path] if run.identifiers.path else [])]
    site_key = PageResults.key_of_site(run.settings, extensions, configs, bibliography_files)
    return PageResults(run.cache_dir, site_key, CacheKey.of_this_user())


def _convert_pages(
    config: SiteConfig,
    run: SiteRun,
    md: Markdown,
    extension: FactcheckExtension,
    texts: dict[str, str],
    results: PageResults | None,
) -> None:
    """Each page's front matter checked, then its results restored from the cache or the page converted."""
    for src_path, text in texts.items():
        meta, markdown, offset = split_front_matter(text)
        line_of = partial(front_matter_line, text)
        run.check_front_matter(src_path, meta, line_of)
        url = page_url(src_path, config.use_directory_urls)
        key = PageResults.page_key(src_path, url, text)
        if results is not None and results.restore(run.engine, src_path, url, key, text):
            continue
        state, findings = _convert_page(
            run,
            md,
            extension,
            markdown,
            {"src_path": src_path, "line_offset": offset, "url": url, "meta": meta, "front_matter_line": line_of},
        )
        # A page whose identifier could not be resolved (a service down) is converted again next time.
        if results is not None and not any(finding.kind == "unknown_identifier" for finding in findings):
            results.keep(src_path, key, state, findings)
    extension.enter_page({})


def _convert_page(
    run: SiteRun, md: Markdown, extension: FactcheckExtension, markdown: str, context: dict
) -> tuple[PageState | None, list[Finding]]:
    """One page converted as a build converts it: the state it left (none for an empty page) and the
    findings it reported."""
    extension.enter_page(context)
    md.reset()
    states = len(run.engine.pages)
    with _captured(run) as findings:
        convert_tree(md, markdown)
    return (run.engine.pages[-1] if len(run.engine.pages) > states else None), findings


# Extensions that put other files' text into a page.
INCLUDING = (
    "pymdownx.snippets",
    "markdown_include.include",
    "mdx_include",
    "markdown_exec",
    "pymdownx.blocks.html_include",
)


@contextlib.contextmanager
def _captured(run: SiteRun) -> Iterator[list[Finding]]:
    """The findings reported while one page converts (they are part of its results)."""
    findings: list[Finding] = []
    report = run.engine.reporter

    def capture(finding: Finding) -> None:
        findings.append(finding)
        report(finding)

    with run.engine.reporting_to(capture):
        yield findings


def _extension(config: SiteConfig, run: SiteRun) -> FactcheckExtension:
    """The extension as the plugin installs it: bound to the run's engine, page bibliographies left
    as markers (nothing reads them here), no summary or JSON-LD (no page is published)."""
    return FactcheckExtension.hosted(run.engine, run.scale, **extension_options(config.settings))


def _keep_only(result: CheckResult, only: list[Path]) -> None:
    """Findings of the given files only (pre-commit passes the changed ones); the whole site is still
    converted, so that site-wide facts (numbering, duplicate ids, what is cited) stay right. The
    configuration, a bibliography or the identifiers file can change any page: given one of them, every
    finding is kept."""
    wanted = {path.resolve() for path in only}
    config = result.config
    site_wide = {config.path.resolve(), *(path.resolve() for path in result.run.bib_paths)}
    if config.settings.identifiers_file:
        site_wide.add((config.base / config.settings.identifiers_file).resolve())
    if wanted & site_wide:
        return
    result.run.findings.items = [
        f for f in result.run.findings.items if (path := result.path_of(f)) is not None and path.resolve() in wanted
    ]


def write_report_page(result: CheckResult) -> Path:
    """The report as a Markdown page in the docs folder (raw HTML in Markdown), so that a site built by a
    host without the plugin (Zensical) publishes the same report as an MkDocs one."""
    config = result.config
    name = config.settings.report_page
    target = (config.docs_dir / name).resolve()
    if not name or not name.endswith(".md") or not target.is_relative_to(config.docs_dir):
        raise ConfigError(
            f"{config.path.name}: report_page {name!r} is not a Markdown page inside the docs folder: no report written"
        )
    if target.exists() and REPORT_MARKER_TEXT not in target.read_text(encoding="utf-8", errors="replace")[:2000]:
        raise ConfigError(f"{config.relative(target)} exists and was not written by this command: not overwritten")
    words = config.settings.words
    title = words.get("report_title", "Fact-check report")
    page = _ReportPage(page_url(name, config.use_directory_urls))
    html = report_html(result.run.published_report(), result.run.scale, page, words, source_links=name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{REPORT_FRONT_MATTER}{REPORT_MARKER_TEXT}\n\n# {title}\n\n{html}\n", encoding="utf-8")
    return target


def write_corrections_page(result: CheckResult) -> Path | None:
    """The site's corrections page beside the report (a site that keeps a ledger), for hosts without the plugin."""
    config = result.config
    name = config.settings.corrections_page
    ledger = result.run.ledger
    if not name or ledger is None or ledger.path is None or not ledger.path.is_file():
        return None
    target = (config.docs_dir / name).resolve()
    if not name.endswith(".md") or not target.is_relative_to(config.docs_dir):
        raise ConfigError(
            f"{config.path.name}: corrections_page {name!r} is not a Markdown page inside the docs folder: not written"
        )
    if target.exists() and REPORT_MARKER_TEXT not in target.read_text(encoding="utf-8", errors="replace")[:2000]:
        return None  # the site's own page
    words = config.settings.words
    html = corrections.page_html(
        result.run.corrections(),
        result.run.scale,
        corrections.link_from(page_url(name, config.use_directory_urls), name),
        words,
    )
    title = words.get("corrections_page_title", "Corrections")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{REPORT_MARKER_TEXT}\n\n# {title}\n\n{html}\n", encoding="utf-8")
    return target


@dataclass
class _ReportPage:
    url: str
    meta: dict | None = None
