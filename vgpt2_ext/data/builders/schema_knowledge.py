"""`schema_knowledge`: what a table holds, its key, its columns, types and codes, which table holds a concept,
view versus base table, and what a Vista data type means.

Templates work on any catalog (a description is used when the catalog has one, else the answer is derived from
the key, the module and the columns); seed `concepts` and `domains` add the curated knowledge.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import CatalogObject, Column
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, listing, queryable, stream
from vgpt2_ext.data.builders.intents import seed_source
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select, company_filter, ref

CATEGORY = "schema_knowledge"
COLUMN_LIMIT = 40  # columns listed in full before an answer says how many more there are


def candidates(ctx: BuildContext):
    objects = queryable(ctx.catalog)
    makers: list[Maker] = []
    for obj in objects:
        makers += [partial(_purpose, obj=obj), partial(_key, obj=obj), partial(_columns, obj=obj),
                   partial(_kind, obj=obj), partial(_company, obj=obj)]
        makers += [partial(_column_type, obj=obj, column=c) for c in obj.columns if c.sql_type]
        makers += [partial(_codes, obj=obj, column=c) for c in obj.columns if c.codes]
        if obj.base_table:
            makers.append(partial(_base, obj=obj))
    makers += [partial(_home, column=name) for name in _column_names(objects)]
    makers += [partial(_domain, domain=d, columns=cols) for d, cols in _domains(objects).items()]
    seeded = [partial(_concept, concept=c) for c in ctx.seeds.concepts]
    return stream(ctx, makers, seeded)


def _example(template: str, question: str, text: str, anchor: str = "") -> Example:
    return Example(CATEGORY, f"schema:{template}", template, question, text, anchor=anchor)


def _about(obj: CatalogObject) -> str:
    """One sentence on what `obj` is: its description, else what its key and module say."""
    if obj.description:
        return f"{obj.name}: {obj.description}"
    kind = f"a view over the base table {obj.base_table}" if obj.base_table else (
        "a view" if obj.kind == "view" else "a table")
    module = f" in the {obj.module} module" if obj.module else ""
    key = f", one row per {', '.join(obj.key)}" if obj.key else ""
    return f"{obj.name} is {kind}{module}{key}."


def _purpose(ctx: BuildContext, obj: CatalogObject) -> Example:
    roles = roles_of(obj)
    shown = [c.name for c in (*roles.key, *roles.money, *roles.texts)][:8] or list(obj.column_names[:8])
    text = f"{_about(obj)} Main columns: {listing(shown)}."
    return _example("table_purpose", ctx.ask("table_purpose", ctx.values(), table=obj.name), text, obj.name)


def _key(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not obj.key:
        return None
    text = f"The unique key of {obj.name} is ({', '.join(obj.key)}): one row per {listing(list(obj.key))}."
    company = obj.company_column
    if company and company.name in obj.key:
        text += f" {company.name} is the company; always filter it."
    return _example("table_key", ctx.ask("table_key", ctx.values(), table=obj.name), text, obj.name)


def _columns(ctx: BuildContext, obj: CatalogObject) -> Example:
    names = obj.column_names
    text = f"{obj.name} has {len(names)} columns: {listing(names, COLUMN_LIMIT)}."
    return _example("table_columns", ctx.ask("table_columns", ctx.values(), table=obj.name), text, obj.name)


def _kind(ctx: BuildContext, obj: CatalogObject) -> Example:
    if obj.base_table:
        text = (f"{obj.name} is a view over the base table {obj.base_table}. Query the view {obj.name}"
                f"{', not ' + obj.base_table if ctx.catalog.style.prefer_views else ''}.")
    elif obj.kind == "view":
        text = f"{obj.name} is a view (a reporting view that reads other tables), not a base table."
    else:
        text = f"{obj.name} is a base table with no view over it, so queries read {obj.name} directly."
    return _example("view_or_table", ctx.ask("view_or_table", ctx.values(), table=obj.name), text, obj.name)


def _base(ctx: BuildContext, obj: CatalogObject) -> Example:
    text = (f"{obj.base_table} is the base table behind the view {obj.name}. Both have the same columns; "
            f"write queries against {obj.name}.")
    question = ctx.ask("base_table", ctx.values(), table=obj.base_table, base=obj.base_table)
    return _example("base_table", question, text, obj.name)


def _company(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    column = obj.company_column
    if column is None:
        return None
    values = ctx.values()
    shown = list(dict.fromkeys([column.name, *obj.key[:3]]))
    sql = Select([f"{obj.name}.{n}" for n in shown], ref(ctx.catalog, obj.name), company_filter(obj, values["co"]),
                 top="5").text()
    lead = f"The company column of {obj.name} is {column.name} ({column.domain or column.sql_type}). Filter it:"
    question = ctx.ask("company_column", values, table=obj.name)
    return _example("company_column", question, answer(lead, sql), obj.name)


def _column_type(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    text = f"{obj.name}.{column.name} is {column.sql_type}"
    if column.domain:
        text += f", of the Vista data type {column.domain}"
    text += ", not nullable." if not column.nullable else ", nullable."
    if column.description:
        text += f" {column.description}"
    if column.domain and column.domain in (ctx.seeds.domains or {}):
        text += f" {column.domain}: {ctx.seeds.domains[column.domain]}"
    question = ctx.ask("column_type", ctx.values(), table=obj.name, column=column.name)
    return _example("column_type", question, text, obj.name)


def _codes(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    values = ctx.values()
    code = ctx.pick(column.codes)
    meanings = "; ".join(f"{c.value} = {c.meaning}" for c in column.codes)
    literal = code.value if (column.sql_type or "").startswith(("tinyint", "smallint", "int")) else f"'{code.value}'"
    where = company_filter(obj, values["co"]) + [f"{obj.name}.{column.name} = {literal}"]
    sql = Select([f"{obj.name}.{n}" for n in obj.key], ref(ctx.catalog, obj.name), where, top=values["n"]).text()
    lead = f"{obj.name}.{column.name} takes these codes: {meanings}. For example, the {code.meaning} rows:"
    question = ctx.ask("column_codes", values, table=obj.name, column=column.name)
    return _example("column_codes", question, answer(lead, sql), obj.name)


def _home(ctx: BuildContext, column: str) -> Example:
    holders = [o.name for o in queryable(ctx.catalog) if o.has_column(column)]
    if len(holders) == 1:
        text = f"Only {holders[0]} has a column named {column}."
    else:
        text = f"{len(holders)} tables have a column named {column}: {listing(holders)}."
    return _example("column_home", ctx.ask("column_home", ctx.values(), column=column), text)


def _domain(ctx: BuildContext, domain: str, columns: list[str]) -> Example:
    meaning = (ctx.seeds.domains or {}).get(domain)
    text = f"{domain} is a Vista data type" + (f": {meaning}" if meaning else ".")
    text += f" Columns of this type include {listing(columns, 8)}."
    return _example("domain_meaning", ctx.ask("domain_meaning", ctx.values(), domain=domain), text)


def _concept(ctx: BuildContext, concept) -> Example:
    return Example(CATEGORY, seed_source(ctx, concept.id), concept.id, ctx.phrase(concept.questions), concept.answer)


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
