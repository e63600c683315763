"""Every option of a site, declared once: its name, type, default and what it does. The MkDocs plugin's
schema (`mkdocs/config.py`), the extension's config and the check command's reading of `mkdocs.yml` or
`zensical.toml` are all derived from these two dataclasses; the core is handed a `Settings`."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from mkdocs_factcheck.core.findings import SEVERITIES
from mkdocs_factcheck.core.mkdocs_bibtex_options import read_as_ours

PLUGIN = "plugin"
EXTENSION = "extension"
BOTH = frozenset({PLUGIN, EXTENSION})


class SettingsError(ValueError):
    """An option of the wrong type or value; the message names it."""


def option(
    default: Any,
    doc: str,
    *,
    types: tuple[type, ...] = (),
    choices: tuple[str, ...] = (),
    optional: bool = False,
    severities: bool = False,
    hosts: frozenset = BOTH,
) -> Any:
    """One option: `types` (default: the default's type), `choices` for a value from a list, `optional`
    for None as well, `severities` for a mapping of finding kinds to severities, and the `hosts` whose
    entry in the configuration accepts it (the MkDocs plugin's, the Markdown extension's, or both)."""
    if not types:
        types = (int, float) if type(default) is float else (type(default),)
    metadata = {
        "doc": doc,
        "types": types,
        "choices": choices,
        "optional": optional,
        "severities": severities,
        "hosts": hosts,
    }
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class OnlineSettings:
    enabled: bool = option(
        True,
        "Check DOIs, PubMed ids and URLs online during a build (off during `mkdocs serve` unless `serve` is true).",
    )
    serve: bool = option(False, "Also check online during `mkdocs serve` (cached results are always shown).")
    mailto: str = option("", "Contact address sent to Crossref (its polite pool) and NCBI, and in the User-Agent.")
    crossref_api: str = option("https://api.crossref.org", "Base address of the Crossref REST API.")
    doi_resolver: str = option("https://doi.org", "Base address of the DOI resolver and its handle API.")
    eutils_api: str = option(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", "Base address of NCBI E-utilities (PubMed, PMC)."
    )
    isbn_api: str = option(
        "https://openlibrary.org", "Base address of the Open Library books API, for citations by ISBN (`@isbn:...`)."
    )
    timeout: float = option(10, types=(int, float), doc="Seconds to wait for one response.")
    deadline: float = option(
        120,
        types=(int, float),
        doc="Seconds the whole online phase may take; what is not checked by then stays unverified.",
    )
    cache_dir: str = option(".cache/plugin/factcheck", "Where results are cached, relative to the configuration file.")
    required: bool = option(False, "Treat an unreachable service as an error instead of information.")
    concurrency: int = option(8, "Requests in flight at once, over all hosts.")
    per_host: int = option(4, "Requests in flight at once to one host.")
    check_urls: bool = option(True, "Check that URLs of cited sources answer.")
    spacing: float = option(
        0.1, "Seconds between the starts of two requests to one host (services that announce a slower rate get it)."
    )
    retries: int = option(
        2, "Retries of a request that failed for a transient reason (429, 5xx, timeout, refused connection)."
    )
    max_redirects: int = option(10, "Redirects followed from a source's URL before it is reported as unreachable.")
    cache_days: float = option(
        30, types=(int, float), doc="Days a found record (DOI, PubMed id, live URL) stays in the cache."
    )
    cache_missing_days: float = option(
        1, types=(int, float), doc="Days a not-found outcome stays in the cache (transient failures are never cached)."
    )

    def __getitem__(self, name: str) -> Any:  # the verifier reads settings as a mapping or attributes
        return getattr(self, name)


UNVERIFIED_PATTERN = (
    r"not verified|unverified|check against|resolve before|not found|could not be|mirror|only the .*"
    r" verified|secondary|not from"
)


@dataclass
class Settings:
    enabled: bool = option(
        True, "Turn the plugin off without removing it (citations are then left as written).", hosts=frozenset({PLUGIN})
    )
    bibliography: str | list = option(
        "references.bib",
        "BibTeX, CSL-JSON (.json) or CSL-YAML (.yaml) file(s), relative to the configuration file (plain"
        " Python-Markdown: the working directory): a path or a list of paths.",
        types=(str, list),
    )
    identifiers_file: str = option(
        "references.identifiers.json",
        "CSL-JSON file, relative to the configuration file (plain Python-Markdown: the working directory), where the"
        " records of identifiers cited by DOI, PMID, PMCID or ISBN (`[@doi:10.x/y]`) are kept once fetched: commit it;"
        " a hand edit wins. Empty: keep none.",
    )
    style: str = option(
        "unsrt",
        "A pybtex style (plain, unsrt, alpha, abbrv, vancouver), a CSL style by its id (apa, ieee, csl:vancouver, ...)"
        " or a .csl file.",
    )
    locale: str = option(
        "", "The language CSL styles write in (en-US, de-DE, fr-FR, ...); empty: the style's own, else en-US."
    )
    page_bibliography: bool = option(
        True,
        "Give a citing page without a bibliography marker its bibliography at its end (false: only where a page puts"
        " one; its citations are then no links).",
    )
    bibliography_marker: str = option(
        "\\bibliography",
        "A line that is this text places the page's bibliography, as `::: {#refs}` does (mkdocs-bibtex's"
        " `bib_command`).",
    )
    site_bibliography_marker: str = option(
        "\\full_bibliography",
        "A line that is this text places the whole bibliography, as `::: {#refs scope=site}` does (mkdocs-bibtex's"
        " `full_bib_command`).",
    )
    title_case: str = option(
        "as-written",
        "Titles as the entry writes them, or in the style's sentence case.",
        choices=("as-written", "sentence"),
    )
    citation_mode: str = option(
        "numeric",
        "How citations read: numeric ([1]) or author-year (Onji et al., 1987).",
        choices=("numeric", "author-year"),
    )
    numbering: str = option(
        "site",
        "Number entries in the order of first citation across the whole site, or afresh on each page.",
        choices=("site", "page"),
        hosts=frozenset({PLUGIN}),
    )
    words: dict = option(
        {}, "Reader-facing words: bibliography_title, unresolved, back_to_citation, report_title, summary_title, ..."
    )
    verdicts: list = option(
        [], "The verdict scale, best first: a list of {name, label, rating, color, icon}. Empty: the default scale."
    )
    citation_needed: bool = option(
        True, "Report uncited sentences that look like checkable facts (numbers, years, research language)."
    )
    unverified_pattern: str = option(
        UNVERIFIED_PATTERN,
        "Regular expression: an entry whose editors' remark (`annote`) matches it is reported as not fully verified.",
    )
    show_unverified: bool = option(
        False,
        'Show readers a neutral "Not fully verified" mark on those entries (never the remark itself).',
        hosts=frozenset({PLUGIN}),
    )
    max_source_age: int | None = option(
        None,
        "Report claims whose sources are all older than this many years (off by default).",
        types=(int,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    findings: dict = option({}, "Severity per kind of finding: ignore, info, warning or error.", severities=True)
    report_page: str = option(
        "factcheck-report.md", "Path (in docs) of the generated report page; empty for none.", hosts=frozenset({PLUGIN})
    )
    report_json: str = option(
        "factcheck.json", "Path (in site) of the machine-readable report; empty for none.", hosts=frozenset({PLUGIN})
    )
    report_findings: bool = option(
        False,
        "Publish the editors' findings in the report page and factcheck.json (off: readers get claims, verdicts, notes"
        " and sources; editors get the findings in the terminal).",
        hosts=frozenset({PLUGIN}),
    )
    organization: dict = option(
        {},
        "The fact-checker, author of the ClaimReview data: {name, url} (default: the site's author or name, and its"
        " URL).",
    )
    summary: bool = option(
        True,
        "Show a summary of the fact-check (claims per verdict, review date, report link) at the top of pages with"
        " claims.",
    )
    show_findings_in_page: bool = option(
        False,
        "During `mkdocs serve`, show each finding in the page next to what it concerns.",
        hosts=frozenset({PLUGIN}),
    )
    reviewers: dict = option(
        {},
        "The site's reviewers, by the id claims name them with: {id: {name, url, role, type}} (type: Person or"
        " Organization).",
    )
    ledger_file: str = option(
        "factcheck-ledger.json",
        "The published record of the fact-check, relative to the configuration file; written by `mkdocs-factcheck"
        " publish` only. Empty: none.",
    )
    corrections_page: str = option(
        "factcheck-corrections.md",
        "The generated page listing every correction, newest first (made when the site keeps a ledger); empty: none.",
        hosts=frozenset({PLUGIN}),
    )
    online: OnlineSettings = field(
        default_factory=OnlineSettings,
        metadata={"doc": "Online verification of sources (see the guide).", "hosts": BOTH},
    )
    # What only the extension needs, where no plugin tells it (Zensical, plain Python-Markdown).
    bibliography_title: str = option(
        "", "Heading of a page's bibliography (the same as words.bibliography_title).", hosts=frozenset({EXTENSION})
    )
    report_url: str = option(
        "",
        "The report page's URL, relative to the site root (the summary links to it); Zensical: found in the docs"
        " folder.",
        hosts=frozenset({EXTENSION}),
    )
    site_url: str = option(
        "",
        "The site's address, for absolute URLs in the ClaimReview data (Zensical: its site_url).",
        hosts=frozenset({EXTENSION}),
    )
    inline_assets: bool = option(
        True,
        "Add the badges' and tooltips' CSS and JavaScript to each page (the plugin adds them as files).",
        hosts=frozenset({EXTENSION}),
    )
    # mkdocs-bibtex's names (core/mkdocs_bibtex_options.py), taken under the plugin's entry so that its
    # sites build as they are: each is read as ours, with a renamed_option finding; None: not given.
    bib_file: str | None = option(
        None,
        "mkdocs-bibtex's name for `bibliography` (a path or an http(s) URL).",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    bib_dir: str | None = option(
        None,
        "mkdocs-bibtex's folder of .bib files: read as `bibliography` (every .bib file under it).",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    csl_file: str | None = option(
        None,
        "mkdocs-bibtex's name for `style` (a .csl file or its http(s) URL).",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    csl_file_encoding: str | None = option(
        None,
        "mkdocs-bibtex's encoding of the CSL file: not needed (a CSL file's XML declaration names its encoding).",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    bib_command: str | None = option(
        None, "mkdocs-bibtex's name for `bibliography_marker`.", types=(str,), optional=True, hosts=frozenset({PLUGIN})
    )
    full_bib_command: str | None = option(
        None,
        "mkdocs-bibtex's name for `site_bibliography_marker`.",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    bib_by_default: bool | None = option(
        None, "mkdocs-bibtex's name for `page_bibliography`.", types=(bool,), optional=True, hosts=frozenset({PLUGIN})
    )
    footnote_format: str | None = option(
        None,
        "mkdocs-bibtex's footnote label: not needed (citations link to their entries, the style makes their labels).",
        types=(str,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )
    enable_inline_citations: bool | None = option(
        None,
        "mkdocs-bibtex's switch for `@key` in the text: not needed (it is a citation, as in pandoc).",
        types=(bool,),
        optional=True,
        hosts=frozenset({PLUGIN}),
    )

    @property
    def bibliography_paths(self) -> list[str]:
        return [self.bibliography] if isinstance(self.bibliography, str) else list(self.bibliography)


def default_of(option: dataclasses.Field) -> Any:
    return option.default_factory() if option.default_factory is not dataclasses.MISSING else option.default


def options_of(cls: type, host: str | None = None) -> list[dataclasses.Field]:
    """The options a host's entry accepts (all of them: None)."""
    return [f for f in dataclasses.fields(cls) if host is None or host in f.metadata["hosts"]]


def shared_options() -> list[dataclasses.Field]:
    """The options the plugin and the extension both take (online aside)."""
    return [f for f in options_of(Settings) if f.metadata["hosts"] == BOTH and f.name != "online"]


def extension_options(settings: Settings) -> dict:
    """What a host (the plugin, the check command) hands the extension it runs: the site's value of every
    option both take, which wins over the extension's own entry."""
    return {f.name: getattr(settings, f.name) for f in shared_options()}


def settings_from(options: dict | None, host: str | None = None) -> Settings:
    """Settings from the options a user wrote under a host's entry (unknown names and wrong types are
    errors, as in MkDocs). The plugin's entry takes mkdocs-bibtex's names too, read as ours."""
    options = dict(options or {})
    if host != EXTENSION:
        options = read_as_ours(options)[0]
    online = options.pop("online", None) or {}
    if not isinstance(online, dict):
        raise SettingsError("factcheck.online: expected a mapping")
    settings = Settings(**_checked(Settings, options, "factcheck", host))
    settings.online = OnlineSettings(**_checked(OnlineSettings, online, "factcheck.online", None))
    paths = settings.bibliography_paths
    if not paths or not all(isinstance(item, str) and item for item in paths):
        raise SettingsError(
            f"factcheck.bibliography: expected a path or a list of paths, got {settings.bibliography!r}"
        )
    if settings.bibliography_title:
        settings.words = {"bibliography_title": settings.bibliography_title, **settings.words}
    try:
        re.compile(settings.unverified_pattern)
    except re.error as error:
        raise SettingsError(f"factcheck.unverified_pattern: not a regular expression: {error}") from None
    return settings


REVIEWER_FIELDS = ("name", "url", "role", "type")
REVIEWER_TYPES = ("Person", "Organization")  # a named reviewer, or a desk that reviews as a team


def reviewers_problem(reviewers: dict) -> str:
    """What is wrong with the `reviewers` option ({id: {name, url, role, type}}), or ""."""
    for key, reviewer in reviewers.items():
        if not isinstance(reviewer, dict) or not isinstance(reviewer.get("name"), str) or not reviewer["name"].strip():
            return f"{key}: expected a mapping with a name (fields: {', '.join(REVIEWER_FIELDS)})"
        unknown = sorted(str(name) for name in reviewer if name not in REVIEWER_FIELDS)
        if unknown:
            return f"{key}: unknown fields {', '.join(unknown)} (fields: {', '.join(REVIEWER_FIELDS)})"
        if reviewer.get("type", "Person") not in REVIEWER_TYPES:
            return f"{key}: type {reviewer['type']!r} is not one of {', '.join(REVIEWER_TYPES)}"
        url = reviewer.get("url", "")
        if url and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            return f"{key}: url {url!r} is not an http(s) address"
    return ""


def _checked(cls: type, options: dict, where: str, host: str | None) -> dict:
    known = {f.name: f for f in options_of(cls, host) if f.name != "online"}
    for name, value in options.items():
        if name not in known:
            raise SettingsError(
                f"{where}: unknown option '{name}' (options:"
                f" {', '.join(sorted([*known, 'online'] if cls is Settings else known))})"
            )
        meta = known[name].metadata
        if value is None and meta["optional"]:
            continue
        expected = meta["types"]
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise SettingsError(
                f"{where}.{name}: expected {' or '.join(t.__name__ for t in expected)}, got {type(value).__name__}"
            )
        if meta["choices"] and value not in meta["choices"]:
            raise SettingsError(f"{where}.{name}: '{value}' is not one of {', '.join(meta['choices'])}")
        if meta["severities"]:
            for kind, severity in value.items():
                if severity not in SEVERITIES:
                    raise SettingsError(f"{where}.{name}.{kind}: '{severity}' is not one of {', '.join(SEVERITIES)}")
    return options
