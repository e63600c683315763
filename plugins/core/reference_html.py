"""HTML of references as strings: anchors, entries, bibliography lists. Formatted entries are
already-escaped HTML from pybtex's backend; everything else is escaped here."""

from __future__ import annotations

import functools
import re
from html import escape


@functools.lru_cache(maxsize=65536)  # a pure function of the key, asked for every citation and entry
def anchor_slug(key: str) -> str:
    """A key as it appears in ids (`ref-KEY`): characters that are unsafe in ids and URLs become `_xx`."""
    return re.sub(r"[^\w:.-]", lambda m: f"_{ord(m.group()):x}", key)


def ref_id(key: str) -> str:
    return "ref-" + anchor_slug(key)


class ResolvedCite:
    """What the renderer needs to know about one cite of a group, decided by the engine."""

    def __init__(self, key: str, resolved: bool, label: str = "", authors: str = "", year: str = "", anchor: str = "", tooltip: str = ""):
        self.key = key
        self.resolved = resolved
        self.label = label
        self.authors = authors
        self.year = year
        self.anchor = anchor
        self.tooltip = tooltip


def entry_body(entry_html: str, links_html: str, status_html: str = "") -> str:
    """What an entry shows wherever it is listed: the formatted entry, its identifiers and its status."""
    body = f'<span class="reference-text">{entry_html}</span>'
    if links_html:
        body += f' <span class="reference-ids">{links_html}</span>'
    if status_html:
        body += f" {status_html}"
    return body


def item_html(key: str, label: str, body: str, backlinks: list[tuple[str, str]], back_word: str) -> str:
    """The `<li>` of one entry in one list: its label and back-links belong to the list, `body` to the entry."""
    parts = [f'<li id="{escape(ref_id(key), quote=True)}" class="reference" data-key="{escape(key, quote=True)}">']
    parts.append(f'<span class="reference-label">{escape(label)}</span> ')
    parts.append(body)
    if backlinks:
        links = []
        for number, (href, _context) in enumerate(backlinks, 1):
            links.append(f'<a class="reference-backlink" href="{escape(href, quote=True)}" aria-label="{escape(back_word, quote=True)} {number}">↩&#xFE0E;{number}</a>')
        parts.append(' <span class="reference-backlinks">' + " ".join(links) + "</span>")
    parts.append("</li>")
    return "".join(parts)


def bibliography_list(items: list[str]) -> str:
    return f'<ol class="references-list">{"".join(items)}</ol>'


def label_text(label: str, mode: str) -> str:
    return label if mode == "author-year" else f"[{label}]"


def bibliography_opening(title: str, heading_id: str = "references", site: bool = False) -> str:
    """`<div class="references" role="doc-bibliography">` and its heading (see the Markdown side's
    `bibliography_container`, which builds the same as elements)."""
    kind = "factcheck-bibliography-site" if site else "factcheck-bibliography-page"
    # A page's bibliography stays out of Material's search index (the references page has every
    # entry), so searching a title does not match every page that cites it, and the index stays small.
    exclude = "" if site else ' data-search-exclude=""'
    heading = f'<h2 id="{escape(heading_id, quote=True)}">{escape(title)}</h2>' if title else ""
    return f'<div class="references factcheck-bibliography {kind}" role="doc-bibliography"{exclude}>{heading}'


def bibliography_block(items: list[str], title: str, heading_id: str = "references", site: bool = False) -> str:
    """The whole bibliography as HTML (the site's, filled in by the plugin after every page is rendered)."""
    return bibliography_opening(title, heading_id, site) + bibliography_list(items) + "</div>"
