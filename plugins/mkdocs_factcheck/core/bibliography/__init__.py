"""Bibliographies: BibTeX, BibLaTeX and CSL-JSON files read, located, cached; identifiers in entries."""
