"""The judge's round-2 rules, each with right and wrong answers side by side (`rules.yaml`): result column
containment, refusals by reference, intent-keeping fixes, house style only where asked, stated facts, APPLY
grounding and query variables in cases without gold SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.judge import Case, Expect, judge, load_cases, passes
from vgpt2_ext.judge.settings import ThresholdSettings

REPO = Path(__file__).resolve().parents[2]
ENTRIES = yaml.safe_load((Path(__file__).parent / "rules.yaml").read_text(encoding="utf-8"))["rules"]
CASES = {case.id: case for case in load_cases(REPO / "eval_suite" / "cases")}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


def case_of(entry: dict) -> Case:
    if "case" in entry:
        return CASES[entry["case"]]
    own = entry["own"]
    expect = {key: tuple(value) if isinstance(value, list) else value for key, value in own["expect"].items()}
    return Case("own", own["category"], own["question"], tuple(own.get("gold_sql", ())), Expect(**expect))


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["title"] for entry in ENTRIES])
def test_each_rule_judges_its_right_and_wrong_answers(entry: dict, catalog) -> None:
    case = case_of(entry)
    verdict = judge(entry["answer"], case, catalog)
    check = verdict.check(entry["check"])
    reasons = "\n".join(verdict.reasons)
    assert check is not None, reasons
    assert check.passed is entry["passed"], (check, reasons)
    assert entry.get("detail", "") in check.detail, check
    if "verdict" in entry:
        assert passes(verdict, getattr(ThresholdSettings(), case.category)) is (entry["verdict"] == "pass"), reasons


def test_every_check_the_rules_name_has_a_passing_and_a_failing_answer() -> None:
    outcomes: dict[str, set[bool]] = {}
    for entry in ENTRIES:
        outcomes.setdefault(entry["check"], set()).add(entry["passed"])
    assert all(found == {True, False} for found in outcomes.values()), outcomes
