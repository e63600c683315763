"""What a citation shows: numbers in order of first citation, a style's own labels, or author and year."""

from __future__ import annotations

from collections.abc import Callable

import pybtex.errors
from pybtex.database import Person
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels.number import LabelStyle as NumberLabels

from mkdocs_factcheck.core.bibliography.files import Bibliography, split_names


class Numbering:
    """Numbers entries in the order they are first cited; one per page, or one for the whole site."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def number(self, key: str) -> int:
        return self._numbers.setdefault(key.lower(), len(self._numbers) + 1)

    def has(self, key: str) -> bool:
        return key.lower() in self._numbers

    def ordered_keys(self) -> list[str]:
        return list(self._numbers)


class Labeller:
    """Labels for one build: `numeric` uses numbers (or the style's labels, e.g. alpha's `Onj87`);
    `author-year` uses "Onji et al., 1987", with a, b, ... when two entries would look alike."""

    def __init__(self, bibliography: Bibliography, style: BaseStyle, mode: str, authors_of: Callable[[str], str]):
        self.bibliography = bibliography
        self.authors_of = authors_of
        self.style = style
        self.mode = mode
        self.uses_numbers = mode == "numeric" and isinstance(style.label_style, NumberLabels)
        self._style_labels: dict[str, str] | None = None
        self._years: dict[str, str] | None = None

    def forget(self) -> None:
        """Labels made over the whole bibliography are made again: an entry joined it (an identifier
        citation's record, fetched during the build)."""
        self._style_labels = None
        self._years = None

    def label(self, key: str, numbering: Numbering) -> str:
        if self.mode == "author-year":
            return f"{self.authors(key)}, {self.year(key)}"
        if self.uses_numbers:
            return str(numbering.number(key))
        numbering.number(key)  # the order of first citation still orders the bibliography
        return self._style_label(key)

    def _style_label(self, key: str) -> str:
        if self._style_labels is None:
            # Labels such as alpha's are disambiguated across the whole bibliography (Onj87a, Onj87b).
            entries = [source.entry for source in self.bibliography.sources.values()]
            sorted_entries = self.style.sort(entries)
            labels = self.style.label_style.format_labels(sorted_entries)
            self._style_labels = {entry.key.lower(): label for entry, label in zip(sorted_entries, labels, strict=True)}
        return self._style_labels.get(key.lower(), key)

    def authors(self, key: str) -> str:
        """ "Onji", "Onji and Kondoh", "Onji et al." (kept with the entry's formatted forms)."""
        return self.authors_of(key)

    def year(self, key: str) -> str:
        if self._years is None:
            self._years = self._disambiguated_years()
        return self._years.get(key.lower(), "n.d.")

    def _disambiguated_years(self) -> dict[str, str]:
        groups: dict[tuple[str, str], list[str]] = {}
        for lowered, source in self.bibliography.sources.items():
            year = source.raw.fields.get("year", "").strip() or "n.d."
            groups.setdefault((_raw_authors(source.raw), year), []).append(lowered)
        years = {}
        for (_, year), keys in groups.items():
            for index, lowered in enumerate(keys):
                years[lowered] = year + ("abcdefghijklmnopqrstuvwxyz"[index % 26] if len(keys) > 1 else "")
        return years


def _raw_authors(raw) -> str:
    """Cheap stand-in for `authors()`, enough to tell which entries look alike: the last names of the
    first two names (of the first, when there are more), read from the entry as parsed. Only those names
    are read: this runs over every entry of the bibliography."""
    role = next((name for name in ("author", "editor") if raw.fields.get(name, "").strip()), None)
    if role is None:
        return ""
    names = split_names(raw.fields[role])
    shown = names[:1] if len(names) > 2 else names
    with pybtex.errors.capture():
        last = [" ".join(Person(name).last_names) for name in shown]
    return "|".join(last) + ("+" if len(names) > 2 else "")
