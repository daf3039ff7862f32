"""`hallucination`: questions about objects that do not exist -> a clear statement that they do not, the real
table or column to use and, where the intent is answerable, the query; and questions doubting objects that do
exist -> a confirmation, so the model does not learn to refuse whatever sounds unfamiliar.

- Seed `missing` entries: the classic inventions (Invoice, Vendors, EmployeeMaster, APTH.Status,
  JCJM.ProjectName ...), curated against the real Vista inventory, with their real alternatives.
- Contrast rows: a real table or column a user doubts ("Is there really an APTL table?", "Does APTH have an
  APRef column, or is it InvoiceNumber?") -> "Yes, ..." with what it holds.
- From a complete catalog only (every object with all its columns, `Catalog.complete`), where "does not exist"
  is a fact: a column that lives on a related table (APTH.Status -> APTD.Status, joined on the full key), a
  misremembered column name (APTH.InvoiceTotal -> InvTotal), a Vista-looking table code one letter away from a
  real one, and questions mixing a real column with a missing one (the answer denies the missing one and queries
  the real one). A partial catalog (a standalone YAML) cannot know what is missing from Vista, so it gets only
  the curated seeds and contrast rows.

The proof checks that every named missing object really is missing, that the judge reads the answer as a
refusal pointing to the alternatives, and that a contrast answer denies nothing real.
"""

from __future__ import annotations

import string
from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Column, Relationship
from vgpt2_ext.data.builders.common import BuildContext, Maker, Pools, answer, company_only, listing, queryable, stream
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.builders.intents import fits, seed_source, seed_values
from vgpt2_ext.data.builders.join_patterns import pairs_text, queryable_relationships
from vgpt2_ext.data.builders.schema_knowledge import about
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.misnaming import misnamings
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.seeds import Missing
from vgpt2_ext.data.sqlgen import Select

CATEGORY = "hallucination"
CONTRAST = 0.15  # share of the category confirming objects users doubt
# column names people expect on any table; a template asks for one a table lacks but a related table has
EXPECTED_COLUMNS = ("Status", "Name", "Description", "Amount", "Vendor", "Customer", "Job", "Contract",
                    "Employee", "Phase", "GLAcct", "DueDate", "InvDate", "ActualCost", "Retainage", "Notes")


def candidates(ctx: BuildContext):
    pools = Pools(seeds=[partial(_seed, item=item) for item in ctx.seeds.missing if fits(ctx, item.sql)])
    contrast: list[Maker] = []
    for obj in queryable(ctx.catalog):
        if not obj.key:
            continue
        contrast += [partial(_contrast_table, obj=obj), partial(_contrast_column, obj=obj)]
        if ctx.catalog.complete:
            makers: list[Maker] = [partial(_renamed_column, obj=obj), partial(_mixed, obj=obj)]
            if obj.base_table:
                makers.append(partial(_table_code, obj=obj))
            pools.add(ctx, obj, makers)
    # confirmations stay the smaller part of the category, on a partial catalog (only seeds deny there) too
    pools.extra["contrast"] = (contrast, CONTRAST if ctx.catalog.complete else ctx.weights["seeds"] / 5)
    if ctx.catalog.complete:
        seeded = {item.name.lower() for item in ctx.seeds.missing}
        for (asked, column), (home, rel) in _unique_homes(ctx.catalog).items():
            if f"{asked}.{column}".lower() not in seeded:
                pools.add(ctx, ctx.catalog.object(asked),
                          [partial(_related_column, asked=asked, column=column, home=home, rel=rel)])
    return stream(ctx, pools)


def _deny(ctx: BuildContext, values: dict[str, str], missing: str) -> str:
    """A refusal sentence for `missing` (`Invoice` or `APTH.Status`), in one of the seed phrasings."""
    table, _, column = missing.rpartition(".")
    if table and ctx.catalog.has(column):  # `GLCo` alone would read as the table GLCO: keep the name dotted
        return f"{missing} does not exist."
    if table:
        return ctx.ask("deny_column", values, table=table, column=column, missing=missing)
    return ctx.ask("deny_table", values, missing=missing)


def _seed(ctx: BuildContext, item: Missing) -> Example:
    phrasing = ctx.phrase(item.questions)
    values = seed_values(ctx, phrasing)
    question = fill(phrasing, values)
    lead = f"{_deny(ctx, values, item.name)} {fill(item.explain, values)}"
    return Example(CATEGORY, seed_source(ctx, item.id), item.id, question,
                   answer(lead, fill(item.sql, values) if item.sql else ""),
                   missing=(item.name,), suggest=item.alternatives)


def _contrast_table(ctx: BuildContext, obj: CatalogObject) -> Example:
    """A real table a user doubts: confirm it and say what it holds."""
    noun = ctx.noun(obj)
    question = ctx.ask("doubt_table_worded" if ctx.worded(obj) else "doubt_table", ctx.values(), table=obj.name,
                       things=noun.many)
    holds = f" It holds the {noun.many}." if ctx.worded(obj) else ""
    text = f"Yes, {obj.name} exists in Vista.{holds} {about(obj)}"
    return Example(CATEGORY, "schema:contrast_table", "contrast_table", question, text, suggest=(obj.name,),
                   anchor=obj.name, kind="contrast")


def _contrast_column(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """A real column with an abbreviated name a user doubts ("APRef, or InvoiceNumber?"): confirm it; deny the
    guess only when the catalog is complete."""
    roles = roles_of(obj)
    options = [c for c in (*roles.money, *roles.dates, *roles.texts, *roles.flags) if misnamings(c.name)]
    if not options:
        return None
    column = ctx.pick(options)
    guess = next((n for n in misnamings(column.name) if not obj.has_column(n) and not ctx.catalog.has(n)), None)
    question = ctx.ask("doubt_column", ctx.values(), table=obj.name, column=column.name, fake=guess or "something else",
                       measure=ctx.words.column(column))
    text = f"Yes, {obj.name}.{column.name} exists ({column.sql_type}{', ' + column.domain if column.domain else ''})"
    text += f": the {ctx.words.column(column)}." + (f" {column.description}" if column.description else "")
    missing: tuple[str, ...] = ()
    if guess and ctx.catalog.complete:
        text += f" {obj.name} has no column {guess}; use {column.name}."
        missing = (f"{obj.name}.{guess}",)
    return Example(CATEGORY, "schema:contrast_column", "contrast_column", question, text,
                   missing=missing, suggest=(f"{obj.name}.{column.name}",), anchor=obj.name, kind="contrast")


def _unique_homes(catalog: Catalog) -> dict[tuple[str, str], tuple[str, Relationship]]:
    """(table, expected column it lacks) -> the one related table that has it, and the join. A column with
    several possible homes (JCJM.Status: POHD? SLHD?) is ambiguous and left out; so are company-master
    lookups (`APTH.Name` is not the company's name on HQCO)."""
    found: dict[tuple[str, str], dict[str, Relationship]] = defaultdict(dict)
    for rel in queryable_relationships(catalog):
        if company_only(catalog, rel):
            continue
        for asked, home in ((rel.child, rel.parent), (rel.parent, rel.child)):
            obj, other = catalog.object(asked), catalog.object(home)
            for column in EXPECTED_COLUMNS:
                held = other.column(column)
                if obj.key and other.key and held is not None and held.sql_type and not obj.has_column(column):
                    found[(asked, column)].setdefault(home, rel)
    return {key: next(iter(homes.items())) for key, homes in found.items() if len(homes) == 1}


def _related_column(ctx: BuildContext, asked: str, column: str, home: str, rel: Relationship) -> Example:
    """`APTH.Status` asked; `Status` is on APTD, which joins APTH on its key."""
    obj, other = ctx.catalog.object(asked), ctx.catalog.object(home)
    column = other.column(column).name
    missing = f"{obj.name}.{column}"
    d = Draft(ctx, CATEGORY, obj, [rel])
    shown = [d.name(obj.name, n) for n in d.shown()[:3]] + [d.name(home, column)]
    source = f"{d.name.table(obj.name)}\n{d.name.join(rel, home)}"
    sql = Select(shown, source, d.where, order=shown[:1]).text()
    lead = (f"{_deny(ctx, d.values, missing)} {column} is on {home}, which joins {obj.name} on "
            f"{pairs_text(rel)}. Use {home}.{column}:")
    question = d.ask("missing_column_worded" if ctx.worded(obj) else "missing_column", table=obj.name, column=column)
    return Example(CATEGORY, "schema:related_column", "related_column", question, answer(lead, sql),
                   missing=(missing,), suggest=(f"{home}.{column}",), anchor=obj.name)


def _guesses(obj: CatalogObject, ctx: BuildContext) -> list[tuple[Column, str]]:
    roles = roles_of(obj)
    real = (*roles.money, *roles.dates, *roles.flags, *roles.texts)
    return [(c, name) for c in real for name in misnamings(c.name)
            if not obj.has_column(name) and not name.endswith("s") and not ctx.catalog.has(name)]


def _renamed_column(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """`APTH.InvoiceTotal` asked; the column is `APTH.InvTotal`."""
    options = _guesses(obj, ctx)
    if not options:
        return None
    column, fake = ctx.pick(options)
    d = Draft(ctx, CATEGORY, obj)
    shown = [d.name(obj.name, n) for n in dict.fromkeys([*d.shown()[:3], column.name])]
    sql = Select(shown, d.name.table(obj.name), d.where, order=shown[:1]).text()
    missing = f"{obj.name}.{fake}"
    lead = f"{_deny(ctx, d.values, missing)} The column is {obj.name}.{column.name}:"
    question = d.ask("missing_column_worded" if ctx.worded(obj) else "missing_column", table=obj.name, column=fake)
    return Example(CATEGORY, "schema:renamed_column", "renamed_column", question, answer(lead, sql),
                   missing=(missing,), suggest=(f"{obj.name}.{column.name}",), anchor=obj.name)


def _mixed(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """A question naming a real column and a missing one: deny the missing one, query the real one."""
    options = _guesses(obj, ctx)
    roles = roles_of(obj)
    reals = [c for c in (*roles.texts, *roles.money, *roles.dates) if c.name not in (o[0].name for o in options)]
    if not options or not reals:
        return None
    column, fake = ctx.pick(options)
    real = ctx.pick(reals)
    d = Draft(ctx, CATEGORY, obj)
    shown = [d.name(obj.name, n) for n in dict.fromkeys([*d.shown()[:2], real.name, column.name])]
    sql = Select(shown, d.name.table(obj.name), d.where, order=shown[:1]).text()
    missing = f"{obj.name}.{fake}"
    lead = (f"{obj.name}.{real.name} exists, but {_deny(ctx, d.values, missing)} The {ctx.words.column(column)} "
            f"is {obj.name}.{column.name}. Both together:")
    question = d.ask("mixed_columns", table=obj.name, real=real.name, fake=fake)
    return Example(CATEGORY, "schema:mixed_columns", "mixed_columns", question, answer(lead, sql),
                   missing=(missing,), suggest=(f"{obj.name}.{column.name}", f"{obj.name}.{real.name}"),
                   anchor=obj.name, kind="mixed")


def _table_code(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """A Vista-looking code one letter from a real view (`APTX` near `APTH`) that the catalog lacks, answered
    only by the view it is closest to, so a code always gets the same alternatives."""
    name = obj.name
    if len(name) != 4 or not name.isupper():
        return None
    fakes = [name[:3] + letter for letter in string.ascii_uppercase if not ctx.catalog.has(name[:3] + letter)]
    if not fakes:
        return None
    fake, values = ctx.pick(fakes), ctx.values()
    alternatives = [n for n in ctx.catalog.suggest_objects(fake, 6) if ctx.catalog.object(n).kind == "view"][:3]
    if not alternatives or alternatives[0] != name:
        return None  # the code is closest to another object: that object's template answers it
    lead = (f"{_deny(ctx, values, fake)} The closest real names are {listing(alternatives)}. "
            f"If you meant {name}: {about(obj)}")
    question = ctx.ask("missing_table", values, missing=fake)
    return Example(CATEGORY, "schema:table_code", "table_code", question, answer(lead),
                   missing=(fake,), suggest=tuple(alternatives), anchor=obj.name)
