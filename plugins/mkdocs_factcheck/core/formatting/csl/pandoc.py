"""Running pandoc's citeproc on one document: pandoc's JSON AST in, the processed AST out."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 300.0  # seconds for one document: APA over thousands of look-alike entries takes minutes
API_VERSION = [1, 23, 1]  # pandoc-types of pandoc 3.x; pandoc reads older and newer minor versions


class CiteprocError(Exception):
    """pandoc could not process a document: its own message, shortened."""


class CiteprocTimeoutError(CiteprocError):
    """pandoc did not finish in time: trying again, or entry by entry, would only wait longer."""


@functools.cache
def pandoc_path() -> str:
    """pandoc from the `pypandoc-binary` wheel (the 'csl' extra), else the one on PATH."""
    explicit = os.environ.get("FACTCHECK_PANDOC")
    if explicit:
        return explicit
    # The wheel's binary, found without importing pypandoc (which imports urllib, which a build never needs).
    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            binary = Path(folder) / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
            if binary.is_file():
                return str(binary)
    found = shutil.which("pandoc")
    if found:
        return found
    raise CiteprocError("CSL styles need pandoc: pip install 'mkdocs-factcheck[csl]' (or put pandoc on PATH)")


@functools.cache
def pandoc_version() -> str:
    """Part of every cached result's key: another pandoc may format differently. The binary's path,
    size and time, not `pandoc --version`, which would start a process in every warm build."""
    path = pandoc_path()
    try:
        found = os.stat(path)
    except OSError as error:
        raise CiteprocError(f"cannot run pandoc ({path}): {error}") from None
    return f"{path}:{found.st_size}:{found.st_mtime_ns}"


def run_citeproc(document: dict, bibliography: str, style: Path, locale: str) -> dict:
    """`document` (blocks and metadata) with its citations and bibliography made by the style.
    `bibliography` is BibLaTeX text, read by pandoc's own BibLaTeX reader."""
    meta = document.setdefault("meta", {})
    meta["link-citations"] = {"t": "MetaBool", "c": True}
    if locale:
        meta["lang"] = {"t": "MetaString", "c": locale}
    payload = json.dumps({"pandoc-api-version": API_VERSION, **document}, ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="factcheck-citeproc-") as folder:
        bib = Path(folder) / "references.bib"
        bib.write_text(bibliography, encoding="utf-8")
        command = [pandoc_path(), "--from=json", "--to=json", "--citeproc", f"--csl={style}", f"--bibliography={bib}"]
        try:
            done = subprocess.run(
                command, input=payload, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT
            )
        except subprocess.TimeoutExpired:
            raise CiteprocTimeoutError(f"pandoc took more than {TIMEOUT:g} s") from None
        except OSError as error:
            raise CiteprocError(f"cannot run pandoc: {error}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split())[:300] or f"exit status {done.returncode}"
        raise CiteprocError(message)
    try:
        return json.loads(done.stdout)
    except (ValueError, RecursionError) as error:
        raise CiteprocError(f"pandoc wrote no JSON: {str(error)[:200]}") from None
