"""`mkdocs-factcheck add <identifier>...` against local services: entries appended to references.bib
in the site's key style, never twice, the key to cite printed; then a real build cites them."""

from __future__ import annotations

import pytest
from identifier_fakes import BIB, ISBN, IdentifierServices, online_settings
from pybtex.database import parse_file

from mkdocs_factcheck.cli.main import main

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)


@pytest.fixture
def fake(services):
    return IdentifierServices(services)


@pytest.fixture
def bib_site(site, fake, services, monkeypatch):
    site.bib(BIB)
    site.page("index.md", "# A\n\nText.\n")
    site.config({"online": online_settings(services)})
    monkeypatch.chdir(site.root)
    return site


def add(capsys, *identifiers: str) -> tuple[int, str, str]:
    code = main(["add", *identifiers])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_appends_entries_in_the_site_key_style(bib_site, fake, capsys):
    before = (bib_site.root / "references.bib").read_text(encoding="utf-8")
    code, out, err = add(capsys, "doi:10.1200/JCO.1999.17.7.2105", "pmid:10561265", f"isbn:{ISBN}", "PMC2275327")
    assert code == 0, err
    assert (
        "cite it as [@muller1999]" in out and "[@smith1999]" in out and "[@dahl1988]" in out and "[@jones2008]" in out
    )
    text = (bib_site.root / "references.bib").read_text(encoding="utf-8")
    assert text.startswith(before)  # what was there is kept, byte for byte
    entries = parse_file(str(bib_site.root / "references.bib")).entries
    assert set(entries) == {"onji1987", "muller1999", "smith1999", "dahl1988", "jones2008"}
    muller = entries["muller1999"]
    assert muller.fields["doi"] == "10.1200/JCO.1999.17.7.2105"
    assert "author = {Müller, Jane and {Breast Cancer Trials Consortium} and {The ABC Study Group}}" in " ".join(
        text.split()
    )
    assert "\\textit{BRCA1}" in muller.fields["title"] and "mml" not in muller.fields["title"]
    assert entries["dahl1988"].type == "book" and entries["dahl1988"].fields["publisher"] == "Puffin"
    assert "factcheck" not in text  # our notes on records stay out of the BibTeX file
    # The site then cites them as ordinary keys.
    bib_site.page("index.md", "# A\n\nCited [@muller1999; @dahl1988].\n")
    bib_site.config()
    bib_site.build()
    assert "Müller" in bib_site.html() and 'class="citation-unresolved"' not in bib_site.html()


def test_an_identifier_already_present_is_named_not_added(bib_site, fake, capsys):
    before = (bib_site.root / "references.bib").read_bytes()
    code, out, _ = add(capsys, "doi:10.1136/GUT.28.12.1648", "https://doi.org/10.1136/gut.28.12.1648", "pmid:3501387")
    assert code == 0
    assert out.count("already in references.bib as 'onji1987': cite it as [@onji1987]") == 3
    assert (bib_site.root / "references.bib").read_bytes() == before
    assert not fake.base.requests  # known locally: nothing asked


def test_the_same_work_twice_in_one_call_is_added_once(bib_site, fake, capsys):
    fake.pubmed["10561265"] = {
        **fake.pubmed["10561265"],
        "articleids": [
            {"idtype": "pubmed", "value": "10561265"},
            {"idtype": "doi", "value": "10.1200/JCO.1999.17.7.2105"},
        ],
    }
    code, out, _ = add(capsys, "doi:10.1200/JCO.1999.17.7.2105", "pmid:10561265")
    assert code == 0
    assert "added to references.bib as 'muller1999'" in out
    assert "pmid:10561265: already in references.bib as 'muller1999' (same DOI)" in out
    assert len(parse_file(str(bib_site.root / "references.bib")).entries) == 2


def test_key_style_of_the_site_is_followed(site, fake, services, monkeypatch, capsys):
    site.bib(
        "@article{Onji_1987_Effect, author = {Onji, M.}, title = {Effect}, journal = {Gut}, year = {1987}}\n"
        "@article{Smith_2001_Study, author = {Smith, A.}, title = {Study}, journal = {J}, year = {2001}}\n"
    )
    site.page("index.md", "# A\n")
    site.config({"online": online_settings(services)})
    monkeypatch.chdir(site.root)
    code, out, _ = add(capsys, f"isbn:{ISBN}")
    assert code == 0 and "[@Dahl_1988_Fantastic]" in out


def test_unresolvable_and_malformed_identifiers_of_add(bib_site, fake, capsys):
    code, _, err = add(capsys, "doi:foo")
    assert code == 2 and "10.NNNN/suffix" in err and not fake.base.requests
    code, _, err = add(capsys, "isbn:978-0-14-032872-2")
    assert code == 2 and "check digit" in err
    code, _, err = add(capsys, "hello")
    assert code == 2 and "not an identifier" in err
    before = (bib_site.root / "references.bib").read_bytes()
    code, out, err = add(capsys, "doi:10.9999/nothing")
    assert code == 1 and "cannot add doi:10.9999/nothing: the DOI resolver does not know it" in err
    assert (bib_site.root / "references.bib").read_bytes() == before


def test_add_uses_a_hand_edited_identifiers_file_first(bib_site, fake, capsys):
    (bib_site.root / "references.identifiers.json").write_text(
        '[{"id": "doi:10.5555/handmade", "type": "book", "title": "Written by hand", "author": [{"family": "Hand",'
        ' "given": "A."}], "issued": {"date-parts": [[2020]]}}]',
        encoding="utf-8",
    )
    code, out, _ = add(capsys, "doi:10.5555/HANDMADE")
    assert code == 0 and "[@hand2020]" in out and not fake.base.requests
    assert parse_file(str(bib_site.root / "references.bib")).entries["hand2020"].fields["title"] == "Written by hand"
