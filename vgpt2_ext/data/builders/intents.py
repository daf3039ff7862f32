"""Curated seed intents (`intents:` in the seed files) as makers: one phrasing and one literal draw per call.

The question, the SQL and the explanation of an intent share one draw of literal values, so `{co}` in the
question is the company in the query. A query writes its company filters as `{co:APCo}`: the number when the
chosen phrasing states the company (`{co}`, or a non-empty `{scope}`), else the parameter `@APCo`. With
`vgpt2.data.reasoning: brief` the explanation is the plan before the query. Shared by the sql_generation,
join_patterns and business_logic builders.
"""

from __future__ import annotations

from functools import partial

from vgpt2_ext.data.builders.common import BuildContext, Maker, answer, tidy
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import CompanyLiteral, fill
from vgpt2_ext.data.seeds import Intent

SCOPES = (" for company {co}", " in company {co}", " for Co {co}", ", company {co}")


def intent_makers(ctx: BuildContext, category: str) -> list[Maker]:
    return [partial(_intent, intent=intent) for intent in ctx.seeds.intents if intent.category == category]


def seed_source(ctx: BuildContext, item_id: str) -> str:
    """`seed:<file>#<id>`: where a seed example came from, for the card and for messages."""
    return f"seed:{(ctx.seeds.origin or {}).get(item_id, 'seeds')}#{item_id}"


def seed_values(ctx: BuildContext, phrasing: str) -> dict[str, str]:
    """A literal draw for one seed phrasing: `scope` filled, and `co` a CompanyLiteral stated as the phrasing
    states it."""
    values = ctx.values()
    stated = "{co}" in phrasing or ("{scope}" in phrasing and ctx.company(values).stated)
    scope = ctx.pick(SCOPES).format(co=values["co"]) if stated and "{scope}" in phrasing else ""
    return {**values, "scope": scope, "co": CompanyLiteral(values["co"], stated)}


def _intent(ctx: BuildContext, intent: Intent) -> Example:
    phrasing = ctx.phrase(intent.questions)
    values = seed_values(ctx, phrasing)
    question = tidy(fill(phrasing, values))
    lead = fill(intent.explain, values) if intent.explain else "In T-SQL:"
    if ctx.reasoning == "brief" and intent.explain:  # the curated explanation is the plan
        lead = f"Plan: {lead[0].lower() + lead[1:] if lead[1:2].islower() else lead}"
    return Example(intent.category, seed_source(ctx, intent.id), intent.id, question,
                   answer(lead, fill(intent.sql, values)))
