"""What the formatter's second process buys: cold builds of the reference site with it and without it,
alternating fresh processes (the device must buy at least 5% of the build it speeds up to stay on).

    .venv/bin/python bench/second_process.py [--runs 5]

Without it is the same build with `worth_starting` answering no where the run asks it, set by this harness.
The medians go to bench/RESULTS.md (section second-process).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - bench/ is not a package
import report  # noqa: E402

WITHOUT = (
    "import runpy, sys; import mkdocs_factcheck.core.site as site;"
    " site.worth_starting = lambda entries: False;"
    " sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def cold_build(site: Path, with_process: bool) -> float:
    for name in (".cache", "site"):
        shutil.rmtree(site / name, ignore_errors=True)
    worker = [str(BENCH / "worker.py"), "build", str(site / "mkdocs.yml"), str(site / ".second-process.json")]
    command = [sys.executable, *worker] if with_process else [sys.executable, "-c", WITHOUT, *worker]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    subprocess.run(command, cwd=site, env=env, check=True, capture_output=True, timeout=1800)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "second-process")
    args = parser.parse_args()
    site = args.out / "site"
    if not (site / "mkdocs.yml").exists():
        generate.generate(site)
    times: dict[bool, list[float]] = {True: [], False: []}
    for run in range(args.runs):
        for with_process in (True, False):
            times[with_process].append(cold_build(site, with_process))
            print(f"run {run + 1}: {'with' if with_process else 'without'} {times[with_process][-1]:.2f} s", flush=True)
    with_it, without = statistics.median(times[True]), statistics.median(times[False])
    lines = [
        "## What the formatter's second process buys (`bench/second_process.py`)",
        "",
        f"Cold builds of the reference site, alternating, {args.runs} runs each, "
        f"{time.strftime('%Y-%m-%d %H:%MZ', time.gmtime())}, {os.cpu_count()} cores, "
        f"load average before the runs {os.getloadavg()[0]:.1f}:",
        "",
        "| cold build | median |",
        "|---|---:|",
        f"| with the second process | {with_it:.2f} s |",
        f"| without it | {without:.2f} s |",
        f"| bought | {100 * (without - with_it) / without:.0f}% |",
    ]
    begin, end = "<!-- second-process -->", "<!-- /second-process -->"
    report.write_section(BENCH / "RESULTS.md", begin, end, begin + "\n" + "\n".join(lines) + "\n" + end + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
