"""Browser tests: Playwright's sync API driving Debian's Chromium (`/usr/bin/chromium`, installed by
`make browser`; Playwright never downloads a browser) against sites built by MkDocs and served from
127.0.0.1 by a thread of this process. Helpers are in browsing.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, StaticServer, Tab, project_config, write_feature_site


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make browser` (installs Debian's chromium and chromium-driver)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tabs(browser: Browser):
    """`tabs(**context_options)` opens a page in a new context; at the end every page must be error-free."""
    opened: list[Tab] = []

    def open_tab(**options) -> Tab:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("color_scheme", "light")
        options.setdefault("reduced_motion", "reduce")
        tab = Tab(browser.new_context(**options))
        opened.append(tab)
        return tab

    yield open_tab
    problems = []
    for tab in opened:
        problems.extend(tab.errors)
        tab.context.close()
    assert not problems, "errors in the browser:\n" + "\n".join(problems)


@pytest.fixture
def tab(tabs) -> Tab:
    return tabs()


@pytest.fixture
def page(tab: Tab) -> Page:
    return tab.page


@pytest.fixture
def serve():
    """`serve(directory)`: a built site on http://127.0.0.1:<free port>/ until the test ends."""
    servers: list[StaticServer] = []

    def start(directory: Path) -> StaticServer:
        server = StaticServer(directory)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def feature_site(site, serve):
    """The feature site (browsing.write_feature_site), built with the `site` fixture and served: `(site, server)`."""
    write_feature_site(site)
    site.build()
    return site, serve(site.site_dir)


@pytest.fixture(scope="session")
def project_site(tmp_path_factory):
    """The project's own site, built with `mkdocs build -d` into a temporary folder and served: `(server, site_dir)`."""
    work = tmp_path_factory.mktemp("project")
    config = project_config(work)
    site_dir = work / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    server = StaticServer(site_dir)
    try:
        yield server, site_dir
    finally:
        server.close()
