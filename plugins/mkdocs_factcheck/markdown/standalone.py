"""The extension without the MkDocs plugin (Zensical, plain Python-Markdown): what its pages share.

Zensical makes a new Markdown instance, and so a new extension, for every page. Parsing the
bibliography for each would cost a parse per page, so the run lives here, keyed by the options and
the bibliography's contents: an edit of `references.bib` during `zensical serve` starts a new one."""

from __future__ import annotations

import atexit
from html import escape
from pathlib import Path

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
from mkdocs_factcheck.core.checks.online.from_cache import CachedResults
from mkdocs_factcheck.core.checks.online.results import PLACEHOLDER
from mkdocs_factcheck.core.config_file import ConfigFile
from mkdocs_factcheck.core.findings import Findings
from mkdocs_factcheck.core.formatting.cache import FormattedCache
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.core.settings import Settings
from mkdocs_factcheck.core.site import SiteRun

# Findings go to a logger under `mkdocs.` so that `mkdocs build --strict` still counts them when the
# extension is listed in `markdown_extensions` without the plugin.
log = logger()


class StandaloneSite:
    """One bibliography, engine and online cache for every page converted with the same options."""

    def __init__(self, settings: Settings, base: Path):
        self.settings = settings
        self.base = base
        self.bibliography_cache = BibliographyCache()
        self.formatted_cache = FormattedCache()
        self.csl_cache = DocumentCache()
        self.run: SiteRun | None = None
        self._joined: SiteRun | None = None  # the run the cited identifiers' records joined (join_cited_identifiers)
        self.cached_online = CachedResults(settings.online, (base / settings.online.cache_dir).resolve())
        # No end-of-build event without the plugin: at exit.
        atexit.register(self.formatted_cache.save)
        atexit.register(self.csl_cache.save)

    def current(self) -> SiteRun:
        """The run for the bibliography as its files are now (raises BibliographyError and the like)."""
        run = self.run
        if run is not None:
            bibliography = self.bibliography_cache.get(run.bib_paths, self.base, run.cache_dir)
            if bibliography is run.engine.bibliography:
                return run
            self.formatted_cache.save()
            self.csl_cache.save()
        # Online checks need the whole site (the check command or the MkDocs plugin runs them); pages
        # show what earlier runs cached. Each page is numbered on its own: no page sees the others.
        self.settings.online.enabled = False
        self.run = SiteRun(
            self.settings,
            self.base,
            logger=log,
            bibliography_cache=self.bibliography_cache,
            formatted_cache=self.formatted_cache,
            csl_cache=self.csl_cache,
            network=False,
            numbering="page",
            config_file=ConfigFile.found_in(self.base),
        )
        # Entries carry the online placeholder; each page fills it from the cache (PageFinisher).
        self.run.engine.add_status_provider(lambda key: PLACEHOLDER.format(key=escape(key, quote=True)))
        return self.run

    def join_cited_identifiers(self, docs_dir: Path) -> None:
        """The identifiers file's records that the site's pages cite join this run's bibliography, as
        they do under the plugin (SiteRun.start): a site bibliography lists them. Once per run."""
        run = self.run
        if run is None or self._joined is run:
            return
        self._joined = run
        texts = []
        for path in sorted(docs_dir.rglob("*.md")):
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue  # the host reports an unreadable page itself
        run.identifiers.start(texts)

    def start_page(self) -> SiteRun:
        """Per page: its own findings (a page converted again during `serve` reports again), its own
        claim ids, and no page states of earlier pages kept."""
        run = self.current()
        run.engine.start_afresh(Findings(self.settings.findings, logger=log, place=run.findings.place).report)
        return run


_SITES: dict[tuple, StandaloneSite] = {}
MAX_SITES = 4


def standalone_site(settings: Settings, base: Path) -> StandaloneSite:
    key = (repr(settings), str(base))
    site = _SITES.get(key)
    if site is None:
        while len(_SITES) >= MAX_SITES:  # the oldest options of a long `serve`: their bibliography goes
            _SITES.pop(next(iter(_SITES)))
        site = _SITES[key] = StandaloneSite(settings, base)
    return site
