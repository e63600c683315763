"""What a build costs on a network that accepts connections and never answers, and without a network.

    .venv/bin/python bench/hanging_network.py [--runs 3] [--label after] [--pythonpath DIR] [--write]

Every build runs with the plugin's defaults (`timeout` 10 s, `deadline` 120 s, `retries` 2), as a new
user's would, in a fresh `mkdocs build` process whose HTTP_PROXY and HTTPS_PROXY point at a server on
127.0.0.1: "hanging" accepts every connection, reads the request and never answers (a captive or broken
proxy, a firewall that swallows packets); "no network" is a port where nothing listens (refused at once,
as on a machine without network); "checks off" builds with `online.enabled: false`. Nothing leaves this machine:
every request of the build goes to that
server, CONNECT for the https services, which it never answers.

Cases: a five-page site (DOIs, PMIDs, URLs of several hosts, a citation by DOI and one by PMID); a page
citing one DOI; `mkdocs-factcheck add doi:...`. Each build of a case runs twice in a row on the same
cache folder ("first": nothing remembered; "next": what the first left in the online cache), and the
cache is emptied before each pair. Figures: whole-process wall time, the longest stretch without a line
on stderr, the connections the proxy accepted. Raw figures go to bench/out/hanging-network-LABEL.json;
`--write` puts the table of every label measured so far between the `hanging-network` markers of
bench/RESULTS.md. The "before" column: `--pythonpath DIR`, a folder holding an older `mkdocs_factcheck`
(`git archive OLD plugins | tar -x -C DIR && mv DIR/plugins DIR/mkdocs_factcheck`), which then comes
first on the builds' import path.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "hanging-network"
BEGIN, END = "<!-- hanging-network -->", "<!-- /hanging-network -->"

BIB_ARTICLE = (
    "@article{{{key}, author={{Author, A{n}}}, title={{Study number {n}}}, journal={{J}}, year={{2020}},"
    " doi={{10.1000/hang.{n}}}{pmid}}}\n"
)
BIB_PAGE = (
    "@misc{{{key}, author={{Site, W{n}}}, title={{Page number {n}}}, year={{2021}},"
    " url={{https://site{n}.example.org/page}}}}\n"
)


class SilentProxy:
    """Accepts every connection and reads what comes; answers nothing until closed."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)  # kept open, never answered

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self._held:
            conn.close()


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def write_site(root: Path, name: str, online: bool = True) -> Path:
    site = root / name
    shutil.rmtree(site, ignore_errors=True)
    (site / "docs").mkdir(parents=True)
    if name == "five-pages":
        bib = "".join(
            BIB_ARTICLE.format(key=f"a{n}", n=n, pmid=f", pmid={{{30000000 + n}}}" if n % 2 else "") for n in range(12)
        )
        bib += "".join(BIB_PAGE.format(key=f"w{n}", n=n) for n in range(6))
        for page in range(5):
            cited = [f"a{n}" for n in range(page, 12, 5)] + [f"w{page}"]
            text = f"# Page {page}\n\n" + "".join(f"A claim [@{key}].\n\n" for key in cited)
            if page == 0:
                text += "Cited by identifier [@doi:10.1000/hang.by-id] and [@pmid:31000001].\n"
            (site / "docs" / f"page{page}.md").write_text(text, encoding="utf-8")
    else:
        bib = BIB_ARTICLE.format(key="a0", n=0, pmid="")
        (site / "docs" / "index.md").write_text("# One source\n\nA claim [@a0].\n", encoding="utf-8")
    (site / "references.bib").write_text(bib, encoding="utf-8")
    config = {
        "site_name": name,
        "site_url": "https://example.org/",
        "theme": {"name": "material"},
        "plugins": [
            "search",
            {"factcheck": {"bibliography": "references.bib", **({} if online else {"online": {"enabled": False}})}},
        ],
        "markdown_extensions": ["attr_list"],
    }
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return site


def run_once(command: list[str], cwd: Path, proxy: str, pythonpath: str) -> dict:
    """Wall time and the longest silence on stderr of one process."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.lower() not in ("no_proxy", "http_proxy", "https_proxy", "all_proxy")
    }
    env.update({"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "NO_MKDOCS_2_WARNING": "1"})
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    last, longest, lines = started, 0.0, []
    for line in process.stderr:
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        lines.append(line.rstrip())
    process.wait()
    ended = time.perf_counter()
    longest = max(longest, ended - last)
    return {
        "seconds": round(ended - started, 2),
        "silent_seconds": round(longest, 2),
        "exit": process.returncode,
        "stderr_tail": lines[-8:],
    }


def measure(runs: int, pythonpath: str, networks: list[str]) -> dict:
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    tool = str(Path(sys.executable).parent / "mkdocs-factcheck")
    results: dict[str, list[dict]] = {}
    for number in range(runs):
        for network in networks:
            for case in ("five-pages", "one-doi", "add"):
                if case == "add" and network == "checks off":
                    continue  # the command fetches whatever `online.enabled` says
                site = write_site(OUT, "one-doi" if case == "add" else case, online=network != "checks off")
                command = (
                    [tool, "add", "-f", "mkdocs.yml", "doi:10.1000/hang.added"] if case == "add" else [mkdocs, "build"]
                )
                for turn in ("first", "next"):
                    proxy = SilentProxy() if network == "hanging" else None
                    address = f"http://127.0.0.1:{proxy.port if proxy else closed_port()}"
                    try:
                        sample = run_once(command, site, address, pythonpath)
                    finally:
                        if proxy is not None:
                            proxy.close()
                    sample["connections"] = proxy.connections if proxy else None
                    results.setdefault(f"{network} | {case} | {turn}", []).append(sample)
                    print(
                        f"run {number + 1}: {network:10} {case:10} {turn:5} {sample['seconds']:6.1f} s, silent"
                        f" {sample['silent_seconds']:5.1f} s, connections {sample['connections']}",
                        flush=True,
                    )
    return results


def median(samples: list[dict], name: str) -> float:
    return statistics.median(sample[name] for sample in samples)


def table(measured: dict[str, dict]) -> str:
    labels = list(measured)
    rows = ["| network | case | build | " + " | ".join(labels) + " |", "|---|---|---|" + "---:|" * len(labels)]
    keys = list(dict.fromkeys(key for data in measured.values() for key in data["results"]))
    for key in keys:
        cells = []
        for label in labels:
            samples = measured[label]["results"].get(key)
            if not samples:
                cells.append("-")
                continue
            connections = samples[0]["connections"]
            extra = f", {connections} connection{'' if connections == 1 else 's'}" if connections is not None else ""
            cells.append(
                f"{median(samples, 'seconds'):.1f} s (silent {median(samples, 'silent_seconds'):.1f} s{extra})"
            )
        rows.append("| " + " | ".join(part.strip() for part in key.split("|")) + " | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_results(measured: dict[str, dict]) -> None:
    described = "; ".join(
        f"{label}: {data['commit']}, {data['when']}, {data['runs']} runs" for label, data in measured.items()
    )
    text = (
        f"{BEGIN}\n## A network that does not answer (issue 27)\n\n`mkdocs build` with the plugin's defaults (timeout"
        " 10 s, deadline 120 s, retries 2) in fresh processes whose HTTP(S)_PROXY is a server on 127.0.0.1 that"
        ' accepts every connection and never answers ("hanging"), or a port where nothing listens ("no network");'
        ' "checks off": `online.enabled: false`; `bench/hanging_network.py`. "first" starts from an empty cache'
        ' folder, "next" is the build right after it. Medians: whole-process wall time, the longest stretch with no'
        " line on stderr, and the connections the proxy accepted (of the first run). The five-page site cites 17"
        " entries (12 DOIs, 6 of them with a PMID, 6 web pages on 6 hosts) and one DOI and one PMID by"
        f" identifier.\n\nRuns: {described}.\n\n{table(measured)}\n{END}\n"
    )
    path = BENCH / "RESULTS.md"
    old = path.read_text(encoding="utf-8")
    if BEGIN in old:
        start, end = old.index(BEGIN), old.index(END) + len(END) + 1
        block = old[start:end]
        notes = block[block.index("\n### ") : block.index(END)] if "\n### " in block else ""  # written by hand: kept
        new = old[:start] + text.replace(f"\n{END}", f"\n{notes}{END}") + old[end:]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="after", help="the name of this code's column (before, after)")
    parser.add_argument(
        "--pythonpath", default="", help="a folder holding the mkdocs_factcheck to measure (default: the installed one)"
    )
    parser.add_argument("--networks", default="hanging,no network,checks off", help="which of them, comma-separated")
    parser.add_argument(
        "--write", action="store_true", help="write the table of every label measured to bench/RESULTS.md"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "plugins"], cwd=BENCH, capture_output=True, text=True, check=False
    ).stdout.strip()
    if args.pythonpath:
        commit, dirty = f"{args.pythonpath} (not this checkout)", ""
    results = measure(args.runs, args.pythonpath, args.networks.split(","))
    raw = OUT.parent / f"hanging-network-{args.label}.json"
    when = time.strftime("%Y-%m-%d %H:%MZ", time.gmtime())
    raw.write_text(
        json.dumps(
            {"commit": commit + ("+changes" if dirty else ""), "when": when, "runs": args.runs, "results": results},
            indent=1,
        ),
        encoding="utf-8",
    )
    if args.write:
        measured = {}
        for label in ("before", "after"):
            path = OUT.parent / f"hanging-network-{label}.json"
            if path.exists():
                measured[label] = json.loads(path.read_text(encoding="utf-8"))
        write_results(measured)


if __name__ == "__main__":
    main()
