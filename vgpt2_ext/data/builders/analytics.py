"""Single-object analytics for `sql_generation`: breakdowns and the SQL they need beyond a flat SELECT.

- per month over a period (GROUP BY Mth), with a running total (a window SUM over the months);
- per dimension, a related record (per vendor: the full key of the relationship, VendorGroup and Vendor) or a
  coded column (per status): totals or counts, HAVING for "only those over ...", RANK() for a ranking;
- the latest row per dimension (ROW_NUMBER() in a CTE, keeping row 1), DISTINCT dimension values;
- status labels (CASE over the catalog's codes) and aging buckets (CASE over days past a date).

A dimension groups by every column of the relationship except the company the filter already fixes, so two
vendors with one number in different vendor groups, or two invoices with one number in different months, are
never merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from vgpt2_ext.catalog import CatalogObject
from vgpt2_ext.data.builders.common import BuildContext, Maker, company_only, is_settings, listing
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.context import relations
from vgpt2_ext.data.dates import reference
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select
from vgpt2_ext.data.vocabulary import Noun, noun

CATEGORY = "sql_generation"
BUCKETS = ((30, "0-30"), (60, "31-60"), (90, "61-90"))


@dataclass(frozen=True)
class Dimension:
    """What a breakdown groups by: its words, its columns on the object, and the related object, if any."""

    noun: Noun
    columns: tuple[str, ...]
    parent: str = ""


def dimensions(ctx: BuildContext, obj: CatalogObject) -> list[Dimension]:
    """Related records the vocabulary names (by the relationship's columns, the fixed company left out) and
    coded columns; computed once per object."""
    key = ("dimensions", obj.name)
    if key not in ctx.memo:
        ctx.memo[key] = _dimensions(ctx, obj)
    return ctx.memo[key]


def _dimensions(ctx: BuildContext, obj: CatalogObject) -> list[Dimension]:
    company = obj.company_column
    found = []
    for rel in relations(ctx.catalog).get(obj.name, ()):
        if rel.child != obj.name or {c.lower() for c in rel.child_columns} == {k.lower() for k in obj.key} \
                or company_only(ctx.catalog, rel):
            continue
        columns = tuple(c for c in rel.child_columns if company is None or c != company.name)
        parent = ctx.catalog.object(rel.parent)
        nouns = ctx.words.nouns(parent)
        if columns and nouns and len(columns) <= 3 and not is_settings(parent):
            found.append(Dimension(nouns[0], columns, parent.name))
    found += [Dimension(noun(ctx.words.column(c.name)), (c.name,)) for c in roles_of(obj).coded[:2]]
    return found[:6]


def makers(ctx: BuildContext, obj: CatalogObject) -> list[Maker]:
    """The analytics that fit `obj` (those over a dimension find theirs when they run: None without one)."""
    roles = roles_of(obj)
    found: list[Maker] = []
    if roles.month and roles.money:
        found += [partial(_by_month, obj=obj), partial(_running, obj=obj)]
    found += [partial(_per_group, obj=obj), partial(_distinct, obj=obj)]
    if roles.money:
        found.append(partial(_rank, obj=obj))
    if roles.dates or roles.month:
        found.append(partial(_latest_per, obj=obj))
    if roles.coded or roles.flags:
        found += [partial(_labels, obj=obj)] * 2
    if roles.dates and (roles.money or roles.key):
        found.append(partial(_aging, obj=obj))
    if roles.money:
        found += [partial(_sizes, obj=obj)] * 2
    if roles.texts or roles.dates:
        found += [partial(_repeats, obj=obj)] * 2
    return found


def _money(d: Draft):
    return d.ctx.pick(d.roles.money)


def _period(d: Draft) -> tuple[str, list[str]]:
    found = d.period()
    return (found[0], [found[1]]) if found else ("", [])


def _by_month(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    column, mth = _money(d), d.name(obj.name, d.roles.month.name)
    words, predicates = _period(d)
    total = f"SUM({d.name(obj.name, column.name)})"
    d.steps.append(f"add up {column.name} per month")
    select = Select([mth, f"{total} AS Total{column.name}"], d.name.table(obj.name), d.where + predicates,
                    group=[mth], order=[mth])
    question = d.ask("sum_by_month", measure=d.words(column.name), filters=words)
    return d.example("sum_by_month", question, select, f"{column.name} per month:")


def _running(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    column, mth = _money(d), d.name(obj.name, d.roles.month.name)
    words, predicates = _period(d)
    total = f"SUM({d.name(obj.name, column.name)})"
    d.steps.append(f"add up {column.name} per month, then a running SUM over the months in order (a window)")
    if ctx.rng.random() < 0.7:
        body = Select([f"{mth} AS Mth", f"{total} AS MonthTotal"], d.name.table(obj.name), d.where + predicates,
                      group=[mth]).text()
        select = Select(["m.Mth", "m.MonthTotal", "SUM(m.MonthTotal) OVER (ORDER BY m.Mth) AS RunningTotal"],
                        "monthly m", order=["m.Mth"], cte=("monthly", body))
    else:
        select = Select([mth, f"{total} AS MonthTotal", f"SUM({total}) OVER (ORDER BY {mth}) AS RunningTotal"],
                        d.name.table(obj.name), d.where + predicates, group=[mth], order=[mth])
    question = d.ask("running_total", measure=d.words(column.name), filters=words)
    return d.example("running_total", question, select, f"Monthly {column.name} with a running total:")


def _group(d: Draft, dim: Dimension) -> list[str]:
    return [d.name(d.obj.name, c) for c in dim.columns]


def _per_group(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not (dims := dimensions(ctx, obj)):
        return None
    dim, d = ctx.pick(dims), Draft(ctx, CATEGORY, obj)
    words, predicates = _period(d) if ctx.rng.random() < 0.6 else ("", [])
    group = _group(d, dim)
    money = _money(d) if d.roles.money and ctx.rng.random() < 0.6 else None
    measure = f"SUM({d.name(obj.name, money.name)})" if money else "COUNT(*)"
    alias = f"Total{money.name}" if money else "RowCount"
    having, template = [], "per_group_sum" if money else "per_group_count"
    if ctx.rng.random() < 0.55:
        bound = d.values["amount"] if money else str(ctx.pick((1, 2, 3, 5, 10)))
        having, template = [f"{measure} > {bound}"], template + "_having"
        d.steps.append(f"keep the groups whose {measure} is over {bound} (HAVING)")
    d.steps.insert(0, f"group by {listing(list(dim.columns))} ({dim.noun.one})")
    d.steps.append(f"{'add up ' + money.name if money else 'count the rows'} per {dim.noun.one}")
    if ctx.rng.random() < 0.4:  # the totals in a CTE, filtered (or just sorted) outside it
        body = Select([*(f"{g} AS {c}" for g, c in zip(group, dim.columns)), f"{measure} AS {alias}"],
                      d.name.table(obj.name), d.where + predicates, group=group).text()
        keep = [h.replace(measure, f"t.{alias}") for h in having]
        select = Select([f"t.{c}" for c in dim.columns] + [f"t.{alias}"], "totals t", keep,
                        order=[f"t.{alias} DESC"], cte=("totals", body))
    else:
        select = Select(group + [f"{measure} AS {alias}"], d.name.table(obj.name), d.where + predicates,
                        group=group, having=having, order=[f"{measure} DESC"])
    question = d.ask(template, per=dim.noun.one, pers=dim.noun.many, filters=words,
                     measure=d.words(money.name) if money else "", bound=having[0].split("> ")[1] if having else "")
    return d.example(template, question, select, f"Per {dim.noun.one}:")


def _rank(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not (dims := dimensions(ctx, obj)):
        return None
    dim, d = ctx.pick(dims), Draft(ctx, CATEGORY, obj)
    money = _money(d)
    words, predicates = _period(d)
    group, total = _group(d, dim), f"SUM({d.name(obj.name, money.name)})"
    d.steps.append(f"add up {money.name} per {dim.noun.one} and RANK() the totals, largest first (a window)")
    if ctx.rng.random() < 0.6:
        body = Select([*(f"{g} AS {c}" for g, c in zip(group, dim.columns)), f"{total} AS Total"],
                      d.name.table(obj.name), d.where + predicates, group=group).text()
        outer = [f"t.{c}" for c in dim.columns]
        select = Select(outer + ["t.Total", "RANK() OVER (ORDER BY t.Total DESC) AS RankNo"], "totals t",
                        order=["t.Total DESC"], cte=("totals", body))
    else:
        select = Select(group + [f"{total} AS Total{money.name}", f"RANK() OVER (ORDER BY {total} DESC) AS RankNo"],
                        d.name.table(obj.name), d.where + predicates, group=group, order=[f"{total} DESC"])
    question = d.ask("rank_groups", per=dim.noun.one, pers=dim.noun.many, measure=d.words(money.name),
                     filters=words)
    return d.example("rank_groups", question, select, f"{dim.noun.many.capitalize()} ranked:")


def _latest_per(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not (dims := dimensions(ctx, obj)):
        return None
    dim, d = ctx.pick(dims), Draft(ctx, CATEGORY, obj)
    column = ctx.pick(d.roles.dates[:3]) if d.roles.dates else d.roles.month
    group = _group(d, dim)
    shown = [c for c in d.shown([column.name]) if c not in dim.columns]
    order = [d.name(obj.name, k) for k in (column.name, *[k for k in obj.key if k not in dim.columns][-1:])]
    numbered = (f"ROW_NUMBER() OVER (PARTITION BY {', '.join(group)} ORDER BY "
                f"{', '.join(o + ' DESC' for o in dict.fromkeys(order))}) AS RowNo")
    body = Select([*group, *(d.name(obj.name, c) for c in shown), numbered], d.name.table(obj.name), d.where).text()
    outer = [f"r.{c}" for c in (*dim.columns, *shown)]
    d.steps.append(f"number each {dim.noun.one}'s rows newest {column.name} first (ROW_NUMBER in a CTE) and keep "
                   f"row 1")
    select = Select(outer, "ranked r", ["r.RowNo = 1"], order=[f"r.{dim.columns[-1]}"], cte=("ranked", body))
    question = d.ask("latest_per_group", per=dim.noun.one, pers=dim.noun.many, when=d.words(column.name))
    return d.example("latest_per_group", question, select, f"The latest {d.noun.one} per {dim.noun.one}:")


def _distinct(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    if not (dims := dimensions(ctx, obj)):
        return None
    dim, d = ctx.pick(dims), Draft(ctx, CATEGORY, obj)
    words, predicates = _period(d)
    group = _group(d, dim)
    d.steps.append(f"return each {dim.noun.one} once (DISTINCT)")
    select = Select(group, d.name.table(obj.name), d.where + predicates, order=group, distinct=True)
    question = d.ask("distinct_values", per=dim.noun.one, pers=dim.noun.many, filters=words)
    return d.example("distinct_values", question, select, f"Distinct {dim.noun.many}:")


def _labels(ctx: BuildContext, obj: CatalogObject) -> Example:
    """A coded column spelled out with CASE over its codes, or a Y/N flag as words."""
    d = Draft(ctx, CATEGORY, obj)
    column = ctx.pick([*d.roles.coded[:2], *d.roles.flags[:2]])
    name = d.name(obj.name, column.name)
    if column.codes:
        numeric = (column.sql_type or "").startswith(("tinyint", "smallint", "int"))
        whens = " ".join(f"WHEN {c.value if numeric else repr(c.value)} THEN '{c.meaning}'" for c in column.codes)
        whens += " ELSE 'other'"
        d.steps.append(f"spell {column.name} out with CASE over its codes")
    else:
        adjective = ctx.words.flag(column)
        whens = f"WHEN 'Y' THEN '{adjective}' ELSE 'not {adjective}'"
        d.steps.append(f"turn the Y/N flag {column.name} into words with CASE")
    words, predicates = _period(d)
    shown = [d.name(obj.name, c) for c in d.shown() if c != column.name]
    select = Select(shown + [f"CASE {name} {whens} END AS {column.name}Meaning"],
                    d.name.table(obj.name), d.where + predicates, order=shown[:1])
    question = d.ask("status_labels", column=d.words(column.name), filters=words)
    return d.example("status_labels", question, select, f"{column.name} spelled out:")


def _aging(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    column = ctx.pick(d.roles.dates[:3])
    ref, said = reference(ctx.rng, d.values)
    d.stated = said
    age = f"DATEDIFF(day, {d.name(obj.name, column.name)}, {ref})"
    case = "CASE " + " ".join(f"WHEN {age} <= {days} THEN '{label}'" for days, label in BUCKETS) + " ELSE '90+' END"
    money = _money(d) if d.roles.money else None
    measures = ["COUNT(*) AS RowCount"] + ([f"SUM({{}}) AS Total{money.name}"] if money else [])
    d.steps.append(f"bucket the days since {column.name} with CASE (0-30, 31-60, 61-90, 90+), then count"
                   + (f" and add up {money.name}" if money else "") + " per bucket")
    if ctx.rng.random() < 0.7:
        inner = [f"{case} AS Bucket"] + ([f"{d.name(obj.name, money.name)} AS Amount"] if money else [])
        body = Select(inner, d.name.table(obj.name), d.where).text()
        cols = ["b.Bucket"] + [m.format("b.Amount") for m in measures]
        select = Select(cols, "buckets b", group=["b.Bucket"], order=["b.Bucket"], cte=("buckets", body))
    else:
        cols = [f"{case} AS Bucket"] + [m.format(d.name(obj.name, money.name) if money else "") for m in measures]
        select = Select(cols, d.name.table(obj.name), d.where, group=[case], order=[case])
    question = d.ask("aging_buckets", when=d.words(column.name), measure=d.words(money.name) if money else "")
    return d.example("aging_buckets", question, select, f"Aging by {column.name}:")


def _sizes(ctx: BuildContext, obj: CatalogObject) -> Example:
    """Rows classed small / medium / large by an amount (CASE), counted per class."""
    d = Draft(ctx, CATEGORY, obj)
    money = _money(d)
    low, high = sorted(ctx.rng.sample((500, 1000, 5000, 10000, 25000, 50000), 2))
    name = d.name(obj.name, money.name)
    case = f"CASE WHEN {name} < {low} THEN 'small' WHEN {name} < {high} THEN 'medium' ELSE 'large' END"
    words, predicates = _period(d)
    d.steps.append(f"class each row by {money.name} with CASE (under {low} small, under {high} medium, else "
                   f"large) and count per class")
    select = Select([f"{case} AS SizeClass", "COUNT(*) AS RowCount", f"SUM({name}) AS Total{money.name}"],
                    d.name.table(obj.name), d.where + predicates, group=[case], order=["COUNT(*) DESC"])
    question = d.ask("size_classes", measure=d.words(money.name), filters=words, low=str(low), high=str(high))
    return d.example("size_classes", question, select, f"{d.noun.many.capitalize()} by size of {money.name}:")


def _repeats(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """Values that occur more than once (GROUP BY ... HAVING COUNT(*) > 1): duplicate references, names, dates."""
    d = Draft(ctx, CATEGORY, obj)
    column = ctx.pick([*d.roles.texts[:2], *d.roles.dates[:1]])
    name = d.name(obj.name, column.name)
    words, predicates = _period(d)
    d.steps.append(f"group by {column.name} and keep the values with more than one row (HAVING COUNT(*) > 1)")
    select = Select([name, "COUNT(*) AS Occurrences"], d.name.table(obj.name), d.where + predicates + [
        f"{name} IS NOT NULL"], group=[name], having=["COUNT(*) > 1"], order=["COUNT(*) DESC"])
    question = d.ask("repeated_values", column=d.words(column.name), filters=words)
    return d.example("repeated_values", question, select, f"{column.name} values used more than once:")
