"""`error_correction`: a broken query, as users paste it -> what is wrong, and the fixed query.

Each example starts from a correct house-style query over the schema (a listing of one object, or a lookup
joining its parent; with table aliases about half the time) and breaks it one, two or three ways at once:

- an unknown column: a misremembered name (`InvoiceTotal` for `InvTotal`), or the generic `Co` written for the
  table's own company column (`APTH.Co` for `APTH.APCo`, a failure of the earlier VGPT2 model);
- a parent's column asked of the child (`APTH.Name`: join APVM), a join missing key columns (the company or
  group), an unqualified column both joined tables have;
- LIMIT instead of TOP, a syntax slip, the base table where the view is wanted, a missing NOLOCK;
- a table that does not exist (`Invoices`), from the curated missing objects.

The question says what the query was meant to do, in business words, and often what happened: the SQL Server
message (`Msg 207, Level 16, State 1, Line 1 / Invalid column name 'Status'.`), "returns far too many rows",
"the reviewer rejected it". The proof checks that the broken query really fails for every stated reason and
that the fixed one passes. Curated seed `fixes` add the classic Vista mistakes (APTH.Status, JCCD.OrigEstCost).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.data.builders.common import (
    BuildContext,
    Pools,
    answer,
    company_only,
    is_settings,
    listing,
    queryable,
    queryable_names,
    stream,
)
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.builders.intents import fits, seed_source, seed_values
from vgpt2_ext.data.builders.join_patterns import label_of, queryable_relationships
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.misnaming import misnamings
from vgpt2_ext.data.seeds import Fix
from vgpt2_ext.data.sqlgen import Select

CATEGORY = "error_correction"
# syntax slips T-SQL refuses to parse: (what to break, how, what the answer says, the token SQL Server names)
SLIPS = (
    ("SELECT ", "SELCT ", "`SELCT` is a misspelling of SELECT.", "SELCT"),
    ("\nFROM ", "\nFORM ", "`FORM` should be FROM.", "FORM"),
    ("\nWHERE ", "\nWHERE AND ", "The WHERE clause starts with a dangling AND.", "AND"),
    (";", " AND;", "The WHERE clause ends with a dangling AND.", ";"),
)
# corruptions that compose (applied in this order); `syntax`, `ambiguous` and `unknown_table` stand alone
COMBINABLE = ("unknown_column", "generic_co", "limit", "base_table", "missing_nolock")


@dataclass(frozen=True)
class Query:
    """A correct query and the knobs a corruption turns: rendered with every knob at rest, it is the fix."""

    d: Draft  # built with table names; `aliases` are put in when rendering
    rel: Relationship | None
    columns: tuple[tuple[str, str], ...]  # (table, column)
    predicates: tuple[str, ...]  # qualified with table names
    intent: str  # what the query is for, in words
    aliases: tuple[tuple[str, str], ...] = ()  # (table, alias), when the query aliases its tables
    top: str | None = None
    renamed: tuple[tuple[str, str, str], ...] = ()  # (table, column, written instead)
    company_as: str = ""  # `Co`: the company filter written with the generic column name
    limit: bool = False
    base: bool = False
    nolock: bool = True
    dropped: tuple[tuple[str, str], ...] = ()  # join pairs left out
    unqualified: tuple[str, str] | None = None  # (table, column) written without its qualifier
    table_as: str = ""  # the driving table written as another (missing) name
    also: Relationship | None = None  # a second parent joined (three tables), never corrupted

    @property
    def obj(self) -> CatalogObject:
        return self.d.obj

    def text(self) -> str:
        aliases = dict(self.aliases)
        written = self.table_as or (self.obj.base_table if self.base else self.obj.name)
        names = {t: aliases.get(t) or t for t in self.d.tables}
        if not aliases:
            names[self.obj.name] = written
        columns = [self._column(t, c, names) for t, c in self.columns]
        where = [self._where(p, names) for p in self.predicates]
        source = self._ref(written, aliases.get(self.obj.name))
        if self.rel is not None:
            pairs = [p for p in self.rel.pairs if p not in self.dropped]
            on = " AND ".join(f"{names[self.rel.child]}.{c} = {names[self.rel.parent]}.{p}" for c, p in pairs)
            source += f"\nINNER JOIN {self._ref(self.rel.parent, aliases.get(self.rel.parent))} ON {on}"
        if self.rel is not None and self.also is not None:
            also = self.also
            on = " AND ".join(f"{names[also.child]}.{c} = {names[also.parent]}.{p}" for c, p in also.pairs)
            source += f"\nINNER JOIN {self._ref(also.parent, aliases.get(also.parent))} ON {on}"
        sql = Select(columns, source, where, order=columns[:1], top=None if self.limit else self.top).text()
        return sql[:-1] + f"\nLIMIT {self.top};" if self.limit else sql

    def _ref(self, name: str, alias: str | None) -> str:
        nolock = " WITH (NOLOCK)" if self.nolock and self.d.ctx.catalog.style.require_nolock else ""
        return f"{name}{' ' + alias if alias else ''}{nolock}"

    def _column(self, table: str, column: str, names: dict[str, str]) -> str:
        if (table, column) == self.unqualified:
            return column
        return f"{names[table]}.{next((w for t, c, w in self.renamed if (t, c) == (table, column)), column)}"

    def _where(self, predicate: str, names: dict[str, str]) -> str:
        company = self.obj.company_column
        if self.company_as and company and predicate.startswith(f"{self.obj.name}.{company.name} "):
            predicate = predicate.replace(f".{company.name} ", f".{self.company_as} ", 1)
        for table in sorted(names, key=len, reverse=True):
            predicate = predicate.replace(f"{table}.", f"{names[table]}.")
        return predicate


def candidates(ctx: BuildContext):
    pools = Pools(seeds=[partial(_seed_fix, fix=fix) for fix in ctx.seeds.fixes if fits(ctx, fix.fixed)])
    pools.seeds += [partial(_unknown_table, item=item) for item in ctx.seeds.missing
                    if "." not in item.name and len(item.alternatives) == 1]
    for obj in queryable(ctx.catalog):
        if obj.key and not is_settings(obj):
            pools.add(ctx, obj, [partial(_single, obj=obj), partial(_single, obj=obj, several=True)]
                      + [partial(_syntax, obj=obj)] * (zlib.crc32(obj.name.encode()) % 2))
    lookups = _unique_lookups(ctx.catalog)
    by_child: dict[str, list[Relationship]] = defaultdict(list)
    for rel in queryable_relationships(ctx.catalog):
        child = ctx.catalog.object(rel.child)
        if child.key and label_of(ctx.catalog.object(rel.parent)) and not is_settings(child) \
                and not company_only(ctx.catalog, rel):
            by_child[rel.child].append(rel)
    for child, rels in by_child.items():  # one maker per child, a relationship drawn each time
        pools.add(ctx, ctx.catalog.object(child), [partial(_joined, rels=tuple(rels), lookups=lookups)])
    return stream(ctx, pools)


def _base(ctx: BuildContext, obj: CatalogObject, rel: Relationship | None = None,
          also: Relationship | None = None) -> Query:
    d = Draft(ctx, CATEGORY, obj, [r for r in (rel, also) if r], aliased=False)
    period = d.period() if ctx.rng.random() < 0.6 else None
    listed = d.listed(ctx.pick((2, 3))) if ctx.rng.random() < 0.5 else []
    columns = [(obj.name, c) for c in (listed or d.shown()[:4])]
    for joined in (r for r in (rel, also) if r):
        columns.append((joined.parent, label_of(ctx.catalog.object(joined.parent))))
    aliased = rel is not None and ctx.rng.random() < 0.8 or ctx.rng.random() < 0.4
    aliases = tuple(refs_aliases(d.tables)) if aliased else ()
    intent = f"{d.noun.many} {period[0]}" if period else d.noun.many
    if ctx.rng.random() < 0.4:  # the columns it is for, in words
        intent += " with " + listing([ctx.words.column(c) for _, c in columns[-3:]])
    top = d.values["n"] if ctx.rng.random() < 0.3 else None
    if top:
        intent = f"the first {top} {intent}"
    return Query(d, rel, tuple(columns), tuple(d.where + ([period[1]] if period else [])), intent.strip(),
                 aliases, top, also=also)


def refs_aliases(tables: list[str]) -> list[tuple[str, str]]:
    from vgpt2_ext.data.sqlgen import alias_of

    taken: set[str] = set()
    return [(t, alias_of(t, taken)) for t in tables]


@dataclass(frozen=True)
class Defect:
    """One way a query is broken: the reason the proof checks, what the answer says, what it names."""

    reason: str
    explain: str
    missing: tuple[str, ...] = ()
    suggest: tuple[str, ...] = ()
    error: tuple[str, str, str] | None = None  # (Msg number and level, message, token that locates its line)


def _unknown_column(ctx: BuildContext, q: Query) -> tuple[Query, Defect] | None:
    company = q.obj.company_column
    options = [(t, c, fake) for t, c in q.columns if t == q.obj.name and (company is None or c != company.name)
               for fake in misnamings(c)[:2]
               if not q.obj.has_column(fake) and not ctx.catalog.has(fake) and (t, c) not in
               {(r[0], r[1]) for r in q.renamed}]
    if not options:
        return None
    table, column, fake = ctx.pick(options)
    defect = Defect("unknown_column", f"{table} has no column {fake}: the {ctx.words.column(column)} is "
                                      f"{table}.{column}.", (f"{table}.{fake}",), (f"{table}.{column}",),
                    ("Msg 207, Level 16, State 1", f"Invalid column name '{fake}'.", fake))
    return replace(q, renamed=q.renamed + ((table, column, fake),)), defect


def _generic_co(ctx: BuildContext, q: Query) -> tuple[Query, Defect] | None:
    company = q.obj.company_column
    if company is None or company.name == "Co" or q.obj.has_column("Co") or q.company_as:
        return None
    defect = Defect("unknown_column", f"{q.obj.name} has no column Co: its company column is "
                                      f"{q.obj.name}.{company.name}.", (f"{q.obj.name}.Co",),
                    (f"{q.obj.name}.{company.name}",), ("Msg 207, Level 16, State 1", "Invalid column name 'Co'.",
                                                        ".Co "))
    return replace(q, company_as="Co"), defect


def _limit(ctx: BuildContext, q: Query) -> tuple[Query, Defect] | None:
    if not q.top or q.limit:
        return None
    return replace(q, limit=True), Defect(
        "limit", f"SQL Server has no LIMIT clause (that is MySQL or PostgreSQL): write TOP {q.top} right after "
                 f"SELECT.", error=("Msg 102, Level 15, State 1", "Incorrect syntax near 'LIMIT'.", "LIMIT"))


def _base_table(ctx: BuildContext, q: Query) -> tuple[Query, Defect] | None:
    if not q.obj.base_table or not ctx.catalog.style.prefer_views or q.base or q.table_as:
        return None
    return replace(q, base=True), Defect(
        "base_table", f"{q.obj.base_table} is the base table behind the view {q.obj.name}; the house style reads "
                      f"the view {q.obj.name}.")


def _nolock(ctx: BuildContext, q: Query) -> tuple[Query, Defect] | None:
    if not ctx.catalog.style.require_nolock or not q.nolock:
        return None
    return replace(q, nolock=False), Defect(
        "missing_nolock", "Every table reference needs WITH (NOLOCK) in the house style, so reports do not block "
                          "posting.")


CORRUPT = {"unknown_column": _unknown_column, "generic_co": _generic_co, "limit": _limit,
           "base_table": _base_table, "missing_nolock": _nolock}


def _single(ctx: BuildContext, obj: CatalogObject, several: bool = False) -> Example | None:
    """One defect (or, `several`, two or three at once) in a listing of `obj`."""
    q = _base(ctx, obj)
    if several:  # room for a LIMIT among the defects
        q = replace(q, top=q.top or q.d.values["n"], intent=q.intent if q.top else f"the first {q.d.values['n']} "
                                                                                   f"{q.intent}")
    names = list(COMBINABLE)
    ctx.rng.shuffle(names)
    defects: list[Defect] = []
    for name in names:
        found = CORRUPT[name](ctx, q)
        if found is not None:
            q, defect = found
            defects.append(defect)
        if len(defects) >= (ctx.pick((2, 2, 3)) if several else 1):
            break
    if not defects or (several and len(defects) < 2):
        return None
    return _example(ctx, _base_again(q), q, defects, "several" if several else defects[0].reason)


def _base_again(q: Query) -> Query:
    """The fix: the same query with every knob at rest."""
    return replace(q, renamed=(), company_as="", limit=False, base=False, nolock=True, dropped=(), unqualified=None,
                   table_as="")


def _syntax(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    q = _base(ctx, obj)
    fixed = q.text()
    good, bad, why, token = ctx.pick(SLIPS)
    if good == ";" and "\nORDER BY " in fixed:  # the WHERE clause ends before ORDER BY
        good, bad = "\nORDER BY ", " AND\nORDER BY "
    if good not in fixed or (bad.strip().startswith("AND") and not q.predicates):
        return None
    broken = fixed.replace(good, bad, 1)
    defect = Defect("syntax", f"The query does not parse. {why}",
                    error=("Msg 102, Level 15, State 1", f"Incorrect syntax near '{token}'.", bad.strip() or token))
    return _example(ctx, q, q, [defect], "syntax", broken_sql=broken)


def _unique_lookups(catalog: Catalog) -> set[Relationship]:
    """Child -> parent relationships whose parent label the child lacks and no other parent of the child has
    (JCCH.Description could be JCJM's, JCJP's or JCCT's: ambiguous, left out)."""
    by_lack: dict[tuple[str, str], list[Relationship]] = defaultdict(list)
    for rel in queryable_relationships(catalog):
        label = label_of(catalog.object(rel.parent))
        if label and not company_only(catalog, rel) and not catalog.object(rel.child).has_column(label):
            by_lack[(rel.child, label.lower())].append(rel)
    return {rels[0] for rels in by_lack.values() if len(rels) == 1}


def _joined(ctx: BuildContext, rels: tuple[Relationship, ...], lookups: set[Relationship]) -> Example | None:
    """A lookup through one of `rels` broken one way: a key pair dropped, a parent column asked of the child,
    or an unqualified column both tables have."""
    rel = ctx.pick(rels)
    lookup = rel in lookups
    others = [r for r in rels if r.parent not in (rel.parent, rel.child)]
    also = ctx.pick(others) if others and ctx.rng.random() < 0.6 else None
    q = _base(ctx, ctx.catalog.object(rel.child), rel, also)
    child, parent = ctx.catalog.object(rel.child), ctx.catalog.object(rel.parent)
    label = q.columns[-2 if also else -1][1]
    options = ["missing_join_key"] if len(rel.pairs) > 1 else []
    if lookup:
        options.append("wrong_table")
    shared = [c for t, c in q.columns if t == child.name and parent.has_column(c) and c not in rel.child_columns]
    if shared:
        options.append("ambiguous_column")
    if not options:
        return None
    kind = ctx.pick(options)
    if kind == "missing_join_key":
        scope = [p for p in rel.pairs if _is_scope(child, p[0])] or [rel.pairs[0]]
        if len(scope) == len(rel.pairs):
            return None
        dropped = listing([f"{rel.child}.{c} = {rel.parent}.{p}" for c, p in scope])
        defect = Defect("missing_join_key", f"The join to {rel.parent} is missing part of its key: it also needs "
                                            f"{dropped}. On fewer key columns each row matches {rel.parent} rows of "
                                            f"other companies or groups, and the results multiply.")
        return _example(ctx, q, replace(q, dropped=tuple(scope)), [defect], "missing_join_key", rows=True)
    if kind == "wrong_table":  # the lookup alone: the parent's label asked of the child
        q = replace(q, also=None, columns=q.columns[:-2] + q.columns[-2:-1] if also else q.columns)
        broken = replace(q, rel=None, columns=q.columns[:-1] + ((child.name, label),))
        defect = Defect("wrong_table", f"{child.name} has no column {label}: {label} is on {parent.name}. Join "
                                       f"{parent.name} on its full key and take {parent.name}.{label}.",
                        (f"{child.name}.{label}",), (f"{parent.name}.{label}",),
                        ("Msg 207, Level 16, State 1", f"Invalid column name '{label}'.", label))
        return _example(ctx, q, broken, [defect], "wrong_table")
    column = ctx.pick(shared)
    defect = Defect("ambiguous_column", f"{column} is a column of both {child.name} and {parent.name}; qualify it "
                                        f"with the table it comes from.",
                    error=("Msg 209, Level 16, State 1", f"Ambiguous column name '{column}'.", column))
    return _example(ctx, q, replace(q, unqualified=(child.name, column)), [defect], "ambiguous_column")


def _is_scope(obj: CatalogObject, name: str) -> bool:
    column = obj.column(name)
    return column is not None and (column.is_company or (column.domain or "").lower() == "bgroup")


def _unknown_table(ctx: BuildContext, item) -> Example | None:
    """A curated missing table (`Invoices`) written where its one real alternative belongs."""
    real = ctx.catalog.find(item.alternatives[0])
    if real is None or not real.key or real.name not in queryable_names(ctx.catalog):
        return None
    q = _base(ctx, real)
    broken = replace(q, table_as=item.name)
    defect = Defect("unknown_table", f"There is no table or view named {item.name} in Vista; use {real.name} "
                                     f"({ctx.noun(real).many}).", (item.name,), (real.name,),
                    ("Msg 208, Level 16, State 1", f"Invalid object name '{item.name}'.", item.name))
    return _example(ctx, q, broken, [defect], "unknown_table", source=seed_source(ctx, item.id))


def _example(ctx: BuildContext, fixed: Query, broken: Query, defects: list[Defect], template: str, *,
             rows: bool = False, source: str = "", broken_sql: str = "") -> Example:
    sql = broken_sql or broken.text()
    question = _question(ctx, fixed, sql, defects, rows)
    if len(defects) == 1:
        text = answer(f"{defects[0].explain} Fixed:", fixed.text())
    else:
        listed = "\n".join(f"{i}. {d.explain}" for i, d in enumerate(defects, 1))
        text = answer(f"{len(defects)} problems:\n{listed}\n\nFixed:", fixed.text())
    return Example(CATEGORY, source or f"schema:{template}", template, question, text, broken_sql=sql,
                   broken_reasons=tuple(dict.fromkeys(d.reason for d in defects)),
                   missing=tuple(m for d in defects for m in d.missing),
                   suggest=tuple(s for d in defects for s in d.suggest), anchor=fixed.obj.name)


def _question(ctx: BuildContext, q: Query, sql: str, defects: list[Defect], rows: bool) -> str:
    values = q.d.values
    scope = q.d.scope
    errors = [d.error for d in defects if d.error]
    if rows:
        return ctx.ask("fix_rows", values, sql=sql, intent=q.intent, scope=scope)
    if errors and ctx.rng.random() < 0.7:
        number, message, token = sorted(errors, key=lambda e: e[0].split(",")[1])[0]
        line = next((i for i, text in enumerate(sql.splitlines(), 1) if token in text), 1)
        symptom = f"```\n{number}, Line {line}\n{message}\n```"
        return ctx.ask("fix_error", values, sql=sql, intent=q.intent, symptom=symptom, scope=scope)
    if not errors and ctx.rng.random() < 0.6:
        return ctx.ask("fix_review", values, sql=sql, intent=q.intent, scope=scope)
    return ctx.ask("fix_intent" if ctx.rng.random() < 0.9 else "fix_query", values, sql=sql, intent=q.intent,
                   scope=scope)


def _seed_fix(ctx: BuildContext, fix: Fix) -> Example:
    values = seed_values(ctx, fix.broken + " {scope}")
    broken = fill(fix.broken, values)
    question = ctx.ask("fix_query", values, sql=broken)
    return Example(CATEGORY, seed_source(ctx, fix.id), fix.id, question,
                   answer(fill(fix.explain, values), fill(fix.fixed, values)),
                   missing=fix.missing, broken_sql=broken, broken_reasons=fix.reasons)
