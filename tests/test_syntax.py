"""Pandoc's citation syntax, parsed without Markdown."""

import pytest

from mkdocs_factcheck.core.citations.syntax import (
    Brackets,
    example_labels,
    find_citations,
    keys_mentioned,
    tidy_locator,
)


def group(text):
    (found,) = find_citations(text)
    return found.group


def test_single_and_multiple():
    assert group("[@a]").keys == ["a"]
    assert group("[@a; @b]").keys == ["a", "b"]


def test_prefix_locator_suppressed():
    parsed = group("[see @key, pp. 33-35; also -@b, chap. 1]")
    first, second = parsed.cites
    assert (first.prefix, first.key, first.suffix, first.suppress_author) == ("see", "key", ", pp. 33-35", False)
    assert (second.prefix, second.key, second.suffix, second.suppress_author) == ("also", "b", ", chap. 1", True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[@smith:2000.a]", "smith:2000.a"),
        ("[@{odd.key.}]", "odd.key."),
        ("[@{a;b}]", "a;b"),
        ("[@_x]", "_x"),
        ("@a//b", "a//b"),
        ("@a-b-", "a-b"),
    ],
)
def test_key_forms(text, key):
    assert group(text).keys == [key]


def test_trailing_punctuation_is_not_part_of_the_key():
    assert group("as @smith2000. said").keys == ["smith2000"]
    assert group("@a..b").keys == ["a"]


@pytest.mark.parametrize(
    "text",
    [
        "mail me at a@b.com",
        "x.@a",
        " .@a",
        "[@a][ref]",
        "@a [p. 3][x y",
        "*x*@a",
        "@{odd key}",
        "[see @a; and more]",
        "[see; also @a]",
        "[^@a]",
    ],
)
def test_not_normal_citations(text):
    assert all(found.group.source.startswith("@") for found in find_citations(text)), text
    if text.startswith(("mail", "x", " ", "@{")):
        assert find_citations(text) == []


def test_after_punctuation_a_key_starts():
    assert [found.group.keys for found in find_citations("https://x/@user x:@b (@c x-@d")] == [
        ["user"],
        ["b"],
        ["c"],
        ["d"],
    ]
    (found,) = find_citations("x-@d")
    assert found.start == 2 and not found.group.cites[0].suppress_author


def test_narrative_with_locator_and_more_cites():
    parsed = group("@key [p. 33] says")
    assert parsed.narrative and parsed.keys == ["key"] and parsed.cites[0].suffix == "p. 33"
    parsed = group("@a [p. 33; see @b, p. 4]")
    assert parsed.keys == ["a", "b"] and parsed.cites[0].suffix == "p. 33" and parsed.cites[1].prefix == "see"
    parsed = group("@a [see @b]")
    assert parsed.keys == ["a", "b"] and parsed.cites[0].suffix == "" and parsed.cites[1].prefix == "see"
    assert group("-@a [p. 3]").cites[0].suppress_author and not group("-@a").narrative
    # a bracket whose second part has no key is not the key's: `@a` stands alone
    found = find_citations("@a [see @b; p. 3]")
    assert [f.group.source for f in found] == ["@a", "@b"]


def test_nested_brackets_count():
    parsed = group("[see [x] @a, and [@b] here]")
    assert parsed.keys == ["a"] and parsed.cites[0].prefix == "see [x]" and parsed.cites[0].suffix == ", and [@b] here"
    assert [f.group.source for f in find_citations("[@a, see [x here]")] == ["@a"]


def test_brackets_pairs_are_linear_and_right():
    brackets = Brackets("[a [b] [c [d]] e] [ [x]")
    assert brackets.match(0) == 16 and brackets.match(3) == 5 and brackets.match(7) == 13
    assert brackets.match(18) is None and brackets.match(20) == 22


def test_example_labels():
    assert example_labels("(@good) An example.\n\n@bad. Another\nx (@no) here\n") == {"good", "bad"}
    assert find_citations("As (@good) shows", frozenset({"good"})) == []
    assert [f.group.keys for f in find_citations("[@good]", frozenset({"good"}))] == [["good"]]  # as in pandoc


def test_keys_mentioned():
    assert keys_mentioned("[@a] @b jane@c.org \\@d `@e`") == ["a", "b", "e"]


def test_tidy_locator():
    assert tidy_locator(", pp. 33-35") == "pp. 33\u201335"
    assert tidy_locator("chap. 1") == "chap. 1"
