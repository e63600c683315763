"""Helpers of the browser tests: the tab that records errors, the static server, the feature site,
the project's site, contrast and axe-core."""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Screenshots go to a folder outside the checkout (a test run leaves it clean); `make screenshots` sets
# FACTCHECK_SCREENSHOTS=docs/images to refresh the README's pictures on purpose.
IMAGES = Path(
    os.environ.get("FACTCHECK_SCREENSHOTS") or Path(tempfile.gettempdir()) / "mkdocs-factcheck-screenshots"
).resolve()
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


# ---------------------------------------------------------------------- the browser


class Tab:
    """A page that records what went wrong in it: console errors, uncaught exceptions, failed requests.
    Requests that would leave 127.0.0.1 are answered with an empty body (the tests run offline) and
    recorded, so that a test can say which ones it allows."""

    def __init__(self, context: BrowserContext):
        self.context = context
        self.page: Page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        context.route(re.compile(r"^(https?|wss?)://(?!127\.0\.0\.1[:/]).*"), self._external)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            self.errors.append(f"console {message.type}: {message.text} ({message.location.get('url', '')})")

    def _failed(self, request) -> None:
        # ERR_ABORTED: a load cut short by the next navigation (the favicon, say); a missing file is a 404.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/livereload/"):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _external(self, route: Route) -> None:
        self.external.append(route.request.url)
        kind = route.request.resource_type
        content_type = {"stylesheet": "text/css", "script": "text/javascript", "font": "font/woff2"}.get(
            kind, "text/plain"
        )
        route.fulfill(status=200, body="", content_type=content_type)

    def external_hosts(self) -> set[str]:
        return {urlsplit(url).hostname or "" for url in self.external}


# ---------------------------------------------------------------------- serving built sites


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


class StaticServer:
    """A built site on http://127.0.0.1:<free port>/ (Material's search worker needs http, not file://)."""

    def __init__(self, directory: Path):
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


# ---------------------------------------------------------------------- a site with every feature

BIB = r"""
@article{onji1987effect,
  author  = {Onji, M. and Kondoh, H. and Horiike, N. and Yamaguchi, S. and Ogawa, Y. and Kumon, I. and Ohta, Y.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B} e antigen positive chronic hepatitis},
  journal = {Gut},
  year    = {1987},
  volume  = {28},
  number  = {12},
  pages   = {1648--1652},
  doi     = {10.1136/gut.28.12.1648},
  pmid    = {3501387}
}

@article{yang2003randomized,
  author  = {Yang, James C. and Sherry, Richard M. and Steinberg, Seth M. and Topalian, Suzanne L.},
  title   = {Randomized study of high-dose and low-dose interleukin-2 in patients with metastatic renal cancer},
  journal = {Journal of Clinical Oncology},
  year    = {2003},
  volume  = {21},
  number  = {16},
  pages   = {3127--3132},
  doi     = {10.1200/JCO.2003.02.122},
  pmid    = {12915604},
  pmcid   = {PMC2275327}
}

@article{dutcher2001kidney,
  author  = {Dutcher, J. and others},
  title   = {Kidney cancer: the {Cytokine Working Group} experience (1986--2001): part {II}},
  journal = {Medical Oncology},
  year    = {2001},
  pmid    = {11917945},
  annote  = {Volume, issue and pages not verified}
}

@article{smith2010retracted,
  author  = {Smith, Jane and Doe, John},
  title   = {Interleukin-2 cures everything: a retracted study},
  journal = {Journal of Examples},
  year    = {2010},
  volume  = {3},
  pages   = {1--9},
  doi     = {10.1234/example.2010.001}
}

@misc{proleukinlabel,
  author       = {{Clinigen}},
  title        = {Proleukin (aldesleukin) for injection: prescribing information},
  year         = {2023},
  url          = {https://example.org/proleukin-label.pdf},
  howpublished = {Package insert}
}
"""

ARTICLE = """
---
reviewed: 2026-11-20
---
# Interleukin-2, fact-checked

Interleukin-2 (IL-2) is a cytokine that makes T cells grow [@yang2003randomized].

[Recombinant IL-2 lowered hepatitis B e antigen in some patients]{#claim-hbeag .claim verdict=supported note="Three of eleven patients lost HBeAg."} [@onji1987effect].

[High-dose IL-2 cures most patients with kidney cancer]{#claim-cure .claim verdict=contradicted note="Complete responses were rare (about 7%)."} [@yang2003randomized; @smith2010retracted].

[Low-dose IL-2 works as well as high-dose IL-2]{#claim-low-dose .claim verdict=unsupported note="The trial was not powered for that."} [@yang2003randomized, p. 3130].

::: {#claim-toxicity .claim verdict=partly-supported note="Only in experienced centres."}
The side effects of high-dose IL-2 can be managed [@dutcher2001kidney, pp. 3-5].
:::

As @onji1987effect report, the effect lasted for months; the label lists the warnings [@proleukinlabel].

Read the [report](factcheck-report.md "The editors' report") or another [page](other.md).
"""  # noqa: E501 - written as a user writes it

OTHER = """
# Another page

This page links to [a claim of the article](index.md#claim-cure) and [an entry](index.md#ref-onji1987effect).

Nothing here is cited.
"""

HOOKS = '''
"""Marks one entry as retracted, as the online checks would (they are off in tests)."""
from mkdocs_factcheck.core.checks.online import OnlineReport

REPORT = OnlineReport(by_key={"smith2010retracted": {"key": "smith2010retracted", "retracted": True, "notices": []}}, retracted={"smith2010retracted"})


def on_config(config):
    config.plugins["factcheck"].engine.status_providers.append(REPORT.status_html)
'''  # noqa: E501 - written as a user writes it

PALETTES = [
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
    },
]


def write_feature_site(site, features: tuple[str, ...] = ("content.tooltips",), extra_plugin: dict | None = None):
    """The test site: claims of every verdict, inline and block, citations with locators, narrative
    citations, an unverified and a retracted entry, a second page, the report page."""
    site.bib(BIB)
    site.page("index.md", ARTICLE)
    site.page("other.md", OTHER)
    site.write("hooks/retracted.py", HOOKS)
    plugin = {
        "findings": {
            "uncited_entry": "info",
            "no_identifier": "info",
            "unverified_source": "info",
            "citation_needed": "info",
        },
        "show_unverified": True,  # the neutral mark readers may be shown (off by default)
        **(extra_plugin or {}),
    }
    site.config(
        plugin=plugin,
        extra={
            "theme": {"name": "material", "font": False, "features": list(features), "palette": PALETTES},
            "nav": [{"Article": "index.md"}, {"Other": "other.md"}, {"Fact-check report": "factcheck-report.md"}],
            "hooks": ["hooks/retracted.py"],
            "validation": {"links": {"anchors": "warn"}},
        },
    )
    return site


# ---------------------------------------------------------------------- the project's own site


def project_config(target: Path) -> Path:
    """The project's mkdocs.yml with absolute paths and the online checks off (the tests run offline and
    must not depend on what a service answers); everything a reader sees otherwise is the same."""
    data = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    data["docs_dir"] = str(ROOT / "docs")
    for item in data.get("plugins", []):
        if isinstance(item, dict) and "factcheck" in item:
            options = item["factcheck"] or {}
            bibliography = options.get("bibliography", "references.bib")
            paths = [bibliography] if isinstance(bibliography, str) else list(bibliography)
            options["bibliography"] = [str(ROOT / p) for p in paths]
            options["online"] = {**(options.get("online") or {}), "enabled": False}
            options["ledger_file"] = str(ROOT / options.get("ledger_file", "factcheck-ledger.json"))
            item["factcheck"] = options
    path = target / "mkdocs.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def article_path(site_dir: Path) -> str:
    """The project's fact-checked article: the page with the most claims."""
    best, count = "", 0
    for html in sorted(site_dir.rglob("index.html")):
        text = html.read_text(encoding="utf-8")
        claims = text.count('class="claim-verdict"')
        if claims > count:
            best, count = html.relative_to(site_dir).parent.as_posix(), claims
    assert count, "no page of the project's site has claims"
    return "" if best == "." else best + "/"


def report_path(site_dir: Path) -> str:
    for html in sorted(site_dir.rglob("index.html")):
        if 'class="factcheck-report' in html.read_text(encoding="utf-8"):
            relative = html.relative_to(site_dir).parent.as_posix()
            return "" if relative == "." else relative + "/"
    raise AssertionError("no report page in the project's site")


# ---------------------------------------------------------------------- in-page helpers

# Contrast ratio (WCAG 2) of an element's text against what is painted behind it: translucent colours
# are blended over the nearest opaque background up the tree.
CONTRAST_JS = """
(element) => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (!a) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg && bg[3] > 0) layers.push(bg);
    if (bg && bg[3] >= 1) break;
  }
  let background = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) background = over(layers[i], background);
  const fg = over(parse(getComputedStyle(element).color), background);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [l1, l2] = [lum(fg), lum(background)].sort((a, b) => b - a);
  return (l1 + 0.05) / (l2 + 0.05);
}
"""  # noqa: E501 - written as a user writes it


def run_axe(page: Page) -> list[dict]:
    """axe-core (vendored, see vendor/README.md) run in the page: its violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    return json.loads(result)["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(
                f"    {node['target']}:"
                f" {node.get('failureSummary', '').splitlines()[-1] if node.get('failureSummary') else ''}"
            )
    return "\n".join(lines)
