"""Formatting entries in a second process while the pages render: a cold build's largest cost.

What it buys: on a machine with a second core, a cold build spends the time of formatting its entries
on that core instead of its own (bench/second_process.py measures it; warm builds never start it).
A build with nothing in the formatted-entry cache formats every cited entry with pybtex. Rendering
pages needs one core, so on a machine with two or more the plugin starts this module as a child process in
`on_files`, with the entries the Markdown mentions in page order. The build formats entries as pages cite
them, from the first page on; the child takes them from the last one backwards and writes each
entry's forms to a pipe as it goes. The build takes an entry from the child when it got there first and
formats it itself otherwise: it never waits, and once the two meet no entry is formatted twice, however
fast the second core is (on a shared machine it may give much less than a core). The results are those
of `format_source`, identified by the cache's digest: a child that disagrees on the plugin's version
or the style only produces results nobody asks for.

A child that cannot start, fails or is slow costs nothing but the core it used: failures to format
are sent as `None`, so that the build formats the entry itself and reports the finding.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs_factcheck.core.bibliography.files import Source
from mkdocs_factcheck.core.formatting.cache import Formatted

# Below this many entries to format, formatting them costs less than starting a Python process.
MIN_ENTRIES = 100
FRAME_HEADER = struct.Struct("!I")  # each message: its length, then a pickle of (digest, forms or None)


def worth_starting(entries: int) -> bool:
    """A second core to run on, enough entries to pay for a Python process, and POSIX pipes (the build
    reads the child's pipe without blocking, which Windows pipes do not allow before Python 3.12)."""
    return os.name == "posix" and entries >= MIN_ENTRIES and usable_cores() >= 2


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # POSIX without it (macOS)
        return os.cpu_count() or 1


def child_command(request: Path) -> list[str]:
    # -P: the working directory is not put first on the child's import path, where a module there (a
    # local `pybtex/`) could stand in for what the build imported.
    return [sys.executable, "-P", "-m", __name__, str(request)]


class FormatterProcess:
    """The build's side: starts the child, and reads what it has sent whenever the build asks for an
    entry it does not have. No thread: a reader thread would wait for the interpreter lock, which the
    rendering thread holds, at every message."""

    def __init__(self, style: str, sources: list[Source], title_case: str = "as-written"):
        """Raises OSError (or what starting a process raises) when no child could be started."""
        self.results: dict[str, Formatted | None] = {}
        self._buffer = bytearray()
        self.process: subprocess.Popen | None = None
        if not sys.executable:
            raise OSError("no Python interpreter to start (sys.executable is empty)")
        # The entries themselves, as parsed: the child reads no bibliography file, which for a large
        # shared bibliography would take it longer than formatting the entries a site cites.
        request = {"style": style, "title_case": title_case, "sources": sources}
        # The request goes in a file: written to the child's stdin, a large one would wait for the
        # child to start and read it.
        handle, name = tempfile.mkstemp(prefix="factcheck-request-", suffix=".pickle")
        self.request = Path(name)
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(request, file, protocol=pickle.HIGHEST_PROTOCOL)
            # stderr is dropped: a child's failure is not the build's, which formats what it did not send.
            self.process = subprocess.Popen(
                child_command(self.request), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            assert self.process.stdout is not None
            self._fd = self.process.stdout.fileno()
            os.set_blocking(self._fd, False)
            _enlarge_pipe(self._fd)  # the child need not wait for the build to read
        except BaseException:
            self.close()
            raise

    def take(self, digest: str) -> Formatted | None:
        """The child's forms of an entry, if it has sent them (None also when it could not format it)."""
        if digest not in self.results:
            self._receive()
        return self.results.pop(digest, None)

    def _receive(self) -> None:
        """Read what is waiting in the pipe, without blocking, and unpack every complete frame."""
        if self.process is None or self.process.stdout is None or self.process.stdout.closed:
            return
        while True:
            try:
                chunk = os.read(self._fd, 1 << 20)
            except OSError:  # nothing waiting (BlockingIOError), or the pipe is gone
                break
            if not chunk:
                break  # the child has ended
            self._buffer += chunk
        while len(self._buffer) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(self._buffer)
            end = FRAME_HEADER.size + size
            if len(self._buffer) < end:
                break
            try:
                digest, formatted = pickle.loads(self._buffer[FRAME_HEADER.size : end])
                self.results[digest] = formatted
            except Exception:  # noqa: BLE001 - a damaged frame: the build formats that entry itself
                pass
            del self._buffer[:end]

    def close(self) -> None:
        """Stop the child (it may still be formatting entries the build no longer needs); safe to repeat."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()
        self.request.unlink(missing_ok=True)


def _enlarge_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):  # not Linux, or above the system's limit: 64 KiB will do
        pass


def main() -> None:
    """The child: read the request, format the entries from the last, send (digest, forms or None) for each."""
    request_path = Path(sys.argv[1])
    with request_path.open("rb") as file:
        request = pickle.load(file)
    request_path.unlink(missing_ok=True)
    # Frames go to the pipe on a descriptor of their own; anything a style prints goes where stderr goes
    # (nowhere), not between two frames.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)

    from mkdocs_factcheck.core.formatting.cache import FormattedCache
    from mkdocs_factcheck.core.formatting.pybtex_formatter import SafeHTMLBackend, format_source, load_style

    style = load_style(request["style"], request.get("title_case", "as-written"))
    backend = SafeHTMLBackend()
    for source in reversed(request["sources"]):  # the build starts from the first page (see above)
        try:
            formatted: Formatted | None = format_source(
                style, backend, source, allow_gaps=False
            )  # gaps: the build reports them
        except Exception:  # noqa: BLE001 - the build formats it again and reports why
            formatted = None
        frame = pickle.dumps((FormattedCache.key(style, source.raw), formatted), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            out.write(FRAME_HEADER.pack(len(frame)) + frame)
            out.flush()
        except OSError:  # the build has ended, or no longer listens
            return


if __name__ == "__main__":
    main()
