"""`hallucination`: questions about plausible objects that do not exist -> a clear statement that the object
does not exist, the real table or column to use, and, where the intent is answerable, the correct query.

Seed `missing` entries carry the classic inventions (Invoice, Customer, Vendors, EmployeeMaster, APTH.Status,
JCJM.ProjectName ...) with their real alternatives. Templates over the schema add, on any catalog: a column
that lives on a related table (APTH.Status -> APTD.Status, joined on the full key), a misremembered column name
(APTH.InvoiceTotal -> APTH.InvTotal), and a Vista-looking table code one letter away from a real one. The
proof checks that every named missing object really is missing and that the judge reads the answer as a
refusal pointing to the alternatives.
"""

from __future__ import annotations

import string
from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, listing, queryable, stream
from vgpt2_ext.data.builders.intents import seed_source
from vgpt2_ext.data.builders.join_patterns import company_only, pairs_text, queryable_relationships
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.misnaming import misnamings
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.seeds import Missing
from vgpt2_ext.data.sqlgen import Select, company_filter, join_clause, join_filters, ref

CATEGORY = "hallucination"
# column names people expect on any table; a template asks for one a table lacks but a related table has
EXPECTED_COLUMNS = ("Status", "Name", "Description", "Amount", "Vendor", "Customer", "Job", "Contract",
                    "Employee", "Phase", "GLAcct", "DueDate", "InvDate", "ActualCost", "Retainage", "Notes")


def candidates(ctx: BuildContext):
    seeded = {item.name.lower() for item in ctx.seeds.missing}
    makers: list[Maker] = [partial(_related_column, asked=asked, column=column, home=home, rel=rel)
                           for (asked, column), (home, rel) in _unique_homes(ctx.catalog).items()
                           if f"{asked}.{column}".lower() not in seeded]
    for obj in queryable(ctx.catalog):
        if obj.key:
            makers += [partial(_renamed_column, obj=obj)]
            if obj.base_table:
                makers.append(partial(_table_code, obj=obj))
    return stream(ctx, makers, [partial(_seed, item=item) for item in ctx.seeds.missing])


def _deny(ctx: BuildContext, values: dict[str, str], missing: str) -> str:
    """A refusal sentence for `missing` (`Invoice` or `APTH.Status`), in one of the seed phrasings."""
    table, _, column = missing.rpartition(".")
    if table and ctx.catalog.has(column):  # `GLCo` alone would read as the table GLCO: keep the name dotted
        return f"{missing} does not exist."
    if table:
        return ctx.ask("deny_column", values, table=table, column=column, missing=missing)
    return ctx.ask("deny_table", values, missing=missing)


def _seed(ctx: BuildContext, item: Missing) -> Example:
    values = ctx.values()
    question = fill(ctx.phrase(item.questions), values)
    lead = f"{_deny(ctx, values, item.name)} {fill(item.explain, values)}"
    return Example(CATEGORY, seed_source(ctx, item.id), item.id, question,
                   answer(lead, fill(item.sql, values) if item.sql else ""),
                   missing=(item.name,), suggest=item.alternatives)


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
                if obj.key and not obj.has_column(column) and other.has_column(column):
                    found[(asked, column)].setdefault(home, rel)
    return {key: next(iter(homes.items())) for key, homes in found.items() if len(homes) == 1}


def _related_column(ctx: BuildContext, asked: str, column: str, home: str, rel: Relationship) -> Example:
    """`APTH.Status` asked; `Status` is on APTD, which joins APTH on its key."""
    obj, other = ctx.catalog.object(asked), ctx.catalog.object(home)
    return _join_answer(ctx, obj, other, rel, other.column(column).name)


def _join_answer(ctx: BuildContext, obj: CatalogObject, home: CatalogObject, rel: Relationship,
                 column: str) -> Example:
    values = ctx.values()
    missing = f"{obj.name}.{column}"
    where = join_filters(ctx.catalog, obj, [_oriented(rel, obj.name)], values["co"])
    scope = f" for company {values['co']}" if where else ""
    source = f"{ref(ctx.catalog, obj.name)} {join_clause(ctx.catalog, rel, home.name)}"
    columns = [f"{obj.name}.{n}" for n in obj.key[:3]] + [f"{home.name}.{column}"]
    sql = Select(columns, source, where, top=values["n"]).text()
    lead = (f"{_deny(ctx, values, missing)} {column} is on {home.name}, which joins {obj.name} on "
            f"{pairs_text(rel)}. Use {home.name}.{column}:")
    question = ctx.ask("missing_column", values, table=obj.name, column=column, scope=scope)
    return Example(CATEGORY, "schema:related_column", "related_column", question, answer(lead, sql),
                   missing=(missing,), suggest=(f"{home.name}.{column}",), anchor=obj.name)


def _oriented(rel: Relationship, first: str) -> Relationship:
    """`rel` read from `first`: its child, or the reverse relationship when `first` is the parent."""
    if rel.child == first:
        return rel
    return Relationship(rel.parent, rel.parent_columns, rel.child, rel.child_columns, rel.source)


def _renamed_column(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """`APTH.InvoiceTotal` asked; the column is `APTH.InvTotal`."""
    real = [c for c in (*roles_of(obj).money, *roles_of(obj).dates, *roles_of(obj).flags, *roles_of(obj).texts)]
    options = [(c, name) for c in real for name in misnamings(c.name) if not obj.has_column(name)
               and not name.endswith("s")]
    if not options:
        return None
    column, fake = ctx.pick(options)
    values = ctx.values()
    where = company_filter(obj, values["co"])
    scope = f" for company {values['co']}" if where else ""
    columns = [f"{obj.name}.{n}" for n in obj.key[:3]] + [f"{obj.name}.{column.name}"]
    sql = Select(columns, ref(ctx.catalog, obj.name), where, top=values["n"]).text()
    missing = f"{obj.name}.{fake}"
    lead = f"{_deny(ctx, values, missing)} The column is {obj.name}.{column.name}:"
    question = ctx.ask("missing_column", values, table=obj.name, column=fake, scope=scope)
    return Example(CATEGORY, "schema:renamed_column", "renamed_column", question, answer(lead, sql),
                   missing=(missing,), suggest=(f"{obj.name}.{column.name}",), anchor=obj.name)


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
    about = obj.description or f"its key is {', '.join(obj.key)}"
    lead = (f"{_deny(ctx, values, fake)} The closest real names are {listing(alternatives)}. "
            f"If you meant {name}: {about}")
    question = ctx.ask("missing_table", values, missing=fake)
    return Example(CATEGORY, "schema:table_code", "table_code", question, answer(lead),
                   missing=(fake,), suggest=tuple(alternatives), anchor=obj.name)
