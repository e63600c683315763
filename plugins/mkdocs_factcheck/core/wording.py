"""Words with numbers: every count a reader or an editor sees says "1 claim" and "2 claims"."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
