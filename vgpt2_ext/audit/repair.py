"""Repair, only where a rewrite has one right answer: small rules over the sqlglot tree of a failing query.

- `company_column`: `Co = @Co` on APTH -> `APCo = @APCo`, for a generic company column (`Co`, `Company`) the
  table lacks, read against exactly one table that has a company column.
- `view_for_base`: `FROM bAPTH` -> `FROM APTH` (qualifiers too), when the house style prefers views and the
  catalog has the base table's view.
- `limit_to_top`: `LIMIT n` -> `TOP n` (with OFFSET it needs an ORDER BY: left alone).
- `nolock`: `WITH (NOLOCK)` on every catalog table reference lacking it, when the house style requires it.

Everything else (an invented table, a column that lives on another table, a missing company filter) has more
than one plausible fix and is never guessed. Rules run in the order of `RULES` on a copy of the parsed tree;
the repaired query is printed by the house printer of the DPO pairs (`pairs.render`), and the caller proves
the repaired answer again before keeping it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.pairs.corrupt import _nolock, _rename_table
from vgpt2_ext.pairs.render import render
from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.model import Analysis, ColumnRef
from vgpt2_ext.sql.parse import DIALECT, parse_tsql
from vgpt2_ext.sql.style import prefer_views, require_nolock

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog

GENERIC_COMPANY = frozenset({"co", "company"})
Trees = list[exp.Expression]


@dataclass(frozen=True)
class Fix:
    rule: str  # a name in RULES
    detail: str  # `APTH.Co` -> `APTH.APCo` (the table's company column)


@dataclass(frozen=True)
class Repair:
    sql: str
    fixes: tuple[Fix, ...]


def repair_sql(sql: str, catalog: Catalog) -> Repair | None:
    """`sql` rewritten by every rule that applies, or None when none does (or it is not T-SQL queries)."""
    try:
        analysis = analyze(sql, catalog)
        trees = [statement.copy() for statement in parse_tsql(sql)]
    except SQLAnalysisError:
        return None
    if analysis.dialect != DIALECT or not all(isinstance(tree, exp.Query) for tree in trees):
        return None
    fixes: list[Fix] = []
    for rule in RULES:
        trees, found = rule(trees, analysis, catalog)
        fixes += found
    if not fixes:
        return None
    return Repair("\n".join(render(tree) for tree in trees), tuple(fixes))


def view_for_base(trees: Trees, analysis: Analysis, catalog: Catalog) -> tuple[Trees, list[Fix]]:
    fixes = []
    for base in dict.fromkeys(v.table.split()[0] for v in prefer_views(analysis, catalog)):
        view = catalog.view_of(base)
        trees = [_rename_table(tree, base, view.name) for tree in trees]
        fixes.append(Fix("view_for_base", f"`{base}` -> its view `{view.name}`"))
    return trees, fixes


def company_column(trees: Trees, analysis: Analysis, catalog: Catalog) -> tuple[Trees, list[Fix]]:
    """Generic company columns renamed as written (`h.Co`, `Co`), when every reference so written means the
    same table's company column; a variable named like the generic column (`@Co`) follows the rename."""
    meant: dict[str, set[tuple[str, str] | None]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for ref in analysis.columns:
        if ref.resolution == "unknown_column" and ref.name.lower() in GENERIC_COMPANY:
            meant[ref.written.lower()].add(_own_company(ref, catalog))
            spelled[ref.written.lower()] = ref.name
    fixes, variables = [], defaultdict(set)
    for written, targets in meant.items():
        if len(targets) != 1 or None in targets:
            continue
        (table, company), = targets
        qualifier, _, bare = written.rpartition(".")
        for tree in trees:
            for column in tree.find_all(exp.Column):
                if column.name.lower() == bare and column.table.lower() == qualifier:
                    column.set("this", exp.to_identifier(company))
        variables[bare].add(company)
        fixes.append(Fix("company_column", f"`{table}.{spelled[written]}` -> `{table}.{company}` (the table's "
                                           "company column)"))
    _rename_variables(trees, {old: new.pop() for old, new in variables.items() if len(new) == 1})
    return trees, fixes


def limit_to_top(trees: Trees, analysis: Analysis, catalog: Catalog) -> tuple[Trees, list[Fix]]:
    """T-SQL's printer writes a row limit as TOP, so the tree needs no change: only the slip is recorded."""
    if any(slip.rule == "limit" for slip in analysis.slips):
        return trees, [Fix("limit_to_top", "`LIMIT n` -> `TOP n`")]
    return trees, []


def nolock(trees: Trees, analysis: Analysis, catalog: Catalog) -> tuple[Trees, list[Fix]]:
    missing = [v.table for v in require_nolock(analysis, catalog)]
    if not missing:
        return trees, []
    for tree in trees:
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if isinstance(table.this, exp.Identifier) and table.name.lower() not in ctes \
                    and catalog.find(table.name) is not None and not _has_nolock(table):
                table.set("hints", [*(table.args.get("hints") or []), _nolock()])
    return trees, [Fix("nolock", f"`WITH (NOLOCK)` added to {', '.join(f'`{t}`' for t in missing)}")]


# company columns first: they are matched by the qualifiers as written, which the view rule renames
RULES: tuple[Callable[[Trees, Analysis, Catalog], tuple[Trees, list[Fix]]], ...] = (
    company_column, view_for_base, limit_to_top, nolock,
)


def own_company(table: str | None, column: str, catalog: Catalog) -> str | None:
    """`APTH.APCo` for a generic company column (`Co`) on APTH, which lacks it; None otherwise."""
    obj = catalog.find(table) if table and column.lower() in GENERIC_COMPANY else None
    company = obj.company_column if obj is not None and not obj.has_column(column) else None
    return f"{obj.name}.{company.name}" if company is not None else None


def _own_company(ref: ColumnRef, catalog: Catalog) -> tuple[str, str] | None:
    """(table, company column) a generic company reference means: its table's, or, unqualified, the one table
    in scope that has a company column."""
    owners = (ref.table,) if ref.table else ref.candidates
    found = [name for owner in owners if (name := own_company(owner, ref.name, catalog))]
    return tuple(found[0].split(".")) if len(found) == 1 else None  # type: ignore[return-value]


def _rename_variables(trees: Trees, renames: dict[str, str]) -> None:
    for tree in trees:
        for parameter in tree.find_all(exp.Parameter):
            new = renames.get(parameter.name.lower())
            if new is not None:
                parameter.set("this", exp.var(new))


def _has_nolock(table: exp.Table) -> bool:
    return any(isinstance(hint, exp.WithTableHint) and any(e.name.upper() in ("NOLOCK", "READUNCOMMITTED")
                                                         for e in hint.expressions)
               for hint in table.args.get("hints") or [])
