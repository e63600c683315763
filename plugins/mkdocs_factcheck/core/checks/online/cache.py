"""The on-disk cache of check outcomes: one SQLite file, safe against a crash mid-write and two builds at
once, and rebuilt when it is damaged."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from mkdocs_factcheck.core import json_data

try:
    import fcntl
except ImportError:  # Windows: two builds that both find the file damaged may both rebuild it
    fcntl = None  # type: ignore[assignment]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS outcomes (key TEXT PRIMARY KEY, value TEXT NOT NULL, checked REAL NOT NULL, expires"
    " REAL NOT NULL)"
)
COLUMNS = ["key", "value", "checked", "expires"]
FILENAME = "online.sqlite3"
COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's own files next to the database


class Damaged(sqlite3.DatabaseError):
    """The file opens but is not our cache: another table layout, a failed integrity check, a link."""


class Cache:
    """Outcomes by check key (`crossref:10.1/x`), each with the time it was checked and an expiry.

    SQLite commits atomically (a crash leaves the previous state) and, in WAL mode with a busy timeout,
    lets two builds read and write the same file at once. A file that is not a usable cache (truncated,
    random bytes, another schema, a directory in its place: CI systems restore this directory from
    anywhere) is set aside and the cache starts empty, with a warning, so that later builds cache again.
    If even that fails, there is no cache: every lookup is a miss and the checks go online.
    """

    def __init__(self, directory: Path, logger: logging.Logger | logging.LoggerAdapter | None = None):
        self.path = Path(directory) / FILENAME
        self.log = logger
        self._lock = threading.Lock()
        self._db = self._open_or_rebuild()

    def _warn(self, message: str, *args) -> None:
        if self.log is not None:
            self.log.warning(message, *args)

    def _open_or_rebuild(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._warn("online cache %s not usable (%s); checking without a cache", self.path, error)
            return None
        with self._exclusive():  # another build finding the same damage waits, then opens the rebuilt file
            try:
                return self._open()
            except sqlite3.Error as error:
                if _busy(error):  # another build holds it, or it is read-only: left as it is
                    self._warn("online cache %s not usable (%s); checking without a cache", self.path, error)
                    return None
                damage = error
            try:
                self._set_aside()
                db = self._open()
            except (OSError, sqlite3.Error) as error:
                self._warn("online cache %s not usable (%s); checking without a cache", self.path, error)
                return None
        self._warn("online cache %s was damaged (%s): rebuilt empty", self.path, damage)
        return db

    def _open(self) -> sqlite3.Connection:
        if self.path.is_symlink():
            raise Damaged("a symbolic link")
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA trusted_schema = OFF")  # no SQL function with side effects from the file's schema
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable against crashes of this process
            db.execute(SCHEMA)
            columns = [row[1] for row in db.execute("PRAGMA table_info(outcomes)")]
            if columns != COLUMNS:
                raise Damaged(f"a table outcomes with columns {columns}")
            # Nothing but our table: a planted trigger or view would run its SQL on our reads and writes.
            extra = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE name NOT IN ('outcomes', 'sqlite_autoindex_outcomes_1')"
                )
            ]
            if extra:
                raise Damaged(f"other objects in the file: {', '.join(extra[:5])}")
            # A truncated file opens and fails only when the missing pages are read: look at every page
            # now (milliseconds for thousands of outcomes) rather than fail halfway through the build.
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise Damaged(verdict)
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> None:
        """Files are deleted (outcomes are cheap to fetch again); a directory is renamed, never deleted."""
        if self.path.is_dir() and not self.path.is_symlink():
            self.path.rename(self.path.with_name(f"{FILENAME}.not-a-cache-{time.time_ns()}"))
        else:
            self.path.unlink(missing_ok=True)
        for suffix in COMPANIONS:
            companion = self.path.with_name(FILENAME + suffix)
            if not companion.is_dir():
                companion.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        try:  # never through a planted link: the lock file is opened, not followed
            descriptor = os.open(
                self.path.with_name(f".{FILENAME}.lock"), os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644
            )
        except OSError:
            yield
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def _failed(self, action: str, error: sqlite3.Error) -> None:
        """A busy database misses this once; a damaged one is dropped for the build (rebuilt next build)."""
        if _busy(error):
            self._warn("online cache %s failed (%s)", action, error)
            return
        self._warn("online cache %s failed (%s): no cache for the rest of this build", action, error)
        if self._db is not None:
            self._db.close()
            self._db = None

    def get(self, key: str, now: float | None = None) -> tuple[dict, float] | None:
        """The fresh value and when it was checked, or None."""
        now = time.time() if now is None else now
        with self._lock:
            if self._db is None:
                return None
            try:
                row = self._db.execute(
                    "SELECT value, checked FROM outcomes WHERE key = ? AND expires > ?", (key, now)
                ).fetchone()
            except sqlite3.Error as error:
                self._failed("read", error)
                return None
        if row is None:
            return None
        try:
            value = json_data.loads(row[0])
        except (TypeError, ValueError):
            return None
        return (value, row[1]) if isinstance(value, dict) and isinstance(row[1], float | int) else None

    def put(self, key: str, value: dict, lifetime: float, checked: float | None = None) -> None:
        if lifetime <= 0:
            return  # transient outcomes are never kept
        checked = time.time() if checked is None else checked
        text = json.dumps(value, sort_keys=True)
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO outcomes (key, value, checked, expires) VALUES (?, ?, ?, ?)",
                    (key, text, checked, checked + lifetime),
                )
            except sqlite3.Error as error:
                self._failed("write", error)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _busy(error: sqlite3.Error) -> bool:
    """Not damage: another build holds the file, or it may not be written (a read-only restore)."""
    text = str(error).lower()
    return any(word in text for word in ("locked", "busy", "readonly", "read-only"))
