"""The online cache (online.sqlite3) as hostile input: damaged every way, planted with rows of the wrong
shape or with markup, its writer killed mid-transaction, and two builds at once on the same file."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from online_fakes import summary, verify, work

from mkdocs_factcheck.core.checks.online.cache import FILENAME

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

BIB = "@article{ref, author={Smith, Jane}, title={A study}, journal={J}, year={2020}, doi={10.1000/a}, pmid={12345}}"
KEYS = {"doi:10.1000/a", "crossref:10.1000/a", "pmid:12345"}


@pytest.fixture
def healthy(services):
    services.works["10.1000/a"] = work("10.1000/a", "A study", 2020, "Smith")
    services.pubmed["12345"] = summary("12345", "A study", 2020, doi="10.1000/a")
    return services


def outcomes(report) -> dict[str, str]:
    return {check["check"]: check["outcome"] for check in report.by_key["ref"]["checks"]}


def rows(directory: Path) -> set[str]:
    with sqlite3.connect(directory / FILENAME) as db:
        return {key for (key,) in db.execute("SELECT key FROM outcomes")}


def checked(services, directory: Path):
    """Verify against the healthy fakes; returns the report and how many requests it sent."""
    before = len(services.requests)
    report, _ = verify(services.settings, BIB, directory)
    assert outcomes(report) == {"doi": "found", "crossref": "found", "pmid": "found"}
    return report, len(services.requests) - before


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(20000))


def header_then_noise(path: Path) -> None:
    """Looks like SQLite for its first bytes: only reading the pages shows the damage."""
    data = path.read_bytes()
    path.write_bytes(data[:100] + os.urandom(len(data) - 100))


def other_schema(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE outcomes (id INTEGER PRIMARY KEY, payload BLOB)")
        db.execute("INSERT INTO outcomes (payload) VALUES ('x')")
    db.close()


def a_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("kept", encoding="utf-8")


def a_link(path: Path) -> None:
    """A planted link to a file outside the cache: it must not be opened, let alone written."""
    outside = path.parent.parent / "precious.txt"
    outside.write_text("the user's file", encoding="utf-8")
    path.unlink()
    path.symlink_to(outside)
    lock = path.with_name(f".{FILENAME}.lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(path.parent.parent / "created-through-a-link")


def a_trigger(path: Path) -> None:
    """Our table, and a trigger planted beside it that would rewrite every outcome we store."""
    with sqlite3.connect(path) as db:
        db.execute(
            'CREATE TRIGGER planted AFTER INSERT ON outcomes BEGIN UPDATE outcomes SET value = \'{"status":'
            ' "found"}\'; END'
        )
    db.close()


DAMAGES = [truncated, random_bytes, header_then_noise, other_schema, a_directory, a_link, a_trigger]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_online_cache_is_rebuilt_with_a_warning(healthy, tmp_path, caplog, damage):
    directory = tmp_path / "cache"
    checked(healthy, directory)
    for suffix in ("-wal", "-shm"):
        (directory / (FILENAME + suffix)).unlink(missing_ok=True)  # closed: the database is whole in its file
    damage(directory / FILENAME)
    caplog.set_level(logging.INFO)
    _, sent = checked(healthy, directory)
    assert sent == 3  # nothing usable: asked again
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("mkdocs.plugins.mkdocs_factcheck")
    ]
    assert any("rebuilt empty" in message for message in warnings), warnings
    assert rows(directory) == KEYS  # the results of this build are cached in the new file
    _, sent = checked(healthy, directory)
    assert sent == 0  # and the next build uses them
    if damage is a_directory:
        aside = [p for p in directory.iterdir() if p.name.startswith(f"{FILENAME}.not-a-cache-")]
        assert len(aside) == 1 and (aside[0] / "inside").read_text(encoding="utf-8") == "kept"
    if damage is a_link:
        assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "the user's file"
        assert not (tmp_path / "created-through-a-link").exists()


def plant(directory: Path, values: dict[str, object]) -> None:
    """Rows in the cache's own schema, fresh for a day, with `values` stored as they are."""
    directory.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(directory / FILENAME) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS outcomes (key TEXT PRIMARY KEY, value TEXT NOT NULL, checked REAL NOT NULL,"
            " expires REAL NOT NULL)"
        )
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            db.execute(
                "INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)", (key, text, time.time(), time.time() + 86400)
            )
    db.close()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not json", id="not-json"),
        pytest.param([1, 2], id="a-list"),
        pytest.param({"status": "found", "data": {"titles": [5], "years": "2020"}}, id="wrong-types"),
        pytest.param({"status": "found", "data": {"updates": [{"type": ["retraction"]}]}}, id="wrong-update"),
        pytest.param({"status": "owned", "detail": "", "data": {}}, id="unknown-status"),
        pytest.param({"status": "unverified", "detail": "planted", "data": {}}, id="unverified-is-never-stored"),
        pytest.param({"status": "found", "detail": 7, "data": []}, id="detail-and-data-wrong"),
    ],
)
def test_planted_rows_of_the_wrong_shape_are_checked_again(healthy, tmp_path, caplog, value):
    directory = tmp_path / "cache"
    plant(directory, dict.fromkeys(KEYS, value))
    caplog.set_level(logging.INFO)
    _, sent = checked(healthy, directory)
    assert sent == 3
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("mkdocs.plugins.mkdocs_factcheck")
    ]
    _, sent = checked(healthy, directory)
    assert sent == 0  # overwritten with the real outcomes


def test_planted_markup_in_cached_outcomes_is_escaped(healthy, tmp_path):
    notice = {
        "type": "retraction",
        "label": "<script>alert(1)</script>",
        "doi": '"><img src=x onerror=alert(2)>',
        "date": "2020",
        "source": "<b>",
        "about": "this",
    }
    record = {"titles": ["A study"], "years": [2020], "family": "Smith", "doi": "10.1000/a", "updates": [notice]}
    plant(
        tmp_path,
        {
            "crossref:10.1000/a": {"status": "found", "detail": "", "data": record},
            "doi:10.1000/a": {"status": "not_found", "detail": "<script>alert(3)</script>", "data": {}},
        },
    )
    report, _ = verify(healthy.settings, BIB, tmp_path)
    html = report.status_html("ref") + " ".join(f.message for f in report.findings)
    assert "Retracted" in html
    assert "<script" not in report.status_html("ref") and "<img" not in report.status_html("ref")


# ---------------------------------------------------------------- killed mid-write


WRITER = """
import sys, threading, time
from pathlib import Path
from mkdocs_factcheck.core.checks.online.cache import Cache

cache = Cache(Path(sys.argv[1]))
cache.put("crossref:committed", {"status": "found", "detail": "", "data": {}}, 86400)
db = cache._db
db.execute("BEGIN IMMEDIATE")  # a write in progress, as put() makes it, stopped before its commit
for number in range(2000):
    db.execute("INSERT INTO outcomes VALUES (?, ?, ?, ?)", (f"crossref:pending{number}", "{}", time.time(), time.time() + 86400))
print("writing", flush=True)
threading.Event().wait()
"""  # noqa: E501 - written as a user writes it


def test_a_build_killed_mid_write_leaves_a_usable_cache(tmp_path, caplog):
    from mkdocs_factcheck.core.checks.online.cache import Cache

    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()  # returns when the child is in its write (or has died)
        assert line.strip() == "writing", child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    caplog.set_level(logging.INFO)
    cache = Cache(tmp_path, logging.getLogger("mkdocs.plugins.mkdocs_factcheck.online"))
    try:
        assert cache.get("crossref:committed") is not None
        assert cache.get("crossref:pending0") is None
        cache.put("crossref:after", {"status": "found", "detail": "", "data": {}}, 86400)
        assert cache.get("crossref:after") is not None
    finally:
        cache.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------- two builds at once


BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

config = load_config(sys.argv[1], site_dir=sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # both processes start building together
config.plugins.on_startup(command="build", dirty=False)
try:
    build(config)
finally:
    config.plugins.on_shutdown()
print("built", flush=True)
"""


def test_two_builds_at_once_share_every_cache(site, healthy, tmp_path):
    site.bib(BIB)
    site.page("index.md", "# Page\n\nA claim [@ref].\n")
    online = {k: v for k, v in healthy.settings.items() if k != "mailto"}
    site.config({"online": online})
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(BUILD), encoding="utf-8")
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(site.root / "mkdocs.yml"), str(site.root / f"site{n}")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0 and "built" in out, err
        assert "Traceback" not in err
    for n in (1, 2):
        html = (site.root / f"site{n}" / "index.html").read_text(encoding="utf-8")
        assert "A study" in html and "Unverified" not in html
    directory = site.root / ".cache" / "plugin" / "factcheck"
    assert rows(directory) == KEYS
    assert not [p.name for p in directory.iterdir() if p.name.startswith(".factcheck-tmp-")]
    before = len(healthy.requests)
    site.build(site_dir=str(site.root / "site3"))
    assert len(healthy.requests) == before  # every outcome from the shared cache
    html = (site.root / "site3" / "index.html").read_text(encoding="utf-8")
    assert "A study" in html and "Unverified" not in html
