"""Formatting entries: pybtex styles and CSL styles (pandoc's citeproc), the formatted-entry cache, HTML."""
