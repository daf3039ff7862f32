"""`sql_generation`: a request in words -> one T-SQL query in the house style.

Templates over one object, asked in its business words (its code when the vocabulary has none): lists with
filters (a relative or stated period, a flag, a code, an amount), questions that name the columns they want,
counts and totals, the N largest or latest (TOP only when asked), breakdowns per month, per code or per related
record with HAVING, DISTINCT values; and the analytics that need more than a flat SELECT (`analytics`): running
totals and rankings (window functions), the latest row per group (ROW_NUMBER in a CTE), status labels and aging
buckets (CASE). Curated seed intents add the natural phrasings of real questions.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from vgpt2_ext.catalog import CatalogObject
from vgpt2_ext.data.builders import analytics
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
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select

CATEGORY = "sql_generation"


def candidates(ctx: BuildContext):
    pools = Pools(seeds=intent_makers(ctx, CATEGORY))
    for obj in queryable(ctx.catalog):
        if not is_settings(obj):
            pools.add(ctx, obj, table_makers(ctx, obj))
    return stream(ctx, pools)


def table_makers(ctx: BuildContext, obj: CatalogObject) -> list[Maker]:
    """Every template that fits `obj` (also the source of valid queries for error_correction)."""
    roles = roles_of(obj)
    makers: list[Maker] = [partial(_list, obj=obj), partial(_list, obj=obj), partial(_count, obj=obj)]
    makers += [partial(_follow_up, obj=obj)] * 3
    if roles.money:
        makers += [partial(_total, obj=obj), partial(_largest, obj=obj)]
    if roles.dates or roles.month:
        makers.append(partial(_latest, obj=obj))
    makers += analytics.makers(ctx, obj)
    return makers


def _filters(d: Draft, period: bool = True) -> tuple[str, list[str]]:
    """One or two filters (a period, a value on one of the object's columns), as question words and predicates."""
    found = [f for f in ((d.period() if period and d.ctx.rng.random() < 0.6 else None),
                         (d.value_filter() if d.ctx.rng.random() < 0.7 else None)) if f]
    if not found and (value := d.value_filter()):
        found = [value]
    return " ".join(words for words, _ in found), [predicate for _, predicate in found]


def _listing(ctx: BuildContext, obj: CatalogObject) -> tuple[Draft, Select, Example]:
    """A listing of `obj` with filters, sometimes of exactly the columns the question names."""
    d = Draft(ctx, CATEGORY, obj)
    words, predicates = _filters(d)
    listed = d.listed(ctx.pick((2, 3, 4))) if ctx.rng.random() < 0.8 else []
    shown = listed or d.shown()
    order = [d.name(obj.name, shown[0])]
    select = Select([d.name(obj.name, c) for c in shown], d.name.table(obj.name), d.where + predicates, order=order)
    if listed:
        d.steps.append(f"return exactly {listing(listed)}")
        question = d.ask("list_columns", filters=words, cols=listing([d.words(c) for c in listed]))
    else:
        question = d.ask("list_rows", filters=words)
    example = d.example("list_rows", question, select, f"{d.noun.many.capitalize()} {words}:".replace(" :", ":"),
                        columns=listed)
    return d, select, example


def _list(ctx: BuildContext, obj: CatalogObject) -> Example:
    return _listing(ctx, obj)[2]


def _follow_up(ctx: BuildContext, obj: CatalogObject) -> Example | None:
    """A listing, then a second question refining it: a filter, a column, an order, a count or the top N."""
    d, first, example = _listing(ctx, obj)
    options = [follow(d, first) for follow in FOLLOW_UPS]
    options = [found for found in options if found is not None]
    if not options:
        return None
    template, slots, second, note, columns = ctx.pick(options)
    question = ctx.ask(template, d.values, **slots)
    text = answer(note, second.text())
    return replace(example, source=f"schema:{template}", intent=template, question=question, answer=text,
                   history=((example.question, example.answer),), columns=tuple(columns), kind="follow_up")



def _count(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    words, predicates = _filters(d)
    d.steps.append(f"count the {d.noun.many}")
    select = Select([f"COUNT(*) AS {label(d.noun.one, 'Count')}"], d.name.table(obj.name), d.where + predicates)
    return d.example("count_rows", d.ask("count_rows", filters=words), select, f"Count the {d.noun.many}:")


def _total(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    column = ctx.pick(d.roles.money)
    how, word = ctx.pick((("SUM", "total"), ("SUM", "total"), ("AVG", "average"), ("MAX", "largest")))
    words, predicates = _filters(d)
    label = {"SUM": "Total", "AVG": "Average", "MAX": "Largest"}[how] + column.name
    d.steps.append(f"{ {'SUM': 'add up', 'AVG': 'average', 'MAX': 'take the largest'}[how]} {column.name}")
    select = Select([f"{how}({d.name(obj.name, column.name)}) AS {label}"], d.name.table(obj.name),
                    d.where + predicates)
    question = d.ask(f"{word}_money", measure=d.words(column.name), filters=words)
    return d.example(f"{word}_money", question, select, f"The {word} {d.words(column.name)}:")


def _largest(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    return _top(d, ctx.pick(d.roles.money), _filters(d), "top_by_money", "largest", "measure")


def _latest(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = Draft(ctx, CATEGORY, obj)
    column = ctx.pick(d.roles.dates[:3]) if d.roles.dates else d.roles.month
    filters = _filters(d, period=False) if ctx.rng.random() < 0.5 else ("", [])
    return _top(d, column, filters, "latest_rows", "newest", "when")


def _top(d: Draft, column, filters: tuple[str, list[str]], template: str, first: str, slot: str) -> Example:
    """The first N rows by `column`, descending (TOP, which the question asks for), sometimes of listed columns."""
    words, predicates = filters
    n = d.values["n"]
    d.steps.append(f"sort by {column.name}, {first} first, and keep the first {n} (TOP)")
    shown, listed, cols = _shown_or_listed(d, column.name)
    select = Select(shown, d.name.table(d.obj.name), d.where + predicates,
                    order=[f"{d.name(d.obj.name, column.name)} DESC"], top=n)
    question = d.ask(template, filters=words, **{slot: d.words(column.name)}) + cols
    return d.example(template, question, select, f"The {n} {first} by {column.name}:", columns=listed)


def _shown_or_listed(d: Draft, column: str) -> tuple[list[str], list[str], str]:
    """(select list, the columns the question lists, the words that list them): the question names its columns
    (the sort column among them) two times in five."""
    listed = d.listed(2) if d.ctx.rng.random() < 0.7 else []
    listed = list(dict.fromkeys([*listed, column])) if listed else []
    if not listed:
        return [d.name(d.obj.name, c) for c in d.shown([column])], [], ""
    d.steps.append(f"return exactly {listing(listed)}")
    words = d.ctx.pick((" Show {}.", " Columns: {}.", " I only need {}.", " Just {}, please."))
    return [d.name(d.obj.name, c) for c in listed], listed, words.format(listing([d.words(c) for c in listed]))


def _more_filter(d: Draft, first: Select):
    if not d.roles.money:
        return None
    column = d.ctx.pick(d.roles.money)
    predicate = f"{d.name(d.obj.name, column.name)} > {d.values['amount']}"
    return ("follow_filter", {"measure": d.words(column.name), "amount": d.values["amount"]},
            replace(first, where=[*first.where, predicate]), f"The same query with {predicate} added:", ())


def _more_column(d: Draft, first: Select):
    have = {c.rpartition(".")[2] for c in first.columns}
    extra = [c for c in (*d.roles.money, *d.roles.dates, *d.roles.texts) if c.name not in have]
    if not extra:
        return None
    column = d.ctx.pick(extra[:4])
    columns = [*first.columns, d.name(d.obj.name, column.name)]
    listed = [f"{d.obj.name}.{c.rpartition('.')[2]}" for c in columns]
    return ("follow_column", {"measure": d.words(column.name)}, replace(first, columns=columns),
            f"The same query returning {column.name} as well:", listed)


def _sorted(d: Draft, first: Select):
    if not d.roles.money:
        return None
    column = d.ctx.pick(d.roles.money)
    order = [f"{d.name(d.obj.name, column.name)} DESC"]
    return ("follow_sort", {"measure": d.words(column.name)}, replace(first, order=order),
            f"The same rows sorted by {column.name}, largest first:", ())


def _counted(d: Draft, first: Select):
    return ("follow_count", {}, replace(first, columns=["COUNT(*) AS RowCount"], order=()),
            "Count the same rows:", ())


def _topped(d: Draft, first: Select):
    if not d.roles.money:
        return None
    column = d.ctx.pick(d.roles.money)
    order = [f"{d.name(d.obj.name, column.name)} DESC"]
    return ("follow_top", {"measure": d.words(column.name), "n": d.values["n"]},
            replace(first, order=order, top=d.values["n"]),
            f"The first {d.values['n']} of those rows by {column.name} (TOP):", ())


FOLLOW_UPS = (_more_filter, _more_column, _sorted, _counted, _topped)


def label(words: str, suffix: str = "") -> str:
    """`AP invoice`, `Count` -> `APInvoiceCount`: a column alias from words."""
    parts = [w if w.isupper() else w.capitalize() for w in words.split() if w.isalnum()][:3]
    return "".join(parts) + suffix if parts else suffix or "Value"
