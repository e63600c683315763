"""`mkdocs-factcheck add <identifier>...`: fetch the records of DOIs, PubMed ids, PMC ids or ISBNs on
purpose, and append them to the site's BibTeX file as ordinary entries, keyed in the site's own key
style, never twice (an entry with the same DOI, PMID, PMCID or ISBN is named instead)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..core import csl
from ..core.bibliography import BIBTEX_SUFFIXES, Bibliography, BibliographyError, Source, load
from ..core.cachefiles import write_atomically
from ..core.identifier_citations import CitedIdentifier, IdentifierCitations, cited_identifier, identifier_keys
from ..core.new_entries import bibtex_text, detect_key_style, make_key
from .site_config import ConfigError, SiteConfig

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
    settings = config.settings
    bib_files = [path for path in settings.bibliography_paths if Path(path).suffix.lower() in BIBTEX_SUFFIXES]
    if not bib_files:
        raise ConfigError(f"{config.path.name}: no BibTeX file among the bibliography files ({', '.join(settings.bibliography_paths)}) to add entries to")
    target = (config.base / bib_files[0]).resolve()
    display = config.relative(target)
    wanted: list[CitedIdentifier] = []
    for argument in arguments:
        found = parse_argument(argument)
        if found is None:
            raise ConfigError(f"'{argument}' is not an identifier (write doi:10.x/y, pmid:123, pmcid:PMC123 or isbn:978...)")
        if found.problem:
            raise ConfigError(f"'{argument}': {found.problem}")  # before any request
        wanted.append(found)
    paths = [(config.base / p).resolve() for p in settings.bibliography_paths]
    try:
        bibliography = load([p for p in paths if p.exists()], config.base)
    except BibliographyError as error:
        raise ConfigError(str(error)) from None
    index = {key: source for source in bibliography.sources.values() for key in identifier_keys(source)}
    taken = {source.key.lower() for source in bibliography.sources.values()}
    style = detect_key_style(bibliography.keys())
    frozen = IdentifierCitations(Bibliography(), config.base, settings.identifiers_file, lambda finding: None)
    added: list[str] = []
    status = EXIT_ADDED
    to_fetch = [found for found in wanted if found.key.lower() not in index and found.key.lower() not in frozen.items]
    fetcher, verifier = _fetcher(config, to_fetch) if to_fetch else (None, None)
    try:
        for found in wanted:
            lowered = found.key.lower()
            present = index.get(lowered)
            if present is not None:
                print(f"{found.key}: already in {present.file} as '{present.key}': cite it as [@{present.key}]", file=out)
                continue
            item = frozen.items.get(lowered)
            if not item:
                assert fetcher is not None
                fetched = fetcher.get(found)
                if fetched.status != "found":
                    print(f"mkdocs-factcheck: cannot add {found.key}: {fetched.answer or fetched.status}", file=err)
                    status = EXIT_UNRESOLVED
                    continue
                item = fetched.item
            record = csl.to_entry(found.key, item)
            probe = _probe(found.key, record)
            same = next((index[key] for key in identifier_keys(probe) if key in index), None)
            if same is not None:
                print(f"{found.key}: already in {same.file} as '{same.key}' (same {_shared(probe, same)}): cite it as [@{same.key}]", file=out)
                continue
            key = make_key(item, style, taken)
            taken.add(key.lower())
            added.append(bibtex_text(key, {k: v for k, v in item.items() if not k.startswith("factcheck-")}))
            for identifier_key in identifier_keys(probe) + [lowered]:
                index.setdefault(identifier_key, _probe(key, record, display))
            print(f"{found.key}: added to {display} as '{key}': cite it as [@{key}]", file=out)
    finally:
        if verifier is not None:
            verifier.close()
    if added:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        separator = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
        write_atomically(target, (old + separator + "\n".join(added)).encode("utf-8"))
    return status


def _fetcher(config: SiteConfig, identifiers: list[CitedIdentifier]):
    """The online checks' client, pool and cache, for these requests only (whatever `online.enabled`
    says: the command is asked to fetch)."""
    from ..core.online.metadata import MetadataFetcher
    from ..core.online.verifier import OnlineVerifier

    online = config.settings.online
    contact = f" (mailto:{online.mailto})" if online.mailto else ""
    verifier = OnlineVerifier(online, (config.base / online.cache_dir).resolve(), f"mkdocs-factcheck/{__version__}{contact}", network=True)
    fetcher = MetadataFetcher(verifier)
    fetcher.prefetch(identifiers)
    return fetcher, verifier


def _probe(key: str, entry, file: str = "<record>") -> Source:
    """A fetched record as a source, to read its identifiers as an entry's are read."""
    return Source(key, entry, file, 0)


def _shared(record, entry) -> str:
    mine = set(identifier_keys(record))
    shared = [key for key in identifier_keys(entry) if key in mine]
    return shared[0].split(":", 1)[0].upper() if shared else "identifier"
