"""One thread per engine that acts when a phase runs past its deadline: it interrupts DuckDB's query, or
(in the worker, for the prepare phase) signals the main thread.

A timer thread per query would cost a thread start on every run, and waking a sleeping thread on every
run hands the GIL back and forth (milliseconds per query). So the watchdog is started once and looks at
the deadline every `TICK` seconds: arming and disarming only write it. It acts while holding the lock
`disarm` takes, so once `disarm` returns no interrupt is still on its way to the next statement. This is
the soft layer: it gives a clean message and keeps the process; the worker's hard timer (`worker`) is behind
it for what does not stop when asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import duckdb

TICK = 0.05  # seconds between looks at the deadline: how late a timeout may fire


class Watchdog:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con: duckdb.DuckDBPyConnection | None = con
        self._deadline: float | None = None
        self._action: Callable[[], None] | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, name="sandbox-watchdog", daemon=True).start()

    def arm(self, seconds: float, action: Callable[[], None] | None = None) -> None:
        """At `seconds` from now, run `action` (default: interrupt the connection's query)."""
        with self._lock:
            self._deadline = time.monotonic() + seconds
            self._action = action

    def disarm(self) -> None:
        with self._lock:
            self._deadline = None

    def stop(self) -> None:
        """End the thread (when its engine is collected or the process exits). The connection is let go
        here, in the caller's thread: DuckDB closing it on the watchdog's thread while Python shuts down
        aborts the process."""
        with self._lock:
            self._con = None
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(TICK):
            with self._lock:
                if self._con is not None and self._deadline is not None and time.monotonic() >= self._deadline:
                    (self._action or self._con.interrupt)()
                    self._deadline = None
