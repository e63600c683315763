"""One measured process: a `mkdocs build`, or a `mkdocs serve` session with edits, run the way MkDocs runs them.

    python bench/worker.py build CONFIG REPORT_JSON
    python bench/worker.py serve CONFIG REPORT_JSON

`build` does what `mkdocs build` does (mkdocs/__main__.py): load the config, `on_startup(command="build")`,
`build()`, `on_shutdown()`. `serve` does what mkdocs/commands/serve.py does, without the HTTP server and
the file watcher: a temporary site_dir, `on_startup(command="serve", dirty=False)`, the first build
with `serve_url`, `on_serve`; then, for each edit, the config is loaded again (plugins that define
`on_startup` are the same objects, as in serve) and the site is built again. The edits (one page, then
one entry of references.bib) are undone before the process ends.

The report holds wall times measured with `time.perf_counter` around each build, and what the plugin
counted (bibliography parses, entries formatted, online submissions), read without changing anything.
"""

from __future__ import annotations

import json
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import _serve_url

ONLINE: dict = {
    "submitted": 0,
    "first_submit": None,
    "last_submit": None,
    "finish_called": None,
    "finish_returned": None,
}


def observe_online() -> None:
    """Wrap (and call through) the online verifier's submit and finish, to time the online phase."""
    try:
        from mkdocs_factcheck.core.checks import online
    except ImportError:
        return
    cls = online.OnlineVerifier
    submit, finish = cls.submit, cls.finish

    def timed_submit(self, source):
        ONLINE["submitted"] += 1
        now = time.perf_counter()
        if ONLINE["first_submit"] is None:
            ONLINE["first_submit"] = now
        ONLINE["last_submit"] = now
        return submit(self, source)

    def timed_finish(self):
        ONLINE["finish_called"] = time.perf_counter()
        result = finish(self)
        ONLINE["finish_returned"] = time.perf_counter()
        return result

    cls.submit, cls.finish = timed_submit, timed_finish


def plugin_counters(config) -> dict:
    plugin = config.plugins.get("factcheck") if config.plugins else None
    if plugin is None:
        return {}
    engine = getattr(plugin, "engine", None)
    counters = {"bibliography_parses": getattr(getattr(plugin, "bibliography_cache", None), "parses", None)}
    if engine is not None:
        counters["entries_formatted"] = getattr(engine.formatter, "formatted_count", None)
        counters["entries_from_second_process"] = getattr(engine.formatter, "taken_count", None)
        counters["entries"] = len(engine.bibliography)
    return counters


class StubServer:
    """What `on_serve` receives instead of the LiveReloadServer: it only records watched paths."""

    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path, func=None, recursive=True):
        self.watched.append(str(path))


def run_build(config_file: str) -> dict:
    start = time.perf_counter()
    config = load_config(config_file=config_file)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config, dirty=False)
    finally:
        config.plugins.on_shutdown()
    return {"build_seconds": time.perf_counter() - start, "counters": plugin_counters(config)}


def edit_page(docs: Path) -> tuple[Path, str]:
    page = docs / "index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\nAn editor added this sentence while serving the site.\n", encoding="utf-8")
    return page, original


def edit_bibliography(bib: Path) -> str:
    original = bib.read_text(encoding="utf-8")
    position = original.index("title = {") + len("title = {")
    bib.write_text(original[:position] + "Edited: " + original[position:], encoding="utf-8")
    return original


def run_serve(config_file: str) -> dict:
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")
    times: dict = {}

    def get_config():
        return load_config(config_file=config_file, site_dir=site_dir)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)

    def builder(config=None):
        if config is None:
            config = get_config()
            config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=False)
        return config

    root = Path(config_file).resolve().parent
    page, page_text = None, None
    bib, bib_text = root / "references.bib", None
    try:
        start = time.perf_counter()
        builder(config)
        times["initial_build_seconds"] = time.perf_counter() - start
        config.plugins.on_serve(StubServer(), config=config, builder=builder)
        page, page_text = edit_page(Path(config.docs_dir))
        start = time.perf_counter()
        last = builder()
        times["rebuild_page_edit_seconds"] = time.perf_counter() - start
        times["counters_after_page_edit"] = plugin_counters(last)
        bib_text = edit_bibliography(bib)
        start = time.perf_counter()
        last = builder()
        times["rebuild_bib_edit_seconds"] = time.perf_counter() - start
        times["counters_after_bib_edit"] = plugin_counters(last)
    finally:
        if page is not None and page_text is not None:
            page.write_text(page_text, encoding="utf-8")
        if bib_text is not None:
            bib.write_text(bib_text, encoding="utf-8")
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
    return times


def main() -> None:
    mode, config_file, report = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    # As the `mkdocs` command does: INFO and above from MkDocs' loggers (plugins' included) to stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    observe_online()
    result = run_build(config_file) if mode == "build" else run_serve(config_file)
    if ONLINE["first_submit"] is not None and ONLINE["finish_returned"] is not None:
        result["online_phase_seconds"] = ONLINE["finish_returned"] - ONLINE["first_submit"]
        result["online_submit_window_seconds"] = ONLINE["last_submit"] - ONLINE["first_submit"]
        result["online_finish_wait_seconds"] = ONLINE["finish_returned"] - ONLINE["finish_called"]
    result["online_submitted"] = ONLINE["submitted"]
    result["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
