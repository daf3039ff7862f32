"""`vgpt2.data.reasoning`: `brief` opens SQL answers with a short plan, `none` with a one-line lead; either way
validation's SQL extraction finds the query and the judge scores the answer as the proof did."""

from __future__ import annotations

import itertools

import pytest

from vgpt2_ext.data.builders import builder
from vgpt2_ext.data.builders.common import BuildContext
from vgpt2_ext.judge import Case, judge
from vgpt2_ext.sql.extract import extract_blocks


def answers(sample, seeds, reasoning: str, category: str = "sql_generation", count: int = 30):
    ctx = BuildContext.for_category(sample, seeds, 0, category, reasoning=reasoning)
    return list(itertools.islice(builder(category)(ctx), count))


@pytest.mark.parametrize("category", ["sql_generation", "join_patterns", "business_logic"])
def test_a_brief_answer_states_its_plan_before_one_fenced_query(sample, seeds, category):
    for example in answers(sample, seeds, "brief", category):
        blocks = extract_blocks(example.answer)
        assert len(blocks) == 1 and blocks[0].fenced
        if not example.history:  # a follow-up's answer says what changed instead
            assert example.answer.startswith("Plan: ") and example.answer.index("```") > len("Plan: ")


def test_no_reasoning_leaves_the_plan_out(sample, seeds):
    assert not any(e.answer.startswith("Plan:") for e in answers(sample, seeds, "none"))


def test_the_judge_extracts_and_scores_a_brief_answer_as_its_own_gold(sample, seeds):
    example = next(e for e in answers(sample, seeds, "brief") if e.source == "schema:list_rows" and "@" not in e.answer)
    sql = extract_blocks(example.answer)[0].sql
    verdict = judge(example.answer, Case("t", "sql_generation", example.question, gold_sql=(sql,)), sample)
    assert verdict.check("sql_extracted").passed and verdict.check("result_matches").passed
