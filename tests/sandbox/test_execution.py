"""Running T-SQL in the sandbox: SQL Server's meaning kept, joins that return rows, mistakes that show.

`cases/tsql.yaml` pins what common T-SQL returns; `cases/tsql_equivalents.yaml` pairs queries SQL Server
answers alike; `cases/sensitivity.yaml` pairs a right query with a usual mistake (a join missing the
company or group column, a missing filter) that must return other rows.
"""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import read_cases
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.sandbox import Result, RunError, Sandbox, compare, sandbox_for


@pytest.mark.cases("tsql.yaml")
def test_tsql_returns_what_sql_server_returns(case: dict, sample_sandbox: Sandbox) -> None:
    result = sample_sandbox.run(case["sql"])
    expected = Result(result.columns, tuple(tuple(row) for row in case["rows"]))
    found = compare(result, expected, order_matters=True, permute_columns=False)
    assert found.equal, f"{found.detail}: {result.rows}"


@pytest.mark.cases("tsql_equivalents.yaml")
def test_tsql_forms_sql_server_answers_alike_return_the_same_rows(case: dict, sample_sandbox: Sandbox) -> None:
    result, same = sample_sandbox.run(case["sql"]), sample_sandbox.run(case["same_as"])
    assert result.rows
    found = compare(result, same)
    assert found.equal, found.detail


@pytest.mark.cases("sensitivity.yaml")
def test_a_wrong_join_or_a_missing_filter_returns_other_rows(case: dict, sample_sandbox: Sandbox) -> None:
    right, wrong = sample_sandbox.run(case["right"]), sample_sandbox.run(case["wrong"])
    assert any(None not in row for row in right.rows)  # the right query finds real values
    assert not compare(wrong, right).equal


def test_a_batch_returns_what_each_query_returns_alone_in_order(sample_sandbox: Sandbox) -> None:
    """`run_many` (how the data proof and the audit send queries) gives each query `run`'s result or failure."""
    sqls = [case["sql"] for case in read_cases("tsql.yaml")]
    sqls[1:1] = ["SELECT Nope FROM APVM", "SELECT 1; SELECT 2", "SELEC 1", "SELECT " + "x" * 40_000]
    alone = []
    for sql in sqls:
        try:
            alone.append(sample_sandbox.run(sql))
        except RunError as error:
            alone.append(error)
    batch = sample_sandbox.run_many(sqls)
    assert [type(found) for found in batch] == [type(found) for found in alone]
    assert [str(found) for found in batch if isinstance(found, RunError)] == \
        [str(found) for found in alone if isinstance(found, RunError)] and any(isinstance(f, RunError) for f in batch)
    assert [found for found in batch if isinstance(found, Result)] == [found for found in alone
                                                                       if isinstance(found, Result)]


def test_a_result_names_its_columns_and_knows_whether_it_is_ordered(sample_sandbox: Sandbox) -> None:
    ordered = sample_sandbox.run("SELECT TOP 2 Vendor AS v, Name FROM APVM ORDER BY Vendor")
    unordered = sample_sandbox.run("SELECT v FROM (SELECT TOP 2 Vendor AS v FROM APVM ORDER BY Vendor) t")
    assert (ordered.columns, ordered.ordered) == (("v", "Name"), True)
    assert unordered.ordered is False


def test_a_union_with_order_by_is_ordered(sample_sandbox: Sandbox) -> None:
    result = sample_sandbox.run("SELECT HQCo FROM HQCO WHERE HQCo < 3 UNION ALL SELECT 9 ORDER BY 1 DESC")
    assert (result.rows, result.ordered) == (((9,), (2,), (1,)), True)


def test_an_unknown_table_is_named_with_the_closest_real_ones(sample_sandbox: Sandbox) -> None:
    with pytest.raises(RunError, match=r"unknown table `APTX`; did you mean `APT[HLD]`"):
        sample_sandbox.run("SELECT * FROM APTX")


def test_an_unknown_column_is_a_runtime_error_in_one_line(sample_sandbox: Sandbox) -> None:
    with pytest.raises(RunError) as raised:
        sample_sandbox.run("SELECT Status FROM APTH")
    assert raised.value.kind == "runtime"
    assert "Status" in str(raised.value) and "\n" not in str(raised.value)


def test_sql_that_does_not_parse_says_where(sample_sandbox: Sandbox) -> None:
    with pytest.raises(RunError, match="parse: .*line 1") as raised:
        sample_sandbox.run("SELECT FROM WHERE")
    assert raised.value.kind == "parse"


def test_sandbox_for_returns_one_sandbox_per_catalog_and_seed(sample: Catalog) -> None:
    assert sandbox_for(sample) is sandbox_for(sample, seed=0)
    assert sandbox_for(sample, seed=1) is not sandbox_for(sample)


# -- the real Vista export --------------------------------------------------------------------------------
REAL_QUERIES = [
    "SELECT TOP 10 d.JCCo, d.Job, j.Description, SUM(d.ActualCost) AS cost FROM JCCD d WITH (NOLOCK) "
    "JOIN JCJM j WITH (NOLOCK) ON j.JCCo = d.JCCo AND j.Job = d.Job WHERE d.JCCo = 1 "
    "GROUP BY d.JCCo, d.Job, j.Description ORDER BY cost DESC",
    "SELECT h.APCo, h.APTrans, t.APLine, d.Amount FROM APTH h JOIN APTL t ON t.APCo = h.APCo AND t.Mth = h.Mth "
    "AND t.APTrans = h.APTrans JOIN APTD d ON d.APCo = t.APCo AND d.Mth = t.Mth AND d.APTrans = t.APTrans "
    "AND d.APLine = t.APLine WHERE h.APCo = 1",
    "SELECT e.PRCo, e.Employee, SUM(t.Hours) AS hours FROM PREH e JOIN PRTH t ON t.PRCo = e.PRCo "
    "AND t.Employee = e.Employee GROUP BY e.PRCo, e.Employee",
]


@pytest.mark.fixture
@pytest.mark.parametrize("sql", REAL_QUERIES, ids=["JCCD to JCJM", "APTH to APTL to APTD", "PREH to PRTH"])
def test_joins_on_the_real_export_return_rows(sql: str, vista_sandbox: Sandbox) -> None:
    assert vista_sandbox.run(sql).rows
