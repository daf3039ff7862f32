"""Aggregation: the earlier report's per-test scores reproduce its figures; answers are judged case by case."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval_suite.suite import Outcome, gate_failures, score_cases, summarise
from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.judge import Verdict, load_cases, passes
from vgpt2_ext.judge.settings import GateSettings, ValidateSettings

REPO = Path(__file__).resolve().parents[2]
# the per-test scores of ../shared/reference/vgpt2_v3_sft_results.md, in its order
EARLIER = {
    "schema_knowledge": [0.85, 0.90, 0.60, 0.70, 1.00, 0.90, 1.00, 0.80, 1.00, 0.95, 0.90, 0.95],
    "sql_generation": [0.95, 0.95, 0.90, 0.95, 0.95, 0.85, 0.95, 0.95, 0.60, 0.95, 0.85, 0.85],
    "hallucination": [0.60, 0.80, 0.60, 0.80, 0.10, 0.60, 0.60, 0.60, 0.80, 0.80],
    "join_patterns": [1.00, 0.95, 1.00, 0.95, 1.00],
    "error_correction": [0.95, 0.95, 0.95, 0.55, 0.90],
    "business_logic": [0.90, 0.90, 0.70, 0.70, 0.70],
}


def earlier_outcomes(settings: ValidateSettings) -> list[Outcome]:
    outcomes = []
    for category, scores in EARLIER.items():
        for n, score in enumerate(scores, 1):
            verdict = Verdict(score, ())
            threshold = getattr(settings.thresholds, category)
            outcomes.append(Outcome(f"{category}_{n:03}", category, "", "", verdict, passes(verdict, threshold)))
    return outcomes


def test_the_earlier_reports_scores_reproduce_its_figures() -> None:
    settings = ValidateSettings()
    summary = summarise(earlier_outcomes(settings), settings)
    assert (summary.passed, summary.total) == (38, 49)
    assert f"{summary.pass_rate:.1%}" == "77.6%"
    assert round(summary.overall, 2) == 0.83 and round(summary.overall * 49, 2) == 40.65
    percent = {name: round(cat.score * 100) for name, cat in summary.categories.items()}
    assert percent == {"schema_knowledge": 88, "sql_generation": 89, "hallucination": 63, "join_patterns": 98,
                       "error_correction": 86, "business_logic": 78}
    passed = {name: cat.passed for name, cat in summary.categories.items()}
    assert passed == {"schema_knowledge": 12, "sql_generation": 12, "hallucination": 0, "join_patterns": 5,
                      "error_correction": 4, "business_logic": 5}


def test_the_default_targets_give_the_earlier_reports_marks() -> None:
    settings = ValidateSettings()
    summary = summarise(earlier_outcomes(settings), settings)
    status = {name: cat.status for name, cat in summary.categories.items()}
    assert status == {"schema_knowledge": "met", "sql_generation": "near", "hallucination": "below",
                      "join_patterns": "met", "error_correction": "met", "business_logic": "near"}


@pytest.fixture(scope="module")
def sample_cases():
    return load_cases(REPO / "eval_suite" / "cases")


def test_the_suite_has_the_earlier_ids_and_counts(sample_cases) -> None:
    ids = [case.id for case in sample_cases]
    expected = ([f"schema_{n:03}" for n in range(1, 13)] + [f"sql_{n:03}" for n in range(1, 13)]
                + [f"halluc_{n:03}" for n in range(1, 11)] + [f"join_{n:03}" for n in range(1, 6)]
                + [f"error_{n:03}" for n in range(1, 6)] + [f"biz_{n:03}" for n in range(1, 6)])
    assert sorted(ids) == sorted(expected)


@pytest.mark.parametrize("catalog", [None, SAMPLE_CATALOG], ids=["the default (real Vista)", "the small sample"])
def test_ideal_answers_pass_every_case_with_full_marks(sample_cases, catalog) -> None:
    settings = ValidateSettings()
    answers = load_responses(Path(__file__).parent / "ideal_answers.jsonl")
    outcomes = score_cases(sample_cases, answers, load_catalog(catalog), settings)
    assert [(o.id, o.verdict.reasons) for o in outcomes if o.score < 1] == []
    assert summarise(outcomes, settings).passed == 49


def test_a_missing_response_scores_zero_with_its_reason(sample_cases) -> None:
    outcomes = score_cases(sample_cases[:2], {}, load_catalog(SAMPLE_CATALOG), ValidateSettings())
    assert [(o.score, o.passed, o.verdict.reasons) for o in outcomes] == [(0.0, False, ("answered: no response",))] * 2


def test_gates_fail_on_the_overall_score_and_on_a_category() -> None:
    settings = ValidateSettings(gates=GateSettings(hallucination=0.9))
    summary = summarise(earlier_outcomes(settings), settings)
    failures = gate_failures(summary, fail_under=0.9)
    assert failures == ["overall score 0.83 is below --fail-under 0.90",
                        "hallucination score 0.63 is below its gate `vgpt2.validate.gates.hallucination` 0.90"]
    assert gate_failures(summary, fail_under=0.8) == failures[1:]
