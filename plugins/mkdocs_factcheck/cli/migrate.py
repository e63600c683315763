"""`mkdocs-factcheck migrate`: a site's mkdocs-bibtex entry becomes ours. The file is edited line by
line, so its comments, order and everything else stay as written; options we do not need become
comments saying why. Pages need no change: `\\bibliography` and `\\full_bibliography` work as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from mkdocs_factcheck.cli.site_config import named_text
from mkdocs_factcheck.core.mkdocs_bibtex_options import (
    PLUGIN_NAME,
    RENAMED,
    SENTENCE_CASE_NOTE,
    read_as_ours,
    sentence_case_kept,
)

ITEM_RE = re.compile(rf"^(?P<indent>[ \t]*-[ \t]*)(?P<name>{PLUGIN_NAME})(?P<rest>[ \t]*(?::.*)?)$")
OPTION_RE = re.compile(r"^(?P<indent>[ \t]+)(?P<name>[\w-]+)(?P<rest>[ \t]*:.*)$")
TOP_KEY_RE = re.compile(r"^(?P<name>[\w-]+)[ \t]*:")


class MigrateError(Exception):
    """The file cannot be migrated as it is written; the message says where and why."""


@dataclass
class Change:
    line: int
    what: str


def migrate_text(text: str, name: str = "mkdocs.yml") -> tuple[str, list[Change]]:
    """The configuration with the `bibtex` plugin entry rewritten as `factcheck`, and what changed."""
    lines = text.split("\n")
    item = _plugin_item(lines, name)
    if item is None:
        return text, []
    changes = [Change(item + 1, f"plugin '{PLUGIN_NAME}' (mkdocs-bibtex) is now 'factcheck' (mkdocs-factcheck)")]
    match = ITEM_RE.match(lines[item])
    assert match is not None
    rest = match["rest"]
    if "{" in rest:  # flow style: `- bibtex: {bib_file: refs.bib}`
        rest = re.sub(r"(?<=[{,\s])([\w-]+)(?=\s*:)", lambda m: RENAMED.get(m[1], (m[1], ""))[0] or m[1], rest)
        if any(not target and re.search(rf"\b{re.escape(old)}\s*:", rest) for old, (target, _) in RENAMED.items()):
            raise MigrateError(f"{name}:{item + 1}: write the options of '{PLUGIN_NAME}' one per line to migrate them")
    lines[item] = match["indent"] + "factcheck" + rest
    options = _option_lines(lines, item)
    original_options = [lines[index] for index in options]
    given = {OPTION_RE.match(lines[index])["name"] for index in options}  # type: ignore[index]
    written: set[str] = set(given) - set(RENAMED)
    for index in options:
        option = OPTION_RE.match(lines[index])
        assert option is not None
        old = option["name"]
        if old not in RENAMED:
            continue
        target, why = RENAMED[old]
        if not target or target in written or (old == "bib_dir" and "bib_file" in given):
            reason = (
                why
                if not target
                else (
                    f"'{target}' is given already"
                    if target in written
                    else "'bib_file' is given, which mkdocs-bibtex read instead"
                )
            )
            lines[index] = f"{option['indent']}# {old}{option['rest']}  # mkdocs-factcheck migrate: {reason}"
            changes.append(Change(index + 1, f"'{old}' is now a comment: {reason}"))
            continue
        written.add(target)
        lines[index] = option["indent"] + target + option["rest"]
        changes.append(Change(index + 1, f"'{old}' is now '{target}' ({why})"))
    if options and sentence_case_kept({OPTION_RE.match(line)["name"]: None for line in original_options}):  # type: ignore[index]
        indent = OPTION_RE.match(lines[options[0]])["indent"]  # type: ignore[index]
        end = _block_end(lines, item)  # after the entry's last line: a nested value stays whole
        lines.insert(end, f"{indent}title_case: sentence  # mkdocs-factcheck migrate: {SENTENCE_CASE_NOTE}")
        changes.append(Change(end + 1, f"'title_case: sentence' added: {SENTENCE_CASE_NOTE}"))
    migrated = "\n".join(lines)
    _check(text, migrated, name)
    return migrated, changes


def _plugin_item(lines: list[str], name: str) -> int | None:
    """The line of the `- bibtex` item of the top-level `plugins:` list."""
    in_plugins = False
    found = None
    for index, line in enumerate(lines):
        top = TOP_KEY_RE.match(line)
        if top:
            in_plugins = top["name"] == "plugins"
            continue
        if in_plugins and ITEM_RE.match(line):
            found = index
        if in_plugins and re.match(r"^[ \t]*-[ \t]*factcheck\b", line):
            raise MigrateError(
                f"{name}:{index + 1}: the site has a 'factcheck' plugin entry already; remove one of the two"
            )
    return found


def _option_lines(lines: list[str], item: int) -> list[int]:
    """The lines of the entry's options: indented deeper than its `-`, one level (nested values stay)."""
    item_indent = len(lines[item]) - len(lines[item].lstrip())
    found: list[int] = []
    level = None
    for index in range(item + 1, len(lines)):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= item_indent:
            break
        level = indent if level is None else level
        if indent == level and OPTION_RE.match(line):
            found.append(index)
    return found


def _block_end(lines: list[str], item: int) -> int:
    """The index after the entry's last line (blank lines and comments after it are not its)."""
    item_indent = len(lines[item]) - len(lines[item].lstrip())
    end = item + 1
    for index in range(item + 1, len(lines)):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= item_indent:
            break
        end = index + 1
    return end


def _check(before: str, after: str, name: str) -> None:
    """The rewritten file reads as YAML to our options equal to what the old ones are read as."""
    old, new = _entry(before, PLUGIN_NAME, name), _entry(after, "factcheck", name)
    if read_as_ours(old)[0] != new:
        raise MigrateError(
            f"{name}: the '{PLUGIN_NAME}' entry is written in a way this command cannot rewrite safely; rename it to"
            " 'factcheck' by hand (its options are read as ours)"
        )


def _entry(text: str, plugin: str, name: str) -> dict:
    try:
        data = yaml.load(named_text(text, name), Loader=_TagIgnoringLoader)  # noqa: S506 - the loader below builds plain data only
    except yaml.YAMLError as error:
        raise MigrateError(f"{name}: not valid YAML: {error}") from None
    for item in (data or {}).get("plugins") or []:
        if item == plugin:
            return {}
        if isinstance(item, dict) and plugin in item:
            return dict(item[plugin] or {})
    raise MigrateError(f"{name}: no '{plugin}' entry under plugins")


class _TagIgnoringLoader(yaml.SafeLoader):
    """MkDocs' `!ENV` and `!!python/name:` tags read as plain values: only the plugin entry matters here."""


_TagIgnoringLoader.add_multi_constructor(
    "", lambda loader, suffix, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
)
_TagIgnoringLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def run_migrate(path: Path, dry_run: bool, out) -> int:
    text = path.read_text(encoding="utf-8")
    migrated, changes = migrate_text(text, path.name)
    if not changes:
        print(f"{path.name}: no '{PLUGIN_NAME}' plugin entry: nothing to migrate", file=out)
        return 0
    for change in changes:
        print(f"{path.name}:{change.line}: {change.what}", file=out)
    if dry_run:
        print(f"{path.name}: not written (--dry-run)", file=out)
    else:
        path.write_text(migrated, encoding="utf-8")
        print(
            f"{path.name}: written; pages keep their \\bibliography and \\full_bibliography lines, which work as"
            " before",
            file=out,
        )
    return 0
