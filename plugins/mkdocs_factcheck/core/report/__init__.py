"""What a build publishes besides pages: the report, factcheck.json, ClaimReview, links between pages."""
