"""Join conditions and filters: the predicates of ON, WHERE and HAVING over resolved columns.

An equality between columns of two different table references is a join pair, wherever it is written
(`ON l.APCo = h.APCo`, `WHERE l.APCo = h.APCo`, a correlated `WHERE d.APTrans = h.APTrans`). Any other
predicate of WHERE or HAVING filters the columns it mentions; in ON, only a predicate comparing a
column with literals or variables (`ON d.Status < 3`) is a filter, the rest is join logic.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from vgpt2_ext.sql.model import Filter, JoinPair
from vgpt2_ext.sql.parse import DIALECT
from vgpt2_ext.sql.resolve import Resolved

_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "nullsafeeq": "<=>"}
# subqueries are scopes of their own: their predicates are read there
_NESTED = (exp.Query, exp.Subquery)


def joins_and_filters(resolved: Resolved) -> tuple[list[JoinPair], list[Filter]]:
    joins: list[JoinPair] = []
    filters: list[Filter] = []
    for scope in resolved.scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        for clause, condition in _conditions(select):
            for predicate, conjunctive in _predicates(condition, True):
                pair = _join_pair(predicate, resolved)
                if pair is not None:
                    joins.append(pair)
                else:
                    filters.extend(_filters(predicate, clause, conjunctive, resolved))
    return joins, filters


def _conditions(select: exp.Select) -> Iterator[tuple[str, exp.Expression]]:
    for join in select.args.get("joins") or []:
        if join.args.get("on") is not None:
            yield "on", join.args["on"]
    for clause in ("where", "having"):
        if select.args.get(clause) is not None:
            yield clause, select.args[clause].this


def _predicates(node: exp.Expression, conjunctive: bool) -> Iterator[tuple[exp.Expression, bool]]:
    """Each predicate under `node`, and whether only ANDs lead to it (so every kept row satisfies it)."""
    if isinstance(node, (exp.And, exp.Paren)):
        for child in node.iter_expressions():
            yield from _predicates(child, conjunctive)
    elif isinstance(node, exp.Predicate) or (isinstance(node, exp.Not) and isinstance(node.this, exp.Predicate)):
        yield node, conjunctive
    elif not isinstance(node, _NESTED):
        for child in node.iter_expressions():
            yield from _predicates(child, False)


def _join_pair(predicate: exp.Expression, resolved: Resolved) -> JoinPair | None:
    if not isinstance(predicate, exp.EQ):
        return None
    left, right = predicate.this.unnest(), predicate.expression.unnest()
    if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
        return None
    refs = resolved.columns.get(id(left)), resolved.columns.get(id(right))
    if refs[0] is None or refs[1] is None or not refs[0].table or not refs[1].table:
        return None
    if resolved.origins.get(id(left)) == resolved.origins.get(id(right)):
        return None  # two columns of one table reference: a filter, not a join
    return JoinPair(refs[0].qualified, refs[1].qualified)


def _filters(predicate: exp.Expression, clause: str, conjunctive: bool, resolved: Resolved) -> list[Filter]:
    core = predicate.this if isinstance(predicate, exp.Not) else predicate
    operator = _operator(core, isinstance(predicate, exp.Not) or bool(core.args.get("negate")))
    found = []
    for side, other in _sides(core):
        columns = [(c, resolved.columns[id(c)]) for c in _columns(side) if id(c) in resolved.columns]
        if not columns or (clause == "on" and any(_columns(other))):
            continue
        value = _value(core, other)
        found += [Filter(ref.qualified, operator, value, clause, conjunctive, "" if side is node else side.sql(DIALECT))
                  for node, ref in columns]
    return found


def _sides(core: exp.Expression) -> list[tuple[exp.Expression, exp.Expression | None]]:
    """(side holding columns, the other side) for each side of a predicate."""
    if isinstance(core, exp.Binary):
        return [(core.this, core.expression), (core.expression, core.this)]
    return [(core.this, None)]


def _columns(node: exp.Expression | None) -> Iterator[exp.Column]:
    if node is None:
        return
    for child in node.walk(prune=lambda n: isinstance(n, _NESTED)):
        if isinstance(child, exp.Column):
            yield child


def _value(core: exp.Expression, other: exp.Expression | None) -> str:
    if other is not None:
        return other.sql(DIALECT)
    if isinstance(core, exp.Between):
        return f"{core.args['low'].sql(DIALECT)} AND {core.args['high'].sql(DIALECT)}"
    if isinstance(core, exp.In):
        query = core.args.get("query")
        items = query.sql(DIALECT) if query is not None else ", ".join(e.sql(DIALECT) for e in core.expressions)
        return items if items.startswith("(") else f"({items})"
    return ""


def _operator(core: exp.Expression, negated: bool) -> str:
    text = _OPERATORS.get(core.key, core.key.upper())
    if isinstance(core, exp.Is):
        return "IS NOT" if negated else "IS"
    return f"NOT {text}" if negated else text
