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
    queryable_names,
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
                makers += [partial(_sum, rel=rel), partial(_rank_parents, rel=rel), partial(_totals_all, rel=rel)]
            if roles_of(child).dates or roles_of(child).month:
                makers.append(partial(_latest_per_parent, rel=rel))
            makers += [partial(_chain, first=rel, second=up) for up in parents.get(rel.parent, ())[:3]
                       if up.parent != rel.child and not company_only(ctx.catalog, up)]
        (pools.worded if ctx.worded(child) and ctx.worded(parent) else pools.coded).extend(makers)
    return stream(ctx, pools)


def queryable_relationships(catalog: Catalog) -> list[Relationship]:
    """Relationships whose both ends are objects the house style queries."""
    names = queryable_names(catalog)
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
    """Child rows with the parent's label; most of the time with a second parent's (or the grandparent's) label
    too (three tables); the last join a LEFT JOIN three times in ten, keeping the children without that parent."""
    parent = ctx.catalog.object(rel.parent)
    label = label_of(parent)
    if label is None:
        return None
    second = _second_parent(ctx, rel) or _upward(ctx, rel) if ctx.rng.random() < 0.9 else None
    outer = ctx.rng.random() < 0.4
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel] + ([second] if second else []))
    child_noun, parent_noun = _nouns(d, rel)
    period = d.period() if ctx.rng.random() < 0.5 else None
    listed = d.listed(ctx.pick((2, 3))) if ctx.rng.random() < 0.6 else []
    shown = [d.name(rel.child, c) for c in (listed or d.shown()[:4])] + [d.name(rel.parent, label)]
    last = second or rel
    joins, where = [(rel, "INNER")] + ([(second, "INNER")] if second else []), list(d.where)
    if outer:  # a filter on the outer table in the WHERE would drop the rows without one: it goes into ON
        joins[-1] = (last, "LEFT")
        mine = [w for w in d.where if w.startswith(f"{d.name.aliases.get(last.parent, last.parent)}.")]
        where = [w for w in d.where if w not in mine]
        d.steps.append(f"LEFT JOIN {last.parent} so rows without one stay (its columns are NULL), its filters in "
                       f"the ON clause")
    else:
        mine = []
    source = d.name.table(rel.child) + "".join(
        f"\n{d.name.join(r, r.parent, kind)}" + ("".join(f" AND {w}" for w in mine) if kind == "LEFT" else "")
        for r, kind in joins)
    d.steps.append(f"show {rel.parent}.{label} beside each {child_noun.one}")
    slots = {"children": child_noun.many, "parent_one": parent_noun.one, "label": ctx.words.column(label),
             "filters": period[0] if period else ""}
    template = "join_lookup_outer" if outer and second is None else "join_lookup"
    labels = [f"{rel.parent}.{label}"]
    if second is not None:
        other = label_of(ctx.catalog.object(second.parent))
        shown.append(d.name(second.parent, other))
        labels.append(f"{second.parent}.{other}")
        d.steps.append(f"and {second.parent}.{other}")
        template = "join_lookup_two_outer" if outer else "join_lookup_two"
        slots |= {"second": ctx.noun(ctx.catalog.object(second.parent)).one, "other": ctx.words.column(other)}
    select = Select(shown, source, where + ([period[1]] if period else []), order=shown[:1])
    question = d.ask(template, **slots)
    if listed:
        d.steps.append(f"return exactly {listing(listed)} and {listing(labels)}")
        question += ctx.voice.choice((" Show {} too.", " Include {}.", " Also {}.", " I also need {}.")).format(
            listing([ctx.words.column(c) for c in listed]))
    columns = [f"{rel.child}.{c}" for c in listed] + labels if listed else []
    return d.example(template, question, select, "Join on the full key:", columns=columns)


def _upward(ctx: BuildContext, rel: Relationship) -> Relationship | None:
    """A relationship from `rel`'s parent to a labelled grandparent (APTL -> APTH -> APVM), or None."""
    options = [up for up in ctx.memo.get(("parents", rel.parent), ())
               if up.parent not in (rel.child, rel.parent) and label_of(ctx.catalog.object(up.parent))]
    return ctx.pick(options) if options else None


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
    """Parents with (EXISTS) or without (NOT EXISTS) children, in a period; with the label of the parent's own
    parent two times in five (jobs without cost this month, with their contract's description)."""
    parent, child = ctx.catalog.object(rel.parent), ctx.catalog.object(rel.child)
    up = next((u for u in ctx.memo.get(("parents", rel.parent), ()) if u.parent not in (rel.child, rel.parent)
               and label_of(ctx.catalog.object(u.parent))), None) if ctx.rng.random() < 0.4 else None
    d = Draft(ctx, CATEGORY, parent, [rel] + ([up] if up else []), aliased=True)
    child_noun, parent_noun = _nouns(d, rel)
    period = d.period_of(child) if ctx.rng.random() < 0.7 else None
    inner = [f"{d.name(rel.child, c)} = {d.name(rel.parent, p)}" for c, p in rel.pairs]
    inner += _child_company(d, rel) + ([period[1]] if period else [])
    test = ("NOT EXISTS" if negated else "EXISTS") + f" (\n    SELECT 1 FROM {d.name.table(rel.child)}\n    WHERE " \
        + "\n      AND ".join(inner) + "\n  )"
    kept = [w for w in d.where if not w.startswith(f"{d.name.aliases[rel.child]}.")]
    d.where = kept + [test]
    shown = _parent_columns(d, rel)
    source = d.name.table(rel.parent)
    if up is not None:
        other = label_of(ctx.catalog.object(up.parent))
        shown.append(d.name(up.parent, other))
        source += f"\n{d.name.join(up, up.parent)}"
        d.steps.append(f"join {up.parent} for its {other}")
    d.steps.append(f"keep the {parent_noun.many} for which {'no' if negated else 'some'} {rel.child} row matches "
                   f"({'NOT EXISTS' if negated else 'EXISTS'} on the join key)")
    select = Select(shown, source, d.where, order=shown[:1])
    template = "join_without" if negated else "join_with_any"
    question = d.ask(template, parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     filters=period[0] if period else "")
    if up is not None:
        grand = ctx.catalog.object(up.parent)
        tail = ctx.voice.choice((", with the {} of their {}?", " (show the {} of each's {})."))
        question = question.rstrip(".?") + tail.format(ctx.words.column(label_of(grand)), ctx.noun(grand).one)
    return d.example(template, question, select, f"{'NOT ' if negated else ''}EXISTS on the join key:")


def _without(ctx: BuildContext, rel: Relationship) -> Example:
    return _exists(ctx, rel, negated=True)


def _with_any(ctx: BuildContext, rel: Relationship) -> Example:
    return _exists(ctx, rel, negated=False)


def _sum(ctx: BuildContext, rel: Relationship) -> Example:
    """Children's totals per parent, or per grandparent half the time (AP line amounts per vendor: APTL -> APTH
    -> APVM), with the label, optionally only those over an amount (HAVING)."""
    up = _upward(ctx, rel) if ctx.rng.random() < 0.5 else None
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel] + ([up] if up else []))
    parent_noun, child_noun = _nouns(d, up or rel)[1], ctx.noun(d.obj)
    money = ctx.pick(d.roles.money)
    period = d.period() if ctx.rng.random() < 0.6 else None
    shown = _parent_columns(d, up or rel)
    total = f"SUM({d.name(rel.child, money.name)})"
    having = [f"{total} > {d.values['amount']}"] if ctx.rng.random() < 0.4 else []
    d.steps.append(f"add up {rel.child}.{money.name} per {parent_noun.one}"
                   + (f" and keep totals over {d.values['amount']} (HAVING)" if having else ""))
    source = f"{d.name.table(rel.child)}\n{d.name.join(rel, rel.parent)}" + (
        f"\n{d.name.join(up, up.parent)}" if up else "")
    select = Select(shown + [f"{total} AS Total{money.name}"], source, d.where + ([period[1]] if period else []),
                    group=shown, having=having, order=[f"{total} DESC"])
    template = "join_sum_having" if having else "join_sum"
    question = d.ask(template, parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     measure=ctx.words.column(money.name), filters=period[0] if period else "",
                     bound=d.values["amount"])
    return d.example(template, question, select, "Total per parent, joined on the full key:")


def _rank_parents(ctx: BuildContext, rel: Relationship) -> Example:
    """Parents (or grandparents, half the time) ranked by their children's total (RANK() over the grouped sums),
    with the label."""
    up = _upward(ctx, rel) if ctx.rng.random() < 0.5 else None
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel] + ([up] if up else []))
    _, parent_noun = _nouns(d, up or rel)
    child_noun = ctx.noun(d.obj)
    money = ctx.pick(d.roles.money)
    period = d.period() if ctx.rng.random() < 0.6 else None
    shown = _parent_columns(d, up or rel)
    total = f"SUM({d.name(rel.child, money.name)})"
    d.steps.append(f"add up {rel.child}.{money.name} per {parent_noun.one} and RANK() the totals (a window)")
    source = f"{d.name.table(rel.child)}\n{d.name.join(rel, rel.parent)}" + (
        f"\n{d.name.join(up, up.parent)}" if up else "")
    select = Select(shown + [f"{total} AS Total{money.name}", f"RANK() OVER (ORDER BY {total} DESC) AS RankNo"],
                    source, d.where + ([period[1]] if period else []), group=shown, order=[f"{total} DESC"])
    question = d.ask("join_rank", parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     measure=ctx.words.column(money.name), filters=period[0] if period else "")
    return d.example("join_rank", question, select, "Ranked with a window over the grouped totals:")


def _totals_all(ctx: BuildContext, rel: Relationship) -> Example:
    """Every parent with its children's total, zero for those without any (LEFT JOIN, COALESCE)."""
    parent, child = ctx.catalog.object(rel.parent), ctx.catalog.object(rel.child)
    d = Draft(ctx, CATEGORY, parent, [rel], aliased=True)
    child_noun, parent_noun = _nouns(d, rel)
    money = ctx.pick(roles_of(child).money)
    period = d.period_of(child) if ctx.rng.random() < 0.6 else None
    on = [f"{d.name(rel.child, c)} = {d.name(rel.parent, p)}" for c, p in rel.pairs]
    on += _child_company(d, rel) + ([period[1]] if period else [])
    shown = _parent_columns(d, rel)
    total = f"COALESCE(SUM({d.name(rel.child, money.name)}), 0)"
    d.where = company_filter(parent, d.company, d.name)
    d.steps.append(f"LEFT JOIN {rel.child} (its filters in the ON clause) and add up {money.name}, 0 when none")
    source = f"{d.name.table(rel.parent)}\nLEFT JOIN {d.name.table(rel.child)} ON " + "\n  AND ".join(on)
    select = Select(shown + [f"{total} AS Total{money.name}"], source, d.where, group=shown, order=[f"{total} DESC"])
    question = d.ask("join_totals_all", parents=parent_noun.many, parent_one=parent_noun.one,
                     children=child_noun.many, measure=ctx.words.column(money.name),
                     filters=period[0] if period else "")
    return d.example("join_totals_all", question, select, "A LEFT JOIN keeps the parents without any:")


def _latest_per_parent(ctx: BuildContext, rel: Relationship) -> Example | None:
    """Each parent's latest child (ROW_NUMBER over the child partitioned by the join key, in a CTE), with the
    parent's label."""
    label = label_of(ctx.catalog.object(rel.parent))
    if label is None:
        return None
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rel.child), [rel])
    child_noun, parent_noun = _nouns(d, rel)
    when = ctx.pick(d.roles.dates) if d.roles.dates else d.roles.month
    keys = [c for c, _ in rel.pairs if d.obj.company_column is None or c != d.obj.company_column.name]
    if not keys:
        return None
    shown = [c for c in d.shown([when.name])[:4] if c not in keys]
    numbered = (f"ROW_NUMBER() OVER (PARTITION BY {', '.join(d.name(rel.child, k) for k in keys)} ORDER BY "
                f"{d.name(rel.child, when.name)} DESC) AS RowNo")
    inner = [d.name(rel.child, c) for c in dict.fromkeys([*rel.child_columns, *shown])] + [numbered]
    body = Select(inner, d.name.table(rel.child), [w for w in d.where if not w.startswith(
        f"{d.name.aliases.get(rel.parent, rel.parent)}.")]).text()
    pairs = " AND ".join(f"p.{p} = r.{c}" for c, p in rel.pairs)
    outer = [f"r.{c}" for c in (*keys, *shown)] + [f"p.{label}"]
    d.steps.append(f"number each {parent_noun.one}'s {child_noun.many} newest {when.name} first (ROW_NUMBER in a "
                   f"CTE), keep row 1 and join {rel.parent} for its {label}")
    parent_filter = [w.replace(f"{d.name.aliases.get(rel.parent, rel.parent)}.", "p.") for w in d.where
                     if w.startswith(f"{d.name.aliases.get(rel.parent, rel.parent)}.")]
    nolock = " WITH (NOLOCK)" if ctx.catalog.style.require_nolock else ""
    select = Select(outer, f"ranked r\nINNER JOIN {rel.parent} p{nolock} ON {pairs}", ["r.RowNo = 1", *parent_filter],
                    order=[outer[0]], cte=("ranked", body))
    question = d.ask("join_latest", parents=parent_noun.many, parent_one=parent_noun.one, children=child_noun.many,
                     child_one=child_noun.one, when=ctx.words.column(when.name), label=ctx.words.column(label))
    return d.example("join_latest", question, select, "The latest per parent, numbered in a CTE:")


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
