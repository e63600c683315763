"""The reader's CSS and JavaScript inline in the page, for hosts that take no files from extensions
(Zensical, plain Python-Markdown): badges and tooltips then look and behave as under the plugin,
which adds the same two files to `extra_css` and `extra_javascript` instead."""

from __future__ import annotations

import functools
from pathlib import Path

ASSETS = Path(__file__).parent.parent / "assets"


@functools.cache  # the files ship with the package: read once per process
def inline_assets() -> str:
    css = (ASSETS / "factcheck.css").read_text(encoding="utf-8")
    js = (ASSETS / "factcheck.js").read_text(encoding="utf-8")
    # Neither file holds `</style` or `</script` (a test checks), so each stays inside its element.
    return f'\n<style class="factcheck-assets">\n{css}</style>\n<script class="factcheck-assets">\n{js}</script>\n'
