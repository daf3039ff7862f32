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
