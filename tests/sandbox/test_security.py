"""The sandbox runs model-written SQL: only a single read-only query, no files, no settings, no runaway.

Every case of `cases/security.yaml` goes through `Sandbox.run` and must fail with its kind and reason while
the database, the file system and /etc/passwd stay out of reach. The layers are then proven one by one:
DuckDB's own switches, DuckDB's parser check, and the rolled-back transaction.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.errors import SandboxError
from vgpt2_ext.sandbox import Limits, RunError, Sandbox, database, guard
from vgpt2_ext.sandbox.generate import complete, generate
from vgpt2_ext.sandbox.plan import DataPlan
from vgpt2_ext.sandbox.watchdog import Watchdog

PASSWD = Path("/etc/passwd")


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


@pytest.mark.cases("security.yaml")
def test_model_sql_that_reaches_outside_or_writes_is_refused_and_changes_nothing(
        case: dict, locked_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = locked_sandbox.snapshot()
    with pytest.raises(RunError) as raised:
        locked_sandbox.run(case["sql"].replace("{tmp}", str(tmp_path)))
    assert raised.value.kind == case["kind"], str(raised.value)
    assert case["says"] in str(raised.value)
    assert "\n" not in str(raised.value)
    assert locked_sandbox.snapshot() == before
    assert _files(tmp_path) == []
    if PASSWD.is_file():
        assert PASSWD.read_text().splitlines()[0] not in str(raised.value)


def test_a_run_error_is_a_sandbox_error_the_cli_prints_as_one_line(locked_sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match=r"^refused: `DROP` is not a query"):
        locked_sandbox.run("DROP TABLE bAPTH")


def test_the_sandbox_still_answers_after_a_timeout(locked_sandbox: Sandbox) -> None:
    with pytest.raises(RunError, match="timeout"):
        locked_sandbox.run("SELECT COUNT(*) FROM APTH a, APTH b, APTH c, APTH d, APTH e, APTH f, APTH g")
    assert locked_sandbox.run("SELECT COUNT(*) AS n FROM HQCO").rows == ((4,),)


def test_a_result_of_exactly_max_rows_is_returned(locked_sandbox: Sandbox) -> None:
    result = locked_sandbox.run("SELECT TOP 100 a.APCo FROM APTH a CROSS JOIN APTL b")
    assert len(result.rows) == 100


def test_limits_can_be_tightened_per_run(locked_sandbox: Sandbox) -> None:
    with pytest.raises(RunError, match="more than 5 rows"):
        locked_sandbox.run("SELECT APCo FROM APTH", limits=Limits(max_rows=5))


# -- layer 3: DuckDB's own switches, on a bare connection ------------------------------------------------
@pytest.mark.cases("duckdb_switches.yaml")
def test_duckdb_itself_blocks_files_extensions_and_settings(case: dict, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    con = database.connect(64)
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    with pytest.raises(duckdb.Error, match=case["error"]):
        con.execute(case["sql"].replace("{tmp}", str(tmp_path))).fetchall()
    assert _files(tmp_path) == []


def test_duckdb_is_configured_with_one_thread_no_spilling_and_locked_settings() -> None:
    settings = dict(database.connect(64).execute("SELECT name, value FROM duckdb_settings()").fetchall())
    assert settings["threads"] == "1"
    assert settings["temp_directory"] == ""
    assert settings["enable_external_access"] == "false"
    assert settings["autoload_known_extensions"] == "false"
    assert settings["autoinstall_known_extensions"] == "false"
    assert settings["lock_configuration"] == "true"


# -- layer 2: DuckDB's parser on the translated text -----------------------------------------------------
@pytest.mark.parametrize("sql", ["DROP TABLE t", "SELECT 1; SELECT 2", "COPY t TO 'x.csv'", "ATTACH ':memory:' AS m",
                                 "CREATE TABLE x AS SELECT 1", "SET threads = 2", "EXPLAIN SELECT 1"])
def test_duckdbs_parser_lets_only_a_single_select_through(sql: str) -> None:
    with pytest.raises(RunError) as raised:
        guard.duckdb_select(database.connect(64), sql)
    assert raised.value.kind == "refused"


def test_duckdbs_parser_lets_a_select_through_as_the_statement_that_runs() -> None:
    con = database.connect(64)
    statement = guard.duckdb_select(con, "WITH x AS (SELECT 1 AS a) SELECT a FROM x")
    assert con.execute(statement).fetchall() == [(1,)]


def test_duckdbs_parser_calls_a_data_modifying_cte_a_select() -> None:
    """Why the transaction below is a layer of its own: this passes the parser check."""
    con = database.connect(64)
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    assert guard.duckdb_select(con, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d").type.name == "SELECT"


# -- layer 1: the rolled-back transaction ----------------------------------------------------------------
@pytest.mark.parametrize("sql", ["DELETE FROM bHQCO", "UPDATE bHQCO SET Name = 'x'",
                                 "INSERT INTO bHQCO (HQCo) VALUES (9)", "DROP TABLE bHQCO",
                                 "CREATE TABLE evil AS SELECT 1 AS a",
                                 "WITH d AS (DELETE FROM bHQCO RETURNING *) SELECT * FROM d"])
def test_a_write_that_reached_execution_is_rolled_back(sql: str) -> None:
    con = database.connect(64)
    spec = DataPlan(load_catalog(SAMPLE_CATALOG)).spec("bHQCO")  # the sample's bHQCO references no table
    database.create_table(con, spec, complete(spec, generate(spec, {}, random.Random(0)), random.Random(1)))
    before = database.snapshot(con)
    assert before["bHQCO"][0] == 4
    watchdog = Watchdog(con)
    database.execute(con, watchdog, sql, Limits(), 64)
    watchdog.stop()
    assert database.snapshot(con) == before
