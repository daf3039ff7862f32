from __future__ import annotations

import pytest

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.binding import bind, variables


def test_bind_replaces_variables_by_literals_in_any_case() -> None:
    sql = "SELECT Name FROM HQCO WHERE HQCo = @HQCo AND Name LIKE @name"
    assert variables(sql) == ["HQCo", "name"]
    assert bind(sql, {"@hqco": "1", "Name": "A%"}) == "SELECT Name FROM HQCO WHERE HQCo = 1 AND Name LIKE 'A%'"


def test_bind_refuses_a_variable_the_sql_lacks() -> None:
    with pytest.raises(SQLAnalysisError, match="no variable `@JCCo`"):
        bind("SELECT Name FROM HQCO WHERE HQCo = @HQCo", {"JCCo": "1"})


@pytest.mark.parametrize(("sql", "values", "bound"), [
    # the rest of the text stays as written: spacing, comments, brackets
    ("SELECT  [Name] -- @APCo here is a comment\nFROM HQCO WHERE HQCo=@APCo", {"APCo": "1"},
     "SELECT  [Name] -- @APCo here is a comment\nFROM HQCO WHERE HQCo=1"),
    # a string or bracketed name holding @name is no variable; @@ROWCOUNT is a system function
    ("SELECT '@APCo', [@APCo] FROM HQCO WHERE HQCo = @APCo AND @@ROWCOUNT > 0", {"APCo": "2"},
     "SELECT '@APCo', [@APCo] FROM HQCO WHERE HQCo = 2 AND @@ROWCOUNT > 0"),
    # a negative number cannot turn `x -@a` into a comment; quotes in a string are doubled
    ("SELECT HQCo -@Shift FROM HQCO WHERE Name = @Name", {"Shift": "-1", "Name": "O'Neil"},
     "SELECT HQCo -(-1) FROM HQCO WHERE Name = 'O''Neil'"),
    # a keyword as a variable's name, and every use of it
    ("SELECT Name FROM HQCO WHERE @Date > '2025-01-01' OR @date IS NULL", {"Date": "2025-06-01"},
     "SELECT Name FROM HQCO WHERE '2025-06-01' > '2025-01-01' OR '2025-06-01' IS NULL"),
])
def test_bind_changes_only_the_variables(sql: str, values: dict[str, str], bound: str) -> None:
    assert bind(sql, values) == bound
