"""Formatting entries with pybtex: once per entry per build, into escaped HTML and plain text (with the
entry's title and short author list, which labels and the report read)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from pybtex.backends.html import Backend as HTMLBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import Entry
from pybtex.plugin import PluginNotFound, enumerate_plugin_names, find_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing, field, sentence

from mkdocs_factcheck.core.bibliography.biblatex import TYPE_KEYS, bibtex_type
from mkdocs_factcheck.core.bibliography.files import NAME_ROLES as NAME_FIELDS
from mkdocs_factcheck.core.bibliography.files import Bibliography
from mkdocs_factcheck.core.bibliography.identifiers import LATEX_URL
from mkdocs_factcheck.core.checks.offline import missing_fields
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.formatting.cache import Formatted, FormattedCache
from mkdocs_factcheck.core.formatting.pybtex_entries import DecodedPerson, decode, format_entry

if TYPE_CHECKING:
    from mkdocs_factcheck.core.formatting.formatter_process import FormatterProcess

# Links are rendered by us, from every identifier field (see `identifiers.py`); styles that print some
# of them would print them twice, so these fields are taken out before pybtex formats an entry.
LINK_FIELDS = ("url", "doi", "eprint", "eprinttype", "archiveprefix", "pubmed", "pmid", "pmcid", "isbn", "urldate")
# Fields where `\url{x}` is an address a reader follows: shown once, as a link (see `identifiers.py`).
URL_TEXT_FIELDS = ("howpublished", "note")


# Text commands that pybtex's LaTeX reader leaves as they are; written as the characters they stand for.
TEXT_COMMANDS = [
    (re.compile(r"\\textasciicircum\b\s*(?:\{\})?"), "^"),
    (re.compile(r"\\(?:textregistered)\b\s*(?:\{\})?"), "\u00ae"),
    (re.compile(r"\\(?:texttrademark)\b\s*(?:\{\})?"), "\u2122"),
    (re.compile(r"\\(?:textdegree)\b\s*(?:\{\})?"), "\u00b0"),
    (re.compile(r"\\(?:texttimes)\b\s*(?:\{\})?"), "\u00d7"),
    (re.compile(r"\\(?:textpm)\b\s*(?:\{\})?"), "\u00b1"),
    (re.compile(r"\\(?:textmu)\b\s*(?:\{\})?"), "\u00b5"),
]


def tidy_latex(value: str) -> str:
    for pattern, replacement in TEXT_COMMANDS:
        value = pattern.sub(replacement, value)
    return value


class StyleError(Exception):
    """An unknown pybtex style name: stops the build."""


TITLE_CASES = ("as-written", "sentence")


def load_style(name: str, title_case: str = "as-written") -> BaseStyle:
    """The style `name`; with `title_case` "as-written" its titles keep the capitals the entry gives
    them (pybtex's BibTeX styles sentence-case them: "Proleukin" would read "proleukin"), with
    "sentence" the style's own casing."""
    try:
        style_class = find_plugin("pybtex.style.formatting", name)
    except (PluginNotFound, ValueError, ImportError):  # `.name` is a relative module name to importlib
        known = ", ".join(sorted(enumerate_plugin_names("pybtex.style.formatting")))
        raise StyleError(f"unknown bibliography style '{name}' (installed styles: {known})") from None
    if title_case not in TITLE_CASES:
        raise StyleError(f"unknown title_case '{title_case}' (one of: {', '.join(TITLE_CASES)})")
    if title_case == "as-written" and hasattr(style_class, "format_title"):
        style_class = _as_written(style_class)
    return style_class()


@functools.cache  # one subclass per style class
def _as_written(style_class: type) -> type:
    """The style with `format_title` printing the title as the entry writes it. Its own name, which the
    formatted-entry cache's key holds: entries formatted under the other casing are not served."""

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title

    return type(
        style_class.__name__,
        (style_class,),
        {
            "format_title": format_title,
            "__qualname__": style_class.__qualname__ + "[as-written]",
            "__module__": style_class.__module__,
        },
    )


class SafeHTMLBackend(HTMLBackend):
    """pybtex's HTML backend puts URLs into href unescaped; only http(s) URLs become links here."""

    def format_tag(self, tag_name, text):
        if tag_name == "smallcaps":  # `\textsc`, `{\sc ...}` (see latex.py)
            return f'<span class="factcheck-smallcaps" style="font-variant:small-caps">{text}</span>' if text else ""
        return super().format_tag(tag_name, text)

    @staticmethod
    def format_href(url, text, external=False):
        if not text:
            return ""
        if not url.lower().startswith(("http://", "https://")):
            return text
        return f'<a href="{escape(url, quote=True)}">{text}</a>'


def printable_copy(entry: Entry) -> Entry:
    """The entry as a style should see it: no link fields (an address in `howpublished` is shown once,
    as a link), a BibTeX type (see `biblatex.py`)."""
    fields = {}
    for name, value in entry.fields.items():
        lowered = name.lower()
        if lowered in LINK_FIELDS or (lowered == "type" and value.strip().lower() in TYPE_KEYS):
            continue
        if lowered in URL_TEXT_FIELDS:
            value = LATEX_URL.sub("", value).strip(" ,;:")
            if not value:
                continue
        fields[name] = tidy_latex(value)
    copy = Entry(bibtex_type(entry), fields=fields)
    for role, persons in entry.persons.items():
        copy.persons[role] = [DecodedPerson.copy_of(person) for person in persons]
    copy.key = entry.key
    return copy


# `Text.render_as("text")` looks the backend up through pybtex's plugin registry, which rescans every
# installed distribution's entry points on each call: one backend object serves instead.
SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


class PlainTextBackend(TextBackend):
    """Text for tooltips and the report: `x$^{2}$` and `H$_2$O` read x² and H₂O where Unicode has the
    characters (comparisons fold them back to digits)."""

    def format_tag(self, tag_name, text):
        table = SUPERSCRIPTS if tag_name == "sup" else SUBSCRIPTS if tag_name == "sub" else None
        if table is not None:
            shifted = text.translate(table)
            if not any(char in shifted for char in text if char.isascii()):  # every character has its form
                return shifted
        return text


TEXT_BACKEND = PlainTextBackend()


def plain(text: Text) -> str:
    return text.render(TEXT_BACKEND)


@functools.lru_cache(maxsize=65536)  # a pure function of a string: nothing to go stale between builds
def latex_to_text(value: str) -> str:
    """Plain text of a field; LaTeX that cannot be decoded (`x\\}`, unbalanced braces) comes out with its
    braces stripped rather than stopping the page."""
    try:
        return plain(decode(tidy_latex(value)))
    except Exception:  # noqa: BLE001 - latexcodec and pybtex raise several kinds on malformed input
        return without_braces(value)


def without_braces(value: str) -> str:
    """A cheap stand-in for decoded text: a BibTeX value with its grouping braces dropped."""
    return value.replace("{", "").replace("}", "")


def short_authors(source) -> str:
    """ "Onji", "Onji and Kondoh", "Onji et al."; an editor or the title when there is no author."""
    entry = source.entry
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [latex_to_text(" ".join(p.prelast_names + p.last_names)) for p in persons]
    others = any(str(p) == "others" for p in persons)
    names = [name for name in names if name and name != "others"]
    if not names:
        return latex_to_text(entry.fields.get("organization") or entry.fields.get("title") or source.key)
    if len(names) == 1 and not others:
        return names[0]
    if len(names) == 2 and not others:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


MAX_GAPS = 8  # fields a style may lack in one entry before it is given up on (each costs a retry)


class IncompleteEntryError(Exception):
    """An entry the style needs more fields for (raised only when gaps are not allowed)."""

    def __init__(self, fields: list[str]):
        super().__init__("the style needs " + ", ".join(fields))
        self.fields = fields


def format_source(style: BaseStyle, backend: HTMLBackend, source, allow_gaps: bool = True) -> Formatted:
    """Every form of one entry; raises what the style raises (an entry type it has no template for)."""
    return format_with_gaps(style, backend, source, allow_gaps)[0]


def format_with_gaps(
    style: BaseStyle, backend: HTMLBackend, source, allow_gaps: bool = True
) -> tuple[Formatted, list[str]]:
    """The forms of an entry, and the fields the style required that it lacks: those are formatted as
    empty (pybtex's templates leave empty parts out), so a reader sees the entry from the fields it has,
    and the checks report the missing fields once (`missing_field`)."""
    title = latex_to_text(source.raw.fields.get("title", ""))  # for the report, without decoding again
    copy = printable_copy(source.entry)
    gaps: list[str] = []
    while True:
        try:
            rich = format_entry(style, copy)
            break
        except FieldIsMissing as error:
            name = error.field_name
            if not allow_gaps or name in gaps or len(gaps) >= MAX_GAPS:
                raise IncompleteEntryError([*gaps, name]) from None
            gaps.append(name)
            if name.lower() in NAME_FIELDS:
                copy.persons[name] = []
            else:
                copy.fields[name] = ""
    forms = Formatted(
        rich.render(backend).replace("\n", " "), plain(rich).replace("\n", " "), title, short_authors(source)
    )
    return forms, gaps


class EntryFormatter:
    """Formats each entry at most once per build, whatever the number of citations of it."""

    def __init__(
        self,
        bibliography: Bibliography,
        style: BaseStyle,
        report: Callable[[Finding], None],
        store: FormattedCache | None = None,
    ):
        self.bibliography = bibliography
        self.style = style
        self.report = report
        self.store = store  # entries formatted by earlier builds (the plugin's; none standalone)
        self.helper: FormatterProcess | None = None  # formats entries in a second process (cold builds)
        self.backend = SafeHTMLBackend()
        self._formatted: dict[str, Formatted] = {}
        self._digests: dict[str, str] = {}
        self._links: dict[str, str] = {}
        self.formatted_count = 0  # entries actually formatted here: read by tests and the benchmark
        self.taken_count = 0  # entries taken from the formatter process: read by tests and the benchmark
        self.style_gaps_reported = True  # off when a CSL style formats what readers see (this style does not)

    def take_help_from(self, helper: FormatterProcess) -> None:
        """Entries formatted by a second process (cold builds) are taken from it before formatting here."""
        self.helper = helper

    def stop_helper(self) -> None:
        """End the second process, if any; safe to repeat."""
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.close()

    def digest(self, key: str) -> str:
        """The entry's key in the formatted-entry cache, computed once per build."""
        digest = self._digests.get(key.lower())
        if digest is None:
            source = self.bibliography.get(key)
            assert source is not None, key
            # Keyed by the entry as parsed, its names still text: every form is a function of it and of the
            # plugin's version (part of the key), so a warm build reads no names and makes no printable copy.
            digest = self._digests[key.lower()] = FormattedCache.key(self.style, source.raw)
        return digest

    def unformatted(self, keys) -> list[str]:
        """Those of `keys` (known entries) that no earlier build has formatted."""
        if self.store is None:
            return list(keys)
        return [key for key in keys if key.lower() not in self._formatted and self.store.get(self.digest(key)) is None]

    def _format(self, key: str) -> Formatted:
        cached = self._formatted.get(key.lower())
        if cached is not None:
            return cached
        source = self.bibliography.get(key)
        assert source is not None, key
        digest = self.digest(key) if self.store is not None else ""
        stored = self.store.get(digest) if self.store is not None else None
        if stored is None and self.helper is not None:
            stored = self.helper.take(digest)  # formatted by the other process, if it got there first
            if stored is not None:
                self.taken_count += 1
                if self.store is not None:
                    self.store.put(digest, stored)
        if stored is not None:
            self._formatted[key.lower()] = stored
            return stored
        self.formatted_count += 1
        try:
            result, gaps = format_with_gaps(self.style, self.backend, source)
            unchecked = [
                gap for gap in gaps if not any(gap.lower() in option.split(" or ") for option in missing_fields(source))
            ]
            if unchecked and self.style_gaps_reported:  # a field this style needs that the type does not
                self.report(
                    Finding(
                        "missing_field",
                        f"entry '{source.key}' ({source.raw.type}) lacks {', '.join(unchecked)}, which the style needs",
                        file=source.file,
                        line=source.line,
                    )
                )
            elif self.store is not None:
                self.store.put(digest, result)  # failures are not stored: their finding is reported every build
        except Exception as error:  # noqa: BLE001 - any style failure degrades this one entry only
            reason = _reason(error)
            self.report(
                Finding(
                    "unformattable_entry",
                    f"entry '{source.key}' cannot be formatted by the style: {reason}",
                    file=source.file,
                    line=source.line,
                )
            )
            title = latex_to_text(source.raw.fields.get("title", ""))
            shown = f"{source.key}: {title}" if title else source.key
            html = f'<span class="factcheck-unformatted" title="{escape(reason, quote=True)}">{escape(shown)}</span>'
            result = Formatted(html, shown, title, short_authors(source))
        self._formatted[key.lower()] = result
        return result

    def html(self, key: str) -> str:
        return self._format(key).html

    def text(self, key: str) -> str:
        return self._format(key).text

    def title(self, key: str) -> str:
        """The entry's title as plain text (LaTeX decoded), kept with its formatted forms."""
        return self._format(key).title

    def authors(self, key: str) -> str:
        return self._format(key).authors

    def links_html(self, key: str, shown: str = "") -> str:
        """The entry's identifiers as links, once per build (an entry cited on many pages is listed on each).
        `shown`: the entry's text as a CSL style printed it; identifiers it prints are not repeated."""
        if shown:
            return self._links_html(key, shown)
        links = self._links.get(key.lower())
        if links is None:
            links = self._links[key.lower()] = self._links_html(key)
        return links

    def _links_html(self, key: str, shown: str = "") -> str:
        source = self.bibliography.get(key)
        assert source is not None
        parts = []
        for identifier in source.identifiers:
            if shown and identifier.value.lower() in shown.lower():
                continue
            href = identifier.href
            label = escape(identifier.label)
            if href:
                parts.append(f'<a class="ref-{identifier.scheme}" href="{escape(href, quote=True)}">{label}</a>')
            else:
                parts.append(f'<span class="ref-{identifier.scheme}">{label}</span>')
            accessed = source.raw.fields.get("urldate", "").strip() if identifier.field == "url" else ""
            if accessed:  # BibLaTeX's and CSL's date of access, with the address it is about
                parts[-1] += f' <span class="ref-urldate">(accessed {escape(latex_to_text(accessed))})</span>'
        return " ".join(parts)


def _reason(error: Exception) -> str:
    if isinstance(error, IncompleteEntryError):
        return str(error)
    if isinstance(error, AttributeError) and "template" in str(error):
        return "the style has no template for this entry type"
    name = type(error).__name__
    return f"{name}: {error}" if str(error) else name
