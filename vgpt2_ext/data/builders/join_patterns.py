"""`join_patterns`: multi-table questions answered with joins on the full key of the relationship graph.

Every relationship between two queryable objects (AP invoices -> vendors on VendorGroup + Vendor, job cost
transactions -> jobs on JCCo + Job) gives, in business words where the vocabulary has them:

- a lookup (child rows with the parent's label), INNER JOIN with aliases, or LEFT JOIN to keep children without
  a parent;
- every parent with how many children it has, those with none included (LEFT JOIN, COUNT of a child column);
- parents with no children in a period (NOT EXISTS) and parents with some (EXISTS);
- totals per parent with its label, optionally only those over an amount (HAVING);
- a child with two parents' labels (three tables), a chain child -> parent -> grandparent (three tables);
- how to join the two, explained.

The company and group columns are always part of the condition, because the relationship's key includes them;
a child's company filter and period go into the ON clause of an outer join, so the join stays outer.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.data.builders.common import (
    BuildContext,
    Maker,
    Pools,
    company_only,
    is_settings,
    listing,
    queryable,
    stream,
)
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select, company_filter

CATEGORY = "join_patterns"


def candidates(ctx: BuildContext):
    pools = Pools(seeds=intent_makers(ctx, CATEGORY))
    parents: dict[str, list[Relationship]] = defaultdict(list)
    rels = queryable_relationships(ctx.catalog)
    for rel in rels:
        child, parent = ctx.catalog.object(rel.child), ctx.catalog.object(rel.parent)
        if not is_settings(child) and (not is_settings(parent) or parent.has_column("Name")) \
                and not company_only(ctx.catalog, rel):
            parents[rel.child].append(rel)
    for child, found in parents.items():
        ctx.memo[("parents", child)] = tuple(found)
    for rel in rels:
        child, parent = ctx.catalog.object(rel.child), ctx.catalog.object(rel.parent)
        if is_settings(child) or (is_settings(parent) and not parent.has_column("Name")):
            continue  # a company's settings row is no record to list or join (HQCO's name is)
        makers: list[Maker] = [partial(_lookup, rel=rel), partial(_how, rel=rel)]
        if not company_only(ctx.catalog, rel) and not is_settings(parent):
            makers += [partial(_with_count, rel=rel), partial(_without, rel=rel), partial(_with_any, rel=rel)]
            if roles_of(child).money:
                makers.append(partial(_sum, rel=rel))
            makers += [partial(_chain, first=rel, second=up) for up in parents.get(rel.parent, ())[:2]
                       if up.parent != rel.child and not company_only(ctx.catalog, up)]
        (pools.worded if ctx.worded(child) and ctx.worded(parent) else pools.coded).extend(makers)
    return stream(ctx, pools)


def queryable_relationships(catalog: Catalog) -> list[Relationship]:
    """Relationships whose both ends are objects the house style queries."""
    names = {obj.name for obj in queryable(catalog)}
    return [rel for rel in catalog.relationships if rel.child in names and rel.parent in names]


def label_of(obj: CatalogObject) -> str | None:
    """The parent column a lookup shows: its name or description, else its first typed non-key column."""
    roles = roles_of(obj)
    if roles.label:
        return roles.label.name
    key = {name.lower() for name in obj.key}
    return next((c.name for c in obj.columns if c.sql_type and c.name.lower() not in key), None)


def pairs_text(rel: Relationship) -> str:
    return " AND ".join(f"{rel.child}.{c} = {rel.parent}.{p}" for c, p in rel.pairs)


def _parent_columns(d: Draft, rel: Relationship, label: bool = True) -> list[str]:
    """The parent's key (its company left out: the filter fixes it) and, when it has one, its label."""
    parent = d.ctx.catalog.object(rel.parent)
    company = parent.company_column
    names = [p for _, p in rel.pairs if company is None or p != company.name]
    found = label_of(parent) if label else None
    return [d.name(rel.parent, n) for n in dict.fromkeys(names + ([found] if found else []))]


def _nouns(d: Draft, rel: Relationship):
    return d.ctx.noun(d.ctx.catalog.object(rel.child)), d.ctx.noun(d.ctx.catalog.object(rel.parent))


def _lookup(ctx: BuildContext, rel: Relationship) -> Example | None:
    """Child rows with the parent's label; half the time with a second parent's label too (three tables), and
    a quarter of the time keeping the children that have no parent row (LEFT JOIN)."""
    parent = ctx.catalog.object(rel.parent)
    label = label_of(parent)
    if label is None:
        return None
    second = _second_parent(ctx, rel) if ctx.rng.random() < 0.5 else None
    outer = second is None and ctx.rng.random() < 0.3
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel] + ([second] if second else []))
    child_noun, parent_noun = _nouns(d, rel)
    period = d.period() if ctx.rng.random() < 0.5 else None
    shown = [d.name(rel.child, c) for c in d.shown()[:4]] + [d.name(rel.parent, label)]
    source = f"{d.name.table(rel.child)}\n{d.name.join(rel, rel.parent, 'LEFT' if outer else 'INNER')}"
    where = d.where
    if outer:  # the parent's own filters would drop the rows without a parent: keep only the child's
        where = [w for w in d.where if not w.startswith(f"{d.name.aliases.get(rel.parent, rel.parent)}.")]
        d.steps.append(f"LEFT JOIN {rel.parent} so {child_noun.many} without one stay (its columns are NULL)")
    d.steps.append(f"show {rel.parent}.{label} beside each {child_noun.one}")
    slots = {"children": child_noun.many, "parent_one": parent_noun.one, "label": ctx.words.column(label),
             "filters": period[0] if period else ""}
    template = "join_lookup_outer" if outer else "join_lookup"
    if second is not None:
        other = label_of(ctx.catalog.object(second.parent))
        shown.append(d.name(second.parent, other))
        source += f"\n{d.name.join(second, second.parent)}"
        d.steps.append(f"and {second.parent}.{other}")
        template = "join_lookup_two"
        slots |= {"second": ctx.noun(ctx.catalog.object(second.parent)).one, "other": ctx.words.column(other)}
    select = Select(shown, source, where + ([period[1]] if period else []), order=shown[:1])
    return d.example(template, d.ask(template, **slots), select, "Join on the full key:")


def _second_parent(ctx: BuildContext, rel: Relationship) -> Relationship | None:
    """Another parent of `rel`'s child that has a label, for a three-table lookup."""
    options = [other for other in ctx.memo.get(("parents", rel.child), ())
               if other.parent not in (rel.parent, rel.child) and label_of(ctx.catalog.object(other.parent))]
    return ctx.pick(options) if options else None


def _with_count(ctx: BuildContext, rel: Relationship) -> Example:
    parent, child = ctx.catalog.object(rel.parent), ctx.catalog.object(rel.child)
    d = Draft(ctx, CATEGORY, parent, [rel], aliased=True)
    child_noun, parent_noun = _nouns(d, rel)
    period = d.period_of(child) if ctx.rng.random() < 0.6 else None
    on = [f"{d.name(rel.child, c)} = {d.name(rel.parent, p)}" for c, p in rel.pairs]
    on += _child_company(d, rel) + ([period[1]] if period else [])
    shown = _parent_columns(d, rel)
    counted = d.name(rel.child, rel.child_columns[-1])
    d.where = company_filter(parent, d.company, d.name)
    d.steps.append(f"LEFT JOIN {rel.child} so {parent_noun.many} without any stay (count 0); put the "
                   f"{rel.child} filters in the ON clause and count {rel.child}.{rel.child_columns[-1]}")
    source = f"{d.name.table(rel.parent)}\nLEFT JOIN {d.name.table(rel.child)} ON " + "\n  AND ".join(on)
    select = Select(shown + [f"COUNT({counted}) AS {rel.child}Count"], source, d.where, group=shown,
                    order=[f"COUNT({counted}) DESC"])
    question = d.ask("join_count_all", parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     filters=period[0] if period else "")
    return d.example("join_count_all", question, select, "A LEFT JOIN keeps the rows without any:")


def _child_company(d: Draft, rel: Relationship) -> list[str]:
    """The child's company filter, unless the join already ties it to the parent's."""
    child = d.ctx.catalog.object(rel.child)
    company = child.company_column
    if company is None or company.name in rel.child_columns:
        return []
    return company_filter(child, d.company, d.name)


def _exists(ctx: BuildContext, rel: Relationship, negated: bool) -> Example:
    parent, child = ctx.catalog.object(rel.parent), ctx.catalog.object(rel.child)
    d = Draft(ctx, CATEGORY, parent, [rel], aliased=True)
    child_noun, parent_noun = _nouns(d, rel)
    period = d.period_of(child) if ctx.rng.random() < 0.7 else None
    inner = [f"{d.name(rel.child, c)} = {d.name(rel.parent, p)}" for c, p in rel.pairs]
    inner += _child_company(d, rel) + ([period[1]] if period else [])
    test = ("NOT EXISTS" if negated else "EXISTS") + f" (\n    SELECT 1 FROM {d.name.table(rel.child)}\n    WHERE " \
        + "\n      AND ".join(inner) + "\n  )"
    d.where = company_filter(parent, d.company, d.name) + [test]
    shown = _parent_columns(d, rel)
    d.steps.append(f"keep the {parent_noun.many} for which {'no' if negated else 'some'} {rel.child} row matches "
                   f"({'NOT EXISTS' if negated else 'EXISTS'} on the join key)")
    select = Select(shown, d.name.table(rel.parent), d.where, order=shown[:1])
    template = "join_without" if negated else "join_with_any"
    question = d.ask(template, parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     filters=period[0] if period else "")
    return d.example(template, question, select, f"{'NOT ' if negated else ''}EXISTS on the join key:")


def _without(ctx: BuildContext, rel: Relationship) -> Example:
    return _exists(ctx, rel, negated=True)


def _with_any(ctx: BuildContext, rel: Relationship) -> Example:
    return _exists(ctx, rel, negated=False)


def _sum(ctx: BuildContext, rel: Relationship) -> Example:
    child = ctx.catalog.object(rel.child)
    d = Draft(ctx, CATEGORY, child, [rel])
    child_noun, parent_noun = _nouns(d, rel)
    money = ctx.pick(d.roles.money[:3])
    period = d.period() if ctx.rng.random() < 0.6 else None
    shown = _parent_columns(d, rel)
    total = f"SUM({d.name(rel.child, money.name)})"
    having = [f"{total} > {d.values['amount']}"] if ctx.rng.random() < 0.4 else []
    d.steps.append(f"add up {rel.child}.{money.name} per {parent_noun.one}"
                   + (f" and keep totals over {d.values['amount']} (HAVING)" if having else ""))
    source = f"{d.name.table(rel.child)}\n{d.name.join(rel, rel.parent)}"
    select = Select(shown + [f"{total} AS Total{money.name}"], source, d.where + ([period[1]] if period else []),
                    group=shown, having=having, order=[f"{total} DESC"])
    template = "join_sum_having" if having else "join_sum"
    question = d.ask(template, parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     measure=ctx.words.column(money.name), filters=period[0] if period else "",
                     bound=d.values["amount"])
    return d.example(template, question, select, "Total per parent, joined on the full key:")


def _chain(ctx: BuildContext, first: Relationship, second: Relationship) -> Example | None:
    """child -> parent -> grandparent: APTD -> APTH -> APVM."""
    label = label_of(ctx.catalog.object(second.parent))
    if label is None:
        return None
    d = Draft(ctx, CATEGORY, ctx.catalog.object(first.child), [first, second])
    nouns = [ctx.noun(ctx.catalog.object(n)) for n in (first.child, first.parent, second.parent)]
    period = d.period() if ctx.rng.random() < 0.5 else None
    shown = [d.name(first.child, c) for c in d.shown()[:4]] + [d.name(second.parent, label)]
    d.steps.append(f"reach {second.parent} through {first.parent}")
    source = f"{d.name.table(first.child)}\n{d.name.join(first, first.parent)}\n{d.name.join(second, second.parent)}"
    select = Select(shown, source, d.where + ([period[1]] if period else []), order=shown[:1])
    question = d.ask("join_chain", children=nouns[0].many, parent_one=nouns[1].one, label=ctx.words.column(label),
                     parents=nouns[2].many, filters=period[0] if period else "")
    return d.example("join_chain", question, select, "Three tables, each joined on its full key:")


def _how(ctx: BuildContext, rel: Relationship) -> Example:
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel])
    child_noun, parent_noun = _nouns(d, rel)
    label = label_of(ctx.catalog.object(rel.parent))
    shown = [d.name(rel.child, c) for c in d.shown()[:3]] + ([d.name(rel.parent, label)] if label else [])
    source = f"{d.name.table(rel.child)}\n{d.name.join(rel, rel.parent)}"
    select = Select(shown, source, d.where, order=shown[:1])
    note = (f"{rel.parent} is keyed by {listing([p for _, p in rel.pairs])}; joining on fewer of these columns "
            f"would match rows of other companies or groups and multiply the results.")
    question = d.ask("join_how", child=rel.child, parent=rel.parent, children=child_noun.many,
                     parents=parent_noun.many)
    return d.example("join_how", question, select, f"Join on the full key ({pairs_text(rel)}):", note=note)
