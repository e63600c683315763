"""Two commits of the plugin on the reference site, alternating fresh `mkdocs build` processes.

    .venv/bin/python bench/ab.py OLD NEW [--runs 5] [--section NAME]

Each commit is checked out into bench/out/ab/<commit>/ (a git worktree) and imported from there
(PYTHONPATH), with its own copy of the reference site and its own caches; both use this environment's
MkDocs, Material and pybtex. Runs alternate (old, new, old, new, ...) so that a change in the machine's
load falls on both. Warm builds find the caches their commit left; cold builds start without them. The
medians and their ratio go to bench/RESULTS.md under `--section` (and to bench/out/ab/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - bench/ is not a package
import report  # noqa: E402


def checkout(commit: str, out: Path) -> tuple[Path, Path]:
    """The commit's tree, and the folder to put on PYTHONPATH for its `mkdocs_factcheck`."""
    tree = out / commit
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True, capture_output=True
        )
    if (tree / "plugins" / "mkdocs_factcheck").is_dir():
        return tree, tree / "plugins"
    link_root = out / f"{commit}-import"  # an older layout: the package was plugins/ itself
    link_root.mkdir(exist_ok=True)
    link = link_root / "mkdocs_factcheck"
    if not link.exists():
        link.symlink_to(tree / "plugins")
    return tree, link_root


def build_once(tree: Path, import_root: Path, site: Path, cold: bool) -> float:
    if cold:
        for name in (".cache", "site"):
            shutil.rmtree(site / name, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(import_root), "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
    report_file = site / ".ab-report.json"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(tree / "bench" / "worker.py"), "build", str(site / "mkdocs.yml"), str(report_file)],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{tree.name}: build failed:\n{done.stderr[-3000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--section", default="ab")
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "ab")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    variants = {}
    for name in (args.old, args.new):
        tree, import_root = checkout(name, args.out)
        site = args.out / f"site-{name}"
        if not (site / "mkdocs.yml").exists():
            generate.generate(site)
        variants[name] = (tree, import_root, site)
    times: dict[str, dict[str, list[float]]] = {name: {"warm": [], "cold": []} for name in variants}
    for tree, import_root, site in variants.values():
        build_once(tree, import_root, site, cold=True)  # the caches a warm build finds
    for mode in ("warm", "cold"):
        for run in range(args.runs):
            for name, (tree, import_root, site) in variants.items():
                seconds = build_once(tree, import_root, site, cold=mode == "cold")
                times[name][mode].append(seconds)
                print(f"{mode} {run + 1}/{args.runs} {name}: {seconds:.2f} s", flush=True)
        for tree, import_root, site in variants.values():
            build_once(tree, import_root, site, cold=False)  # leave the caches for the next mode
    (args.out / "results.json").write_text(json.dumps(times, indent=2), encoding="utf-8")
    lines = [
        f"## {args.old} against {args.new} (A/B, `bench/ab.py`)",
        "",
        (
            "The reference site (200 pages, 6,000 citation groups, 2,000 entries, pybtex `unsrt`, online checks off), "
            f"fresh `mkdocs build` processes alternating between the two commits, {args.runs} runs each, "
            f"{time.strftime('%Y-%m-%d %H:%MZ', time.gmtime())}, load average before the runs {os.getloadavg()[0]:.1f}:"
        ),
        "",
        f"| build | {args.old} | {args.new} | change |",
        "|---|---:|---:|---:|",
    ]
    for mode in ("warm", "cold"):
        old, new = statistics.median(times[args.old][mode]), statistics.median(times[args.new][mode])
        lines.append(f"| {mode}, median | {old:.2f} s | {new:.2f} s | {100 * (new - old) / old:+.0f}% |")
    begin, end = f"<!-- {args.section} -->", f"<!-- /{args.section} -->"
    report.write_section(BENCH / "RESULTS.md", begin, end, begin + "\n" + "\n".join(lines) + "\n" + end + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
