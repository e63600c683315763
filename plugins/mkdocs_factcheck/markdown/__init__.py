"""The Python-Markdown extension: all per-page work, under any host (MkDocs, Zensical, plain Markdown)."""

from mkdocs_factcheck.markdown.extension import FactcheckExtension, makeExtension

__all__ = ["FactcheckExtension", "makeExtension"]
