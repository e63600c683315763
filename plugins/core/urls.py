"""Links between pages of the built site, from page URLs as MkDocs gives them (relative to the root)."""

from __future__ import annotations

import posixpath


def relative_url(target: str, source: str) -> str:
    """A link from the page at URL `source` to the page at URL `target`; "" when they are the same."""
    if target == source:
        return ""
    source_dir = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    relative = posixpath.relpath("/" + target, "/" + source_dir)
    if (target.endswith("/") or not target) and not relative.endswith("/"):
        relative += "/"
    return relative
