"""The command line, the way linters do it: options in, one output format out, and an exit code
(0: nothing at the failing severity; 1: findings that fail; 2: the site could not be checked)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mkdocs_factcheck.cli.check import run_check, write_corrections_page, write_report_page
from mkdocs_factcheck.cli.formats import FORMATS, render
from mkdocs_factcheck.cli.site_config import ConfigError, find_config, load_site_config
from mkdocs_factcheck.core.wording import plural
from mkdocs_factcheck.version import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="mkdocs-factcheck", description="Fact-check a MkDocs or Zensical site's claims and citations."
    )
    main.add_argument("--version", action="version", version=f"mkdocs-factcheck {__version__}")
    commands = main.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check every page and source of a site, as a build would",
        description=(
            "Convert every page with the factcheck extension and run every check (online ones too, unless --offline)."
            " No HTML is written."
        ),
    )
    check.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="report findings of these pages or bibliography files only (the whole site is still read)",
    )
    check.add_argument("-f", "--config", help="mkdocs.yml or zensical.toml (default: the one in the current folder)")
    check.add_argument(
        "--offline", action="store_true", help="skip the online checks (cached results are not used either)"
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too, not only on errors")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help=(
            "output: text lines (default), json (factcheck.json's schema), github (workflow annotations), sarif (2.1.0)"
        ),
    )
    check.add_argument("-o", "--output", type=Path, help="write the output to this file instead of standard output")
    check.add_argument(
        "-v", "--verbose", action="store_true", help="show findings of level info too (text and github formats)"
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="convert every page again rather than reuse the results of unchanged pages",
    )
    check.add_argument(
        "--write-report",
        action="store_true",
        help="write the report page (report_page, Markdown) into the docs folder, for hosts without the plugin",
    )
    publish = commands.add_parser(
        "publish",
        help="record what the site publishes in its ledger (run when the site is deployed)",
        description=(
            "Check the site (offline) and write its ledger (ledger_file): every claim's text, verdict, sources, page"
            " and date, with each correction and update. Refuses (exit 1) while a published claim changed without a"
            " correction."
        ),
    )
    publish.add_argument("-f", "--config", help="mkdocs.yml or zensical.toml (default: the one in the current folder)")
    publish.add_argument("--date", help="the date of publication, YYYY-MM-DD (default: today, UTC)")
    merge = commands.add_parser(
        "merge-ledger",
        help="git merge driver for the ledger: keeps both branches' records",
        description="Merge two ledgers into OURS (git: driver = mkdocs-factcheck merge-ledger %%O %%A %%B).",
    )
    merge.add_argument("base", type=Path)
    merge.add_argument("ours", type=Path)
    merge.add_argument("theirs", type=Path)
    add = commands.add_parser(
        "add",
        help="fetch DOIs, PubMed ids, PMC ids or ISBNs and add them to the site's BibTeX file",
        description=(
            "Fetch each identifier's record (as online checks do) and append it to the first BibTeX file of"
            " `bibliography` as an ordinary entry, keyed in the site's key style; an identifier already there is named,"
            " not added. Prints the key to cite."
        ),
    )
    add.add_argument(
        "identifiers", nargs="+", help="doi:10.x/y (or https://doi.org/10.x/y), pmid:123, pmcid:PMC123, isbn:978..."
    )
    add.add_argument("-f", "--config", help="mkdocs.yml or zensical.toml (default: the one in the current folder)")
    migrate = commands.add_parser(
        "migrate",
        help="rewrite mkdocs.yml's mkdocs-bibtex plugin entry as this plugin's",
        description=(
            "The `bibtex` plugin entry becomes `factcheck`, its options get this plugin's names (those not needed"
            " become comments saying why); comments and the rest of the file stay as written. Prints each change."
        ),
    )
    migrate.add_argument("-f", "--config", help="mkdocs.yml (default: the one in the current folder)")
    migrate.add_argument("--dry-run", action="store_true", help="print the changes without writing the file")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.command == "add":
        return add_command(options)
    if options.command in ("publish", "merge-ledger"):
        return publish_command(options)
    if options.command == "migrate":
        return migrate_command(options)
    try:
        config = load_site_config(find_config(options.config, Path.cwd()))
        if not config.settings.enabled:
            print(
                f"mkdocs-factcheck: {config.path.name}: the factcheck plugin is disabled (enabled: false): nothing"
                " checked",
                file=sys.stderr,
            )
            return EXIT_CLEAN
        missing = [str(path) for path in options.files if not path.exists()]
        if missing:
            raise ConfigError(f"no such file: {', '.join(missing)}")
        result = run_check(config, offline=options.offline, only=options.files or None, use_cache=not options.no_cache)
        report = write_report_page(result) if options.write_report else None
        corrections_page = write_corrections_page(result) if options.write_report else None
        output = render(options.format, result, options.verbose)
        if options.output:
            options.output.write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
    except ConfigError as error:
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # an output file that cannot be written, a docs folder that cannot be read
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR
    failing = ("error", "warning") if options.strict else ("error",)
    counts = {
        severity: sum(1 for f in result.findings if f.severity == severity) for severity in ("error", "warning", "info")
    }
    summary = (
        f"{plural(len(result.pages), 'page')} checked: {plural(counts['error'], 'error')},"
        f" {plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    pending = sum(1 for f in result.findings if f.kind in ("unpublished_correction", "unpublished_update"))
    if pending:
        summary += f"; {plural(pending, 'correction or update', 'corrections or updates')} not yet published"
    if report is not None:
        summary += f"; report written to {config.relative(report)}"
    if corrections_page is not None:
        summary += f", corrections to {config.relative(corrections_page)}"
    print(summary, file=sys.stderr)
    return EXIT_FINDINGS if any(counts[severity] for severity in failing) else EXIT_CLEAN


def publish_command(options: argparse.Namespace) -> int:
    from mkdocs_factcheck.cli.publish import run_merge, run_publish

    try:
        if options.command == "merge-ledger":
            return run_merge(options.base, options.ours, options.theirs)
        return run_publish(
            load_site_config(find_config(options.config, Path.cwd())), options.date, sys.stdout, sys.stderr
        )
    except (ConfigError, OSError) as error:
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR


def add_command(options: argparse.Namespace) -> int:
    from mkdocs_factcheck.cli.add import run_add

    try:
        return run_add(
            load_site_config(find_config(options.config, Path.cwd())), options.identifiers, sys.stdout, sys.stderr
        )
    except ConfigError as error:
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # the BibTeX file cannot be written
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR


def migrate_command(options: argparse.Namespace) -> int:
    from mkdocs_factcheck.cli.migrate import MigrateError, run_migrate

    try:
        return run_migrate(find_config(options.config, Path.cwd()), options.dry_run, sys.stdout)
    except (ConfigError, MigrateError, OSError, UnicodeDecodeError) as error:
        print(f"mkdocs-factcheck: {error}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
