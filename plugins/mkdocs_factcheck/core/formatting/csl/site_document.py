"""The site as one CSL document, on a site with a site-wide bibliography: what a style decides across
citations (year suffixes, added initials, the short form after a first citation, numbers) is decided
once for the site, so that every page, tooltip and bibliography block shows a source alike.

The pages' documents are known before the first page renders: the host reads them ahead (see
`markdown/csl_prefetch.py`). A page whose own conversion gives another document than its reading
ahead (or one not read ahead) takes its place in the plan, and the site is formatted again: the pages
after it agree with it; those before keep what they showed unless the edit changed which entries the
site cites. A plan that pandoc formatted before is in the cache: a warm build runs no pandoc."""

from __future__ import annotations

from collections.abc import Callable

from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.csl import pandoc
from mkdocs_factcheck.core.formatting.csl.documents import Document, DocumentResult
from mkdocs_factcheck.core.formatting.csl.processor import CSLFormatter


class SiteDocument:
    def __init__(
        self,
        formatter: CSLFormatter,
        read_ahead: Callable[[], list[Document]],
        order: list[str],
        listed: Callable[[], list[str]],
    ):
        """`read_ahead`: every page's document, as the host reads them; `order`: the pages' paths in the
        site's (navigation) order; `listed`: the keys the site lists without citing them (its
        site-wide bibliography's), besides the pages' own `nocite`."""
        self.formatter = formatter
        self.read_ahead = read_ahead
        self.order = {path: index for index, path in enumerate(order)}
        self.listed = listed
        self.plan: list[Document] | None = None
        self.seen: dict[str | None, int] = {}  # a page's documents converted so far (nested conversions)
        self.made: tuple[DocumentResult, list[DocumentResult]] | None = None
        self.converted: list[tuple[str | None, int]] = []
        self.given_up = False  # pandoc timed out on the site's document: its pages go on as documents of their own

    def page_part(self, document: Document) -> DocumentResult | None:
        """The page's part of the site's document (None if the style cannot be used)."""
        if self.plan is None:
            self.plan = sorted(self.read_ahead(), key=self._place)  # stable: a page's documents keep their order
        occurrence = self.seen.get(document.page, 0)
        self.seen[document.page] = occurrence + 1
        self.converted.append((document.page, occurrence))
        index = self._index(document.page, occurrence)
        if index is None:
            index = next(
                (i for i, planned in enumerate(self.plan) if self._place(planned) > self._place(document)),
                len(self.plan),
            )
            self.plan.insert(index, document)
            self.made = None
        elif not same(self.plan[index], document):
            self.plan[index] = document
            self.made = None
        made = self._formatted()
        return made[1][index] if made is not None else None

    def result(self) -> DocumentResult | None:
        """The whole site's result, for its bibliography: of the pages as converted (a page read ahead
        but not converted is left out)."""
        if self.plan is None:
            self.plan = []
        kept = [self._index(page, occurrence) for page, occurrence in self.converted]
        if len(kept) != len(self.plan):
            self.plan = [self.plan[index] for index in sorted(index for index in kept if index is not None)]
            self.made = None
        made = self._formatted()
        return made[0] if made is not None else None

    def _formatted(self) -> tuple[DocumentResult, list[DocumentResult]] | None:
        if self.made is None:
            assert self.plan is not None
            nocite: dict[str, str] = {}
            for key in [key for document in self.plan for key in document.nocite] + self.listed():
                nocite.setdefault(key.lower(), key)
            self.made = self.formatter.format_site(self.plan, list(nocite.values()))
            if self.made is None and not self.formatter.broken and not self.given_up:
                self.given_up = True
                self.formatter.report(
                    Finding(
                        "unformattable_entry",
                        f"the site as one document of citation style {self.formatter.style.name} took pandoc more than"
                        f" {pandoc.TIMEOUT:g} s: the pages are formatted as documents of their own, and a source's"
                        " label may differ between pages",
                    )
                )
                if not self.formatter.style.numeric:  # as they would be alone: several at once
                    self.formatter.format_each([document for document in self.plan if document.groups])
        return self.made

    def _index(self, page: str | None, occurrence: int) -> int | None:
        assert self.plan is not None
        found = [index for index, document in enumerate(self.plan) if document.page == page]
        return found[occurrence] if occurrence < len(found) else None

    def _place(self, document: Document) -> int:
        return self.order.get(document.page or "", len(self.order))


def same(one: Document, other: Document) -> bool:
    return one.groups == other.groups and one.nocite == other.nocite
