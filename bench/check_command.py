"""The check command next to the plain build, on the benchmark's reference site.

    .venv/bin/python bench/check_command.py [--runs 5]

Target (issue: one engine for every site generator): `mkdocs-factcheck check --offline` with warm
caches takes at most a quarter of the plain MkDocs build's time (Material and `search`, no plugin),
measured in the same run. Every run is a fresh process, plain build and check alternating. The table
goes between the `check-command` markers of bench/RESULTS.md (kept there when run.py rewrites the file)
and the raw figures to bench/out/check-command.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import report  # noqa: E402 - bench/ is not a package
import run  # noqa: E402

BEGIN, END = "<!-- check-command -->", "<!-- /check-command -->"
TARGET = 0.25


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the check found warnings, which the synthetic site has
        raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a site a tenth of the size")
    args = parser.parse_args()
    site, summary = run.make_site("reference", run.SIZES["reference"], BENCH / "out", 0.1 if args.quick else 1.0)
    bin_dir = Path(sys.executable).parent
    plain = [str(bin_dir / "mkdocs"), "build", "-q", "-f", "mkdocs-plain.yml", "-d", "site-plain"]
    check = [str(bin_dir / "mkdocs-factcheck"), "check", "--offline", "-f", "mkdocs.yml"]
    # Warm the caches the check reads (the parsed bibliography, formatted entries) and the OS's file cache.
    timed(check, site)
    timed(plain, site)
    samples: dict[str, list[float]] = {"plain": [], "check": []}
    for number in range(args.runs):
        samples["plain"].append(timed(plain, site))
        samples["check"].append(timed(check, site))
        run.log(f"run {number + 1}: plain {samples['plain'][-1]:.2f} s, check {samples['check'][-1]:.2f} s")
    plain_median, check_median = statistics.median(samples["plain"]), statistics.median(samples["check"])
    ratio = check_median / plain_median
    results = {
        "site": summary,
        "runs": args.runs,
        "samples": samples,
        "plain_median": plain_median,
        "check_median": check_median,
        "ratio": ratio,
        "machine": run.machine(),
    }
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "check-command.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    status = "**met**" if ratio <= TARGET else f"missed by {ratio / TARGET:.1f}×"
    table = (
        f"{BEGIN}\n## The check command\n\n`mkdocs-factcheck check --offline`, warm caches, against `mkdocs build`"
        f" without the plugin, on the reference site ({summary.get('pages', '?')} pages, {summary.get('groups', '?')}"
        f" citation groups, {summary.get('entries', '?')} entries); {args.runs} runs each, alternating, fresh processes"
        f" (`bench/check_command.py`{' --quick' if args.quick else ''}).\n\n| | median | runs |\n|---|---:|---|\n|"
        f" plain build | {plain_median:.2f} s | {', '.join(f'{s:.2f}' for s in samples['plain'])} |\n| check command |"
        f" {check_median:.2f} s | {', '.join(f'{s:.2f}' for s in samples['check'])} |\n\nRatio {ratio:.2f} (target ≤"
        f" {TARGET}): {status}.\n{END}\n"
    )
    report.write_section(BENCH / "RESULTS.md", BEGIN, END, table)
    print(table)


if __name__ == "__main__":
    main()
