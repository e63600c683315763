"""Where a build spends its time: one `mkdocs build` of a generated site under cProfile.

    .venv/bin/python bench/profile_build.py bench/out/sites/reference [--config mkdocs.yml] [--top 40]

Prints the functions with the most cumulative time, then the same restricted to mkdocs_factcheck, pybtex,
latexcodec and importlib.metadata (what the plugin adds to a plain build), and saves the raw profile to
SITE/build.prof (open it with `python -m pstats` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

OURS = ("mkdocs_factcheck", "/plugins/", "pybtex", "latexcodec", "importlib/metadata")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site = args.site.resolve()
    os.chdir(site)
    config = load_config(args.config)
    config.plugins.on_startup(command="build", dirty=False)
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    try:
        build(config)
    finally:
        profile.disable()
        config.plugins.on_shutdown()
    print(f"build: {time.perf_counter() - start:.2f} s under the profiler")
    target = site / "build.prof"
    profile.dump_stats(target)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    print("---- plugin, pybtex, latexcodec, importlib.metadata only")
    stats.sort_stats("cumulative").print_stats("|".join(OURS).replace("/", "."), args.top)
    stats.sort_stats("tottime").print_stats("|".join(OURS).replace("/", "."), 20)
    print(f"raw profile: {target}")


if __name__ == "__main__":
    main()
