"""schema.org ClaimReview structured data for a page's claims, safe inside a script element.

What a fact-check publishes about each claim (the properties Google's ClaimReview documentation asks
for): the review's absolute `url`, `claimReviewed` (the claim itself), `reviewRating`, the reviewing
organisation as `author`, `datePublished` (and `dateModified`) of the review, and `itemReviewed`: the
claim, with the article it appears in (`appearance`) as the page's front matter names it."""

from __future__ import annotations

import json
import re

from mkdocs_factcheck.core.bibliography.identifiers import Identifier
from mkdocs_factcheck.core.claims.claim import Claim
from mkdocs_factcheck.core.claims.ledger import AMENDMENTS, Ledger
from mkdocs_factcheck.core.claims.scale import Scale

ARTICLE_FIELDS = ("title", "url", "publisher", "author", "date")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def is_web_address(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def front_matter_problems(meta: dict) -> list[tuple[str, str]]:
    """What is wrong with a page's review front matter, as (key, message): it would otherwise be
    dropped from the ClaimReview data and the summary without a word."""
    problems = []
    for key in ("reviewed", "updated"):
        if key in meta and not DATE_RE.match(str(meta[key])):
            problems.append((key, f"front matter '{key}: {meta[key]}' is not a date (YYYY-MM-DD)"))
    article = meta.get("reviewed_article")
    if article is not None:
        if not isinstance(article, dict) or not article.get("title"):
            problems.append(
                (
                    "reviewed_article",
                    f"front matter 'reviewed_article' needs at least a title (fields: {', '.join(ARTICLE_FIELDS)})",
                )
            )
        else:
            unknown = sorted(str(k) for k in article if k not in ARTICLE_FIELDS)
            if unknown:
                problems.append(
                    (
                        "reviewed_article",
                        (
                            f"front matter 'reviewed_article' has unknown fields {', '.join(unknown)} (fields:"
                            f" {', '.join(ARTICLE_FIELDS)})"
                        ),
                    )
                )
            if article.get("url") and not is_web_address(str(article["url"])):
                problems.append(
                    (
                        "reviewed_article",
                        f"front matter 'reviewed_article' url '{article['url']}' is not an http(s) address",
                    )
                )
            if article.get("date") and not DATE_RE.match(str(article["date"])):
                problems.append(
                    (
                        "reviewed_article",
                        f"front matter 'reviewed_article' date '{article['date']}' is not a date (YYYY-MM-DD)",
                    )
                )
    return problems


def review_author(given: dict, site_author: str, site_url: str) -> dict | None:
    """The fact-checker behind the ClaimReview data: the `organization` setting, else the site's author
    or name and its address; None when nothing names it."""
    name = str(given.get("name") or site_author or "")
    return organization(name, str(given.get("url") or site_url or "")) if name else None


def organization(name: str, url: str = "") -> dict:
    data = {"@type": "Organization", "name": name}
    if url:
        data["url"] = url
    return data


def appearance(article: dict) -> dict | None:
    """The reviewed article (front matter `reviewed_article`: title, url, publisher, author, date)."""
    if not isinstance(article, dict) or not article.get("title"):
        return None
    work: dict = {"@type": "Article", "headline": str(article["title"]), "name": str(article["title"])}
    if article.get("url") and is_web_address(str(article["url"])):
        work["url"] = str(article["url"])
    if article.get("author"):
        work["author"] = {"@type": "Person", "name": str(article["author"])}
    if article.get("publisher"):
        work["publisher"] = organization(str(article["publisher"]))
    if article.get("date") and DATE_RE.match(str(article["date"])):
        work["datePublished"] = str(article["date"])
    return work


def person(reviewer: dict) -> dict:
    """A reviewer of the site's `reviewers` as schema.org Person (its role as jobTitle), or as an
    Organization when the site says the reviewer is a team (`type: Organization`)."""
    kind = "Organization" if reviewer.get("type") == "Organization" else "Person"
    data = {"@type": kind, "name": str(reviewer["name"])}
    if reviewer.get("url") and is_web_address(str(reviewer["url"])):
        data["url"] = str(reviewer["url"])
    if reviewer.get("role") and kind == "Person":
        data["jobTitle"] = str(reviewer["role"])
    return data


def last_change(claim: Claim, ledger: Ledger | None) -> str:
    """The claim's latest correction or update, recorded or written at it; "" when none."""
    record = ledger.get(claim.id) if ledger is not None else None
    dates = [str(item.get("date", "")) for kind in AMENDMENTS for item in (record or {}).get(kind, [])]
    dates += [date for date in (claim.corrected, claim.updated) if DATE_RE.match(date)]
    return max(dates, default="")


def claim_reviews(
    claims: list[Claim],
    scale: Scale,
    page_url: str,
    author: dict | None,
    meta: dict | None = None,
    ledger: Ledger | None = None,
    reviewers: dict | None = None,
) -> list[dict]:
    """One ClaimReview per claim with a verdict on the scale and a source the build could show:
    a rating the page does not back (see `source_caveat`) is not published as structured data either.
    A claim with a reviewer of the site's has that Person as `author` and the organisation as
    `publisher`; its own review date is `datePublished`, its latest correction `dateModified`."""
    meta = meta or {}
    reviewers = reviewers or {}
    page_published = str(meta["reviewed"]) if DATE_RE.match(str(meta.get("reviewed", ""))) else ""
    page_modified = str(meta["updated"]) if DATE_RE.match(str(meta.get("updated", ""))) else ""
    work = appearance(meta.get("reviewed_article") or {})
    reviews = []
    for claim in claims:
        verdict = scale.get(claim.verdict)
        if verdict is None or claim.caveat:
            continue  # an unrated claim has no rating to publish
        review: dict = {"@context": "https://schema.org", "@type": "ClaimReview"}
        if page_url:
            review["url"] = f"{page_url}#{claim.id}"
        review["claimReviewed"] = claim.text
        reviewer = reviewers.get(claim.reviewer) if claim.reviewer else None
        if isinstance(reviewer, dict) and reviewer.get("name"):
            review["author"] = person(reviewer)
            if author:
                review["publisher"] = author
        elif author:
            review["author"] = author
        published = claim.reviewed if DATE_RE.match(claim.reviewed) else page_published
        modified = max(page_modified, last_change(claim, ledger))
        if published:
            review["datePublished"] = published
            if modified and modified > published:
                review["dateModified"] = modified
        item: dict = {"@type": "Claim"}
        if work:
            item["appearance"] = work
            for name in ("author", "datePublished"):
                if name in work:
                    item[name] = work[name]
        review["itemReviewed"] = item
        review["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": verdict.rating,
            "bestRating": scale.best,
            "worstRating": scale.worst,
            "alternateName": verdict.label,
        }
        if claim.note:
            review["reviewBody"] = claim.note
        if claim.preprints:
            review["citation"] = [preprint_work(preprint) for preprint in claim.preprints]
        reviews.append(review)
    return reviews


def preprint_work(preprint: dict) -> dict:
    """A preprint the claim's review rests on, with the peer-reviewed versions it became (schema.org's
    `workExample`: a realization of the same work)."""
    work: dict = {"@type": "ScholarlyArticle", "name": preprint["title"], "creativeWorkStatus": "Preprint"}
    if preprint.get("url"):
        work["url"] = preprint["url"]
    published = []
    for version in preprint["published"]:
        href = Identifier("doi", version["doi"], "doi").href
        if href:
            published.append(
                {
                    "@type": "ScholarlyArticle",
                    "creativeWorkStatus": "Published",
                    "url": href,
                    **({"name": version["title"]} if version.get("title") else {}),
                }
            )
    if published:
        work["workExample"] = published
    return work


def script_json(data) -> str:
    """JSON that cannot end the script element early: `<`, `>` and `&` are written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def claim_review_script(
    claims: list[Claim],
    scale: Scale,
    page_url: str,
    author: dict | None,
    meta: dict | None = None,
    ledger: Ledger | None = None,
    reviewers: dict | None = None,
) -> str:
    reviews = claim_reviews(claims, scale, page_url, author, meta, ledger, reviewers)
    if not reviews:
        return ""
    return f'\n<script type="application/ld+json" class="factcheck-claimreview">{script_json(reviews)}</script>\n'
