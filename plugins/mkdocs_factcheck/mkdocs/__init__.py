"""The MkDocs plugin: what needs the whole site (numbering, site bibliography, report, `--strict`, `serve`)."""
