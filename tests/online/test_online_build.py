"""Whole MkDocs builds with online checks against the fake services: factcheck.json, findings, the HTML."""

from __future__ import annotations

import json

import pytest
from online_fakes import work

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

BIB = """
@article{retracted,
  author = {Wakefield, Andrew},
  title = {Ileal-lymphoid-nodular hyperplasia},
  journal = {Lancet}, year = {1998},
  doi = {10.1000/retracted}
}

@article{sound,
  author = {Smith, Jane},
  title = {A sound study},
  journal = {J}, year = {2020},
  doi = {10.1000/sound}
}

@article{ghost,
  author = {Nobody, Anne},
  title = {A study that never was},
  journal = {J}, year = {2020},
  doi = {10.1000/ghost}
}
"""

PAGE = """
# Article

[Vaccines cause the condition]{.claim #vaccines verdict=contradicted} [@retracted].

[The study was sound]{.claim #sound verdict=supported} [@sound; @retracted].

A third source [@ghost].
"""


def configure(site, services, **online):
    settings = {k: v for k, v in services.settings.items() if k != "mailto"}
    site.config(
        {"online": {**settings, "cache_dir": ".cache/factcheck", **online}, "findings": {"uncited_entry": "ignore"}}
    )


def build(site) -> dict:
    site.build()
    return json.loads((site.site_dir / "factcheck.json").read_text(encoding="utf-8"))


@pytest.fixture
def article(site, services):
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
    site.bib(BIB)
    site.page("index.md", PAGE)
    site.page("references.md", "# References\n\n::: {#refs scope=site}\n:::\n")
    configure(site, services)
    return site


def test_build_reports_retraction_missing_doi_and_claims(article, services):
    data = build(article)
    sources = {s["key"]: s for s in data["sources"]}
    online = sources["retracted"]["online"]
    assert online["status"] == "retracted" and online["retracted"] is True
    checks = {c["check"]: c for c in online["checks"]}
    assert checks["crossref"]["outcome"] == "found" and checks["crossref"]["from_cache"] is False
    assert checks["crossref"]["checked"].endswith("+00:00")
    assert sources["sound"]["online"]["status"] == "verified"
    assert sources["ghost"]["online"]["status"] == "problems"
    findings = {(f["kind"], f.get("file"), f.get("page"), f.get("line")) for f in data["findings"]}
    assert ("retracted_source", "references.bib", None, 1) in findings
    assert ("doi_not_found", "references.bib", None, 15) in findings
    claim_line = next(c["line"] for c in data["claims"] if c["id"] == "vaccines")
    assert ("claim_rests_on_retracted", None, "index.md", claim_line) in findings
    rests = [f for f in data["findings"] if f["kind"] == "claim_rests_on_retracted"]
    assert len(rests) == 1  # the second claim also has a sound source
    html = article.html("references/index.html")
    assert "reference-retracted" in html and ">Retracted</span>" in html


def test_second_build_uses_the_cache_and_sends_nothing(article, services):
    first = build(article)
    sent = len(services.requests)
    assert sent > 0
    second = build(article)
    assert len(services.requests) == sent
    online = {s["key"]: s["online"] for s in second["sources"] if "online" in s}
    assert all(check["from_cache"] for data in online.values() for check in data["checks"])
    assert [f["kind"] for f in first["findings"]] == [f["kind"] for f in second["findings"]]


def test_unreachable_service_is_information_not_a_warning(site, services, closed_port, warnings):
    site.bib(BIB)
    site.page("index.md", PAGE)
    dead = f"http://127.0.0.1:{closed_port}"
    configure(site, services, crossref_api=dead, doi_resolver=dead, retries=0)
    data = build(site)
    unavailable = [f for f in data["findings"] if f["kind"] == "service_unavailable"]
    assert len(unavailable) == 2 and {f["severity"] for f in unavailable} == {"info"}
    assert not [m for m in warnings() if "could not be reached" in m]
    assert {s["online"]["status"] for s in data["sources"] if "online" in s} == {"unverified"}


def test_progress_and_summary_in_the_log(article, services, caplog):
    caplog.set_level("INFO")
    build(article)
    lines = [r.getMessage() for r in caplog.records if r.name.endswith("mkdocs_factcheck.online")]
    assert any("Online checks: 3 sources" in line and "sources/s" in line for line in lines)
    assert len(lines) <= 3  # not chatty


def test_page_bibliography_and_citations_show_the_retraction(article, services):
    build(article)
    html = article.html()
    assert "factcheck-online-status" not in html  # every placeholder was replaced
    assert ">Retracted</span>" in html
    assert "citation-retracted" in html


def test_required_makes_an_unreachable_service_an_error(site, services, closed_port):
    from mkdocs.exceptions import Abort

    site.bib(BIB)
    site.page("index.md", PAGE)
    dead = f"http://127.0.0.1:{closed_port}"
    configure(site, services, crossref_api=dead, doi_resolver=dead, retries=0, required=True)
    with pytest.raises(Abort):  # mkdocs turns the plugin's PluginError into an abort
        site.build()


def test_checks_start_before_any_page_renders(article, services):
    """The plugin reads the pages' Markdown for `@key` in on_files and starts the checks then, so the
    requests run while MkDocs renders instead of after it."""
    import sys

    from mkdocs.config import load_config

    before = sys.getswitchinterval()
    config = load_config(str(article.root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        config = config.plugins.on_config(config)
        from mkdocs.structure.files import get_files

        config.plugins.on_files(get_files(config), config=config)
        verifier = config.plugins["factcheck"].run.verifier
        assert set(verifier.plans) == {"retracted", "sound", "ghost"}
        assert not verifier.submitted  # no page has rendered: nothing is cited yet
        assert sys.getswitchinterval() == before  # the host's interpreter is never tuned for us
        for future in list(verifier.futures.values()):
            future.result(timeout=30)  # they run without any page being rendered
        assert services.count() > 0
    finally:
        config.plugins.on_shutdown()
    assert sys.getswitchinterval() == before


def test_entry_only_mentioned_in_code_is_not_reported(site, services):
    """A key in a code block starts a check early, but the entry is not cited: no finding, no online
    data, and the build does not wait for it."""
    services.works["10.1000/sound"] = work("10.1000/sound", "A sound study", 2020, "Smith")
    site.bib(BIB)
    site.page(
        "index.md",
        "# Page\n\nA sound source [@sound].\n\n    [@ghost] in an indented code block\n\n`@retracted` in code.\n",
    )
    configure(site, services)
    data = build(site)
    sources = {s["key"]: s for s in data["sources"]}
    assert "online" in sources["sound"]
    assert "online" not in sources["ghost"] and "online" not in sources["retracted"]
    kinds = {f["kind"] for f in data["findings"]}
    assert "doi_not_found" not in kinds and "retracted_source" not in kinds
    assert "ref-ghost" not in site.html()
    assert sources["sound"]["online"]["status"] == "verified"


def test_a_build_leaves_the_interpreter_switch_interval_alone(article, services):
    """The switch interval is the host's process's: a build with online checks never changes it."""
    import sys

    before = sys.getswitchinterval()
    build(article)
    assert sys.getswitchinterval() == before
