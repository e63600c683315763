"""What readers get from claims, in real builds: valid HTML with the badge where it belongs, badges that
claim no more than the build knows, right counts, compact back-links, and ClaimReview data."""

import json

import jsonschema
from conftest import soup


def claimreviews(site, page="index.html") -> list[dict]:
    return [
        review
        for script in soup(site.html(page)).select("script.factcheck-claimreview")
        for review in json.loads(script.string)
    ]


def test_every_kind_of_claim_gives_valid_html_with_its_badge_in_place(bib_site):
    bib_site.page(
        "index.md",
        """
        # Page

        A paragraph claim, in one sentence [@onji1987].
        {: .claim #para verdict=supported note="Right."}

        ::: {.claim #block verdict=contradicted}
        A block claim [@onji1987].

        Its second paragraph.
        :::

        Before [an inline claim]{.claim #inline verdict=supported} [@mueller2001] and after.

        - A list item claim [@web2020].
          {: .claim #item verdict=supported}
        """,
    )
    bib_site.build(strict=True)
    page = soup(bib_site.html())
    article = page.select_one("article")
    # no block inside a paragraph (browsers would split it: text, badge, then the rest on a line of its own)
    assert article.select("p div, p p, span div") == []
    para = page.select_one("p#para")
    badge = para.contents[-1]
    assert badge.name == "span" and "claim-verdict" in badge["class"]  # closes the paragraph, on its line
    assert badge.find_previous_sibling("span", class_="citation") is not None
    assert para.get_text(" ", strip=True).startswith("A paragraph claim, in one sentence [ 1 ] .")
    assert badge.select_one(".claim-note").get_text() == "Right."  # after the full stop: the note keeps its own
    block = page.select_one("div#block")
    first = block.find(True, recursive=False)
    assert first.name == "div" and "claim-verdict" in first["class"]  # heads the block
    inline = page.select_one("span#inline")
    citation = inline.find_next_sibling("span", class_="citation")
    assert citation.find_next_sibling("span")["class"] == ["claim-verdict"]
    assert "and after." in citation.find_next_sibling("span").next_sibling
    item = page.select_one("li#item")
    assert item.contents[-1].name == "span" and "claim-verdict" in item.contents[-1]["class"]


def test_many_claims_in_one_paragraph_each_get_their_badge_after_their_citation(bib_site):
    count = 3000
    sentence = "[Claim {n}]{{.claim #c{n} verdict=supported}} [@onji1987]. "
    bib_site.page("index.md", "".join(sentence.format(n=n) for n in range(count)) + "\n")
    bib_site.build()
    paragraph = soup(bib_site.html()).select_one("article p:has(> .claim)")
    kinds = [
        "claim" if "claim" in node["class"] else "citation" if "citation" in node["class"] else "badge"
        for node in paragraph.find_all("span", recursive=False)
    ]
    assert kinds == ["claim", "citation", "badge"] * count
    assert [node["id"] for node in paragraph.select(":scope > span.claim")] == [f"c{n}" for n in range(count)]
    assert paragraph.get_text().count(". ") >= count - 1  # the text between them is kept


def test_badges_say_what_the_build_cannot_show(bib_site):
    bib_site.page(
        "index.md",
        """
        [No source]{.claim #none verdict=supported}. [Unknown sources]{.claim #unknown verdict=supported} [@nope; @gone].
        [Sourced]{.claim #ok verdict=supported} [@onji1987]. [Odd verdict]{.claim #odd verdict=true} [@onji1987].
        [No verdict]{.claim #missing} [@onji1987].
        """,  # noqa: E501 - written as a user writes it
    )
    bib_site.build()
    page = soup(bib_site.html())

    def verdict(claim_id):
        return page.select_one(f"#{claim_id}").find_next("span", class_="claim-verdict")

    assert verdict("none").select_one(".claim-caveat").get_text() == "(no source given)"
    assert verdict("unknown").select_one(".claim-caveat").get_text() == "(sources not found)"
    assert verdict("ok").select_one(".claim-caveat") is None
    for claim_id in ("odd", "missing"):
        assert verdict(claim_id).select_one(".verdict-label").get_text() == "Not rated"
    assert "true" not in page.select_one("article").get_text(" ").split()
    # structured data only for the rating the page backs
    assert [review["url"].split("#")[1] for review in claimreviews(bib_site)] == ["ok"]
    report = soup(bib_site.html("factcheck-report/index.html"))
    assert report.select_one("#report-none .claim-caveat").get_text() == "(no source given)"


def test_counts_and_plurals_agree_with_the_badges(bib_site):
    bib_site.page("index.md", "# One\n\n[A]{.claim #a verdict=supported} [@onji1987].\n")
    bib_site.page(
        "three.md",
        "# Three\n\n[A]{.claim #b verdict=supported} [@onji1987]. [B]{.claim #c verdict=maybe} [@onji1987]. [C]{.claim"
        " #d} [@onji1987].\n",
    )
    bib_site.build()
    one = soup(bib_site.html()).select_one("aside.factcheck-summary")
    assert "1 claim reviewed" in one.get_text() and "claims" not in one.get_text()
    three = soup(bib_site.html("three/index.html")).select_one("aside.factcheck-summary")
    assert "3 claims reviewed" in three.get_text()
    counts = [int(n.get_text()) for n in three.select(".summary-count")]
    assert sum(counts) == 3 == len(soup(bib_site.html("three/index.html")).select("article .claim-verdict"))
    assert [b.get_text() for b in three.select(".verdict-label")] == ["Supported", "Not rated"]
    report = soup(bib_site.html("factcheck-report/index.html")).select_one(".factcheck-report > p").get_text()
    assert report.startswith("4 claims on 2 pages; 1 of 7 sources cited")
    assert one.select_one(".summary-caveats") is None


def test_the_summary_says_how_many_badges_carry_words_about_their_sources(bib_site):
    bib_site.page(
        "index.md", "# Page\n\n[A]{.claim #a verdict=supported}. [B]{.claim #b verdict=supported} [@onji1987].\n"
    )
    bib_site.build()
    box = soup(bib_site.html()).select_one("aside.factcheck-summary")
    assert (
        box.select_one(".summary-caveats").get_text()
        == "1 claim of these rests on no source we can show; its badge says why."
    )


def test_an_entry_cited_many_times_has_compact_back_links(bib_site):
    bib_site.page("index.md", "".join(f"Sentence {n} [@onji1987]. " for n in range(17)) + "Once [@mueller2001].\n")
    bib_site.build()
    page = soup(bib_site.html())
    many = page.select_one("#ref-onji1987 .reference-backlinks")
    links = many.select("a.reference-backlink")
    assert [a.get_text() for a in links] == list("abcdefghijklmnopq")
    assert links[2]["aria-label"] == "Back to citation 3 of 17" and links[2]["href"] == "#cite-onji1987-3"
    assert many.select_one(".reference-backlinks-arrow")["aria-hidden"] == "true"
    assert many.get_text().count("↩") == 1
    (once,) = page.select("#ref-mueller2001 a.reference-backlink")
    assert once["aria-label"] == "Back to citation" and once.get_text() == "↩\ufe0e"


# Google's ClaimReview documentation: required (claimReviewed, reviewRating, url) and recommended
# (author, datePublished, itemReviewed as a Claim with its appearance and author) properties.
CLAIM_REVIEW = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "reviewRating",
        "author",
        "datePublished",
        "itemReviewed",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": "^https://"},
        "claimReviewed": {"type": "string", "minLength": 1},
        "datePublished": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"},
        "dateModified": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"},
        "author": {"type": "object", "required": ["@type", "name"], "properties": {"@type": {"const": "Organization"}}},
        "reviewRating": {
            "type": "object",
            "required": ["@type", "ratingValue", "bestRating", "worstRating", "alternateName"],
            "properties": {"@type": {"const": "Rating"}, "alternateName": {"type": "string", "minLength": 1}},
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "appearance", "author"],
            "properties": {
                "@type": {"const": "Claim"},
                "appearance": {
                    "type": "object",
                    "required": ["@type", "url", "headline", "author", "publisher"],
                    "properties": {"publisher": {"type": "object", "required": ["@type", "name"]}},
                },
            },
        },
    },
}

REVIEWED_PAGE = """---
reviewed: 2026-11-20
updated: 2026-11-26
reviewed_article:
  title: "What Is <b>It</b>?"
  url: https://news.example.com/what-is-it
  publisher: Example News
  author: A. Writer
---

# Review

[Eleven patients were treated daily]{.claim #daily verdict=supported note="Matches."} [@onji1987].
"""


def test_claim_review_json_ld_has_the_required_and_recommended_properties(bib_site):
    bib_site.config({"organization": {"name": "Fact Desk", "url": "https://factdesk.example/"}})
    bib_site.page("index.md", REVIEWED_PAGE)
    bib_site.build(strict=True)
    (review,) = claimreviews(bib_site)
    jsonschema.validate(review, CLAIM_REVIEW)
    assert review["url"] == "https://example.org/#daily"
    assert review["claimReviewed"] == "Eleven patients were treated daily"
    assert review["author"] == {"@type": "Organization", "name": "Fact Desk", "url": "https://factdesk.example/"}
    assert review["datePublished"] == "2026-11-20" and review["dateModified"] == "2026-11-26"
    work = review["itemReviewed"]["appearance"]
    assert work["headline"] == "What Is <b>It</b>?" and work["url"] == "https://news.example.com/what-is-it"
    assert work["publisher"]["name"] == "Example News" and review["itemReviewed"]["author"]["name"] == "A. Writer"
    # the page names the article too, escaped
    assert (
        "1 claim reviewed on 2026-11-20, updated 2026-11-26."
        in soup(bib_site.html()).select_one("aside.factcheck-summary").get_text()
    )
    summary = soup(bib_site.html()).select_one("aside.factcheck-summary .summary-reviewed")
    assert summary.get_text() == "Article reviewed: What Is <b>It</b>? by A. Writer (Example News)"
    assert summary.select_one("cite a")["href"] == "https://news.example.com/what-is-it"


def test_review_dates_and_author_defaults(bib_site):
    bib_site.page("index.md", REVIEWED_PAGE.replace("updated: 2026-11-26", "updated: 2026-11-20"))
    bib_site.build()
    (review,) = claimreviews(bib_site)
    assert "dateModified" not in review  # the review date did not change
    assert review["author"] == {"@type": "Organization", "name": "Test", "url": "https://example.org/"}


def test_a_site_without_site_url_gets_one_finding(bib_site, warnings):
    bib_site.config(extra={"site_url": None})
    bib_site.page("index.md", "[A]{.claim #a verdict=supported} [@onji1987].\n")
    bib_site.page("other.md", "[B]{.claim #b verdict=supported} [@onji1987].\n")
    bib_site.build()
    told = [m for m in warnings() if "site_url" in m]
    assert len(told) == 1 and "[no_site_url]" in told[0]
    (review,) = claimreviews(bib_site)
    assert "url" not in review  # no relative address passed off as the review's URL


BAD_FRONT_MATTER = """---
reviewed: last week
reviewed_article:
  title: An article
  url: "javascript:alert(1)"
  byline: Someone
---

[A]{.claim #a verdict=supported} [@onji1987].
"""


def test_bad_review_front_matter_is_reported_at_its_line(bib_site, warnings):
    bib_site.page("index.md", BAD_FRONT_MATTER)
    bib_site.build()
    told = [m for m in warnings() if "[invalid_front_matter]" in m]
    assert any(
        m.startswith("mkdocs_factcheck: index.md:2: front matter 'reviewed: last week' is not a date") for m in told
    ), told
    assert any("index.md:3:" in m and "unknown fields byline" in m for m in told), told
    assert any("index.md:3:" in m and "is not an http(s) address" in m for m in told), told
    (review,) = claimreviews(bib_site)
    assert "datePublished" not in review and "url" not in review["itemReviewed"]["appearance"]
    assert "javascript:" not in bib_site.html()
