"""One run over a whole site, whatever drives it (the MkDocs plugin, the check command): the
bibliography and engine, the findings, the online checks and the report data.

The host converts the pages with the Markdown extension, bound to this run's engine, between
`start` and `finish`; everything here is the same for every host, so no check exists twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs_factcheck.core.bibliography.cache import BibliographyCache
from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.offline import check_sources, is_unverified
from mkdocs_factcheck.core.checks.online.results import OnlineReport
from mkdocs_factcheck.core.checks.preprint_sources import PreprintSources
from mkdocs_factcheck.core.citations.by_identifier import IdentifierCitations, attach
from mkdocs_factcheck.core.citations.engine import Engine
from mkdocs_factcheck.core.citations.syntax import keys_mentioned
from mkdocs_factcheck.core.claims.corrections import front_matter_removals, site_corrections
from mkdocs_factcheck.core.claims.ledger import Amendment, Change, Ledger, LedgerError, changes
from mkdocs_factcheck.core.claims.ledger import load as load_ledger
from mkdocs_factcheck.core.claims.scale import Scale
from mkdocs_factcheck.core.config_file import ConfigFile
from mkdocs_factcheck.core.findings import KINDS, Finding, Findings
from mkdocs_factcheck.core.formatting.cache import FormattedCache
from mkdocs_factcheck.core.formatting.csl.cache import DocumentCache
from mkdocs_factcheck.core.formatting.formatter_process import FormatterProcess, worth_starting
from mkdocs_factcheck.core.log import logger
from mkdocs_factcheck.core.report.build_report import for_readers, report_data
from mkdocs_factcheck.core.report.claim_review import DATE_RE, front_matter_problems
from mkdocs_factcheck.core.report.page_links import is_url
from mkdocs_factcheck.core.settings import Settings, SettingsError, reviewers_problem
from mkdocs_factcheck.version import __version__

if TYPE_CHECKING:
    from mkdocs_factcheck.core.checks.online.verifier import OnlineVerifier

log = logger()


def bibliography_files(base: Path, paths: list) -> list[Path]:
    """The files of `bibliography`, relative to `base`; a folder stands for every .bib file under it (in
    the order of their paths), as mkdocs-bibtex's `bib_dir` does."""
    files = []
    for item in paths:
        path = (base / item).resolve()
        files.extend(sorted(path.rglob("*.bib")) if path.is_dir() else [path])
    return files


class SiteRun:
    """Raises BibliographyError, StyleError, ScaleError or SettingsError (one message, for the host to
    show) when the bibliography cannot be read, the style is unknown, the scale is invalid or a finding
    kind is unknown."""

    def __init__(
        self,
        settings: Settings,
        base: Path,
        *,
        logger: logging.Logger | logging.LoggerAdapter | None,
        bibliography_cache: BibliographyCache | None = None,
        formatted_cache: FormattedCache | None = None,
        csl_cache: DocumentCache | None = None,
        network: bool = True,
        numbering: str | None = None,
        told: Callable[[Finding], bool] | None = None,
        page_prefix: str = "",
        config_file: ConfigFile | None = None,
    ):
        self.settings = settings
        self.base = base
        self.cache_dir = (base / settings.online.cache_dir).resolve()
        unknown = sorted(set(settings.findings) - set(KINDS))
        if unknown:
            raise SettingsError(f"findings: unknown kind(s) {', '.join(unknown)} (kinds: {', '.join(sorted(KINDS))})")
        self.findings = Findings(
            settings.findings, logger=logger, told=told, place=config_file.place if config_file else None
        )
        problem = reviewers_problem(settings.reviewers)
        if problem:
            raise SettingsError(f"reviewers: {problem}")
        if settings.online.required and "service_unavailable" not in settings.findings:
            self.findings.severities["service_unavailable"] = "error"  # the site asked for every check to run
        paths = settings.bibliography
        paths = [paths] if isinstance(paths, str) else list(paths)
        style = settings.style
        if any(is_url(item) for item in [*paths, style]):
            from mkdocs_factcheck.core.checks.online.remote_files import (
                RemoteFiles,
            )  # here: requests is imported only when a URL is given
            from mkdocs_factcheck.core.checks.online.verifier import user_agent

            remote = RemoteFiles(
                base,
                self.cache_dir,
                settings.online,
                network=network and settings.online.enabled,
                report=self.findings.report,
                user_agent=user_agent(settings.online),
            )
            try:
                paths = [remote.local(item, "bibliography") if is_url(item) else item for item in paths]
                style = str(remote.local(style, "style")) if is_url(style) else style
            finally:
                remote.close()
        self.bib_paths = bibliography_files(base, paths)
        bibliography = (bibliography_cache or BibliographyCache()).get(self.bib_paths, base, self.cache_dir)
        self.scale = Scale(settings.verdicts or None)
        self.formatted_cache = formatted_cache or FormattedCache()
        self.formatted_cache.load(self.cache_dir)
        self.csl_cache = csl_cache or DocumentCache()
        self.csl_cache.load(self.cache_dir)
        self.ledger = self._ledger(base)
        self.engine = Engine(
            bibliography,
            style,
            settings.citation_mode,
            numbering or settings.numbering,
            settings.words,
            self.findings.report,
            self.formatted_cache,
            settings.title_case,
            base=base,
            locale=settings.locale,
            csl_store=self.csl_cache,
            severity_of=self.findings.severity_of,
            ledger=self.ledger,
            reviewers=settings.reviewers,
            page_prefix=page_prefix,
        )
        self.findings.extend(bibliography.findings)
        self.engine.add_status_provider(self._unverified_status)
        self.removals: dict[str, tuple[Amendment, str, int]] = {}  # front matter corrections of removed claims
        self.changes: list[Change] = []  # claims changed since the ledger, each with its correction
        self.verifier: OnlineVerifier | None = None
        self.online = OnlineReport()
        self._report: dict | None = None
        self._finished = False
        self._start_online(network)
        self.identifiers = self._identifier_citations(base)

    def _ledger(self, base: Path) -> Ledger | None:
        """The published record (read only: `mkdocs-factcheck publish` writes it); one that cannot be
        read is a finding, and nothing is compared with it."""
        if not self.settings.ledger_file:
            return None
        path = base / self.settings.ledger_file
        try:
            return load_ledger(path)
        except LedgerError as error:
            self.findings.report(
                Finding(
                    "invalid_ledger",
                    f"{error}: corrections are not checked",
                    file=self.settings.ledger_file,
                    line=error.line,
                )
            )
            return Ledger(path)

    # ------------------------------------------------------------------ before the pages

    def _start_online(self, network: bool) -> None:
        """Checks start in `start` (entries the Markdown mentions) and as entries are cited."""
        online = self.settings.online
        if not online.enabled:
            return
        from mkdocs_factcheck.core.checks.online.verifier import (
            OnlineVerifier,
            user_agent,
        )  # here: requests is imported only when checks are on

        self.verifier = OnlineVerifier(online, self.cache_dir, user_agent(online), network=network)
        self.engine.add_cite_listener(self.verifier.submit)
        self.engine.add_status_provider(self.verifier.status_html)  # a placeholder until finish()

    def _identifier_citations(self, base: Path) -> IdentifierCitations:
        """`@doi:...` citations (identifier_citations.py), fetched through the online checks' client when they run."""
        fetcher = None
        if self.verifier is not None:
            from mkdocs_factcheck.core.checks.online.metadata import MetadataFetcher

            fetcher = MetadataFetcher(self.verifier)
        identifiers = IdentifierCitations(
            self.engine.bibliography, base, self.settings.identifiers_file, self.findings.report, fetcher
        )
        attach(self.engine, identifiers)
        self.preprints = PreprintSources(identifiers, self.settings.words.get("preprint", "Preprint"))
        self.engine.status_providers.append(self.preprints.status_html)  # a fact about the source, online or not
        return identifiers

    def start(self, page_texts: Iterable[str]) -> None:
        """Before any page renders: the pages' Markdown names the entries they may cite (a superset: keys in
        code blocks too), so their online checks, and on a cold build their formatting in a second
        process, start now and run while the pages render."""
        page_texts = list(page_texts)
        self.identifiers.start(page_texts)  # before the mentioned entries: the identifiers file's items are some
        mentioned = self.mentioned_sources(page_texts)
        self.preprints.prefetch(mentioned)  # the records of preprint entries, fetched while pages render
        if self.verifier is not None:
            for source in mentioned:
                self.verifier.prefetch(source)  # checked; waited for and reported only if really cited
        self._start_formatter_process(mentioned)

    def mentioned_sources(self, page_texts: Iterable[str]) -> list[Source]:
        bibliography = self.engine.bibliography
        sources: dict[str, Source] = {}  # once each, in the order first mentioned
        for text in page_texts:
            for key in keys_mentioned(text):
                source = bibliography.get(key)
                if source is not None:
                    sources.setdefault(source.key.lower(), source)
        return list(sources.values())

    def _start_formatter_process(self, mentioned: list[Source]) -> None:
        """On a cold build, format the mentioned entries in a second process as well (see formatter_process)."""
        formatter = self.engine.formatter
        if self.engine.csl is not None:
            return  # pybtex formats nothing a reader sees (only entries pandoc fails on, one by one)
        unformatted = set(formatter.unformatted([source.key for source in mentioned]))
        sources = [source for source in mentioned if source.key in unformatted]
        if not worth_starting(len(sources)):
            return
        try:
            formatter.take_help_from(FormatterProcess(self.engine.style_name, sources, self.settings.title_case))
        except Exception as error:  # noqa: BLE001 - no process could be started: the run formats everything itself
            log.debug("formatting in one process only: %s", error)

    # ------------------------------------------------------------------ after the pages

    def check_front_matter(self, src_path: str, meta: dict, line_of) -> None:
        """A page's review front matter (`reviewed`, `updated`, `reviewed_article`); `line_of(key)` gives
        the line of a key in the file."""
        for key, message in front_matter_problems(meta):
            self.findings.report(Finding("invalid_front_matter", message, page=src_path, line=line_of(key)))
        self.page_corrections(src_path, meta, line_of)

    def page_corrections(self, src_path: str, meta: dict, line_of) -> None:
        """A page's front matter `corrections:` of claims it no longer has (before `finish`)."""
        removals, problems = front_matter_removals(meta)
        for message in problems:
            self.findings.report(Finding("invalid_correction", message, page=src_path, line=line_of("corrections")))
        for claim_id, amendment in removals:
            self.removals[claim_id] = (amendment, src_path, line_of("corrections"))

    def finish(self, site_url: str = "") -> None:
        """Once every page is converted: the checks on sources, then the online results (waited for,
        bounded by `online.deadline`). Without `site_url` a site with claims publishes ClaimReview data
        with no absolute url: one finding says so."""
        if self._finished:
            return
        self._finished = True
        engine = self.engine
        claims = self.claims()
        for claim in claims:  # `[@doi:10.x/y]` in a claim: the key of the source it resolved to
            claim.cites = self.identifiers.source_keys(claim.cites)
        self._check_review_fields(claims)
        if self.ledger is not None:
            self.changes, found = changes(self.ledger, claims, self.removals)
            self.findings.extend(found)
        if claims and not site_url:
            self.findings.report(
                Finding(
                    "no_site_url",
                    "site_url is not set: the ClaimReview data of pages with claims has no absolute url, which search"
                    " engines require",
                )
            )
        cited = engine.listed_keys()  # `nocite` entries are checked as cited ones are
        self.preprints.settle(cited)  # records of cited preprints fetched now, if no page listed them, to be frozen too
        self.identifiers.freeze()  # what was fetched for identifier citations, into the identifiers file
        if self.verifier is None:  # the online checks report retractions from today's records; else the file's
            self.findings.extend(self.identifiers.offline_findings(cited))
            self.online.retracted |= {
                source.key.lower() for source in self.identifiers.retracted_sources(cited)
            }  # their citations' marks
        self.findings.extend(self.preprints.findings(cited))
        for claim in claims:  # their preprint sources, for factcheck.json and the ClaimReview data
            claim.preprints = self.preprints.of(claim.cites)
        self.findings.extend(
            check_sources(
                engine.bibliography, cited, claims, self.settings.unverified_pattern, self.settings.max_source_age
            )
        )
        if self.verifier is not None:
            self.online = self.verifier.finish()
            self.findings.extend(self.online.findings)
            self.findings.extend(self.online.claim_findings(claims))
            for claim in claims:  # a claim resting only on retracted sources: its badge and JSON-LD say so
                claim.caveat = claim.caveat or self.online.claim_caveats.get(claim.id, "")

    def _check_review_fields(self, claims: list) -> None:
        """Each claim's reviewer is one of the site's; its dates are dates; a correction has one."""
        reviewers = self.settings.reviewers
        for claim in claims:
            place = {"page": claim.page or "<page>", "line": claim.line}
            if claim.reviewer and claim.reviewer not in reviewers:
                known = (
                    f" (reviewers: {', '.join(sorted(reviewers))})" if reviewers else " (the site defines no reviewers)"
                )
                self.findings.report(
                    Finding(
                        "unknown_reviewer", f"claim '{claim.id}': unknown reviewer '{claim.reviewer}'{known}", **place
                    )
                )
            for note, date, name in (
                (claim.correction, claim.corrected, "corrected"),
                (claim.update, claim.updated, "updated"),
                ("", claim.reviewed, "reviewed"),
            ):
                if (note or date) and not DATE_RE.fullmatch(date or ""):
                    what = (
                        f"'{name}={date}' is not a date (YYYY-MM-DD)"
                        if date
                        else f"its {'correction' if name == 'corrected' else 'update'} needs a date ({name}=YYYY-MM-DD)"
                    )
                    self.findings.report(Finding("invalid_correction", f"claim '{claim.id}': {what}", **place))
                elif date and not note and name != "reviewed":
                    self.findings.report(
                        Finding(
                            "invalid_correction",
                            f"claim '{claim.id}': '{name}={date}' without a note"
                            f' ({"correction" if name == "corrected" else "update"}="...")',
                            **place,
                        )
                    )

    def corrections(self) -> list[dict]:
        """Every correction readers see, newest first (see `site_corrections`)."""
        return site_corrections(
            self.ledger, self.claims(), {claim_id: removal[0] for claim_id, removal in self.removals.items()}
        )

    def claims(self) -> list:
        return self.engine.claims()

    def report(self) -> dict:
        """The report's data, once per run (after `finish` every claim, citation and finding is known)."""
        if self._report is None:
            data = report_data(
                self.engine,
                self.findings,
                self.scale,
                self.settings.unverified_pattern,
                __version__,
                self.online.retracted,
            )
            for source in data["sources"]:
                entry = self.engine.bibliography.get(source["key"])
                preprint = self.preprints.facts(entry) if entry is not None else None
                if preprint is not None:
                    source["preprint"] = preprint
                online = self.online.by_key.get(source["key"].lower())
                if online is not None:
                    source["online"] = online
                    source.setdefault("status", []).extend(online.get("summary", []))
                    source["problems"] = online.get("problems", [])
            data["corrections"] = self.corrections()
            data["reviewers"] = dict(self.settings.reviewers)
            self._report = data
        return self._report

    def published_report(self) -> dict:
        """The report readers get (the report page, factcheck.json): without the editors' findings and
        remarks unless `report_findings` asks for them."""
        data = self.report()
        return data if self.settings.report_findings else for_readers(data, self.settings.show_unverified)

    def _unverified_status(self, key: str) -> str:
        if not self.settings.show_unverified:
            return ""  # the editors' remark says so; readers see a mark only where the site asks for one
        source = self.engine.bibliography.get(key)
        if source is None or not is_unverified(source, self.settings.unverified_pattern):
            return ""
        word = escape(self.settings.words.get("unverified", "Not fully verified"))
        return f'<span class="reference-status reference-unverified">{word}</span>'

    def save_caches(self) -> None:
        self.formatted_cache.save()
        self.csl_cache.save()

    def close(self) -> None:
        """After a run, failed or not: no checks or formatter process left running. Safe to call twice."""
        if self.verifier is not None:
            self.verifier.close()
        self.engine.formatter.stop_helper()
