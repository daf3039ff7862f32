"""What a T-SQL query is made of, read from its sqlglot tree: the constructs the card counts and the proof checks.

The features are the constructs a query uses (CTE, window, CASE, HAVING, outer join, EXISTS, DISTINCT,
subquery, date function, TOP, GROUP BY, three or more tables, every table aliased). `top_level` gives the
outermost SELECT, whose TOP and select list are what the user gets back; `company_comparisons` finds a company
column compared with a literal or a variable. `facts_of(statements, catalog)` gathers them as `SQLFacts`, which
`analyze` keeps with a query's analysis (read from its tree before resolving rewrites it), so the proof and the
card need no parse of their own. Nothing here reads SQL text with patterns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog

# the constructs the card's histogram shows, in its order
FEATURES = ("cte", "window", "case", "having", "outer_join", "exists", "distinct", "subquery", "date_function",
            "group_by", "top", "three_tables", "multi_table", "aliased")
DATE_FUNCTIONS = (exp.DateAdd, exp.DateDiff, exp.LastDay, exp.Year, exp.Month, exp.Day, exp.DateFromParts,
                  exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentDatetime, exp.Extract, exp.DateTrunc,
                  exp.DateSub, exp.TsOrDsAdd, exp.TimestampTrunc)


@dataclass(frozen=True)
class _Tree:
    """One walk's findings: the constructs, the table references (CTE names excluded) and the `=` comparisons."""

    features: frozenset[str]
    tables: list[exp.Table]
    comparisons: list[exp.EQ]


def _walk(tree: exp.Expression) -> _Tree:
    kinds: set[type] = set()
    found: set[str] = set()
    tables: list[exp.Table] = []
    comparisons: list[exp.EQ] = []
    ctes: set[str] = set()
    for node in tree.walk():
        kinds.add(type(node))
        if isinstance(node, exp.Join) and (node.side in ("LEFT", "RIGHT", "FULL")
                                           or (node.args.get("kind") or "").upper() == "OUTER"):
            found.add("outer_join")
        elif isinstance(node, exp.Table) and node.name:
            tables.append(node)
        elif isinstance(node, exp.Select) and node is not tree and not isinstance(node.parent, (exp.CTE, exp.Union)):
            found.add("subquery")
        elif isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        elif isinstance(node, exp.EQ):
            comparisons.append(node)
    tables = [t for t in tables if t.name.lower() not in ctes]
    found |= {name for name, kind in _KINDS if kind in kinds}
    if any(issubclass(kind, DATE_FUNCTIONS) for kind in kinds):
        found.add("date_function")
    if has_top(tree):
        found.add("top")
    if len(tables) >= 2:
        found.add("multi_table")
        if all(t.alias for t in tables):
            found.add("aliased")
    if len({t.name.lower() for t in tables}) >= 3:
        found.add("three_tables")
    return _Tree(frozenset(found), tables, comparisons)


_KINDS = (("cte", exp.CTE), ("window", exp.Window), ("case", exp.Case), ("having", exp.Having),
          ("exists", exp.Exists), ("distinct", exp.Distinct), ("group_by", exp.Group))


def top_level(tree: exp.Expression) -> exp.Select | None:
    """The outermost SELECT (what the user gets back): the query itself, the body after a WITH, or the first
    branch of a UNION."""
    node = tree
    while isinstance(node, (exp.Subquery, exp.SetOperation)):
        node = node.this
    return node if isinstance(node, exp.Select) else None


def has_top(tree: exp.Expression) -> bool:
    select = top_level(tree)
    return select is not None and select.args.get("limit") is not None


def company_comparisons(comparisons: list[exp.EQ], aliases: dict[str, str],
                        catalog: Catalog) -> Iterator[tuple[exp.Column, exp.Expression]]:
    """(company column, the value it is compared with) for each `=` between a company column and a literal or
    a variable (`h.APCo = 3`, `APCo = @APCo`); the column's table is read through the query's `aliases`."""
    for eq in comparisons:
        for column, value in ((eq.this, eq.expression), (eq.expression, eq.this)):
            if isinstance(column, exp.Column) and isinstance(value, (exp.Literal, exp.Parameter)) \
                    and _is_company(column, aliases, catalog):
                yield column, value


def _is_company(column: exp.Column, aliases: dict[str, str], catalog: Catalog) -> bool:
    tables = [aliases[column.table.lower()]] if column.table and column.table.lower() in aliases \
        else list(aliases.values())
    return any((found := catalog.column(table, column.name)) is not None and found.is_company for table in tables)


def projection(tree: exp.Expression) -> list[exp.Expression]:
    """The outermost select list."""
    select = top_level(tree)
    return list(select.expressions) if select is not None else []


def projected_columns(tree: exp.Expression, aliases: dict[str, str], catalog: Catalog) -> list[str | None]:
    """The outermost select list, each item as `Table.Column` (catalog spelling, read through aliases) when it is
    a plain catalog column, else None (an expression, a star, a CTE's output)."""
    found: list[str | None] = []
    for item in projection(tree):
        column = item.this if isinstance(item, exp.Alias) else item
        found.append(_resolve(column, aliases, catalog) if isinstance(column, exp.Column) else None)
    return found


def _resolve(column: exp.Column, aliases: dict[str, str], catalog: Catalog) -> str | None:
    """`Table.Column` of a column reference, when exactly one table of the query has it."""
    qualifier = column.table.lower() if column.table else ""
    if qualifier and qualifier not in aliases:
        return None
    tables = [aliases[qualifier]] if qualifier else list(aliases.values())
    hits = [(table, hit) for table in tables if (hit := catalog.column(table, column.name)) is not None]
    if len(hits) != 1:
        return None
    table, hit = hits[0]
    return f"{catalog.object(table).name}.{hit.name}"


@dataclass(frozen=True)
class SQLFacts:
    """What the card counts and the proof checks about a query: its last statement's constructs, TOP, select list
    and fixed company columns, and the company values of all its statements."""

    features: frozenset[str] = frozenset()
    literals: frozenset[str] = frozenset()  # company numbers it fixes
    parameters: frozenset[str] = frozenset()  # company variables it uses
    projected: tuple[str | None, ...] = ()  # its outermost select list as `Table.Column`s
    fixed: frozenset[str] = frozenset()  # company columns it fixes with `=`, as `table.column` in lower case

    @property
    def top(self) -> bool:
        """Its outermost SELECT has TOP."""
        return "top" in self.features


def facts_of(statements: Sequence[exp.Expression], catalog: Catalog) -> SQLFacts:
    """The facts of a query's parsed statements, read before anything rewrites them (one walk of each tree)."""
    literals, parameters = set(), set()
    fixed: set[str] = set()
    for tree in statements:
        found = _walk(tree)
        aliases = {(t.alias or t.name).lower(): t.name for t in found.tables}  # alias (or name) -> table
        for column, value in company_comparisons(found.comparisons, aliases, catalog):
            (parameters if isinstance(value, exp.Parameter) else literals).add(value.name)
            if tree is statements[-1] and (name := _resolve(column, aliases, catalog)) is not None:
                fixed.add(name.lower())
    last = statements[-1]
    return SQLFacts(found.features, frozenset(literals), frozenset(parameters),
                    tuple(projected_columns(last, aliases, catalog)), frozenset(fixed))
