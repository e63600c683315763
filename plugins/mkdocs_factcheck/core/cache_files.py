"""What the plugin's caches on disk share: the versions their keys hold, writing a file atomically, and
removing what killed builds left behind."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
import tempfile
import time
from importlib import metadata
from pathlib import Path

TEMPORARY_PREFIX = ".factcheck-tmp-"  # every temporary file of write_atomically starts with it
OLD_TEMPORARY = re.compile(r"\.(bibliography|formatted)-[^.]+\.(pickle|json)")  # the names of earlier versions
STALE_AFTER = 60.0  # seconds: a younger temporary may be another build's write in progress


@functools.cache  # importlib.metadata reads the installed metadata on every call
def pybtex_version() -> str:
    try:
        return metadata.version("pybtex")
    except metadata.PackageNotFoundError:
        return "unknown"


def write_atomically(path: Path, data: bytes) -> None:
    """Written to a temporary file and renamed: a crash or a concurrent build never sees half a file.
    A build killed before the rename leaves the temporary; `remove_stale` removes it later. An existing
    file keeps its mode (a 664 `.bib` stays 664); one with hard links is written in place, since a
    rename would cut it from its other names (that write is not atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        existing = os.stat(path)
    except OSError:
        existing = None
    if existing is not None and existing.st_nlink > 1 and stat.S_ISREG(existing.st_mode):
        with open(path, "r+b") as handle:
            handle.write(data)
            handle.truncate()
        return
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMPORARY_PREFIX}{path.name}-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale(directory: Path, legacy: tuple[str, ...] = ()) -> None:
    """Temporaries older than a minute (left by a build killed mid-write: they are never renamed), and
    the `legacy` files of earlier versions that must not be read. Costs one directory listing."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return  # no cache directory yet
    now = time.time()
    for entry in entries:
        name = entry.name
        with contextlib.suppress(OSError):
            if name in legacy and not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
            elif name.startswith(TEMPORARY_PREFIX) or OLD_TEMPORARY.fullmatch(name):
                if (
                    entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
                ):
                    os.unlink(entry.path)
