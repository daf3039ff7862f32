"""The judge on hand-written answers to the shipped cases: what passes, what fails, and for which reason.

The table is data (`answers.yaml`); each entry names the checks that must fall short and the gates that
must cap the score, so a verdict that is right for the wrong reason fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.judge import Verdict, judge, load_cases, passes
from vgpt2_ext.judge import checks as checks_module
from vgpt2_ext.judge.settings import ThresholdSettings

REPO = Path(__file__).resolve().parents[2]
ENTRIES = yaml.safe_load((Path(__file__).parent / "answers.yaml").read_text(encoding="utf-8"))["answers"]
CASES = {case.id: case for case in load_cases(REPO / "eval_suite" / "cases")}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["title"] for entry in ENTRIES])
def test_the_judge_gives_each_answer_its_verdict_for_its_reason(entry: dict, catalog) -> None:
    case = CASES[entry["case"]]
    verdict = judge(entry["answer"], case, catalog)
    reasons = "\n".join(verdict.reasons)
    assert passes(verdict, getattr(ThresholdSettings(), case.category)) is entry["passed"], reasons
    assert sorted(c.name for c in verdict.failures) == sorted(entry.get("short", [])), reasons
    assert sorted(verdict.gates) == sorted(entry.get("gates", [])), reasons


@pytest.mark.parametrize("entry", [e for e in ENTRIES if CASES[e["case"]].category == "hallucination"],
                         ids=lambda entry: entry["title"])
def test_asking_for_some_checks_runs_those_alone_with_the_same_results(entry: dict, catalog) -> None:
    case = CASES[entry["case"]]
    wanted = ("refusal", "suggests")
    every = judge(entry["answer"], case, catalog)
    some = judge(entry["answer"], case, catalog, checks=wanted)
    assert [c.name for c in some.checks] == [c.name for c in every.checks if c.name in wanted]
    assert [some.check(name) for name in wanted] == [every.check(name) for name in wanted]


def test_the_table_covers_every_category() -> None:
    assert {CASES[entry["case"]].category for entry in ENTRIES} == {case.category for case in CASES.values()}


def test_a_failed_gate_keeps_the_score_below_every_threshold_but_ranks_failures(catalog) -> None:
    case = CASES["join_002"]
    good = judge(CASES["join_002"].gold_sql[0], case, catalog)
    wrong_join = judge(case.gold_sql[0].replace("APVM.VendorGroup = APTH.VendorGroup AND ", ""), case, catalog)
    nothing = judge("I do not know.", case, catalog)
    assert good.score == 1.0
    assert nothing.score == 0 < wrong_join.score <= checks_module.GATE_CAP  # no credit for naming nothing wrong
    assert not passes(wrong_join, 0.0)


def test_a_verdict_serialises_to_stable_names_and_back(catalog) -> None:
    verdict = judge("There is no Invoice table; use APTH.", CASES["halluc_001"], catalog)
    data = json.loads(json.dumps(verdict.to_json()))
    assert set(data) == {"score", "gates", "checks"}
    assert set(data["checks"][0]) == {"name", "score", "detail", "skipped"}
    assert Verdict.from_json(data) == verdict


def test_the_check_table_in_the_docstring_is_the_table_the_judge_runs() -> None:
    rows = re.findall(r"^\| (\w+)\s+\| (\d+)\s+\| ([\d.]*)\s+\|", checks_module.__doc__, re.M)
    documented = [(name, float(weight), float(cap) if cap else None) for name, weight, cap in rows]
    assert documented == [(s.name, s.weight, s.cap) for s in checks_module.CHECKS]
