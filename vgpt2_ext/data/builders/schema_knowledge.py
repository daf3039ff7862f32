"""`schema_knowledge`: which table holds what users ask about, its key, columns, types and codes, how to filter it
by company, view versus base table, what a Vista data type means.

Questions about objects the vocabulary names are asked in business words ("Where are vendor invoices kept?",
"Which column has the invoice total on AP invoices?"); the others by code. Answers say only what the catalog
holds: a column count or an "only X has" claim is made only from a complete catalog (`Catalog.complete`: an
export, or an overlay on one); from a partial one (a standalone YAML) an answer lists what it knows without
counting. Seed `concepts` and `domains` add the curated knowledge; each concept phrasing is asked once.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import CatalogObject, Column
from vgpt2_ext.data.builders.common import (
    BuildContext,
    Maker,
    Pools,
    answer,
    is_settings,
    listing,
    queryable,
    stream,
)
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.builders.intents import seed_source
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import SKIPPED, roles_of
from vgpt2_ext.data.sqlgen import Select

CATEGORY = "schema_knowledge"
COLUMN_LIMIT = 40  # columns listed in full before an answer says how many more there are
TYPED_COLUMNS = 4  # column lookups per object and round (a column drawn each time), not one per column
COLUMN_QUESTIONS = 0.3  # share of questions about where a column is (asked by its name or in its words)


def candidates(ctx: BuildContext):
    objects = queryable(ctx.catalog)
    pools = Pools(seeds=[partial(_concept, concept=c) for c in ctx.seeds.concepts])
    for obj in objects:
        pools.add(ctx, obj, object_makers(ctx, obj))
    pools.extra["columns"] = ([partial(_home, column=name) for name in _column_names(objects)], COLUMN_QUESTIONS)
    pools.coded += [partial(_domain, domain=d, columns=cols) for d, cols in _domains(objects).items()]
    return stream(ctx, pools)


def object_makers(ctx: BuildContext, obj: CatalogObject) -> list[Maker]:
    """The questions about one object; the view-or-table ones, alike for every object, for a third of those
    without business words (what a row holds, its key and columns are asked of every object)."""
    roles = roles_of(obj)
    makers: list[Maker] = [partial(_purpose, obj=obj), partial(_key, obj=obj), partial(_columns, obj=obj),
                           partial(_company, obj=obj)]
    makers += [partial(_column, obj=obj)] * min(TYPED_COLUMNS, len(obj.columns))
    makers += [partial(_codes, obj=obj, column=c) for c in roles.coded]
    makers += [partial(_flag, obj=obj, column=c) for c in roles.flags[:2]]
    if ctx.worded(obj) or zlib.crc32(obj.name.encode()) % 3 == 0:
        makers.append(partial(_kind, obj=obj))
        if obj.base_table:
            makers.append(partial(_base, obj=obj))
    return makers


def _example(template: str, question: str, text: str, anchor: str = "", kind: str = "") -> Example:
    return Example(CATEGORY, f"schema:{template}", template, question, text, anchor=anchor, kind=kind)


def about(obj: CatalogObject) -> str:
    """One sentence on what `obj` is: its description, else what its key and module say."""
    if obj.description:
        return f"{obj.name}: {obj.description}"
    kind = f"a view over the base table {obj.base_table}" if obj.base_table else (
        "a view" if obj.kind == "view" else "a table")
    module = f" in the {obj.module} module" if obj.module else ""
    key = f", one row per {', '.join(obj.key)}" if obj.key else ""
    return f"{obj.name} is {kind}{module}{key}."


def _ask(ctx: BuildContext, template: str, obj: CatalogObject | None = None, **slots: str) -> str:
    """A question about `obj` in its business words when it has them, by code otherwise."""
    if obj is not None:
        noun = ctx.noun(obj)
        slots = {"table": obj.name, "things": noun.many, "thing": noun.one, **slots}
        if ctx.worded(obj):
            template += "_worded"
    return ctx.ask(template, ctx.values(), **slots)


def _purpose(ctx: BuildContext, obj: CatalogObject) -> Example:
    roles = roles_of(obj)
    shown = [c.name for c in (*roles.key, *roles.money, *roles.texts)][:8] or list(obj.column_names[:8])
    lead = f"{obj.name} holds the {ctx.noun(obj).many}. " if ctx.worded(obj) else ""
    text = f"{lead}{about(obj)} Main columns: {listing(shown)}."
    return _example("table_purpose", _ask(ctx, "table_purpose", obj), text, obj.name)


def _key(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not obj.key:
        return None
    text = f"The unique key of {obj.name} is ({', '.join(obj.key)}): one row per {listing(list(obj.key))}."
    company = obj.company_column
    if company and company.name in obj.key:
        text += f" {company.name} is the company; always filter it."
    return _example("table_key", _ask(ctx, "table_key", obj), text, obj.name)


def _columns(ctx: BuildContext, obj: CatalogObject) -> Example:
    names = obj.column_names
    if ctx.catalog.complete:
        text = f"{obj.name} has {len(names)} columns: {listing(names, COLUMN_LIMIT)}."
    else:  # a partial catalog may not hold every column: list, never count
        text = f"The columns of {obj.name} this catalog describes include {listing(names, COLUMN_LIMIT, 'others')}."
    return _example("table_columns", _ask(ctx, "table_columns", obj), text, obj.name)


def _kind(ctx: BuildContext, obj: CatalogObject) -> Example:
    if obj.base_table:
        text = (f"{obj.name} is a view over the base table {obj.base_table}. Query the view {obj.name}"
                f"{', not ' + obj.base_table if ctx.catalog.style.prefer_views else ''}.")
    elif obj.kind == "view":
        text = f"{obj.name} is a view (a reporting view that reads other tables), not a base table."
    else:
        text = f"{obj.name} is a base table with no view over it, so queries read {obj.name} directly."
    return _example("view_or_table", _ask(ctx, "view_or_table", obj), text, obj.name)


def _base(ctx: BuildContext, obj: CatalogObject) -> Example:
    text = (f"{obj.base_table} is the base table behind the view {obj.name}. Both have the same columns; "
            f"write queries against {obj.name}.")
    question = ctx.ask("base_table", ctx.values(), table=obj.base_table, base=obj.base_table)
    return _example("base_table", question, text, obj.name)


def _company(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    column = obj.company_column
    if column is None or is_settings(obj):
        return None
    d = Draft(ctx, CATEGORY, obj)
    shown = [d.name(obj.name, n) for n in d.shown()[:4]]
    select = Select(shown, d.name.table(obj.name), d.where, order=shown[:1])
    value = d.company.value(column)
    lead = (f"The company column of {obj.name} is {column.name} ({column.domain or column.sql_type}); constrain "
            f"it to one company ({column.name} = {value}):")
    question = d.ask("company_column_worded" if ctx.worded(obj) else "company_column", table=obj.name)
    return _example("company_column", question, answer(lead, select.text()), obj.name)


def _column(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """Where a column is and what it holds, for a column drawn among the object's typed ones."""
    typed = [c for c in obj.columns if c.sql_type and c.name.lower() not in SKIPPED and not c.name.startswith("ud")]
    if not typed:
        return None
    column = ctx.pick(typed)
    text = f"{obj.name}.{column.name} is {column.sql_type}"
    if column.domain:
        text += f", of the Vista data type {column.domain}"
    text += ", not nullable." if not column.nullable else ", nullable."
    if column.description:
        text += f" {column.description}"
    if column.domain and column.domain in (ctx.seeds.domains or {}):
        text += f" {column.domain}: {ctx.seeds.domains[column.domain]}"
    if ctx.worded(obj):
        text = f"The {ctx.words.column(column)} of {ctx.noun(obj).many} is {obj.name}.{column.name}. {text}"
    return _example("column_type", _ask(ctx, "column_type", obj, column=column.name,
                                        measure=ctx.words.column(column)), text, obj.name)


def _codes(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    meanings = "; ".join(f"{c.value} = {c.meaning}" for c in column.codes)
    text = f"{obj.name}.{column.name} takes these codes: {meanings}."
    question = _ask(ctx, "column_codes", obj, column=column.name, measure=ctx.words.column(column))
    return _example("column_codes", question, text, obj.name)


def _flag(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    adjective = ctx.words.flag(column)
    flagged = f"{d.name(obj.name, column.name)} = 'Y'"
    select = Select(["COUNT(*) AS Flagged"], d.name.table(obj.name), d.where + [flagged])
    lead = (f"{obj.name}.{column.name} is a Y/N flag: 'Y' means {adjective}, 'N' not. Count the "
            f"{d.noun.many} that are {adjective}:")
    question = d.ask("flag_meaning", adjective=adjective)
    return _example("flag_meaning", question, answer(lead, select.text()), obj.name)


def _home(ctx: BuildContext, column: str) -> Example:
    """Which objects have a column, asked by its name or, more often, in its words ("the haul pay tax amount")."""
    holders = _holders(ctx, column)
    words = ctx.words.column(column)
    if not ctx.catalog.complete:  # other objects may have it: name the known ones, claim nothing more
        text = f"A column named {column} is on {listing(holders)}."
    elif len(holders) == 1:
        text = f"Only {holders[0]} has a column named {column}."
    else:
        text = f"{len(holders)} views and tables you query have a column named {column}: {listing(holders)}."
    if ctx.rng.random() < 0.7 and words.lower() != column.lower():
        question = ctx.ask("column_home_worded", ctx.values(), measure=words)
        text = f"The {words} is kept in columns named {column}. {text}"
    else:
        question = ctx.ask("column_home", ctx.values(), column=column)
    return _example("column_home", question, text)


def _holders(ctx: BuildContext, column: str) -> list[str]:
    """The queryable objects with a column named `column` (an index built once per build)."""
    if "holders" not in ctx.memo:
        index: dict[str, list[str]] = defaultdict(list)
        for obj in queryable(ctx.catalog):
            for c in obj.columns:
                index[c.name.lower()].append(obj.name)
        ctx.memo["holders"] = index
    return ctx.memo["holders"][column.lower()]


def _domain(ctx: BuildContext, domain: str, columns: list[str]) -> Example:
    meaning = (ctx.seeds.domains or {}).get(domain)
    text = f"{domain} is a Vista data type" + (f": {meaning}" if meaning else ".")
    text += f" Columns of this type include {listing(columns, 8, 'others')}."
    return _example("domain_meaning", ctx.ask("domain_meaning", ctx.values(), domain=domain), text)


def _concept(ctx: BuildContext, concept) -> Example | None:
    """A curated concept, each of its phrasings asked once in a build."""
    asked = ctx.memo.setdefault("concepts", set())
    fresh = [q for q in concept.questions if (concept.id, q) not in asked]
    if not fresh:
        return None
    question = ctx.pick(fresh)
    asked.add((concept.id, question))
    return Example(CATEGORY, seed_source(ctx, concept.id), concept.id, question, concept.answer)


def _column_names(objects: tuple[CatalogObject, ...]) -> list[str]:
    """Distinct column names (first spelling) of typed columns, excluding housekeeping ones."""
    seen: dict[str, str] = {}
    for obj in objects:
        for c in obj.columns:
            if c.sql_type and not c.name.lower().startswith("ud"):
                seen.setdefault(c.name.lower(), c.name)
    return list(seen.values())


def _domains(objects: tuple[CatalogObject, ...]) -> dict[str, list[str]]:
    """Vista data type -> `Table.Column`s using it (first spelling of the domain)."""
    found: dict[str, list[str]] = defaultdict(list)
    spelling: dict[str, str] = {}
    for obj in objects:
        for c in obj.columns:
            if c.domain:
                found[spelling.setdefault(c.domain.lower(), c.domain)].append(f"{obj.name}.{c.name}")
    return dict(found)
