"""Without a host that writes them (plain Python-Markdown, Zensical): the fact-check summary, the
ClaimReview data, the online marks cached for the page's sources, and the reader's CSS and JavaScript.
Under the MkDocs plugin or the check command none of this runs: they write the same for the whole site."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from mkdocs_factcheck.core.checks.online.results import PLACEHOLDER_RE
from mkdocs_factcheck.core.citations.engine import PageState
from mkdocs_factcheck.core.report.build_report import summary_html
from mkdocs_factcheck.core.report.claim_review import claim_review_script, review_author
from mkdocs_factcheck.core.settings import Settings
from mkdocs_factcheck.markdown.assets import inline_assets

if TYPE_CHECKING:
    from mkdocs_factcheck.markdown.extension import FactcheckExtension

REPORT_PAGE = Settings.report_page  # where `mkdocs-factcheck check --write-report` writes it (its default)


def add_page_extras(extension: FactcheckExtension, md: Markdown, root: etree.Element, page: PageState) -> None:
    """The fact-check summary under the page's title and the ClaimReview data, after the online results
    cached for the page's sources (a retraction changes a claim's badge)."""
    online = cached_online_report(extension, page)
    md.factcheck_online = online  # type: ignore[attr-defined]  # for PageFinisher
    if not page.claims:
        return
    online.claim_findings(page.claims)  # the claims resting only on retracted sources get their words
    for claim in page.claims:
        claim.caveat = claim.caveat or online.claim_caveats.get(claim.id, "")
    context = extension.current_context
    meta = context.get("meta") or {}
    scale = extension.scale
    # Zensical turns every relative link into one from the page's Markdown file (raw HTML too): the
    # summary links file to file there, URL to URL elsewhere.
    view = SimpleNamespace(url=context.get("src_path" if context.get("docs_dir") else "url", ""), meta=meta)
    if extension.getConfig("summary") and meta.get("factcheck_summary", True):
        summary = etree.Element("div")
        summary.set("class", "factcheck-summary-slot")
        summary.text = md.htmlStash.store(
            summary_html(
                page.claims,
                scale,
                view,
                report_url(extension),
                extension.get_engine().words,
                extension.get_engine().reviewers,
            )
        )
        title = next((index for index, child in enumerate(root) if child.tag == "h1"), None)
        root.insert(0 if title is None else title + 1, summary)
    site_url = extension.getConfig("site_url") or context.get("site_url", "")
    url = site_url.rstrip("/") + "/" + context.get("url", "") if site_url else ""  # no site_url, no absolute url
    author = review_author(extension.getConfig("organization") or {}, context.get("site_author", ""), site_url)
    engine = extension.get_engine()
    script = claim_review_script(page.claims, scale, url, author, meta, engine.ledger, engine.reviewers)
    if script:
        holder = etree.SubElement(root, "div")
        holder.set("class", "factcheck-claimreview-slot")
        holder.text = md.htmlStash.store(script)


def cached_online_report(extension: FactcheckExtension, page: PageState, keys: list[str] | None = None):
    """What earlier online checks cached about the page's sources, or `keys` (nothing is sent)."""
    site = extension.standalone()
    bibliography = extension.get_engine().bibliography
    wanted = dict.fromkeys(page.cited_keys() + (keys or []))
    return site.cached_online.report([source for key in wanted if (source := bibliography.get(key)) is not None])


def report_url(extension: FactcheckExtension) -> str:
    """Where the summary's link goes: the option, or (Zensical) the report page the check command
    wrote, as a Markdown file that Zensical links."""
    if extension.getConfig("report_url"):
        return extension.getConfig("report_url")
    docs_dir = extension.current_context.get("docs_dir")
    if docs_dir and (Path(docs_dir) / REPORT_PAGE).is_file():
        return REPORT_PAGE
    return ""


class TreeDone(Treeprocessor):
    """The last tree processor: Python-Markdown's toc also runs the postprocessors on each heading's
    HTML, during the tree phase, and only the whole page is to be finished."""

    def run(self, root):
        self.md.factcheck_tree_done = True  # type: ignore[attr-defined]


class PageFinisher(Postprocessor):
    """Online marks from the cache on the page's entries and citations, and the reader's CSS and
    JavaScript."""

    def __init__(self, extension: FactcheckExtension, md: Markdown):
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        extension = self.extension
        if (
            extension.host_writes_page_extras
            or extension.engine is not None
            or not getattr(self.md, "factcheck_tree_done", False)
        ):
            return text
        self.md.factcheck_tree_done = False  # type: ignore[attr-defined]
        page: PageState | None = getattr(self.md, "factcheck_page", None)
        if page is None or not (page.citations or page.claims or "factcheck-" in text):
            return text  # nothing of ours: no assets either (a site bibliography or a report page has some)
        online = getattr(self.md, "factcheck_online", None)
        listed = [
            unescape(key) for key in PLACEHOLDER_RE.findall(text)
        ]  # the site bibliography lists uncited entries too
        if listed:
            online = cached_online_report(extension, page, listed)
        if online is not None:
            text = online.fill(text)
        if extension.getConfig("inline_assets"):
            text += inline_assets()
        return text
