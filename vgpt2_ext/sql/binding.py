"""Binding T-SQL variables (`@APCo`) to values, so a house-style query can run where only
self-contained SQL may (the sandbox refuses variables).

`bind_samples` binds every variable of a query to a sample of the type of the column it is compared with
(`APCo = @APCo` -> 1, `Mth >= @Month` -> a date; company 1 and the month 2025-06 exist in the sandbox), else to
1: what the data proof, the audit and a pair's gold query run, where the proof is that the query runs, not which
rows it returns. (The judge binds a judged answer from its gold query's literals first: `judge.variables`.)

>>> bind("SELECT Name FROM HQCO WHERE HQCo = @HQCo AND Name LIKE @Name", {"hqco": "1", "Name": "A%"})
"SELECT Name FROM HQCO WHERE HQCo = 1 AND Name LIKE 'A%'"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlglot.tokens import TokenType

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.parse import DIALECT, parse_tsql, tokenize

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog, Column

# a sample literal per SQL type family (the first family the column's type contains)
SAMPLES = (("int", "1"), ("numeric", "1"), ("decimal", "1"), ("money", "1"), ("float", "1"), ("real", "1"),
           ("bit", "1"), ("date", "2025-06-01"), ("time", "2025-06-01"))


def bind(sql: str, values: Mapping[str, str]) -> str:
    """`sql` with each `@name` in `values` (any case, `@` optional) replaced by its value as a literal:
    a number when the value reads as one, else a string. Unbound variables are left as they are.

    The text is changed token by token (a string or a bracketed name that holds `@name` is one token, and
    `@@ROWCOUNT` is no variable), so the rest of the query stays as written and costs no regeneration."""
    return _bind(sql, values, variables(sql))


def _bind(sql: str, values: Mapping[str, str], known: Sequence[str]) -> str:
    """`bind`, given the variables `sql` uses."""
    unused = [name.lstrip("@") for name in values if name.lstrip("@").lower() not in {k.lower() for k in known}]
    if unused:
        raise SQLAnalysisError(f"no variable {', '.join(f'`@{name}`' for name in unused)} in the SQL to bind "
                               f"(it uses {', '.join(f'`@{name}`' for name in known) or 'none'})")
    wanted = {name.lstrip("@").lower(): value for name, value in values.items()}
    pieces, done = [], 0
    tokens = tokenize(sql)
    for before, at, name in zip([None, *tokens], tokens, tokens[1:]):
        if (at.token_type == TokenType.PARAMETER and name.start == at.end + 1 and name.text.lower() in wanted
                and not (before is not None and before.token_type == TokenType.PARAMETER
                         and before.end + 1 == at.start)):
            pieces += [sql[done:at.start], _literal(wanted[name.text.lower()])]
            done = name.end + 1
    return "".join(pieces) + sql[done:]


def variables(sql: str) -> list[str]:
    """The `@variables` `sql` uses (names without `@`, first spelling, in order)."""
    from vgpt2_ext.sql.analysis import variables_of

    return list(variables_of(parse_tsql(sql)))


def _literal(value: str) -> str:
    number = value.strip()
    if number.removeprefix("-").replace(".", "", 1).isdigit():
        return f"({number})" if number.startswith("-") else number  # `x -@a` must not become a `--` comment
    return "'" + value.replace("'", "''") + "'"


def bind_samples(sql: str, catalog: Catalog) -> str:
    """`sql` with every variable bound to a sample value (see the module docstring); `sql` as it is without any.
    The variables and the columns they are compared with come from the query's analysis, which the proofs have
    made already (cached), so binding parses nothing of its own."""
    from vgpt2_ext.sql.analysis import analyze

    try:
        analysis = analyze(sql, catalog)
    except SQLAnalysisError:
        analysis = None
    found = analysis.variables if analysis is not None and analysis.dialect == DIALECT else variables(sql)
    if not found:
        return sql
    typed = {filter_.value[1:]: _sample(catalog.column(*filter_.column.split(".", 1)))
             for filter_ in analyze(sql, catalog).filters if filter_.value.startswith("@") and "." in filter_.column}
    return _bind(sql, {name: "1" for name in found} | typed, found)


def _sample(column: Column | None) -> str:
    kind = (column.sql_type or "").lower() if column is not None else ""
    if not kind:
        return "1"  # an untyped (report view) or unknown column: a number reads as most types
    return next((value for family, value in SAMPLES if family in kind), "A")
