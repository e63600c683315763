"""A CSL style next to a pybtex one, on the benchmark's reference site.

    .venv/bin/python bench/csl_styles.py [--runs 3] [--style csl:vancouver] [--quick]

Target (issue: CSL styles): a warm build with the CSL style within 5% of the warm build with the
pybtex style, measured in the same run. Cold builds (no caches) are measured too: there the CSL style
runs pandoc once per page. Every build is a fresh process; the two styles alternate. Each style has its
own cache folder, emptied before each cold build. The table goes between the `csl-styles` markers of
bench/RESULTS.md and the raw figures to bench/out/csl-styles.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import report  # noqa: E402 - bench/ is not a package
import run  # noqa: E402
from check_command import timed  # noqa: E402

BEGIN, END = "<!-- csl-styles -->", "<!-- /csl-styles -->"
TARGET = 1.05


def config_for(site: Path, name: str, style: str) -> str:
    """A copy of the site's mkdocs.yml with `style` and a cache folder of its own."""
    config = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "factcheck" in plugin:
            plugin["factcheck"]["style"] = style
            plugin["factcheck"]["online"] = {"enabled": False, "cache_dir": f".cache/{name}"}
    config["site_dir"] = f"site-{name}"
    (site / f"mkdocs-{name}.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return f"mkdocs-{name}.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--style", default="csl:vancouver")
    parser.add_argument("--pybtex", default="vancouver")
    parser.add_argument("--quick", action="store_true", help="a site a tenth of the size")
    args = parser.parse_args()
    site, summary = run.make_site("reference", run.SIZES["reference"], BENCH / "out", 0.1 if args.quick else 1.0)
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    configs = {"pybtex": config_for(site, "pybtex", args.pybtex), "csl": config_for(site, "csl", args.style)}
    samples: dict[str, list[float]] = {f"{kind} {name}": [] for kind in ("cold", "warm") for name in configs}
    for number in range(args.runs):
        for name, config in configs.items():
            shutil.rmtree(site / ".cache" / name, ignore_errors=True)
            samples[f"cold {name}"].append(timed([mkdocs, "build", "-q", "-f", config], site))
            samples[f"warm {name}"].append(timed([mkdocs, "build", "-q", "-f", config], site))
        run.log(f"run {number + 1}: " + ", ".join(f"{key} {values[-1]:.2f} s" for key, values in samples.items()))
    medians = {key: statistics.median(values) for key, values in samples.items()}
    warm_ratio = medians["warm csl"] / medians["warm pybtex"]
    cold_ratio = medians["cold csl"] / medians["cold pybtex"]
    results = {
        "site": summary,
        "runs": args.runs,
        "styles": {"csl": args.style, "pybtex": args.pybtex},
        "samples": samples,
        "medians": medians,
        "warm_ratio": warm_ratio,
        "cold_ratio": cold_ratio,
        "machine": run.machine(),
    }
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "csl-styles.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    status = "**met**" if warm_ratio <= TARGET else f"missed ({warm_ratio:.2f})"
    rows = "".join(
        f"| {key} | {medians[key]:.2f} s | {', '.join(f'{s:.2f}' for s in values)} |\n"
        for key, values in samples.items()
    )
    table = (
        f"{BEGIN}\n## A CSL style next to a pybtex one\n\n`mkdocs build` of the reference site"
        f" ({summary.get('pages', '?')} pages, {summary.get('groups', '?')} citation groups,"
        f" {summary.get('entries', '?')} entries) with the CSL style `{args.style}` (pandoc's citeproc) and the pybtex"
        f" style `{args.pybtex}`; cold: no caches; warm: the build after it. {args.runs} runs each, fresh processes"
        f" (`bench/csl_styles.py`{' --quick' if args.quick else ''}).\n\n| build | median | runs"
        f" |\n|---|---:|---|\n{rows}\nWarm CSL / warm pybtex: {warm_ratio:.3f} (target ≤ {TARGET}): {status}. Cold CSL"
        f" / cold pybtex: {cold_ratio:.2f}.\n{END}\n"
    )
    report.write_section(BENCH / "RESULTS.md", BEGIN, END, table)
    print(table)


if __name__ == "__main__":
    main()
