"""`business_logic`: the catalog's business rules (unpaid AP, open jobs, cost to date, committed cost,
retainage ...) expressed as SQL and explained.

Each rule gives its rows (or, for a measure, its value), a count, a per-month and a per-key breakdown, and an
explanation of what the rule means, always with the rule's own predicate, so the SQL says exactly what the
rule text says. Curated seed intents of category `business_logic` add multi-table questions over the rules.
"""

from __future__ import annotations

from functools import partial

from vgpt2_ext.catalog import Rule
from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, stream
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select, company_filter, ref

CATEGORY = "business_logic"
SCOPES = (" for company {co}", " in company {co}", " for Co {co}")
MODULES = frozenset("ap ar cm em gl hq in jc pm po pr sl".split())


def candidates(ctx: BuildContext):
    makers: list[Maker] = []
    for rule in ctx.catalog.rules:
        makers.append(partial(_explain, rule=rule))
        if rule.measure:
            makers += [partial(_measure, rule=rule), partial(_by_month, rule=rule), partial(_by_key, rule=rule)]
        else:
            makers += [partial(_rows, rule=rule), partial(_count, rule=rule)]
    return stream(ctx, makers, intent_makers(ctx, CATEGORY))


def rule_words(rule: Rule) -> str:
    """`unpaid_ap` -> `unpaid AP`: how a question names a rule."""
    return " ".join(w.upper() if w in MODULES else w for w in rule.id.split("_"))


class _Rule:
    """A rule's table, literals, scope and WHERE clause (company filter and the rule's predicate)."""

    def __init__(self, ctx: BuildContext, rule: Rule):
        self.ctx, self.rule, self.values = ctx, rule, ctx.values()
        self.obj = ctx.catalog.object(rule.table)
        company = company_filter(self.obj, self.values["co"])
        self.scope = ctx.pick(SCOPES).format(**self.values) if company else ""
        self.where = company + [rule.predicate]
        self.source = ref(ctx.catalog, self.obj.name)

    def example(self, template: str, select: Select, lead: str = "", **slots: str) -> Example:
        question = self.ctx.ask(template, self.values, rule=rule_words(self.rule), table=self.obj.name,
                                scope=self.scope, **slots)
        text = answer(f"{self.rule.text} {lead}".strip(), select.text())
        return Example(CATEGORY, f"schema:{template}", f"{self.rule.id}:{template}", question, text,
                       anchor=self.obj.name)


def _explain(ctx: BuildContext, rule: Rule) -> Example:
    r = _Rule(ctx, rule)
    columns = [f"{r.obj.name}.{n}" for n in r.obj.key[:4]]
    return r.example("rule_explain", Select(columns, r.source, r.where, top=r.values["n"]),
                     f"In SQL the rule is the predicate {rule.predicate}:")


def _rows(ctx: BuildContext, rule: Rule) -> Example:
    r = _Rule(ctx, rule)
    label = roles_of(r.obj).label
    columns = [f"{r.obj.name}.{n}" for n in r.obj.key[:4]] + ([f"{r.obj.name}.{label.name}"] if label else [])
    return r.example("rule_rows", Select(columns, r.source, r.where, top=r.values["n"]))


def _count(ctx: BuildContext, rule: Rule) -> Example:
    r = _Rule(ctx, rule)
    return r.example("rule_count", Select(["COUNT(*) AS RowCount"], r.source, r.where))


def _measure(ctx: BuildContext, rule: Rule) -> Example:
    r = _Rule(ctx, rule)
    return r.example("rule_measure", Select([f"{rule.measure} AS Value"], r.source, r.where))


def _by_month(ctx: BuildContext, rule: Rule) -> Example | None:
    r = _Rule(ctx, rule)
    if not roles_of(r.obj).month:
        return None
    mth, v = f"{r.obj.name}.Mth", r.values
    where = r.where + [f"{mth} >= '{v['year']}-01-01'", f"{mth} < '{v['next_year']}-01-01'"]
    select = Select([mth, f"{rule.measure} AS Value"], r.source, where, group=[mth], order=[mth])
    return r.example("rule_by_month", select, f"Per month of {v['year']}:")


def _by_key(ctx: BuildContext, rule: Rule) -> Example | None:
    r = _Rule(ctx, rule)
    company = r.obj.company_column
    keys = [n for n in r.obj.key if (company is None or n != company.name) and n.lower() != "mth"]
    if not keys:
        return None
    column = f"{r.obj.name}.{keys[0]}"
    select = Select([column, f"{rule.measure} AS Value"], r.source, r.where, group=[column],
                    order=[f"{rule.measure} DESC"])
    return r.example("rule_by_key", select, f"Per {keys[0]}:", column=keys[0])
