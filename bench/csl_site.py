"""The site as one CSL document (site-wide labels), next to a pybtex style, on the reference site with a
site-wide bibliography page.

    .venv/bin/python bench/csl_site.py [--runs 3] [--style apa] [--quick]

Targets (issue: CSL across a site): a cold build with the CSL style at most 2x the cold build with the
pybtex style; warm within 5%; a rebuild after a page edit (a fresh `mkdocs build` with the caches, as
`serve` rebuilds) measured for an edit that keeps the site's sources and one that cites another
source. Every build is a fresh process; the styles alternate; each style has its own cache folder,
emptied before each cold build. The table goes between the `csl-site` markers of bench/RESULTS.md and
the raw figures to bench/out/csl-site.json. The machine's load average is recorded before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import report  # noqa: E402 - bench/ is not a package
import run  # noqa: E402
from check_command import timed  # noqa: E402
from csl_styles import config_for  # noqa: E402

BEGIN, END = "<!-- csl-site -->", "<!-- /csl-site -->"
COLD_TARGET, WARM_TARGET = 2.0, 1.05


def edited(page: Path, original: str, cite: str) -> None:
    """The page with one more paragraph: without a citation, or citing `cite` (a source it did not cite)."""
    page.write_text(
        original + ("\n\nOne more sentence.\n" if not cite else f"\n\nOne more source [@{cite}].\n"), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--style", default="apa")
    parser.add_argument("--pybtex", default="plain")
    parser.add_argument("--quick", action="store_true", help="a site a tenth of the size")
    args = parser.parse_args()
    site, summary = run.make_site("reference", run.SIZES["reference"], BENCH / "out", 0.1 if args.quick else 1.0)
    refs = site / "docs" / "site-references.md"
    refs.write_text("# References\n\n::: {#refs scope=site}\n:::\n", encoding="utf-8")
    pages = sorted(
        path for path in (site / "docs").rglob("*.md") if path != refs and "[@" in path.read_text(encoding="utf-8")
    )
    page, original = pages[len(pages) // 2], pages[len(pages) // 2].read_text(encoding="utf-8")
    bib = next((site).glob("*.bib"), None) or next(site.rglob("*.bib"))
    bib_text = bib.read_text(encoding="utf-8")
    uncited = "benchuncited2001"  # the generated site cites every entry: one that no page cites
    bib.write_text(
        bib_text
        + f"\n@misc{{{uncited}, author = {{Nobody, Nora}}, title = {{An entry nobody cites}}, year = {{2001}}}}\n",
        encoding="utf-8",
    )
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    configs = {"pybtex": config_for(site, "pybtex", args.pybtex), "csl": config_for(site, "csl", args.style)}
    kinds = [
        "cold pybtex",
        "warm pybtex",
        "cold csl",
        "warm csl",
        "edit csl (same sources)",
        "edit csl (another source)",
        "edit pybtex (another source)",
    ]
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    loads: list[float] = []
    try:
        for number in range(args.runs):
            loads.append(os.getloadavg()[0])
            for name, config in configs.items():
                shutil.rmtree(site / ".cache" / name, ignore_errors=True)
                samples[f"cold {name}"].append(timed([mkdocs, "build", "-q", "-f", config], site))
                samples[f"warm {name}"].append(timed([mkdocs, "build", "-q", "-f", config], site))
                edits = (
                    [("same sources", ""), ("another source", uncited)]
                    if name == "csl"
                    else [("another source", uncited)]
                )
                for label, cite in edits:
                    edited(page, original, cite)
                    samples[f"edit {name} ({label})"].append(timed([mkdocs, "build", "-q", "-f", config], site))
                    page.write_text(original, encoding="utf-8")
                    timed([mkdocs, "build", "-q", "-f", config], site)  # back to the warm state
            run.log(
                f"run {number + 1} (load {loads[-1]:.1f}): "
                + ", ".join(f"{key} {values[-1]:.2f} s" for key, values in samples.items())
            )
    finally:
        page.write_text(original, encoding="utf-8")
        bib.write_text(bib_text, encoding="utf-8")
        refs.unlink(missing_ok=True)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    cold_ratio = medians["cold csl"] / medians["cold pybtex"]
    warm_ratio = medians["warm csl"] / medians["warm pybtex"]
    results = {
        "site": summary,
        "runs": args.runs,
        "styles": {"csl": args.style, "pybtex": args.pybtex},
        "samples": samples,
        "medians": medians,
        "cold_ratio": cold_ratio,
        "warm_ratio": warm_ratio,
        "load_average": loads,
        "machine": run.machine(),
    }
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "csl-site.json").write_text(json.dumps(results, indent=2), encoding="utf-8")

    def status(ratio: float, target: float) -> str:
        return "**met**" if ratio <= target else f"missed ({ratio:.2f})"

    rows = "".join(
        f"| {key} | {medians[key]:.2f} s | {', '.join(f'{s:.2f}' for s in values)} |\n"
        for key, values in samples.items()
    )
    table = (
        f"{BEGIN}\n## The site as one CSL document\n\n`mkdocs build` of the reference site ({summary.get('pages', '?')}"
        f" pages, {summary.get('groups', '?')} citation groups, {summary.get('entries', '?')} entries) with a site-wide"
        f" bibliography page, so that the site is one CSL document, with the CSL style `{args.style}` and the pybtex"
        f" style `{args.pybtex}`; cold: no caches; warm: the build after it; edit: the build after one page got a"
        f" paragraph (without a citation, or citing an entry nobody cited). {args.runs} runs each, fresh processes"
        f" (`bench/csl_site.py`{' --quick' if args.quick else ''}); load average of the 2-core machine before each run:"
        f" {', '.join(f'{load:.1f}' for load in loads)} (other sessions were building and testing).\n\n| build | median"
        f" | runs |\n|---|---:|---|\n{rows}\nCold CSL / cold pybtex: {cold_ratio:.2f} (target ≤ {COLD_TARGET}):"
        f" {status(cold_ratio, COLD_TARGET)}. Warm CSL / warm pybtex: {warm_ratio:.3f} (target ≤ {WARM_TARGET}):"
        f" {status(warm_ratio, WARM_TARGET)}.\n{END}\n"
    )
    report.write_section(BENCH / "RESULTS.md", BEGIN, END, table)
    print(table)


if __name__ == "__main__":
    main()
