"""CSL-JSON and CSL-YAML bibliographies (what pandoc and Zotero export), read as BibTeX entries.

Every other part of the engine (styles, checks, links, online checks, the report) reads pybtex entries:
each CSL item becomes one, its type and fields mapped to BibTeX's, its names written as BibTeX names
(`family, given`), its text escaped for LaTeX (CSL values are plain text, with a few HTML-like tags)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from pybtex.database import Entry

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.field_text import text_of, without_controls
from mkdocs_factcheck.core.findings import Finding

# CSL item types by the BibTeX (or BibLaTeX, which pandoc reads) type they are written as; anything else
# is a `misc`. CSL's `article` is a preprint, working paper or other article outside a journal (what
# DataCite calls most Zenodo and figshare records): a `misc`, not BibTeX's journal `article`.
BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "review": "article", "review-book": "article",
    "book": "book", "classic": "book", "collection": "book", "periodical": "book",
    "chapter": "incollection", "entry-encyclopedia": "incollection", "entry-dictionary": "incollection",
    "entry": "incollection",
    "paper-conference": "inproceedings", "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished",
    "pamphlet": "booklet", "dataset": "dataset", "software": "software", "standard": "standard", "patent": "patent",
    "webpage": "online", "post": "online", "post-weblog": "online",
}  # fmt: skip
# CSL variables with a BibTeX field of their own; the container depends on the type (journal or book).
FIELDS = {
    "title": "title", "publisher": "publisher", "publisher-place": "address", "volume": "volume", "issue": "number",
    "number": "number", "page": "pages", "edition": "edition", "collection-title": "series", "note": "note",
    "annote": "annote", "genre": "type", "chapter-number": "chapter", "medium": "howpublished", "abstract": "abstract",
    "language": "language", "ISSN": "issn", "event-title": "eventtitle", "version": "version",
}  # fmt: skip
IDENTIFIERS = {
    "DOI": "doi",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "ISBN": "isbn",
    "URL": "url",
}  # written as they are, not escaped
NAME_ROLES = {"author": "author", "editor": "editor", "container-author": "bookauthor", "translator": "translator"}
LATEX_SPECIALS = re.compile(r"[\\{}$%&#_~^]")
LATEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _within(tag: str) -> str:
    """A tag's content up to its end, never past another start or end of that tag: each match reads
    to the next one at most, so a value of many unclosed tags costs one pass, not one per tag."""
    return rf"([^<]*(?:<(?!/?{tag}\b)[^<]*)*)</{tag}>"


# CSL's rich-text markup (what Zotero writes in titles), as the LaTeX our formatter renders.
CSL_MARKUP = [
    (re.compile("<i>" + _within("i")), r"\\textit{\1}"),
    (re.compile("<b>" + _within("b")), r"\\textbf{\1}"),
    (re.compile("<sup>" + _within("sup")), r"\\textsuperscript{\1}"),
    (re.compile("<sub>" + _within("sub")), r"\\textsubscript{\1}"),
    (re.compile('<span style="font-variant: ?small-caps;?">' + _within("span")), r"\\textsc{\1}"),
    (re.compile('<span class="nocase">' + _within("span")), r"{\1}"),
]


class CSLFileError(Exception):
    """A CSL file that is not a list of items."""


def read(text: str, display: str, kind: str) -> tuple[list[tuple[str, Entry, int]], list[Finding]]:
    """The items of a CSL-JSON (`kind` "json") or CSL-YAML ("yaml") file as (key, entry, line), and
    findings for what could not be read (at its line); what could be read before an error is kept."""
    findings: list[Finding] = []
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows tools write
    try:
        located = _json_items(text) if kind == "json" else _yaml_items(text)
    except CSLFileError as error:
        line, message = error.args
        return [], [Finding("bib_syntax", f"{message}", file=display, line=line)]
    items: list[tuple[str, Entry, int]] = []
    for item, line, problem in located:
        if problem:
            findings.append(Finding("bib_syntax", problem, file=display, line=line))
            continue
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            findings.append(Finding("bib_syntax", "CSL item without an 'id' (skipped)", file=display, line=line))
            continue
        key = str(item["id"])
        items.append((key, to_entry(key, item), line))
    return items, findings


def _json_items(text: str) -> list[tuple[Any, int, str]]:
    """Each item of the top-level array with the line it starts on (json gives no positions, so the
    array is read item by item)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        raise CSLFileError(_line(text, position), "a CSL-JSON file is an array of items ([{...}, ...])")
    position = _skip_space(text, position + 1)
    found: list[tuple[Any, int, str]] = []
    line, counted_to = 1, 0
    while position < len(text) and text[position] != "]":
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            found.append(
                (
                    None,
                    error.lineno,
                    f"JSON syntax error: {error.msg} (column {error.colno}); the items after it are not read",
                )
            )
            return found
        except RecursionError:  # the parser's own stack
            found.append((None, _line(text, position), "JSON nested too deeply; the items after it are not read"))
            return found
        line += text.count("\n", counted_to, position)  # from the previous item on: linear in the file
        counted_to = position
        too_deep = json_data.too_deep([item])
        found.append(
            (
                None if too_deep else item,
                line,
                f"an item nested more than {json_data.MAX_DEPTH - 1} levels deep (skipped)" if too_deep else "",
            )
        )
        position = _skip_space(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != "]":
            found.append(
                (None, _line(text, position), "JSON syntax error: ',' or ']' expected; the items after it are not read")
            )
            return found
    return found


def _yaml_items(text: str) -> list[tuple[Any, int, str]]:
    """The items of a CSL-YAML file (a list, or pandoc's `references:` in a YAML document), each with
    the line its mapping starts on."""
    import yaml

    try:
        documents = [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None]
    except yaml.YAMLError as error:
        raise _yaml_error(error, "YAML syntax error") from None
    for node in documents:
        sequence = node
        if isinstance(node, yaml.MappingNode):
            sequence = next((value for name, value in node.value if name.value == "references"), None)
        if isinstance(sequence, yaml.SequenceNode):
            loader = yaml.SafeLoader("")
            try:
                return [
                    (loader.construct_object(child, deep=True), child.start_mark.line + 1, "")
                    for child in sequence.value
                ]
            except yaml.YAMLError as error:
                raise _yaml_error(error, "YAML error") from None
            finally:
                loader.dispose()
    raise CSLFileError(1, "a CSL-YAML file is a list of items, or a mapping with 'references:' holding one")


def _yaml_error(error: Exception, what: str) -> CSLFileError:
    """The error at its line, in YAML's words without its place (which names "<unicode string>", not the file)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return CSLFileError(mark.line + 1 if mark else None, f"{what}: {problem}")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def to_entry(key: str, item: dict) -> Entry:
    """The BibTeX entry a CSL item stands for."""
    csl_type = str(item.get("type", "")).lower()
    kind = BIBTEX_TYPES.get(csl_type, "misc")
    genre = str(item.get("genre", "")).lower()
    if kind == "phdthesis" and "master" in genre:
        kind = "mastersthesis"
    if (kind == "incollection" and not text_of(item.get("container-title"))) or (
        kind == "unpublished" and not text_of(item.get("note"))
    ):
        kind = (
            "inbook" if kind == "incollection" else "misc"
        )  # a chapter known by its book's own fields; a manuscript without BibTeX's note
    if kind == "online" and not text_of(item.get("URL")):
        kind = "misc"
    fields: dict[str, str] = {}
    for name, value in item.items():
        if name in FIELDS and text_of(value):
            fields[FIELDS[name]] = latex(text_of(value))
        elif name in IDENTIFIERS and text_of(value):
            fields[IDENTIFIERS[name]] = text_of(value).strip()
    if "pages" in fields:
        fields["pages"] = re.sub(r"\s*[-\u2013]\s*", "--", fields["pages"])
    container = text_of(item.get("container-title"))
    if container:
        target = (
            "journal"
            if kind == "article"
            else (
                "booktitle"
                if kind in ("incollection", "inproceedings")
                else "series"
                if kind == "book"
                else "howpublished"
            )
        )
        fields.setdefault(target, latex(container))
    if kind == "phdthesis" or kind == "mastersthesis":
        _move(fields, "publisher", "school")
        fields.pop("type", None)  # "PhD thesis" is the style's word
    elif kind == "techreport":
        _move(fields, "publisher", "institution")
    year, month = date_of(item.get("issued"))
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    accessed, _ = date_of(item.get("accessed"), full=True)
    if accessed:
        fields["urldate"] = accessed
    for role, bibtex_role in NAME_ROLES.items():
        names = item.get(role)
        if isinstance(names, list) and names:
            written = [name for name in (bibtex_name(person) for person in names) if name]
            if written:
                fields[bibtex_role] = " and ".join(written)
    entry = Entry(kind, fields=fields)
    entry.key = key
    return entry


def _move(fields: dict[str, str], source: str, target: str) -> None:
    if source in fields and target not in fields:
        fields[target] = fields.pop(source)


def latex(value: str) -> str:
    """Plain text as a BibTeX value that reads back as the same text, CSL's markup as LaTeX markup."""
    value = without_controls(value)
    value = LATEX_SPECIALS.sub(lambda m: LATEX_ESCAPES.get(m.group(), "\\" + m.group()), value)
    for pattern, replacement in CSL_MARKUP:
        value = pattern.sub(replacement, value)
    return " ".join(value.split())


def bibtex_name(person: object) -> str:
    """`{"family": "van der Berg", "given": "Anna"}` as `van der Berg, Anna`; a `literal` (an
    organisation) in braces, so it is one name that is never split or abbreviated."""
    if isinstance(person, str):
        return "{" + latex(person) + "}"
    if not isinstance(person, dict):
        return ""
    if text_of(person.get("literal")):
        return "{" + latex(text_of(person["literal"])) + "}"
    family = latex(text_of(person.get("family")))
    particle = latex(text_of(person.get("non-dropping-particle")) or text_of(person.get("dropping-particle")))
    given = latex(text_of(person.get("given")))
    suffix = latex(text_of(person.get("suffix")))
    if not family:
        return "{" + given + "}" if given else ""
    last = f"{particle} {family}".strip() if particle else family
    if " " in family:
        last = (
            f"{particle} {{{family}}}".strip() if particle else "{" + family + "}"
        )  # "Garcia Marquez" is one family name
    return ", ".join(part for part in (last, suffix, given) if part) if given or suffix else last


def date_of(value: object, full: bool = False) -> tuple[str, str]:
    """Year (or with `full`, the ISO date) and month name of a CSL date: `{"date-parts": [[2001, 5]]}`,
    `{"raw": "2001-05"}`, `{"literal": ...}`, or CSL-YAML's `2001-05-03` (read by YAML as a date)."""
    from mkdocs_factcheck.core.bibliography.biblatex import MONTH_NAMES, date_parts

    if isinstance(value, (datetime.date, datetime.datetime)):
        return (value.isoformat()[:10], "") if full else (str(value.year), MONTH_NAMES[value.month - 1])
    if isinstance(value, list):  # old CSL-YAML: a list of {year, month}
        value = {"date-parts": [[part.get("year"), part.get("month")] for part in value if isinstance(part, dict)]}
    if isinstance(value, (str, int)):
        value = {"raw": str(value)}
    if not isinstance(value, dict):
        return "", ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] and text_of(parts[0][0]):
        first = [text_of(part) for part in parts[0] if text_of(part)]  # a date's parts are numbers (or their text)
        if full:
            return "-".join(first[:1] + [p.zfill(2) for p in first[1:3]]), ""
        year = first[0]
        end = text_of(parts[1][0]) if len(parts) > 1 and isinstance(parts[1], list) and parts[1] else ""
        if end and end != year:
            return f"{year}--{end}", ""
        number = int(first[1]) if len(first) > 1 and first[1].isdigit() else 0
        return year, MONTH_NAMES[number - 1] if 1 <= number <= 12 else ""
    raw = text_of(value.get("raw")) or text_of(value.get("literal"))
    if full:
        return raw.strip(), ""
    year, month = date_parts(raw)
    if not year:
        match = re.search(r"\b(\d{4})\b", raw)
        year = match.group(1) if match else ""
    return year, month
