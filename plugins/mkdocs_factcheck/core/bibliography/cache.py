"""The parsed bibliography kept between builds: in memory across `mkdocs serve` rebuilds, and on disk
(`bibliography.json`) between builds, used only while every file's contents are the same."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pybtex.database import Entry, Person

from mkdocs_factcheck.core import json_data
from mkdocs_factcheck.core.bibliography.files import Bibliography, BibText, Source, load
from mkdocs_factcheck.core.cache_files import pybtex_version, remove_stale, write_atomically
from mkdocs_factcheck.core.findings import Finding


class BibliographyCache:
    """Keeps the parsed bibliography until the contents of one of its files change: in memory across
    `mkdocs serve` rebuilds, and on disk between builds when given a cache directory."""

    FILE = "bibliography.json"

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._bibliography: Bibliography | None = None
        self.parses = 0  # how many times files were parsed: tests and the benchmark read it

    @staticmethod
    def _stamp_of(paths: list[Path], base: Path) -> tuple:
        """The files' contents, by digest: an edit that keeps size and modification time still counts,
        and reading and hashing costs little next to parsing. The versions are part of it because the
        parsed objects are pybtex's and ours."""
        from mkdocs_factcheck.version import __version__

        stamp: list[tuple] = [(__version__, pybtex_version(), str(base))]
        for path in paths:
            try:
                with path.open("rb") as file:  # in chunks: a 30 MB file is not held in memory for this
                    stamp.append(
                        (str(path), hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest())
                    )
            except OSError:
                stamp.append((str(path), None))
        return tuple(stamp)

    def get(self, paths: list[Path], base: Path, cache_dir: Path | None = None, save: bool = True) -> Bibliography:
        """`save`: write the parsed files to `cache_dir` when they had to be parsed."""
        stamp = self._stamp_of(paths, base)
        if self._bibliography is not None and stamp == self._stamp:
            return self._bibliography
        self._bibliography = self._stamp = None  # let the old one go before the new one is read
        if cache_dir is not None:
            remove_stale(cache_dir, LEGACY_CACHE_FILES)
        bibliography = _read_parsed(cache_dir / self.FILE, stamp) if cache_dir is not None else None
        if bibliography is None:
            bibliography = load(paths, base)
            self.parses += 1
            if cache_dir is not None and save:
                _write_parsed(cache_dir / self.FILE, stamp, bibliography, paths, base)
        self._bibliography, self._stamp = bibliography, stamp
        return bibliography


# The parsed bibliography is kept as JSON, which loads much faster than the files parse again.
# JSON, not pickle: the cache directory is restored by CI systems between runs and branches, so its files
# are input like any other, and unpickling runs whatever the file says. The file is used only when its
# stamp (files' digests, base folder, versions) matches; every row is checked when read, and anything
# unreadable or malformed is parsed again.
# A BibTeX entry is stored as where its text is (file, line, span): it is parsed again from the file when
# a build uses it, so a warm build of a site citing 2,000 of 100,000 entries parses 2,000 of them and
# holds the other 98,000 as a few numbers and strings each. CSL items are stored as plain rows.
CACHE_FORMAT = 2  # the rows' layout; another value is another layout (parsed again)
LEGACY_CACHE_FILES = ("bibliography.pickle",)  # never read (unpickling runs code): removed when seen


class _MalformedError(Exception):
    """A stored row that is not what `_write_parsed` writes."""


def _read_parsed(path: Path, stamp: tuple) -> Bibliography | None:
    try:
        data = json_data.loads(path.read_bytes(), max_depth=None)  # every row's type is checked below
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("stamp") != _plain(stamp):
            return None
        macros = data.get("macros")
        if type(macros) is not dict or not all(type(k) is str and type(v) is str for k, v in macros.items()):
            raise _MalformedError()
        bibliography = Bibliography(findings=[_finding(row) for row in _list(data.get("findings"))], macros=macros)
        stamped_files = {entry[0] for entry in stamp[1:]}  # only the bibliography's own files are read
        for display, file_path in map(_pair_of_str, _list(data.get("files"))):
            if file_path not in stamped_files:
                raise _MalformedError()
            bibliography.texts[display] = BibText(Path(file_path), macros, bibliography)
        sources = bibliography.sources
        texts = bibliography.texts
        # Checked inline, without helpers: a bibliography of 100,000 entries has as many rows.
        for row in _list(data.get("rows")):
            if type(row) is not list:
                raise _MalformedError()
            if len(row) == 5:  # a BibTeX entry: where its text is
                key, file, line, start, end = row
                if not (
                    type(key) is str
                    and type(file) is str
                    and file in texts
                    and type(line) is int
                    and type(start) is int
                    and type(end) is int
                    and 0 <= start <= end
                ):
                    raise _MalformedError()
                lowered = key.lower()
                sources[key if lowered == key else lowered] = Source(
                    key, None, file, line, (texts[file], start, end)
                )  # one string, not two
                continue
            if len(row) != 6:
                raise _MalformedError()
            key, file, line, original_type, fields, persons = row  # a CSL item, as read
            if not (
                type(key) is str
                and type(original_type) is str
                and type(file) is str
                and type(line) is int
                and type(fields) is list
            ):
                raise _MalformedError()
            for pair in fields:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
                    raise _MalformedError()
            entry = Entry(original_type, fields=fields)
            entry.key = key
            for role, people in map(_pair_of_list, _list(persons)):
                entry.persons[role] = [_person(parts) for parts in people]
            sources[key.lower()] = Source(key, entry, file, line)
    except (
        OSError,
        ValueError,
        TypeError,
        _MalformedError,
    ):  # missing, truncated, tampered, from another version: parse
        return None
    return bibliography


def _write_parsed(path: Path, stamp: tuple, bibliography: Bibliography, paths: list[Path], base: Path) -> None:
    rows: list[tuple] = []
    for source in bibliography.sources.values():
        span = source.span
        if span is not None:
            rows.append((source.key, source.file, source.line, *span))
        else:
            raw = source.raw
            persons = [(role, [_name_parts(p) for p in people]) for role, people in raw.persons.items()]
            rows.append((source.key, source.file, source.line, raw.original_type, list(raw.fields.items()), persons))
    displays = {(os.path.relpath(p, base) if p.is_absolute() else str(p)): str(p) for p in paths}
    files = [(display, displays[display]) for display in bibliography.texts]
    findings = [(f.kind, f.message, f.file, f.line, f.page, f.severity) for f in bibliography.findings]
    data = {
        "format": CACHE_FORMAT,
        "stamp": _plain(stamp),
        "rows": rows,
        "findings": findings,
        "macros": bibliography.macros,
        "files": files,
    }
    try:
        write_atomically(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except Exception:  # noqa: BLE001 - a read-only directory, a full disk: a parse next time, nothing more
        pass


def _plain(stamp: tuple) -> list:
    """The stamp as JSON reads it back (tuples become lists)."""
    return json.loads(json.dumps(stamp))


def _list(value: object, length: int | None = None) -> list:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise _MalformedError()
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _MalformedError()
    return value


def _optional(value: object, kind: type) -> object:
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise _MalformedError()
    return value


def _pair_of_str(value: object) -> tuple[str, str]:
    first, second = _list(value, 2)
    return _str(first), _str(second)


def _pair_of_list(value: object) -> tuple[str, list]:
    role, people = _list(value, 2)
    return _str(role), _list(people)


def _finding(value: object) -> Finding:
    kind, message, file, line, page, severity = _list(value, 6)
    return Finding(
        _str(kind),
        _str(message),
        _optional(file, str),  # type: ignore[arg-type]
        _optional(line, int),  # type: ignore[arg-type]
        _optional(page, str),  # type: ignore[arg-type]
        _str(severity),
    )


CACHE_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def _name_parts(person: Person) -> list[list[str]]:
    return [list(getattr(person, part)) for part in CACHE_NAME_PARTS]


def _person(value: object) -> Person:
    person = Person()
    for part, names in zip(CACHE_NAME_PARTS, _list(value, len(CACHE_NAME_PARTS)), strict=True):
        setattr(person, part, [_str(name) for name in _list(names)])
    return person
