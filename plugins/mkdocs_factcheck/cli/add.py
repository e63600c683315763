"""`mkdocs-factcheck add <identifier>...`: fetch the records of DOIs, PubMed ids, PMC ids or ISBNs on
purpose, and append them to the site's BibTeX file as ordinary entries, keyed in the site's own key
style, never twice (an entry with the same DOI, PMID, PMCID or ISBN is named instead)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mkdocs_factcheck.cli.site_config import ConfigError, SiteConfig
from mkdocs_factcheck.core.bibliography.files import BIBTEX_SUFFIXES, Bibliography, BibliographyError, load
from mkdocs_factcheck.core.bibliography.new_entries import NewEntries
from mkdocs_factcheck.core.citations.by_identifier import CitedIdentifier, IdentifierCitations, cited_identifier
from mkdocs_factcheck.core.printable import escaped
from mkdocs_factcheck.core.report.page_links import is_url
from mkdocs_factcheck.core.site import bibliography_files

if TYPE_CHECKING:  # imported when there is something to fetch (see _fetcher)
    from mkdocs_factcheck.core.checks.online.metadata import MetadataFetcher

EXIT_ADDED, EXIT_UNRESOLVED = 0, 1  # errors are raised; main.py maps them to its EXIT_ERROR (2)


def parse_argument(text: str) -> CitedIdentifier | None:
    """`doi:10.x/y`, `https://doi.org/10.x/y`, `pmid:123`, `pmcid:PMC123`, `isbn:...`; a bare DOI
    (`10.x/y`) or PMC id (`PMC123`) too."""
    found = cited_identifier(text)
    if found is None and text.strip().startswith("10."):
        found = cited_identifier("doi:" + text.strip())
    if found is None and re.fullmatch(r"PMC\d+", text.strip(), re.IGNORECASE):
        found = cited_identifier("pmcid:" + text.strip())
    return found


def run_add(config: SiteConfig, arguments: list[str], out: TextIO, err: TextIO) -> int:
    """Each identifier added to the site's first BibTeX file, or the entry that has it named; 1 when a
    record could not be fetched. Raises ConfigError, before any request, for a site without a BibTeX
    file, an argument that is no identifier, or a bibliography that cannot be read."""
    target = _target(config)
    wanted = [_identifier(argument) for argument in arguments]
    entries = NewEntries(_bibliography(config), config.relative(target))
    frozen = IdentifierCitations(Bibliography(), config.base, config.settings.identifiers_file, lambda finding: None)
    # Fetched, all at once: what neither the bibliography nor the identifiers file has.
    to_fetch = [
        found for found in wanted if entries.holding(found.key) is None and found.key.lower() not in frozen.items
    ]
    fetcher, verifier = _fetcher(config, to_fetch) if to_fetch else (None, None)
    status = EXIT_ADDED
    try:
        for found in wanted:
            if not _add(found, entries, frozen, fetcher, out, err):
                status = EXIT_UNRESOLVED
    finally:
        if verifier is not None:
            verifier.close()
    entries.append_to(target)
    return status


def _target(config: SiteConfig) -> Path:
    """The file new entries go to: the first BibTeX file among the bibliography files."""
    paths = config.settings.bibliography_paths
    bib_files = [path for path in _local_files(config) if path.suffix.lower() in BIBTEX_SUFFIXES]
    if not bib_files:
        fetched = (
            " (a bibliography given by URL is fetched: add entries to the library it comes from)"
            if any(is_url(path) for path in paths)
            else ""
        )
        raise ConfigError(
            f"{config.path.name}: no BibTeX file among the bibliography files ({', '.join(paths)}) to add entries"
            f" to{fetched}"
        )
    return bib_files[0]


def _local_files(config: SiteConfig) -> list[Path]:
    """The bibliography's files on disk: a folder's .bib files, and no URL (its frozen copy is the service's)."""
    return bibliography_files(config.base, [path for path in config.settings.bibliography_paths if not is_url(path)])


def _identifier(argument: str) -> CitedIdentifier:
    found = parse_argument(argument)
    if found is None:
        raise ConfigError(
            f"'{argument}' is not an identifier (write doi:10.x/y, pmid:123, pmcid:PMC123 or isbn:978...)"
        )
    if found.problem:
        raise ConfigError(f"'{argument}': {found.problem}")  # before any request
    return found


def _bibliography(config: SiteConfig) -> Bibliography:
    """The site's bibliography files that exist (the target may not yet)."""
    paths = _local_files(config)
    try:
        return load([p for p in paths if p.exists()], config.base)
    except BibliographyError as error:
        raise ConfigError(str(error)) from None


def _add(
    found: CitedIdentifier,
    entries: NewEntries,
    frozen: IdentifierCitations,
    fetcher: MetadataFetcher | None,
    out: TextIO,
    err: TextIO,
) -> bool:
    """One identifier added, or the entry that has it named; False when its record could not be fetched."""
    present = entries.holding(found.key)
    if present is not None:
        print(f"{found.key}: already in {present.file} as '{present.key}': cite it as [@{present.key}]", file=out)
        return True
    item = frozen.items.get(found.key.lower())
    if not item:
        assert fetcher is not None  # run_add prefetched what the identifiers file lacks
        fetched = fetcher.get(found)
        if fetched.status != "found":
            print(
                f"mkdocs-factcheck: cannot add {escaped(found.key)}: {escaped(fetched.answer or fetched.status)}",
                file=err,
            )
            return False
        item = fetched.item
    same = entries.same_work(found.key, item)
    if same is not None:
        entry, shared = same
        print(
            f"{found.key}: already in {entry.file} as '{entry.key}' (same {shared}): cite it as [@{entry.key}]",
            file=out,
        )
        return True
    key = entries.add(found.key, item)
    for field in entries.left_out:
        print(f"mkdocs-factcheck: {found.key}: the record's {field} is not written into {entries.file}", file=err)
    print(f"{found.key}: added to {entries.file} as '{key}': cite it as [@{key}]", file=out)
    return True


def _fetcher(config: SiteConfig, identifiers: list[CitedIdentifier]):
    """The online checks' client, pool and cache, for these requests only (whatever `online.enabled`
    says: the command is asked to fetch)."""
    from mkdocs_factcheck.core.checks.online.metadata import MetadataFetcher
    from mkdocs_factcheck.core.checks.online.verifier import OnlineVerifier, user_agent

    online = config.settings.online
    verifier = OnlineVerifier(online, (config.base / online.cache_dir).resolve(), user_agent(online), network=True)
    fetcher = MetadataFetcher(verifier)
    fetcher.prefetch(identifiers)
    return fetcher, verifier
