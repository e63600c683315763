"""What readers see of a claim's record in the page: its reviewer and review date and its corrections,
in the claim's badge, and a "Corrections" section at the end of a page that has any."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from mkdocs_factcheck.core.citations.engine import Engine, PageState
from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.claims.corrections import (
    claim_corrections,
    front_matter_removals,
    list_html,
    notice_words,
    removal_item,
)
from mkdocs_factcheck.core.claims.scale import Scale

# A claim's attributes about its review and record (`reviewer`, `reviewed` default to the front matter's).
REVIEW_ATTRIBUTES = ("reviewer", "reviewed", "correction", "corrected", "update", "updated")


def _time(parent: etree.Element, date: str) -> etree.Element:
    element = etree.SubElement(parent, "time")
    element.set("datetime", date)
    element.text = date
    return element


def add_review_details(
    holder: etree.Element,
    scale: Scale,
    claim: Claim,
    corrections: list[dict],
    reviewers: dict,
    words: dict,
    page_review: tuple[str, str] | None = None,
    stop_follows: bool = False,
) -> None:
    """Into the claim's badge: each correction ("Corrected on DATE: the verdict was X; NOTE"), newest
    first, then who reviewed it and when, unless that is the page's (`page_review`: its front
    matter's reviewer and date, which the page's summary shows). An update is recorded, not shown.
    `stop_follows`: the sentence's full stop comes right after the badge (see `badge`)."""
    count = len(holder)
    _add_details(holder, scale, claim, corrections, reviewers, words, page_review)
    if len(holder) == count:
        return
    note = holder.find("span[@class='claim-note']")
    if note is not None and note.text and note.text[-1] not in ".!?":
        note.text += "."  # the note is no longer the badge's last words
    if stop_follows:
        _drop_final_stop(holder)


def _drop_final_stop(holder: etree.Element) -> None:
    """The badge's last full stop, where the sentence's own follows it (never an ellipsis's)."""
    node = holder[-1]
    while True:
        if node.tail and node.tail.strip() and node is not holder[-1]:
            node.tail = _without_stop(node.tail)
            return
        if len(node):
            node = node[-1]
            continue
        node.text = _without_stop(node.text or "")
        return


def _without_stop(text: str) -> str:
    text = text.rstrip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _add_details(
    holder: etree.Element,
    scale: Scale,
    claim: Claim,
    corrections: list[dict],
    reviewers: dict,
    words: dict,
    page_review: tuple[str, str] | None,
) -> None:
    for item in corrections:
        notice = etree.SubElement(holder, "span")
        notice.set("class", "claim-correction")
        before, after = notice_words(item, scale, words)
        strong = etree.SubElement(notice, "strong")
        strong.text = before + " "
        _time(strong, str(item.get("date", "")))
        strong.tail = after
    reviewer = reviewers.get(claim.reviewer) if claim.reviewer else None
    if (not isinstance(reviewer, dict) and not claim.reviewed) or page_review == (claim.reviewer, claim.reviewed):
        return
    line = etree.SubElement(holder, "span")
    line.set("class", "claim-review")
    line.text = words.get("reviewed_by", "Reviewed") + (" by " if isinstance(reviewer, dict) else "")
    last: etree.Element | None = None
    if isinstance(reviewer, dict):
        url = str(reviewer.get("url") or "")
        last = etree.SubElement(line, "a" if url.startswith(("https://", "http://")) else "span")
        last.set("class", "claim-reviewer")
        if url.startswith(("https://", "http://")):
            last.set("href", url)
        last.text = str(reviewer.get("name", ""))
        last.tail = f" ({reviewer['role']})" if reviewer.get("role") else ""
    if claim.reviewed:
        if last is None:
            line.text = (line.text or "") + " on "
        else:
            last.tail = (last.tail or "") + " on "
        _time(line, claim.reviewed).tail = "."
    elif last is not None:
        last.tail = (last.tail or "") + "."


def page_items(scale: Scale, page: PageState, engine: Engine, meta: dict) -> list[dict]:
    items = [
        {"claim": claim.id, "text": claim.text, "verdict": claim.verdict or "", "url": "", **item}
        for claim in page.claims
        for item in claim_corrections(engine.ledger, claim)
    ]
    removed = {claim_id: amendment for claim_id, amendment in front_matter_removals(meta)[0]}
    ledger = engine.ledger
    if ledger is not None:  # removals published earlier, whose front matter entry may be gone
        for claim_id, record in ledger.records.items():
            if record.get("removed") and record.get("page") == page.src_path and claim_id not in removed:
                items.extend(
                    {
                        "claim": claim_id,
                        "text": record.get("text", ""),
                        "removed": True,
                        "was": {"verdict": record.get("verdict", "")},
                        **item,
                    }
                    for item in record.get("corrections", [])
                    if item.get("date") == record["removed"]
                )
    items.extend(removal_item(ledger, claim_id, amendment) for claim_id, amendment in removed.items())
    return sorted(items, key=lambda item: str(item.get("date", "")), reverse=True)


def corrections_section(root: etree.Element, scale: Scale, page: PageState, engine: Engine, meta: dict, md) -> None:
    """A "Corrections" section at the end of the page (before its bibliography), when it has any."""
    items = page_items(scale, page, engine, meta)
    if not items:
        return
    section = etree.SubElement(root, "section")
    section.set("class", "factcheck-corrections factcheck-generated")
    heading = etree.SubElement(section, "h2")
    heading.set("id", "page-corrections")
    heading.text = engine.words.get("corrections_title", "Corrections")
    heading.tail = md.htmlStash.store(list_html(items, scale, lambda item: "#" + str(item["claim"]), engine.words))
