"""Pandoc's citation syntax, parsed without Markdown."""

import pytest

from mkdocs_factcheck.core.syntax import GROUP_RE, NARRATIVE_RE, parse_group, parse_narrative, tidy_locator


def group(text):
    match = GROUP_RE.search(text)
    assert match, text
    return parse_group(match["body"], match.group(0))


def test_single_and_multiple():
    assert group("[@a]").keys == ["a"]
    assert group("[@a; @b]").keys == ["a", "b"]


def test_prefix_locator_suppressed():
    parsed = group("[see @key, pp. 33-35; also -@b, chap. 1]")
    first, second = parsed.cites
    assert (first.prefix, first.key, first.suffix, first.suppress_author) == ("see", "key", ", pp. 33-35", False)
    assert (second.prefix, second.key, second.suffix, second.suppress_author) == ("also", "b", ", chap. 1", True)


@pytest.mark.parametrize(("text", "key"), [("[@smith:2000.a]", "smith:2000.a"), ("[@{odd key}]", "odd key"), ("[@{a;b}]", "a;b"), ("[@_x]", "_x")])
def test_key_forms(text, key):
    assert group(text).keys == [key]


def test_trailing_punctuation_is_not_part_of_the_key():
    match = NARRATIVE_RE.search("as @smith2000. said")
    assert parse_narrative(match).keys == ["smith2000"]


@pytest.mark.parametrize("text", ["mail me at a@b.com", "https://x.org/@user", "[@a](https://x.org)", "[@a][ref]", "\\@a"])
def test_not_citations(text):
    assert not GROUP_RE.search(text) or text.startswith("[@a")
    if "(" in text or "][" in text:
        assert GROUP_RE.search(text) is None
    else:
        assert NARRATIVE_RE.search(text) is None


def test_item_without_key_is_no_citation():
    match = GROUP_RE.search("[see @a; and more]")
    assert parse_group(match["body"], match.group(0)) is None


def test_narrative_with_locator():
    match = NARRATIVE_RE.search("@key [p. 33] says")
    parsed = parse_narrative(match)
    assert parsed.narrative and parsed.keys == ["key"] and parsed.cites[0].suffix == "p. 33"


def test_tidy_locator():
    assert tidy_locator(", pp. 33-35") == "pp. 33\u201335"
    assert tidy_locator("chap. 1") == "chap. 1"
