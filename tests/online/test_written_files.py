"""The files `add` and builds write for people (the BibTeX file, the identifiers file): their mode and
hard links kept, and a hand edit made while a build runs merged, never reverted."""

from __future__ import annotations

import json
import os
import stat

import pytest
from identifier_fakes import BIB, CSL_RECORD, IdentifierServices, online_settings
from online_fakes import json_reply

from mkdocs_factcheck.cli.main import main

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

DOI = "10.1200/jco.1999.17.7.2105"


@pytest.fixture
def fake(services):
    return IdentifierServices(services)


@pytest.fixture
def bib_site(site, fake, services, monkeypatch):
    site.bib(BIB)
    site.page("index.md", "# A\n\nText.\n")
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    monkeypatch.chdir(site.root)
    return site


def test_add_keeps_the_mode_and_the_hard_links_of_the_bib_file(bib_site, fake, capsys, tmp_path):
    bib = bib_site.root / "references.bib"
    os.chmod(bib, 0o664)
    assert main(["add", f"doi:{DOI}"]) == 0
    assert stat.S_IMODE(bib.stat().st_mode) == 0o664
    linked = tmp_path / "linked.bib"
    os.link(bib, linked)
    assert main(["add", "pmid:10561265"]) == 0
    capsys.readouterr()
    assert os.path.samefile(bib, linked) and "smith1999" in linked.read_text(encoding="utf-8")


def test_a_hand_edit_during_a_build_is_kept(site, fake, services):
    site.bib(BIB)
    path = site.root / "references.identifiers.json"
    path.write_text(json.dumps([{"id": "isbn:9780140328721", "type": "book", "title": "Before"}]), encoding="utf-8")
    os.chmod(path, 0o664)
    edited = [
        {"id": "isbn:9780140328721", "type": "book", "title": "Edited during the build"},
        {"id": "pmid:1", "title": "Added by hand"},
    ]

    def agency(request):  # the editor saves the file while the build fetches
        path.write_text(json.dumps(edited), encoding="utf-8")
        return json_reply(CSL_RECORD, headers={"Content-Type": "application/vnd.citationstyles.csl+json"})

    fake.base.routes[f"/agency/{DOI}"] = agency
    site.page("index.md", f"# A\n\n[@doi:{DOI}] [@isbn:9780140328721]\n")
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    site.build()
    items = {item["id"]: item for item in json.loads(path.read_text(encoding="utf-8"))}
    assert items["isbn:9780140328721"]["title"] == "Edited during the build"
    assert items["pmid:1"]["title"] == "Added by hand" and f"doi:{DOI}" in items
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
