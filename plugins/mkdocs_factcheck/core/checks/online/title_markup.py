"""The markup of a record's title (Crossref's JATS/HTML tags, MathML, PubMed's HTML) read as CSL's rich
text (`<i>`, `<b>`, `<sup>`, `<sub>`) or as plain text, MathML in the order a reader reads it.

One pass over the title: a tag is matched where a `<` stands, by a pattern that cannot backtrack, and
the elements are nested with a stack, so that a title of any size (unclosed `<math>`s, thousands of
`<`) is read in time proportional to its length. Unclosed elements end with the title; stray end tags
are dropped; a `<` that starts no tag is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

# A start or end tag at a `<`: possessive quantifiers, so a failed match costs its length once.
# No `<` inside a tag (XML allows none in attribute values): a match never runs past the next `<`.
TAG = re.compile(r"<(/?+)([A-Za-z][\w:.-]*+)((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)>")
ATTRIBUTE = re.compile(r"([\w:.-]++)\s*+=\s*+(?:\"([^\"]*+)\"|'([^']*+)')")
CANDIDATE = re.compile(r"<(?=/?[A-Za-z]|[!?])")  # where a tag may start; any other `<` is text
DECLARATION = re.compile(r"<[!?]")  # comments, CDATA, processing instructions: dropped up to their `>`
RICH = {"i", "b", "sup", "sub"}  # CSL's rich text, which core/csl_bibliography.py reads
ALIASES = {"em": "i", "italic": "i", "strong": "b", "bold": "b"}
MAX_DEPTH = 100  # deeper elements are read as their text: no real title nests so deep
TOKENS = {"mi", "mn", "mo", "mtext", "ms"}  # MathML's leaves: their text, without the spaces around it
DROPPED = {"annotation", "annotation-xml", "mphantom", "none", "mprescripts"}
# An accent over a letter (`<mover accent="true">`) as the combining mark that draws it.
ACCENTS = {
    "¯": "\u0304",
    "‾": "\u0305",
    "_": "\u0305",
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "˙": "\u0307",
    ".": "\u0307",
    "¨": "\u0308",
    "→": "\u20d7",
    "ˇ": "\u030c",
    "´": "\u0301",
    "`": "\u0300",
}


@dataclass
class Element:
    name: str  # local name, lower-cased (`mml:msup` is `msup`)
    attributes: str = ""
    children: list = field(default_factory=list)  # Element or str (text, entities not yet read)
    closed: bool = False  # by its end tag, or written `<x/>`: an unclosed <math> is no formula


def parse(text: str) -> Element:
    """The title as a tree under a root element named ``."""
    root = Element("")
    stack = [root]
    open_names: dict[str, int] = {}  # how many of each name are open: an end tag is matched in O(1)
    ignored: dict[str, int] = {}  # start tags past MAX_DEPTH, whose end tags are dropped too
    position, size = 0, len(text)
    closer = -1  # the next `>` found, kept: a title of many `<!` without one is searched once
    while position < size:
        found = CANDIDATE.search(text, position)
        at = found.start() if found else -1
        if at < 0:
            stack[-1].children.append(text[position:])
            break
        if at > position:
            stack[-1].children.append(text[position:at])
        if DECLARATION.match(text, at):
            if closer < at:
                closer = text.find(">", at)
                closer = size if closer < 0 else closer
            if closer < size:
                position = closer + 1
                continue
        match = TAG.match(text, at)
        if match is None:
            stack[-1].children.append("<")
            position = at + 1
            continue
        position = match.end()
        closing, name, rest = match.group(1), match.group(2).rsplit(":", 1)[-1].lower(), match.group(3)
        if closing:
            if ignored.get(name):
                ignored[name] -= 1
            elif open_names.get(name):
                while True:  # unclosed elements inside it end here
                    element = stack.pop()
                    open_names[element.name] -= 1
                    if element.name == name:
                        element.closed = True
                        break
            continue
        element = Element(name, rest)
        if rest.rstrip().endswith("/"):
            element.closed = True
            stack[-1].children.append(element)
        elif len(stack) > MAX_DEPTH:
            ignored[name] = ignored.get(name, 0) + 1
        else:
            stack[-1].children.append(element)
            stack.append(element)
            open_names[name] = open_names.get(name, 0) + 1
    return root


def rich_text(title: str) -> str:
    """The title as CSL's rich text: `<i>`, `<b>`, `<sup>`, `<sub>` kept (balanced), MathML as text with
    sup and sub, other tags dropped with their text kept, entities read, spaces collapsed."""
    return " ".join(_text(parse(title), True).split())


def plain_text(title: str) -> str:
    """The title as a reader reads it, without any markup (H<sub>2</sub>O is H2O)."""
    return " ".join(_text(parse(title), False).split())


def _text(root: Element, rich: bool) -> str:
    out: list[str] = []
    _emit(root, rich, out)
    return "".join(out)


def _emit(node: Element | str, rich: bool, out: list[str]) -> None:
    """Text and HTML outside formulas, appended to one list (no string is copied once per level)."""
    if isinstance(node, str):
        out.append(unescape(node))
        return
    name = ALIASES.get(node.name, node.name)
    if name == "math" and node.closed:
        out.append(_math(node, rich))
        return
    tagged = rich and name in RICH
    start = len(out)
    if tagged:
        out.append(f"<{name}>")
    for child in node.children:
        _emit(child, rich, out)
    if tagged and not any(piece.strip() for piece in out[start + 1 :]):  # stops at the first word
        del out[start:]  # an empty element: no tags either
    elif tagged:
        out.append(f"</{name}>")


def _math(node: Element, rich: bool) -> str:
    """A MathML element in reading order: prescripts before their base, the base before its scripts."""
    name = node.name
    if name in DROPPED:
        return ""
    parts = [child for child in node.children if isinstance(child, Element) or child.strip()]
    elements = [child for child in parts if isinstance(child, Element)]

    def text(element: Element | str) -> str:
        return _math(element, rich) if isinstance(element, Element) else unescape(element).strip()

    def script(mark: str, element: Element | None) -> str:
        written = text(element) if element is not None else ""
        if not written.strip():
            return ""
        return f"<{mark}>{written}</{mark}>" if rich else written

    if name in TOKENS:
        return "".join(text(child) for child in node.children).strip()
    if name == "semantics":
        return text(elements[0]) if elements else ""
    if name in ("msub", "msup", "msubsup") and len(elements) >= 2:
        scripts = {"msub": ("sub",), "msup": ("sup",), "msubsup": ("sub", "sup")}[name]
        return text(elements[0]) + "".join(
            script(mark, element) for mark, element in zip(scripts, elements[1:], strict=False)
        )
    if name == "mmultiscripts" and elements:
        after: list[Element] = []
        before: list[Element] = []
        current = after
        for element in elements[1:]:
            if element.name == "mprescripts":
                current = before
                continue
            current.append(element)
        return _pairs(script, before) + text(elements[0]) + _pairs(script, after)
    if name in ("mover", "munder", "munderover") and len(elements) >= 2:
        base = text(elements[0])
        if name == "mover" and elements[1].name == "mo" and text(elements[1]) in ACCENTS:
            return base + ACCENTS[text(elements[1])]
        scripts = {"mover": ("sup",), "munder": ("sub",), "munderover": ("sub", "sup")}[name]
        return base + "".join(script(mark, element) for mark, element in zip(scripts, elements[1:], strict=False))
    if name == "mfrac" and len(elements) >= 2:
        return f"{_grouped(text(elements[0]))}/{_grouped(text(elements[1]))}"
    if name == "msqrt":
        return "√" + _grouped("".join(text(part) for part in parts))
    if name == "mroot" and len(elements) >= 2:
        return script("sup", elements[1]) + "√" + _grouped(text(elements[0]))
    if name == "mfenced":
        found = {key: double or single for key, double, single in ATTRIBUTE.findall(node.attributes)}
        separator = (found.get("separators", ",").strip() or ",")[0]
        return found.get("open", "(") + separator.join(text(element) for element in elements) + found.get("close", ")")
    if name == "mspace":
        return " "
    if name in ("mtd", "mtr"):
        return " " + "".join(text(part) for part in parts) + " "
    return "".join(text(part) for part in parts)


def _pairs(script, scripts: list[Element]) -> str:
    """mmultiscripts' (subscript, superscript) pairs, each pair read subscript first."""
    subscripts, superscripts = scripts[::2], [*scripts[1::2], None]
    return "".join(script("sub", sub) + script("sup", sup) for sub, sup in zip(subscripts, superscripts, strict=False))


def _grouped(text: str) -> str:
    """A fraction's part or a root's radicand, in parentheses when it is more than one word or number."""
    plain = re.sub(r"</?su[bp]>", "", text)
    return text if re.fullmatch(r"[\w.]*+", plain) else f"({text})"
