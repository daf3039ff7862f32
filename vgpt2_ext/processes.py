"""Worker processes: each keeps what it built (a sandbox, proof caches) from one task to the next, so work is
routed to one by a key and the same key always meets the same process (by the key's hash; or, with `balance`,
a new key goes to the worker given the fewest items so far: hashing gave one of two workers 60 % of the earlier
VGPT2 answers, whose first queries repeat in groups of up to 160 rows; the data build's keys are many small
groups and stay hashed); and each ends with its parent: a worker
whose parent was killed (SIGKILL, a crash) must not run on, orphaned, holding memory and CPU (the data build's
provers, the audit's, the sandbox's workers)."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent ends (Linux; elsewhere nothing), then exit at
    once if the parent (`parent`, its pid when this process was started) has already gone."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(0)


@contextmanager
def long_lived() -> Iterator[None]:
    """Build what lives as long as the process (a catalog: the Vista export is ~200,000 objects): Python's cycle
    collector is paused meanwhile, since it would scan the growing heap again and again (unpickling the export
    took 3x as long with it on), and what exists at the end is frozen out of its later scans (`gc.freeze`), so
    the many small collections of building rows and parsing queries stop walking the catalog too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Workers:
    """`count` processes, forked where the platform can (they inherit the parent's catalog, its relationships
    inferred once), each set up by `initializer(*initargs)`. `close()` waits for them."""

    def __init__(self, count: int, initializer: Callable[..., None], initargs: tuple = (), *,
                 balance: bool = False) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._executors = [ProcessPoolExecutor(1, mp_context=context, initializer=_started,
                                               initargs=(os.getpid(), initializer, initargs))
                           for _ in range(count)]
        self._balance = balance
        self._home: dict[int, int] = {}  # with `balance`: a key's checksum -> its worker, for good
        self._given = [0] * count  # with `balance`: items routed to each worker so far

    def submit(self, function: Callable[[list], list], items: Sequence,
               key: Callable[[Any], str]) -> Callable[[], list]:
        """Start `function` on each worker's share of `items` (by `key`); calling the result waits for one result
        per item, in the order of `items`. Workers go on while the caller does other work. Which worker a key
        meets depends only on the keys submitted before it, so a run routes alike every time."""
        shares: dict[int, list[int]] = defaultdict(list)
        for index, item in enumerate(items):
            shares[self._worker(zlib.crc32(key(item).encode()))].append(index)
        futures = [(indexes, self._executors[worker].submit(function, [items[i] for i in indexes]))
                   for worker, indexes in shares.items()]

        def results() -> list:
            found: list = [None] * len(items)
            for indexes, future in futures:
                for index, result in zip(indexes, future.result()):
                    found[index] = result
            return found
        return results

    def _worker(self, checksum: int) -> int:
        if not self._balance:
            return checksum % len(self._executors)
        worker = self._home.get(checksum)
        if worker is None:
            worker = self._home[checksum] = self._given.index(min(self._given))
        self._given[worker] += 1
        return worker

    def spread(self, function: Callable[..., list], items: Sequence, *args: Any) -> list:
        """`function(part, *args)` on equal consecutive parts of `items`, one per worker; the results in order."""
        size = -(-len(items) // len(self._executors))
        futures = [executor.submit(function, items[w * size:(w + 1) * size], *args)
                   for w, executor in enumerate(self._executors)]
        return [result for future in futures for result in future.result()]

    def close(self) -> None:
        for executor in self._executors:
            executor.shutdown(wait=True, cancel_futures=True)
        self._executors = []


def _started(parent: int, initializer: Callable[..., None], initargs: tuple) -> None:
    die_with_parent(parent)
    initializer(*initargs)
