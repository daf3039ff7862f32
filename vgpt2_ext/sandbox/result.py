"""What a run returns, the limits it runs under, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vgpt2_ext.errors import SandboxError

FailureKind = Literal["refused", "parse", "timeout", "row_cap", "memory", "runtime"]


@dataclass(frozen=True)
class Limits:
    """Per-run limits; `memory_mb` is fixed when a sandbox is built (DuckDB's configuration is locked)."""

    timeout_s: float = field(default=2.0, metadata={"help": "wall-clock seconds before the query is interrupted"})
    max_rows: int = field(default=10_000, metadata={"help": "more rows than this fail the run (`row_cap`)"})
    memory_mb: int = field(default=256, metadata={"help": "DuckDB memory limit; nothing spills to disk"})


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


def first_line(error: Exception) -> str:
    """An error's message without DuckDB's multi-line context: messages here are one line."""
    return str(error).strip().splitlines()[0]
