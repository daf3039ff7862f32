"""`sql_generation`: a request in words -> one T-SQL query in the house style.

Schema templates cover single-table filters (company, codes, yes/no flags, dates, amounts, text), aggregates,
date logic on `Mth` (one month, a range, a year), TOP n and grouping, for every queryable object whose
columns have the roles a template needs. Curated seed intents add the natural phrasings of real questions.
"""

from __future__ import annotations

from functools import partial

from vgpt2_ext.catalog import CatalogObject, Column
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, queryable, stream
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import Roles, roles_of
from vgpt2_ext.data.sqlgen import Select, company_filter, ref

CATEGORY = "sql_generation"
SCOPES = (" for company {co}", " in company {co}", " for Co {co}")


def candidates(ctx: BuildContext):
    makers: list[Maker] = []
    for obj in queryable(ctx.catalog):
        makers += table_makers(obj, roles_of(obj))
    return stream(ctx, makers, intent_makers(ctx, CATEGORY))


def table_makers(obj: CatalogObject, roles: Roles) -> list[Maker]:
    """Every template that fits `obj` (also used by error_correction as the source of valid queries)."""
    makers: list[Maker] = [partial(_top_rows, obj=obj), partial(_count, obj=obj)]
    if roles.month:
        makers += [partial(_month, obj=obj, how=how) for how in ("one", "range", "year")]
    for column in roles.money[:4]:
        makers += [partial(_aggregate, obj=obj, column=column, how=how) for how in ("SUM", "AVG", "top", "over")]
        if roles.month:
            makers.append(partial(_by_month, obj=obj, column=column))
    for column in (*roles.flags[:3], *roles.coded):
        makers += [partial(_value, obj=obj, column=column), partial(_count_by, obj=obj, column=column)]
    makers += [partial(_date_after, obj=obj, column=c) for c in roles.dates[:3]]
    makers += [partial(_text_like, obj=obj, column=c) for c in roles.texts[:2]]
    return makers


class _Draft:
    """The pieces every template fills: literals, scope phrase, company filter and the shown columns."""

    def __init__(self, ctx: BuildContext, obj: CatalogObject, extra: tuple[Column, ...] = ()):
        self.ctx, self.obj, self.values = ctx, obj, ctx.values()
        self.where = company_filter(obj, self.values["co"])
        self.scope = ctx.pick(SCOPES).format(**self.values) if self.where else ""
        roles = roles_of(obj)
        shown = [*roles.key, *([roles.label] if roles.label else []), *extra] or list(obj.columns[:4])
        self.columns = [f"{obj.name}.{c.name}" for c in dict.fromkeys(shown)][:7]

    def ask(self, template: str, **slots: str) -> str:
        return self.ctx.ask(template, self.values, table=self.obj.name, scope=self.scope, **slots)

    def example(self, template: str, question: str, lead: str, select: Select) -> Example:
        return Example(CATEGORY, f"schema:{template}", template, question, answer(lead, select.text()),
                       anchor=self.obj.name)

    @property
    def source(self) -> str:
        return ref(self.ctx.catalog, self.obj.name)

    def scoped(self, lead: str) -> str:
        co = f", company {self.values['co']}" if self.where else ""
        return f"{lead}{co}:"


def _top_rows(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = _Draft(ctx, obj)
    order = [f"{obj.name}.{n}" for n in obj.key] or d.columns[:1]
    select = Select(d.columns, d.source, d.where, order=order, top=d.values["n"])
    return d.example("top_rows", d.ask("top_rows"), d.scoped(f"The first {d.values['n']} rows of {obj.name}"),
                     select)


def _count(ctx: BuildContext, obj: CatalogObject) -> Example:
    d = _Draft(ctx, obj)
    select = Select(["COUNT(*) AS RowCount"], d.source, d.where)
    return d.example("count_rows", d.ask("count_rows"), d.scoped(f"Count the rows of {obj.name}"), select)


def _month(ctx: BuildContext, obj: CatalogObject, how: str) -> Example:
    d = _Draft(ctx, obj)
    mth = f"{obj.name}.Mth"
    v = d.values
    where = {"one": [f"{mth} = '{v['mth']}'"],
             "range": [f"{mth} >= '{v['mth']}'", f"{mth} <= '{v['mth_end']}'"],
             "year": [f"{mth} >= '{v['year']}-01-01'", f"{mth} < '{v['next_year']}-01-01'"]}[how]
    select = Select(d.columns, d.source, d.where + where, order=[mth], top=v["n"])
    lead = d.scoped(f"{obj.name} by posting month (Mth is stored as the first day of the month)")
    return d.example(f"month_{how}", d.ask(f"month_{how}"), lead, select)


def _aggregate(ctx: BuildContext, obj: CatalogObject, column: Column, how: str) -> Example:
    d = _Draft(ctx, obj, (column,))
    name, v = f"{obj.name}.{column.name}", d.values
    if how in ("SUM", "AVG"):
        label = ("Total" if how == "SUM" else "Average") + column.name
        template, lead = ("sum_money", f"Add up {name}") if how == "SUM" else ("avg_money", f"Average {name}")
        select = Select([f"{how}({name}) AS {label}"], d.source, d.where)
    elif how == "top":
        template, lead = "top_by_money", f"The {v['n']} rows of {obj.name} with the largest {column.name}"
        select = Select(d.columns, d.source, d.where, order=[f"{name} DESC"], top=v["n"])
    else:
        template, lead = "money_over", f"{obj.name} rows with {column.name} above {v['amount']}"
        select = Select(d.columns, d.source, d.where + [f"{name} > {v['amount']}"], order=[f"{name} DESC"])
    return d.example(template, d.ask(template, column=column.name), d.scoped(lead), select)


def _by_month(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = _Draft(ctx, obj)
    mth, v = f"{obj.name}.Mth", d.values
    where = d.where + [f"{mth} >= '{v['year']}-01-01'", f"{mth} < '{v['next_year']}-01-01'"]
    select = Select([mth, f"SUM({obj.name}.{column.name}) AS Total{column.name}"], d.source, where,
                    group=[mth], order=[mth])
    lead = d.scoped(f"Sum {obj.name}.{column.name} per month of {v['year']}")
    return d.example("sum_by_month", d.ask("sum_by_month", column=column.name), lead, select)


def _value(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = _Draft(ctx, obj, (column,))
    if column.codes:
        code = ctx.pick(column.codes)
        value, meaning = code.value, code.meaning
    else:
        value = ctx.pick(("Y", "N"))
        meaning = "yes" if value == "Y" else "no"
    numeric = (column.sql_type or "").startswith(("tinyint", "smallint", "int"))
    literal = value if numeric else f"'{value}'"
    select = Select(d.columns, d.source, d.where + [f"{obj.name}.{column.name} = {literal}"], top=d.values["n"])
    lead = d.scoped(f"{obj.name} rows whose {column.name} is {value} ({meaning})")
    question = d.ask("code_filter" if column.codes else "flag_filter", column=column.name, value=value,
                     meaning=meaning)
    return d.example("code_filter" if column.codes else "flag_filter", question, lead, select)


def _count_by(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = _Draft(ctx, obj)
    name = f"{obj.name}.{column.name}"
    select = Select([name, "COUNT(*) AS RowCount"], d.source, d.where, group=[name], order=[name])
    return d.example("count_by", d.ask("count_by", column=column.name), d.scoped(f"Group {obj.name} by "
                                                                                   f"{column.name}"), select)


def _date_after(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = _Draft(ctx, obj, (column,))
    name = f"{obj.name}.{column.name}"
    select = Select(d.columns, d.source, d.where + [f"{name} >= '{d.values['day']}'"], order=[name],
                    top=d.values["n"])
    lead = d.scoped(f"{obj.name} rows with {column.name} on or after {d.values['day']}")
    return d.example("date_after", d.ask("date_after", column=column.name), lead, select)


def _text_like(ctx: BuildContext, obj: CatalogObject, column: Column) -> Example:
    d = _Draft(ctx, obj, (column,))
    name = f"{obj.name}.{column.name}"
    select = Select(d.columns, d.source, d.where + [f"{name} LIKE '%{d.values['word']}%'"], top=d.values["n"])
    lead = d.scoped(f"{obj.name} rows whose {column.name} contains '{d.values['word']}'")
    return d.example("text_like", d.ask("text_like", column=column.name), lead, select)
