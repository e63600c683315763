"""What readers see of the online checks, in whole builds against the fake services: what was found
(a retraction, a DOI that does not exist) is shown; what could not be checked (a service unreachable,
the deadline, `mkdocs serve` without network) leaves no mark on any page, badge, report or JSON-LD."""

from __future__ import annotations

import json

from conftest import soup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from online_fakes import work

pytest_plugins = ["online_fixtures"]

BIB = """
@article{retracted, author = {Wakefield, Andrew}, title = {Ileal-lymphoid-nodular hyperplasia}, journal = {Lancet}, year = {1998}, doi = {10.1000/retracted}}
@article{sound, author = {Smith, Jane}, title = {A sound study}, journal = {J}, year = {2020}, doi = {10.1000/sound}}
"""  # noqa: E501 - written as a user writes it

PAGE = """---
reviewed: 2026-11-26
---

# Article

[Vaccines cause the condition]{.claim #vaccines verdict=contradicted} [@retracted].

[The study was sound]{.claim #sound verdict=supported} [@sound; @retracted].
"""

# Words that describe the build rather than the sources; none may reach a reader.
BUILD_STATE_WORDS = ("unverified", "unreachable", "could not be reached", "deadline", "not checked", "service")


def configure(site, services, **online):
    settings = {k: v for k, v in services.settings.items() if k != "mailto"}
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.page("references.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    site.config(
        {
            "online": {**settings, "cache_dir": ".cache/factcheck", **online},
            "findings": {"uncited_entry": "ignore"},
            "report_findings": False,
        }
    )


def reader_texts(site) -> dict[str, str]:
    """Everything a reader can get: each page's text and attributes (tooltips), and factcheck.json."""
    texts = {}
    for path in sorted(site.site_dir.rglob("index.html")):
        page = soup(path.read_text(encoding="utf-8"))
        for hidden in page.select("script:not(.factcheck-claimreview), style, nav, header, footer"):
            hidden.decompose()
        attributes = " ".join(
            str(value)
            for element in page.find_all(True)
            for name, value in element.attrs.items()
            if name in ("title", "aria-label", "alt")
        )
        texts[str(path.relative_to(site.site_dir))] = page.get_text(" ") + " " + attributes
    texts["factcheck.json"] = (site.site_dir / "factcheck.json").read_text(encoding="utf-8")
    return texts


def assert_no_build_state(site) -> None:
    for name, text in reader_texts(site).items():
        lowered = text.lower()
        found = [word for word in BUILD_STATE_WORDS if word in lowered]
        assert not found, f"{name} tells readers about the build: {found}"


def test_a_verified_retraction_is_shown_on_the_entry_the_citation_and_the_badge(site, services):
    notice = {
        "updated": {"date-parts": [[2010, 2, 6]]},
        "DOI": "10.1000/notice",
        "type": "retraction",
        "label": "Retraction",
        "source": "retraction-watch",
    }
    services.works["10.1000/retracted"] = work(
        "10.1000/retracted", "Ileal-lymphoid-nodular hyperplasia", 1998, "Wakefield", **{"updated-by": [notice]}
    )
    services.works["10.1000/sound"] = work("10.1000/sound", "A sound study", 2020, "Smith")
    configure(site, services)
    site.build()
    page = soup(site.html())
    assert page.select_one("#ref-retracted .reference-retracted").get_text() == "Retracted"
    assert page.select_one(".citation-retracted") is not None
    # the claim resting on it alone says so on its badge, in words; the other has a sound source too
    vaccines = page.select_one("#vaccines").find_next("span", class_="claim-verdict")
    assert vaccines.select_one(".claim-caveat").get_text() == "(its source was retracted)"
    sound = page.select_one("#sound").find_next("span", class_="claim-verdict")
    assert sound.select_one(".claim-caveat") is None
    assert "factcheck-claim-status" not in site.html()  # every slot was filled or removed
    reviews = [r for script in page.select("script.factcheck-claimreview") for r in json.loads(script.string)]
    assert [r["url"].split("#")[1] for r in reviews] == ["sound"]  # no rating published for what rests on a retraction
    published = json.loads((site.site_dir / "factcheck.json").read_text())
    assert "findings" not in published and "findings" not in published["summary"]
    sources = {s["key"]: s for s in published["sources"]}
    assert any("retracted" in line for line in sources["retracted"]["status"])
    report = soup(site.html("factcheck-report/index.html"))
    assert "retracted" in report.select_one("#source-retracted").get_text()
    assert report.select_one("#findings") is None
    assert report.select_one("#report-vaccines .claim-caveat").get_text() == "(its source was retracted)"
    assert_no_build_state(site)


def test_unreachable_services_leave_no_mark_for_readers(site, services, closed_port):
    dead = f"http://127.0.0.1:{closed_port}"
    configure(site, services, crossref_api=dead, doi_resolver=dead, retries=0)
    site.build()
    assert soup(site.html()).select(".reference-status") == []
    assert soup(site.html()).select(".claim-caveat") == []  # retraction unknown: nothing said either way
    assert_no_build_state(site)


def test_the_deadline_leaves_no_mark_for_readers(site, services):
    services.routes["/crossref/works/10.1000/retracted"] = services.hang
    services.routes["/crossref/works/10.1000/sound"] = services.hang
    services.routes["/doi/api/handles/10.1000/retracted"] = services.hang
    services.routes["/doi/api/handles/10.1000/sound"] = services.hang
    configure(site, services, deadline=0.5, timeout=20)
    site.build()
    assert soup(site.html()).select(".reference-status") == []
    assert_no_build_state(site)


def test_serve_without_network_leaves_no_mark_for_readers(site, services):
    configure(site, services)
    config = load_config(str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)  # serve: cached results only, nothing cached
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    assert services.count() == 0
    assert soup(site.html()).select(".reference-status") == []
    assert_no_build_state(site)


def test_editors_can_publish_their_findings(site, services, closed_port):
    dead = f"http://127.0.0.1:{closed_port}"
    configure(site, services, crossref_api=dead, doi_resolver=dead, retries=0)
    site.config(
        {
            "online": {
                **{k: v for k, v in services.settings.items() if k != "mailto"},
                "crossref_api": dead,
                "doi_resolver": dead,
                "retries": 0,
                "cache_dir": ".cache/factcheck",
            },
            "report_findings": True,
        }
    )
    site.build()
    published = json.loads((site.site_dir / "factcheck.json").read_text())
    assert "service_unavailable" in {f["kind"] for f in published["findings"]}
    assert soup(site.html("factcheck-report/index.html")).select_one("#findings") is not None
