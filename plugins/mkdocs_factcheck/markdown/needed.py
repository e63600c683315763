""" "Citation needed": uncited sentences outside claims that look like checkable facts.

A sentence is check-worthy when it has a percentage, a year, another number, or the language of
research ("a study found", "research shows", "trials showed", "according to"). It is left alone when it
holds a citation or a claim, sits in code, a heading, or anything marked `.no-claim`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.util import HTML_PLACEHOLDER_RE

PATTERNS = {
    "a percentage": re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b)", re.IGNORECASE),
    "a year": re.compile(r"\b(?:1[6-9]|20)\d{2}s?\b"),
    "a number": re.compile(
        r"\b\d+(?:[.,]\d+)*\b|\b(?:dozens|hundreds|thousands|millions|billions) of\b", re.IGNORECASE
    ),
    "research language": re.compile(
        r"\b(?:research(?:ers)?|stud(?:y|ies)|trials?|surveys?|scientists|experts|evidence|data|reviews?|analys[ie]s)\s+"
        r"(?:shows?|showed|shown|finds?|found|suggests?|suggested|proves?|proved|proven|confirms?|confirmed|indicates?|indicated|say|says|demonstrated?)\b"
        r"|\baccording to\b|\bit (?:is|has been) (?:proven|shown|established)\b|\bclinically proven\b",
        re.IGNORECASE,
    ),
}
# Any of the patterns, to pass over the many sentences that match none with one search; the reason given
# is still the first pattern, in the order above, that matches.
ANY_PATTERN = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in PATTERNS.values()), re.IGNORECASE)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“(]?[A-Z0-9])")
CHECKED_TAGS = {"p", "li", "td", "th", "dd"}
BLOCK_TAGS = {"p", "ul", "ol", "div", "table", "blockquote", "pre", "dl", "h1", "h2", "h3", "h4", "h5", "h6"}
SOURCED = "\u0001"  # stands for a citation or a claim in the linear text of a paragraph
SOURCED_CLASSES = {"citation", "claim", "no-claim", "claim-verdict"}
EXCLUDED_CLASSES = {"claim", "no-claim", "factcheck-bibliography", "factcheck-generated"}
WHITESPACE = re.compile(r"[ \t\r\n]+")
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
# A claim whose attributes could not be read stays text (`[Rates fell]{.claim #c"4}`, reported as
# malformed_claim): its sentence is a claim all the same, and its attributes are no prose.
UNREAD_CLAIM = re.compile(r"\{:?[^{}]*(?<![\w-])\.claim(?![\w-])[^{}]*\}")


def classes_of(element: etree.Element) -> set[str]:
    value = element.get("class")
    return set(value.split()) if value else set()


def footnote_mark(element: etree.Element) -> str | None:
    """The footnote a mark (`<sup id="fnref:n"><a href="#fn:n">n</a></sup>`) points to, or None."""
    if element.tag != "sup" or not (element.get("id") or "").startswith("fnref"):
        return None
    link = element.find("a")
    return (link.get("href") or "").lstrip("#") if link is not None else None


def cited_notes(root: etree.Element) -> set[str]:
    """The ids of the page's footnotes that hold a citation."""
    return {
        item.get("id") or ""
        for block in root.iter("div")
        if "footnote" in classes_of(block)
        for item in block.iter("li")
        if any("citation" in classes_of(node) for node in item.iter("span"))
    }


def linear_text(element: etree.Element, sourced_notes: frozenset[str] | set[str] = frozenset()) -> str:
    """The text of a block with citations, claims and `.no-claim` spans as markers and code left out.
    A footnote's mark is no number of the sentence: a marker when its note cites a source, else nothing."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag in BLOCK_TAGS:
            break
        note = footnote_mark(child)
        if note is not None and note in sourced_notes:
            # before the sentence's full stop, when the mark follows it: the marker is the sentence's
            end = SENTENCE_END.search(parts[-1])
            parts[-1] = parts[-1][: end.start()] + SOURCED + parts[-1][end.start() :] if end else parts[-1] + SOURCED
        elif note is not None:
            pass
        elif not SOURCED_CLASSES.isdisjoint(classes_of(child)):
            parts.append(SOURCED)
        elif child.tag in ("code", "kbd", "samp"):
            parts.append(" ")
        else:
            parts.append(linear_text(child, sourced_notes))
        parts.append(child.tail or "")
    return "".join(parts)


def reason(sentence: str) -> str | None:
    if SOURCED in sentence or not ANY_PATTERN.search(sentence) or len(sentence.split()) < 4:
        return None
    for name, pattern in PATTERNS.items():
        if pattern.search(sentence):
            return name
    return None


def unsourced_sentences(root: etree.Element) -> list[tuple[str, str, etree.Element]]:
    """(sentence, why, block element) for every check-worthy sentence without a source."""
    found: list[tuple[str, str, etree.Element]] = []
    notes = cited_notes(root)

    def visit(element: etree.Element, excluded: bool) -> None:
        excluded = excluded or element.tag in ("pre", "code") or not EXCLUDED_CLASSES.isdisjoint(classes_of(element))
        if not excluded and element.tag in CHECKED_TAGS:
            text = HTML_PLACEHOLDER_RE.sub(" ", linear_text(element, notes))  # stashed raw HTML is not prose
            text = UNREAD_CLAIM.sub(SOURCED, text) if ".claim" in text else text
            text = WHITESPACE.sub(" ", text).strip()
            for sentence in SENTENCE_SPLIT.split(text):
                why = reason(sentence)
                if why:
                    found.append((sentence.strip(), why, element))
        for child in element:
            visit(child, excluded)

    visit(root, False)
    return found
