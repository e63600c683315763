"""A record's value as the text it stands for: services and hand-edited files send numbers for text,
lists for titles, objects where a name should be. Never a Python repr (`['Ann', 'Author']`), never a
control character or a bidirectional override, which would reorder the rest of a reader's line."""

from __future__ import annotations

import re

# C0/C1 controls and DEL (tabs and line ends are spaces here), the bidirectional embeddings, overrides,
# isolates and marks: removed, so none is left open in a page.
# The longest title, name or other text of a record read: the longest real titles are a few hundred
# characters; a longer one is cut before any pattern reads it (replies may be megabytes).
MAX_TEXT = 4000
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def text_of(value: object) -> str:
    """A str, or a number, as its text; a list as its first item that is text; anything else as ""."""
    if isinstance(value, list):
        value = next((item for item in value if is_text(item)), "")
    return without_controls(str(value)) if is_text(value) else ""


def is_text(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip() != ""


def without_controls(text: str) -> str:
    return CONTROLS.sub("", text) if CONTROLS.search(text) else text
