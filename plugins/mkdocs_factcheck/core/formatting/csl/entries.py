"""An entry as pandoc is given it: BibLaTeX, from the bibliography as parsed."""

from __future__ import annotations

import re

from mkdocs_factcheck.core.bibliography.biblatex import MONTH_NAMES, written_fields
from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.bibliography.latex import decoded_run

# Accented and special letters, braced or not (`{\'\i}`, `\"{o}`, `{\ss}`): decoded by our reader (latex.py),
# which gets some right that pandoc's does not (`{\'\i}` is í, not a dotless i with a loose accent). A
# braced one stays braced (`{\"U}bergewicht` goes as `{Ü}bergewicht`): pandoc keeps a brace group's case,
# so APA's sentence case leaves the capital, as pandoc does given the entry as written.
ACCENT = r"\\(?:['\"`^~=.]|[cvuHkrdbt](?=[\s{]))\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])"
LETTER = r"\\(?:ss|i|j|o|O|ae|AE|oe|OE|aa|AA|l|L)(?![A-Za-z])"
SPECIAL_LETTERS = re.compile(rf"\{{(?:{ACCENT}|{LETTER})\}}|{ACCENT}|{LETTER}\s?")


def decoded_letters(value: str) -> str:
    return SPECIAL_LETTERS.sub(_decoded, value) if "\\" in value else value


def _decoded(match: re.Match) -> str:
    written = match.group().strip()
    letters = decoded_run(written)
    return "{" + letters + "}" if written.startswith("{") else letters


def _value(field: str, value: str) -> str:
    if field.lower() == "month":  # pybtex expands BibTeX's `mar` to "March", which pandoc does not read
        number = MONTHS.get(value.strip().lower()[:3])
        if number:
            return str(number)
    return decoded_letters(value)


MONTHS = {name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)}
NAME_SLOT = "\x00name\x00"  # where an entry's name for pandoc goes (see `_text`)

# Fields pandoc would follow to other entries, which are not in the document (keys are renamed).
SKIPPED_FIELDS = {"crossref", "xref", "xdata", "related", "set"}


def biblatex_text(source: Source, name: str) -> str:
    """The entry as BibLaTeX, named `name`: its fields as parsed (`@string` macros expanded, LaTeX kept
    for pandoc's reader, which decodes it and reads `{Protected}` words as protected from re-casing)."""
    raw = source.raw
    # A DOI as we read it (`https://doi.org/10.x/y` and `doi:10.x/y` are 10.x/y): styles print their own prefix.
    dois = {identifier.field: identifier.value for identifier in source.identifiers if identifier.scheme == "doi"}
    # The fields as written: pandoc reads BibLaTeX itself, and the BibTeX ones we add for pybtex styles
    # (a `title` with its `subtitle`, a thesis's `school`, a `pmid` from `eprint`) it would print twice.
    written = written_fields(raw)
    fields = [
        _field(field, dois.get(field) or _value(field, value))
        for field, value in written.items()
        if field.lower() not in SKIPPED_FIELDS and NAME.fullmatch(field)
    ]
    for role, persons in raw.persons.items():
        if role not in raw.fields and persons and NAME.fullmatch(role):
            fields.append(_field(role, " and ".join(str(person) for person in persons)))
    entry_type = raw.original_type or raw.type
    if not NAME.fullmatch(entry_type):
        entry_type = "misc"
    return f"@{entry_type}{{{name},\n" + ",\n".join(fields) + "\n}\n"


# What we hand pandoc is an entry we build: a value (from a file, or a record a service sent) can end
# neither its field nor its entry. Field and type names are names; a value's braces pair as pandoc
# counts them (`\{` is a brace it does not count), no `%` starts a comment, and no trailing backslash
# escapes the closing brace. Verbatim fields (pandoc reads their backslashes and `%` as written) get
# their braces and backslashes percent-encoded instead, as in any address.
NAME = re.compile(r"[A-Za-z][\w:.+-]*")
VERBATIM = {"url", "doi", "eprint", "file", "pdf", "urlraw", "verba", "verbb", "verbc"}
UNESCAPED_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")


def _field(field: str, value: str) -> str:
    value = " ".join(value.splitlines())
    if field.lower() in VERBATIM:
        if not _pairs(value, escapes=False) or "\\" in value:
            value = value.replace("%", "%25").replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
        return f"  {field} = {{{value}}}"
    value = UNESCAPED_PERCENT.sub(lambda match: match[1] + "\\%", value)
    if not _pairs(value, escapes=True):
        value = re.sub(r"(?<!\\)((?:\\\\)*)([{}])", lambda match: match[1] + "\\" + match[2], value)
    if (len(value) - len(value.rstrip("\\"))) % 2:
        value += " "  # `\` at the end would escape the closing brace
    return f"  {field} = {{{value}}}"


def _pairs(value: str, escapes: bool) -> bool:
    """Whether the braces pair, counting those after a backslash only when `escapes` is False."""
    depth = 0
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            continue
        if char == "\\" and escapes:
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
