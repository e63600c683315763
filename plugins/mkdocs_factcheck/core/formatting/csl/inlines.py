"""pandoc's inlines as HTML or text. Every string is escaped, and only http(s) links become links: the
inlines come from pandoc, or from a cache file that is input, not trusted.

One walk (`render`) serves every output; a `Builder` decides what the parts become. The host's citation
renderer is a builder too: it puts a prefix's rendered Markdown where a placeholder is, and links an
entry its own way."""

from __future__ import annotations

from html import escape

from mkdocs_factcheck.core.formatting.csl.documents import PIECE
from mkdocs_factcheck.core.formatting.pybtex_formatter import latex_to_text

TAGS = {"Emph": "em", "Strong": "strong", "Underline": "u", "Strikeout": "s", "Superscript": "sup", "Subscript": "sub"}
QUOTES = {"DoubleQuote": ("\u201c", "\u201d"), "SingleQuote": ("\u2018", "\u2019")}


class Builder:
    """Receives the parts of a walk, in order; this one writes HTML."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, text: str) -> None:
        self.parts.append(escape(text, quote=False))

    def open(self, tag: str, attributes: dict[str, str]) -> None:
        written = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in attributes.items())
        self.parts.append(f"<{tag}{written}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def piece(self, name: str) -> None:
        """A placeholder: nothing in HTML written from data alone."""

    def entry_link(self, key: str, inlines: list) -> None:
        """A link to an entry (`#ref-KEY`): its words, unlinked (entries link only to the outside)."""
        render(inlines, self)

    def result(self) -> str:
        return "".join(self.parts)


class TextBuilder(Builder):
    def text(self, text: str) -> None:
        self.parts.append(text)

    def open(self, tag: str, attributes: dict[str, str]) -> None:
        pass

    def close(self, tag: str) -> None:
        pass


def html(inlines: list) -> str:
    builder = Builder()
    render(inlines, builder)
    return builder.result()


def text(inlines: list) -> str:
    builder = TextBuilder()
    render(inlines, builder)
    return " ".join(builder.result().split())


class RenderedEntries:
    """Entries' inlines as HTML and text, made once per build for each way the style writes an entry:
    the cache gives every page that lists an entry written alike the same inlines
    (`DocumentCache.bodies`), while "1987a" on one page and "1987" on another are two."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[list, str, str]] = {}  # id of an entry's inlines -> (them, HTML, text)

    def of(self, body: list) -> tuple[str, str]:
        made = self._made.get(id(body))
        if made is None or made[0] is not body:
            made = self._made[id(body)] = (body, html(body), text(body))
        return made[1], made[2]


def render(inlines: object, builder: Builder) -> None:
    if not isinstance(inlines, list):
        return
    for inline in inlines:
        if isinstance(inline, dict):
            _render_one(inline, builder)


def _render_one(inline: dict, builder: Builder) -> None:
    kind = inline.get("t")
    content = inline.get("c")
    if kind == "Str" and isinstance(content, str):
        builder.text(content)
    elif kind in ("Space", "SoftBreak", "LineBreak"):
        builder.text(" ")
    elif kind in TAGS:
        builder.open(TAGS[kind], {})
        render(content, builder)
        builder.close(TAGS[kind])
    elif kind == "SmallCaps":
        builder.open("span", {"class": "factcheck-smallcaps", "style": "font-variant:small-caps"})
        render(content, builder)
        builder.close("span")
    elif kind == "Math" and isinstance(content, list) and len(content) == 2 and isinstance(content[1], str):
        builder.text(latex_to_text(f"${content[1]}$"))  # `$\alpha$` is α, as everywhere else (latex.py)
    elif (
        kind in ("Code", "RawInline")
        and isinstance(content, list)
        and len(content) == 2
        and isinstance(content[1], str)
    ):
        builder.text(content[1])  # raw markup from a bibliography is shown as text, never inserted
    elif kind == "Quoted" and isinstance(content, list) and len(content) == 2:
        quote = content[0].get("t") if isinstance(content[0], dict) else ""
        opening, closing = QUOTES.get(str(quote), QUOTES["DoubleQuote"])
        builder.text(opening)
        render(content[1], builder)
        builder.text(closing)
    elif kind == "Cite" and isinstance(content, list) and len(content) == 2:
        render(content[1], builder)
    elif kind == "Link" and isinstance(content, list) and len(content) == 3:
        target = content[2][0] if isinstance(content[2], list) and content[2] and isinstance(content[2][0], str) else ""
        if target.startswith("#ref-"):
            builder.entry_link(target[5:], content[1])
        elif target.lower().startswith(("http://", "https://")):
            builder.open("a", {"href": target})
            render(content[1], builder)
            builder.close("a")
        else:
            render(content[1], builder)
    elif kind == "Image" and isinstance(content, list) and len(content) == 3:
        render(content[1], builder)
    elif kind == "Note" and isinstance(content, list):
        for block in content:  # a note style's citation, shown where it is cited
            if isinstance(block, dict) and block.get("t") in ("Para", "Plain"):
                render(block.get("c"), builder)
    elif kind == "Span" and isinstance(content, list) and len(content) == 2:
        attributes: list = content[0] if isinstance(content[0], list) and len(content[0]) == 3 else ["", [], []]
        if isinstance(attributes[1], list) and PIECE in attributes[1]:
            pairs = (
                [pair for pair in attributes[2] if isinstance(pair, list) and len(pair) == 2]
                if isinstance(attributes[2], list)
                else []
            )
            builder.piece(str(next((value for name, value in pairs if name == "name"), "")))
        else:
            render(content[1], builder)  # nocase, csl-quoted, ...: their words
