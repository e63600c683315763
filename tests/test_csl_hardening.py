"""What records, pandoc and caches give the CSL formatting is data, never structure (issue 23, items 2,
6, 8 and 14): a record cannot write BibLaTeX of its own into what pandoc reads, a pandoc that hangs
costs one timeout a build, a cache entry that does not fit is formatted again, and JSON of another shape
than pandoc's degrades the style with a finding, never a traceback."""

from __future__ import annotations

import json
import stat
import subprocess

import pytest
from conftest import soup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_csl import citations, fresh_build

from mkdocs_factcheck.core.bibliography import csl_json as csl_bibliography
from mkdocs_factcheck.core.bibliography.files import Bibliography, Source
from mkdocs_factcheck.core.formatting.csl import inlines, pandoc
from mkdocs_factcheck.core.formatting.csl.documents import CiteRequest, Document
from mkdocs_factcheck.core.formatting.csl.entries import biblatex_text
from mkdocs_factcheck.core.formatting.csl.processor import CSLFormatter
from mkdocs_factcheck.core.formatting.csl.styles import find_csl

# Values a service could send: each tries to end its field, its entry, or to start a comment.
HOSTILE = [
    (
        "http://evil.example/}\n}\n@article{k0, title = {Attacker title}, author = {Mallory, M.}, year ="
        " {1999}}\n@misc{x, note = {"
    ),
    "http://evil.example/a%20b}, title = {Attacker title}, x = {",
    "10.1000/x}}@article{k0,title={Attacker title}}",
    "ends in a backslash \\",
    "50% of }} the {{ braces } \\} % and a comment",
]


def formatter(sources: list[Source]) -> CSLFormatter:
    bibliography = Bibliography({source.key.lower(): source for source in sources})
    found: list = []
    made = CSLFormatter(find_csl("apa", pandoc_path_base(), "apa"), "", bibliography, found.append)
    made.findings = found  # type: ignore[attr-defined]
    return made


def pandoc_path_base():
    from pathlib import Path

    return Path.cwd()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["URL", "DOI", "title", "publisher", "ISBN", "PMID"])
def test_a_record_cannot_rewrite_another_entry(field, value):
    """A record (as a service sends it, through core/csl_bibliography.py) cited after the user's entry,
    which pandoc is given as `k0`: the user's entry keeps its title, and the record is one entry."""
    own = Source(
        "own2020",
        csl_bibliography.to_entry(
            "own2020",
            {
                "type": "article-journal",
                "title": "The real title",
                "author": [{"family": "Owner", "given": "Olga"}],
                "issued": {"date-parts": [[2020]]},
                "DOI": "10.1000/real",
            },
        ),
        "references.bib",
        1,
    )
    record = {
        "type": "article-journal",
        "title": "A fetched record",
        "author": [{"family": "Record", "given": "Rita"}],
        "issued": {"date-parts": [[2021]]},
        field: value,
    }
    fetched = Source(
        "doi:10.1000/fetched", csl_bibliography.to_entry("doi:10.1000/fetched", record), "<identifiers>", 0
    )
    text = biblatex_text(fetched, "k1")
    assert text.count("\n@") == 0 and text.startswith("@article{k1,\n")  # one entry, as we built it
    made = formatter([own, fetched])
    result = made.format(Document([[CiteRequest("own2020"), CiteRequest("doi:10.1000/fetched")]]))
    assert result is not None and not made.findings  # type: ignore[attr-defined]
    bodies = {entry.key: inlines.text(entry.body) for entry in result.entries}
    assert set(bodies) == {"own2020", "doi:10.1000/fetched"}
    assert "The real title" in bodies["own2020"] and "Attacker" not in bodies["own2020"]
    assert "A fetched record" in bodies["doi:10.1000/fetched"] or field == "title"


def fake_pandoc(site, monkeypatch, body: str):
    """A pandoc that runs `body` (a shell script) and notes each run in `runs.log`."""
    script = site.root / "fake-pandoc"
    script.write_text(f"#!/bin/sh\necho run >> {site.root / 'runs.log'}\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FACTCHECK_PANDOC", str(script))
    pandoc.pandoc_path.cache_clear()
    pandoc.pandoc_version.cache_clear()


@pytest.fixture
def restore_pandoc():
    yield
    pandoc.pandoc_path.cache_clear()
    pandoc.pandoc_version.cache_clear()


def runs(site) -> int:
    log = site.root / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_a_hanging_pandoc_costs_one_timeout_a_build(bib_site, monkeypatch, warnings, restore_pandoc):
    """Before: the document, then each of its entries alone, each with the full timeout."""
    fake_pandoc(bib_site, monkeypatch, "exec sleep 30")
    monkeypatch.setattr(pandoc, "TIMEOUT", 0.5)
    bib_site.config({"style": "apa"})
    bib_site.page(
        "index.md", "# T\n\nOne [@onji1987; @mueller2001; @parent2010; @child2010] and [@web2020; @smith:2000.a].\n"
    )
    bib_site.page("two.md", "# Two\n\nAgain [@onji1987].\n")
    bib_site.build()
    assert runs(bib_site) <= 2  # the two pages, read ahead and run at once; nothing after the timeout
    found = [message for message in warnings() if "took more than" in message]
    assert len(found) == 1 and "citation style apa cannot be used" in found[0]
    assert citations(bib_site.html())[0].startswith("(Onji et al., 1987")  # our own labels
    assert citations(bib_site.html("two/index.html")) == ["(Onji et al., 1987)"]


@pytest.mark.parametrize(
    "written",
    [
        '{"blocks": 5}',
        "[1, 2]",
        '{"blocks": [{"t": "Para", "c": "x"}]}',
        '{"blocks": [{"t": "Div", "c": 7}]}',
        '{"blocks": [{"t": "Para", "c": [{"t": "Cite", "c": [[], 3]}]}]}',
        '"text"',
    ],
)
def test_pandoc_json_of_another_shape_degrades_the_style(bib_site, monkeypatch, warnings, restore_pandoc, written):
    fake_pandoc(bib_site, monkeypatch, f"cat > /dev/null\necho '{written}'")
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987] and [@mueller2001].\n")
    bib_site.build()
    assert citations(bib_site.html())[0] == "(Onji et al., 1987)"
    assert len([message for message in warnings() if "citation style apa cannot be used" in message]) == 1


def test_a_cache_entry_that_does_not_fit_is_formatted_again(bib_site):
    """Before: a stored document with fewer citations than the page left the page without its style,
    silently, on every later build."""
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987] and [@mueller2001; @parent2010].\n")
    fresh_build(bib_site)
    first = bib_site.html()
    cache = bib_site.root / ".cache" / "plugin" / "factcheck" / "csl.json"
    data = json.loads(cache.read_text())
    for document in data["documents"].values():
        document["citations"] = document["citations"][:1]
    cache.write_text(json.dumps(data))
    assert fresh_build(bib_site).pandoc_runs == 1
    assert bib_site.html() == first
    assert "Müller &amp; García" in str(soup(first).select("span.citation")[1])  # the style's, not ours
    assert fresh_build(bib_site).pandoc_runs == 0  # kept as recomputed


FIELDS = ["title", "url", "doi", "publisher", "note", "isbn", "pmid", "journal"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(FIELDS), st.text(alphabet=st.sampled_from(list('{}\\%@,="#~ \n\tax1')), max_size=40), min_size=1
    )
)
def test_pandoc_reads_any_record_as_one_entry_of_its_own(values, tmp_path):
    """pandoc's BibLaTeX reader (the oracle) reads what we give it of any record as exactly the entries
    we built: the record's, and after it an entry of the user's, whose title no value can reach."""
    item = {"type": "article-journal", "title": "T", "issued": {"date-parts": [[2020]]}}
    names = {
        "title": "title",
        "url": "URL",
        "doi": "DOI",
        "publisher": "publisher",
        "note": "note",
        "isbn": "ISBN",
        "pmid": "PMID",
        "journal": "container-title",
    }
    item.update({names[name]: value for name, value in values.items()})
    record = Source("doi:10.1/x", csl_bibliography.to_entry("doi:10.1/x", item), "<identifiers>", 0)
    own = Source(
        "own",
        csl_bibliography.to_entry(
            "own", {"type": "book", "title": "The real title", "issued": {"date-parts": [[1999]]}}
        ),
        "references.bib",
        1,
    )
    bib = tmp_path / "given.bib"
    bib.write_text(biblatex_text(record, "k0") + biblatex_text(own, "k1"), encoding="utf-8")
    done = subprocess.run(
        [pandoc.pandoc_path(), "--from=biblatex", "--to=csljson", str(bib)], capture_output=True, text=True, check=True
    )
    read = json.loads(done.stdout)
    assert [entry["id"] for entry in read] == ["k0", "k1"]
    assert read[1].get("title") == "The real title" and set(read[1]) <= {"id", "type", "title", "issued"}


def test_a_csl_cache_nested_too_deeply_is_formatted_again(bib_site):
    """Before: 100,000 levels of nesting in csl.json ended every build with a RecursionError."""
    bib_site.config({"style": "apa"})
    bib_site.page("index.md", "# T\n\nOne [@onji1987].\n")
    fresh_build(bib_site)
    first = bib_site.html()
    cache = bib_site.root / ".cache" / "plugin" / "factcheck" / "csl.json"
    cache.write_text('{"documents": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert fresh_build(bib_site).pandoc_runs == 1
    assert bib_site.html() == first
