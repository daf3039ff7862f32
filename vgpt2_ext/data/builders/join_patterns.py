"""`join_patterns`: multi-table questions answered with joins on the full key of the relationship graph.

Every relationship between two queryable objects (APTH -> APVM on VendorGroup + Vendor, JCCD -> JCCH on
JCCo + Job + PhaseGroup + Phase + CostType) gives a lookup, a count per parent, a sum per parent and a "how
do I join" explanation; a child with two parents gives a three-table join. The company and group columns are
always part of the condition, because the relationship's key includes them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, listing, queryable, stream
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select, join_clause, join_filters, ref

CATEGORY = "join_patterns"
SCOPES = (" for company {co}", " in company {co}", " in Co {co}")


def candidates(ctx: BuildContext):
    makers: list[Maker] = []
    parents: dict[str, list[Relationship]] = defaultdict(list)
    for rel in queryable_relationships(ctx.catalog):
        makers += [partial(_lookup, rel=rel), partial(_how, rel=rel)]
        if not company_only(ctx.catalog, rel):  # counting per company within one company says nothing
            makers.append(partial(_count, rel=rel))
            if roles_of(ctx.catalog.object(rel.child)).money:
                makers.append(partial(_sum, rel=rel))
        parents[rel.child].append(rel)
    for rels in parents.values():
        makers += [partial(_three, first=a, second=b) for a, b in zip(rels, rels[1:])]
    return stream(ctx, makers, intent_makers(ctx, CATEGORY))


def queryable_relationships(catalog: Catalog) -> list[Relationship]:
    """Relationships whose both ends are objects the house style queries."""
    names = {obj.name for obj in queryable(catalog)}
    return [rel for rel in catalog.relationships if rel.child in names and rel.parent in names]


def company_only(catalog: Catalog, rel: Relationship) -> bool:
    """Whether `rel` joins on the company alone (APTH.APCo -> HQCO.HQCo): a company-master lookup."""
    child = catalog.object(rel.child)
    return all((column := child.column(name)) is not None and column.is_company for name in rel.child_columns)


def label_of(obj: CatalogObject) -> str | None:
    """The parent column a lookup shows: its name or description, else its first typed non-key column."""
    roles = roles_of(obj)
    if roles.label:
        return roles.label.name
    key = {name.lower() for name in obj.key}
    return next((c.name for c in obj.columns if c.sql_type and c.name.lower() not in key), None)


def pairs_text(rel: Relationship) -> str:
    return " AND ".join(f"{rel.child}.{c} = {rel.parent}.{p}" for c, p in rel.pairs)


class _Join:
    """Literals, scope, the FROM ... JOIN text and the company filter of one relationship."""

    def __init__(self, ctx: BuildContext, *rels: Relationship):
        self.ctx, self.rels, self.values = ctx, rels, ctx.values()
        self.child = ctx.catalog.object(rels[0].child)
        self.where = join_filters(ctx.catalog, self.child, rels, self.values["co"])
        self.scope = ctx.pick(SCOPES).format(**self.values) if self.where else ""
        joins = " ".join(join_clause(ctx.catalog, rel, rel.parent) for rel in rels)
        self.source = f"{ref(ctx.catalog, self.child.name)} {joins}"
        self.key = [f"{self.child.name}.{n}" for n in self.child.key[:4]]

    def ask(self, template: str, **slots: str) -> str:
        rel = self.rels[0]
        return self.ctx.ask(template, self.values, child=rel.child, parent=rel.parent, scope=self.scope, **slots)

    def example(self, template: str, question: str, select: Select, note: str = "") -> Example:
        lead = "; ".join(f"join {rel.child} to {rel.parent} on the full key of {rel.parent} ({pairs_text(rel)})"
                         for rel in self.rels)
        lead = lead[0].upper() + lead[1:] + (f", for company {self.values['co']}:" if self.where else ":")
        return Example(CATEGORY, f"schema:{template}", template, question, answer(lead, select.text(), note),
                       anchor=self.child.name)


def _lookup(ctx: BuildContext, rel: Relationship) -> Example | None:
    label = label_of(ctx.catalog.object(rel.parent))
    if label is None:
        return None
    j = _Join(ctx, rel)
    columns = j.key + [f"{rel.parent}.{label}"]
    select = Select(columns, j.source, j.where, order=j.key[:2], top=j.values["n"])
    return j.example("join_lookup", j.ask("join_lookup", column=label), select)


def _count(ctx: BuildContext, rel: Relationship) -> Example:
    j = _Join(ctx, rel)
    group = [f"{rel.parent}.{p}" for _, p in rel.pairs]
    select = Select(group + ["COUNT(*) AS RowCount"], j.source, j.where, group=group, order=["COUNT(*) DESC"],
                    top=j.values["n"])
    return j.example("join_count", j.ask("join_count"), select)


def _sum(ctx: BuildContext, rel: Relationship) -> Example:
    money = ctx.pick(roles_of(ctx.catalog.object(rel.child)).money[:3])
    j = _Join(ctx, rel)
    group = [f"{rel.parent}.{p}" for _, p in rel.pairs]
    label = label_of(ctx.catalog.object(rel.parent))
    shown = group + ([f"{rel.parent}.{label}"] if label else [])
    select = Select(shown + [f"SUM({rel.child}.{money.name}) AS Total{money.name}"], j.source, j.where,
                    group=shown, order=[f"SUM({rel.child}.{money.name}) DESC"])
    return j.example("join_sum", j.ask("join_sum", column=money.name), select)


def _how(ctx: BuildContext, rel: Relationship) -> Example:
    j = _Join(ctx, rel)
    label = label_of(ctx.catalog.object(rel.parent))
    columns = j.key + ([f"{rel.parent}.{label}"] if label else [])
    select = Select(columns, j.source, j.where, top=j.values["n"])
    parent_key = listing([p for _, p in rel.pairs])
    note = (f"{rel.parent} is keyed by {parent_key}; joining on fewer of these columns would match rows of "
            f"other companies or groups.")
    return j.example("join_how", j.ask("join_how"), select, note)


def _three(ctx: BuildContext, first: Relationship, second: Relationship) -> Example | None:
    labels = [label_of(ctx.catalog.object(rel.parent)) for rel in (first, second)]
    if first.parent == second.parent or None in labels:
        return None
    j = _Join(ctx, first, second)
    columns = j.key + [f"{rel.parent}.{label}" for rel, label in zip((first, second), labels)]
    select = Select(columns, j.source, j.where, order=j.key[:2], top=j.values["n"])
    question = j.ask("join_three", first=first.parent, second=second.parent, column=labels[0], other=labels[1])
    return j.example("join_three", question, select)
