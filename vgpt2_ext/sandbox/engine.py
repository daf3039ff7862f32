"""The engine: a catalog's synthetic database, and `run(sql)` under the guard, in the calling process.

A run goes through phases. *Prepare*: parse the T-SQL and check it (`guard`). *Build*: the tables it reads,
if they are not built yet (rows depend only on the seed and the table's ancestors, so build order never
changes them), and their column types. *Translate*: to DuckDB's dialect (`transpile`), then DuckDB's parser
must confirm a single SELECT (the statement it read is the one that runs). *Execute*: in a transaction that
is always rolled back, with a watchdog that interrupts it at the time limit and a fetch that stops past the
row cap. Tables are built on first use: on the 3,373-object Vista export a query touching APTH generates
the rows of APTH and its ~75 ancestors (a child copies its parents' keys), of the ancestors only the columns
a child can copy (the rest is drawn when a query reads the table: `plan.TableSpec.later`), and creates only
APTH's table in the database; building all 2,400 takes seconds (`benchmarks/bench_sql.py`).

The engine is what the sandbox's worker process runs (`worker`): the worker arms the operating system's
limits at each phase through the `phase` hook. Used directly (benchmarks, tests of the engine itself) it
has only its soft limits.
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable, Iterable

import duckdb

from vgpt2_ext.catalog import Catalog, CatalogObject
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sandbox import database, guard
from vgpt2_ext.sandbox.generate import Row, complete, generate
from vgpt2_ext.sandbox.plan import DataPlan
from vgpt2_ext.sandbox.result import Limits, Result, RunError, check_size
from vgpt2_ext.sandbox.transpile import ColumnKinds, is_ordered, to_duckdb
from vgpt2_ext.sandbox.watchdog import Watchdog
from vgpt2_ext.sql.parse import parse_tsql

ROWS_PER_TABLE = 30
_KINDS = {"text": "text", "uuid": "text", "int": "int"}  # a generated column's kind -> what translation reads
Phase = Callable[[str, Limits], None]  # "prepare", "build", "translate", "execute", "done" as a run moves on


def _no_phase(name: str, limits: Limits) -> None:
    return None


class Engine:
    """One catalog's synthetic database. Thread-safe: runs are serialised on the one connection."""

    def __init__(self, catalog: Catalog, *, seed: int = 0, limits: Limits | None = None,
                 rows_per_table: int = ROWS_PER_TABLE) -> None:
        self.catalog = catalog
        self.seed = seed
        self.limits = limits or Limits()
        self.plan = DataPlan(catalog, rows_per_table)
        self._rows: dict[str, list[Row]] = {}  # generated rows of each node built so far
        self._tables: set[str] = set()  # the nodes created in the database (a query read them)
        self._views: set[str] = set()  # the plain views the database answers to (a node's home among them)
        self._kinds: dict[str, ColumnKinds] = {}  # each object's column kinds, for translation
        self._lock = threading.RLock()
        self._con = database.connect(self.limits.memory_mb)
        self.watchdog = Watchdog(self._con)
        weakref.finalize(self, self.watchdog.stop)

    # -- running -----------------------------------------------------------------------------------
    def run(self, sql: str, *, limits: Limits | None = None, phase: Phase = _no_phase) -> Result:
        """Execute one read-only T-SQL query; RunError (a SandboxError) says why not, in one line. `limits`
        may change the per-run limits (the memory limit is the engine's)."""
        limits = limits or self.limits
        with self._lock:
            try:
                ordered, statement = self._prepare(sql, limits, phase)
                phase("execute", limits)
                columns, rows = database.execute(self._con, self.watchdog, statement, limits, self.limits.memory_mb)
            finally:
                phase("done", limits)
        return Result(columns, rows, ordered)

    def translate(self, sql: str, *, limits: Limits | None = None, phase: Phase = _no_phase) -> str:
        """The DuckDB text `run` would execute for `sql`, after the same checks (to see what ran)."""
        limits = limits or self.limits
        with self._lock:
            try:
                return self._prepare(sql, limits, phase)[1].query
            finally:
                phase("done", limits)

    def _prepare(self, sql: str, limits: Limits, phase: Phase) -> tuple[bool, duckdb.Statement]:
        """Read and check the SQL (untrusted work: `prepare`), build what it reads (our own work: `build`),
        translate it (untrusted again: `translate`, on what is left of the prepare budget)."""
        phase("prepare", limits)
        check_size(sql, limits)
        try:
            statements = parse_tsql(sql, cache=False)  # read once, then rewritten in place by `to_duckdb`
        except SQLAnalysisError as error:
            raise RunError("parse", str(error)) from None
        query = guard.single_query(statements)
        tables = guard.referenced_tables(query, self.catalog)
        self._check_columns(tables)
        phase("build", limits)
        self.materialise(tables, limits=limits)
        kinds = self._column_kinds(tables)
        phase("translate", limits)
        ordered = is_ordered(query)
        return ordered, guard.duckdb_select(self._con, to_duckdb(query, kinds))

    # -- building ----------------------------------------------------------------------------------
    def materialise(self, names: Iterable[str] | None = None, *, limits: Limits | None = None) -> None:
        """Build the tables behind `names` (catalog objects; all of them when None): their rows and their
        ancestors' rows (a child copies its parents' keys), but only their own tables in the database: a query
        on APTH needs the rows of ~75 ancestors, not their tables. With `limits`, past `limits.build_s`
        RunError('timeout'), keeping what was built."""
        deadline = time.monotonic() + limits.build_s if limits else None
        with self._lock:
            if names is None:
                objects = [obj for obj in self.catalog.objects if obj.columns]
            else:
                objects = [self.catalog.object(name) for name in names]
            self._check_columns(obj.name for obj in objects)
            nodes = [self.plan.node_of(obj) for obj in objects]
            built = all(node in self._rows for node in nodes)  # then so are their ancestors: no walk
            needed = [] if built else [n for n in self.plan.requirements(nodes) if n not in self._rows]
            for node in needed:
                if deadline is not None and time.monotonic() > deadline:
                    raise RunError("timeout", f"building the {len(needed)} tables the query reads took longer "
                                              f"than {limits.build_s:g} s (limit `build_s`); the ones built "
                                              "are kept, so running it again goes on from there")
                self._rows[node] = self._generate(node)
            for obj in objects:
                self._create(obj)

    def _create(self, obj: CatalogObject) -> None:
        """`obj`'s table in the database, under its node's `home` name, and `obj` as a view over it when that
        is another name (a base table whose plain view holds its rows, or a second view)."""
        node = self.plan.node_of(obj)
        home = self.plan.home(node)
        if node not in self._tables:
            spec = self.plan.spec(node)
            self._rows[node] = complete(spec, self._rows[node], random.Random(f"{self.seed}:{node}:later"))
            database.create_table(self._con, spec, self._rows[node], name=home)
            self._tables.add(node)
            if home != node:
                self._views.add(home)
        if obj.name != home and obj.name not in self._views:
            database.create_view(self._con, obj.name, home, list(obj.column_names),
                                 list(self.catalog.object(home).column_names))
            self._views.add(obj.name)

    def _check_columns(self, names: Iterable[str]) -> None:
        for name in names:
            if not self.catalog.object(name).columns:
                raise RunError("runtime", f"`{name}` lists no columns in the catalog, so the sandbox holds no "
                                          "table for it")

    def _generate(self, node: str) -> list[Row]:
        spec = self.plan.spec(node)
        parents = {link.parent: self._rows[link.parent] for link in spec.links}
        return generate(spec, parents, random.Random(f"{self.seed}:{node}"))

    @property
    def built(self) -> tuple[str, ...]:
        """The tables whose rows are built so far (in the database or not yet) and the views the database
        answers to."""
        return tuple(sorted(self._rows)) + tuple(sorted(self._views - self._rows.keys()))

    def snapshot(self) -> dict[str, object]:
        """A digest of the database (every built table's row count and checksum, attached databases,
        settings): equal before and after a run proves the run changed nothing."""
        with self._lock:
            return database.snapshot(self._con)

    def _column_kinds(self, tables: list[str]) -> ColumnKinds:
        """What translation needs to know of each column the tables hold; a name that is text in one table
        and a number in another is "other"."""
        if len(tables) == 1:
            return self._kinds_of(tables[0])
        kinds: ColumnKinds = {}
        for name in tables:
            for column, kind in self._kinds_of(name).items():
                kinds[column] = kind if kinds.get(column, kind) == kind else "other"
        return kinds

    def _kinds_of(self, name: str) -> ColumnKinds:
        kinds = self._kinds.get(name)
        if kinds is None:
            columns = self.plan.spec(self.plan.node_of(self.catalog.object(name))).columns
            kinds = self._kinds[name] = {column.name.lower(): _KINDS.get(column.kind, "other") for column in columns}
        return kinds
