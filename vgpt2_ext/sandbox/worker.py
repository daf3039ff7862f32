"""The sandbox's worker process: the engine behind limits the operating system enforces.

Started by `client.Sandbox` (`python -m vgpt2_ext.sandbox.worker READ_FD WRITE_FD PARENT_PID`), it receives
the catalog, builds its engine, then caps its own address space (`RLIMIT_AS` = `memory_mb` +
`ALLOWANCE_MB`: an allocation past it fails, whatever allocates — DuckDB, a string function, the parser) and
serves requests until its input closes. For each phase of a run it arms two wall-clock timers: the soft one
gives a clean message and keeps the worker (the watchdog stops the parser in the main thread for prepare,
a deadline between tables for build, DuckDB's interrupt for execute); the hard one is SIGALRM left at its
default action, so at the limit plus `GRACE_S` the kernel ends the process whatever it is doing, a single
long function call inside DuckDB included. The parent sees the worker gone, reports the limit, and starts a
fresh worker for the next query. The worker also dies with its parent (PR_SET_PDEATHSIG).

Requests and replies are pickled tuples on two pipes: (method, args, kwargs) -> ("ok", value, peak_kb) or
("error", kind, message, fatal, peak_kb); after a fatal one the worker ends. `run_many` runs a batch of
queries in one request, each under its own timers, so a prover's queries cost no round trip each (the
pipes' round trips, and the two processes taking turns on a core, cost 23 % of the worker's CPU time).
"""

from __future__ import annotations

import _thread
import os
import pickle
import resource
import signal
import sys
import time
from multiprocessing.connection import Connection

from vgpt2_ext.processes import die_with_parent, long_lived
from vgpt2_ext.sandbox.engine import Engine
from vgpt2_ext.sandbox.result import ALLOWANCE_MB, GRACE_S, MAX_RESULT_MB, Limits, RunError, first_line

MB = 1024 * 1024
PREPARE_SIGNAL = signal.SIGUSR1  # the watchdog's way to stop the parser in the main thread


class _PrepareExpired(BaseException):
    """Raised in the main thread when the prepare phase runs past `prepare_s` (a BaseException, so no
    `except Exception` in a library swallows it)."""


def _expired(signum: int, frame: object) -> None:
    raise _PrepareExpired


def _signal_main() -> None:
    _thread.interrupt_main(PREPARE_SIGNAL)


class _Timers:
    """The phase hook a run calls (`Engine.run(phase=...)`): arms the soft and the hard timer of each phase.
    Prepare and translate share one budget, `prepare_s`: translate gets what prepare left."""

    def __init__(self, engine: Engine) -> None:
        self.watchdog = engine.watchdog
        self.left = 0.0  # of the prepare budget, once prepare has ended
        self.started = 0.0

    def __call__(self, name: str, limits: Limits) -> None:
        now = time.monotonic()
        if name == "prepare":
            self.left, self.started = limits.prepare_s, now
        elif name == "build":
            self.left -= now - self.started
        seconds = {"prepare": self.left, "build": limits.build_s, "translate": max(self.left, 0.0),
                   "execute": limits.timeout_s}.get(name)
        self.started = now
        signal.setitimer(signal.ITIMER_REAL, seconds + GRACE_S if seconds is not None else 0)
        if name in ("prepare", "translate"):
            self.watchdog.arm(seconds, _signal_main)
        elif name != "execute":  # execute: `database.execute` arms DuckDB's interrupt itself
            self.watchdog.disarm()


def _run(engine: Engine, sql: str, limits: Limits):
    return engine.run(sql, limits=limits, phase=_Timers(engine))


def _run_many(engine: Engine, sqls: list[str], limits: Limits) -> tuple[list[bytes], bool]:
    """Each query's pickled result or RunError, in order, and whether the worker must end. The batch stops early
    after a failure that leaves the engine unsure (the worker then ends), and once the results hold
    `MAX_RESULT_MB` (the caller sends the rest again); a single result past it is refused as `run` refuses it."""
    found: list[bytes] = []
    size = 0
    for sql in sqls:
        try:
            data = pickle.dumps(_run(engine, sql, limits), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001 - as in `_answer`
            verdict, fatal = _verdict(engine, error, limits)
            found.append(pickle.dumps(verdict, protocol=pickle.HIGHEST_PROTOCOL))
            if fatal:
                return found, True
            continue
        if len(data) > MAX_RESULT_MB * MB:
            data = pickle.dumps(_too_large(data), protocol=pickle.HIGHEST_PROTOCOL)
        found.append(data)
        size += len(data)
        if size > MAX_RESULT_MB * MB:
            break
    return found, False


def _translate(engine: Engine, sql: str, limits: Limits) -> str:
    return engine.translate(sql, limits=limits, phase=_Timers(engine))


METHODS = {
    "run": _run,
    "run_many": _run_many,
    "translate": _translate,
    "materialise": lambda engine, names: engine.materialise(names),
    "snapshot": lambda engine: engine.snapshot(),
    "built": lambda engine: engine.built,
}


def serve(engine: Engine, inbox: Connection, outbox: Connection) -> int:
    """Answer requests until the parent closes the pipe (0) or a failure leaves the engine unsure (1)."""
    while True:
        try:
            method, args, kwargs = pickle.loads(inbox.recv_bytes())
        except (EOFError, OSError):
            return 0
        reply, fatal = _answer(engine, method, args, kwargs)
        outbox.send_bytes(reply)
        if fatal:
            return 1


def _answer(engine: Engine, method: str, args: tuple, kwargs: dict) -> tuple[bytes, bool]:
    """The pickled reply, and whether the worker ends after sending it (its engine may be half-changed)."""
    try:
        value = METHODS[method](engine, *args, **kwargs)
        data = pickle.dumps(("ok", value, _peak_kb()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as error:  # noqa: BLE001 - every failure becomes a reply; the parent decides
        verdict, fatal = _verdict(engine, error, kwargs.get("limits") or engine.limits)
        return _error(verdict.kind, verdict.detail, fatal=fatal), fatal
    if len(data) > MAX_RESULT_MB * MB:
        return _error("memory", _too_large(data).detail), False
    return data, method == "run_many" and value[1]


def _verdict(engine: Engine, error: BaseException, limits: Limits) -> tuple[RunError, bool]:
    """What a failure tells the caller, and whether the worker must end (its engine may be half-changed)."""
    if isinstance(error, RunError):
        return error, False
    if isinstance(error, _PrepareExpired):
        return RunError("timeout", f"parsing, checking and translating took more than {limits.prepare_s:g} s "
                                   "(limit `prepare_s`)"), False
    if isinstance(error, RecursionError):
        return RunError("parse", "the query nests too deeply to translate; write it flatter"), True
    if isinstance(error, MemoryError):
        return RunError("memory", f"the query needed more than the worker's {_address_space_mb(engine)} MB "
                                  f"(limit `memory_mb` {engine.limits.memory_mb} + {ALLOWANCE_MB} MB allowance)"), True
    if not isinstance(error, Exception):
        raise error  # KeyboardInterrupt, SystemExit: end as asked
    return RunError("runtime", f"the sandbox failed on it ({type(error).__name__}: {first_line(error)}); please "
                               "report this query"), True


def _too_large(data: bytes) -> RunError:
    return RunError("memory", f"the result takes {len(data) / MB:.0f} MB; the sandbox returns at most "
                              f"{MAX_RESULT_MB} MB")


def _error(kind: str, message: str, *, fatal: bool = False) -> bytes:
    return pickle.dumps(("error", kind, message, fatal, _peak_kb()))


def _peak_kb() -> int:
    """This process's peak resident memory (VmHWM). Not `ru_maxrss`: Linux carries that across exec, so it
    would report the resident size of the (possibly large) parent this worker was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _address_space_mb(engine: Engine) -> int:
    return engine.limits.memory_mb + ALLOWANCE_MB


def main(argv: list[str]) -> int:
    read_fd, write_fd, parent = (int(a) for a in argv)
    die_with_parent(parent)
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        with long_lived():
            catalog, seed, rows, limits = pickle.loads(inbox.recv_bytes())
    except (EOFError, OSError):
        return 0
    engine = Engine(catalog, seed=seed, limits=limits, rows_per_table=rows)
    size = _address_space_mb(engine) * MB
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    signal.signal(PREPARE_SIGNAL, _expired)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the hard limit: the kernel ends the process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is the parent's to handle
    outbox.send_bytes(pickle.dumps(("ready", os.getpid(), _peak_kb())))
    return serve(engine, inbox, outbox)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
