"""The engine's loggers. They are named under `mkdocs.` so that MkDocs shows their lines and `--strict`
counts their warnings, without the core importing MkDocs; under Zensical and the command line they are
ordinary loggers, which those hosts print."""

from __future__ import annotations

import logging

ROOT = "mkdocs.plugins.mkdocs_factcheck"


def logger(part: str = "") -> logging.Logger:
    """The logger of one part of the engine (`cache`, `online`), or the engine's own."""
    return logging.getLogger(f"{ROOT}.{part}" if part else ROOT)
