"""The plugin's configuration schema (what users write under `factcheck:` in mkdocs.yml), derived from
the one declaration of every option (`core/settings.py`), so that MkDocs validates and reports them."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config

from mkdocs_factcheck.core.findings import SEVERITIES
from mkdocs_factcheck.core.settings import PLUGIN, OnlineSettings, Settings, default_of, options_of, settings_from


def config_option(option: dataclasses.Field, online: type[Config]) -> BaseConfigOption:
    meta = option.metadata
    if option.name == "online":
        return c.SubConfig(online)
    default = default_of(option)
    if meta["choices"]:
        return c.Choice(meta["choices"], default=default)
    if meta["severities"]:
        return c.DictOfItems(c.Choice(SEVERITIES), default=default)
    kind = meta["types"][0] if len(meta["types"]) == 1 else meta["types"]
    if meta["optional"]:
        return c.Optional(c.Type(kind))
    return c.Type(kind, default=default)


def config_class(name: str, settings: type, online: type[Config] = Config) -> type[Config]:
    """A MkDocs Config class with an option for each of the dataclass's fields that the plugin accepts."""
    return type(
        name, (Config,), {option.name: config_option(option, online) for option in options_of(settings, PLUGIN)}
    )


OnlineConfig = config_class("OnlineConfig", OnlineSettings)
FactcheckConfig = config_class("FactcheckConfig", Settings, OnlineConfig)


def settings_of(config: Config, given: Collection[str] | None = None) -> Settings:
    """The options MkDocs validated, as the core takes them; `given`: the names the site wrote (the
    others have their defaults), which tells the core whether an mkdocs-bibtex name stands alone."""
    options = {name: config[name] for name, _ in FactcheckConfig._schema if given is None or name in given}
    options["online"] = {name: config["online"][name] for name, _ in OnlineConfig._schema}
    return settings_from(options, PLUGIN)
