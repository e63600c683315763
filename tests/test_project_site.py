"""Our own site: the fact-checked interleukin-2 article builds strictly and is complete."""

import json
import shutil

import yaml
from conftest import ROOT, Site, soup

from mkdocs_factcheck.core.scale import DEFAULT_SCALE


def project_site(tmp_path) -> Site:
    """A copy of the project's site, with online checks off (tests never reach the internet)."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("images"))
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.Loader)  # noqa: S506 - our own file, with !!python tags
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "factcheck" in plugin:
            plugin["factcheck"].setdefault("online", {})["enabled"] = False
    (tmp_path / "mkdocs.yml").write_text(yaml.dump(config, sort_keys=False))
    return Site(tmp_path)


def test_the_article_builds_strictly_with_22_sourced_claims(tmp_path):
    site = project_site(tmp_path)
    site.build(strict=True)
    data = json.loads((site.site_dir / "factcheck.json").read_text())
    article = [c for c in data["claims"] if c["page"] == "interleukin-2.md"]
    assert len(article) == 22
    verdicts = {v["name"] for v in DEFAULT_SCALE}
    keys = {s["key"] for s in data["sources"]}
    for claim in article:
        assert claim["verdict"] in verdicts, claim
        assert any(key in keys for key in claim["cites"]), claim
        assert claim["note"], claim
    assert len(data["sources"]) == 27
    assert all(s["cited_on"] for s in data["sources"])
    # honest about what could not be verified: the entries say so to readers, the report lists them
    unverified = [s["key"] for s in data["sources"] if s["unverified"]]
    assert "ril2histamine_colorectal" in unverified
    page = soup(site.html("interleukin-2/index.html"))
    assert page.select_one("#ref-ril2histamine_colorectal .reference-unverified") is not None
    assert len(page.select(".claim-verdict .verdict-badge")) == 22
    assert page.select_one("aside.factcheck-summary") is not None
    report = soup(site.html("factcheck-report/index.html"))
    assert len(report.select("table.factcheck-claims tbody tr")) == 22
    references = soup(site.html("references/index.html"))
    assert len(references.select("li.reference")) == 27
