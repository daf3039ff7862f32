"""Binding T-SQL variables (`@APCo`) to values, so a house-style query can run where only
self-contained SQL may (the sandbox refuses variables).

>>> bind("SELECT Name FROM HQCO WHERE HQCo = @HQCo AND Name LIKE @Name", {"hqco": "1", "Name": "A%"})
"SELECT Name FROM HQCO WHERE HQCo = 1 AND Name LIKE 'A%'"
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.parse import DIALECT, parse_tsql


def bind(sql: str, values: Mapping[str, str]) -> str:
    """`sql` with each `@name` in `values` (any case, `@` optional) replaced by its value as a literal:
    a number when the value reads as one, else a string. Unbound variables are left as they are."""
    wanted = {name.lstrip("@").lower(): value for name, value in values.items()}
    unused = [name.lstrip("@") for name in values if name.lstrip("@").lower() not in
              {known.lower() for known in variables(sql)}]
    if unused:
        raise SQLAnalysisError(f"no variable {', '.join(f'`@{name}`' for name in unused)} in the SQL to bind "
                               f"(it uses {', '.join(f'`@{name}`' for name in variables(sql)) or 'none'})")

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Parameter) and node.name.lower() in wanted:
            return _literal(wanted[node.name.lower()])
        return node

    return ";\n".join(statement.transform(substitute).sql(DIALECT) for statement in parse_tsql(sql))


def variables(sql: str) -> list[str]:
    """The `@variables` `sql` uses (names without `@`, first spelling, in order)."""
    first: dict[str, str] = {}
    for statement in parse_tsql(sql):
        for node in statement.find_all(exp.Parameter, bfs=False):
            first.setdefault(node.name.lower(), node.name)
    return list(first.values())


def _literal(value: str) -> exp.Literal:
    numeric = value.strip().removeprefix("-").replace(".", "", 1).isdigit()
    return exp.Literal.number(value.strip()) if numeric else exp.Literal.string(value)
