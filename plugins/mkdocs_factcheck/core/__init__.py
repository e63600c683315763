"""The fact-check engine: bibliography, formatting, citations, claims, checks, online verification and
report data. It imports neither a site generator (MkDocs, Zensical) nor Python-Markdown: the adapters
around it (`markdown/`, `mkdocs/`, `zensical/`, `cli/`) do."""
