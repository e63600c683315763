"""Links between pages of the built site, from page URLs as MkDocs gives them (relative to the root)."""

from __future__ import annotations

import posixpath

PAGE_SUFFIXES = (".md", ".markdown")


def relative_url(target: str, source: str) -> str:
    """A link from the page at URL `source` to the page at URL `target`; "" when they are the same."""
    if target == source:
        return ""
    source_dir = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    relative = posixpath.relpath("/" + target, "/" + source_dir)
    if (target.endswith("/") or not target) and not relative.endswith("/"):
        relative += "/"
    return relative


def page_url(src_path: str, use_directory_urls: bool) -> str:
    """The page's URL relative to the site root, as MkDocs makes it."""
    stem = next((src_path[: -len(suffix)] for suffix in PAGE_SUFFIXES if src_path.endswith(suffix)), src_path)
    parent, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        stem = f"{parent}/index" if parent else "index"
        if use_directory_urls:
            return f"{parent}/" if parent else ""
    elif use_directory_urls:
        return f"{stem}/"
    return f"{stem}.html"


def is_url(text: object) -> bool:
    """An http(s) address (a bibliography or a style given by URL), not a path."""
    return isinstance(text, str) and text.lower().startswith(("http://", "https://"))
