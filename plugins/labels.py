"""What a citation shows: numbers in order of first citation, a style's own labels, or author and year."""

from __future__ import annotations

from pybtex.style.formatting import BaseStyle
from pybtex.style.labels.number import LabelStyle as NumberLabels

from .bibliography import Bibliography
from .formatting import latex_to_text


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

    def __init__(self, bibliography: Bibliography, style: BaseStyle, mode: str):
        self.bibliography = bibliography
        self.style = style
        self.mode = mode
        self.uses_numbers = mode == "numeric" and isinstance(style.label_style, NumberLabels)
        self._style_labels: dict[str, str] | None = None
        self._years: dict[str, str] | None = None
        self._authors: dict[str, str] = {}

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
        """"Onji", "Onji and Kondoh", "Onji et al."; an editor or the title when there is no author."""
        cached = self._authors.get(key.lower())
        if cached is not None:
            return cached
        source = self.bibliography.get(key)
        assert source is not None
        entry = source.entry
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [latex_to_text(" ".join(p.prelast_names + p.last_names)) for p in persons]
        others = any(str(p) == "others" for p in persons)
        names = [name for name in names if name and name != "others"]
        if not names:
            text = latex_to_text(entry.fields.get("organization") or entry.fields.get("title") or source.key)
        elif len(names) == 1 and not others:
            text = names[0]
        elif len(names) == 2 and not others:
            text = f"{names[0]} and {names[1]}"
        else:
            text = f"{names[0]} et al."
        self._authors[key.lower()] = text
        return text

    def year(self, key: str) -> str:
        if self._years is None:
            self._years = self._disambiguated_years()
        return self._years.get(key.lower(), "n.d.")

    def _disambiguated_years(self) -> dict[str, str]:
        groups: dict[tuple[str, str], list[str]] = {}
        for lowered, source in self.bibliography.sources.items():
            year = source.entry.fields.get("year", "").strip() or "n.d."
            groups.setdefault((_raw_authors(source.entry), year), []).append(lowered)
        years = {}
        for (_, year), keys in groups.items():
            for index, lowered in enumerate(keys):
                years[lowered] = year + ("abcdefghijklmnopqrstuvwxyz"[index % 26] if len(keys) > 1 else "")
        return years


def _raw_authors(entry) -> str:
    """Cheap stand-in for `authors()` (no LaTeX decoding), enough to tell which entries look alike."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    shown = persons[:1] if len(persons) > 2 else persons
    return "|".join(" ".join(p.last_names) for p in shown) + ("+" if len(persons) > 2 else "")
