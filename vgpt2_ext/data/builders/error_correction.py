"""`error_correction`: a broken query -> what is wrong, and the fixed query.

Each corruption starts from a correct house-style query over the schema and breaks it one way: an unknown
column (a plausible misspelling of a real one), a column asked of the wrong table (it lives on a related
table: join it), a join missing key columns (the company or group), LIMIT instead of TOP, the base table where
the view is wanted, a syntax slip, a missing NOLOCK. The example records the break, and the proof checks that
the broken query really fails for that reason and the fixed one passes. Curated seed `fixes` add the classic
Vista mistakes (APTH.Status, JCCD.OrigEstCost ...).
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Column, Relationship
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, listing, queryable, stream
from vgpt2_ext.data.builders.intents import seed_source
from vgpt2_ext.data.builders.join_patterns import company_only, label_of, pairs_text, queryable_relationships
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.misnaming import misnamings
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.seeds import Fix
from vgpt2_ext.data.sqlgen import Select, company_filter, join_clause, join_filters, ref

CATEGORY = "error_correction"
# syntax slips T-SQL refuses to parse: (what to break, how, what the answer says)
SLIPS = (
    ("SELECT ", "SELCT ", "`SELCT` is a misspelling of SELECT."),
    ("\nFROM ", "\nFORM ", "`FORM` should be FROM, so the statement has no FROM clause."),
    ("\nWHERE ", "\nWHERE AND ", "The WHERE clause starts with a dangling AND."),
    (";", " AND;", "The WHERE clause ends with a dangling AND."),
)


def candidates(ctx: BuildContext):
    makers: list[Maker] = []
    for obj in queryable(ctx.catalog):
        if not obj.key:
            continue
        for column in _plain_columns(obj)[:6]:
            makers.append(partial(_unknown_column, obj=obj, column=column))
        makers += [partial(_limit, obj=obj), partial(_syntax, obj=obj)]
        if obj.base_table and ctx.catalog.style.prefer_views:
            makers.append(partial(_base_table, obj=obj))
        if ctx.catalog.style.require_nolock:
            makers.append(partial(_nolock, obj=obj))
    makers += [partial(_wrong_table, rel=rel) for rel in _unique_lookups(ctx.catalog)]
    for rel in queryable_relationships(ctx.catalog):
        if len(rel.pairs) > 1:
            makers.append(partial(_missing_key, rel=rel))
    return stream(ctx, makers, [partial(_seed_fix, fix=fix) for fix in ctx.seeds.fixes])


def _unique_lookups(catalog: Catalog) -> list[Relationship]:
    """Child -> parent relationships whose parent label the child lacks and no other parent of the child has
    (JCCH.Description could be JCJM's, JCJP's or JCCT's: ambiguous, left out); not company-master lookups."""
    by_lack: dict[tuple[str, str], list[Relationship]] = defaultdict(list)
    for rel in queryable_relationships(catalog):
        label = label_of(catalog.object(rel.parent))
        if label and not company_only(catalog, rel) and not catalog.object(rel.child).has_column(label):
            by_lack[(rel.child, label.lower())].append(rel)
    return [rels[0] for rels in by_lack.values() if len(rels) == 1]


def _plain_columns(obj: CatalogObject) -> list[Column]:
    roles = roles_of(obj)
    return list(dict.fromkeys((*roles.texts, *roles.money, *roles.dates, *roles.flags, *roles.quantities)))


class _Query:
    """A correct single-table query over `obj` and the literals it was filled with."""

    def __init__(self, ctx: BuildContext, obj: CatalogObject):
        self.ctx, self.obj, self.values = ctx, obj, ctx.values()
        self.columns = [f"{obj.name}.{n}" for n in obj.key[:3]]
        self.where = company_filter(obj, self.values["co"])

    def select(self, columns: list[str] | None = None, source: str | None = None, top: bool = True,
               rel: Relationship | None = None) -> Select:
        where = join_filters(self.ctx.catalog, self.obj, [rel], self.values["co"]) if rel else self.where
        return Select(columns or self.columns, source or ref(self.ctx.catalog, self.obj.name), where,
                      top=self.values["n"] if top else None)

    def example(self, reason: str, broken: str, explanation: str, fixed: str, **extra) -> Example:
        question = self.ctx.ask("fix_query", self.values, sql=broken)
        text = answer(explanation, fixed)
        return Example(CATEGORY, f"schema:{reason}", reason, question, text, broken_sql=broken,
                       broken_reason=reason, anchor=self.obj.name, **extra)


def _unknown_column(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example | None:
    wrong = [name for name in misnamings(column.name) if not obj.has_column(name)]
    if not wrong:
        return None
    fake = ctx.pick(wrong)
    q = _Query(ctx, obj)
    broken = q.select(q.columns + [f"{obj.name}.{fake}"]).text()
    fixed = q.select(q.columns + [f"{obj.name}.{column.name}"]).text()
    text = f"{obj.name}.{fake} does not exist; the column is called {column.name} ({obj.name}.{column.name})."
    return q.example("unknown_column", broken, text, fixed, missing=(f"{obj.name}.{fake}",),
                     suggest=(f"{obj.name}.{column.name}",))


def _wrong_table(ctx: BuildContext, rel: Relationship) -> Example | None:
    child, parent = ctx.catalog.object(rel.child), ctx.catalog.object(rel.parent)
    label = label_of(parent)
    if label is None or not child.key:
        return None
    q = _Query(ctx, child)
    broken = q.select(q.columns + [f"{child.name}.{label}"]).text()
    source = f"{ref(ctx.catalog, child.name)} {join_clause(ctx.catalog, rel, parent.name)}"
    fixed = q.select(q.columns + [f"{parent.name}.{label}"], source, rel=rel).text()
    text = (f"{child.name}.{label} does not exist: {label} is on {parent.name}. Join {parent.name} on its full key "
            f"({pairs_text(rel)}) and select {parent.name}.{label}.")
    return q.example("wrong_table", broken, text, fixed, missing=(f"{child.name}.{label}",),
                     suggest=(f"{parent.name}.{label}",))


def _missing_key(ctx: BuildContext, rel: Relationship) -> Example | None:
    child = ctx.catalog.object(rel.child)
    label = label_of(ctx.catalog.object(rel.parent))
    if not child.key or label is None:
        return None
    dropped = [pair for pair in rel.pairs if _is_scope_column(child, pair[0])] or [rel.pairs[0]]
    kept = [pair for pair in rel.pairs if pair not in dropped]
    if not kept:
        return None
    q = _Query(ctx, child)
    columns = q.columns + [f"{rel.parent}.{label}"]
    partial_on = " AND ".join(f"{rel.child}.{c} = {rel.parent}.{p}" for c, p in kept)
    broken_source = f"{ref(ctx.catalog, rel.child)} INNER JOIN {ref(ctx.catalog, rel.parent)} ON {partial_on}"
    broken = q.select(columns, broken_source, rel=rel).text()
    fixed = q.select(columns, f"{ref(ctx.catalog, rel.child)} {join_clause(ctx.catalog, rel, rel.parent)}",
                     rel=rel).text()
    missing = listing([f"{rel.child}.{c} = {rel.parent}.{p}" for c, p in dropped])
    text = (f"The join is missing part of the key of {rel.parent}: it needs {missing} as well. Joined on "
            f"fewer key columns, each row matches {rel.parent} rows of other companies or groups and the "
            f"results multiply. Join on the full key ({pairs_text(rel)}).")
    return q.example("missing_join_key", broken, text, fixed)


def _is_scope_column(obj: CatalogObject, name: str) -> bool:
    column = obj.column(name)
    return column is not None and (column.is_company or (column.domain or "").lower() == "bgroup")


def _limit(ctx: BuildContext, obj: CatalogObject) -> Example:
    q = _Query(ctx, obj)
    fixed = q.select().text()
    broken = q.select(top=False).text()[:-1] + f"\nLIMIT {q.values['n']};"
    text = (f"SQL Server has no LIMIT clause (that is MySQL/PostgreSQL). In T-SQL write SELECT TOP "
            f"{q.values['n']} right after SELECT.")
    return q.example("limit", broken, text, fixed)


def _base_table(ctx: BuildContext, obj: CatalogObject) -> Example:
    base = obj.base_table or ""
    q = _Query(ctx, obj)
    fixed = q.select().text()
    broken = fixed.replace(f"{obj.name}.", f"{base}.").replace(f"FROM {obj.name} ", f"FROM {base} ")
    text = (f"{base} is the base table behind the view {obj.name}. The house style queries the view, so read "
            f"{obj.name}, not {base}.")
    return q.example("base_table", broken, text, fixed)


def _nolock(ctx: BuildContext, obj: CatalogObject) -> Example:
    q = _Query(ctx, obj)
    fixed = q.select().text()
    broken = fixed.replace(f"FROM {obj.name} WITH (NOLOCK)", f"FROM {obj.name}")
    text = f"The query reads {obj.name} without WITH (NOLOCK); the house style puts it on every table reference."
    return q.example("missing_nolock", broken, text, fixed)


def _syntax(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    q = _Query(ctx, obj)
    fixed = q.select().text()
    good, bad, why = ctx.pick(SLIPS)
    if good not in fixed or (good == ";" and not q.where):
        return None
    broken = fixed.replace(good, bad, 1)
    return q.example("syntax", broken, f"The query does not parse. {why} Corrected:", fixed)


def _seed_fix(ctx: BuildContext, fix: Fix) -> Example:
    values = ctx.values()
    broken = fill(fix.broken, values)
    question = ctx.ask("fix_query", values, sql=broken)
    return Example(CATEGORY, seed_source(ctx, fix.id), fix.id, question,
                   answer(fill(fix.explain, values), fill(fix.fixed, values)),
                   missing=fix.missing, broken_sql=broken, broken_reason=fix.reason)
