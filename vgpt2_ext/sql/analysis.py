"""`analyze(sql, catalog)`: what a SQL text references, resolved against the catalog.

The stages follow the processing order: parse (T-SQL, or a fallback dialect so a slip such as MySQL
backticks is reported rather than hiding the whole query) -> resolve each statement's tables and columns
(`resolve`) -> read its join pairs and filters (`predicates`) -> find dialect slips (`slips`). Grounding
and house style judge the resulting `Analysis`; nothing here decides whether the SQL is acceptable.

>>> from vgpt2_ext.catalog import load_catalog
>>> a = analyze("SELECT h.APCo FROM APTH h WITH (NOLOCK) WHERE h.APCo = @APCo", load_catalog())
>>> a.tables, a.resolved_columns, a.nolock, [str(f) for f in a.filters]
(('APTH',), ('APTH.APCo',), ('APTH',), ['APTH.APCo = @APCo'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.cache import per_catalog
from vgpt2_ext.sql.features import SQLFacts, facts_of
from vgpt2_ext.sql.model import Analysis
from vgpt2_ext.sql.parse import DIALECT, TOO_DEEP, parse_any, parse_tsql
from vgpt2_ext.sql.predicates import joins_and_filters
from vgpt2_ext.sql.resolve import Resolved, resolve_statement
from vgpt2_ext.sql.slips import find_slips

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog


def analyze(sql: str, catalog: Catalog) -> Analysis:
    """The analysis of `sql` against `catalog`, cached per (sql, catalog fingerprint).

    Raises SQLAnalysisError when no dialect parses the text, or when its columns cannot be resolved
    (an alias used twice, `ORDER BY 5` over fewer columns, a tree too deep to walk).
    """
    try:
        return _analyze(catalog, sql)
    except RecursionError:  # a chain of 2,000 ANDs parses into a tree 2,000 levels deep
        raise SQLAnalysisError(TOO_DEEP) from None


@per_catalog(maxsize=8192)
def _analyze(catalog: Catalog, sql: str) -> Analysis:
    # a parse of its own: resolving qualifies columns in place, and with the compiled parser a fresh parse costs
    # less than copying a shared tree (0.8 vs 1.0 M instructions a query)
    dialect, statements = parse_any(sql, cache=False)
    _require_select_lists(statements)
    facts = facts_of(statements, catalog) if dialect == DIALECT else None  # before resolving rewrites the trees
    variables = variables_of(statements)
    slips = find_slips(sql, dialect, statements)
    resolved = [resolve_statement(statement, catalog) for statement in statements]
    predicates = [joins_and_filters(one) for one in resolved]
    joins = [pair for found, _ in predicates for pair in found]
    filters = [item for _, found in predicates for item in found]
    return Analysis(
        sql=sql,
        catalog=catalog.fingerprint,
        dialect=dialect,
        kinds=tuple(statement.key for statement in statements),
        table_refs=tuple(ref for one in resolved for ref in one.tables),
        columns=tuple(ref for one in resolved for ref in one.columns.values()),
        joins=tuple(dict.fromkeys(joins)),
        filters=tuple(dict.fromkeys(filters)),
        slips=tuple(slips),
        stars=tuple(dict.fromkeys(name for one in resolved for name in one.stars)),
        ctes=tuple(dict.fromkeys(name for one in resolved for name in one.ctes)),
        selected=tuple(dict.fromkeys(name for statement, one in zip(statements, resolved)
                                     for name in _selected(statement, one))),
        variables=variables,
        facts=facts,
    )


def sql_facts(sql: str, catalog: Catalog) -> SQLFacts | None:
    """The facts of a text T-SQL reads (`Analysis.facts`; from its own parse when it parses but does not
    resolve), or None when T-SQL does not read it."""
    try:
        analysis = analyze(sql, catalog)
    except SQLAnalysisError:
        analysis = None
    if analysis is not None and analysis.facts is not None:
        return analysis.facts
    try:
        return facts_of(parse_tsql(sql), catalog)
    except SQLAnalysisError:
        return None


def variables_of(statements: list[exp.Expression]) -> tuple[str, ...]:
    """The `@variables` the statements use (names without `@`, first spelling, in order)."""
    first: dict[str, str] = {}
    for statement in statements:
        for node in statement.find_all(exp.Parameter, bfs=False):
            first.setdefault(node.name.lower(), node.name)
    return tuple(first.values())


def _selected(statement: exp.Expression, resolved: Resolved) -> list[str]:
    """The catalog columns the outermost SELECT list(s) read (every branch of a UNION), through aliases, CTEs
    and derived tables: what the query returns, which an error-correction fix must keep."""
    found = []
    for select in _outer_selects(statement):
        for projection in select.expressions:
            for column in projection.find_all(exp.Column):
                ref = resolved.columns.get(id(column))
                if ref is not None and ref.resolution == "catalog" and column.find_ancestor(exp.Select) is select:
                    found.append(ref.qualified)
    return found


def _outer_selects(node: exp.Expression) -> list[exp.Select]:
    if isinstance(node, exp.Select):
        return [node]
    if isinstance(node, exp.SetOperation):
        return _outer_selects(node.left) + _outer_selects(node.right)
    return _outer_selects(node.this) if isinstance(node, exp.Subquery) else []


def _require_select_lists(statements: list[exp.Expression]) -> None:
    """sqlglot reads `SELECT TOP 5 FROM APTH` (no columns); SQL Server rejects it, and so must we."""
    for statement in statements:
        if any(not select.expressions for select in statement.find_all(exp.Select)):
            raise SQLAnalysisError("a SELECT without a column list is not valid T-SQL")
