"""One document for citeproc: its citations as pandoc's AST, its bibliography as BibLaTeX text, and
what comes back, reduced to data (a citation's inlines, each entry's label and text).

Keys go to pandoc renamed `k0`, `k1`, ... (in the order the document first names them): BibTeX keys
may hold characters pandoc's BibLaTeX reader reads differently, and the renaming makes a document's
result depend on its citations, not on what its keys are called. Prefixes and suffixes with markup go
as placeholder spans (`PIECE` class, named `prefix-N` / `suffix-N`): the host renders their Markdown and
puts it where the style placed the span. A suffix's plain leading text goes as text, so that pandoc
reads its locator ("p. 33", "chap. 2") and the style prints it with its own label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PIECE = "factcheck-piece"

MODES = {"normal": "NormalCitation", "author-in-text": "AuthorInText", "suppress-author": "SuppressAuthor"}


@dataclass(frozen=True)
class CiteRequest:
    key: str
    mode: str = "normal"  # a key of MODES
    prefix: str = ""  # the prefix's words (in a placeholder the host fills): the style's spacing needs them
    suffix_text: str = ""  # the suffix's plain leading text, with its comma as written (", p. 3")
    suffix_rest: bool = False  # the suffix has markup after that text that pandoc is not given (a placeholder)
    number: int = 0  # the cite's place in its group: names its pieces
    # Markup after the leading text that pandoc is given, as (tag, text) pairs ("" for plain text):
    # emphasis, code, ... holding text only, so pandoc finds a locator in `p. *7*` as in its own reading.
    suffix_markup: tuple[tuple[str, str], ...] = ()
    known: bool = True  # False: a key of no entry, given as one pandoc cannot find, so it keeps its place


MISSING = "factcheck-missing-"  # pandoc's name for an unknown key's cite: it writes it bold, with a `?`


@dataclass
class Document:
    groups: list[list[CiteRequest]]
    hidden: list[str] = field(default_factory=list)  # lower-cased keys cited before (site-wide numbers)
    nocite: list[str] = field(default_factory=list)  # keys listed without being cited
    page: str | None = field(default=None, compare=False)  # the page it is (site-wide documents)
    _keys: list[str] | None = field(default=None, repr=False, compare=False)
    _places: list[list] | None = field(default=None, repr=False, compare=False)

    def keys(self) -> list[str]:
        """The keys of the entries the document formats, lower-cased, in the order they first appear: its
        own (cited or listed). Hidden keys of other entries only take their numbers (`dummies`)."""
        if self._keys is None:
            self._keys = self._own_keys()
        return self._keys

    def _own_keys(self) -> list[str]:
        own: dict[str, None] = {}
        for group in self.groups:
            for cite in group:
                if cite.known:
                    own.setdefault(cite.key.lower())
        for key in self.nocite:
            own.setdefault(key.lower())
        self._places = [[index, key] for index, key in enumerate(self.hidden) if key in own]
        earlier = {key for _, key in self._places}
        return [key for _, key in self._places] + [key for key in own if key not in earlier]

    def dummies(self) -> list[int]:
        """The places among `hidden` of entries the document does not format: stand-ins hold them."""
        taken = {index for index, _ in self.places()}
        return [index for index in range(len(self.hidden)) if index not in taken]

    def places(self) -> list[list]:
        """[place, key] of the document's own entries among `hidden`."""
        self.keys()
        assert self._places is not None
        return self._places

    def to_data(self) -> list:
        """The document as JSON data (a page's document read ahead, kept in the cache): `from_data`."""
        return [
            [
                [
                    [
                        c.key,
                        c.mode,
                        c.prefix,
                        c.suffix_text,
                        c.suffix_rest,
                        c.number,
                        [list(pair) for pair in c.suffix_markup],
                        c.known,
                    ]
                    for c in group
                ]
                for group in self.groups
            ],
            list(self.hidden),
            list(self.nocite),
            self.page,
        ]

    @classmethod
    def from_data(cls, data: object) -> Document | None:
        """A document from `to_data`'s data, or None for anything of another shape (the cache is input)."""
        if not (
            isinstance(data, list)
            and len(data) == 4
            and isinstance(data[0], list)
            and _strings(data[1])
            and _strings(data[2])
            and isinstance(data[3], (str, type(None)))
        ):
            return None
        groups = []
        for group in data[0]:
            if not isinstance(group, list):
                return None
            cites = [_cite(item) for item in group]
            if any(cite is None for cite in cites):
                return None
            groups.append(cites)
        return cls(groups, data[1], data[2], page=data[3])  # type: ignore[arg-type]

    def identity(self) -> list:
        """What the result depends on, besides the entries and the style: how many entries come before
        and where its own are among them (which the others are does not matter: stand-ins take them)."""
        return [
            [len(self.hidden), self.places()],
            [
                [
                    [c.key.lower(), c.mode, c.prefix, c.suffix_text, c.suffix_rest, c.number, c.suffix_markup, c.known]
                    for c in group
                ]
                for group in self.groups
            ],
            [key.lower() for key in self.nocite],
        ]


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _cite(item: object) -> CiteRequest | None:
    if not (
        isinstance(item, list)
        and len(item) == 8
        and _strings(item[:4])
        and isinstance(item[4], bool)
        and type(item[5]) is int
        and isinstance(item[7], bool)
        and isinstance(item[6], list)
    ):
        return None
    if item[1] not in MODES or not all(
        isinstance(pair, list) and len(pair) == 2 and _strings(pair) and (pair[0] in MARKUP or pair[0] in ("", "code"))
        for pair in item[6]
    ):
        return None
    return CiteRequest(
        item[0], item[1], item[2], item[3], item[4], item[5], tuple((pair[0], pair[1]) for pair in item[6]), item[7]
    )


@dataclass
class EntryResult:
    key: str  # lower-cased
    label: list  # inlines of the entry's label ("1."), empty for styles that print none
    body: list  # inlines of the entry


@dataclass
class DocumentResult:
    citations: list[list]  # the inlines of each group, in order
    entries: list[EntryResult]  # in the bibliography's order

    @classmethod
    def from_data(cls, data: object) -> DocumentResult | None:
        """A result read from the cache (`DocumentCache.get` puts its entries' bodies back first): None
        unless it is a list of citations' inlines and a list of entries as [key, label, body]."""
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("citations"), list)
            or not isinstance(data.get("entries"), list)
        ):
            return None
        entries = []
        for item in data["entries"]:
            if not (
                isinstance(item, list)
                and len(item) == 3
                and isinstance(item[0], str)
                and isinstance(item[1], list)
                and isinstance(item[2], list)
            ):
                return None
            entries.append(EntryResult(*item))
        if not all(isinstance(inlines, list) for inlines in data["citations"]):
            return None
        return cls(data["citations"], entries)


def words(text: str) -> list[dict]:
    """Text as pandoc inlines: words and spaces."""
    inlines: list[dict] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


MARKUP = {"em": "Emph", "strong": "Strong", "sup": "Superscript", "sub": "Subscript"}  # and code


def markup_inlines(tag: str, text: str) -> list[dict]:
    """One piece of a suffix's markup as pandoc's inlines (see `CiteRequest.suffix_markup`)."""
    if tag == "code":
        return [{"t": "Code", "c": [["", [], []], text]}]
    spaced = words(re.sub(r"\s+", " ", text))
    return [{"t": MARKUP[tag], "c": spaced}] if tag in MARKUP else spaced


def placeholder(name: str, text: str) -> dict:
    return {"t": "Span", "c": [["", [PIECE], [["name", name]]], words(" ".join(text.split()) or "…")]}


def citation(cite: CiteRequest, pandoc_key: str, note: int = 0) -> dict:
    """`note`: the group's place in the document, as pandoc's Markdown reader numbers them (note styles
    number their notes so)."""
    prefix = [placeholder(f"prefix-{cite.number}", cite.prefix)] if cite.prefix else []
    suffix = words(" ".join(cite.suffix_text.split()))
    if cite.suffix_markup and cite.suffix_text[-1:].isspace():
        suffix.append({"t": "Space"})
    for tag, text in cite.suffix_markup:
        suffix += markup_inlines(tag, text)
    if cite.suffix_rest:
        suffix += ([{"t": "Space"}] if suffix else []) + [placeholder(f"suffix-{cite.number}", "…")]
    if suffix and cite.suffix_text[:1].isspace():
        suffix.insert(0, {"t": "Space"})  # pandoc's sign of a suffix without a comma: the style adds none
    return {
        "citationId": pandoc_key,
        "citationPrefix": prefix,
        "citationSuffix": suffix,
        "citationMode": {"t": MODES[cite.mode]},
        "citationNoteNum": note,
        "citationHash": 0,
    }


def to_pandoc(document: Document, names: dict[str, str]) -> dict:
    """The document as pandoc's AST: one paragraph per group, after one citing every hidden key (or
    its stand-in, `h<place>`), which takes their numbers."""

    def para(citations: list[dict]) -> dict:
        if not citations:  # every cite of the group left out (entries pandoc cannot read)
            return {"t": "Para", "c": []}
        return {"t": "Para", "c": [{"t": "Cite", "c": [citations, [{"t": "Str", "c": "?"}]]}]}

    blocks = (
        [
            para(
                [
                    citation(CiteRequest(key), names.get(key.lower(), f"h{index}"), 1)
                    for index, key in enumerate(document.hidden)
                ]
            )
        ]
        if document.hidden
        else []
    )
    first = len(blocks) + 1
    blocks += [
        para(
            [
                citation(cite, names[cite.key.lower()] if cite.known else f"{MISSING}{cite.number}", note)
                for cite in group
            ]
        )
        for note, group in enumerate(document.groups, first)
    ]
    meta: dict = {}
    if document.nocite:
        cites = [citation(CiteRequest(key), names[key.lower()]) for key in document.nocite]
        meta["nocite"] = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [cites, [{"t": "Str", "c": "?"}]]}]}
    return {"meta": meta, "blocks": blocks}


def from_pandoc(output: dict, document: Document, keys: dict[str, str]) -> DocumentResult:
    """`keys`: pandoc's names back to lower-cased keys. Links to entries (`#ref-k3`) are rewritten to
    the entry's key (`#ref-KEY` is made by the host, which knows how ids are written)."""
    blocks = output.get("blocks", [])
    hidden = 1 if document.hidden else 0
    citations = []
    references = None
    for block in blocks:
        if block.get("t") == "Para":
            cite = next((inline for inline in block["c"] if inline.get("t") == "Cite"), None)
            citations.append(_missing_marked(_rekeyed(cite["c"][1], keys)) if cite else [])
        elif block.get("t") == "Div" and block["c"][0][0] == "refs":
            references = block
    citations = citations[hidden:]
    entries = []
    for entry in references["c"][1] if references else []:
        if entry.get("t") != "Div" or not entry["c"][0][0].startswith("ref-"):
            continue
        key = keys.get(entry["c"][0][0][4:])
        if key is None:
            continue
        label: list = []
        body: list = []
        # A numbered entry is `[Span.csl-left-margin "1.", Span.csl-right-inline ...]`.
        for part in _inlines_of(entry["c"][1]):
            classes = part["c"][0][1] if part.get("t") == "Span" else []
            if "csl-left-margin" in classes:
                label = part["c"][1]
            elif "csl-right-inline" in classes:
                body.extend(part["c"][1])
            else:
                body.append(part)
        entries.append(EntryResult(key, compact(_rekeyed(label, keys)), compact(_rekeyed(body, keys))))
    return DocumentResult([compact(inlines) for inlines in citations], entries)


def compact(inlines: list) -> list:
    """Runs of words and spaces as one `Str` (at any depth): the same text, a quarter of the nodes to
    store in the cache and to walk when rendering."""
    merged: list = []
    for inline in inlines:
        kind = inline.get("t") if isinstance(inline, dict) else None
        if kind in ("Str", "Space", "SoftBreak"):
            text = inline["c"] if kind == "Str" else " "
            if merged and merged[-1].get("t") == "Str":
                merged[-1] = {"t": "Str", "c": merged[-1]["c"] + text}
            else:
                merged.append({"t": "Str", "c": text})
        elif isinstance(inline, dict) and _is_inlines(inline.get("c")):  # Emph, Strong, ...: inlines
            merged.append({"t": kind, "c": compact(inline["c"])})
        elif isinstance(inline, dict) and isinstance(inline.get("c"), list):  # Link, Span, ...: parts
            merged.append({"t": kind, "c": [compact(part) if _is_inlines(part) else part for part in inline["c"]]})
        else:
            merged.append(inline)
    return merged


def _is_inlines(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) and "t" in item for item in value)


def _inlines_of(blocks: list) -> list:
    """The inlines of blocks (an entry is one or two plain blocks), joined by spaces."""
    inlines: list = []
    for block in blocks:
        kind = block.get("t")
        content = block.get("c")
        if kind in ("Plain", "Para"):
            part = content
        elif kind == "Div":
            part = _inlines_of(content[1])
        else:
            continue
        if inlines and part:
            inlines.append({"t": "Space"})
        inlines.extend(part)
    return inlines


def _missing_marked(inlines: list) -> list:
    """pandoc's bold `factcheck-missing-N?` (linked to `#ref-factcheck-missing-N`) made a placeholder
    (`missing-N`): the host puts the unknown key's marker, prefix and suffix there."""
    marked = []
    for inline in inlines:
        content = inline.get("c") if isinstance(inline, dict) else None
        missing = _missing_number(inline)
        if missing is not None:
            marked.append(placeholder(f"missing-{missing}", "?"))
        elif isinstance(content, list) and _is_inlines(content):
            marked.append({**inline, "c": _missing_marked(content)})
        else:
            marked.append(inline)
    return marked


def _missing_number(inline: dict) -> str | None:
    kind, content = inline.get("t"), inline.get("c")
    if (
        kind == "Link"
        and isinstance(content, list)
        and len(content) == 3
        and isinstance(content[2], list)
        and str(content[2][0]).startswith("#ref-" + MISSING)
    ):
        return str(content[2][0])[len("#ref-" + MISSING) :]
    if kind == "Strong" and isinstance(content, list) and len(content) == 1 and isinstance(content[0], dict):
        text = content[0].get("c")
        if isinstance(text, str) and text.startswith(MISSING) and text.endswith("?"):
            return text[len(MISSING) : -1]
    return None


def _rekeyed(inlines: list, keys: dict[str, str]) -> list:
    """Entry links `#ref-kN` made `#ref-` + the real (lower-cased) key, at any depth."""

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            if node.get("t") == "Link":
                attributes, content, (target, title) = node["c"]
                if target.startswith("#ref-") and target[5:] in keys:
                    target = "#ref-" + keys[target[5:]]
                return {"t": "Link", "c": [attributes, walk(content), [target, title]]}
            return {name: walk(value) for name, value in node.items()}
        return node

    return walk(inlines)
