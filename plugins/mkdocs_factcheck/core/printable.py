"""Text from services, caches and files as one printable line: what a message quotes reaches terminals,
logs and CI annotations, where a newline forges a line of its own and an escape sequence clears the
screen or recolours it."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates (which reorder
# what follows them on the line).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def escaped(text: str) -> str:
    """The text with every control character written as its escape (`\\n`, `\\x1b`, `\\u202e`)."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def quoted(value: object, limit: int = 80) -> str:
    """A value as a message quotes it: escaped, and cut at `limit` characters."""
    text = escaped(str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."
