"""T-SQL tree -> DuckDB text, keeping SQL Server's meaning where the two differ.

sqlglot does most of it (TOP, ISNULL, DATEADD, DATEDIFF, EOMONTH, CONVERT styles, CROSS APPLY, NOLOCK
dropped). A few small rules run first, each a pure function of one node, applied in this order:

- schema and database qualifiers go (`[Viewpoint].[dbo].[APTH]` -> `APTH`): the sandbox has one schema;
- the clock is pinned (GETDATE(), SYSDATETIME(), CURRENT_TIMESTAMP -> `values.CLOCK`), so answers repeat;
- date 0 is 1900-01-01 (`DATEADD(month, DATEDIFF(month, 0, GETDATE()), 0)`, the first of this month);
- a CTE that names itself is recursive (T-SQL has no RECURSIVE keyword);
- CROSS APPLY and OUTER APPLY become lateral joins, in the form DuckDB accepts;
- `CAST(x AS varchar(7))` truncates to 7 characters, as SQL Server does (`CONVERT(varchar(7), Mth, 120)`);
- LEN ignores trailing spaces;
- SQL Server types DuckDB lacks or reads differently: money -> DECIMAL(19,4), bit -> BOOLEAN;
- `+` with a text operand concatenates;
- `/` between two integers divides as integers (`SUM(Hours) / COUNT(*)` truncates, as on SQL Server).

Text and integer operands are recognised from the tree and the catalog's column types, not from SQL text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from vgpt2_ext.sandbox.values import CLOCK
from vgpt2_ext.sql.parse import dialect_of

ColumnKinds = dict[str, str]  # column name (lower) -> "text" | "int" | "other"

_CLOCK_FUNCTIONS = frozenset({"getutcdate", "sysutcdatetime", "sysdatetimeoffset"})
_TEXT_FUNCTIONS = (exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Left, exp.Right, exp.Concat, exp.DPipe,
                   exp.Replace, exp.Initcap, exp.TimeToStr)
_INT_FUNCTIONS = (exp.Count, exp.Year, exp.Month, exp.Day, exp.Extract, exp.DateDiff, exp.Length,
                  exp.StrPosition, exp.RowNumber)
_INT_TYPES = (exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
              exp.DataType.Type.BIGINT)
_TYPE_MAP = {exp.DataType.Type.MONEY: "DECIMAL(19, 4)", exp.DataType.Type.SMALLMONEY: "DECIMAL(10, 4)",
             exp.DataType.Type.BIT: "BOOLEAN"}


def to_duckdb(query: exp.Query, kinds: ColumnKinds) -> str:
    """DuckDB text for `query`, which is rewritten in place: pass a tree of your own (`parse_tsql(sql,
    cache=False)`), never one of the shared parse cache."""
    tree = _rewrite(query, _Typing(kinds))
    return tree.sql(dialect=dialect_of("duckdb"), identify=True, unsupported_level=ErrorLevel.IGNORE, copy=False)


def is_ordered(query: exp.Query) -> bool:
    """Whether the outermost level sorts its rows (ORDER BY on the query itself, not in a subquery)."""
    while isinstance(query, exp.Subquery):
        query = query.this
    return bool(query.args.get("order"))


def _rewrite(tree: exp.Expression, kinds: _Typing) -> exp.Expression:
    """The rules, in order, on every node, children before parents (so `a + '-' + b` sees its inner `+`
    rewritten first); one walk over the tree, each node offered only the rules for its type."""
    for node in reversed(list(tree.walk())):
        new = node
        for rule in _rules_for(type(node)):
            new = rule(new, kinds)
        if new is not node:
            tree = new if node is tree else tree
            node.replace(new)
    return tree


def _unqualify(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.Table):
        node.set("db", None)
        node.set("catalog", None)
    return node


def _pin_clock(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.CurrentDate):
        return exp.cast(exp.Literal.string(CLOCK.date().isoformat()), exp.DataType.Type.DATE)
    clock = isinstance(node, (exp.CurrentTimestamp, exp.CurrentDatetime))
    if clock or (isinstance(node, exp.Anonymous) and node.name.lower() in _CLOCK_FUNCTIONS):
        return exp.cast(exp.Literal.string(CLOCK.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    return node


def _day_zero(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.DateAdd) and isinstance(node.this, exp.Literal) and node.this.is_int:
        day = datetime(1900, 1, 1) + timedelta(days=int(node.this.name))
        node.set("this", exp.cast(exp.Literal.string(day.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP))
    return node


def _recursive(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.With) and not node.args.get("recursive"):
        names = {cte.alias_or_name.lower() for cte in node.expressions}
        if any(t.name.lower() in names for cte in node.expressions for t in cte.this.find_all(exp.Table)):
            node.set("recursive", True)
    return node


def _apply_join(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    """CROSS APPLY -> CROSS JOIN LATERAL; OUTER APPLY -> LEFT JOIN LATERAL … ON TRUE."""
    if isinstance(node, exp.Join) and isinstance(node.this, exp.Lateral):
        cross_apply = node.this.args.get("cross_apply")
        node.this.set("cross_apply", None)
        if cross_apply:
            node.set("kind", "CROSS")
        elif cross_apply is False:
            node.set("side", "LEFT")
            node.set("on", exp.true())
    return node


def _truncating_cast(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    """CAST(x AS varchar(n)) -> LEFT(CAST(x AS VARCHAR), n): SQL Server cuts, DuckDB ignores the length."""
    to = node.to if isinstance(node, exp.Cast) else node.this if isinstance(node, exp.Convert) else None
    if not isinstance(to, exp.DataType) or not to.is_type(*exp.DataType.TEXT_TYPES) or not to.expressions:
        return node
    size = to.expressions[0].this
    if not isinstance(size, exp.Literal) or not size.is_int:
        return node
    unsized = node.copy()
    unsized.set("to" if isinstance(node, exp.Cast) else "this", exp.DataType.build("VARCHAR"))
    return exp.Left(this=unsized, expression=exp.Literal.number(size.name))


def _len(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.Length) and not isinstance(node.this, exp.Trim):
        node.set("this", exp.Trim(this=node.this, position="TRAILING"))
    return node


def _map_type(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.DataType) and node.this in _TYPE_MAP:
        return exp.DataType.build(_TYPE_MAP[node.this])
    return node


def _concatenate(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.Add) and "text" in (_kind(node.left, kinds), _kind(node.right, kinds)):
        return exp.DPipe(this=node.left, expression=node.right)
    return node


def _integer_division(node: exp.Expression, kinds: _Typing) -> exp.Expression:
    if isinstance(node, exp.Div) and _kind(node.left, kinds) == _kind(node.right, kinds) == "int":
        return exp.IntDiv(this=node.left, expression=node.right)
    return node


Rule = Callable[[exp.Expression, "_Typing"], exp.Expression]
_RULES: tuple[tuple[tuple[type, ...], Rule], ...] = (  # (the node types a rule rewrites, the rule), in order
    ((exp.Table,), _unqualify),
    ((exp.CurrentDate, exp.CurrentTimestamp, exp.CurrentDatetime, exp.Anonymous), _pin_clock),
    ((exp.DateAdd,), _day_zero),
    ((exp.With,), _recursive),
    ((exp.Join,), _apply_join),
    ((exp.Cast, exp.Convert), _truncating_cast),
    ((exp.Length,), _len),
    ((exp.DataType,), _map_type),
    ((exp.Add,), _concatenate),
    ((exp.Div,), _integer_division),
)


@cache
def _rules_for(node_type: type) -> tuple[Rule, ...]:
    return tuple(rule for types, rule in _RULES if issubclass(node_type, types))


@dataclass
class _Typing:
    """The catalog's column kinds, and the kinds worked out so far in one rewrite (so a chain of 3,000 `+`
    is typed once per node, not once per node per ancestor)."""

    columns: ColumnKinds
    memo: dict[int, tuple[exp.Expression, str | None]] = field(default_factory=dict)


def _kind(node: exp.Expression, kinds: _Typing) -> str | None:
    """"text", "int" or None (unknown or other), from the node's shape and the catalog's column types."""
    known = kinds.memo.get(id(node))
    if known is not None and known[0] is node:  # the node is held in the memo, so its id is not reused
        return known[1]
    found = _kind_of(node, kinds)
    kinds.memo[id(node)] = (node, found)
    return found


def _kind_of(node: exp.Expression, kinds: _Typing) -> str | None:
    if isinstance(node, (exp.Paren, exp.Neg, exp.Sum, exp.Min, exp.Max, exp.Abs)):
        return _kind(node.this, kinds)
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else "int" if node.is_int else None
    if isinstance(node, exp.Column):
        return kinds.columns.get(node.name.lower())
    if isinstance(node, exp.Cast):
        return "text" if node.to.is_type(*exp.DataType.TEXT_TYPES) else "int" if node.to.is_type(*_INT_TYPES) else None
    if isinstance(node, exp.Coalesce):
        return _kind(node.this, kinds)
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Mod)):
        sides = {_kind(node.left, kinds), _kind(node.right, kinds)}
        return "text" if "text" in sides and isinstance(node, exp.Add) else "int" if sides == {"int"} else None
    if isinstance(node, _TEXT_FUNCTIONS):
        return "text"
    return "int" if isinstance(node, _INT_FUNCTIONS) else None
