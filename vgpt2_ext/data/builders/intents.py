"""Curated seed intents (`intents:` in the seed files) as makers: one phrasing and one literal draw per call.

The question, the SQL and the explanation of an intent share one draw of literal values, so `{co}` in the
question is the company in the query. A query writes its company filters as `{co:APCo}`: the number when the
chosen phrasing states the company (`{co}`, or a non-empty `{scope}`), else the parameter `@APCo`. With
`vgpt2.data.reasoning: brief` the explanation is the plan before the query. Shared by the sql_generation,
join_patterns and business_logic builders.
"""

from __future__ import annotations

import random
from functools import partial

from sqlglot import exp

from vgpt2_ext.data.builders.common import BuildContext, Maker, answer
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import CompanyLiteral, draw, fill
from vgpt2_ext.data.seeds import Intent
from vgpt2_ext.data.styles import scope
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.parse import parse_tsql


def intent_makers(ctx: BuildContext, category: str) -> list[Maker]:
    """The seed intents of `category` whose query reads only objects this catalog has (a seed written for
    Vista's AP tables says nothing about a catalog without them)."""
    return [partial(_intent, intent=intent) for intent in ctx.seeds.intents
            if intent.category == category and fits(ctx, intent.sql)]


def fits(ctx: BuildContext, sql: str) -> bool:
    """Whether every table a seed query reads is in the catalog (read from its parsed tree, literals drawn)."""
    if not sql:
        return True
    try:
        statements = parse_tsql(fill(sql, {**draw(random.Random(0)), "scope": ""}))
    except SQLAnalysisError:
        return True  # the proof reports it, with the seed's name
    return all(ctx.catalog.find(table.name) is not None for tree in statements for table in tree.find_all(exp.Table)
               if table.name and table.name.lower() not in {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)})


def seed_source(ctx: BuildContext, item_id: str) -> str:
    """`seed:<file>#<id>`: where a seed example came from, for the card and for messages."""
    return f"seed:{(ctx.seeds.origin or {}).get(item_id, 'seeds')}#{item_id}"


def seed_values(ctx: BuildContext, phrasing: str) -> dict[str, str]:
    """A literal draw for one seed phrasing: `scope` filled, and `co` a CompanyLiteral stated as the phrasing
    states it."""
    values = ctx.values()
    stated = "{co}" in phrasing or ("{scope}" in phrasing and ctx.company(values).stated)
    scope_words = scope(ctx.voice, values["co"], "") if stated and "{scope}" in phrasing else ""
    return {**values, "scope": scope_words, "co": CompanyLiteral(values["co"], stated)}


def _intent(ctx: BuildContext, intent: Intent) -> Example:
    phrasing = ctx.phrase(intent.questions)
    values = seed_values(ctx, phrasing)
    question = ctx.styled(fill(phrasing, values))
    lead = fill(intent.explain, values) if intent.explain else "In T-SQL:"
    if ctx.reasoning == "brief" and intent.explain:  # the curated explanation is the plan
        lead = f"Plan: {lead[0].lower() + lead[1:] if lead[1:2].islower() else lead}"
    return Example(intent.category, seed_source(ctx, intent.id), intent.id, question,
                   answer(lead, fill(intent.sql, values)))
