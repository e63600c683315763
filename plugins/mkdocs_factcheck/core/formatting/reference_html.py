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

    def __init__(
        self,
        key: str,
        resolved: bool,
        label: str = "",
        authors: str = "",
        year: str = "",
        anchor: str = "",
        tooltip: str = "",
    ):
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
    if label:  # author-date CSL styles print none
        parts.append(f'<span class="reference-label">{escape(label)}</span> ')
    parts.append(body)
    if backlinks:
        parts.append(" " + backlinks_html(backlinks, back_word))
    parts.append("</li>")
    return "".join(parts)


ENTRY_ID = re.compile(r'<li id="(ref-[^"]*)" class="reference"')


def unique_entry_ids(listing: str, taken: set[str]) -> str:
    """A page that lists an entry in several bibliography blocks (filters that overlap) gives it its id
    (`ref-KEY`, where its citations link) in the first, `ref-KEY-2`, ... in the others: ids are unique in
    a page. `taken`: the ids the page's earlier blocks gave, added to."""

    def unique(match: re.Match) -> str:
        anchor, number = match[1], 1
        while anchor in taken:
            number += 1
            anchor = f"{match[1]}-{number}"
        taken.add(anchor)
        return f'<li id="{anchor}" class="reference"'

    return ENTRY_ID.sub(unique, listing)


def backlink_letters(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: how Wikipedia names the citations of an entry cited more than once."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def backlinks_html(backlinks: list[tuple[str, str]], back_word: str) -> str:
    """One "↩" link for an entry cited once; for one cited often, "↩ a b c" (as Wikipedia writes it):
    short links, each in the tab order and named for screen readers ("Back to citation 2 of 17")."""
    word = escape(back_word, quote=True)
    if len(backlinks) == 1:
        href = escape(backlinks[0][0], quote=True)
        return (
            f'<span class="reference-backlinks"><a class="reference-backlink" href="{href}"'
            f' aria-label="{word}">↩&#xFE0E;</a></span>'
        )
    total = len(backlinks)
    links = " ".join(
        f'<a class="reference-backlink" href="{escape(href, quote=True)}" aria-label="{word} {number} of'
        f' {total}">{backlink_letters(number)}</a>'
        for number, (href, _context) in enumerate(backlinks, 1)
    )
    return (
        '<span class="reference-backlinks reference-backlinks-many"><span class="reference-backlinks-arrow"'
        f' aria-hidden="true">↩&#xFE0E;</span> {links}</span>'
    )


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


def bibliography_block(listing: str, title: str, heading_id: str = "references", site: bool = False) -> str:
    """A whole bibliography as HTML around its list (`bibliography_list`): the site's, filled in by the
    plugin after every page is rendered."""
    return bibliography_opening(title, heading_id, site) + listing + "</div>"
