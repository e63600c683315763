"""Titles' markup as records carry it (Crossref's JATS with MathML, PubMed's HTML), read in the order a
reader reads it, as CSL rich text and as plain text, and in one pass whatever the title holds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_factcheck.core.checks.online.compare import similar_titles
from mkdocs_factcheck.core.checks.online.metadata import clean_title
from mkdocs_factcheck.core.checks.online.title_markup import plain_text, rich_text

MML = '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">{}</mml:math>'


def math(body: str) -> str:
    return MML.format(body.replace("<", "<mml:").replace("<mml:/", "</mml:"))


CASES = [
    # element, MathML body, rich text, plain text
    ("msub", "<msub><mi>H</mi><mn>2</mn></msub><mi>O</mi>", "H<sub>2</sub>O", "H2O"),
    ("msup", "<msup><mi>Ca</mi><mrow><mn>2</mn><mo>+</mo></mrow></msup>", "Ca<sup>2+</sup>", "Ca2+"),
    ("msubsup", "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>", "x<sub>i</sub><sup>2</sup>", "xi2"),
    (
        "mmultiscripts prescript",
        "<mmultiscripts><mi>Tb</mi><mprescripts/><none/><mn>153</mn></mmultiscripts>",
        "<sup>153</sup>Tb",
        "153Tb",
    ),
    (
        "mmultiscripts both sides",
        "<mmultiscripts><mi>C</mi><none/><mo>−</mo><mprescripts/><mn>6</mn><mn>14</mn></mmultiscripts>",
        "<sub>6</sub><sup>14</sup>C<sup>−</sup>",
        "614C−",
    ),
    ("mfrac", "<mfrac><mi>a</mi><mrow><mi>b</mi><mo>+</mo><mn>1</mn></mrow></mfrac>", "a/(b+1)", "a/(b+1)"),
    ("mfrac simple", "<mfrac><mn>1</mn><mn>2</mn></mfrac>", "1/2", "1/2"),
    ("msqrt", "<msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt>", "√(x+1)", "√(x+1)"),
    ("mroot", "<mroot><mi>x</mi><mn>3</mn></mroot>", "<sup>3</sup>√x", "3√x"),
    ("mover accent", '<mover accent="true"><mi>x</mi><mo>¯</mo></mover>', "x\u0304", "x\u0304"),
    ("mover", "<mover><mi>X</mi><mi>n</mi></mover>", "X<sup>n</sup>", "Xn"),
    ("munder", "<munder><mo>lim</mo><mi>n</mi></munder>", "lim<sub>n</sub>", "limn"),
    ("munderover", "<munderover><mo>∑</mo><mi>i</mi><mi>n</mi></munderover>", "∑<sub>i</sub><sup>n</sup>", "∑in"),
    (
        "semantics",
        '<semantics><mi>σ</mi><annotation encoding="application/x-tex">\\sigma</annotation></semantics>',
        "σ",
        "σ",
    ),
    ("mfenced", '<mfenced open="[" close="]"><mi>a</mi><mi>b</mi></mfenced>', "[a,b]", "[a,b]"),
]


@pytest.mark.parametrize(("element", "body", "rich", "plain"), CASES, ids=[case[0] for case in CASES])
def test_mathml_reads_in_document_order_as_rich_and_plain_text(element, body, rich, plain):
    title = f"Uptake of {math(body)} in <i>vivo</i>"
    assert rich_text(title) == f"Uptake of {rich} in <i>vivo</i>"
    assert plain_text(title) == f"Uptake of {plain} in vivo"


def test_a_prescripted_isotope_matches_the_entry_that_writes_it_in_latex():
    title = (
        f"{math('<mmultiscripts><mi>Tb</mi><mprescripts/><none/><mn>153</mn></mmultiscripts>')}-labelled antibodies in"
        " mice"
    )
    assert similar_titles("$^{153}$Tb-labelled antibodies in mice", [title])
    assert clean_title(title) == "<sup>153</sup>Tb-labelled antibodies in mice"


def test_html_is_kept_balanced_and_stray_or_unknown_tags_lose_only_their_markup():
    assert rich_text("A <I>B</I> <em>c</em> <jats:sc>d</jats:sc> </b> <i>open") == "A <i>B</i> <i>c</i> d <i>open</i>"
    assert rich_text("p &lt; 0.05 and p < 0.01 &amp; <!-- note --> q") == "p < 0.05 and p < 0.01 & q"
    assert plain_text("<mml:math>x <mml:mi>y</mml:mi>") == "x y"  # an unclosed formula is read as text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("<mml:math>x " * 20000, ("x " * 20000).strip()),  # 240 KB, many unclosed <math>
        ("<" * 200000, "<" * 200000),
        ('<a "' * 50000, ('<a "' * 50000).strip()),
        ("<!" * 100000, "<!" * 100000),
        ("<i>" * 70000 + "x", "x"),
        (math("<mi>x</mi>") * 20000, "x" * 20000),
    ],
    ids=["unclosed-math", "many-lt", "unclosed-quotes", "declarations", "deep-nesting", "many-formulas"],
)
def test_large_hostile_titles_are_read_in_one_pass_and_correctly(title, expected):
    assert plain_text(title) == expected
    assert rich_text(title).replace("<i>", "").replace("</i>", "") == expected


@given(st.text(alphabet="<>/ami:thx\"'!-&;", max_size=300))
def test_any_title_reads_without_error_and_keeps_its_words(title):
    rich = rich_text(title)
    plain = plain_text(title)
    assert rich.count("<i>") == rich.count("</i>")
    assert len(plain) <= len(title) + 1
