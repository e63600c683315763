"""What the check command needs of a site's configuration, read from `mkdocs.yml` or `zensical.toml`
without loading either host: the docs folder, the site URL, the Markdown extensions and our options."""

from __future__ import annotations

import importlib
import io
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mkdocs_factcheck.core.config_file import option_line
from mkdocs_factcheck.core.findings import Finding
from mkdocs_factcheck.core.mkdocs_bibtex_options import PLUGIN_NAME, read_as_ours
from mkdocs_factcheck.core.report.build_report import REPORT_MARKER_TEXT
from mkdocs_factcheck.core.report.page_links import PAGE_SUFFIXES
from mkdocs_factcheck.core.settings import EXTENSION, PLUGIN, Settings, SettingsError, options_of, settings_from
from mkdocs_factcheck.markdown.extension import EXTENSION_NAMES

CONFIG_NAMES = ("zensical.toml", "mkdocs.yml", "mkdocs.yaml")  # Zensical's order: its own file first
# MkDocs always adds these; Zensical's defaults include them too.
HOST_EXTENSIONS = ("toc", "tables", "fenced_code")


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
    exclude_docs: str = ""
    renamed: list[Finding] = field(default_factory=list)  # mkdocs-bibtex's option names given (read as ours)

    def relative(self, path: Path) -> str:
        """A path as the editor sees it from where the command runs (the repository's root in CI, which
        annotations and SARIF need); from a folder of the site (`docs/`), `../references.bib`; an
        absolute path when the site is elsewhere."""
        target, here = path.resolve(), Path.cwd().resolve()
        if target.is_relative_to(here):
            return target.relative_to(here).as_posix()
        if here.is_relative_to(self.base.resolve()):
            return Path(os.path.relpath(target, here)).as_posix()
        return str(target)


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
    if path.suffix == ".toml" and isinstance(data, dict):
        data = data.get("project", data)  # zensical.toml keeps the site's settings under [project]
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of settings")
    data = _inherited(data, path, set())
    base = path.parent
    extensions, configs, ours = _extensions(data.get("markdown_extensions") or [], path)
    plugin_options = _plugin_options(data.get("plugins") or [], path)
    if plugin_options is None and ours is None and _has_plugin(data.get("plugins") or [], PLUGIN_NAME):
        raise ConfigError(
            f"{path.name}: the site uses mkdocs-bibtex ('{PLUGIN_NAME}' under plugins): run `mkdocs-factcheck migrate`"
            " to use this plugin instead"
        )
    options = plugin_options if plugin_options is not None else _extension_options(ours, path)
    renamed = read_as_ours(options)[1]
    try:
        settings = settings_from(options, PLUGIN if plugin_options is not None else EXTENSION)
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
        exclude_docs=str(data.get("exclude_docs") or ""),
        settings=settings,
        extensions=extensions,
        extension_configs=configs,
        from_plugin=plugin_options is not None,
        renamed=[
            Finding("renamed_option", note.message, file=path.name, line=option_line(_text_of(path), note.name))
            for note in renamed
        ],
    )


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return yaml.load(named_text(text, path.name), Loader=_ConfigLoader)  # noqa: S506 - a safe loader that also knows MkDocs' tags
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path.name}: {error}") from None


def named_text(text: str, name: str) -> io.StringIO:
    """The text as a stream with the file's name, which YAML's messages then give ("<unicode string>" else)."""
    stream = io.StringIO(text)
    stream.name = name
    return stream


class _ConfigLoader(yaml.SafeLoader):
    """YAML as MkDocs reads it: `!!python/name:` names an object to import (`pymdownx.emoji`'s
    functions); `!ENV` takes an environment variable; any other tag keeps its plain value."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    module, _, attribute = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot import '{suffix}': {error}", node.start_mark
        ) from None


def _environment(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """`!ENV NAME` or `!ENV [NAME, OTHER, default]`: the first variable set, read as YAML (as MkDocs does)."""

    names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)  # type: ignore[arg-type]
    *variables, default = names if len(names) > 1 else [*names, None]
    for name in variables:
        if str(name) in os.environ:
            value = os.environ[str(name)]
            try:
                return yaml.safe_load(value) if value else value
            except yaml.YAMLError:
                return value
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
        name, options = (
            (item, {})
            if isinstance(item, str)
            else next(iter(item.items()))
            if isinstance(item, dict) and len(item) == 1
            else (None, None)
        )
        if name is None or not isinstance(name, str) or not isinstance(options or {}, dict):
            raise ConfigError(f"{path.name}: markdown_extensions: cannot read {item!r}")
        if name in EXTENSION_NAMES:
            ours = dict(options or {})
            continue
        names.append(name)
        if options:
            configs[name] = options
    return names, configs, ours


def _has_plugin(plugins: Any, name: str) -> bool:
    items = list(plugins) if isinstance(plugins, dict | list) else []
    return any(item == name or (isinstance(item, dict) and name in item) for item in items)


def _text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _plugin_options(plugins: Any, path: Path) -> dict | None:
    """The `factcheck` plugin's options, or None when the site does not use the plugin."""
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    for item in plugins if isinstance(plugins, list) else []:
        if item == "factcheck":
            return {}
        if isinstance(item, dict) and "factcheck" in item:
            options = item["factcheck"] or {}
            if not isinstance(options, dict):
                raise ConfigError(f"{path.name}: plugins: factcheck: expected a mapping of options, got {options!r}")
            return dict(options)
    return None


def _inherited(data: dict, path: Path, seen: set) -> dict:
    """MkDocs' `INHERIT: parent.yml`: the parent's settings, with this file's merged over them."""
    parent_name = data.pop("INHERIT", None)
    if not parent_name:
        return data
    parent_path = (path.parent / str(parent_name)).resolve()
    if parent_path in seen or not parent_path.is_file():
        raise ConfigError(f"{path.name}: INHERIT: {parent_name} cannot be read")
    seen.add(parent_path)
    parent = _read(parent_path)
    if not isinstance(parent, dict):
        raise ConfigError(f"{parent_path.name}: expected a mapping of settings")
    return _merged(_inherited(parent, parent_path, seen), data)


def _merged(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = (
            _merged(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
        )
    return merged


def _extension_options(options: dict | None, path: Path) -> dict:
    if options is None:
        return {}
    known = {option.name for option in options_of(Settings, EXTENSION)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(
            f"{path.name}: mkdocs_factcheck: unknown option(s) {', '.join(unknown)} (options:"
            f" {', '.join(sorted(known))})"
        )
    return dict(options)


def site_pages(config: SiteConfig) -> list[tuple[str, Path]]:
    """The site's Markdown pages as MkDocs finds them: `.md` and `.markdown` files, no hidden files or
    folders, nothing `exclude_docs` excludes, sorted. A report page this command wrote is not a page."""
    excluded = None
    if config.exclude_docs:
        import pathspec  # gitignore patterns, as MkDocs reads exclude_docs

        excluded = pathspec.GitIgnoreSpec.from_lines(config.exclude_docs.splitlines())
    pages = []
    for path in sorted(config.docs_dir.rglob("*")):
        relative = path.relative_to(config.docs_dir).as_posix()
        if (
            path.suffix not in PAGE_SUFFIXES
            or not path.is_file()
            or any(part.startswith(".") for part in relative.split("/"))
        ):
            continue
        if excluded is not None and excluded.match_file(relative):
            continue
        if (
            relative == config.settings.report_page
            and REPORT_MARKER_TEXT in path.read_text(encoding="utf-8", errors="replace")[:2000]
        ):
            continue
        pages.append((relative, path))
    return pages
