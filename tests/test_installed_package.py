"""The package as users install it: a wheel built from this checkout, installed with its extras into a
fresh virtual environment (from the wheels `make test` gathers, so nothing is fetched here), then used by
every host: MkDocs, Zensical, plain Python-Markdown, and the check command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("FACTCHECK_WHEELHOUSE", ROOT / ".venv" / "wheelhouse"))
TIMEOUT = 600

BIB = """\
@article{alpha2020,
  author  = {Alpha, Ann and Beta, Ben},
  title   = {A study of \\textit{interleukin-2} dosing},
  journal = {Journal of Examples},
  volume  = {12},
  pages   = {1--9},
  year    = {2020},
  doi     = {10.1000/alpha}
}
"""
PAGE = """\
# Dosing

High doses were studied [@alpha2020, p. 4].

[IL-2 was studied at high doses]{.claim #dose verdict=supported} [@alpha2020].
"""


def run(command: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env
    )
    assert result.returncode == 0, (
        f"{command}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


def copy_of_source(target: Path) -> Path:
    """What a source distribution holds; a copy, since building in the checkout leaves build/ there."""
    shutil.copytree(ROOT / "plugins", target / "plugins", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh environment holding the wheel and its extras, nothing else."""
    assert (WHEELHOUSE / ".made").exists(), f"{WHEELHOUSE} is missing: `make test` gathers it (see the Makefile)"
    work = tmp_path_factory.mktemp("installed")
    source = copy_of_source(work / "source")
    offline = ["--no-index", "--find-links", WHEELHOUSE]
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *offline, "-w", work / "dist", source], cwd=work)
    (wheel,) = (work / "dist").glob("mkdocs_factcheck-*.whl")
    run([sys.executable, "-m", "venv", work / "venv"], cwd=work)
    bin_dir = work / "venv" / "bin"
    run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", *offline, f"{wheel}[mkdocs,material,zensical,csl]"],
        cwd=work,
    )
    return bin_dir


@pytest.fixture
def site(tmp_path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent("""\
            site_name: Installed
            site_url: https://example.org/installed/
            theme:
              name: material
            plugins:
              - factcheck:
                  bibliography: references.bib
                  style: csl:vancouver
                  online:
                    enabled: false
            markdown_extensions:
              - attr_list
              - mkdocs_factcheck:
                  bibliography: references.bib
                  style: csl:vancouver
                  site_url: https://example.org/installed/
                  online:
                    enabled: false
            """),
        encoding="utf-8",
    )
    return tmp_path


def clean_env(bin_dir: Path) -> dict:
    """The environment a user's shell would give: the fresh venv first, nothing of this checkout."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def test_the_package_is_imported_from_the_installed_wheel(installed):
    result = run(
        [installed / "python", "-c", "import mkdocs_factcheck, sys; print(mkdocs_factcheck.__file__)"],
        cwd=installed,
        env=clean_env(installed),
    )
    location = Path(result.stdout.strip())
    assert installed.parent in location.parents and ROOT not in location.parents


def test_every_module_and_asset_is_in_the_wheel(installed):
    """Each module of the checkout imports from the installed package, and the reader's assets are there."""
    modules = sorted(
        ".".join(path.relative_to(ROOT / "plugins").with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "plugins" / "mkdocs_factcheck").rglob("*.py")
        if path.name != "__main__.py"
    )
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    run([installed / "python", "-c", script, *modules], cwd=installed, env=clean_env(installed))
    check = (
        "import importlib.resources as r; print(sorted(p.name for p in"
        " r.files('mkdocs_factcheck').joinpath('assets').iterdir()))"
    )
    result = run([installed / "python", "-c", check], cwd=installed, env=clean_env(installed))
    assert "factcheck.css" in result.stdout and "factcheck.js" in result.stdout


def read_built_page(site_dir: Path) -> BeautifulSoup:
    return BeautifulSoup((site_dir / "index.html").read_text(encoding="utf-8"), "html.parser")


def assert_cited(page: BeautifulSoup) -> None:
    assert page.select_one('a[href="#ref-alpha2020"]') is not None, "the citation links its entry"
    entry = page.select_one("#ref-alpha2020")
    assert entry is not None and "Journal of Examples" in entry.get_text()
    assert "[@alpha2020" not in page.get_text()


def test_mkdocs_builds_the_site_with_the_installed_plugin(installed, site):
    run([installed / "mkdocs", "build", "--strict"], cwd=site, env=clean_env(installed))
    page = read_built_page(site / "site")
    assert_cited(page)
    assert page.select_one("#dose.claim") is not None


def test_zensical_builds_the_site_with_the_installed_extension(installed, site):
    result = run([installed / "zensical", "build"], cwd=site, env=clean_env(installed))
    assert "Traceback" not in result.stderr
    assert_cited(read_built_page(site / "site"))


def test_plain_python_markdown_loads_the_installed_extension(installed, site):
    script = textwrap.dedent("""\
        import sys, markdown
        text = open("docs/index.md", encoding="utf-8").read()
        print(markdown.markdown(text, extensions=["attr_list", "mkdocs_factcheck"], extension_configs={"mkdocs_factcheck": {"bibliography": "references.bib"}}))
        """)  # noqa: E501 - written as a user writes it
    result = run([installed / "python", "-c", script], cwd=site, env=clean_env(installed))
    assert_cited(BeautifulSoup(result.stdout, "html.parser"))


def test_the_installed_check_command_checks_the_site(installed, site):
    result = run(
        [installed / "mkdocs-factcheck", "check", "--strict", "--offline", "--format", "json"],
        cwd=site,
        env=clean_env(installed),
    )
    data = json.loads(result.stdout)
    assert [claim["id"] for claim in data["claims"]] == ["dose"]


def test_the_pre_commit_hook_checks_a_csl_site_when_its_configuration_changes(tmp_path, site):
    """What pre-commit does with our hook: install the package without extras plus the hook's
    additional dependencies, and run its entry when a changed file matches `files`."""
    import re
    import tomllib

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    csl_extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["csl"]
    assert sorted(hook["additional_dependencies"]) == sorted(csl_extra)
    changed = ["mkdocs.yml", "references.bib", "docs/index.md"]
    pattern, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    assert all(pattern.search(name) and not exclude.search(name) for name in changed)
    offline = ["--no-index", "--find-links", WHEELHOUSE]
    source = copy_of_source(tmp_path / "source")
    run([sys.executable, "-m", "venv", tmp_path / "hook"], cwd=tmp_path)
    bin_dir = tmp_path / "hook" / "bin"
    run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", *offline, source, *hook["additional_dependencies"]],
        cwd=tmp_path,
    )
    entry = hook["entry"].split()
    result = subprocess.run(
        [bin_dir / entry[0], *entry[1:], "mkdocs.yml"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=clean_env(bin_dir),
    )
    assert result.returncode == 0, result.stdout + result.stderr
