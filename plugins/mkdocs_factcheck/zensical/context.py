"""The page a Zensical build is rendering, as the extension's page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def page_context(md: Any) -> dict | None:
    """`src_path` (relative to the docs folder), `url`, `meta`, the page's `file` (Zensical strips the
    front matter, and the blank lines after it, before Markdown sees the page: the extension counts
    them there) and the site's `site_url`, author and `docs_dir`; None when Zensical is not the host."""
    try:
        from zensical.extensions.context import ContextPreprocessor
    except ImportError:
        return None
    context = ContextPreprocessor.from_markdown(md)
    if context is None:
        return None
    page, config = context.page, context.config or {}
    docs_dir = Path(str(config.get("docs_dir") or "docs"))
    return {
        "src_path": page.path,
        "url": page.url.lstrip("/"),
        "meta": dict(page.meta or {}),
        "file": str(docs_dir / page.path),  # the extension counts the lines before the Markdown it is given
        "site_url": str(config.get("site_url") or ""),
        "site_author": str(config.get("site_author") or config.get("site_name") or ""),
        "docs_dir": str(docs_dir),
    }
