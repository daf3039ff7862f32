"""The sandbox as callers see it: `Sandbox.run(sql)` sends the query to a worker process and waits;
`Sandbox.run_many(sqls)` sends a batch in one request (a proof of thousands of queries then costs no round
trip each: 23 % of the worker's CPU time on the 14,600 queries of a 20,000-example build).

The worker (`worker`) holds the engine and its database under the operating system's limits; this side
keeps the pipes, starts the worker on first use or `start()` (about a second of an interpreter, DuckDB,
sqlglot and the catalog, which runs while the caller goes on), reuses it for every later query (its tables
stay built, so validation stays fast), and when the worker is gone — killed at a hard limit, ended after a
memory failure — reports why and starts a fresh one for the next query. Its own deadline (every phase's
limit plus slack) covers a worker that stops answering.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.util import Finalize
from pathlib import Path

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.errors import SandboxError
from vgpt2_ext.sandbox.engine import ROWS_PER_TABLE
from vgpt2_ext.sandbox.result import ALLOWANCE_MB, GRACE_S, Limits, Result, RunError, check_size

START_TIMEOUT_S = 120.0  # starting a worker: imports and the catalog (the Vista export unpickles in ~1 s)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# glibc keeps 7 freed blocks of each small size for reuse; a query's parse, plan and result allocate and free
# thousands: keeping 1,000 cuts the worker's instructions by 7 % and its CPU time by ~10 % (measured, Vista
# export). The user's own tunables come after, so theirs win.
_TUNABLES = "glibc.malloc.tcache_count=1000"


@dataclass
class _Process:
    """One worker: the process, the two pipe ends this side holds, and the file its stderr goes to."""

    popen: subprocess.Popen
    requests: Connection
    replies: Connection
    stderr: object
    owner: int  # the pid that started it: a forked child must start its own
    sender: threading.Thread | None = None  # hands the worker its catalog
    ready: bool = False  # it has answered that it is ready

    def stop(self, wait_s: float = 0.0) -> int:
        """End the worker if it still runs after `wait_s` (one that is already ending gets that long to finish,
        so how it ended is known), and reap it; its exit status as Popen reports it (-N: signal N)."""
        for end in (self.requests, self.replies):
            end.close()
        if self.popen.returncode is None:
            deadline = time.monotonic() + wait_s
            pid, status = os.waitpid(self.popen.pid, os.WNOHANG)
            while pid == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
                pid, status = os.waitpid(self.popen.pid, os.WNOHANG)
            if pid == 0:
                self.popen.kill()
                pid, status = os.waitpid(self.popen.pid, 0)
            self.popen.returncode = os.waitstatus_to_exitcode(status)
            self.stderr.close()
        return self.popen.returncode


class Sandbox:
    """One catalog's synthetic database in a worker process. Thread-safe: requests are serialised."""

    def __init__(self, catalog: Catalog, *, seed: int = 0, limits: Limits | None = None,
                 rows_per_table: int = ROWS_PER_TABLE) -> None:
        self.catalog = catalog
        self.seed = seed
        self.limits = limits or Limits()
        self.rows_per_table = rows_per_table
        self.peak_kb = 0  # the highest resident memory (VmHWM, KB) a worker reported; the address space caps it
        self.starts = 0  # workers started so far (the first, and one after each that was ended)
        self._process: _Process | None = None
        self._finalizer: Finalize | None = None
        self._lock = threading.RLock()

    # -- what callers use --------------------------------------------------------------------------
    def run(self, sql: str, *, limits: Limits | None = None) -> Result:
        """Execute one read-only T-SQL query; RunError (a SandboxError) says why not, in one line. `limits`
        may change the per-run limits (the memory limit is the sandbox's)."""
        limits = limits or self.limits
        check_size(sql, limits)
        return self._request("run", (sql,), limits)

    def run_many(self, sqls: Sequence[str], *, limits: Limits | None = None) -> list[Result | RunError]:
        """`run` of each query, in one request: each one's Result or RunError, in order, as `run` would give
        them. A batch whose worker is ended mid-way (a hard limit) goes on one query at a time from the first
        query without an answer, on a fresh worker, so the query that ended it gets its own verdict."""
        limits = limits or self.limits
        found: list[Result | RunError | None] = [None] * len(sqls)
        waiting = []
        for index, sql in enumerate(sqls):
            try:
                check_size(sql, limits)
                waiting.append(index)
            except RunError as error:
                found[index] = error
        while waiting:
            try:
                answers, ended = self._request("run_many", ([sqls[i] for i in waiting],), limits, len(waiting))
            except RunError:
                for index in waiting:
                    found[index] = self._single(sqls[index], limits)
                break
            for index, answer in zip(waiting, answers):
                found[index] = pickle.loads(answer)
            if ended:
                self.close()  # see worker._run_many
            waiting = waiting[len(answers):]
        return found  # type: ignore[return-value]

    def _single(self, sql: str, limits: Limits) -> Result | RunError:
        try:
            return self.run(sql, limits=limits)
        except RunError as error:
            return error

    def translate(self, sql: str, *, limits: Limits | None = None) -> str:
        """The DuckDB text `run` would execute for `sql`, after the same checks (to see what ran)."""
        limits = limits or self.limits
        check_size(sql, limits)
        return self._request("translate", (sql,), limits)

    def materialise(self, names: list[str] | None = None) -> None:
        """Build the tables behind `names` (catalog objects; all of them when None) and their ancestors."""
        self._request("materialise", (None if names is None else list(names),))

    @property
    def built(self) -> tuple[str, ...]:
        """The tables and views the current worker has built."""
        return self._request("built", ())

    def snapshot(self) -> dict[str, object]:
        """A digest of the worker's database (see `database.snapshot`)."""
        return self._request("snapshot", ())

    def start(self) -> Sandbox:
        """Start the worker now, without waiting for it (about a second of imports that can overlap other
        work); the first query waits for it if it is not ready yet."""
        with self._lock:
            self._worker()
        return self

    @property
    def address_space_mb(self) -> int:
        """The most the worker may map: `memory_mb` for DuckDB plus the fixed allowance."""
        return self.limits.memory_mb + ALLOWANCE_MB

    @property
    def worker_pid(self) -> int | None:
        return self._process.popen.pid if self._process is not None else None

    def close(self) -> None:
        """End the worker now (it also ends with this object, and with this process)."""
        with self._lock:
            if self._process is not None and self._process.owner == os.getpid():
                self._process.stop()
            self._process = None

    # -- the worker --------------------------------------------------------------------------------
    def _request(self, method: str, args: tuple, limits: Limits | None = None, runs: int = 1):
        """Send one request and wait for its reply (with `limits`: at most every phase's limit and slack, for each
        of its `runs`)."""
        message = pickle.dumps((method, args, {"limits": limits} if limits else {}), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            process = self._send(message)
            started = time.monotonic()
            if not process.replies.poll(runs * _deadline(limits) if limits else None):
                self.close()
                raise RunError("timeout", f"stopped after {time.monotonic() - started:.1f} s: the sandbox worker "
                                          "did not answer within its limits and was ended")
            try:
                reply = pickle.loads(process.replies.recv_bytes())
            except (EOFError, OSError):
                raise self._gone(limits or self.limits, time.monotonic() - started) from None
        self.peak_kb = max(self.peak_kb, reply[-1])
        if reply[0] == "ok":
            return reply[1]
        if reply[3]:
            self.close()  # the worker ends after such a failure (see worker._answer); the next query starts another
        raise RunError(reply[1], reply[2])

    def _send(self, message: bytes) -> _Process:
        """The worker, ready, with `message` sent: one found gone since its last answer is replaced, once."""
        process = self._ready_worker()
        try:
            process.requests.send_bytes(message)
        except OSError:  # ended from outside between two requests: the request never ran
            self.close()
            process = self._ready_worker()
            process.requests.send_bytes(message)
        return process

    def _ready_worker(self) -> _Process:
        process = self._worker()
        if not process.ready:
            try:
                _ready(process)
            except SandboxError:
                self._process = None
                raise
        return process

    def _gone(self, limits: Limits, seconds: float) -> RunError:
        """Why the worker ended mid-request, from how it ended."""
        status = self._process.stop(wait_s=2.0) if self._process is not None else 0
        self.close()
        if status == -signal.SIGALRM:
            return RunError("timeout", f"stopped after {seconds:.1f} s: the query ran past its time limit "
                                       f"(`timeout_s` {limits.timeout_s:g} s to execute, `prepare_s` "
                                       f"{limits.prepare_s:g} s to translate; the worker was ended at the limit "
                                       f"+ {GRACE_S:g} s)")
        cause = " (killed: the machine ran out of memory?)" if status == -signal.SIGKILL else ""
        return RunError("memory" if cause else "runtime",
                        f"the sandbox worker ended ({_how(status)}){cause} while running the query; the next "
                        "query starts a fresh one")

    def _worker(self) -> _Process:
        if self._process is not None and self._process.owner != os.getpid():
            self._process = None  # inherited through fork: the parent's worker is the parent's to use
        if self._process is None:
            self._process = _start(self.catalog, self.seed, self.rows_per_table, self.limits)
            if self._finalizer is not None:
                self._finalizer.cancel()
            # ends (and reaps) the worker when this object goes, and when this process exits, a multiprocessing
            # worker included (it skips atexit): its CPU time then counts among this process's children
            self._finalizer = Finalize(self, _stop_quietly, args=(self._process,), exitpriority=0)
            self.starts += 1
        return self._process


def _start(catalog: Catalog, seed: int, rows: int, limits: Limits) -> _Process:
    """A worker process, started: it imports and loads the catalog while the caller goes on (a thread hands it
    the catalog, which may not fit the pipe); `_ready` waits for it."""
    to_child, from_parent = os.pipe()
    to_parent, from_child = os.pipe()
    env = {**os.environ, "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MB of address space per extra arena
           "GLIBC_TUNABLES": ":".join(t for t in (_TUNABLES, os.environ.get("GLIBC_TUNABLES")) if t),
           "PYTHONPATH": os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)}
    stderr = tempfile.TemporaryFile()
    popen = subprocess.Popen(
        [sys.executable, "-m", "vgpt2_ext.sandbox.worker", str(to_child), str(from_child), str(os.getpid())],
        pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        env=env, close_fds=True, cwd=_PACKAGE_ROOT)  # `-m` puts the working folder first on the path: ours
    os.close(to_child)
    os.close(from_child)
    process = _Process(popen, Connection(from_parent, readable=False), Connection(to_parent, writable=False),
                       stderr, os.getpid())
    payload = pickle.dumps((catalog, seed, rows, limits), protocol=pickle.HIGHEST_PROTOCOL)
    process.sender = threading.Thread(target=_hand_over, args=(process.requests, payload), daemon=True)
    process.sender.start()
    return process


def _hand_over(end: Connection, payload: bytes) -> None:
    try:
        end.send_bytes(payload)
    except (OSError, TypeError, ValueError):
        pass  # the worker died before reading it (`_ready` reports why), or the caller closed the sandbox first


def _ready(process: _Process) -> None:
    """Wait until the worker has loaded the catalog and capped itself; SandboxError with its last words if not."""
    process.sender.join()
    try:
        if process.replies.poll(START_TIMEOUT_S):
            pickle.loads(process.replies.recv_bytes())
            process.ready = True
            return
    except (EOFError, OSError):
        pass
    process.stderr.seek(0)
    last = (process.stderr.read().decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
    process.stop()
    raise SandboxError(f"the sandbox worker did not start: {last}")


def _deadline(limits: Limits) -> float:
    """How long this side waits for a run: every phase's limit and grace, plus slack for a loaded machine."""
    return limits.prepare_s + limits.build_s + limits.timeout_s + 3 * GRACE_S + 10.0


def _how(status: int) -> str:
    if status < 0:
        return f"signal {signal.Signals(-status).name}"
    return f"exit status {status}"


def _stop_quietly(process: _Process) -> None:
    if process.owner == os.getpid():
        try:
            process.stop()
        except OSError:
            pass


_SANDBOXES: dict[tuple[str, int], Sandbox] = {}
_SANDBOXES_LOCK = threading.Lock()


def sandbox_for(catalog: Catalog, seed: int = 0) -> Sandbox:
    """The process's sandbox for this catalog content (by fingerprint) and seed: one worker each, started on
    first use, tables added as queries use them."""
    key = (catalog.fingerprint, seed)
    with _SANDBOXES_LOCK:
        if key not in _SANDBOXES:
            _SANDBOXES[key] = Sandbox(catalog, seed=seed).start()  # its worker starts while the caller goes on
        return _SANDBOXES[key]
