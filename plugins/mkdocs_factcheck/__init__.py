"""mkdocs-factcheck: fact-checked articles with MkDocs, Python-Markdown and pybtex."""

from mkdocs_factcheck.version import __version__

__all__ = ["__version__", "makeExtension"]


def makeExtension(**kwargs):  # noqa: N802 - lets `markdown_extensions: [mkdocs_factcheck]` load the extension
    from mkdocs_factcheck.markdown.extension import FactcheckExtension

    return FactcheckExtension(**kwargs)
