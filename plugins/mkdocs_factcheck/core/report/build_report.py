"""The fact-check report (a page and factcheck.json), the readers' summary box, and the build's summary line."""

from __future__ import annotations

import datetime
from html import escape

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.checks.offline import MAX_UNCITED_LISTED, editors_remark, is_unverified
from mkdocs_factcheck.core.citations.engine import Engine
from mkdocs_factcheck.core.claims.claim import NOT_RATED, NOT_RATED_ICON, Claim, source_caveat
from mkdocs_factcheck.core.claims.corrections import link_from
from mkdocs_factcheck.core.claims.corrections import list_html as corrections_list_html
from mkdocs_factcheck.core.claims.scale import Scale
from mkdocs_factcheck.core.findings import Findings
from mkdocs_factcheck.core.formatting.pybtex_formatter import latex_to_text
from mkdocs_factcheck.core.report.claim_review import is_web_address
from mkdocs_factcheck.core.report.page_links import relative_url
from mkdocs_factcheck.core.wording import plural

REPORT_MARKER = "FACTCHECK-REPORT-PLACEHOLDER"
# The first line of a report page that `mkdocs-factcheck check --write-report` wrote into the docs folder
# (for Zensical): the command rewrites such a page, and the MkDocs plugin builds its own in its place.
REPORT_MARKER_TEXT = "<!-- written by mkdocs-factcheck check: do not edit -->"
# Out of the search index: the report restates every claim and source of the site, so it would match
# nearly any search, and it is the largest page for the search plugin to parse.
REPORT_FRONT_MATTER = "---\nsearch:\n  exclude: true\n---\n"
SUMMARY_MARKER = "<!-- factcheck:summary -->"


def _source_row(
    engine: Engine, source: Source, unverified_pattern: str, cited_by: list[str], cited_on: list[str]
) -> dict:
    return {
        "key": source.key,
        "file": source.file,
        "line": source.line,
        "type": source.raw.type,
        # As text: a cited entry's kept with its formatted forms (a warm build decodes nothing); an
        # uncited one's decoded here (report_data lists at most a few of those by title)
        "title": engine.entry_title(source.key) if cited_on else latex_to_text(source.raw.fields.get("title", "")),
        "year": source.raw.fields.get("year", ""),
        "identifiers": {i.scheme: i.value for i in source.identifiers},
        "note": source.raw.fields.get("note", ""),
        "annote": editors_remark(source),
        "unverified": is_unverified(source, unverified_pattern),
        "cited_by": cited_by,
        "cited_on": cited_on,
    }


def _claim_row(claim: Claim, engine: Engine, retracted: set[str] | None) -> dict:
    row = claim.as_json()
    caveat = source_caveat(claim.cites, [key in engine.bibliography for key in claim.cites], retracted)
    if caveat:
        row["caveat"] = caveat
    return row


def report_data(
    engine: Engine,
    findings: Findings,
    scale: Scale,
    unverified_pattern: str,
    version: str,
    retracted: set[str] | None = None,
) -> dict:
    """Everything the build knows: claims, sources, editors' remarks and findings (see `for_readers`)."""
    claims = engine.claims()
    cited_by: dict[str, list[str]] = {}
    for claim in claims:
        for key in claim.cites:
            cited_by.setdefault(key.lower(), []).append(claim.id)
    cited_on = engine.cited_on()
    sources = []
    # Past a handful of uncited entries (a lab's shared bibliography), those are listed apart, by file,
    # their keys in one string: reading each of 100,000 entries, or writing each as an object, would be
    # most of a build (see Source).
    uncited_keys: dict[str, list[str]] = {}
    by_place = len(engine.bibliography) - len(cited_on) > MAX_UNCITED_LISTED
    for lowered, source in engine.bibliography.sources.items():
        if by_place and lowered not in cited_on and lowered not in cited_by:
            uncited_keys.setdefault(source.file, []).append(source.key)
        else:
            sources.append(
                _source_row(engine, source, unverified_pattern, cited_by.get(lowered, []), cited_on.get(lowered, []))
            )
    by_verdict = {verdict.name: 0 for verdict in scale.verdicts}
    for claim in claims:
        verdict = scale.get(claim.verdict)
        name = verdict.name if verdict else "unrated"
        by_verdict[name] = by_verdict.get(name, 0) + 1
    claim_rows = [_claim_row(claim, engine, retracted) for claim in claims]
    return {
        "generator": f"mkdocs-factcheck {version}",
        "generated": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        "scale": [{"name": v.name, "label": v.label, "rating": v.rating, "color": v.color} for v in scale.verdicts],
        "summary": {
            "claims": len(claims),
            "by_verdict": by_verdict,
            "sources": len(sources) + sum(len(keys) for keys in uncited_keys.values()),
            "cited_sources": sum(1 for s in sources if s["cited_on"]),
            "findings": findings.counts_by_kind(),
        },
        "claims": claim_rows,
        "sources": sources,
        "findings": [finding.as_json() for finding in findings.items],
    } | (
        {
            "uncited_sources": [
                {"file": file, "count": len(keys), "keys": " ".join(keys)} for file, keys in uncited_keys.items()
            ]
        }
        if uncited_keys
        else {}
    )


def for_readers(data: dict, show_unverified: bool) -> dict:
    """What the published report and factcheck.json show readers: claims, verdicts, notes and sources,
    with what was found about them. Not the editors' findings and remarks, nor the state of the build
    (when it ran, which checks could not run)."""
    sources = []
    for source in data["sources"]:
        public = {k: v for k, v in source.items() if k not in ("annote", "unverified", "online", "status")}
        if show_unverified:
            public["unverified"] = source["unverified"]
        if source.get("problems"):
            public["status"] = list(source["problems"])
        sources.append(public)
    summary = {k: v for k, v in data["summary"].items() if k != "findings"}
    published = {
        "generator": data["generator"],
        "scale": data["scale"],
        "summary": summary,
        "claims": data["claims"],
        "sources": sources,
    }
    if data.get("uncited_sources"):
        published["uncited_sources"] = data["uncited_sources"]
    for name in ("corrections", "reviewers"):
        if name in data:
            published[name] = data[name]
    return published


def summary_line(data: dict) -> str:
    summary = data["summary"]
    verdicts = ", ".join(f"{count} {name}" for name, count in summary["by_verdict"].items() if count)
    findings = ", ".join(f"{kind} {count}" for kind, count in summary["findings"].items()) or "none"
    return (
        f"{plural(summary['claims'], 'claim')} ({verdicts or 'none'}); {summary['cited_sources']} of"
        f" {plural(summary['sources'], 'source')} cited; findings: {findings}"
    )


def _badge(scale: Scale, name: str | None, caveat: str = "") -> str:
    """The same badge as the pages' (see the Markdown side's `badge`), as HTML."""
    verdict = scale.get(name)
    if verdict is None:
        chip = (
            f'<span class="verdict-badge verdict-unrated" role="img" aria-label="Fact-check verdict: {NOT_RATED}"><span'
            f' class="verdict-icon" aria-hidden="true">{NOT_RATED_ICON}</span><span'
            f' class="verdict-label">{NOT_RATED}</span></span>'
        )
    else:
        chip = (
            f'<span class="verdict-badge verdict-{escape(verdict.name, quote=True)}" style="--verdict-color:'
            f' {escape(verdict.color, quote=True)}" role="img" aria-label="Fact-check verdict:'
            f' {escape(verdict.label, quote=True)}"><span class="verdict-icon"'
            f' aria-hidden="true">{escape(verdict.icon)}</span><span'
            f' class="verdict-label">{escape(verdict.label)}</span></span>'
        )
    if caveat:
        return f'<span class="claim-verdict">{chip} <span class="claim-caveat">({escape(caveat)})</span></span>'
    return chip


def _verdict_items(scale: Scale, counts: dict[str, int]) -> str:
    """One badge and count per verdict that occurs, the unrated last: they add up to the claims."""
    return "".join(
        f'<li>{_badge(scale, name)} <span class="summary-count">{count}</span></li>'
        for name, count in counts.items()
        if count
    )


def _reviewed_article(page) -> str:
    """The article under review, as the page's front matter names it (`reviewed_article`)."""
    article = page.meta.get("reviewed_article")
    if not isinstance(article, dict) or not article.get("title"):
        return ""
    title = escape(str(article["title"]))
    if article.get("url") and is_web_address(str(article["url"])):
        title = f'<a href="{escape(str(article["url"]), quote=True)}">{title}</a>'
    parts = [f"<cite>{title}</cite>"]
    if article.get("author"):
        parts.append(f"by {escape(str(article['author']))}")
    if article.get("publisher"):
        parts.append(f"({escape(str(article['publisher']))})")
    return f'<p class="summary-reviewed">Article reviewed: {" ".join(parts)}</p>'


def summary_html(claims, scale: Scale, page, report_url: str, words: dict, reviewers: dict | None = None) -> str:
    """The box at the top of a page with claims: the article reviewed, how many claims per verdict,
    by whom (front matter `reviewer`) and when reviewed, the report."""
    counts = {verdict.name: 0 for verdict in scale.verdicts}
    counts["unrated"] = 0
    for claim in claims:
        verdict = scale.get(claim.verdict)
        counts[verdict.name if verdict else "unrated"] += 1
    title = escape(words.get("summary_title", "Fact-check summary"))
    reviewed = page.meta.get("reviewed")
    parts = [
        f'<aside class="factcheck-summary factcheck-generated" aria-label="{title}"><p'
        f' class="summary-title"><strong>{title}:</strong> {plural(len(claims), "claim")} reviewed'
    ]
    reviewer = reviewer_html(str(page.meta.get("reviewer") or ""), reviewers or {})
    if reviewer:
        parts.append(f" by {reviewer}")
    if reviewed:
        parts.append(f' on <time datetime="{escape(str(reviewed), quote=True)}">{escape(str(reviewed))}</time>')
        updated = page.meta.get("updated")
        if updated and str(updated) != str(reviewed):
            parts.append(f', updated <time datetime="{escape(str(updated), quote=True)}">{escape(str(updated))}</time>')
    parts.append(".")
    if report_url:
        href = escape(relative_url(report_url, page.url), quote=True)
        parts.append(f' <a href="{href}">{escape(words.get("report_link", "Read the full report"))}</a>.')
    parts.append(f'</p>{_reviewed_article(page)}<ul class="summary-verdicts">{_verdict_items(scale, counts)}</ul>')
    caveated = sum(1 for claim in claims if claim.caveat)
    if caveated:  # their badges say so too: the summary does not count them as backed
        parts.append(
            f'<p class="summary-caveats">{plural(caveated, "claim")} of these {"rests" if caveated == 1 else "rest"} on'
            f" no source we can show; {'its badge says' if caveated == 1 else 'their badges say'} why.</p>"
        )
    parts.append("</aside>")
    return "".join(parts)


def report_html(
    data: dict, scale: Scale, page, words: dict, source_links: str | None = None, json_name: str = ""
) -> str:
    """Every claim (text, page, verdict, note, sources) and every source with its claims. With the
    editors' data (`report_findings`), also each claim's findings, the places in the files and the list of findings.
    `json_name`: the file the same data is published in, if any (the check command writes none)."""
    here = page.url
    editors = "findings" in data
    findings_by_claim: dict[tuple, list[dict]] = {}
    for finding in data.get("findings", []):
        findings_by_claim.setdefault((finding.get("page"), finding.get("line")), []).append(finding)
    summary = data["summary"]
    pages = len({c["page"] for c in data["claims"]})
    out = ['<div class="factcheck-report factcheck-generated">']
    intro = (
        f"{plural(summary['claims'], 'claim')} on {plural(pages, 'page')}; {summary['cited_sources']} of"
        f" {plural(summary['sources'], 'source')} cited"
    )
    if editors:
        intro += f"; {plural(len(data['findings']), 'finding')}. Generated {escape(data['generated'])}"
    also = f" The same data is in <code>{escape(json_name)}</code>." if json_name else ""
    out.append(f"<p>{intro}.{also}</p>")
    out.append(f'<ul class="summary-verdicts">{_verdict_items(scale, summary["by_verdict"])}</ul>')
    uncited_count = sum(1 for source in data["sources"] if not source["cited_on"]) + sum(
        group["count"] for group in data.get("uncited_sources", [])
    )
    listed = (
        data["sources"]
        if uncited_count <= MAX_UNCITED_LISTED
        else [source for source in data["sources"] if source["cited_on"]]
    )
    rows = {source["key"].lower(): source["key"] for source in listed}  # the sources table's rows, by key
    findings_head = "<th>Findings</th>" if editors else ""
    out.append(
        '<h2 id="claims">Claims</h2><div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table'
        ' class="factcheck-claims"><thead><tr><th>Claim</th><th>Verdict</th><th>Sources</th><th>Reviewed</th>'
        f"{findings_head}</tr></thead><tbody>"
    )
    for claim in data["claims"]:
        if (
            source_links is not None
        ):  # the report's own Markdown file: link the pages' files, the host makes URLs (Zensical)
            link = relative_url(claim["page"] or "", source_links) + "#" + claim["id"]
        else:
            link = relative_url(claim["url"] or "", here) + "#" + claim["id"]
        sources = ", ".join(_source_link(key, rows) for key in claim["cites"]) or "<em>none</em>"
        note = f'<br><span class="claim-note">{escape(claim["note"])}</span>' if claim["note"] else ""
        place = f"<br><small>{escape(claim['page'] or '')}:{claim['line']}</small>" if editors else ""
        badge = _badge(scale, claim["verdict"], claim.get("caveat", ""))
        reviewed = reviewed_cell(claim, data.get("reviewers", {}))
        cells = (
            f'<td><a href="{escape(link, quote=True)}">{escape(claim["text"])}</a>{place}</td>'
            f"<td>{badge}{note}</td><td>{sources}</td><td>{reviewed}</td>"
        )
        if editors:
            notes = findings_by_claim.get((claim["page"], claim["line"]), [])
            cells += (
                "<td>"
                + (
                    "<br>".join(
                        '<span class="finding'
                        f' finding-{escape(f["severity"], quote=True)}">{escape(f["message"])}</span>'
                        for f in notes
                    )
                    or "—"
                )
                + "</td>"
            )
        out.append(f'<tr id="report-{escape(claim["id"], quote=True)}">{cells}</tr>')
    out.append("</tbody></table></div></div>")
    if "corrections" in data:
        out.append(f'<h2 id="corrections">{escape(words.get("corrections_title", "Corrections"))}</h2>')
        out.append(corrections_list_html(data["corrections"], scale, link_from(here, source_links), words))
    out.append(
        '<h2 id="sources">Sources</h2><div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table'
        ' class="factcheck-sources"><thead><tr><th>Source</th><th>Claims</th><th>Status</th></tr></thead><tbody>'
    )
    for source in listed:
        claims = ", ".join(
            f'<a href="#report-{escape(cid, quote=True)}">{escape(cid)}</a>' for cid in source["cited_by"]
        ) or ("cited outside claims" if source["cited_on"] else "not cited")
        status = []
        if source.get("unverified"):
            remark = f": {escape(source['annote'])}" if editors and source.get("annote") else ""
            status.append(
                '<span class="reference-status'
                f' reference-unverified">{escape(words.get("unverified", "Not fully verified"))}</span>{remark}'
            )
        if editors and not source["identifiers"]:
            status.append("no identifier")
        status.extend(escape(check) for check in source.get("status", []))
        place = f"<br><small>{escape(source['file'])}:{source['line']}</small>" if editors else ""
        year = f" ({escape(source['year'])})" if source["year"] else ""  # an entry without one: no empty brackets
        out.append(
            f'<tr id="source-{escape(source["key"], quote=True)}"><td><code>{escape(source["key"])}</code>'
            f" {escape(source['title'])}{year}{place}</td>"
            f"<td>{claims}</td><td>{'<br>'.join(status) or '—'}</td></tr>"
        )
    out.append("</tbody></table></div></div>")
    if len(listed) < len(data["sources"]) or data.get("uncited_sources"):
        out.append(
            f"<p>{plural(uncited_count, 'entry', 'entries')} of the bibliography"
            f" {'is' if uncited_count == 1 else 'are'} never cited; factcheck.json lists them.</p>"
        )
    if editors:
        out.append(findings_html(data["findings"]))
    out.append("</div>")
    return "".join(out)


def reviewer_html(reviewer_id: str, reviewers: dict) -> str:
    """A reviewer by name (linked when the site gives an address) and role; unknown: nothing."""
    reviewer = reviewers.get(reviewer_id)
    if not isinstance(reviewer, dict):
        return ""
    name = escape(str(reviewer.get("name", "")))
    if reviewer.get("url") and is_web_address(str(reviewer["url"])):
        name = f'<a href="{escape(str(reviewer["url"]), quote=True)}">{name}</a>'
    role = f", {escape(str(reviewer['role']))}" if reviewer.get("role") else ""
    return f'<span class="claim-reviewer">{name}{role}</span>'


def reviewed_cell(claim: dict, reviewers: dict) -> str:
    who = reviewer_html(claim.get("reviewer", ""), reviewers)
    when = (
        f'<time datetime="{escape(claim["reviewed"], quote=True)}">{escape(claim["reviewed"])}</time>'
        if claim.get("reviewed")
        else ""
    )
    return "<br>".join(part for part in (who, when) if part) or "—"


def _source_link(key: str, rows: dict[str, str]) -> str:
    """A claim's source, linked to its row of the sources table; a key of no entry has no row."""
    row = rows.get(key.lower())
    if row is None:
        return f"<code>{escape(key)}</code>"
    return f'<a href="#source-{escape(row, quote=True)}"><code>{escape(key)}</code></a>'


def findings_html(findings: list[dict]) -> str:
    out = ['<h2 id="findings">Findings</h2>']
    if not findings:
        return out[0] + "<p>No findings.</p>"
    out.append('<ul class="factcheck-findings">')
    for finding in findings:
        place = finding.get("page") or finding.get("file") or ""
        if finding.get("line"):
            place += f":{finding['line']}"
        out.append(
            f'<li class="finding finding-{escape(finding["severity"], quote=True)}"><code>{escape(place)}</code>'
            f" <strong>{escape(finding['kind'])}</strong> ({escape(finding['severity'])}):"
            f" {escape(finding['message'])}</li>"
        )
    out.append("</ul>")
    return "".join(out)
