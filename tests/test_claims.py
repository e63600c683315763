"""Claims, verdicts, checks, the report, factcheck.json and ClaimReview JSON-LD, in real builds."""

import json

import pytest
from conftest import nested_conversion_hook, soup


def findings(site):
    return json.loads((site.site_dir / "factcheck.json").read_text())["findings"]


def kinds(site):
    return sorted({f["kind"] for f in findings(site)} - {"uncited_entry"})


def test_inline_claim_with_sources_inside_and_after(bib_site):
    bib_site.page(
        "index.md",
        """
        [Eleven patients were treated daily [@onji1987]]{.claim #onji-dosing verdict=supported note="Matches the paper."} [@mueller2001]. Next sentence [@web2020].
        """,  # noqa: E501 - written as a user writes it
    )
    bib_site.build()
    page = soup(bib_site.html())
    claim = page.select_one("span.claim")
    assert claim["id"] == "onji-dosing" and claim["data-verdict"] == "supported"
    badge = page.select_one(".claim-verdict .verdict-badge")
    assert badge["aria-label"] == "Fact-check verdict: Supported"
    assert badge.select_one(".verdict-icon").get_text() == "✓"
    assert page.select_one(".claim-note").get_text() == "Matches the paper"  # the sentence's full stop follows
    data = json.loads((bib_site.site_dir / "factcheck.json").read_text())
    (entry,) = data["claims"]
    assert entry["cites"] == ["onji1987", "mueller2001"]  # not web2020: it is in the next sentence
    assert entry["text"] == "Eleven patients were treated daily"
    assert entry["line"] == 1 and entry["page"] == "index.md" and entry["verdict"] == "supported"


def test_an_inline_notes_full_stop_goes_only_where_the_sentences_follows(bib_site):
    """The badge sits inside the sentence: a note's full stop goes when the sentence's own comes right
    after it, and stays otherwise (a table cell, a '!', an ellipsis)."""
    bib_site.page(
        "index.md",
        """
        [Rates fell]{.claim #a verdict=supported note="As the paper says."} [@onji1987]. Next.

        [Rates rose]{.claim #b verdict=supported note="Per the paper."} [@onji1987]! Next.

        [Rates held]{.claim #c verdict=supported note="Ends with an ellipsis..."} [@onji1987].

        | Claim |
        |---|
        | [In a cell]{.claim #d verdict=supported note="Whole sentence."} [@onji1987] |
        """,
    )
    bib_site.config(extra={"markdown_extensions": ["tables"]})
    bib_site.build()
    page = soup(bib_site.html())
    notes = {
        note.find_parent(class_="claim-verdict").find_previous(class_="claim")["id"]: note.get_text()
        for note in page.select(".claim-note")
    }
    assert notes == {
        "a": "As the paper says",
        "b": "Per the paper.",
        "c": "Ends with an ellipsis...",
        "d": "Whole sentence.",
    }, notes


def test_block_claim_and_attribute_list_claim(bib_site):
    bib_site.page(
        "index.md",
        """
        Intro.

        ::: {.claim #block verdict=contradicted}
        First paragraph of the claim [@onji1987].

        Second paragraph.
        :::

        A paragraph claim [@web2020].
        {: .claim verdict=partly-supported }
        """,
    )
    bib_site.build()
    page = soup(bib_site.html())
    block = page.select_one("div.claim#block")
    assert block["data-verdict"] == "contradicted" and len(block.select("p")) == 2
    assert block.select_one(".verdict-badge")["data-verdict"] == "contradicted"
    para = page.select_one("p.claim")
    assert para["data-verdict"] == "partly-supported" and para["id"].startswith("claim-a-paragraph-claim")
    claims = json.loads((bib_site.site_dir / "factcheck.json").read_text())["claims"]
    assert [(c["id"], c["line"], c["cites"]) for c in claims] == [
        ("block", 3, ["onji1987"]),
        (para["id"], 9, ["web2020"]),
    ]


def test_a_paragraph_claims_note_may_hold_markdown(bib_site):
    """Emphasis, a link and an escape in the note of `{: .claim ...}`: the inline pass used to render them
    inside the attribute list, which attr_list then no longer saw: the reader got the editor's markup as
    text, and no claim was made."""
    bib_site.page(
        "index.md",
        """
        A *paragraph* claim [@web2020].
        {: .claim #para verdict=partly-supported note="Only *some* of [them](https://x.org) \\*."}

            A code block keeps its line
            {: .claim note="*x*"}
        """,
    )
    bib_site.build()
    page = soup(bib_site.html())
    assert page.select_one("p.claim#para")["data-verdict"] == "partly-supported"
    assert page.select_one(".claim-note").get_text() == "Only some of them *."
    assert "{: .claim #para" not in page.get_text()
    assert '{: .claim note="*x*"}' in page.select_one("pre code").get_text()
    (claim,) = json.loads((bib_site.site_dir / "factcheck.json").read_text())["claims"]
    assert claim["note"] == "Only some of them *." and claim["cites"] == ["web2020"]


def test_derived_ids_are_stable_across_builds(bib_site):
    bib_site.page(
        "index.md",
        "[Some claim]{.claim verdict=supported} [@onji1987]. [Some claim]{.claim verdict=supported} [@onji1987].\n",
    )
    bib_site.build()
    first = [c["id"] for c in soup(bib_site.html()).select(".claim")]
    bib_site.build()
    assert (
        [c["id"] for c in soup(bib_site.html()).select(".claim")] == first == ["claim-some-claim", "claim-some-claim-2"]
    )


@pytest.mark.parametrize(
    ("markdown", "kind", "message"),
    [
        ("[No source here]{.claim #c verdict=supported}.", "claim_without_source", "claim 'c' has no source"),
        (
            "[Bad keys]{.claim #c verdict=supported} [@nope].",
            "claim_unknown_sources",
            "claim 'c' cites only unknown keys: nope",
        ),
        (
            "[No verdict]{.claim #c} [@onji1987].",
            "claim_without_verdict",
            "claim 'c' has no verdict (one of: supported, partly-supported, unsupported, contradicted)",
        ),
        (
            "[Odd verdict]{.claim #c verdict=maybe} [@onji1987].",
            "unknown_verdict",
            "claim 'c' has verdict 'maybe', which is not on the scale",
        ),
    ],
)
def test_claim_checks(bib_site, warnings, markdown, kind, message):
    bib_site.page("index.md", "Intro.\n\n" + markdown + "\n")
    bib_site.build()
    found = [f for f in findings(bib_site) if f["kind"] == kind]
    assert len(found) == 1 and found[0]["message"].startswith(message)
    assert found[0]["page"] == "index.md" and found[0]["line"] == 3 and found[0]["severity"] == "warning"
    assert any(m.startswith(f"mkdocs_factcheck: index.md:3: {message}") for m in warnings())


def test_a_good_claim_has_no_findings(bib_site):
    bib_site.page("index.md", "[Good]{.claim #c verdict=supported} [@onji1987].\n")
    bib_site.build()
    assert kinds(bib_site) == []


def test_unrated_claim_is_still_shown(bib_site):
    bib_site.page("index.md", "[Kept text]{.claim #c verdict=maybe} [@nope].\n")
    bib_site.build()
    page = soup(bib_site.html())
    assert page.select_one("#c").get_text() == "Kept text"
    badge = page.select_one(".claim-verdict")
    assert badge.select_one(".verdict-badge").get_text() == "–Not rated"  # never the raw value
    assert badge.select_one(".verdict-badge")["aria-label"] == "Fact-check verdict: Not rated"
    assert badge.select_one(".claim-caveat").get_text() == "(source not found)"
    assert "maybe" not in page.select_one("article").get_text()
    assert page.select_one(".citation-unresolved").get_text() == "@nope?"


def test_custom_scale(bib_site):
    bib_site.config(
        {
            "verdicts": [
                {"name": "true", "label": "True", "rating": 5, "color": "#006400", "icon": "T"},
                {"name": "mixed", "label": "Mixture", "rating": 3},
                {"name": "false", "label": "False", "rating": 1, "color": "#8b0000", "icon": "F"},
            ]
        }
    )
    bib_site.page(
        "index.md", "[A]{.claim #a verdict=true} [@onji1987]. [B]{.claim #b verdict=supported} [@onji1987].\n"
    )
    bib_site.build()
    page = soup(bib_site.html())
    labels = [b.select_one(".verdict-label").get_text() for b in page.select(".claim-verdict .verdict-badge")]
    assert labels == ["True", "Not rated"]
    assert [f["kind"] for f in findings(bib_site) if f["kind"] == "unknown_verdict"] == ["unknown_verdict"]
    (review,) = [json.loads(s.string) for s in page.select("script.factcheck-claimreview")][0]
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "True",
    }


def test_claim_review_json_ld_survives_hostile_text(bib_site):
    # A code span keeps the text literal in the page; the JSON-LD must still not be closed by it.
    hostile = "`</script><script>alert(1)</script>` & \u2028"
    bib_site.page(
        "index.md", f'[Claim {hostile}]{{.claim #x verdict=contradicted note="Note </script>"}} [@onji1987].\n'
    )
    bib_site.build()
    html = bib_site.html()
    assert "<script>alert(1)" not in html
    scripts = soup(html).select("script.factcheck-claimreview")
    assert len(scripts) == 1
    (review,) = json.loads(scripts[0].string)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Claim </script><script>alert(1)</script> &"
    assert review["url"] == "https://example.org/#x"
    assert review["reviewRating"]["alternateName"] == "Contradicted" and review["reviewRating"]["ratingValue"] == 1
    assert review["reviewBody"] == "Note </script>"
    assert review["author"]["name"] == "Test"


def test_citation_needed_flags_what_it_should(bib_site, warnings):
    bib_site.page(
        "index.md",
        """
        # A heading with 1987 in it

        A study found that most patients improved.
        About 45% of readers never check sources.
        The drug was first approved in 1992 in the United States.
        Eleven of the 200 patients had side effects.

        Cited facts are fine: 45% of them improved [@onji1987].
        [A claim with 1987 in it]{.claim #c verdict=supported} [@onji1987].
        [This sentence has 12 numbers but is not a claim.]{.no-claim}

        Ordinary prose stays quiet. We hope you enjoy reading it.

        ```
        code 1234 is ignored
        ```
        """,
    )
    bib_site.build()
    needed = [f for f in findings(bib_site) if f["kind"] == "citation_needed"]
    assert [(f["line"], f["message"].split("' has ")[1]) for f in needed] == [
        (3, "research language but no source"),
        (4, "a percentage but no source"),
        (5, "a year but no source"),
        (6, "a number but no source"),
    ]


def test_a_footnote_mark_is_no_number_and_its_notes_citation_is_the_sources(bib_site):
    bib_site.page(
        "index.md",
        """
        Coffee is popular with students.[^1] Tea is popular with teachers.[^2] Milk is drunk by 45 pupils.[^3]

        [^1]: As a survey found [@onji1987].
        [^2]: Our own impression.
        [^3]: Nobody counted them.
        """,
    )
    bib_site.build()
    needed = [f["message"] for f in findings(bib_site) if f["kind"] == "citation_needed"]
    assert needed == ["citation needed: 'Milk is drunk by 45 pupils.' has a number but no source"]


def test_citation_needed_can_be_turned_off_per_page(bib_site):
    bib_site.page("index.md", "---\nfactcheck:\n  citation_needed: false\n---\n\nA study found that 45% agree.\n")
    bib_site.build()
    assert [f for f in findings(bib_site) if f["kind"] == "citation_needed"] == []


SOURCES = r"""
@article{good, author = {A, B}, title = {Good}, journal = {J}, year = {2020}, doi = {10.1000/good}}
@article{baddoi, author = {A, B}, title = {Bad}, journal = {J}, year = {2020}, doi = {11.1000/x}, pmid = {12ab}, pmcid = {PM123}}
@book{badisbn, author = {A, B}, title = {Book}, publisher = {P}, year = {2020}, isbn = {978-0-306-40615-8}}
@misc{badurl, title = {Web}, url = {ftp://example.org/x}}
@article{noid, author = {A, B}, title = {Nothing to follow}, journal = {J}, year = {2020}}
@article{unverified, author = {A, B}, title = {U}, journal = {J}, year = {2020}, doi = {10.1000/u}, note = {Reprinted 2021}, annote = {PMID not verified}}
@article{old, author = {A, B}, title = {Old}, journal = {J}, year = {1950}, doi = {10.1000/old}}
@article{nocite, author = {A, B}, title = {Never cited}, journal = {J}, year = {2020}}
"""  # noqa: E501 - written as a user writes it


def test_source_checks(site):
    site.bib(SOURCES)
    site.config({"max_source_age": 30})
    site.page(
        "index.md",
        """
        [One]{.claim #one verdict=supported} [@good; @baddoi; @badisbn; @badurl].

        [Two]{.claim #two verdict=supported} [@noid; @unverified].

        [Three]{.claim #three verdict=supported} [@old].
        """,
    )
    site.build()
    found = {(f["kind"], f.get("file"), f.get("line"), f["message"]) for f in findings(site)}
    assert (
        "invalid_identifier",
        "references.bib",
        2,
        "entry 'baddoi': DOI '11.1000/x' is not of the form 10.NNNN/suffix",
    ) in found
    assert (
        "invalid_identifier",
        "references.bib",
        2,
        "entry 'baddoi': PMID '12ab' is not a number of one to nine digits",
    ) in found
    assert (
        "invalid_identifier",
        "references.bib",
        2,
        "entry 'baddoi': PMCID 'PM123' is not of the form PMC followed by digits",
    ) in found
    assert (
        "invalid_identifier",
        "references.bib",
        3,
        "entry 'badisbn': ISBN '978-0-306-40615-8' has a wrong length or check digit",
    ) in found
    assert (
        "invalid_identifier",
        "references.bib",
        4,
        "entry 'badurl': URL 'ftp://example.org/x' is not an http(s) address",
    ) in found
    assert any(k == "no_identifier" and line == 5 for k, _, line, _ in found)
    assert any(k == "unverified_source" and line == 6 for k, _, line, _ in found)
    assert ("uncited_entry", "references.bib", 8, "entry 'nocite' is never cited") in found
    too_old = [f for f in findings(site) if f["kind"] == "source_too_old"]
    assert [(f["page"], f["line"]) for f in too_old] == [("index.md", 5)]
    assert not any(k == "invalid_identifier" and "good" in m for k, _, _, m in found)
    uncited = [f for f in findings(site) if f["kind"] == "uncited_entry"]
    assert uncited[0]["severity"] == "info"
    # the editors' remark stays out of the page, and by default so does any mark (see the next test)
    entry = soup(site.html()).select_one("#ref-unverified")
    assert "Reprinted 2021" in entry.get_text() and "PMID not verified" not in entry.get_text()
    assert entry.select_one(".reference-unverified") is None


def test_a_site_can_show_readers_a_neutral_not_fully_verified_mark(site):
    site.bib(SOURCES)
    site.config({"show_unverified": True, "report_findings": False})
    site.page("index.md", "[Two]{.claim #two verdict=supported} [@unverified].\n")
    site.build()
    entry = soup(site.html()).select_one("#ref-unverified")
    assert entry.select_one(".reference-unverified").get_text() == "Not fully verified"
    assert "PMID not verified" not in site.html()  # the mark, never the remark
    report = soup(site.html("factcheck-report/index.html"))
    assert report.select_one("#source-unverified .reference-unverified") is not None
    assert "PMID not verified" not in report.get_text()
    published = json.loads((site.site_dir / "factcheck.json").read_text())
    assert next(s for s in published["sources"] if s["key"] == "unverified")["unverified"] is True
    assert "PMID not verified" not in json.dumps(published)


def test_report_page_and_json(site):
    site.bib(SOURCES)
    site.config()
    site.page(
        "index.md",
        "[One <b>bold</b>]{.claim #one verdict=supported} [@good].\n\n[Two]{.claim #two verdict=contradicted}"
        " [@nope].\n",
    )
    site.page("sub/other.md", "[Three]{.claim #three verdict=partly-supported} [@good; @unverified]. [@badurl]\n")
    site.build()
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["one", "two", "three"]
    assert data["claims"][2] | {"text": None} == {
        "id": "three",
        "page": "sub/other.md",
        "url": "sub/other/",
        "line": 1,
        "text": None,
        "verdict": "partly-supported",
        "note": "",
        "cites": ["good", "unverified"],
    }
    good = next(s for s in data["sources"] if s["key"] == "good")
    assert good["cited_by"] == ["one", "three"] and good["cited_on"] == ["index.md", "sub/other.md"]
    assert data["summary"]["by_verdict"] == {"supported": 1, "partly-supported": 1, "unsupported": 0, "contradicted": 1}
    assert {"kind", "severity", "message"} <= set(data["findings"][0])
    report = soup(site.html("factcheck-report/index.html"))
    rows = report.select("table.factcheck-claims tbody tr")
    assert len(rows) == 3
    assert rows[0].select_one("a")["href"] == "../#one"
    assert rows[2].select_one("a")["href"] == "../sub/other/#three"
    assert "claim 'two' cites only unknown keys: nope" in rows[1].get_text()
    assert report.select_one("#source-good").get_text().count("one") >= 1
    assert "One bold" in rows[0].get_text()  # the claim's text, without its markup
    assert "Good (2020)" in report.select_one("#source-good").get_text()
    assert "()" not in report.select_one("#source-badurl").get_text()  # no year: no empty brackets
    assert "The same data is in factcheck.json." in report.get_text()


def test_summary_box_on_pages_with_claims(bib_site):
    bib_site.page(
        "index.md",
        "---\nreviewed: 2026-11-26\n---\n\n# Article\n\n[A]{.claim #a verdict=supported} [@onji1987]. [B]{.claim #b"
        " verdict=contradicted} [@onji1987].\n",
    )
    bib_site.page("plain.md", "# Plain\n\nNo claims [@onji1987].\n")
    bib_site.build()
    box = soup(bib_site.html()).select_one("aside.factcheck-summary")
    assert box.find_previous("h1").get_text().startswith("Article")  # under the title
    assert "2 claims reviewed on 2026-11-26" in box.get_text()
    assert [b.get_text() for b in box.select(".verdict-label")] == ["Supported", "Contradicted"]
    assert box.select_one("a")["href"] == "factcheck-report/"
    assert soup(bib_site.html("plain/index.html")).select_one("aside.factcheck-summary") is None


def test_summary_line_at_the_end_of_the_build(bib_site, warnings):
    bib_site.page("index.md", "[A]{.claim #a verdict=supported} [@onji1987].\n")
    bib_site.build()
    import logging

    lines = [m for m in warnings(logging.INFO) if "claim (" in m]
    assert lines and lines[-1].startswith("mkdocs_factcheck: 1 claim (1 supported); 1 of 7 sources cited; findings: ")


def test_findings_in_the_page_during_serve(bib_site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    bib_site.config({"show_findings_in_page": True})
    bib_site.page(
        "index.md", "Unknown [@nope].\n\nA study found that 45% agree.\n\n[No verdict]{.claim #c} [@onji1987].\n"
    )
    config = load_config(str(bib_site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    notes = [n.get_text() for n in soup(bib_site.html()).select(".factcheck-finding")]
    assert any("index.md:1: unknown citation key 'nope'" in n for n in notes)
    assert any("index.md:3: citation needed" in n for n in notes)
    assert any("index.md:5: claim 'c' has no verdict" in n for n in notes)
    # an ordinary build never shows them to readers
    config = load_config(str(bib_site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    assert soup(bib_site.html()).select(".factcheck-finding") == []


def test_a_clean_site_has_no_findings(bib_site, warnings):
    """The other side of every check: sound claims, sources and prose produce nothing."""
    bib_site.config({"max_source_age": 100, "findings": {"uncited_entry": "warning"}})
    bib_site.page(
        "index.md",
        """
        # A clean page

        [Onji treated patients]{.claim #a verdict=supported note="As reported."} [@onji1987; @mueller2001].
        In 1987 about 45% of them improved [@onji1987, p. 3]. Ordinary prose needs nothing.

        ::: {.claim #b verdict=unsupported}
        A block claim [@parent2010; @child2010].
        :::

        See also @web2020 and [@smith:2000.a; @{odd.key.}].
        """,
    )
    bib_site.build(strict=True)
    assert findings(bib_site) == []
    assert warnings() == []


def test_duplicate_claim_ids(bib_site):
    bib_site.page("index.md", "[One]{.claim #same verdict=supported} [@onji1987].\n")
    bib_site.page("two.md", "[Two]{.claim #same verdict=supported} [@onji1987].\n")
    bib_site.build()
    found = [f for f in findings(bib_site) if f["kind"] == "duplicate_claim_id"]
    assert [(f["page"], f["line"]) for f in found] == [("two.md", 1)]
    assert found[0]["message"] == "claim id 'same' is used by another claim, at index.md:1"  # where the other is


def test_a_large_shared_bibliography_is_summed_up(site):
    entries = "\n".join(f"@misc{{e{n}, title={{Entry {n}}}}}" for n in range(40))
    site.bib(entries)
    site.config()
    site.page("index.md", "[A]{.claim #a verdict=supported} [@e0].\n")
    site.build()
    uncited = [f for f in findings(site) if f["kind"] == "uncited_entry"]
    assert [(f["file"], f["line"], f["message"]) for f in uncited] == [
        ("references.bib", 2, "39 entries are never cited: 'e1', 'e2', 'e3', 'e4', 'e5' and 34 more")
    ]
    report = soup(site.html("factcheck-report/index.html"))
    assert [row["id"] for row in report.select("table.factcheck-sources tbody tr")] == ["source-e0"]
    assert "39 entries of the bibliography are never cited" in report.get_text()
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    assert [s["key"] for s in data["sources"]] == ["e0"] and data["summary"]["sources"] == 40
    assert data["uncited_sources"] == [
        {"file": "references.bib", "count": 39, "keys": " ".join(f"e{n}" for n in range(1, 40))}
    ]


def test_claims_of_a_nested_conversion_count_for_the_page(bib_site):
    """A conversion nested in a page's build (mkdocstrings, excerpts) has a page state of its own; its
    claims belong to the page it is shown in: in the page's JSON-LD and summary, next to the page's own."""
    nested_conversion_hook(bib_site, "[Nested claim]{.claim #nested verdict=contradicted} [@mueller2001].", shown=True)
    bib_site.config(extra={"hooks": ["hooks.py"]})
    bib_site.page("index.md", "# Article\n\n[Own claim]{.claim #own verdict=supported} [@onji1987].\n")
    bib_site.build()
    page = soup(bib_site.html())
    (script,) = page.select("script.factcheck-claimreview")
    assert sorted(review["claimReviewed"] for review in json.loads(script.string)) == ["Nested claim", "Own claim"]
    box = page.select_one("aside.factcheck-summary")
    assert sorted(b.get_text() for b in box.select(".verdict-label")) == ["Contradicted", "Supported"]


def test_the_report_reads_uncited_entries_titles_as_text(site):
    """An entry nobody cites is listed in the report and factcheck.json too: its title as text, never
    its LaTeX (a CSL-JSON title's <i> is LaTeX once read)."""
    site.bib(
        "@article{cited, author = {A, B}, title = {Cited}, journal = {J}, year = {2020}}\n@article{latex, author = {A,"
        " B}, title = {A study of \\textit{IL-2} in H$_2$O}, journal = {J}, year = {2021}}\n"
    )
    site.write(
        "more.json",
        '[{"id": "html", "type": "report", "title": "Global report on <i>things</i>", "issued": {"date-parts":'
        " [[2022]]}}]",
    )
    site.config({"bibliography": ["references.bib", "more.json"]})
    site.page("index.md", "One [@cited].\n")
    site.build()
    titles = {s["key"]: s["title"] for s in json.loads((site.site_dir / "factcheck.json").read_text())["sources"]}
    assert titles["latex"] == "A study of IL-2 in H₂O" and titles["html"] == "Global report on things"
    report = soup(site.html("factcheck-report/index.html")).get_text()
    assert "A study of IL-2 in H₂O" in report and "\\" not in report


def test_a_blog_post_with_a_claim_builds_strict_and_is_told_once(bib_site, warnings):
    """Material's blog plugin converts each post again for its excerpt, outside any page of ours: that
    conversion renders as the site does but tells nothing (its claim's id is no duplicate, its unknown
    key is the post's, said once at the post's line)."""
    bib_site.page("blog/index.md", "# Blog\n")
    bib_site.page(
        "blog/posts/first.md",
        "---\ndate: 2026-11-20\n---\n# First\n\nA post [@onji1987] and [@nope].\n\n<!-- more -->\n\n[The claim]{.claim"
        " #post-claim verdict=supported} [@onji1987].\n",
    )
    bib_site.config(extra={"nav": ["index.md", "blog/index.md"]})
    config = (bib_site.root / "mkdocs.yml").read_text().replace("plugins:\n", "plugins:\n- blog\n", 1)
    (bib_site.root / "mkdocs.yml").write_text(config)
    bib_site.build()
    told = [m for m in warnings() if "[duplicate_claim_id]" in m or "nope" in m or "<page>" in m]
    assert told == ["mkdocs_factcheck: blog/posts/first.md:6: unknown citation key 'nope' [unknown_key]"], told
    assert [c["id"] for c in json.loads((bib_site.site_dir / "factcheck.json").read_text())["claims"]] == ["post-claim"]
    assert "citation-ref" in bib_site.html("blog/index.html")  # the excerpt's citations render as the post's


def test_a_claim_holding_a_footnote_mark_keeps_its_words_and_its_line(bib_site):
    """A footnote's number is no word of the claim (it was glued on: 'a footnote1'), and the claim is
    found at its own line, not at the next claim's."""
    bib_site.page(
        "index.md",
        "Intro.\n\n[A claim with a footnote[^n]]{.claim #d1 verdict=supported} [@onji1987].\n\n[Next]{.claim #d2"
        " verdict=supported} [@onji1987].\n\n[^n]: The note.\n",
    )
    bib_site.build()
    claims = {c["id"]: c for c in json.loads((bib_site.site_dir / "factcheck.json").read_text())["claims"]}
    assert claims["d1"]["text"] == "A claim with a footnote" and claims["d1"]["line"] == 3
    assert claims["d2"]["line"] == 5
