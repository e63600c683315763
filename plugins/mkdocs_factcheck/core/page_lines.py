"""Line numbers for things found in a page: Python-Markdown keeps none, so find them in the source."""

from __future__ import annotations

import bisect
import re

import yaml

NEWLINE = re.compile("\n")


class SourceLocator:
    """Finds the line of each occurrence of a snippet, in document order.

    Processors see snippets in the order they appear, so the n-th lookup of the same text is matched to
    its n-th occurrence in the source; `offset` adds the lines of front matter stripped before rendering.
    """

    def __init__(self, text: str, offset: int = 0):
        self.text = text
        self.offset = offset
        self._line_starts = [0] + [match.end() for match in NEWLINE.finditer(text)]  # not char by char: pages are long
        self._next_search: dict[str, int] = {}
        self._last_line = 1 + offset

    def forget(self) -> None:
        """Drop the source once the page is converted; later lookups answer the last line found."""
        self.text = ""
        self._line_starts = [0]
        self._next_search.clear()

    def line_of_position(self, position: int) -> int:
        return bisect.bisect_right(self._line_starts, position) + self.offset

    def line_of(self, snippet: str) -> int:
        """The line of the next occurrence of `snippet`, or the last line found when it is not in the source."""
        snippet = snippet.strip()
        if not snippet:
            return self._last_line
        start = self._next_search.get(snippet, 0)
        position = self.text.find(snippet, start)
        if position < 0:
            position = self.text.find(snippet)
        if position < 0:
            first_line = snippet.splitlines()[0].strip()
            position = self.text.find(first_line) if first_line and first_line != snippet else -1
        if position < 0:
            return self._last_line
        self._next_search[snippet] = position + len(snippet)
        self._last_line = self.line_of_position(position)
        return self._last_line

    def line_of_words(self, sentence: str) -> int:
        """The line of rendered text whose Markdown may hold markup between words (`*a* b`)."""
        words = re.findall(r"\w+", sentence)[:6]
        if not words:
            return self._last_line
        pattern = re.compile(r"\W+".join(re.escape(word) for word in words))
        match = pattern.search(self.text, self._next_search.get("\0words", 0)) or pattern.search(self.text)
        if not match:
            return self._last_line
        self._next_search["\0words"] = match.end()
        self._last_line = self.line_of_position(match.start())
        return self._last_line


def unix_lines(text: str) -> str:
    """Line ends as Python-Markdown reads them (`\r\n` and `\r` are `\n`), so lines count alike."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def lines_before(raw: str, markdown: str) -> int:
    """Lines of the file `raw` before the Markdown a host hands over (front matter and whatever the host
    strips with it), so that reported lines are the file's own."""
    raw, markdown = unix_lines(raw), unix_lines(markdown)  # Zensical hands over a CRLF page as it is
    if markdown and raw.endswith(markdown):
        return raw[: len(raw) - len(markdown)].count("\n")
    stripped = markdown.lstrip("\n")
    position = raw.find(stripped[:200]) if stripped else -1
    return raw[:position].count("\n") - (len(markdown) - len(stripped)) if position > 0 else 0


def front_matter_line(text: str, key: str) -> int:
    """The line of `key:` in a page's front matter (1 when it cannot be found)."""
    return next((number for number, line in enumerate(text.splitlines(), 1) if line.startswith(f"{key}:")), 1)


# A page's YAML front matter, as MkDocs finds it.
FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(meta, Markdown without its front matter, lines the front matter took), as MkDocs reads a page."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date such as 2026-13-45
        return {}, text, 0  # MkDocs then keeps the text as it is, and so do we
    if not isinstance(meta, dict):
        return {}, text, 0
    return meta, text[match.end() :], text[: match.end()].count("\n")
