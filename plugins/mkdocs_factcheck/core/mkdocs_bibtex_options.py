"""mkdocs-bibtex 4.x's option names, read as ours: a site moving from that plugin keeps its options
under `factcheck:` (each said once, naming our option), or `mkdocs-factcheck migrate` renames them."""

from __future__ import annotations

from dataclasses import dataclass

# Its name -> ours ("" : nothing of ours is needed), and what the note says.
RENAMED: dict[str, tuple[str, str]] = {
    "bib_file": ("bibliography", "a path or an http(s) URL, as before"),
    "bib_dir": ("bibliography", "a folder: every .bib file under it"),
    "csl_file": ("style", "a .csl file or its http(s) URL, as before"),
    "bib_command": ("bibliography_marker", "the line where a page's bibliography goes"),
    "full_bib_command": ("site_bibliography_marker", "the line where the whole bibliography goes"),
    "bib_by_default": ("page_bibliography", "a citing page without a marker gets its bibliography at its end"),
    "csl_file_encoding": ("", "not needed: a CSL file is XML and its declaration names its encoding"),
    "footnote_format": ("", "not needed: citations link to their entries, and the style makes their labels"),
    "enable_inline_citations": (
        "",
        "not needed: `@key` in the text is a citation, as in pandoc; `\\@name` is a literal @",
    ),
}
PLUGIN_NAME = "bibtex"  # its entry under `plugins:`


@dataclass(frozen=True)
class Note:
    """One of its options, read as ours: `name` as written, `ours` our option ("" for none)."""

    name: str
    ours: str
    message: str


def read_as_ours(options: dict) -> tuple[dict, list[Note]]:
    """The options with mkdocs-bibtex's names replaced by ours, and a note on each. Our own option wins
    over its counterpart; `bib_file` over `bib_dir`, as mkdocs-bibtex reads them."""
    given = {
        name: value for name, value in options.items() if not (name in RENAMED and value is None)
    }  # None: not given, as in MkDocs
    ours = {name: value for name, value in given.items() if name not in RENAMED}
    notes = []
    for name, value in given.items():
        if name not in RENAMED:
            continue
        target, why = RENAMED[name]
        if not target:
            notes.append(Note(name, "", f"mkdocs-bibtex's option '{name}' is {why}; it can go"))
            continue
        if target in ours:
            notes.append(
                Note(
                    name,
                    target,
                    f"mkdocs-bibtex's option '{name}' is '{target}' here, which is given too: '{target}' is used",
                )
            )
            continue
        if name == "bib_dir" and "bib_file" in given:
            notes.append(
                Note(
                    name,
                    target,
                    "mkdocs-bibtex's option 'bib_dir' is left out: 'bib_file' is given, and mkdocs-bibtex read"
                    " that one",
                )
            )
            continue
        ours[target] = value
        notes.append(
            Note(
                name,
                target,
                f"mkdocs-bibtex's option '{name}' is '{target}' here ({why}): write `{target}: ...` (or run"
                " `mkdocs-factcheck migrate`)",
            )
        )
    if sentence_case_kept(given):
        ours["title_case"] = "sentence"
        notes.append(
            Note(next(name for name in ("bib_file", "bib_dir") if name in given), "title_case", SENTENCE_CASE_NOTE)
        )
    return ours, notes


SENTENCE_CASE_NOTE = (
    "without a csl_file, mkdocs-bibtex wrote titles in pybtex's sentence case: 'title_case: sentence' is used, as there"
)


def sentence_case_kept(given: dict) -> bool:
    """mkdocs-bibtex without `csl_file` formats with pybtex's plain style, which writes titles in sentence
    case; our pybtex styles keep titles as written unless `title_case: sentence`."""
    return any(name in given for name in ("bib_file", "bib_dir")) and not any(
        name in given for name in ("csl_file", "style", "title_case")
    )
