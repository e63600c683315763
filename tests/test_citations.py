"""Citations in real MkDocs builds: every syntax form, where they may appear, what they render."""

import json
import logging
import re

from conftest import BIB, soup


def citations(html):
    return soup(html).select("span.citation")


def test_every_syntax_form(bib_site):
    bib_site.page(
        "index.md",
        """
        # Forms

        One [@onji1987]. Two [@onji1987; @mueller2001]. Locators [see @onji1987, pp. 33-35; also @mueller2001, chap. 1].
        Suppressed [-@onji1987]. Narrative @mueller2001 says, and @onji1987 [p. 33] too.
        Punctuation keys [@smith:2000.a] and braced @{odd.key.} and escaped \\@onji1987.
        """,
    )
    bib_site.build()
    page = soup(bib_site.html())
    groups = page.select("span.citation")
    assert [g["data-cites"] for g in groups] == [
        "onji1987",
        "onji1987 mueller2001",
        "onji1987 mueller2001",
        "onji1987",
        "mueller2001",
        "onji1987",
        "smith:2000.a",
        "odd.key.",
    ]
    text = [g.get_text() for g in groups]
    assert text[0] == "[1]"
    assert text[1] == "[1; 2]"
    assert text[2] == "[see 1, pp. 33\u201335; also 2, chap. 1]"
    assert text[3] == "[1]"
    assert text[4] == "Müller and García [2]"
    assert text[5] == "Onji et al. [1, p. 33]"
    assert "@onji1987" in page.get_text()  # the escaped one stays literal
    # every reference links to its entry, and every entry links back to each citing place
    for link in page.select("a.citation-ref"):
        target = page.find(id=link["href"][1:])
        assert target is not None and "reference" in target["class"]
        assert any(back["href"] == "#" + link["id"] for back in target.select("a.reference-backlink"))
    entry = page.find(id="ref-onji1987")
    assert len(entry.select("a.reference-backlink")) == 5


def test_code_email_and_html_are_untouched(bib_site):
    bib_site.page(
        "index.md",
        """
        Inline `[@onji1987]` and mail jane@onji1987.org and x.@onji1987 and <span title="@onji1987">raw</span> and <https://x.org/@onji1987>.

        ```python
        @onji1987
        def f(): return "[@onji1987]"
        ```

            [@mueller2001] in indented code

        <div>[@onji1987] in raw HTML</div>
        """,
    )
    bib_site.build()
    html = bib_site.html()
    assert citations(html) == []
    assert "[@onji1987]</code>" in html
    assert "jane@onji1987.org" in soup(html).get_text()
    assert "@onji1987\ndef f()" in soup(html).get_text()


def test_link_text_and_bare_urls_hold_citations_as_in_pandoc(bib_site):
    """Pandoc 3.9 reads `[@a](url)` as a link holding a citation, and `@user` after the `/` of a bare
    URL as a citation; inside link text the reference is no link of its own (links cannot nest)."""
    bib_site.page(
        "index.md", "[@onji1987](https://example.org) is a link; https://social.example/@mueller2001 is not.\n"
    )
    bib_site.build()
    page = soup(bib_site.html())
    link = page.select_one('p a[href="https://example.org"]')
    assert link.select_one("span.citation")["data-cites"] == "onji1987"
    assert link.select("a") == [] and link.select_one("span.citation-ref").get_text() == "1"
    assert [g["data-cites"] for g in page.select("p span.citation")] == ["onji1987", "mueller2001"]


def test_citations_in_lists_tables_admonitions_headings_footnotes(bib_site):
    bib_site.page(
        "index.md",
        """
        # Heading [@onji1987]

        - item [@mueller2001]

        | a | b |
        |---|---|
        | cell [@parent2010] | x |

        !!! note
            Inside an admonition [@web2020].

        A footnote.[^1]

        [^1]: Footnote text [@child2010].
        """,
    )
    bib_site.build()
    page = soup(bib_site.html())
    assert page.select("h1 span.citation")
    assert page.select("li span.citation")
    assert page.select("td span.citation")
    assert page.select(".admonition span.citation")
    assert page.select(".footnote span.citation")
    cited = {li["data-key"] for li in page.select("li.reference")}
    assert cited == {"onji1987", "mueller2001", "parent2010", "web2020", "child2010"}


def test_unknown_key_stays_visible_and_is_reported_with_line(bib_site, warnings):
    bib_site.page(
        "sub/page.md",
        """
        ---
        title: With front matter
        ---

        Fine [@onji1987].

        Broken [@onji1978; @mueller2001].
        """,
    )
    bib_site.build()
    html = bib_site.html("sub/page/index.html")
    marker = soup(html).select_one(".citation-unresolved")
    assert marker is not None and marker.get_text() == "@onji1978?"
    messages = [m for m in warnings() if "unknown citation key" in m]
    assert messages == [
        "mkdocs_factcheck: sub/page.md:7: unknown citation key 'onji1978' (did you mean 'onji1987'?) [unknown_key]"
    ]


def test_strict_build_fails_on_findings(bib_site):
    import pytest
    from mkdocs.exceptions import Abort

    bib_site.page("index.md", "Broken [@nope].\n")
    with pytest.raises(Abort):
        bib_site.build(strict=True)


def test_bibliography_fields_are_escaped_and_only_http_links(site):
    site.bib(r"""
        @misc{evil,
          title = {<script>alert(1)</script> & "quotes"},
          author = {Hacker, <img src=x onerror=alert(1)>},
          url = {javascript:alert(1)},
          howpublished = {\url{https://ok.example/a"b<c}}
        }
        """)
    site.config()
    site.page("index.md", "Cite [@evil].\n")
    site.build()
    html = site.html()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    page = soup(html)
    hrefs = [a["href"] for a in page.select("li.reference a[href]") if not a["href"].startswith("#")]
    assert hrefs == ['https://ok.example/a"b<c']  # escaped in the attribute, parsed back by the HTML parser
    assert '"b<c' not in re.sub(r"&quot;|&lt;", "", html.split('id="ref-evil"')[1].split("</li>")[0]).split("href=")[0]


def test_latex_strings_and_crossref_become_text(bib_site):
    bib_site.page("index.md", "[@onji1987] [@mueller2001] [@child2010]\n")
    bib_site.build()
    page = soup(bib_site.html())
    text = page.select_one("#ref-mueller2001").get_text()
    assert (
        "Müller" in text and "García" in text and "Æsthetic études über Straße" in text
    )  # titles as written (title_case)
    assert "Gut" in page.select_one("#ref-onji1987").get_text()
    child = page.select_one("#ref-child2010").get_text()
    assert "The Parent Book" in child and "Big Press" in child
    assert "Anne Smith" in child and "Bob Jones" in child  # names are inherited too (editor from the parent)


def test_identifiers_become_links(bib_site):
    bib_site.page("index.md", "[@onji1987] [@mueller2001] [@web2020] [@parent2010]\n")
    bib_site.build()
    page = soup(bib_site.html())
    links = {a["href"] for a in page.select(".reference-ids a")}
    assert "https://doi.org/10.1136/gut.28.12.1648" in links
    assert "https://pubmed.ncbi.nlm.nih.gov/3501387/" in links
    assert "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2275327/" in links
    assert "https://example.org/page" in links
    assert "ISBN 978-0-306-40615-7" in page.select_one("#ref-parent2010").get_text()


def test_tooltip_carries_the_full_reference(bib_site):
    bib_site.page("index.md", "[@onji1987]\n")
    bib_site.build()
    link = soup(bib_site.html()).select_one("a.citation-ref")
    assert "Effect of recombinant interleukin 2 on hepatitis B" in link["title"]


def test_bibliography_marker_places_the_list(bib_site):
    bib_site.page("index.md", "Text [@onji1987].\n\n::: {#refs}\n:::\n\nAfter the references.\n")
    bib_site.build()
    html = bib_site.html()
    assert html.index('id="ref-onji1987"') < html.index("After the references.")


def test_numbers_follow_reading_order_through_nested_blocks(bib_site, warnings):
    # Python-Markdown's inline pass reaches the admonition after the paragraph below it.
    bib_site.page(
        "index.md",
        """
        !!! note
            First cited inside an admonition [@onji1987].

        - a list [@mueller2001]

        Then a paragraph [@web2020] and [@nope].
        """,
    )
    bib_site.build()
    page = soup(bib_site.html())
    assert [a.get_text() for a in page.select("a.citation-ref")] == ["1", "2", "3"]
    assert [li["data-key"] for li in page.select("li.reference")] == ["onji1987", "mueller2001", "web2020"]
    assert "mkdocs_factcheck: index.md:6: unknown citation key 'nope' [unknown_key]" in warnings()


def test_page_bibliographies_stay_out_of_the_search_index(bib_site):
    bib_site.config(
        extra={"plugins": ["search", {"factcheck": {"bibliography": "references.bib", "online": {"enabled": False}}}]}
    )
    bib_site.page("index.md", "Text [@mueller2001].\n")
    bib_site.page("refs.md", "# All\n\n::: {#refs scope=site}\n:::\n")
    bib_site.build()
    index = json.loads((bib_site.site_dir / "search" / "search_index.json").read_text())
    found = [doc["location"] for doc in index["docs"] if "Journal of Accents" in doc["text"]]
    assert found and all(location.startswith("refs/") for location in found)


def test_generated_report_stays_out_of_the_search_index(site):
    site.bib(BIB)
    site.config(
        extra={"plugins": ["search", {"factcheck": {"bibliography": "references.bib", "online": {"enabled": False}}}]}
    )
    site.page("index.md", "# Home\n\n[Rates fell by half]{.claim verdict=supported} [@mueller2001].\n")
    site.build()
    index = json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "" in locations, locations  # the home page is indexed
    assert not any(location.startswith("factcheck-report") for location in locations), locations
    assert "Rates fell by half" in site.html("factcheck-report/index.html")


def test_links_to_bibliography_entries_pass_anchor_validation(bib_site, warnings):
    """The page's list of entries is written after the search plugin has read the page; MkDocs must
    still know its `ref-KEY` anchors when it validates links."""
    bib_site.config(extra={"validation": {"anchors": "warn"}})
    bib_site.page("index.md", "Text [@mueller2001]. See [the entry](#ref-mueller2001) and [nothing](#ref-absent).\n")
    bib_site.page("other.md", "From elsewhere: [the entry](index.md#ref-mueller2001).\n")
    bib_site.build()
    messages = warnings(logging.INFO)
    assert any("#ref-absent" in message for message in messages), messages  # validation did run
    assert not any("ref-mueller2001" in message for message in messages), messages
    page = soup(bib_site.html())
    assert page.select_one("li#ref-mueller2001 .reference-text")
    assert page.select_one("h2#references") and page.select_one("ol.references-list")


def test_search_reads_citations_as_text_and_indexes_the_same(bib_site, monkeypatch):
    """Material's search plugin is handed the page with citations as plain text (fewer tags to parse);
    the index it writes and the page readers get are the same as without that view."""
    import mkdocs_factcheck.mkdocs.plugin as plugin_module
    from mkdocs_factcheck.mkdocs.search_view import search_view

    bib_site.config(
        extra={
            "plugins": ["search", {"factcheck": {"bibliography": "references.bib", "online": {"enabled": False}}}],
            "markdown_extensions": ["attr_list"],
        }
    )
    bib_site.page(
        "index.md",
        "# Home\n\nText [@mueller2001; @onji1987] and @web2020 [p. 3] said so.\n\n## More\n\nAgain [see @onji1987, p."
        " 4].\n",
    )
    bib_site.page("marked.md", '# Marked\n\nA boosted paragraph [@onji1987].\n{: data-search-boost="2" }\n')

    def outputs() -> tuple[str, str, str]:
        bib_site.build()
        index = json.loads((bib_site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
        # The report page says when it was generated: not part of the comparison.
        index["docs"] = [doc for doc in index["docs"] if not doc["location"].startswith("factcheck-report")]
        return json.dumps(index), bib_site.html(), bib_site.html("marked/index.html")

    with_view = outputs()
    monkeypatch.setattr(plugin_module, "search_view", lambda html: None)
    without_view = outputs()
    assert with_view == without_view
    index, home, marked = with_view
    assert len(soup(home).select("a.citation-ref")) == 4  # the page readers get keeps its links
    assert 'data-search-boost="2"' not in marked  # handed to search as it is, which strips the attribute
    assert search_view(home).count("<a ") < home.count("<a ")  # the view does remove tags
    assert "[1; 2]" in index


def test_a_plugin_changing_the_search_view_is_warned_about(bib_site, warnings):
    """Between our two on_page_context handlers another plugin may change the page; the page keeps its
    citations (never plain text) and the build says so."""
    bib_site.write(
        "hooks.py",
        "def on_page_context(context, page, config, nav):\n"
        "    page.content = page.content + '<p>added by a hook</p>'\n"
        "    return context\n",
    )
    bib_site.config(extra={"hooks": ["hooks.py"]})
    bib_site.page("index.md", "Text [@onji1987].\n")
    bib_site.build()
    assert any("index.md: another plugin changed the page while search indexed it" in m for m in warnings())
    page = soup(bib_site.html())
    assert page.select_one("a.citation-ref") is not None and "added by a hook" not in bib_site.html()


def test_a_heading_with_a_citation_is_anchored_by_its_words(bib_site):
    """A citation's number changes as citations are added earlier in the site: the heading's anchor and
    its entry in the table of contents are its words without it, as toc leaves footnote marks out."""
    bib_site.page("index.md", "# Home\n\nFirst [@mueller2001].\n")
    bib_site.page("b.md", "# B\n\n## Doses [@onji1987] compared\n\nText.\n\n## Doses [@web2020] compared\n")
    bib_site.build()
    page = soup(bib_site.html("b/index.html"))
    assert [h["id"] for h in page.select("h2")][:2] == ["doses-compared", "doses-compared_1"]
    assert page.select_one("h2 span.citation a.citation-ref") is not None  # the citation itself stays
    toc = [" ".join(a.get_text().split()) for a in page.select("nav.md-nav--secondary a.md-nav__link")]
    assert "Doses compared" in toc, toc
