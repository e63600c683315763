"""mkdocs-factcheck: fact-checked articles with MkDocs, Python-Markdown and pybtex."""

__version__ = "0.1.0"


def makeExtension(**kwargs):  # noqa: N802 - lets `markdown_extensions: [mkdocs_factcheck]` load the extension
    from .markdown.extension import FactcheckExtension

    return FactcheckExtension(**kwargs)
