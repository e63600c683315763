"""A thread pool whose threads never keep the process alive, and which serves its lanes in turn.

`concurrent.futures.ThreadPoolExecutor` joins its threads when the interpreter exits, even after
`shutdown(wait=False)`: one check stuck where no timeout reaches (a host name lookup that never answers,
a server the watchdog could not cut) would keep `mkdocs build` from ever exiting. These threads are
daemons: once the build has its report, the process exits whatever they are doing.

Work is queued in lanes (the verifier's: one per host) taken in turn, each with at most `per_lane` tasks
running: thousands of DOI checks queued first no longer hold every worker waiting for the DOI host's
few request slots while the batched PubMed requests, queued last, wait behind them.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections import OrderedDict, deque
from collections.abc import Callable

Task = tuple[cf.Future, Callable, tuple, str]


class DaemonPool:
    def __init__(self, max_workers: int, thread_name_prefix: str = "pool", per_lane: int = 0):
        self.max_workers = max(1, max_workers)
        self.prefix = thread_name_prefix
        self.per_lane = per_lane  # 0: no limit; the lane "" never has one
        self._lanes: OrderedDict[str, deque[Task]] = OrderedDict()  # the lane served last goes to the end
        self._running: dict[str, int] = {}
        self._condition = threading.Condition()
        self._idle = 0  # workers waiting for work and not yet woken
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, fn: Callable, *args, lane: str = "") -> cf.Future:
        """Runs `fn(*args)` on a worker, in its turn among the lanes; after `shutdown` the future comes back
        cancelled."""
        future: cf.Future = cf.Future()
        with self._condition:
            if self._closed:
                future.cancel()
                return future
            self._lanes.setdefault(lane, deque()).append((future, fn, args, lane))
            if self._idle:
                self._idle -= 1
                self._condition.notify()
            elif len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._work, name=f"{self.prefix}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _take(self) -> Task | None:
        with self._condition:
            while True:
                for lane, queue in self._lanes.items():
                    if queue and (not lane or not self.per_lane or self._running.get(lane, 0) < self.per_lane):
                        self._lanes.move_to_end(lane)
                        self._running[lane] = self._running.get(lane, 0) + 1
                        return queue.popleft()
                if self._closed:
                    return None
                self._idle += 1
                self._condition.wait()

    def _done(self, lane: str) -> None:
        with self._condition:
            self._running[lane] -= 1
            if not self._running[lane] and not self._lanes.get(lane):
                del self._running[lane]
                self._lanes.pop(lane, None)  # one lane per host: the hosts of a build's URLs come and go
            elif (
                self._lanes.get(lane) and self._idle
            ):  # this lane's next task may run now, beside the one this worker takes
                self._idle -= 1
                self._condition.notify()

    def _work(self) -> None:
        while True:
            task = self._take()
            if task is None:
                return
            future, fn, args, lane = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as error:  # noqa: BLE001 - the future carries it to whoever waits
                    future.set_exception(error)
            del task, future, fn, args  # nothing of a finished task stays referenced while the worker waits
            self._done(lane)

    def shutdown(self, cancel_futures: bool = True) -> None:
        """Never waits: queued work is cancelled (or, without `cancel_futures`, still run), running work
        ends on its own (or with the process)."""
        with self._condition:
            if self._closed:
                return
            self._closed = True
            if cancel_futures:
                for queue in self._lanes.values():
                    while queue:
                        queue.popleft()[0].cancel()
            self._idle = 0
            self._condition.notify_all()
