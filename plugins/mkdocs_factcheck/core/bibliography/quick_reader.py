"""A quick reader of one BibTeX entry's text, for entries pybtex has already read once (when the file
was loaded, see `bibliography.BibText`): the common forms of BibTeX values, `{...}`, `"..."`, numbers,
macros and `#`, read by regular expressions about ten times as fast as pybtex's scanner. Anything else
returns None, and pybtex reads it."""

from __future__ import annotations

import re

from pybtex.database import Entry

ENTRY_HEAD = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])\s*([^,\s]*)\s*,")
FIELD_NAME = re.compile(r"\s*([A-Za-z][\w@!$&*+\-./:;<>?\[\]^`|~]*)\s*=\s*")
SPACES = re.compile(r"\s*")
NUMBER_OR_MACRO = re.compile(r"\d+|[A-Za-z][\w@!$&*+\-./:;<>?\[\]^`|~]*")
BRACES = re.compile(r"[{}]")
WHITESPACE = re.compile(r"\s+")


def quick_entry(text: str, start: int, end: int, key: str, macros: dict[str, str]) -> Entry | None:
    head = ENTRY_HEAD.match(text, start, end)
    if head is None or head[3].lower() != key.lower():
        return None
    closing = "}" if head[2] == "{" else ")"
    fields: dict[str, str] = {}
    seen: set[str] = set()
    position = head.end()
    try:
        while True:
            position = SPACES.match(text, position).end()  # type: ignore[union-attr]
            if text[position] == closing:
                break
            name = FIELD_NAME.match(text, position, end)
            if name is None:
                return None
            position = name.end()
            parts = []
            while True:
                char = text[position]
                if char == "{" or char == '"':
                    close = _value_end(text, position + 1, "}" if char == "{" else '"', end)
                    if close < 0:
                        return None
                    parts.append(text[position + 1 : close])
                    position = close + 1
                else:
                    word = NUMBER_OR_MACRO.match(text, position, end)
                    if word is None:
                        return None
                    value = word[0] if word[0].isdigit() else macros.get(word[0].lower())
                    if value is None:
                        return None
                    parts.append(value)
                    position = word.end()
                position = SPACES.match(text, position).end()  # type: ignore[union-attr]
                if text[position] != "#":
                    break
                position = SPACES.match(text, position + 1).end()  # type: ignore[union-attr]
            if name[1].lower() not in seen:  # pybtex keeps the first of a repeated field
                seen.add(name[1].lower())
                fields[name[1]] = WHITESPACE.sub(" ", "".join(parts).strip())
            if text[position] == ",":
                position += 1
            elif text[position] != closing:
                return None
    except IndexError:
        return None
    entry = Entry(head[1], fields=fields)
    return entry


def _value_end(text: str, position: int, closing: str, end: int) -> int:
    """Where a `{...}` or `"..."` value ends (its closing character at brace level 0), or -1."""
    level = 0
    while True:
        if closing == '"':
            found = text.find('"', position, end) if level == 0 else -1
            brace = BRACES.search(text, position, end)
            if brace is None or (found >= 0 and found < brace.start()):
                return found
        else:
            brace = BRACES.search(text, position, end)
            if brace is None:
                return -1
        if brace[0] == "{":
            level += 1
        elif level == 0:
            return brace.start() if closing == "}" else -1
        else:
            level -= 1
        position = brace.end()
