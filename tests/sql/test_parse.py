from __future__ import annotations

import pytest

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql import analyze, incomplete, parse_any, parse_tsql, tokenize


def test_parse_tsql_returns_every_statement() -> None:
    statements = parse_tsql("DECLARE @APCo bCompany = 1; SELECT Name FROM HQCO WHERE HQCo = @APCo")
    assert [s.key for s in statements] == ["declare", "select"]


def test_parse_any_reads_backticks_as_mysql_and_t_sql_as_t_sql() -> None:
    assert parse_any("SELECT [Name] FROM APVM")[0] == "tsql"
    assert parse_any("SELECT `Name` FROM `APVM`")[0] == "mysql"


def test_parse_any_reports_the_t_sql_error_when_no_dialect_reads_the_text() -> None:
    with pytest.raises(SQLAnalysisError, match="SQL does not parse as T-SQL"):
        parse_any("SELECT Name FROM APVM WHERE")


@pytest.mark.parametrize(("sql", "cut"), [
    ("SELECT Name FROM APVM WHERE", True),
    ("SELECT Name FROM APVM WHERE Name = 'Ac", True),
    ("SELECT COUNT(* FROM APVM", False),
    ("SELECT Name FROM APVM WHERE VendorGroup = 1", False),
], ids=["cut after WHERE", "cut in a string", "malformed mid-text", "complete"])
def test_incomplete_tells_a_cut_off_statement_from_a_malformed_one(sql: str, cut: bool) -> None:
    assert incomplete(sql) is cut


def test_tokens_keep_their_offsets_in_the_text() -> None:
    sql = "SELECT TOP 5 [Name] FROM APVM"
    assert [sql[t.start:t.end + 1] for t in tokenize(sql)] == ["SELECT", "TOP", "5", "[Name]", "FROM", "APVM"]


def test_the_shared_parse_is_reused_and_analysis_leaves_it_as_parsed() -> None:
    sql = "SELECT Name FROM APVM WHERE VendorGroup = 1"
    shared = parse_tsql(sql)[0]
    before = shared.sql("tsql")
    assert parse_any(sql)[1][0] is shared
    analyze(sql, load_catalog())  # resolving qualifies and lower-cases columns: on its own copy
    assert parse_tsql(sql)[0] is shared
    assert shared.sql("tsql") == before
