"""The preprints a site cites, and their published versions, for readers (a mark), editors (a finding),
factcheck.json and the identifiers file (so that an offline build shows what the online one showed).

What a record says is read from the identifiers file's item (a citation by identifier, or a BibTeX
entry's DOI whose record an online build fetched and froze there); with online checks, a preprint
entry's record and its published versions' titles are fetched through the identifier citations' fetcher
(the online checks' client, pool and cache), started before the pages render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.preprints import (
    HAS_PREPRINT_FIELD,
    PREPRINT_FIELD,
    arxiv_journal_doi,
    finding_text,
    is_preprint,
    mark_html,
    published_versions,
)
from mkdocs_factcheck.core.citations.by_identifier import IdentifierCitations, cited_identifier, identifier_keys
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.pybtex_formatter import latex_to_text

if TYPE_CHECKING:
    from collections.abc import Iterable


class PreprintSources:
    def __init__(self, identifiers: IdentifierCitations, word: str = "Preprint"):
        self.identifiers = identifiers
        self.word = word
        self._facts: dict[str, dict | None] = {}  # lower-cased source key -> its preprint facts (None: no preprint)

    def prefetch(self, sources: Iterable[Source]) -> None:
        """Start fetching the records of the preprint entries the pages mention (online builds)."""
        fetcher = self.identifiers.fetcher
        if fetcher is None:
            return
        wanted = []
        for source in sources:
            if source.file == self.identifiers.display or not is_preprint(source.raw):
                continue
            for key in identifier_keys(source)[:1] + (
                [f"doi:{arxiv_journal_doi(source.raw)}"] if arxiv_journal_doi(source.raw) else []
            ):
                found = cited_identifier(key)
                if found is not None and found.scheme == "doi" and not self._item(found.key):
                    wanted.append(found)
        if wanted:
            fetcher.prefetch(wanted)

    def facts(self, source: Source) -> dict | None:
        """{"published": [{"doi", "title"}], "has-preprint": [...]} for a preprint, or None."""
        lowered = source.key.lower()
        if lowered not in self._facts:
            self._facts[lowered] = self._read(source)
        return self._facts[lowered]

    def _read(self, source: Source) -> dict | None:
        journal = arxiv_journal_doi(source.raw)
        if journal:  # an arXiv entry's DOI is its journal version's: that record is kept, for its title
            version = {"doi": journal}
            title = self._title(journal, keep=True)
            return {"preprint": True, "published": [{**version, "title": title} if title else version]}
        own = [key for key in [source.key.lower(), *identifier_keys(source)] if cited_identifier(key) is not None]
        item = next((self._item(key) for key in own if self._item(key)), None)
        if item is None and is_preprint(source.raw):
            item = self._fetched(own)
        elif item is not None:
            self._titled(item)
        preprints = item.get(HAS_PREPRINT_FIELD, []) if item else []
        if (item is None or PREPRINT_FIELD not in item) and not is_preprint(source.raw):
            return {"preprint": False, "has-preprint": preprints} if preprints else None
        published = published_versions(item) if item else []
        return {"preprint": True, "published": published, **({"has-preprint": preprints} if preprints else {})}

    def _item(self, key: str) -> dict:
        lowered = key.lower()
        return self.identifiers.items.get(lowered) or self.identifiers.new.get(lowered) or {}

    def _record(self, key: str, keep: bool) -> dict:
        """The identifiers file's item for an identifier key, or its record fetched (online builds);
        `keep` puts a fetched one in the file."""
        item = self._item(key)
        found = cited_identifier(key)
        fetcher = self.identifiers.fetcher
        if item or fetcher is None or found is None or found.problem:
            return item
        fetched = fetcher.get(found)
        if fetched.status != "found":
            return {}
        item = dict(fetched.item, id=found.key)
        if keep:
            self.identifiers.new[found.key.lower()] = item
        return item

    def _fetched(self, own: list[str]) -> dict | None:
        """A BibTeX preprint's record, fetched by its DOI (online builds), kept for the identifiers file."""
        doi = next((key for key in own if key.startswith("doi:")), None)
        item = self._record(doi, keep=True) if doi else {}
        if item:
            self._titled(item)
        return item or None

    def _title(self, doi: str, keep: bool = False) -> str:
        title = self._record(f"doi:{doi}", keep).get("title")
        if not isinstance(title, str) or not title.strip():
            return ""
        from mkdocs_factcheck.core.checks.online.title_markup import (
            plain_text,
        )  # the record's rich text as the text a tooltip and a finding show

        return plain_text(title)

    def _titled(self, item: dict) -> None:
        """The titles of an item's published versions, from their own records (fetched when online)."""
        for version in published_versions(item):
            if not version.get("title"):
                title = self._title(version["doi"])
                if title:
                    version["title"] = title

    def status_html(self, key: str) -> str:
        source = self.identifiers.bibliography.get(key)
        facts = self.facts(source) if source is not None else None
        return mark_html(facts["published"], self.word) if facts and facts["preprint"] else ""

    def of(self, keys: list[str]) -> list[dict]:
        """The preprints among a claim's sources: {"key", "title", "url"?, "published"}, for its JSON."""
        found = []
        for key in keys:
            source = self.identifiers.bibliography.get(key)
            facts = self.facts(source) if source is not None else None
            if source is None or not facts or not facts["preprint"]:
                continue
            doi = next((i.href for i in source.identifiers if i.scheme == "doi" and i.href), None)
            url = {"url": doi} if doi else {}
            found.append(
                {
                    "key": source.key,
                    "title": latex_to_text(source.raw.fields.get("title", "")),
                    **url,
                    "published": facts["published"],
                }
            )
        return found

    def settle(self, cited: set[str]) -> None:
        for lowered in cited:
            source = self.identifiers.bibliography.get(lowered)
            if source is not None:
                self.facts(source)

    def findings(self, cited: set[str]) -> list[Finding]:
        """A finding for each cited preprint whose record names a published version."""
        found = []
        for lowered in sorted(cited):
            source = self.identifiers.bibliography.get(lowered)
            facts = self.facts(source) if source is not None else None
            if source is not None and facts and facts.get("published"):
                found.append(
                    Finding(
                        "preprint_published",
                        finding_text(source.key, facts["published"]),
                        file=source.file,
                        line=source.line or None,
                    )
                )
        return found
