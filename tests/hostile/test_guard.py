"""Nothing gets around the guard: DuckDB's functions are stopped before DuckDB runs them, wherever they hide,
and the sandbox's database and the file system stay as they were (`guard.yaml`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.judge import Case, Expect, judge
from vgpt2_ext.sandbox import RunError, Sandbox


@pytest.fixture(scope="module")
def untouched(hostile_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """The database's digest before the first case, and an empty folder every case runs in."""
    return hostile_sandbox.snapshot(), tmp_path_factory.mktemp("cwd")


@pytest.mark.hostile("guard.yaml")
def test_a_function_or_write_outside_the_allow_list_never_reaches_duckdb(
        case: dict, hostile_sandbox: Sandbox, untouched: tuple[dict, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(untouched[1])
    with pytest.raises(RunError) as raised:
        hostile_sandbox.run(case["sql"])
    assert raised.value.kind in case.get("kinds", ["refused", "parse"]), str(raised.value)
    assert case.get("says", "") in str(raised.value)
    assert "\n" not in str(raised.value)


def test_after_every_case_the_database_and_the_folder_are_as_they_were(hostile_sandbox: Sandbox,
                                                                        untouched: tuple[dict, Path]) -> None:
    assert hostile_sandbox.snapshot() == untouched[0]
    assert list(untouched[1].iterdir()) == []


@pytest.mark.parametrize("sql", [
    "SELECT a.APCo FROM APTH a CROSS APPLY duckdb_settings() s",
    "SELECT v.* FROM APTH a OUTER APPLY query('SELECT 42 AS x') v",
    "SELECT pragma_database_size() AS size",
    "SELECT current_setting('threads') AS threads",
], ids=["duckdb_settings in APPLY", "query in APPLY", "pragma_database_size", "current_setting"])
def test_an_answer_that_calls_duckdb_functions_earns_no_execution_credit(sql: str, sample: Catalog,
                                                                          hostile_sandbox: Sandbox) -> None:
    case = Case("hostile_1", "sql_generation", "List the AP companies.", ("SELECT APCo FROM APTH",),
                Expect(tables=("APTH",)))
    verdict = judge(f"```sql\n{sql}\n```", case, sample, sandbox=hostile_sandbox)
    executes = next(check for check in verdict.checks if check.name == "executes")
    assert executes.score == 0 and "refused" in executes.detail


ALLOWED = ["LEN(Name)", "LEFT(Name, 2)", "UPPER(Name)", "REPLACE(Name, 'a', 'b')", "CHARINDEX('a', Name)",
           "SUBSTRING(Name, 1, 2)", "LTRIM(RTRIM(Name))", "CONCAT(Name, '-')", "ISNULL(Name, '')",
           "COALESCE(Name, '')", "NULLIF(Name, '')", "IIF(HQCo > 1, 1, 0)", "CAST(HQCo AS varchar(5))",
           "CONVERT(varchar(10), GETDATE(), 101)", "DATEADD(month, -1, GETDATE())",
           "DATEDIFF(day, '2024-01-01', GETDATE())", "YEAR(GETDATE())", "EOMONTH(GETDATE())", "ROUND(1.234, 2)",
           "ABS(-1)", "FLOOR(1.5)", "CEILING(1.5)", "POWER(2, 3)", "REPLICATE('x', 3)", "SPACE(2)",
           "DATEFROMPARTS(2024, 1, 1)", "DATEPART(month, GETDATE())"]


@pytest.mark.parametrize("call", ALLOWED)
def test_sql_servers_own_functions_run(call: str, hostile_sandbox: Sandbox) -> None:
    assert hostile_sandbox.run(f"SELECT TOP 1 {call} AS v FROM HQCO").rows
