"""Hostile Markdown (issue 15): raw HTML stays byte for byte, no Python-Markdown placeholder reaches
readers or reports, nothing is lost, and unreadable claims are reported."""

import json
import re

import markdown
import pytest
from conftest import soup

from mkdocs_factcheck.markdown.extension import FactcheckExtension
from mkdocs_factcheck.markdown.inline import BracketedSpanProcessor

PLACEHOLDERS = re.compile("[\x02\x03]|klzzwxh|wzxhzdk")
BIB = """
@article{a, author = {Alpha, Ann}, title = {First}, journal = {J}, year = {2000}}
@article{b, author = {Beta, Bob}, title = {Second}, journal = {J}, year = {2001}}
"""


@pytest.fixture
def convert(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")

    def run(text: str, plain: bool = False) -> str:
        extensions: list = ["attr_list"]
        if not plain:
            extensions.append(FactcheckExtension(bibliography=[str(tmp_path / "refs.bib")], citation_needed=False))
        return markdown.Markdown(extensions=extensions).convert(text)

    return run


def body(html: str) -> str:
    """The page without its bibliography."""
    return html.split('<div class="references')[0]


@pytest.mark.parametrize(
    "text",
    [
        'A <span title="[@a]">tip</span> here.',
        'A <a href="https://e.org/[@a]">link</a>.',
        'A <span title="[x]{.claim}">tip</span>.',
        'A <abbr title="@a [p. 3]; [see @b]">x</abbr> and <b data-x="-@a">y</b>.',
        'A <span title="\\@a">x</span>.',
    ],
)
def test_citations_and_spans_in_raw_html_leave_it_byte_for_byte(convert, text):
    assert body(convert(text)) == convert(text, plain=True)


@pytest.mark.parametrize(
    ("text", "shown", "keys"),
    [
        ("[@a, p. 3\\*]", "[1, p. 3*]", ["a"]),
        ("[see `x` @a]", "[see x 1]", ["a"]),
        ("@a [[@b]]", "Alpha [1, [2]]", ["a", "b"]),
        ("@a [<https://x.org>]", "Alpha [1, https://x.org]", ["a"]),
        ("[@a, p. \\[89\\]]", "[1, p. [89]]", ["a"]),
        ("[*see* @a, p. **32**]", "[see 1, p. 32]", ["a"]),
    ],
)
def test_no_placeholder_leaks_and_nothing_is_lost(convert, text, shown, keys):
    html = convert(text)
    assert not PLACEHOLDERS.search(html), html
    page = soup(html)
    assert page.select_one("p span.citation").get_text() == shown
    assert [li["data-key"] for li in page.select("li.reference")] == keys


def test_prefixes_and_suffixes_are_rendered_from_their_markdown(convert):
    citation = soup(convert("[*see* `x` @a, p. **32**, [docs](https://d.org)]")).select_one("span.citation")
    assert citation.select_one("em").get_text() == "see" and citation.select_one("code").get_text() == "x"
    assert citation.select_one("strong").get_text() == "32"
    assert citation.select_one('a[href="https://d.org"]').get_text() == "docs"


def test_escaped_at_keeps_autolinks(convert):
    text = "Write to <jane\\@example.org> or <https://x.org/@a>; \\@a is text."
    html = convert(text)
    assert body(html) == convert(text, plain=True).replace("\\@a is", "@a is")
    assert soup(html).select("span.citation") == []


def test_note_html_and_escapes_reach_json_as_text(bib_site):
    bib_site.page(
        "index.md",
        """
        Rates fell by half in 2020 [@onji1987].
        {: .claim #fell verdict=supported note="<b>Most</b> of it \\*" }

        [Second claim]{.claim #second verdict=supported note="*see* `x` \\*"} [@mueller2001].

        In 2020 about 45 percent of \\@name readers found it.
        """,
    )
    bib_site.build()
    report = json.loads((bib_site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    assert not PLACEHOLDERS.search(json.dumps(report)), report
    notes = {claim["id"]: claim["note"] for claim in report["claims"]}
    assert notes == {"fell": "<b>Most</b> of it *", "second": "see x *"}
    html = bib_site.html()
    assert not PLACEHOLDERS.search(html)
    reviews = json.loads(soup(html).select_one("script.factcheck-claimreview").string)
    assert {review["reviewBody"] for review in reviews} == {"<b>Most</b> of it *", "see x *"}
    (needed,) = [f["message"] for f in report["findings"] if f["kind"] == "citation_needed"]
    assert "@name readers" in needed


@pytest.mark.parametrize(
    "text",
    [
        'Intro.\n\n[Rates fell]{.claim #c"4 verdict=supported} [@onji1987].\n',
        'Intro.\n\n::: {.claim #c"4 verdict=supported}\nRates fell [@onji1987].\n:::\n',
        'Intro.\n\n[Rates fell in 45 patients]{.claim #c"4 verdict=supported} in the trial.\n',
    ],
)
def test_a_claim_with_malformed_attributes_is_reported_where_it_is(bib_site, warnings, text):
    bib_site.page("index.md", text)
    bib_site.build()
    assert not [m for m in warnings() if "[citation_needed]" in m]  # a claim all the same, told once
    found = [m for m in warnings() if "[malformed_claim]" in m]
    assert len(found) == 1 and found[0].startswith("mkdocs_factcheck: index.md:3: claim attributes cannot be read"), (
        found
    )
    assert '#c"4' in found[0]
    assert 'c"4' in soup(bib_site.html()).get_text()  # the text stays in the page


def test_pandoc_forms(convert):
    page = soup(convert("-@a says. [@b and nowhere else]. @a [p. 33; @b]. @a [see @b]."))
    shown = [(g["data-cites"], g.get_text()) for g in page.select("p span.citation")]
    assert shown == [
        ("a", "[1]"),
        ("b", "[2 and nowhere else]"),
        ("a b", "Alpha [1, p. 33; 2]"),
        ("a b", "Alpha [1; see 2]"),
    ]
    assert page.select_one("p").get_text().startswith("[1] says")  # no stray `-`


def test_example_list_labels_are_not_citations(convert):
    html = convert("(@a) An example of a thing.\n\nAs (@a) shows, and @b too.")
    assert [g["data-cites"] for g in soup(html).select("span.citation")] == ["b"]
    assert "(@a) An example" in html


def test_a_run_of_citations_reads_as_separate_citations(convert):
    """Citations separated by plain text are taken in one inline match (linear time); the page must
    not show it: each is a sibling in its paragraph, emphasis around them still works."""
    page = soup(
        convert("*see [@a] and [@b]* then [@a], [@b]; @a (and @b). [Claim]{.claim verdict=supported} [@a], [@b].")
    )
    paragraph = next(
        p for p in page.select("p") if not p.find_parent(class_="factcheck-summary")
    )  # the page's own, not the summary's
    assert [g["data-cites"] for g in paragraph.select("em > span.citation")] == ["a", "b"]
    assert [g["data-cites"] for g in paragraph.find_all("span", class_="citation", recursive=False)] == [
        "a",
        "b",
        "a",
        "b",
        "a",
        "b",
    ]
    assert "then [1], [2]; Alpha [1] (and Beta [2])." in paragraph.get_text()
    assert not page.select("[data-factcheck-run], [data-factcheck-piece]")


def test_claim_text_reads_autolinked_addresses_as_text(bib_site):
    bib_site.page("index.md", "::: {.claim #mail verdict=supported}\nWrite to <jane@example.org> [@onji1987].\n:::\n")
    bib_site.build()
    report = json.loads((bib_site.site_dir / "factcheck.json").read_text(encoding="utf-8"))
    assert report["claims"][0]["text"] == "Write to jane@example.org."
    assert "&#106;&#97;&#110;&#101;" in bib_site.html()  # the page keeps Python-Markdown's entities


@pytest.mark.parametrize(("text", "shown"), [("[@a {.y}]", "[1 {.y}]"), ("[{.y} @a]", "[{.y} 1]")])
def test_attribute_like_prefixes_and_suffixes_stay_text(convert, text, shown):
    """A prefix or suffix is text as pandoc reads it: attr_list must not take a `{...}` that opens it
    (it did when pieces were tails of marker elements)."""
    assert soup(convert(text)).select_one("span.citation").get_text() == shown


def test_later_tree_processors_still_read_prefixes_suffixes_and_text_between(tmp_path):
    """Pieces no inline pattern would change skip Python-Markdown's inline pass (most of a citation's
    cost); smarty and abbr, which run after it, must still read them."""
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    extension = FactcheckExtension(bibliography=[str(tmp_path / "refs.bib")], citation_needed=False)
    md = markdown.Markdown(extensions=["attr_list", "abbr", "smarty", extension])
    html = md.convert("[see WHO @a, p. 3...] and WHO... @b. [So WHO...]{.x}\n\n*[WHO]: World Health Organization\n")
    paragraph = soup(html).select_one("p")
    assert len(paragraph.select("abbr")) == 3  # in the prefix, in the text between, in the span
    assert "and WHO\u2026 Beta" in paragraph.get_text()
    assert paragraph.select_one("span.x").get_text() == "So WHO\u2026" and "data-factcheck-passed-over" not in html


@pytest.mark.parametrize(
    "text",
    [
        "[One]{.claim verdict=supported} [@a]. [Two]{.claim verdict=supported} [@b], [@a]. [x]{.y}",
        "[see [x]{.y} and [z]{.w} @a] and [x]{.y} -@a [z]{.w}",
        "[@a][z]{.w} [x]{.y} @b [p. 3][z]{.w} [x]{.y} [q]{.r}{.s} end",
        "[a]{.b} `c` [d](https://e.org) [f]{.g} [[h]{.i}]{.j} [k]{.l}\n[m]{.n}",
    ],
)
def test_spans_taken_in_one_match_render_as_one_by_one(convert, monkeypatch, text):
    """Spans with plain text and citations between are one inline match (Python-Markdown copies the
    paragraph after each match); the page must be as if each were taken alone."""
    together = convert(text)
    monkeypatch.setattr(BracketedSpanProcessor, "following", lambda self, data, first, end: [])
    assert together == convert(text)


def test_a_span_in_a_span_is_a_span(convert):
    """As in pandoc; the inner one was left as text when each span was its own inline match."""
    page = soup(convert("[[h]{.i} and [@a]]{.j} [x]{.k}"))
    assert page.select_one("span.j > span.i").get_text() == "h" and page.select_one("span.j span.citation")


@pytest.mark.parametrize(
    "text", ["*x *e* _ [@a] and [@b] *e*", "*x *e* _ `c` *e*", "*x *e* _ [x]{.claim} *e*", "*x *e* _ <b>c</b> *e*"]
)
def test_a_placeholder_python_markdown_breaks_is_put_back(convert, text):
    """Python-Markdown's emphasis eats the first character of an inline placeholder in `*x *e* _ ...`
    (plain Python-Markdown prints `klzzwxh:0000` for a code span there): what it stood for is restored."""
    assert "klzzwxh" in convert(
        text.replace("[@a] and [@b]", "`c`").replace("[x]{.claim}", "`c`"), plain=True
    )  # upstream
    html = convert(text)
    assert not PLACEHOLDERS.search(html), html
    page = soup(html)
    if "@a" in text:
        assert [span["data-cites"] for span in page.select("span.citation")] == ["a", "b"]
    assert ("<code>c</code>" in html) == ("`c`" in text) and ("<b>c</b>" in html) == ("<b>c</b>" in text)


def test_an_attribute_without_a_value_is_no_traceback(convert):
    """attr_list leaves a bare name's value None (`{{.claim}`): the cleanup reads attributes with care."""
    html = convert('[claim y]{.claim note="<b>n</b> *e*"} {\n<https://x.org/@a>{{.claim}-@b')
    assert "claim y" in html and 'data-cites="b"' in html


@pytest.mark.parametrize(
    "text, kept",
    [
        (
            '\\@a\n*[see *e*"}\n* <abbr title="@a [x]{.claim}">ab</abbr> *emph*\n\\* \\*[*see* @b, **32**]',
            "<abbr",
        ),  # emphasis closed inside one
        ("*{.claim} **strong** _\n[*see* `x` @a] *emph*\n_", "<code>x</code>"),  # one inside what was put back
    ],
)
def test_placeholders_torn_apart_by_emphasis_are_put_back(convert, text, kept):
    html = convert(text)
    assert not re.search("[\x02\x03]|klzz|wzxhzdk", html), html
    assert kept in html


@pytest.mark.parametrize("cited", [True, False])
def test_a_page_with_a_thousand_raw_html_tags_keeps_each_of_them(convert, cited):
    """Raw HTML placeholders count up without padding (`wzxhzdk:1234`) and so end like an inline one
    whose start emphasis ate (`k:1234`): from the 1,000th tag, the repair took each for an inline node
    and put that node in its place a second time (raw HTML lost, a citation rendered twice, a traceback)."""
    cite = " [@a]" if cited else ""
    text = "".join(f"<span>r{i}</span> *e* `c`{cite}\n\n" for i in range(1100))
    html = convert(text)
    for shown in (r"<span>r\d+</span>", "<em>e</em>", "<code>c</code>"):
        assert len(re.findall(shown, body(html))) == 1100, shown
    assert len(soup(body(html)).select("span.citation")) == (1100 if cited else 0)
    assert not PLACEHOLDERS.search(html)


def test_a_torn_placeholder_past_the_ten_thousandth_is_put_back(convert):
    """Inline placeholders have five digits from the 10,000th node of a page (`klzzwxh:10000`)."""
    text = "`c` " * 10_000 + "\n\n*x *e* _ `d` *e*"
    html = convert(text)
    assert not PLACEHOLDERS.search(html) and "<code>d</code>" in html and html.count("<code>c</code>") == 10_000


def test_raw_html_in_an_attribute_list_leaves_no_placeholder_name(convert):
    """attr_list turns raw HTML written inside `{...}` into an attribute name holding the placeholder
    (`_wzxhzdk:0_i_wzxhzdk:1_`), plain Python-Markdown too: no such name reaches the page."""
    assert "wzxhzdk" in convert('*x*{ <i data-x="y">i</i> .c}', plain=True)  # upstream
    html = convert('*x*{ <i data-x="y">i</i> .c} and [claim]{.claim}{ <b>b</b> x.@a}')
    assert not PLACEHOLDERS.search(html), html
    assert '<em class="c">x</em>' in html and "claim" in html


def test_a_paragraph_claim_without_attr_list_is_reported(tmp_path, caplog):
    """Plain Python-Markdown without attr_list leaves `{: .claim ...}` as text: no claim is made, and
    the editor is told where and why."""
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    extension = FactcheckExtension(bibliography=[str(tmp_path / "refs.bib")], citation_needed=False)
    with caplog.at_level("WARNING"):
        html = markdown.Markdown(extensions=[extension]).convert(
            "Intro.\n\nRates fell [@a].\n{: .claim #fell verdict=supported}\n"
        )
    (message,) = [record.getMessage() for record in caplog.records if "[malformed_claim]" in record.getMessage()]
    assert message.startswith("<page>:4: claim attributes cannot be read") and "attr_list" in message
    assert "{: .claim #fell" in html and 'class="claim"' not in html


def test_a_quote_escaped_in_a_note_is_a_quote(tmp_path):
    """`note="Say \"hi\"."`, as pandoc reads it, in an inline claim and in a paragraph's attribute list
    (attr_list knows no escapes): a claim whose note holds the quotes, not a malformed claim."""
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    extension = FactcheckExtension(bibliography=[str(tmp_path / "refs.bib")], citation_needed=False)
    md = markdown.Markdown(extensions=["attr_list", extension])
    html = md.convert(
        '[Claim one]{.claim #one verdict=supported note="Say \\"hi\\"."} [@a].\n\nPara [@b].\n{: .claim #two'
        ' verdict=supported note="It\'s \\"two\\" & <b>more</b>."}\n'
    )
    claims = {claim.id: claim.note for claim in extension.get_engine().pages[-1].claims}
    assert claims == {"one": 'Say "hi".', "two": 'It\'s "two" & <b>more</b>.'}
    notes = [note.get_text() for note in soup(html).select(".claim-note")]
    assert notes == ['Say "hi"', 'It\'s "two" & <b>more</b>.'], notes
    assert "\\" not in soup(html).get_text() and "quotes_" not in html


def test_a_malformed_claim_holding_html_is_told_at_its_line_without_placeholders(bib_site, warnings):
    bib_site.page(
        "index.md",
        'Intro.\n\n[One]{.claim #a verdict=supported} [@onji1987].\n\n[Two]{.claim #c"4 note="<b>z</b> `c`"} here.\n',
    )
    bib_site.build()
    (found,) = [m for m in warnings() if "[malformed_claim]" in m]
    assert found.startswith("mkdocs_factcheck: index.md:5: claim attributes cannot be read"), found
    assert not PLACEHOLDERS.search(found) and "<b>z</b>" in found


def test_a_footnote_that_marks_itself_renders_its_citation_once(tmp_path):
    """Citations in a footnote are numbered where the note is marked; a note holding its own mark (or
    one no text marks) is read once all the same."""
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    md = markdown.Markdown(
        extensions=["footnotes", FactcheckExtension(bibliography=[str(tmp_path / "refs.bib")], citation_needed=False)]
    )
    html = md.convert("Text [@b].\n\n[^1]: A note [@a] marking itself[^1].\n\n[^2]: Unmarked [@b].\n")
    assert [span["data-cites"] for span in soup(html).select("span.citation")] == ["b", "a", "b"]
    assert not PLACEHOLDERS.search(html)
