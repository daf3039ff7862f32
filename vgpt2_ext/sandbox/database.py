"""The DuckDB side: a locked-down in-memory connection, tables and views built from the plan, a digest.

The connection is configured before anything runs and then locked: one thread, a memory limit, no spilling
to disk, no file or network access, no extension installing or loading, no persistent secrets, and
`lock_configuration` so no statement can change any of it. Text compares case-insensitively (`nocase`),
as under SQL Server's default collation, so `WHERE Name = 'acme'` finds `Acme`.
"""

from __future__ import annotations

import duckdb

from vgpt2_ext.sandbox.generate import Row
from vgpt2_ext.sandbox.plan import TableSpec
from vgpt2_ext.sandbox.result import ALLOWANCE_MB, Limits, RunError, first_line
from vgpt2_ext.sandbox.watchdog import Watchdog

# BEGIN and ROLLBACK, parsed once per process (DuckDB's parser costs as much on them as on a short query) by the
# first connection that runs a query: `duckdb.extract_statements` would start DuckDB's default database for it
_TRANSACTION: list[duckdb.Statement] = []


def connect(memory_mb: int) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database that cannot reach files, the network or its own settings."""
    config = {  # applied in this order (DuckDB accepts the empty temp directory only once access is off)
        "enable_external_access": False,  # read_csv, COPY, ATTACH of a file, INSTALL, EXPORT ...
        "temp_directory": "",  # no spilling: a query that does not fit fails instead of writing files
        "threads": 1,
        "memory_limit": f"{memory_mb}MB",
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_persistent_secrets": False,
        "default_collation": "nocase",
        # two optimizers for large data that cost 5 % of a query's instructions on 30-row tables (min/max
        # filters handed from a join's build side to its probe side; shared subplans): results are unchanged,
        # row order too (checked on 3,000 queries generated as `benchmarks/bench_sql.py` does)
        "disabled_optimizers": "join_filter_pushdown,common_subplan",
        "lock_configuration": True,  # SET, RESET, PRAGMA: refused from here on
    }
    return duckdb.connect(":memory:", config=config)


def execute(con: duckdb.DuckDBPyConnection, watchdog: Watchdog, statement: duckdb.Statement | str, limits: Limits,
            memory_mb: int) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    """Run `statement` in a transaction that is always rolled back (a write that got this far leaves no trace:
    DuckDB's parser calls `WITH d AS (DELETE ... RETURNING *) SELECT * FROM d` a SELECT), interrupted by
    `watchdog` at `limits.timeout_s`, fetching at most `limits.max_rows` + 1 rows."""
    if not _TRANSACTION:
        _TRANSACTION.extend(con.extract_statements("BEGIN TRANSACTION; ROLLBACK"))
    begin, rollback = _TRANSACTION
    con.execute(begin)
    watchdog.arm(limits.timeout_s)
    try:
        cursor = con.execute(statement)
        rows = cursor.fetchmany(limits.max_rows + 1)
        columns = tuple(d[0] for d in cursor.description or ())
    except duckdb.InterruptException:
        raise RunError("timeout", f"stopped after {limits.timeout_s:g} s (limit `timeout_s`)") from None
    except duckdb.OutOfMemoryException as error:
        if "bad allocation" in str(error):  # the worker's address-space cap, not DuckDB's own accounting
            raise RunError("memory", f"needs more memory than the sandbox worker may map ({memory_mb + ALLOWANCE_MB} "
                                     f"MB: limit `memory_mb` {memory_mb} + {ALLOWANCE_MB} MB allowance)") from None
        raise RunError("memory", f"needs more than {memory_mb} MB (limit `memory_mb`)") from None
    except duckdb.Error as error:
        raise RunError("runtime", first_line(error)) from None
    finally:
        watchdog.disarm()
        con.execute(rollback)
    if len(rows) > limits.max_rows:
        raise RunError("row_cap", f"returned more than {limits.max_rows} rows (limit `max_rows`)")
    return columns, tuple(rows)


def create_table(con: duckdb.DuckDBPyConnection, spec: TableSpec, rows: list[Row], name: str | None = None) -> None:
    """`spec`'s table, under `name` (default its own). The rows go in as one typed list per column (`unnest`):
    DuckDB converts Python lists natively, where a VALUES text of every literal costs twice the time to parse
    (tables are built while a query waits)."""
    table = quote(name or spec.name)
    columns = ", ".join(
        f"{quote(c.name)} {c.duck_type}{'' if c.nullable else ' NOT NULL'}" for c in spec.columns)
    con.execute(f"CREATE TABLE {table} ({columns})")
    if rows:
        lists = ", ".join(f"unnest(${i}::{c.duck_type}[])" for i, c in enumerate(spec.columns, start=1))
        con.execute(f"INSERT INTO {table} SELECT {lists}", [list(column) for column in zip(*rows)])


def create_view(con: duckdb.DuckDBPyConnection, view: str, base: str, columns: list[str],
                base_columns: list[str]) -> None:
    """The view selects its own columns from the base table, in its own order; a column the base lacks
    reads as NULL (Vista's plain views select every column of their base, but an export may differ)."""
    present = {name.lower(): name for name in base_columns}
    items = [f"{quote(present[c.lower()])} AS {quote(c)}" if c.lower() in present else f"NULL::VARCHAR AS {quote(c)}"
             for c in columns]
    con.execute(f"CREATE VIEW {quote(view)} AS SELECT {', '.join(items)} FROM {quote(base)}")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """A digest of everything a query could change: each table's and view's row count and checksum, the
    attached databases and the settings (tests compare it before and after a run)."""
    objects = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "ORDER BY table_name").fetchall()
    digest: dict[str, object] = {}
    for (name,) in objects:
        digest[name] = con.execute(f"SELECT count(*), sum(hash(t)) FROM {quote(name)} AS t").fetchone()
    digest["<databases>"] = con.execute("SELECT database_name FROM duckdb_databases() ORDER BY 1").fetchall()
    digest["<settings>"] = con.execute("SELECT name, value FROM duckdb_settings() ORDER BY name").fetchall()
    return digest


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
