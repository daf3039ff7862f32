"""Curated seed intents (`intents:` in the seed files) as makers: one phrasing and one literal draw per call.

The question, the SQL and the explanation of an intent share one draw of literal values, so `{co}` in the
question is `{co}` in the query. Shared by the sql_generation, join_patterns and business_logic builders.
"""

from __future__ import annotations

from functools import partial

from vgpt2_ext.data.builders.common import BuildContext, Maker, answer
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.seeds import Intent


def intent_makers(ctx: BuildContext, category: str) -> list[Maker]:
    return [partial(_intent, intent=intent) for intent in ctx.seeds.intents if intent.category == category]


def seed_source(ctx: BuildContext, item_id: str) -> str:
    """`seed:<file>#<id>`: where a seed example came from, for the card and for messages."""
    return f"seed:{(ctx.seeds.origin or {}).get(item_id, 'seeds')}#{item_id}"


def _intent(ctx: BuildContext, intent: Intent) -> Example:
    values = ctx.values()
    question = fill(ctx.phrase(intent.questions), values)
    lead = fill(intent.explain, values) if intent.explain else "In T-SQL:"
    return Example(intent.category, seed_source(ctx, intent.id), intent.id, question,
                   answer(lead, fill(intent.sql, values)))
