"""Pandoc's citation syntax: the patterns, and parsing a match into citations. No Markdown here."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A citation key, as pandoc reads it: starts with a letter, digit or `_`; internal punctuation
# (`:.#$%&-+?<>~/`) is allowed only between word characters; or anything but braces inside `{...}`.
KEY = r"(?:\{(?P<{name}braced>[^{{}}]+)\}|(?P<{name}plain>\w+(?:[:.#$%&+?<>~/-]+\w+)*))"


def key_pattern(name: str) -> str:
    return KEY.replace("{name}", name).replace("{{}}", "{}")


# `[...@key...]`: a bracketed group holding at least one key, not followed by what would make it a link
# (`(`, `[`), a span (`{`) or a reference definition (`:`).
GROUP_RE = re.compile(r"\[(?P<body>[^\[\]]*?(?<![\w\\])-?@" + key_pattern("first") + r"[^\[\]]*)\](?![(\[{:])")
# The `@` of a key standing on its own: not after a word character (e-mail addresses), a slash or colon
# (URLs), a backslash (escapes) or another `@`.
KEY_START = r"(?<![\w@/:=.\\])@"
# `@key` or `@key [locator]`.
NARRATIVE_RE = re.compile(KEY_START + key_pattern("n") + r"(?:[ ]?\[(?P<locator>[^\[\]@]*)\](?![(\[{:]))?")
# Any `@key` in a text, without telling code from prose: what a page may cite, found before it is rendered.
MENTION_RE = re.compile(KEY_START + key_pattern("m"))
ITEM_RE = re.compile(r"^(?P<prefix>.*?)(?P<suppress>-)?(?<![\w])@" + key_pattern("k") + r"(?P<suffix>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Cite:
    key: str
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class CitationGroup:
    cites: tuple[Cite, ...]
    narrative: bool
    source: str  # the Markdown text it came from, to locate it and to show it when unresolved

    @property
    def keys(self) -> list[str]:
        return [cite.key for cite in self.cites]


def _key(match: re.Match, name: str) -> str:
    return match.group(name + "braced") or match.group(name + "plain")


def parse_group(body: str, source: str) -> CitationGroup | None:
    """`see @a, p. 3; also -@b` into cites; None when an item has no key (pandoc reads no citation then)."""
    cites = []
    for item in _split_items(body):
        match = ITEM_RE.match(item)
        if not match:
            return None
        cites.append(
            Cite(
                key=_key(match, "k"),
                prefix=match["prefix"].strip(),
                suffix=match["suffix"].strip(),
                suppress_author=bool(match["suppress"]),
            )
        )
    return CitationGroup(tuple(cites), narrative=False, source=source) if cites else None


def _split_items(body: str) -> list[str]:
    """Split on `;` but not inside braced keys."""
    if "{" not in body:
        return [item for item in body.split(";") if item.strip()]
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == ";" and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def parse_narrative(match: re.Match) -> CitationGroup:
    locator = (match["locator"] or "").strip()
    return CitationGroup((Cite(_key(match, "n"), suffix=locator),), narrative=True, source=match.group(0))


def tidy_locator(suffix: str) -> str:
    """`, pp. 33-35` reads `pp. 33–35`: the separating comma goes, number ranges get an en dash."""
    suffix = suffix.strip()
    if suffix.startswith(","):
        suffix = suffix[1:].strip()
    return re.sub(r"(?<=\d)\s*-{1,2}\s*(?=\d)", "\u2013", suffix)


def keys_mentioned(text: str) -> list[str]:
    """Every `@key` of a Markdown text, in order, once each: a superset of what the page cites (it
    includes keys in code and e-mail-like text), used only to start work early."""
    return list(dict.fromkeys(_key(match, "m") for match in MENTION_RE.finditer(text)))
