"""The plugin's configuration schema (what users write under `factcheck:` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from mkdocs_factcheck.core.findings import SEVERITIES


class OnlineConfig(Config):
    enabled = c.Type(bool, default=True)
    """Check DOIs, PubMed ids and URLs online during `mkdocs build` (off during `mkdocs serve` unless `serve` is true)."""
    serve = c.Type(bool, default=False)
    """Also check online during `mkdocs serve` (cached results are always shown)."""
    mailto = c.Type(str, default="")
    """Contact address sent to Crossref (its "polite pool") and in the User-Agent."""
    crossref_api = c.Type(str, default="https://api.crossref.org")
    """Base address of the Crossref REST API."""
    doi_resolver = c.Type(str, default="https://doi.org")
    """Base address of the DOI resolver and its handle API."""
    eutils_api = c.Type(str, default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils")
    """Base address of NCBI E-utilities (PubMed, PMC)."""
    isbn_api = c.Type(str, default="https://openlibrary.org")
    """Base address of the Open Library books API, for citations by ISBN (`@isbn:...`)."""
    timeout = c.Type((int, float), default=10)
    """Seconds to wait for one response."""
    deadline = c.Type((int, float), default=120)
    """Seconds the whole online phase may take; what is not checked by then stays unverified."""
    cache_dir = c.Type(str, default=".cache/plugin/factcheck")
    """Where results are cached, relative to mkdocs.yml."""
    required = c.Type(bool, default=False)
    """Treat an unreachable service as an error instead of information."""
    concurrency = c.Type(int, default=8)
    """Requests in flight at once, over all hosts."""
    per_host = c.Type(int, default=4)
    """Requests in flight at once to one host."""
    check_urls = c.Type(bool, default=True)
    """Check that URLs of cited sources answer."""
    spacing = c.Type((int, float), default=0.1)
    """Seconds between the starts of two requests to one host (services that announce a slower rate get it)."""
    retries = c.Type(int, default=2)
    """Retries of a request that failed for a transient reason (429, 5xx, timeout, refused connection)."""
    max_redirects = c.Type(int, default=10)
    """Redirects followed from a source's URL before it is reported as unreachable."""
    cache_days = c.Type((int, float), default=30)
    """Days a found record (DOI, PubMed id, live URL) stays in the cache."""
    cache_missing_days = c.Type((int, float), default=1)
    """Days a not-found outcome stays in the cache (transient failures are never cached)."""


class FactcheckConfig(Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (citations are then left as written)."""
    bibliography = c.Type((str, list), default="references.bib")
    """BibTeX, CSL-JSON (.json) or CSL-YAML (.yaml) file(s), relative to mkdocs.yml: a path or a list of paths."""
    identifiers_file = c.Type(str, default="references.identifiers.json")
    """CSL-JSON file, relative to mkdocs.yml, where the records of identifiers cited by DOI, PMID, PMCID or
    ISBN (`[@doi:10.x/y]`) are kept once fetched: commit it; a hand edit wins. Empty: keep none."""
    style = c.Type(str, default="unsrt")
    """A pybtex style (plain, unsrt, alpha, abbrv, vancouver), a CSL style by its id (apa, ieee, csl:vancouver, ...) or a .csl file."""
    locale = c.Type(str, default="")
    """The language CSL styles write in (en-US, de-DE, fr-FR, ...); empty: the style's own, else en-US."""
    title_case = c.Choice(("as-written", "sentence"), default="as-written")
    """Titles as the entry writes them, or in the style's sentence case ("Über die wirkung von ...")."""
    page_bibliography = c.Type(bool, default=True)
    """Give a citing page without a bibliography marker its bibliography at its end (false: only where a page puts one)."""
    bibliography_marker = c.Type(str, default="\\bibliography")
    """A line that is this text places the page's bibliography, as `::: {#refs}` does (mkdocs-bibtex's `bib_command`)."""
    site_bibliography_marker = c.Type(str, default="\\full_bibliography")
    """A line that is this text places the whole bibliography, as `::: {#refs scope=site}` does (mkdocs-bibtex's `full_bib_command`)."""
    citation_mode = c.Choice(("numeric", "author-year"), default="numeric")
    """How citations read: numeric ([1]) or author-year (Onji et al., 1987)."""
    numbering = c.Choice(("site", "page"), default="site")
    """Number entries in the order of first citation across the whole site, or afresh on each page."""
    words = c.Type(dict, default={})
    """Reader-facing words: bibliography_title, unresolved, back_to_citation, report_title, summary_title, ..."""
    verdicts = c.Type(list, default=[])
    """The verdict scale, best first: a list of {name, label, rating, color, icon}. Empty: the default scale."""
    citation_needed = c.Type(bool, default=True)
    """Report uncited sentences that look like checkable facts (numbers, years, research language)."""
    unverified_pattern = c.Type(str, default=r"not verified|unverified|check against|resolve before|not found|could not be|mirror|only the .* verified|secondary|not from")
    """Regular expression: an entry whose editors' remark (`annote`) matches it is reported as not fully verified."""
    show_unverified = c.Type(bool, default=False)
    """Show readers a neutral "Not fully verified" mark on those entries (never the remark itself)."""
    max_source_age = c.Optional(c.Type(int))
    """Report claims whose sources are all older than this many years (off by default)."""
    findings = c.DictOfItems(c.Choice(SEVERITIES), default={})
    """Severity per kind of finding: ignore, info, warning or error."""
    report_page = c.Type(str, default="factcheck-report.md")
    """Path (in docs) of the generated report page; empty for none."""
    report_json = c.Type(str, default="factcheck.json")
    """Path (in site) of the machine-readable report; empty for none."""
    report_findings = c.Type(bool, default=False)
    """Publish the editors' findings in the report page and factcheck.json (off: readers get claims,
    verdicts, notes and sources; editors get the findings in the terminal)."""
    organization = c.Type(dict, default={})
    """The fact-checker, author of the ClaimReview data: {name, url} (default: site_author or site_name, and site_url)."""
    summary = c.Type(bool, default=True)
    """Show a summary of the fact-check (claims per verdict, review date, report link) at the top of pages with claims."""
    show_findings_in_page = c.Type(bool, default=False)
    """During `mkdocs serve`, show each finding in the page next to what it concerns."""
    online = c.SubConfig(OnlineConfig)
    """Online verification of sources (see the README)."""
