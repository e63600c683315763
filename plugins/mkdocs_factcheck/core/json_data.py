"""JSON that others wrote (caches restored by CI, the identifiers file, services' replies) read as data:
malformed or too deeply nested JSON is a ValueError like any syntax error, never a RecursionError
from the parser, nor from whatever later walks, prints or writes the value again."""

from __future__ import annotations

import json

MAX_DEPTH = 64  # no file or reply we read nests deeper; far below what repr() and json.dumps() survive


class JSONDataError(ValueError):
    """Not JSON, or JSON nested deeper than the reader allows."""


def loads(text: str | bytes, max_depth: int | None = MAX_DEPTH):
    """The value of a JSON text. `max_depth` None skips the walk that bounds nesting, for a caller that
    checks the type of every value it reads (deeper values then fail its checks)."""
    try:
        value = json.loads(text)
    except RecursionError:  # the parser's own stack: deeper than the interpreter's recursion limit
        raise JSONDataError("JSON nested too deeply") from None
    except ValueError as error:  # also UnicodeDecodeError
        raise JSONDataError(str(error)) from None
    if max_depth is not None and too_deep(value, max_depth):
        raise JSONDataError(f"JSON nested more than {max_depth} levels deep")
    return value


def too_deep(value: object, max_depth: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `max_depth` levels (walked without recursion)."""
    stack: list[tuple[dict | list, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        current, depth = stack.pop()
        for child in current.values() if isinstance(current, dict) else current:
            if isinstance(child, dict | list):
                if depth >= max_depth:
                    return True
                stack.append((child, depth + 1))
    return False
