"""What the plugin's caches on disk share: the versions their keys hold, and writing a file atomically."""

from __future__ import annotations

import functools
import os
import tempfile
from importlib import metadata
from pathlib import Path


@functools.cache  # importlib.metadata reads the installed metadata on every call (about 0.5 ms)
def pybtex_version() -> str:
    try:
        return metadata.version("pybtex")
    except metadata.PackageNotFoundError:
        return "unknown"


def write_atomically(path: Path, data: bytes) -> None:
    """Written to a temporary file and renamed: a crash or a concurrent build never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
