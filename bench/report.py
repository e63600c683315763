"""Figures, targets and the RESULTS.md text, from the results dictionary bench/run.py collects."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

# The targets of issue 5, as ratios to the plain build of the same run.
COLD_TARGET, COLD_AIM = 1.5, 1.2
WARM_TARGET = 1.1
SERVE_TARGET = 1.1
MEMORY_TARGET = 1.3
ONLINE_TARGET = 1.3


def write_section(results_md: Path, begin: str, end: str, table: str) -> None:
    """Put `table` (which starts with `begin` and ends with `end`) in RESULTS.md, in place of the
    section between those markers, or at the end."""
    text = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    if begin in text:
        text = re.sub(
            re.escape(begin) + r".*?" + re.escape(end) + r"\n?", table.replace("\\", "\\\\"), text, flags=re.DOTALL
        )
    else:
        text = text.rstrip("\n") + "\n\n" + table
    results_md.write_text(text, encoding="utf-8")


def median(samples: list[dict], key: str) -> float | None:
    values = [s[key] for s in samples if not s.get("timeout") and s.get(key) is not None]
    return statistics.median(values) if values else None


def timed_out(samples: list[dict]) -> float | None:
    return next((s["wall_seconds"] for s in samples if s.get("timeout")), None)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    if value is None:
        return "–"
    if unit == "MB":
        return f"{value / 1024:.0f} MB"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:.{digits}f} s"


def rows(results: dict) -> list[dict]:
    """One row per measured comparison: plain and plugin medians, ratio, runs, peak memory."""
    cases = results.get("cases", {})
    out = []
    plan = [
        ("cold", "Cold build (no caches), reference size", "wall_seconds"),
        ("warm", "Warm build (caches present, nothing changed)", "wall_seconds"),
        ("serve", "`serve`: first build", "initial_build_seconds"),
        ("serve", "`serve`: rebuild after editing one page", "rebuild_page_edit_seconds"),
        ("serve", "`serve`: rebuild after editing references.bib", "rebuild_bib_edit_seconds"),
        ("pages10x", "Cold build, 10× pages", "wall_seconds"),
        ("bib10x", "Cold build, 10× bibliography", "wall_seconds"),
    ]
    for case, title, key in plan:
        if case not in cases:
            continue
        plain, plugin = cases[case]["plain"], cases[case]["plugin"]
        row = {
            "case": case,
            "key": key,
            "title": title,
            "plain": median(plain, key),
            "plugin": median(plugin, key),
            "plugin_timeout": timed_out(plugin),
            "n": (
                f"{len([s for s in plain if not s.get('timeout')])}/{len([s for s in plugin if not s.get('timeout')])}"
            ),
        }
        row["ratio"] = ratio(row["plugin"], row["plain"])
        if key in ("wall_seconds", "initial_build_seconds"):
            row["rss_plain"] = median(plain, "maxrss_kb")
            row["rss_plugin"] = median(plugin, "maxrss_kb")
            row["rss_ratio"] = ratio(row["rss_plugin"], row["rss_plain"])
        out.append(row)
    return out


def _status(measured: float | None, target: float, what: str = "×") -> str:
    if measured is None:
        return "not measured"
    if measured <= target:
        return "**met**"
    return f"**missed** by {measured / target:.1f} times ({measured:.2f}{what} against {target}{what})"


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, measured, status) for every target of the issue."""
    by = {(r["case"], r["key"]): r for r in rows(results)}
    out = []
    cold = by.get(("cold", "wall_seconds"))
    if cold:
        aim = " (aim 1.2: met)" if cold["ratio"] is not None and cold["ratio"] <= COLD_AIM else " (aim 1.2: not met)"
        out.append(
            ("Cold build ≤ 1.5× plain (aim 1.2×)", fmt(cold["ratio"], "x"), _status(cold["ratio"], COLD_TARGET) + aim)
        )
        out.append(
            (
                "Peak memory ≤ 1.3× plain (cold build)",
                fmt(cold.get("rss_ratio"), "x"),
                _status(cold.get("rss_ratio"), MEMORY_TARGET),
            )
        )
    warm = by.get(("warm", "wall_seconds"))
    if warm:
        out.append(("Warm build ≤ 1.1× plain", fmt(warm["ratio"], "x"), _status(warm["ratio"], WARM_TARGET)))
    serve = by.get(("serve", "rebuild_page_edit_seconds"))
    if serve:
        out.append(
            (
                "`serve` rebuild after a one-page edit ≤ 1.1× plain rebuild",
                fmt(serve["ratio"], "x"),
                _status(serve["ratio"], SERVE_TARGET),
            )
        )
    growth = bib_growth(results)
    if growth:
        grew, parse = growth["growth"], growth["extra_parse"]
        status = (
            "**met**"
            if grew is not None and grew < parse
            else (
                "not measured"
                if grew is None
                else f"**missed** by {grew - parse:.1f} s ({grew / parse:.1f} times the parse time)"
            )
        )
        out.append(
            (
                "10× bibliography: cold build grows by less than parsing the extra entries once",
                f"+{fmt(grew)} (parse of the extra entries: {fmt(parse)})",
                status,
            )
        )
    online = online_summary(results)
    if online:
        if online.get("not_measured"):
            out.append(
                (
                    "Online: 2,000 ids at 50 ms within 1.3× the concurrency bound",
                    "–",
                    "not measured yet: " + online["not_measured"],
                )
            )
            out.append(("Online: zero requests on the warm run", "–", "not measured yet"))
        else:
            r = online["ratio"]
            out.append(
                (
                    "Online: ids at 50 ms within 1.3× the concurrency bound",
                    f"{fmt(online['phase'])} against a bound of {fmt(online['bound'])} ({fmt(r, 'x')})",
                    _status(r, ONLINE_TARGET),
                )
            )
            warm_requests = online["warm_requests"]
            out.append(
                (
                    "Online: zero requests on the warm run",
                    str(warm_requests),
                    "**met**" if warm_requests == 0 else f"**missed**: {warm_requests} requests",
                )
            )
    return out


def bib_growth(results: dict) -> dict | None:
    by = {(r["case"], r["key"]): r for r in rows(results)}
    cold, big, parse = by.get(("cold", "wall_seconds")), by.get(("bib10x", "wall_seconds")), results.get("parse")
    if not (cold and big and parse):
        return None
    grew = big["plugin"] - cold["plugin"] if big["plugin"] is not None and cold["plugin"] is not None else None
    return {"growth": grew, "extra_parse": parse["bib10x"]["median"] - parse["reference"]["median"], "parse": parse}


def online_summary(results: dict) -> dict | None:
    online = results.get("online")
    if not online:
        return None
    runs = online["runs"]
    if not runs or runs[0]["cold"].get("timeout"):
        return {"not_measured": "the build timed out"}
    totals = [run["cold"]["server"]["total"] for run in runs]
    if not any(totals):
        submitted = runs[0]["cold"].get("online_submitted", 0)
        return {
            "not_measured": (
                f"the plugin submitted {submitted} entries but made no request (plugins/online is a stub that checks"
                " nothing yet)"
            )
        }
    allowed = min(online["concurrency"], 2 * online["per_host"])  # two busy hosts: Crossref and the DOI handle API
    # The checks start while pages render: the phase is judged by the server's span (first request to last
    # answer); the submission window (first to last entry submitted) shows when rendering holds it back.
    phase = statistics.median(run["cold"]["server"]["span_seconds"] for run in runs)
    requests = statistics.median(totals)
    bound = requests * online["latency"] / allowed
    cold = runs[0]["cold"]
    return {
        "allowed": allowed,
        "submit_window": statistics.median(run["cold"].get("online_submit_window_seconds") or 0 for run in runs),
        "finish_wait": statistics.median(run["cold"].get("online_finish_wait_seconds") or 0 for run in runs),
        "first_submit_to_finish": cold.get("online_phase_seconds"),
        "build": statistics.median(run["cold"]["wall_seconds"] for run in runs),
        "requests": requests,
        "by_service": runs[0]["cold"]["server"]["requests"],
        "max_in_flight": max(run["cold"]["server"]["max_in_flight"] for run in runs),
        "bound": bound,
        "phase": phase,
        "ratio": phase / bound if bound else None,
        "warm_requests": max(run["warm"]["server"]["total"] for run in runs),
        "runs": len(runs),
    }


def summary_table(results: dict) -> str:
    lines = [
        "| Case | Plain | Plugin | Ratio | Runs (plain/plugin) | Peak RSS plain / plugin (ratio) |",
        "|---|---:|---:|---:|:---:|---:|",
    ]
    for row in rows(results):
        plugin = (
            fmt(row["plugin"])
            if row["plugin"] is not None
            else (f"> {row['plugin_timeout']:.0f} s (timed out)" if row["plugin_timeout"] else "–")
        )
        memory = ""
        if row.get("rss_plain"):
            memory = f"{fmt(row['rss_plain'], 'MB')} / {fmt(row['rss_plugin'], 'MB')} ({fmt(row['rss_ratio'], 'x')})"
        lines.append(
            f"| {row['title']} | {fmt(row['plain'])} | {plugin} | {fmt(row['ratio'], 'x')} | {row['n']} | {memory} |"
        )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    m = results["machine"]
    sites = results["sites"]
    ref = sites["reference"]
    parts = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); how to read and rerun it: see bench/README.md.",
        f"{'**Quick run: sites a tenth of the size; not the figures of record.**' if results.get('quick') else ''}",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}; {m['os']}",
        f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        f"- Commit {m['commit']}; run {results['started']} to {results['finished']}",
        (
            f"- Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in results['load_before'])}; after:"
            f" {', '.join(f'{x:.2f}' for x in results['load_after'])}"
        ),
        (
            f"- Timing: {m['timer']}; {results['runs']} run(s) per case, medians; a variant whose first build took over"
            f" {results['max_build_seconds']:.0f} s is not repeated (its runs column says so)"
        ),
        "",
        "## Sites",
        "",
        "| Site | Pages | Citation groups | Claims | Entries | Cited entries | DOIs + PMIDs cited |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in sites.items():
        parts.append(
            f"| {name} | {s['pages']:,} | {s['groups']:,} | {s['claims']:,} | {s['entries']:,} | {s['cited']:,} |"
            f" {s['identifiers']:,} |"
        )
    parts += ["", "The plain build is the same `docs/` with Material and `search` only (citations stay text).", ""]
    parts += [
        "## Builds",
        "",
        (
            "Wall time of the whole `mkdocs build` process (interpreter start included); `serve` rows: the build call"
            " alone."
        ),
        "",
    ]
    parts.append(summary_table(results))
    parts += ["", "## Targets (issue 5)", "", "| Target | Measured | Status |", "|---|---|---|"]
    for target, measured, status in targets(results):
        parts.append(f"| {target} | {measured} | {status} |")
    growth = bib_growth(results)
    if growth:
        p = growth["parse"]
        parts += [
            "",
            (
                f"pybtex parses references.bib once in {fmt(p['reference']['median'])} ({ref['entries']:,} entries) and"
                f" {fmt(p['bib10x']['median'])} ({sites['bib10x']['entries']:,} entries), medians of 3 fresh processes."
            ),
        ]
    online = online_summary(results)
    if online and not online.get("not_measured"):
        o = results["online"]
        parts += [
            "",
            (
                f"Online phase ({online['runs']} run(s), cold cache): {online['requests']:.0f} requests"
                f" ({online['by_service']}), at most {online['max_in_flight']} in flight; latency"
                f" {o['latency'] * 1000:.0f} ms, concurrency {o['concurrency']}, per host {o['per_host']}, spacing"
                f" {o['spacing']} s, one local server per service: {online['allowed']} allowed in flight, bound"
                f" {online['requests']:.0f} × {o['latency']} s / {online['allowed']} = {fmt(online['bound'])}."
                f" Measured: first request to last answer {fmt(online['phase'])}; entries were first cited over"
                f" {fmt(online['submit_window'])} while pages rendered (their checks start earlier, in on_files);"
                f" `finish()` then waited {fmt(online['finish_wait'])}; whole build {fmt(online['build'])}."
            ),
        ]
    counters = _counters(results)
    if counters:
        parts += ["", "## What the plugin counted", ""] + counters
    parts += ["", "## Plot", "", "![Build time against site size](build-time.svg)", ""]
    notes = results.get("notes")
    if notes:
        parts += ["## Analysis (bench/NOTES.md, written for the commit above)", "", notes.strip(), ""]
    for section, title, what in (
        ("head", "Rerun of some cases (`bench/run.py --section head`)", "the plugin as committed then"),
    ):
        extra = results.get(section)
        if not extra:
            continue
        parts += [
            f"## {title}",
            "",
            (
                f"The same sites, commit {extra['machine']['commit']}, run {extra['started']} to {extra['finished']}"
                f" (load before {extra['load_before'][0]:.2f}, after {extra['load_after'][0]:.2f}): {what},"
                f" {extra['runs']} run(s) of each case listed."
            ),
            "",
            summary_table(extra),
            "",
            "| Target | Measured | Status |",
            "|---|---|---|",
        ]
        parts += [f"| {target} | {measured} | {status} |" for target, measured, status in targets(extra)]
        counters = _counters(extra)
        parts += [""] + counters + [""]
    return "\n".join(parts)


def _second(counters: dict) -> str:
    taken = counters.get("entries_from_second_process")
    return f" and {taken} taken from the second process" if taken is not None else ""


def _counters(results: dict) -> list[str]:
    lines = []
    cold = results.get("cases", {}).get("cold", {}).get("plugin", [])
    if cold and cold[0].get("counters"):
        c = cold[0]["counters"]
        lines.append(
            f"- Cold build: {c.get('entries_formatted')} entries formatted by the build{_second(c)} of"
            f" {c.get('entries')}; bibliography parsed {c.get('bibliography_parses')} time(s)."
        )
    big = results.get("cases", {}).get("bib10x", {}).get("plugin", [])
    if big and big[0].get("counters"):
        c = big[0]["counters"]
        lines.append(
            f"- 10× bibliography: {c.get('entries_formatted')} entries formatted by the build{_second(c)} of"
            f" {c.get('entries')}."
        )
    serve = results.get("cases", {}).get("serve", {}).get("plugin", [])
    if serve and serve[0].get("counters_after_page_edit"):
        a, b = serve[0]["counters_after_page_edit"], serve[0]["counters_after_bib_edit"]
        lines.append(
            f"- `serve`, after the page edit: {a.get('entries_formatted')} entries formatted again, bibliography parses"
            f" so far {a.get('bibliography_parses')}; after the .bib edit: {b.get('entries_formatted')} formatted,"
            f" parses so far {b.get('bibliography_parses')}."
        )
    return lines
