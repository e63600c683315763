"""The on-disk cache of check outcomes: one SQLite file, safe against a crash mid-write and two builds at once."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = "CREATE TABLE IF NOT EXISTS outcomes (key TEXT PRIMARY KEY, value TEXT NOT NULL, checked REAL NOT NULL, expires REAL NOT NULL)"
FILENAME = "online.sqlite3"


class Cache:
    """Outcomes by check key (`crossref:10.1/x`), each with the time it was checked and an expiry.

    SQLite commits atomically (a crash leaves the previous state) and, in WAL mode with a busy timeout,
    lets two builds read and write the same file at once. A cache that cannot be used is no cache: every
    error reads as a miss and the checks go online.
    """

    def __init__(self, directory: Path, logger: logging.Logger | logging.LoggerAdapter | None = None):
        self.path = Path(directory) / FILENAME
        self.log = logger
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable against crashes of this process
            db.execute(SCHEMA)
            self._db = db
        except (OSError, sqlite3.Error) as error:
            self._warn(f"online cache {self.path} not usable ({error}); checking without a cache")

    def _warn(self, message: str) -> None:
        if self.log is not None:
            self.log.info(message)

    def get(self, key: str, now: float | None = None) -> tuple[dict, float] | None:
        """The fresh value and when it was checked, or None."""
        now = time.time() if now is None else now
        with self._lock:
            if self._db is None:
                return None
            try:
                row = self._db.execute("SELECT value, checked FROM outcomes WHERE key = ? AND expires > ?", (key, now)).fetchone()
            except sqlite3.Error as error:
                self._warn(f"online cache read failed ({error})")
                return None
        if row is None:
            return None
        try:
            return json.loads(row[0]), row[1]
        except ValueError:
            return None

    def put(self, key: str, value: dict, lifetime: float, checked: float | None = None) -> None:
        if lifetime <= 0:
            return  # transient outcomes are never kept
        checked = time.time() if checked is None else checked
        text = json.dumps(value, sort_keys=True)
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute("INSERT OR REPLACE INTO outcomes (key, value, checked, expires) VALUES (?, ?, ?, ?)", (key, text, checked, checked + lifetime))
            except sqlite3.Error as error:
                self._warn(f"online cache write failed ({error})")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
