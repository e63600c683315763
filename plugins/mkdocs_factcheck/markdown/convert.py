"""Converting a page for what it tells the engine, without the HTML."""

from __future__ import annotations

from markdown import Markdown

# Extensions whose work only the HTML shows (headings' ids and permalinks): left out where nobody reads it.
OUTPUT_ONLY = ("toc", "markdown.extensions.toc")


def convert_tree(md: Markdown, text: str) -> None:
    """Python-Markdown's `convert` up to its tree processors (ours among them): the checks are done by
    then, and serialising the HTML that nobody reads was a sixth of the time."""
    if not text.strip():
        return  # as `convert` does: an empty page has nothing to check
    md.lines = text.split("\n")
    for preprocessor in md.preprocessors:
        md.lines = preprocessor.run(md.lines)
    root = md.parser.parseDocument(md.lines).getroot()
    for treeprocessor in md.treeprocessors:
        replaced = treeprocessor.run(root)
        if replaced is not None:
            root = replaced
