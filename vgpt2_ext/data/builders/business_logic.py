"""`business_logic`: the catalog's business rules (unpaid AP, open jobs, cost to date, remaining committed cost,
retainage ...) expressed as SQL and explained, and curated multi-table business questions.

A rule is a predicate over one table (`APTD.Status < 3`) and, for a measure, a value over the rows it keeps
(`SUM(JCCD.ActualCost)`). Its templates say what they count in the table's own grain, so the count unit is the
one the question names ("How many AP pay lines are unpaid?" counts APTD rows, never invoices):

- a row rule: the rows it keeps (with the rule explained as its predicate), and how many there are;
- a measure rule: its value (explained as the measure over the rows its predicate keeps), and its value per
  related record, grouped by the relationship's full key (per AP invoice:
  Mth and APTrans; per job: Job), so no two records merge.

A measure is asked only in words the vocabulary gives it (`vocabulary.rules`), else in the rule id's words:
"committed_cost" is the *remaining* committed cost, and a question must not call it the total.
Curated seed intents of category `business_logic` add the questions that need several tables, each with a
semantic test (tests/data/test_business_semantics.py) on rows where a wrong grouping, column or count unit
would give a different answer.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from vgpt2_ext.catalog import Rule
from vgpt2_ext.data.builders.analytics import Dimension, dimensions
from vgpt2_ext.data.builders.common import BuildContext, Maker, Pools, stream
from vgpt2_ext.data.builders.draft import Draft
from vgpt2_ext.data.builders.intents import intent_makers
from vgpt2_ext.data.builders.sql_generation import label
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.sqlgen import Select

CATEGORY = "business_logic"
MODULES = frozenset("ap ar cm em gl hq in jc pm po pr sl".split())


def candidates(ctx: BuildContext):
    pools = Pools(seeds=intent_makers(ctx, CATEGORY))
    for rule in ctx.catalog.rules:
        makers: list[Maker] = [partial(_measure, rule=rule), partial(_by_parent, rule=rule)] if rule.measure \
            else [partial(_rows, rule=rule), partial(_count, rule=rule)]
        pools.add(ctx, ctx.catalog.object(rule.table), makers)
    return stream(ctx, pools)


def rule_words(ctx: BuildContext, rule: Rule) -> str:
    """How a question names a rule: the vocabulary's words, else its id (`unpaid_ap` -> `unpaid AP`)."""
    return ctx.words.rules.get(rule.id) or " ".join(w.upper() if w in MODULES else w for w in rule.id.split("_"))


def _draft(ctx: BuildContext, rule: Rule) -> Draft:
    d = Draft(ctx, CATEGORY, ctx.catalog.object(rule.table))
    d.where = d.where + [_qualified(d, rule.predicate)]
    return d


def _qualified(d: Draft, text: str) -> str:
    """A rule's text (`APTD.Status < 3`) with the table written as the query names it (`td.Status < 3`)."""
    alias = d.name.aliases.get(d.obj.name)
    return text.replace(f"{d.obj.name}.", f"{alias}.") if alias else text


def _explained(rule: Rule) -> str:
    """The rule in words and in SQL: a row rule is its predicate; a measure is a value over the rows it keeps."""
    if rule.measure:
        return f"{rule.text} In SQL: {rule.measure} over the rows where {rule.predicate}."
    return f"{rule.text} In SQL the rule is the predicate {rule.predicate}."


def _rows(ctx: BuildContext, rule: Rule) -> Example:
    d = _draft(ctx, rule)
    shown = d.shown()
    d.steps.append(f"keep the rows where {rule.predicate}")
    select = Select([d.name(d.obj.name, c) for c in shown], d.name.table(d.obj.name), d.where,
                    order=[d.name(d.obj.name, shown[0])])
    question = d.ask("rule_rows", rule=rule_words(ctx, rule))
    return _example(d, rule, "rule_rows", question, select)


def _count(ctx: BuildContext, rule: Rule) -> Example:
    d = _draft(ctx, rule)
    d.steps.append(f"keep the rows where {rule.predicate} and count them: one row per {d.noun.one}")
    select = Select([f"COUNT(*) AS {label(d.noun.one, 'Count')}"], d.name.table(d.obj.name), d.where)
    question = d.ask("rule_count", rule=rule_words(ctx, rule))
    return _example(d, rule, "rule_count", question, select)


def _measure(ctx: BuildContext, rule: Rule) -> Example:
    d = _draft(ctx, rule)
    d.steps.append(f"compute {rule.measure} over the rows where {rule.predicate}")
    select = Select([f"{_qualified(d, rule.measure)} AS {label(rule_words(ctx, rule))}"], d.name.table(d.obj.name),
                    d.where)
    question = d.ask("rule_measure", measure=rule_words(ctx, rule))
    return _example(d, rule, "rule_measure", question, select)


def _by_parent(ctx: BuildContext, rule: Rule, dim: Dimension | None = None) -> Example | None:
    d = _draft(ctx, rule)
    dims = [found for found in dimensions(ctx, d.obj) if found.parent]
    if not dims:
        return None
    dim = dim or ctx.pick(dims)
    group = [d.name(d.obj.name, c) for c in dim.columns]
    value = _qualified(d, rule.measure)
    d.steps.append(f"compute {rule.measure} per {dim.noun.one}, grouped by its full key ({', '.join(dim.columns)})")
    select = Select(group + [f"{value} AS {label(rule_words(ctx, rule))}"], d.name.table(d.obj.name), d.where,
                    group=group, order=[f"{value} DESC"])
    question = d.ask("rule_by_parent", measure=rule_words(ctx, rule), per=dim.noun.one, pers=dim.noun.many)
    return _example(d, rule, "rule_by_parent", question, select)


def _example(d: Draft, rule: Rule, template: str, question: str, select: Select) -> Example:
    example = d.example(template, question, select, _explained(rule))
    text = example.answer
    if d.ctx.reasoning == "brief":  # the plan, then what the rule means, then the query
        plan, _, rest = text.partition("\n\n")
        text = f"{plan}\n\n{_explained(rule)}\n\n{rest}"
    return replace(example, answer=text, intent=f"{rule.id}:{template}")
