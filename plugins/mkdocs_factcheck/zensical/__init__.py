"""Zensical glue: Zensical runs Python-Markdown extensions, not MkDocs plugins, and tells each page's
Markdown which file it renders. Only this package imports `zensical`, and only when Zensical runs."""
