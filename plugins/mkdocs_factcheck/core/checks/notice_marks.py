"""Readers' marks for the notices a source's record carries (a retraction, a correction): made here for
the online checks' results and for the identifiers file's frozen notices alike, so that an offline build
shows what the online one showed."""

from __future__ import annotations

from html import escape

# Crossref update types (also Retraction Watch's): the first set withdraws the work, the rest amend it.
RETRACTING = {"retraction", "withdrawal", "removal"}
NOTICES = RETRACTING | {
    "partial_retraction",
    "expression_of_concern",
    "correction",
    "erratum",
    "corrigendum",
    "addendum",
    "clarification",
}


def notice_text(notice: dict) -> str:
    """`Correction doi:10.x/y 2004-02-01`: the notice's label, DOI, note and date, as far as known."""
    parts = [
        notice.get("label", ""),
        f"doi:{notice['doi']}" if notice.get("doi") else "",
        notice.get("note", ""),
        notice.get("date", ""),
    ]
    return " ".join(str(part) for part in parts if part)


def marks_html(notices: list[dict], retracted: bool) -> str:
    """`Retracted` (its notices in the tooltip), or a mark for each notice about this work."""
    if retracted:
        notes = "; ".join(notice_text(n) for n in notices if n.get("type") in RETRACTING)
        return (
            f'<span class="reference-status reference-retracted" title="{escape(notes, quote=True)}">Retracted</span>'
        )
    marks = []
    for notice in notices:
        if notice.get("about", "this") == "this" and notice.get("type") in NOTICES:
            title = escape(notice_text(notice), quote=True)
            marks.append(
                '<span class="reference-status reference-notice"'
                f' title="{title}">{escape(str(notice.get("label", "")))}</span>'
            )
    return " ".join(marks)
