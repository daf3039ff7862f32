"""SQL throughput on one core: grounding and sandbox execution of 10,000 generated queries, and build times.

Queries are generated from the catalog the way answers to Vista questions look: a view, up to two joins
along the catalog's relationships, the house style (NOLOCK, the company filter), filters on coded columns
and months, aggregates and TOP. Every run's texts end in their own comment, so no run is served from a
parse cache. The process is pinned to one CPU and DuckDB runs one thread. Rates are queries per second of
the process's CPU time (all its threads, DuckDB's included, on that one core): on a machine shared with
other work, wall-clock rates measure the neighbours as much as the code; they are recorded beside them.
Baselines, measured in the same runs: sqlglot parsing alone (for grounding); DuckDB alone executing the
translated texts on the same rows, and the engine run in this process (for the sandbox, whose queries cross
the process boundary to its worker: the rate counts the worker's CPU time too, and both processes share the
one core). Goals: >= 500 queries/s grounded and >= 200 queries/s executed (through the worker). Also timed:
starting a worker (an interpreter, DuckDB, sqlglot, the catalog), the "process start" of `vgpt2 sql run`.
Results: benchmarks/results/sql.{json,md}.
    .venv/bin/python benchmarks/bench_sql.py [--runs 3] [--queries 10000] [--fixture PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import sqlglot
from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog, CatalogObject, Relationship, load_catalog
from vgpt2_ext.sandbox import Engine, RunError, Sandbox, database
from vgpt2_ext.sandbox.values import COMPANIES, MONTHS

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
FIXTURE = REPO.parent / "shared" / "fixtures" / "vista"
GOALS = {"grounded_qps": 500, "executed_qps": 200}
NUMERIC = ("numeric", "decimal", "money", "float", "int", "smallint", "bigint")


# -- query generation -------------------------------------------------------------------------------------
def generate_queries(catalog: Catalog, count: int, seed: int = 0) -> list[str]:
    """`count` grounded T-SQL queries over the catalog's plain views (deterministic for `seed`)."""
    rng = random.Random(seed)
    views = [obj for obj in catalog.objects if obj.base_table and obj.columns]
    names = {view.name for view in views}
    joins: dict[str, list[Relationship]] = {view.name: [] for view in views}
    for rel in catalog.relationships:
        if rel.child in names and rel.parent in names:
            joins[rel.child].append(rel)
            joins[rel.parent].append(rel)
    return [_query(catalog, rng, rng.choice(views), joins) for _ in range(count)]


def _query(catalog: Catalog, rng: random.Random, main: CatalogObject, joins: dict[str, list[Relationship]]) -> str:
    aliases = {main.name: "a"}
    sources = [f"{main.name} a WITH (NOLOCK)"]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        options = [r for name in aliases for r in joins[name] if {r.child, r.parent} - set(aliases)]
        if not options:
            break
        rel = rng.choice(options)
        new = rel.parent if rel.child in aliases else rel.child
        aliases[new] = "abc"[len(aliases)]
        on = rel.condition(aliases[rel.child], aliases[rel.parent])
        sources.append(f"{'LEFT JOIN' if rng.random() < 0.2 else 'JOIN'} {new} {aliases[new]} WITH (NOLOCK) ON {on}")
    where = _filters(rng, main, [catalog.object(name) for name in aliases])
    return _select(rng, main, [catalog.object(name) for name in aliases], " ".join(sources), where)


def _filters(rng: random.Random, main: CatalogObject, objects: list[CatalogObject]) -> str:
    found = []
    if main.company_column and rng.random() < 0.8:
        found.append(f"a.[{main.company_column.name}] = {rng.choice(COMPANIES)}")
    coded = [(alias, c) for alias, obj in zip("abc", objects) for c in obj.columns if c.codes]
    if coded and rng.random() < 0.5:
        alias, column = rng.choice(coded)
        value = rng.choice(column.codes).value
        found.append(f"{alias}.[{column.name}] = {value if _numeric(column.sql_type) else repr(value)}")
    if main.has_column("Mth") and rng.random() < 0.4:
        month = rng.choice(MONTHS).date().isoformat()
        found.append(rng.choice([f"a.Mth >= '{month}'", "a.Mth >= DATEADD(month, -6, GETDATE())"]))
    return " WHERE " + " AND ".join(found) if found else ""


def _select(rng: random.Random, main: CatalogObject, objects: list[CatalogObject], sources: str, where: str) -> str:
    typed = [(alias, c) for alias, obj in zip("abc", objects) for c in obj.columns if c.sql_type]
    amounts = [(alias, c) for alias, c in typed if _numeric(c.sql_type) and "(" in (c.sql_type or "")]
    shape = rng.choice(("rows", "rows", "aggregate", "count"))
    if shape == "aggregate" and main.key and amounts:
        group = f"a.[{main.key[0]}]"
        alias, amount = rng.choice(amounts)
        return (f"SELECT {group}, COUNT(*) AS n, SUM({alias}.[{amount.name}]) AS total FROM {sources}{where} "
                f"GROUP BY {group} ORDER BY n DESC")
    if shape == "count" or not typed:
        return f"SELECT COUNT(*) AS n FROM {sources}{where}"
    picked = rng.sample(typed, min(len(typed), rng.randint(2, 6)))
    columns = ", ".join(f"{alias}.[{c.name}]" for alias, c in picked)
    order = f" ORDER BY {picked[0][0]}.[{picked[0][1].name}]" if rng.random() < 0.5 else ""
    return f"SELECT TOP {rng.choice((5, 10, 50, 100))} {columns} FROM {sources}{where}{order}"


def _numeric(sql_type: str | None) -> bool:
    return (sql_type or "").split("(")[0] in NUMERIC


# -- measuring --------------------------------------------------------------------------------------------
def _rate(function: Callable[[str], object], queries: list[str],
          other_cpu: Callable[[], float] = lambda: 0.0) -> tuple[float, float]:
    """Queries per CPU-second (this process's, plus `other_cpu`: a worker's) and per wall-clock second."""
    cpu, wall = time.process_time() + other_cpu(), time.perf_counter()
    for sql in queries:
        function(sql)
    return (len(queries) / (time.process_time() + other_cpu() - cpu), len(queries) / (time.perf_counter() - wall))


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tagged(queries: list[str], run: int, what: str) -> list[str]:
    """The queries with a trailing comment of their own, so nothing comes from a cache of an earlier run."""
    return [f"{sql} -- {what} run {run}" for sql in queries]


def _duckdb_alone(engine: Engine) -> duckdb.DuckDBPyConnection:
    """DuckDB configured alike (one thread, nocase) holding the engine's rows, read back through `run`, in
    the same tables: the baseline without the guard, translation, transaction and watchdog."""
    con = database.connect(engine.limits.memory_mb)
    plan, built = engine.plan, set(engine.built)
    for node in (node for node in plan.nodes if node in built):
        rows = list(engine.run(f"SELECT * FROM [{node}]").rows)
        database.create_table(con, plan.spec(node), rows, name=plan.home(node))
    for obj in (engine.catalog.object(name) for name in sorted(built)):
        home = plan.home(plan.node_of(obj))
        if obj.name != home:
            source = engine.catalog.object(home)
            database.create_view(con, obj.name, home, list(obj.column_names), list(source.column_names))
    return con


def _run_ok(sandbox: Sandbox | Engine, failures: list[str]) -> Callable[[str], object]:
    def run(sql: str) -> object:
        try:
            return sandbox.run(sql)
        except RunError as error:
            failures.append(f"{error} <- {sql}")
            return None
    return run


def measure_throughput(catalog: Catalog, queries: list[str], runs: int) -> dict:
    from vgpt2_ext.sql.grounding import ground

    engine, sandbox = Engine(catalog), Sandbox(catalog)
    engine.materialise()
    sandbox.materialise()
    worker = sandbox.worker_pid or 0
    grounded = sum(ground(sql, catalog).ok for sql in queries)
    translated = [engine.translate(sql) for sql in queries]
    alone = _duckdb_alone(engine)
    failures: list[str] = []
    rates: dict[str, list[tuple[float, float]]] = {"parse": [], "ground": [], "duckdb": [], "engine": [],
                                                   "sandbox": []}
    for run in range(runs):
        rates["parse"].append(_rate(lambda sql: sqlglot.parse_one(sql, read="tsql"), _tagged(queries, run, "p")))
        rates["ground"].append(_rate(lambda sql: ground(sql, catalog), _tagged(queries, run, "g")))
        rates["duckdb"].append(_rate(lambda sql: alone.execute(sql).fetchall(), translated))
        rates["engine"].append(_rate(_run_ok(engine, failures), _tagged(queries, run, "e")))
        rates["sandbox"].append(_rate(_run_ok(sandbox, failures), _tagged(queries, run, "x"), lambda: _cpu_of(worker)))
    sandbox.close()
    cpu = {name: round(statistics.median(r[0] for r in values), 1) for name, values in rates.items()}
    wall = {name: round(statistics.median(r[1] for r in values), 1) for name, values in rates.items()}
    return {
        "queries": len(queries), "grounded_ok": grounded, "run_failures": len(failures) // (2 * runs),
        "first_failures": failures[:3], "rates_qps_cpu_wall": rates, "median_qps": cpu, "median_qps_wall": wall,
        "grounded_vs_parse": round(cpu["ground"] / cpu["parse"], 3),
        "executed_vs_duckdb": round(cpu["sandbox"] / cpu["duckdb"], 3),
        "worker_vs_in_process": round(cpu["sandbox"] / cpu["engine"], 3),
    }


def _timed(function: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall-clock seconds of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    function()
    return time.process_time() - cpu, time.perf_counter() - wall


def _worker_start(catalog: Catalog) -> None:
    sandbox = Sandbox(catalog)
    sandbox.run("SELECT 1 AS one")
    sandbox.close()


def measure_builds(catalog: Catalog, runs: int, first_query: str) -> dict:
    eager = [_timed(lambda: Engine(catalog).materialise()) for _ in range(runs)]
    lazy = [_timed(lambda: Engine(catalog).run(first_query)) for _ in range(runs)]
    start = [_timed(lambda: _worker_start(catalog))[1] for _ in range(runs)]
    engine = Engine(catalog)
    engine.run(first_query)
    return {"eager_all_s": round(statistics.median(t[0] for t in eager), 3),
            "eager_all_wall_s": round(statistics.median(t[1] for t in eager), 3),
            "lazy_first_query_s": round(statistics.median(t[0] for t in lazy), 3),
            "lazy_first_query_wall_s": round(statistics.median(t[1] for t in lazy), 3),
            "worker_start_wall_s": round(statistics.median(start), 3),
            "first_query": first_query, "tables_built_by_first_query": len(engine.built),
            "objects": len(catalog.objects)}


def measure(runs: int, count: int, fixture: Path | None) -> dict:
    catalogs = {"sample": load_catalog(SAMPLE_CATALOG)}
    if fixture and (fixture / "information_schema_columns.csv").is_file():
        catalogs["vista"] = load_catalog(fixture)
    first = "SELECT TOP 10 APCo, Vendor, InvTotal FROM APTH WITH (NOLOCK) WHERE APCo = 1"
    result: dict = {"runs": runs, "cpus_used": len(os.sched_getaffinity(0)), "goals_qps": GOALS,
                    "cpus": os.cpu_count()}
    for name, catalog in catalogs.items():
        queries = generate_queries(catalog, count)
        print(f"{name}: {len(catalog.objects)} objects, {count} queries, {runs} runs ...", flush=True)
        result[name] = {"build": measure_builds(catalog, runs, first), **measure_throughput(catalog, queries, runs)}
    worst = {key: min(result[name]["median_qps"][key] for name in catalogs) for key in ("ground", "sandbox")}
    result["passed"] = worst["ground"] >= GOALS["grounded_qps"] and worst["sandbox"] >= GOALS["executed_qps"]
    result["load_average_1min"] = round(os.getloadavg()[0], 1)  # CPU-time rates fall on a busy machine too
    return result


# -- reporting --------------------------------------------------------------------------------------------
def _markdown(result: dict) -> str:
    lines = ["# SQL throughput (one core)", "",
             f"{result['runs']} runs per figure, medians; pinned to {result['cpus_used']} CPU; DuckDB threads=1; "
             f"1-minute load average at the end {result['load_average_1min']} on {result['cpus']} CPUs. "
             "Queries per second of CPU time (wall-clock in brackets: the machine is shared). "
             f"Goals: >= {GOALS['grounded_qps']} q/s grounded, >= {GOALS['executed_qps']} q/s executed.", "",
             "| catalog | queries | grounded ok | parse | ground | ground/parse | DuckDB alone | engine in-process | "
             "sandbox (worker) | sandbox/DuckDB | sandbox/in-process | failures |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in ("sample", "vista"):
        if name in result:
            r, q, w = result[name], result[name]["median_qps"], result[name]["median_qps_wall"]
            cell = {key: f"{q[key]} ({w[key]})" for key in q}
            lines.append(f"| {name} | {r['queries']} | {r['grounded_ok']} | {cell['parse']} | {cell['ground']} | "
                         f"{r['grounded_vs_parse']} | {cell['duckdb']} | {cell['engine']} | {cell['sandbox']} | "
                         f"{r['executed_vs_duckdb']} | {r['worker_vs_in_process']} | {r['run_failures']} |")
    lines += ["", "Sandbox build, CPU seconds (wall-clock in brackets):", "",
              "| catalog | objects | build all tables | first query, lazy | tables it built | worker start (wall) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name in ("sample", "vista"):
        if name in result:
            b = result[name]["build"]
            lines.append(f"| {name} | {b['objects']} | {b['eager_all_s']} ({b['eager_all_wall_s']}) | "
                         f"{b['lazy_first_query_s']} ({b['lazy_first_query_wall_s']}) | "
                         f"{b['tables_built_by_first_query']} | {b['worker_start_wall_s']} |")
    lines += ["", f"Goals: {'pass' if result['passed'] else 'FAIL'}.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (default: 3)")
    parser.add_argument("--queries", type=int, default=10_000, help="generated queries (default: 10000)")
    parser.add_argument("--fixture", type=Path, default=FIXTURE, help="the real Vista export, if present")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    result = measure(args.runs, args.queries, args.fixture)
    write_json(RESULTS / "sql.json", result)
    write_text(RESULTS / "sql.md", _markdown(result))
    table = Table(title="SQL throughput, queries per CPU-second (median)")
    for column in ("catalog", "ground", "ground/parse", "in-process", "sandbox", "sandbox/in-process",
                   "build all s", "worker start s"):
        table.add_column(column)
    for name in ("sample", "vista"):
        if name in result:
            r = result[name]
            table.add_row(name, str(r["median_qps"]["ground"]), str(r["grounded_vs_parse"]),
                          str(r["median_qps"]["engine"]), str(r["median_qps"]["sandbox"]),
                          str(r["worker_vs_in_process"]), str(r["build"]["eager_all_s"]),
                          str(r["build"]["worker_start_wall_s"]))
    Console().print(table)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
