"""schema.org ClaimReview structured data for a page's claims, safe inside a script element."""

from __future__ import annotations

import json

from .claims import Claim
from .scale import Scale


def claim_reviews(claims: list[Claim], scale: Scale, page_url: str, author: str | None) -> list[dict]:
    reviews = []
    for claim in claims:
        verdict = scale.get(claim.verdict)
        if verdict is None:
            continue  # an unrated claim has no rating to publish
        review = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{page_url}#{claim.id}",
            "claimReviewed": claim.text,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": verdict.rating,
                "bestRating": scale.best,
                "worstRating": scale.worst,
                "alternateName": verdict.label,
            },
        }
        if author:
            review["author"] = {"@type": "Organization", "name": author}
        if claim.note:
            review["reviewBody"] = claim.note
        reviews.append(review)
    return reviews


def script_json(data) -> str:
    """JSON that cannot end the script element early: `<`, `>` and `&` are written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def claim_review_script(claims: list[Claim], scale: Scale, page_url: str, author: str | None) -> str:
    reviews = claim_reviews(claims, scale, page_url, author)
    if not reviews:
        return ""
    return f'\n<script type="application/ld+json" class="factcheck-claimreview">{script_json(reviews)}</script>\n'
