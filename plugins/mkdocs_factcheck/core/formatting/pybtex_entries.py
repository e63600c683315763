"""Entries formatted by a pybtex style with our reading of their LaTeX.

pybtex's templates decode each field and name with `Text.from_latex` (latexcodec), which knows no markup
(`\\textit`, `\\emph`) and decodes plain values too. We hand the style its own template with our `field`
node, and persons whose rich names are ours: nothing of pybtex's is replaced, so any other pybtex user in
the process keeps pybtex's decoder.
"""

from __future__ import annotations

import re

from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.style import template as pybtex_template
from pybtex.style.formatting import BaseStyle

from mkdocs_factcheck.core.bibliography.latex import rich

# A value with no character LaTeX could give meaning to decodes to itself, so it skips the decoder.
PLAIN_VALUE = re.compile(r"[\w.,:;()/+=*!?\"'@<>|\[\]-]+(?: [\w.,:;()/+=*!?\"'@<>|\[\]-]+)*")


def decode(value: str) -> Text:
    """A field's LaTeX as pybtex rich text: markup as tags (see `latex.py`), special letters decoded."""
    if PLAIN_VALUE.fullmatch(value) and "--" not in value and "''" not in value:
        return Text(value)
    return rich(value)  # a new Text each time: callers may build on it


def decoded_names(part: str) -> property:
    """A person's name part (`first_names`, ...) as a style reads it: decoded by `decode`."""
    return property(lambda person: [decode(name) for name in getattr(person, part)])


class DecodedPerson(Person):
    """A person whose name parts a style reads decoded by `decode` (pybtex's `rich_*` properties)."""

    rich_first_names = decoded_names("first_names")
    rich_middle_names = decoded_names("middle_names")
    rich_prelast_names = decoded_names("prelast_names")
    rich_last_names = decoded_names("last_names")
    rich_lineage_names = decoded_names("lineage_names")

    @classmethod
    def copy_of(cls, person: Person) -> DecodedPerson:
        copy = cls()
        copy.__dict__.update(person.__dict__)
        return copy


@pybtex_template.node
def field(children, context, name, apply_func=None, raw=False):
    """pybtex's `field` node, decoding with `decode`."""
    if children:
        raise ValueError(children)
    entry = context["entry"]
    try:
        value = entry._find_field(name, bib_data=context.get("bib_data"))
    except KeyError:
        raise pybtex_template.FieldIsMissing(name, entry) from None
    if not raw:
        value = decode(value)
    return apply_func(value) if apply_func else value


@pybtex_template.node
def optional_field(children, data, *args, **kwargs):
    """pybtex's `optional_field` node, over our `field`."""
    if children:
        raise ValueError(children)
    return pybtex_template.optional[field(*args, **kwargs)].format_data(data)


OUR_NODES = {pybtex_template.field.f: field.f, pybtex_template.optional_field.f: optional_field.f}


def with_our_nodes(item):
    """A copy of a template whose field nodes are ours; everything else as the style built it."""
    if not isinstance(item, pybtex_template.Node):
        return item
    copy = pybtex_template.Node(item.name, OUR_NODES.get(item.f, item.f))
    copy.args = [with_our_nodes(arg) for arg in item.args]
    copy.kwargs = {name: with_our_nodes(value) for name, value in item.kwargs.items()}
    copy.children = [with_our_nodes(child) for child in item.children]
    return copy


def format_entry(style: BaseStyle, entry: Entry) -> Text:
    """The entry's rich text as the style formats it. A style that formats entries itself (ours, in
    `styles/`) decodes with `decode`; a template style gets our nodes."""
    if type(style).format_entry is not BaseStyle.format_entry:
        return style.format_entry("", entry).text
    context = {"entry": entry, "style": style, "bib_data": None}
    get_template = getattr(style, f"get_{entry.type}_template", None)
    if get_template is None:
        return getattr(style, "format_" + entry.type)(context)
    return with_our_nodes(get_template(entry)).format_data(context)
