"""The mkdocs-factcheck benchmark: the same synthetic site built with the plugin and without it.

    make bench                      # everything, 3 runs per case (about an hour while the plugin is slow)
    .venv/bin/python bench/run.py --quick     # sites a tenth of the size, 1 run: to check the harness

Every build runs in a fresh process (`/usr/bin/time -v` when present, for peak memory; otherwise the
process's own `ru_maxrss`); wall times are measured with `time.perf_counter`. Medians and ratios to the
plain build of the same run are written to bench/RESULTS.md (with a description of the machine) and a
plot to bench/build-time.svg; the raw figures to bench/out/results.json. Sites are generated into
bench/out/ (git-ignored). `--quick` writes its results under bench/out/ only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - bench/ is not a package
import plot  # noqa: E402
import report  # noqa: E402
import server as fake_server  # noqa: E402

SIZES = {
    "reference": {"pages": 200, "groups": 6000, "entries": 2000},
    "pages10x": {"pages": 2000, "groups": 60000, "entries": 2000},
    "bib10x": {"pages": 200, "groups": 6000, "entries": 20000, "cited": 2000},
    # A lab's shared bibliography: 100,000 entries of which the site cites the reference site's 2,000.
    "bib50x": {"pages": 200, "groups": 6000, "entries": 100000, "cited": 2000},
}
PACKAGES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "pybtex", "latexcodec", "mkdocs-factcheck")
LATENCY = 0.05
CONCURRENCY = 8  # the plugin's defaults; with two busy services (Crossref, DOI) x 4 per host, 8 can be in flight
PER_HOST = 4
SPACING = 0.0  # no pause between two requests to one host: the local server needs no politeness
TIME_V = Path("/usr/bin/time")


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# ---------------------------------------------------------------- running one measured process


def measure(site: Path, config: str, mode: str, timeout: float) -> dict:
    """Run bench/worker.py in a fresh process; wall time, peak RSS and what the worker reported."""
    report = site / f".bench-{mode}-{config}.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, str(BENCH / "worker.py"), mode, str(site / config), str(report)]
    use_time = TIME_V.exists()
    if use_time:
        command = [str(TIME_V), "-v", *command]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": True, "wall_seconds": time.perf_counter() - start}
    wall = time.perf_counter() - start
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"{config} {mode} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    result["wall_seconds"] = wall
    result["maxrss_kb"] = _time_v_maxrss(done.stderr) if use_time else result["self_maxrss_kb"]
    result["warnings"] = sum(1 for line in done.stderr.splitlines() if line.startswith("WARNING"))
    return result


def _time_v_maxrss(stderr: str) -> int | None:
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    return None


def clean(site: Path) -> None:
    """No caches: the plugin's .cache, the built sites."""
    for name in (".cache", "site", "site-plain"):
        shutil.rmtree(site / name, ignore_errors=True)


class Runner:
    def __init__(self, args):
        self.args = args
        self.results: dict = {"cases": {}}

    def repeat(self, label: str, site: Path, mode: str, before=None, runs: int | None = None) -> dict:
        """Alternate plain and plugin runs; a variant whose single build exceeds --max-build-seconds is not repeated."""
        runs = runs or self.args.runs
        samples: dict[str, list[dict]] = {"plain": [], "plugin": []}
        for run in range(runs):
            for variant, config in (("plain", "mkdocs-plain.yml"), ("plugin", "mkdocs.yml")):
                if run and samples[variant] and self._too_slow(samples[variant][0]):
                    continue
                if before:
                    before(site, variant)
                result = measure(site, config, mode, self.args.timeout)
                samples[variant].append(result)
                log(f"{label} {variant} run {run + 1}: {_brief(result)}")
        self.results["cases"][label] = samples
        return samples

    def _too_slow(self, sample: dict) -> bool:
        return sample.get("timeout") or sample.get("wall_seconds", 0) > self.args.max_build_seconds


def _brief(result: dict) -> str:
    if result.get("timeout"):
        return f"timed out after {result['wall_seconds']:.0f} s"
    keys = (
        "wall_seconds",
        "build_seconds",
        "rebuild_page_edit_seconds",
        "rebuild_bib_edit_seconds",
        "online_phase_seconds",
    )
    parts = [f"{k.replace('_seconds', '')}={result[k]:.2f}s" for k in keys if k in result]
    if result.get("maxrss_kb"):
        parts.append(f"rss={result['maxrss_kb'] / 1024:.0f}MB")
    return " ".join(parts)


# ---------------------------------------------------------------- the cases


def make_site(name: str, spec: dict, out: Path, scale: float) -> tuple[Path, dict]:
    site = out / "sites" / name
    scaled = {k: max(1, int(v * scale)) for k, v in spec.items()}
    stamp = site / ".bench-spec.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("spec") == scaled:
        return site, json.loads(stamp.read_text())["summary"]
    log(f"generating {name}: {scaled}")
    summary = generate.generate(site, **scaled)
    stamp.write_text(json.dumps({"spec": scaled, "summary": summary}))
    return site, summary


def online_config(site: Path, urls: dict[str, str]) -> str:
    data = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    online = {
        "enabled": True,
        **urls,
        "spacing": SPACING,
        "cache_dir": ".cache/plugin/factcheck",
        "concurrency": CONCURRENCY,
        "per_host": PER_HOST,
        "check_urls": False,  # URLs of the web-page entries point nowhere: only DOIs and PMIDs are checked
        "timeout": 10,
        "deadline": 600,
        "mailto": "bench@example.org",
    }
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "factcheck" in plugin:
            plugin["factcheck"]["online"] = online
    (site / "mkdocs-online.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return "mkdocs-online.yml"


def online_case(runner: Runner, site: Path, summary: dict) -> dict:
    # One server (port) per service, as in real life three hosts; they share one set of counters.
    stats = fake_server.Stats()
    servers = {
        name: fake_server.start(site, LATENCY, stats=stats) for name in ("crossref_api", "doi_resolver", "eutils_api")
    }
    config = online_config(
        site, {name: f"http://127.0.0.1:{server.server_address[1]}" for name, server in servers.items()}
    )
    url = f"http://127.0.0.1:{servers['crossref_api'].server_address[1]}"

    def call(path: str, method: str = "GET") -> dict:
        request = urllib.request.Request(url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    runs = []
    try:
        for run in range(runner.args.runs):
            shutil.rmtree(site / ".cache", ignore_errors=True)
            call("/_reset", "POST")
            cold = measure(site, config, "build", runner.args.timeout)
            cold["server"] = call("/_stats")
            call("/_reset", "POST")
            warm = measure(site, config, "build", runner.args.timeout)
            warm["server"] = call("/_stats")
            runs.append({"cold": cold, "warm": warm})
            log(
                f"online run {run + 1}: cold {_brief(cold)} requests={cold['server']['total']}; warm"
                f" requests={warm['server']['total']}"
            )
            if cold["server"]["total"] == 0 or runner._too_slow(cold):
                break
    finally:
        for server in servers.values():
            server.shutdown()
    result = {
        "identifiers": summary["identifiers"],
        "latency": LATENCY,
        "concurrency": CONCURRENCY,
        "per_host": PER_HOST,
        "spacing": SPACING,
        "runs": runs,
    }
    runner.results["online"] = result
    return result


def parse_times(sites: dict[str, Path], runs: int) -> dict:
    """Seconds pybtex takes to parse each site's references.bib once (median of `runs` fresh processes)."""
    code = (
        "import sys, time\nfrom pybtex.database.input import bibtex\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "start = time.perf_counter(); bibtex.Parser().parse_string(text); print(time.perf_counter() - start)\n"
    )
    times = {}
    for name, site in sites.items():
        samples = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code, str(site / "references.bib")],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(runs)
        ]
        times[name] = {"samples": samples, "median": statistics.median(samples)}
        log(f"pybtex parse of {name}/references.bib: {times[name]['median']:.2f}s")
    return times


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "commit": commit,
        "timer": (
            "/usr/bin/time -v (peak RSS) + time.perf_counter" if TIME_V.exists() else "time.perf_counter + ru_maxrss"
        ),
    }


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="sites a tenth of the size, 1 run, results under bench/out/"
    )
    parser.add_argument("--runs", type=int, default=None, help="runs per case (default 3; 1 with --quick)")
    parser.add_argument(
        "--cases", default="cold,warm,serve,online,pages10x,bib10x,bib50x", help="comma-separated subset of the cases"
    )
    parser.add_argument(
        "--max-build-seconds",
        type=float,
        default=120,
        help="a variant slower than this in its first run is not repeated",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before one measured process is killed")
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument(
        "--section",
        default="",
        help="results under OUT/SECTION/, shown as an extra section of RESULTS.md (e.g. a rerun at a newer commit)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite RESULTS.md and the plot from OUT/results.json",
    )
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        write_results(results, args.out)
        return
    args.runs = args.runs or (1 if args.quick else 3)
    if args.section:  # never the figures of record: results stay under OUT/SECTION
        args.out.mkdir(parents=True, exist_ok=True)
        args.out = args.out / args.section
    scale = 0.1 if args.quick else 1.0
    cases = set(args.cases.split(","))
    args.out.mkdir(parents=True, exist_ok=True)

    runner = Runner(args)
    results = runner.results
    results["machine"] = machine()
    results["started"] = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    results["load_before"] = os.getloadavg()
    results["quick"] = args.quick
    results["section"] = args.section
    results["runs"] = args.runs
    results["max_build_seconds"] = args.max_build_seconds
    log(f"load average {results['load_before'][0]:.2f}; {args.runs} run(s) per case; scale {scale}")

    sites, summaries = {}, {}
    sites_out = args.out.parent if args.section and not args.quick else args.out  # the same generated sites
    for name, spec in SIZES.items():
        if name == "reference" or name in cases:
            sites[name], summaries[name] = make_site(name, spec, sites_out, scale)
    results["sites"] = summaries
    reference = sites["reference"]

    def cold(site: Path, variant: str) -> None:
        clean(site)

    if "cold" in cases:
        runner.repeat("cold", reference, "build", before=cold)
    if "warm" in cases:
        if "cold" not in cases:  # otherwise the last cold builds left their caches
            for config in ("mkdocs-plain.yml", "mkdocs.yml"):
                measure(reference, config, "build", args.timeout)
        runner.repeat("warm", reference, "build")
    if "serve" in cases:
        runner.repeat("serve", reference, "serve")
    if "online" in cases:
        online_case(runner, reference, summaries["reference"])
    if "pages10x" in cases:
        runner.repeat("pages10x", sites["pages10x"], "build", before=cold)
    if "bib10x" in cases:
        runner.repeat("bib10x", sites["bib10x"], "build", before=cold)
        results["parse"] = parse_times({"reference": reference, "bib10x": sites["bib10x"]}, 3)
    if "bib50x" in cases:
        # Warm builds, to compare with the reference site's ("warm"): the first build fills the caches.
        for config in ("mkdocs-plain.yml", "mkdocs.yml"):
            clean(sites["bib50x"])
            results.setdefault("bib50x_cold", {})[config] = measure(sites["bib50x"], config, "build", args.timeout)
            log(f"bib50x cold {config}: {_brief(results['bib50x_cold'][config])}")
        runner.repeat("bib50x-warm", sites["bib50x"], "build")
    results["load_after"] = os.getloadavg()
    results["finished"] = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    write_results(results, args.out)


def write_results(results: dict, out: Path) -> None:
    of_record = not results.get("quick") and not results.get("section")
    notes = BENCH / "NOTES.md"
    if notes.exists() and of_record:
        results["notes"] = notes.read_text(encoding="utf-8")
    target = BENCH if of_record else out
    for section in ("head",):
        extra = out / section / "results.json"
        if of_record and extra.exists():
            results[section] = json.loads(extra.read_text(encoding="utf-8"))
    svg = plot.build_time_svg(results)
    if svg:
        (target / "build-time.svg").write_text(svg, encoding="utf-8")
    text = report.markdown(results)
    (target / "RESULTS.md").write_text(text + kept_sections(target / "RESULTS.md", text), encoding="utf-8")
    log(f"wrote {target / 'RESULTS.md'}")
    print(report.summary_table(results))


def kept_sections(path: Path, new_text: str) -> str:
    """Sections other scripts write between `<!-- name -->` and `<!-- /name -->` (bench/check_command.py):
    kept when this script rewrites the file."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    blocks = re.findall(r"<!-- ([\w-]+) -->.*?<!-- /\1 -->\n?", old, flags=re.DOTALL)
    kept = [
        re.search(rf"<!-- {name} -->.*?<!-- /{name} -->\n?", old, flags=re.DOTALL).group(0)
        for name in blocks
        if f"<!-- {name} -->" not in new_text
    ]  # type: ignore[union-attr]
    return "".join("\n" + block for block in kept)


if __name__ == "__main__":
    main()
