"""The page a Zensical build is rendering, as the extension's page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def page_context(md: Any) -> dict | None:
    """`src_path` (relative to the docs folder), `url`, `meta`, `line_offset` (front matter lines,
    which Zensical strips before Markdown sees the page) and the site's `site_url`, author and `docs_dir`;
    None when Zensical is not the host."""
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
        "line_offset": front_matter_lines(docs_dir / page.path),
        "site_url": str(config.get("site_url") or ""),
        "site_author": str(config.get("site_author") or config.get("site_name") or ""),
        "docs_dir": str(docs_dir),
    }


def front_matter_lines(path: Path) -> int:
    """Lines of the file before its Markdown, so that findings name the file's own line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return number + 1
    return 0
