"""The key that signs the check command's page results, kept outside the cache folder.

Whoever can edit a cache folder (a CI cache restored from a branch, a shared checkout) must not be able
to change a verdict, a claim's text or a finding through it. So the results are signed with a key the
folder does not hold: `FACTCHECK_CACHE_KEY` when set (a CI secret, which lets runners share caches), else
a random key made once per user in the user's cache directory, readable by that user only. A file
signed with another key is not used: its pages are checked again."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

from mkdocs_factcheck.core.log import logger

ENVIRONMENT = "FACTCHECK_CACHE_KEY"
KEY_FILE = "cache-key"
MINIMUM = 32  # characters of a key: a short secret could be guessed
log = logger("cache")


def user_cache_dir() -> Path:
    """Where each platform keeps a user's caches (what platformdirs answers, for these three)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData/Local") / "mkdocs-factcheck"
    if sys.platform == "darwin":
        return Path.home() / "Library/Caches/mkdocs-factcheck"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mkdocs-factcheck"


class CacheKey:
    """Signs and checks bytes. `id` names the key without revealing it, so that a file signed with
    another key (another machine) is told apart from a file whose contents were changed."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self.id = hashlib.blake2b(secret, digest_size=8, person=b"factcheck-id").hexdigest()

    def sign(self, data: bytes) -> str:
        return hmac.new(self._secret, data, hashlib.blake2b).hexdigest()

    def signs(self, data: bytes, signature: object) -> bool:
        return isinstance(signature, str) and hmac.compare_digest(self.sign(data), signature)

    @classmethod
    def of_this_user(cls) -> CacheKey | None:
        """The environment's key, else the user's (made on first use); None when neither can be had
        (a read-only home): then nothing is cached."""
        given = os.environ.get(ENVIRONMENT)
        if given:
            if len(given) < MINIMUM:
                log.warning(
                    "factcheck: %s is shorter than %d characters: page results are not cached", ENVIRONMENT, MINIMUM
                )
                return None
            return cls(given.encode("utf-8"))
        path = user_cache_dir() / KEY_FILE
        try:
            return cls(_read_key(path))
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            _make_key(path)
            return cls(_read_key(path))
        except OSError:
            return None


def _read_key(path: Path) -> bytes:
    secret = path.read_bytes().strip()
    if len(secret) < MINIMUM:
        raise OSError(f"{path}: too short to be a key")  # a truncated key signs nothing
    return secret


def _make_key(path: Path) -> None:
    """Written under a temporary name, then linked into place: of two processes making it at once, both
    end up with the one that was linked first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}-{os.getpid()}-{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
