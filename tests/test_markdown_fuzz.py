"""Fuzzed pages (issue 15): every syntax form mixed with raw HTML, code, escapes, autolinks and unicode.
Whatever the mix, no Python-Markdown placeholder reaches the output, raw HTML is unchanged, every key
and claim of the source is still there, and the HTML is as balanced as without the extension."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_factcheck.markdown.extension import FactcheckExtension

PLACEHOLDERS = re.compile("[\x02\x03]|klzzwxh|wzxhzdk")
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source", "track", "param"}
BIB = (
    "@article{a, author = {Alpha, Ann}, title = {First}, journal = {J}, year = {2000}}\n@article{b, author = {Beta,"
    " Bob}, title = {Second}, journal = {J}, year = {2001}}\n"
)

RAW_HTML = [
    '<span title="[@a]">tip</span>',
    '<a href="https://e.org/[@a]">link</a>',
    '<abbr title="@a [p. 3]; [x]{.claim}">ab</abbr>',
    "<b>bold</b>",
    '<i data-x="-@b">i</i>',
]
TEXT = [
    "`[@a]`",
    "`@b [p. 3]`",
    "\\[@a\\]",
    "\\@a",
    "\\*",
    "<https://x.org/@a>",
    "<jane\\@example.org>",
    "jane@example.org",
    "ünïcödé “quoted” — dash",
    "*emph*",
    "**strong**",
    "[a link](https://x.org)",
    "[",
    "]",
    "(",
    ";",
    "&amp;",
    "x.@a",
]
CITATIONS = [
    "[@a]",
    "[see @a, p. 3\\*; -@b]",
    "@a",
    "-@b",
    "@a [p. 33; @b]",
    "@b [see @a]",
    "[see `x` @a]",
    "@a [[@b]]",
    "@a [<https://x.org>]",
    "[@a, p. \\[89\\]]",
    "[*see* @b, p. **32**]",
    "[@a and nowhere else]",
]


def build_page(integer, choice, first_claim: int = 0) -> tuple[str, list[str], list[str]]:
    """(Markdown, raw HTML tags in it, claim texts in it): one to four blocks of every form mixed, as
    `integer(low, high)` and `choice(options)` choose (hypothesis draws, or a seeded random)."""
    html_used, claims, blocks = [], [], []
    for number in range(integer(1, 4)):
        parts = []
        for _ in range(integer(1, 8)):
            kind = choice(["text", "citation", "html", "claim"])
            if kind == "html":
                parts.append(choice(RAW_HTML))
                html_used.append(parts[-1])
            elif kind == "citation":
                parts.append(choice(CITATIONS))
            elif kind == "claim":
                claim = f"claim number {number}{first_claim + len(claims)}"
                inner = choice(["", " [@a]", " `code`"])
                parts.append(f'[{claim}{inner}]{{.claim verdict=supported note="*n* `c` \\*"}}')
                claims.append(claim)
            else:
                parts.append(choice(TEXT))
        text = " ".join(parts)
        shape = choice(["paragraph", "list", "block claim", "quote"])
        if shape == "list":
            text = "- " + text
        elif shape == "quote":
            text = "> " + text
        elif shape == "block claim":
            text = f"::: {{.claim verdict=supported}}\n{text}\n:::"
        blocks.append(text)
    return "\n\n".join(blocks), html_used, claims


@st.composite
def page(draw) -> tuple[str, list[str], list[str]]:
    return build_page(lambda low, high: draw(st.integers(low, high)), lambda options: draw(st.sampled_from(options)))


class Balance(HTMLParser):
    """Tags closed without being open, or left open: 0 for balanced HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.defects = 0

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                self.defects += 1
        else:
            self.defects += 1


def defects(html: str) -> int:
    parser = Balance()
    parser.feed(html)
    parser.close()
    return parser.defects + len(parser.stack)


@pytest.fixture(scope="module")
def converters(tmp_path_factory):
    bib = tmp_path_factory.mktemp("fuzz") / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    extension = FactcheckExtension(bibliography=[str(bib)])
    ours = markdown.Markdown(extensions=["attr_list", extension])
    plain = markdown.Markdown(extensions=["attr_list"])

    def convert(md, text):
        md.reset()
        return md.convert(text)

    return (lambda text: convert(ours, text)), (lambda text: convert(plain, text)), extension


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(page())
def test_fuzzed_pages(converters, generated):
    assert_whole(converters, *generated)


def test_a_long_fuzzed_page(converters):
    """Hundreds of blocks of the same mix in one page (seeded): counts that only long pages reach, such as
    a thousand raw HTML tags (`wzxhzdk:1000`) or ten thousand inline nodes (`klzzwxh:10000`)."""
    import random

    rng = random.Random(1500)
    blocks, html_used, claims = [], [], []
    for _ in range(500):
        text, html, claim_texts = build_page(rng.randint, rng.choice, first_claim=len(claims))
        blocks.append(text)
        html_used += html
        claims += claim_texts
    assert len(html_used) > 1000
    assert_whole(converters, "\n\n".join(blocks), html_used, claims)


def assert_whole(converters, text: str, html_used: list[str], claims: list[str]) -> None:
    """No placeholder, raw HTML byte for byte, every claim and cited key still there, and the HTML no
    less balanced than without the extension."""
    ours, plain, extension = converters
    html = ours(text)
    assert not PLACEHOLDERS.search(html), html
    # Raw HTML byte for byte (tags as Python-Markdown keeps them), each as often as it was written.
    for piece, count in Counter(piece for raw in html_used for piece in re.findall(r"<[^>]*>", raw)).items():
        assert html.count(piece) >= count, (piece, html)
    page_state = extension.get_engine().pages[-1]
    for claim in page_state.claims:
        assert not PLACEHOLDERS.search(claim.text + claim.note), claim
        assert claim.note in ("", "n c *")  # block claims here have none
    texts = [claim.text for claim in page_state.claims]
    for claim in claims:
        assert any(claim in found for found in texts), (claim, texts)
        assert claim in html
    for key in ("a", "b"):
        cited = re.search(rf"(?<![\\`\w])-?@{key}\b", re.sub(r"`[^`]*`|<[^>]*>", "", text))
        if cited:
            assert re.search(rf'data-cites="[^"]*\b{key}\b', html) or f"@{key}" in html, (key, html)
    assert defects(html) <= defects(plain(text))


# Tokens that tear Python-Markdown's emphasis and placeholders apart, and block syntax of other extensions.
HOSTILE = [
    "*",
    "_",
    "**",
    "***",
    "`",
    "{",
    "}",
    "{.claim}",
    "[x]{.claim}",
    '[claim y]{.claim note="<b>n</b> *e*"}',
    "::: {.claim}",
    ":::",
    "[^1]",
    "\n\n[^1]: note [@a]\n\n",
    "| a | b |\n|---|---|\n| [@a] | x |\n",
    "*[ab]: abbr",
    "<div>\n[@a]\n</div>",
    "<!-- c -->",
    "&",
    "\\",
    "{#id}",
    "\n",
    "\n\n",
]


def test_hostile_mixes_convert_without_placeholders(tmp_path):
    """Token soup (seeded: the same 3,000 pages every run) with footnotes, tables, smarty and abbr: no
    traceback, no placeholder in the page. Tokens run into each other as often as not, which is what
    tears Python-Markdown's emphasis and placeholders apart."""
    import random

    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    extension = FactcheckExtension(bibliography=[str(bib)], citation_needed=False)
    md = markdown.Markdown(extensions=["attr_list", "footnotes", "tables", "smarty", "abbr", "admonition", extension])
    tokens = RAW_HTML + TEXT + CITATIONS + HOSTILE
    rng = random.Random(15)
    for _ in range(3000):
        text = "".join(rng.choice(tokens) + rng.choice(["", " ", " ", "\n"]) for _ in range(rng.randint(1, 25)))
        md.reset()
        html = md.convert(text)
        assert not re.search("[\x02\x03]|klzz|wzxhzdk", html), (text, html)
