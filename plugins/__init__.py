"""mkdocs-factcheck: fact-checked articles with MkDocs, Python-Markdown and pybtex."""

__version__ = "0.1.0"
