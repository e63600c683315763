"""The editors' report (a page and factcheck.json), the readers' summary, and the build's summary line."""

from __future__ import annotations

import datetime
from html import escape

from .checks import MAX_UNCITED_LISTED, is_unverified
from .engine import Engine
from .findings import Findings
from .formatting import without_braces
from .scale import Scale
from .urls import relative_url

REPORT_MARKER = "FACTCHECK-REPORT-PLACEHOLDER"
SUMMARY_MARKER = "<!-- factcheck:summary -->"


def report_data(engine: Engine, findings: Findings, scale: Scale, unverified_pattern: str, version: str) -> dict:
    claims = [claim for page in engine.pages for claim in page.claims]
    cited_by: dict[str, list[str]] = {}
    cited_on: dict[str, list[str]] = {}
    for claim in claims:
        for key in claim.cites:
            cited_by.setdefault(key.lower(), []).append(claim.id)
    for page in engine.pages:
        for record in page.citations:
            if record.resolved and page.src_path and page.src_path not in cited_on.setdefault(record.key.lower(), []):
                cited_on[record.key.lower()].append(page.src_path)
    sources = []
    # Past a handful of uncited entries (a lab's shared bibliography), those are listed apart, by file,
    # their keys in one string: reading each of 100,000 entries, or writing each as an object, would be
    # most of a build (see Source).
    uncited_keys: dict[str, list[str]] = {}
    by_place = len(engine.bibliography) - len(cited_on) > MAX_UNCITED_LISTED
    for lowered, source in engine.bibliography.sources.items():
        if by_place and lowered not in cited_on and lowered not in cited_by:
            uncited_keys.setdefault(source.file, []).append(source.key)
            continue
        title = source.raw.fields.get("title", "")
        sources.append(
            {
                "key": source.key,
                "file": source.file,
                "line": source.line,
                "type": source.raw.type,
                # Decoded for cited entries only (kept with their formatted forms, so a warm build decodes
                # nothing): a large bibliography's unused entries stay cheap
                "title": engine.formatter.title(source.key) if lowered in cited_on else without_braces(title),
                "year": source.raw.fields.get("year", ""),
                "identifiers": {i.scheme: i.value for i in source.identifiers},
                "note": source.raw.fields.get("note", ""),
                "unverified": is_unverified(source, unverified_pattern),
                "cited_by": cited_by.get(lowered, []),
                "cited_on": cited_on.get(lowered, []),
            }
        )
    by_verdict = {verdict.name: 0 for verdict in scale.verdicts}
    for claim in claims:
        verdict = scale.get(claim.verdict)
        name = verdict.name if verdict else "unrated"
        by_verdict[name] = by_verdict.get(name, 0) + 1
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
        "claims": [claim.as_json() for claim in claims],
        "sources": sources,
        "uncited_sources": [{"file": file, "count": len(keys), "keys": " ".join(keys)} for file, keys in uncited_keys.items()],
        "findings": [finding.as_json() for finding in findings.items],
    }


def summary_line(data: dict) -> str:
    summary = data["summary"]
    verdicts = ", ".join(f"{count} {name}" for name, count in summary["by_verdict"].items() if count)
    findings = ", ".join(f"{kind} {count}" for kind, count in summary["findings"].items()) or "none"
    return f"{summary['claims']} claims ({verdicts or 'none'}); {summary['cited_sources']} of {summary['sources']} sources cited; findings: {findings}"


def _badge(scale: Scale, name: str | None) -> str:
    verdict = scale.get(name)
    if verdict is None:
        label = f"Unknown verdict: {name}" if name else "No verdict"
        return f'<span class="verdict-badge verdict-unrated" role="img" aria-label="Fact-check verdict: {escape(label, quote=True)}"><span class="verdict-icon" aria-hidden="true">!</span><span class="verdict-label">{escape(label)}</span></span>'
    return (
        f'<span class="verdict-badge verdict-{escape(verdict.name, quote=True)}" style="--verdict-color: {escape(verdict.color, quote=True)}" role="img" '
        f'aria-label="Fact-check verdict: {escape(verdict.label, quote=True)}"><span class="verdict-icon" aria-hidden="true">{escape(verdict.icon)}</span>'
        f'<span class="verdict-label">{escape(verdict.label)}</span></span>'
    )


def summary_html(claims, scale: Scale, page, report_url: str, words: dict) -> str:
    """The box at the top of a page with claims: how many claims per verdict, when reviewed, the report."""
    counts = {verdict.name: 0 for verdict in scale.verdicts}
    for claim in claims:
        verdict = scale.get(claim.verdict)
        if verdict:
            counts[verdict.name] += 1
    items = "".join(f"<li>{_badge(scale, name)} <span class=\"summary-count\">{count}</span></li>" for name, count in counts.items() if count)
    title = escape(words.get("summary_title", "Fact-check summary"))
    reviewed = page.meta.get("reviewed")
    parts = [f'<aside class="factcheck-summary factcheck-generated" aria-label="{title}"><p class="summary-title"><strong>{title}:</strong> {len(claims)} claims reviewed']
    if reviewed:
        parts.append(f' on <time datetime="{escape(str(reviewed), quote=True)}">{escape(str(reviewed))}</time>')
    parts.append(".")
    if report_url:
        parts.append(f' <a href="{escape(relative_url(report_url, page.url), quote=True)}">{escape(words.get("report_link", "Read the full report"))}</a>.')
    parts.append(f'</p><ul class="summary-verdicts">{items}</ul></aside>')
    return "".join(parts)


def report_html(data: dict, scale: Scale, page, words: dict) -> str:
    """Every claim (text, page, verdict, sources, findings), every source with its claims, every finding."""
    here = page.url
    findings_by_claim: dict[tuple, list[dict]] = {}
    for finding in data["findings"]:
        findings_by_claim.setdefault((finding.get("page"), finding.get("line")), []).append(finding)
    summary = data["summary"]
    out = ['<div class="factcheck-report factcheck-generated">']
    out.append(f"<p>{summary['claims']} claims on {len({c['page'] for c in data['claims']})} page(s); {summary['cited_sources']} of {summary['sources']} sources cited; {len(data['findings'])} finding(s). Generated {escape(data['generated'])}; the same data is in <code>factcheck.json</code>.</p>")
    out.append('<ul class="summary-verdicts">' + "".join(f"<li>{_badge(scale, name)} <span class=\"summary-count\">{count}</span></li>" for name, count in summary["by_verdict"].items()) + "</ul>")
    out.append('<h2 id="claims">Claims</h2><div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="factcheck-claims"><thead><tr><th>Claim</th><th>Verdict</th><th>Sources</th><th>Findings</th></tr></thead><tbody>')
    for claim in data["claims"]:
        link = relative_url(claim["url"] or "", here) + "#" + claim["id"]
        sources = ", ".join(f'<a href="#source-{escape(key, quote=True)}"><code>{escape(key)}</code></a>' for key in claim["cites"]) or "<em>none</em>"
        notes = findings_by_claim.get((claim["page"], claim["line"]), [])
        finding_html = "<br>".join(f'<span class="finding finding-{escape(f["severity"], quote=True)}">{escape(f["message"])}</span>' for f in notes) or "—"
        note = f'<br><span class="claim-note">{escape(claim["note"])}</span>' if claim["note"] else ""
        out.append(
            f'<tr id="report-{escape(claim["id"], quote=True)}"><td><a href="{escape(link, quote=True)}">{escape(claim["text"])}</a><br><small>{escape(claim["page"] or "")}:{claim["line"]}</small></td>'
            f"<td>{_badge(scale, claim['verdict'])}{note}</td><td>{sources}</td><td>{finding_html}</td></tr>"
        )
    out.append("</tbody></table></div></div>")
    out.append('<h2 id="sources">Sources</h2><div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="factcheck-sources"><thead><tr><th>Source</th><th>Claims</th><th>Status</th></tr></thead><tbody>')
    uncited_count = sum(1 for source in data["sources"] if not source["cited_on"]) + sum(group["count"] for group in data.get("uncited_sources", []))
    listed = data["sources"] if uncited_count <= MAX_UNCITED_LISTED else [source for source in data["sources"] if source["cited_on"]]
    for source in listed:
        claims = ", ".join(f'<a href="#report-{escape(cid, quote=True)}">{escape(cid)}</a>' for cid in source["cited_by"]) or ("cited outside claims" if source["cited_on"] else "not cited")
        status = []
        if source["unverified"]:
            status.append(f'<span class="reference-status reference-unverified">{escape(words.get("unverified", "Not fully verified"))}</span>: {escape(source["note"])}')
        if not source["identifiers"]:
            status.append("no identifier")
        status.extend(escape(check) for check in source.get("status", []))
        out.append(
            f'<tr id="source-{escape(source["key"], quote=True)}"><td><code>{escape(source["key"])}</code> {escape(source["title"])} ({escape(source["year"])})<br><small>{escape(source["file"])}:{source["line"]}</small></td>'
            f"<td>{claims}</td><td>{'<br>'.join(status) or 'ok'}</td></tr>"
        )
    out.append("</tbody></table></div></div>")
    if len(listed) < len(data["sources"]) or data.get("uncited_sources"):
        out.append(f"<p>{uncited_count} entries of the bibliography are never cited; factcheck.json lists them.</p>")
    out.append('<h2 id="findings">Findings</h2>')
    if data["findings"]:
        out.append('<ul class="factcheck-findings">')
        for finding in data["findings"]:
            place = finding.get("page") or finding.get("file") or ""
            if finding.get("line"):
                place += f":{finding['line']}"
            out.append(f'<li class="finding finding-{escape(finding["severity"], quote=True)}"><code>{escape(place)}</code> <strong>{escape(finding["kind"])}</strong> ({escape(finding["severity"])}): {escape(finding["message"])}</li>')
        out.append("</ul>")
    else:
        out.append("<p>No findings.</p>")
    out.append("</div>")
    return "".join(out)
