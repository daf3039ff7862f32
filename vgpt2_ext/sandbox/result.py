"""What a run returns, the limits it runs under, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vgpt2_ext.errors import SandboxError
from vgpt2_ext.sql.parse import MAX_SQL_CHARS

FailureKind = Literal["refused", "parse", "timeout", "row_cap", "memory", "runtime"]

# what the worker process may map beyond DuckDB's `memory_mb`: the interpreter, DuckDB, sqlglot, the catalog,
# the synthetic rows (all of the 3,373-object Vista export's: ~600 MB) and a query's parse tree and result
ALLOWANCE_MB = 1024
GRACE_S = 1.0  # how long after a soft limit (DuckDB interrupted, a deadline exception) the worker is killed
MAX_RESULT_MB = 64  # a result larger than this, pickled, is refused instead of sent to the caller


@dataclass(frozen=True)
class Limits:
    """Per-run limits; `memory_mb` is fixed when a sandbox starts (DuckDB's configuration is locked and the
    worker's address space is set once). Every limit is enforced inside a worker process: a query that
    outruns the soft layer is killed by the operating system at the limit plus `GRACE_S`."""

    timeout_s: float = field(default=2.0, metadata={"help": "wall-clock seconds the query may execute"})
    max_rows: int = field(default=10_000, metadata={"help": "more rows than this fail the run (`row_cap`)"})
    memory_mb: int = field(default=256, metadata={
        "help": f"DuckDB memory limit (nothing spills to disk); the worker may map this + {ALLOWANCE_MB} MB"})
    prepare_s: float = field(default=2.0, metadata={"help": "wall-clock seconds to parse, check and translate"})
    build_s: float = field(default=60.0, metadata={
        "help": "seconds to build the synthetic tables a query reads the first time (kept for later queries)"})
    max_sql_chars: int = field(default=MAX_SQL_CHARS, metadata={
        "help": "longer SQL is refused before it is parsed (the parser reads no more than this anywhere)"})


@dataclass(frozen=True)
class Result:
    """The rows a query returned. `ordered` is true when the query's outermost level has ORDER BY: only then
    does row order count when results are compared."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    ordered: bool = False


class RunError(SandboxError):
    """A run that did not return rows, with the kind of failure (for scorers that count them)."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(f"{kind.replace('_', ' ')}: {message}")
        self.kind = kind
        self.detail = message

    def __reduce__(self):  # crosses the process boundary: rebuilt from (kind, message), not from the text
        return RunError, (self.kind, self.detail)


def check_size(sql: str, limits: Limits) -> None:
    """Refuse SQL longer than `limits.max_sql_chars` before anything reads it."""
    if len(sql) > limits.max_sql_chars:
        raise RunError("refused", f"the SQL is {len(sql):,} characters; the sandbox reads at most "
                                  f"{limits.max_sql_chars:,} (limit `max_sql_chars`)")


def first_line(error: Exception) -> str:
    """An error's message without DuckDB's multi-line context: messages here are one line."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
