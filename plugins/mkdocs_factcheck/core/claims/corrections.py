"""Corrections as readers see them: at the claim, in a section at the end of its page and on the site's
corrections page, newest first. A correction is what the ledger records, and one written at a claim
that the ledger does not have yet (its "was" from the record, as readers were told it)."""

from __future__ import annotations

from html import escape

from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.claims.ledger import DATE_RE, Amendment, Ledger, is_recorded, pending_amendment
from mkdocs_factcheck.core.claims.scale import Scale
from mkdocs_factcheck.core.report.page_links import relative_url

FRONT_MATTER_KEY = "corrections"  # a page's corrections of claims it no longer has
PAGE_MARKER = "FACTCHECK-CORRECTIONS-PLACEHOLDER"  # where the generated corrections page gets its list


def front_matter_removals(meta: dict) -> tuple[list[tuple[str, Amendment]], list[str]]:
    """The page's `corrections:` ([{claim, date, note}]) and what is wrong with them."""
    given = meta.get(FRONT_MATTER_KEY)
    if given is None:
        return [], []
    if not isinstance(given, list):
        return [], [f"front matter '{FRONT_MATTER_KEY}' must be a list of {{claim, date, note}}"]
    found, problems = [], []
    for item in given:
        if (
            not isinstance(item, dict)
            or not item.get("claim")
            or not item.get("note")
            or set(item) - {"claim", "date", "note"}
        ):
            problems.append(f"front matter '{FRONT_MATTER_KEY}': {item!r} is not {{claim, date, note}}")
        elif not DATE_RE.match(str(item.get("date", ""))):
            problems.append(
                f"front matter '{FRONT_MATTER_KEY}': the correction of '{item['claim']}' needs a date (YYYY-MM-DD), not"
                f" {item.get('date')!r}"
            )
        else:
            found.append((str(item["claim"]), Amendment("correction", str(item["date"]), str(item["note"]))))
    return found, problems


def claim_corrections(ledger: Ledger | None, claim: Claim) -> list[dict]:
    """The claim's corrections, newest first: each {date, note, was} where `was` holds the verdict or
    text readers were told before (when it changed)."""
    record = ledger.get(claim.id) if ledger is not None else None
    items = [dict(item) for item in (record or {}).get("corrections", [])]
    amendment = pending_amendment(claim)
    if amendment is not None and amendment.kind == "correction" and not is_recorded(record, amendment):
        was: dict = {}
        if record is not None and not record.get("removed"):
            if (claim.verdict or "") != record.get("verdict", ""):
                was["verdict"] = record.get("verdict", "")
            if " ".join(claim.text.split()) != " ".join(str(record.get("text", "")).split()):
                was["text"] = record.get("text", "")
        items.append({"date": amendment.date, "note": amendment.note, **({"was": was} if was else {})})
    return sorted(items, key=lambda item: str(item.get("date", "")), reverse=True)


def removal_item(ledger: Ledger | None, claim_id: str, amendment: Amendment) -> dict:
    record = (ledger.get(claim_id) if ledger is not None else None) or {}
    return {
        "claim": claim_id,
        "date": amendment.date,
        "note": amendment.note,
        "removed": True,
        "text": record.get("text", ""),
        "was": {"verdict": record.get("verdict", "")},
        "page": record.get("page", ""),
        "url": record.get("url", ""),
    }


def site_corrections(ledger: Ledger | None, claims: list[Claim], removals: dict[str, Amendment]) -> list[dict]:
    """Every correction of the site, newest first: {claim, text, verdict, page, url, date, note, was,
    removed}. Claims removed and published as removed come from the ledger alone."""
    items = []
    on_site = set()
    for claim in claims:
        on_site.add(claim.id)
        for item in claim_corrections(ledger, claim):
            items.append(
                {
                    "claim": claim.id,
                    "text": claim.text,
                    "verdict": claim.verdict or "",
                    "page": claim.page or "",
                    "url": claim.url,
                    **item,
                }
            )
    for claim_id, record in sorted((ledger.records if ledger is not None else {}).items()):
        if claim_id in on_site:
            continue
        corrections = list(record.get("corrections", []))
        pending = removals.get(claim_id)
        if pending is not None and not is_recorded(record, pending):
            corrections.append({"date": pending.date, "note": pending.note})
        for item in corrections:
            removed = item.get("date") == (record.get("removed") or (pending.date if pending else None))
            items.append(
                {
                    "claim": claim_id,
                    "text": record.get("text", ""),
                    "verdict": record.get("verdict", ""),
                    "page": record.get("page", ""),
                    "url": record.get("url", ""),
                    "removed": removed,
                    "was": item.get("was", {}),
                    "date": item.get("date", ""),
                    "note": item.get("note", ""),
                }
            )
    return sorted(items, key=lambda item: (str(item["date"]), item["claim"]), reverse=True)


def label(scale: Scale, name: str) -> str:
    verdict = scale.get(name)
    return verdict.label if verdict else name


def what_changed(item: dict, scale: Scale) -> str:
    """'the verdict was Supported', 'the claim read "…"', or '' (plain text)."""
    was = item.get("was") or {}
    parts = []
    if was.get("verdict") and not item.get("removed"):
        parts.append(f"the verdict was {label(scale, str(was['verdict']))}")
    if was.get("text"):
        parts.append(f"the claim read \u201c{' '.join(str(was['text']).split())}\u201d")
    return "; ".join(parts)


def notice_words(item: dict, scale: Scale, words: dict) -> tuple[str, str]:
    """(before the date, after it): "Corrected on" DATE ": the verdict was X; NOTE"."""
    changed = what_changed(item, scale)
    rest = "; ".join(part for part in (changed, str(item.get("note", "")).strip()) if part)
    return words.get("corrected_on", "Corrected on"), f": {rest}" if rest else ""


def time_html(date: str) -> str:
    return f'<time datetime="{escape(date, quote=True)}">{escape(date)}</time>'


def link_from(here: str, source_links: str | None = None):
    """Links to a claim from the page at URL `here`; with `source_links` (a Markdown file's path: the
    check command's pages, which Zensical turns into URLs) from file to file."""

    def link(item: dict) -> str:
        if source_links is not None:
            return relative_url(str(item.get("page", "")), source_links) + "#" + str(item["claim"])
        return relative_url(str(item.get("url", "")), here) + "#" + str(item["claim"])

    return link


def list_html(items: list[dict], scale: Scale, link_of, words: dict) -> str:
    """The corrections as a list: date, the claim (linked by `link_of(item)`), what changed and the note."""
    if not items:
        none = words.get("no_corrections", "No corrections: no verdict, claim or source we published has been changed.")
        return f'<p class="factcheck-no-corrections">{escape(none)}</p>'
    out = ['<ul class="factcheck-corrections-list">']
    for item in items:
        text = escape(" ".join(str(item.get("text", "")).split()))
        if item.get("removed"):
            claim = (
                f"\u201c{text}\u201d (removed; its verdict was"
                f" {escape(label(scale, str((item.get('was') or {}).get('verdict') or item.get('verdict', ''))))})"
            )
        else:
            link = link_of(item)
            claim = (
                f'<a href="{escape(link, quote=True)}">\u201c{text}\u201d</a> (now'
                f" {escape(label(scale, str(item.get('verdict', ''))))})"
            )
        changed = what_changed(item, scale)
        details = "; ".join(escape(part) for part in (changed, str(item.get("note", "")).strip()) if part)
        said = ". " + details[0].upper() + details[1:] if details else ""
        stop = "" if details.endswith(".") else "."
        out.append(f"<li>{time_html(str(item.get('date', '')))}: {claim}{said}{stop}</li>")
    out.append("</ul>")
    return "".join(out)


def page_markdown(words: dict) -> str:
    """The generated corrections page, its list to come where the marker is."""
    return f"# {words.get('corrections_page_title', 'Corrections')}\n\n{PAGE_MARKER}\n"


def page_html(items: list[dict], scale: Scale, link_of, words: dict) -> str:
    """The site's corrections page: every correction, newest first, or that there is none."""
    intro = words.get(
        "corrections_intro",
        "Every correction of a claim we published, newest first. Changes of wording that do not change what a claim"
        " says are not listed.",
    )
    return (
        '<div class="factcheck-corrections-page'
        f' factcheck-generated"><p>{escape(intro)}</p>{list_html(items, scale, link_of, words)}</div>'
    )
