"""What Material's search plugin reads of a page: the same text, with citations as plain text.

Material's search plugin parses each page's HTML in Python, and a tag costs it far more than text; a
citation is two or three tags around a few characters (`[12]`), so on a page with 30 citation groups
most of its time went to them. The plugin hands it this view while it indexes the page, then puts the
page back (see `FactcheckPlugin.on_page_context`). The indexed text is the same.
"""

from __future__ import annotations

import re

# As the extension writes them (Python-Markdown escapes `>` in attribute values).
CITATION_LINK = re.compile(r'<a class="citation-ref"[^>]*>([^<]*)</a>')
CITATION_SPAN = re.compile(r'<span class="citation" data-cites="[^"]*">([^<]*)</span>')
# Material's search plugin removes data-search-* attributes that have a value from the page it reads;
# such a page is given as it is, so that what search changes is what the reader gets.
SEARCH_ATTRIBUTE = re.compile(r'data-search-\w+="[^"]+"')


def search_view(html: str) -> str | None:
    """The page with citations reduced to their text, or None when it should be indexed as it is."""
    if "citation-ref" not in html or SEARCH_ATTRIBUTE.search(html):
        return None
    return CITATION_SPAN.sub(r"\1", CITATION_LINK.sub(r"\1", html))
