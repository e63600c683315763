"""What the check command needs of a site's configuration, read from `mkdocs.yml` or `zensical.toml`
without loading either host: the docs folder, the site URL, the Markdown extensions and our options."""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.settings import Settings, SettingsError, settings_from

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "zensical.toml")
EXTENSION_NAMES = ("mkdocs_factcheck", "mkdocs_factcheck.markdown", "mkdocs_factcheck.markdown.extension")
# MkDocs always adds these; Zensical's defaults include them too.
HOST_EXTENSIONS = ("toc", "tables", "fenced_code")
FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file."""


@dataclass
class SiteConfig:
    path: Path
    base: Path
    docs_dir: Path
    site_url: str
    site_name: str
    use_directory_urls: bool
    settings: Settings
    extensions: list = field(default_factory=list)  # names or Extension objects, ours left out
    extension_configs: dict = field(default_factory=dict)
    from_plugin: bool = True  # the options came from the MkDocs plugin's entry (else the extension's)

    def relative(self, path: Path) -> str:
        """A path as the editor sees it from the project's root (what CI annotations need)."""
        try:
            return path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return str(path)


def find_config(explicit: str | None, cwd: Path) -> Path:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        return path.resolve()
    for name in CONFIG_NAMES:
        if (cwd / name).is_file():
            return (cwd / name).resolve()
    raise ConfigError(f"no {', '.join(CONFIG_NAMES)} in {cwd} (give one with --config)")


def load_site_config(path: Path) -> SiteConfig:
    data = _read(path)
    if path.suffix == ".toml":
        data = data.get("project", data)  # zensical.toml keeps the site's settings under [project]
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of settings")
    base = path.parent
    extensions, configs, ours = _extensions(data.get("markdown_extensions") or [], path)
    plugin_options = _plugin_options(data.get("plugins") or [])
    options = plugin_options if plugin_options is not None else _extension_options(ours)
    try:
        settings = settings_from(options)
    except SettingsError as error:
        raise ConfigError(f"{path.name}: {error}") from None
    for name in HOST_EXTENSIONS:
        if name not in extensions:
            extensions.append(name)
    if "attr_list" not in extensions:
        extensions.append("attr_list")  # `{: .claim verdict=...}` on a paragraph, as the plugin adds it
    return SiteConfig(
        path=path,
        base=base,
        docs_dir=(base / str(data.get("docs_dir") or "docs")).resolve(),
        site_url=str(data.get("site_url") or ""),
        site_name=str(data.get("site_name") or ""),
        use_directory_urls=bool(data.get("use_directory_urls", True)),
        settings=settings,
        extensions=extensions,
        extension_configs=configs,
        from_plugin=plugin_options is not None,
    )


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a safe loader that also knows MkDocs' tags
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path.name}: {error}") from None


class _ConfigLoader(yaml.SafeLoader):
    """YAML as MkDocs reads it: `!!python/name:` names an object to import (`pymdownx.emoji`'s
    functions); `!ENV` takes an environment variable; any other tag keeps its plain value."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    module, _, attribute = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise yaml.constructor.ConstructorError(None, None, f"cannot import '{suffix}': {error}", node.start_mark) from None


def _environment(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    import os

    names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)  # type: ignore[arg-type]
    *variables, default = names if len(names) > 1 else [*names, None]
    for name in variables:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return default


def _other_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_constructor("!ENV", _environment)
_ConfigLoader.add_multi_constructor("", _other_tag)


def _extensions(items: Any, path: Path) -> tuple[list, dict, dict | None]:
    """Python-Markdown's `extensions` and `extension_configs` from MkDocs' list (names, or one-key
    mappings of name to options) or Zensical's table; our own entry is returned apart."""
    if isinstance(items, dict):
        items = [{name: options} for name, options in items.items()]
    if not isinstance(items, list):
        raise ConfigError(f"{path.name}: markdown_extensions must be a list")
    names: list = []
    configs: dict = {}
    ours: dict | None = None
    for item in items:
        name, options = (item, {}) if isinstance(item, str) else next(iter(item.items())) if isinstance(item, dict) and len(item) == 1 else (None, None)
        if name is None:
            raise ConfigError(f"{path.name}: markdown_extensions: cannot read {item!r}")
        if name in EXTENSION_NAMES:
            ours = dict(options or {})
            continue
        names.append(name)
        if options:
            configs[name] = options
    return names, configs, ours


def _plugin_options(plugins: Any) -> dict | None:
    """The `factcheck` plugin's options, or None when the site does not use the plugin."""
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    for item in plugins if isinstance(plugins, list) else []:
        if item == "factcheck":
            return {}
        if isinstance(item, dict) and "factcheck" in item:
            return dict(item["factcheck"] or {})
    return None


# Options of the extension that are not the plugin's (what Zensical sites write under the extension).
EXTENSION_ONLY = ("bibliography_title", "report_url", "site_url", "inline_assets")


def _extension_options(options: dict | None) -> dict:
    if options is None:
        return {}
    options = dict(options)
    title = options.pop("bibliography_title", None)
    for name in EXTENSION_ONLY:
        options.pop(name, None)
    if title:
        options.setdefault("words", {})["bibliography_title"] = title
    return options


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(meta, Markdown without its front matter, lines the front matter took), as MkDocs reads a page."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError:
        return {}, text, 0  # MkDocs then keeps the text as it is, and so do we
    if not isinstance(meta, dict):
        return {}, text, 0
    return meta, text[match.end() :], text[: match.end()].count("\n")


def page_url(src_path: str, use_directory_urls: bool) -> str:
    """The page's URL relative to the site root, as MkDocs makes it."""
    stem = src_path[:-3] if src_path.endswith(".md") else src_path
    parent, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return f"{parent}/" if parent else ""
    if use_directory_urls:
        return f"{stem}/"
    return f"{stem}.html"
