"""Which entries a bibliography block lists: `::: {#refs scope=site type="article book" keyword=il-2
file=extra.bib cited=no}` for a "publications" or "further reading" page that lists entries nobody cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

SAFE = re.compile(r"[^\w.,/ -]")  # what a filter may hold: it travels in an HTML comment (the plugin's marker)
KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")


@dataclass(frozen=True)
class EntryFilter:
    types: frozenset[str] = frozenset()  # entry types, BibTeX's or BibLaTeX's (`article`, `online`)
    keywords: frozenset[str] = frozenset()  # any of them, in the entry's `keywords`
    files: frozenset[str] = frozenset()  # bibliography files, by name or path as the configuration writes it
    cited: bool | None = None  # cited somewhere in the site, or not; None: either

    @classmethod
    def from_attributes(cls, attributes: dict[str, str]) -> EntryFilter:
        """From a block's attributes (`type`, `keyword`, `file`, `cited`: yes/no/true/false)."""

        def words(name: str) -> frozenset[str]:
            return frozenset(word.lower() for word in SAFE.sub("", attributes.get(name, "")).replace(",", " ").split())

        cited = attributes.get("cited", "").strip().lower()
        return cls(
            words("type"),
            words("keyword"),
            words("file"),
            True if cited in ("yes", "true") else False if cited in ("no", "false") else None,
        )

    def __bool__(self) -> bool:
        return bool(self.types or self.keywords or self.files or self.cited is not None)

    def marker_text(self) -> str:
        """The filter as `type=article book;cited=no`, read back by `from_marker_text`."""
        parts = [
            f"{name}={' '.join(sorted(values))}"
            for name, values in (("type", self.types), ("keyword", self.keywords), ("file", self.files))
            if values
        ]
        if self.cited is not None:
            parts.append(f"cited={'yes' if self.cited else 'no'}")
        return ";".join(parts)

    def slug(self) -> str:
        """The filter as words for an id: `type-article-book-cited-no` (not `type_3darticle...`)."""
        return re.sub(r"[^\w.]+", "-", self.marker_text().lower()).strip("-")

    @classmethod
    def from_marker_text(cls, text: str) -> EntryFilter:
        return cls.from_attributes(dict(part.split("=", 1) for part in text.split(";") if "=" in part))

    def keeps(self, source, cited: set[str]) -> bool:
        raw = source.raw
        if self.types and raw.type.lower() not in self.types and (raw.original_type or "").lower() not in self.types:
            return False
        if self.keywords:
            keywords = {word.lower() for word in KEYWORD_SPLIT.split(raw.fields.get("keywords", "")) if word}
            if not keywords & self.keywords:
                return False
        if self.files and not any(
            source.file.lower() == name or source.file.lower().endswith("/" + name) for name in self.files
        ):
            return False
        return self.cited is None or (source.key.lower() in cited) == self.cited
