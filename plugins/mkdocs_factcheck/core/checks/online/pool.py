"""A thread pool whose threads never keep the process alive.

`concurrent.futures.ThreadPoolExecutor` joins its threads when the interpreter exits, even after
`shutdown(wait=False)`: one check stuck where no timeout reaches (a host name lookup that never answers,
a server the watchdog could not cut) would keep `mkdocs build` from ever exiting. These threads are
daemons: once the build has its report, the process exits whatever they are doing.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
from collections.abc import Callable


class DaemonPool:
    def __init__(self, max_workers: int, thread_name_prefix: str = "pool"):
        self.max_workers = max(1, max_workers)
        self.prefix = thread_name_prefix
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # released by each worker waiting for work
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable, *args) -> cf.Future:
        """Runs `fn(*args)` on a worker; after `shutdown` the future comes back cancelled."""
        future: cf.Future = cf.Future()
        with self._lock:
            if self._closed:
                future.cancel()
                return future
            self._queue.put((future, fn, args))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._work, name=f"{self.prefix}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as error:  # noqa: BLE001 - the future carries it to whoever waits
                    future.set_exception(error)
            del item, future, fn, args  # nothing of a finished task stays referenced while the worker waits
            self._idle.release()

    def shutdown(self, cancel_futures: bool = True) -> None:
        """Never waits: queued work is cancelled, running work ends on its own (or with the process)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while cancel_futures:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
            for _ in self._threads:
                self._queue.put(None)
