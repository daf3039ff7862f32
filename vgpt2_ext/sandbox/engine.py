"""The sandbox: a catalog's synthetic database, and `run(sql)` under the guard and the limits.

A run parses the T-SQL, checks it (`guard`), builds the tables it reads if they are not built yet (rows
depend only on the seed and the table's ancestors, so build order never changes them), translates it
(`transpile`), has DuckDB's parser confirm a single SELECT, then executes it in a transaction that is
always rolled back, with a watchdog that interrupts it at the time limit and a fetch that stops past the
row cap. Tables are built on first use: on the 3,373-object Vista export a query touching APTH builds ~75
tables in about half a second, where building all 2,400 takes over ten (`benchmarks/bench_sql.py`).
"""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Iterable

from sqlglot import exp

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sandbox import database, guard
from vgpt2_ext.sandbox.generate import Row, generate
from vgpt2_ext.sandbox.plan import DataPlan
from vgpt2_ext.sandbox.result import Limits, Result, RunError
from vgpt2_ext.sandbox.transpile import ColumnKinds, is_ordered, to_duckdb
from vgpt2_ext.sandbox.watchdog import Watchdog
from vgpt2_ext.sql.parse import parse_tsql

ROWS_PER_TABLE = 30


class Sandbox:
    """One catalog's synthetic database. Thread-safe: runs are serialised on the one connection."""

    def __init__(self, catalog: Catalog, *, seed: int = 0, limits: Limits | None = None,
                 rows_per_table: int = ROWS_PER_TABLE) -> None:
        self.catalog = catalog
        self.seed = seed
        self.limits = limits or Limits()
        self.plan = DataPlan(catalog, rows_per_table)
        self._rows: dict[str, list[Row]] = {}
        self._views: set[str] = set()
        self._lock = threading.RLock()
        self._con = database.connect(self.limits.memory_mb)
        self._watchdog = Watchdog(self._con)
        weakref.finalize(self, self._watchdog.stop)

    # -- running -----------------------------------------------------------------------------------
    def run(self, sql: str, *, limits: Limits | None = None) -> Result:
        """Execute one read-only T-SQL query; RunError (a SandboxError) says why not, in one line. `limits`
        may change `timeout_s` and `max_rows` for this run (the memory limit is the sandbox's)."""
        limits = limits or self.limits
        query, tables = self._check(sql)
        with self._lock:
            duck_sql = self._translate(query, tables)
            columns, rows = database.execute(self._con, self._watchdog, duck_sql, limits, self.limits.memory_mb)
        return Result(columns, rows, is_ordered(query))

    def translate(self, sql: str) -> str:
        """The DuckDB text `run` would execute for `sql`, after the same checks (to see what ran)."""
        query, tables = self._check(sql)
        with self._lock:
            return self._translate(query, tables)

    def _translate(self, query: exp.Query, tables: list[str]) -> str:
        self.materialise(tables)
        duck_sql = to_duckdb(query, self._column_kinds(tables))
        guard.duckdb_select(duck_sql)
        return duck_sql

    def _check(self, sql: str) -> tuple[exp.Query, list[str]]:
        try:
            statements = parse_tsql(sql)
        except SQLAnalysisError as error:
            raise RunError("parse", str(error)) from None
        query = guard.single_query(statements)
        return query, guard.referenced_tables(query, self.catalog)

    # -- building ----------------------------------------------------------------------------------
    def materialise(self, names: Iterable[str] | None = None) -> None:
        """Build the tables behind `names` (catalog objects; all of them when None) and their ancestors."""
        with self._lock:
            if names is None:
                objects = [obj for obj in self.catalog.objects if obj.columns]
            else:
                objects = [self.catalog.object(name) for name in names]
            for obj in objects:
                if not obj.columns:
                    raise RunError("runtime", f"`{obj.name}` lists no columns in the catalog, so the sandbox "
                                              "holds no table for it")
            for node in self.plan.requirements([self.plan.node_of(obj) for obj in objects]):
                if node not in self._rows:
                    self._build_table(node)
            for obj in objects:
                if obj.base_table and obj.name not in self._views:
                    base = self.catalog.object(self.plan.node_of(obj))
                    database.create_view(self._con, obj.name, base.name, list(obj.column_names),
                                         list(base.column_names))
                    self._views.add(obj.name)

    def _build_table(self, node: str) -> None:
        spec = self.plan.spec(node)
        parents = {link.parent: self._rows[link.parent] for link in spec.links}
        rows = generate(spec, parents, random.Random(f"{self.seed}:{node}"))
        database.create_table(self._con, spec, rows)
        self._rows[node] = rows

    @property
    def built(self) -> tuple[str, ...]:
        """The tables and views built so far."""
        return tuple(sorted(self._rows)) + tuple(sorted(self._views))

    def snapshot(self) -> dict[str, object]:
        """A digest of the database (every built table's row count and checksum, attached databases,
        settings): equal before and after a run proves the run changed nothing."""
        with self._lock:
            return database.snapshot(self._con)

    def _column_kinds(self, tables: list[str]) -> ColumnKinds:
        kinds: ColumnKinds = {}
        for name in tables:
            for column in self.plan.spec(self.plan.node_of(self.catalog.object(name))).columns:
                kind = {"text": "text", "uuid": "text", "int": "int"}.get(column.kind, "other")
                kinds[column.name.lower()] = kind if kinds.get(column.name.lower(), kind) == kind else "other"
        return kinds


_SANDBOXES: dict[tuple[str, int], Sandbox] = {}
_SANDBOXES_LOCK = threading.Lock()


def sandbox_for(catalog: Catalog, seed: int = 0) -> Sandbox:
    """The process's sandbox for this catalog content (by fingerprint) and seed: built once, tables added
    as queries use them."""
    key = (catalog.fingerprint, seed)
    with _SANDBOXES_LOCK:
        if key not in _SANDBOXES:
            _SANDBOXES[key] = Sandbox(catalog, seed=seed)
        return _SANDBOXES[key]
