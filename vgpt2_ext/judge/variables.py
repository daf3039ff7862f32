"""Binding a judged query's variables, so `APCo = @APCo` (the style the system prompt teaches) runs in the
sandbox, which refuses variables, in every case, with or without gold SQL.

A variable compared with a column takes the first of:
1. the literal a gold query compares that column with (judged like the literal the question gives);
2. the literal the question's own SQL compares it with (an error-correction question's `WHERE APCo = 1`);
3. for a company column, the sandbox's first company (a default company);
4. a value the sandbox holds in that column, so `Job = @Job` ("costs for a job") finds rows.
Other variables (`SELECT @x`, `TOP (@n)`) stay, and the sandbox refuses them with its own message; so do all of
a query that names something the catalog lacks (it cannot run, and binding it would only build tables for
nothing). The SQL is rewritten through its syntax tree (`vgpt2_ext.sql.binding.bind`), not by text substitution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.sql.binding import bind
from vgpt2_ext.sql.grounding import ground
from vgpt2_ext.sql.model import Analysis, Filter

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sandbox import Sandbox

_LITERAL = re.compile(r"-?\d+(?:\.\d+)?|'[^']*'")


def bind_for_case(sql: str, analysis: Analysis, sources: Iterable[Analysis], catalog: Catalog,
                  sandbox: Sandbox) -> str:
    """`sql` with each variable compared with a column bound as above; `sources`: the gold queries' analyses,
    then the question's (their literals win, in that order)."""
    if ground(analysis, catalog).unknowns:
        return sql
    literals: dict[str, str] = {}
    for source in sources:
        for found in source.filters:
            if found.operator == "=" and _LITERAL.fullmatch(found.value):
                literals.setdefault(found.column.lower(), found.value.strip("'"))
    values: dict[str, str] = {}
    for found in _variables(analysis.filters):
        value = literals.get(found.column.lower()) or _default(found.column, catalog, sandbox)
        if value is not None:
            values.setdefault(found.value.lstrip("@"), value)
    if not values:
        return sql
    try:
        return bind(sql, values)
    except VGPT2Error:
        return sql  # the sandbox says what is wrong with it


def _variables(filters: Iterable[Filter]) -> list[Filter]:
    return [f for f in filters if re.fullmatch(r"@\w+", f.value)]


def _default(column: str, catalog: Catalog, sandbox: Sandbox) -> str | None:
    table, _, name = column.rpartition(".")
    found = catalog.column(table, name)
    if found is None:
        return None
    if found.is_company:
        from vgpt2_ext.sandbox.values import COMPANIES

        return str(COMPANIES[0])
    return sample_value(sandbox, catalog.object(table).name, found.name)


@lru_cache(maxsize=1024)
def sample_value(sandbox: Sandbox, table: str, column: str) -> str | None:
    """The smallest non-NULL value of `table.column` in the sandbox (the same for every answer), as text."""
    try:
        rows = sandbox.run(f"SELECT MIN([{column}]) FROM [{table}] WITH (NOLOCK) WHERE [{column}] IS NOT NULL").rows
    except VGPT2Error:
        return None
    value = rows[0][0] if rows else None
    return None if value is None else str(value)
