"""Our own site: the fact-checked interleukin-2 article builds strictly and is complete, and what it
publishes is what a reader should read."""

import json
import re
import shutil

import jsonschema
import yaml
from conftest import ROOT, Site, soup
from test_reader_html import CLAIM_REVIEW

from mkdocs_factcheck.core.claims.scale import DEFAULT_SCALE

# Words of the editors' remarks and of the build's state: none may reach a reader of the project's site.
EDITORS_WORDS = (
    "mirror",
    "pmid taken",
    "resolve before",
    "check against",
    "before publishing",
    "not verified",
    "unverified",
    "unreachable",
    "deadline",
    "not checked",
    "secondary index",
)


def project_site(tmp_path) -> Site:
    """A copy of the project's site, with online checks off (tests never reach the internet)."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("images"))
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    shutil.copy(ROOT / "factcheck-ledger.json", tmp_path / "factcheck-ledger.json")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.Loader)  # noqa: S506 - our own file, with !!python tags
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "factcheck" in plugin:
            plugin["factcheck"].setdefault("online", {})["enabled"] = False
    (tmp_path / "mkdocs.yml").write_text(yaml.dump(config, sort_keys=False))
    return Site(tmp_path)


def test_the_article_builds_strictly_with_22_sourced_claims(tmp_path):
    site = project_site(tmp_path)
    site.build(strict=True)
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    article = [c for c in data["claims"] if c["page"] == "interleukin-2.md"]
    assert len(article) == 22
    verdicts = {v["name"] for v in DEFAULT_SCALE}
    keys = {s["key"] for s in data["sources"]}
    for claim in article:
        assert claim["verdict"] in verdicts, claim
        assert any(key in keys for key in claim["cites"]), claim
        assert claim["note"], claim
        assert not claim["text"].lower().startswith(("the article", "the explainer")), claim  # the claim itself
    assert len(data["sources"]) == 26
    assert all(s["cited_on"] for s in data["sources"])
    assert "findings" not in data  # the editors' list stays in the terminal
    page = soup(site.html("interleukin-2/index.html"))
    assert len(page.select(".claim-verdict .verdict-badge")) == 22
    assert page.select(".claim-caveat") == []  # every claim has a source the build can show
    assert (
        page.select_one("aside.factcheck-summary .summary-reviewed").get_text()
        == "Article reviewed: What Is Recombinant Interleukin? by Jo Dunaway (WiseGEEK)"
    )
    report = soup(site.html("factcheck-report/index.html"))
    assert len(report.select("table.factcheck-claims tbody tr")) == 22
    references = soup(site.html("references/index.html"))
    assert len(references.select("li.reference")) == 26


def test_the_site_follows_its_corrections_policy(tmp_path):
    """Its ledger holds every claim as published and the site still matches it (no correction is
    owed, and none is invented: the corrections page says there are none); the report names the
    reviewer and the date of every claim; the policy is on "How we fact-check"."""
    site = project_site(tmp_path)
    site.build(strict=True)
    ledger = json.loads((ROOT / "factcheck-ledger.json").read_text(encoding="utf-8"))["claims"]
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    article = {c["id"]: c for c in data["claims"] if c["page"] == "interleukin-2.md"}
    assert set(ledger) == set(article)
    for claim_id, claim in article.items():
        assert (ledger[claim_id]["verdict"], ledger[claim_id]["text"]) == (claim["verdict"], claim["text"])
    assert data["corrections"] == []
    assert (
        "No corrections"
        in soup(site.html("factcheck-corrections/index.html")).select_one(".factcheck-corrections-page").get_text()
    )
    rows = soup(site.html("factcheck-report/index.html")).select("table.factcheck-claims tbody tr")
    assert all("The mkdocs-factcheck editors" in row.get_text() and "2026-11-26" in row.get_text() for row in rows)
    policy = soup(site.html("how-we-fact-check/index.html")).select_one("#corrections").find_next("p").get_text()
    assert "Corrected on" in policy and "corrections page" in policy


def test_the_official_label_is_cited_not_a_copy(tmp_path):
    site = project_site(tmp_path)
    site.build()
    entry = soup(site.html("interleukin-2/index.html")).select_one("#ref-proleukin2024label")
    links = [a["href"] for a in entry.select("a")]
    assert any(
        href.startswith("https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=f3c516ad-d405-4fbe-af6a-962080dbfa7d")
        for href in links
    ), links
    assert "convoke" not in entry.get_text()


def test_no_reader_page_shows_an_editors_remark(tmp_path):
    site = project_site(tmp_path)
    site.build()
    bib = (ROOT / "references.bib").read_text()
    remarks = re.findall(r"annote\s*=\s*\{(.*)\}", bib)
    assert len(remarks) >= 10
    for path in [*site.site_dir.rglob("index.html"), site.site_dir / "factcheck.json"]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            page = soup(text)
            for skipped in page.select("script:not(.factcheck-claimreview), nav, header, footer"):
                skipped.decompose()
            text = page.get_text(" ") + " ".join(
                str(v) for e in page.find_all(True) for k, v in e.attrs.items() if k in ("title", "aria-label")
            )
        lowered = re.sub(r"\s+", " ", text.lower())
        for remark in remarks:
            assert remark.lower()[:40] not in lowered, (path, remark)
        found = [word for word in EDITORS_WORDS if word in lowered]
        assert not found, (path.relative_to(site.site_dir), found)


def test_the_article_json_ld_validates_as_claim_review(tmp_path):
    site = project_site(tmp_path)
    site.build()
    page = soup(site.html("interleukin-2/index.html"))
    reviews = [review for script in page.select("script.factcheck-claimreview") for review in json.loads(script.string)]
    assert len(reviews) == 22
    schema = json.loads(json.dumps(CLAIM_REVIEW))
    schema["properties"]["itemReviewed"]["properties"]["appearance"]["required"] = [
        "@type",
        "headline",
        "author",
        "publisher",
    ]  # the seed gives no URL
    for review in reviews:
        jsonschema.validate(review, schema)
        assert review["url"].startswith("https://example.org/interleukin-2/interleukin-2/#")
        assert review["itemReviewed"]["appearance"]["headline"] == "What Is Recombinant Interleukin?"
        assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Jo Dunaway"}
        assert review["itemReviewed"]["appearance"]["publisher"]["name"] == "WiseGEEK"
        assert review["datePublished"] == "2026-11-26" and review["dateModified"] == "2026-12-01"
    texts = {review["claimReviewed"] for review in reviews}
    assert "Recombinant interleukin-2 is a protein obtained from human beings." in texts
