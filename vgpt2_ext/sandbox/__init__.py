"""The execution sandbox: model-written T-SQL run read-only against a synthetic Vista database.

    sb = sandbox_for(catalog, seed=0)        # one per catalog content and seed, per process
    result = sb.run("SELECT TOP 5 Vendor, Name FROM APVM WITH (NOLOCK) WHERE VendorGroup = 1")
    compare(result, gold).equal              # bag of rows, columns matched in any order, floats within 1e-6

The database is DuckDB in memory, built from the catalog with deterministic rows that respect keys,
relationships, group columns and code lists; T-SQL is translated by sqlglot. Only a single read-only query
runs (see `guard` and `database.connect` for the layers), in a worker process whose time and memory limits
the operating system enforces (`worker`, `client`); `RunError.kind` says why a run failed.
"""

from __future__ import annotations

from vgpt2_ext.sandbox.client import Sandbox, sandbox_for
from vgpt2_ext.sandbox.compare import Comparison, compare, compare_any
from vgpt2_ext.sandbox.engine import Engine
from vgpt2_ext.sandbox.result import Limits, Result, RunError

__all__ = ["Comparison", "Engine", "Limits", "Result", "RunError", "Sandbox", "compare", "compare_any",
           "sandbox_for"]
