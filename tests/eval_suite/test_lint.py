"""Lint: the shipped cases are sound against their catalogs; a wrong expectation cannot land."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval_suite.lint import lint_cases
from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.judge import load_cases

REPO = Path(__file__).resolve().parents[2]
SQL_CASES = REPO / "eval_suite" / "cases" / "sql_generation.yaml"


@pytest.mark.parametrize("catalog", [None, SAMPLE_CATALOG], ids=["the default (real Vista)", "the small sample"])
def test_the_shipped_cases_are_sound_on_the_embedded_catalogs(catalog: Path | None) -> None:
    assert lint_cases(load_cases(REPO / "eval_suite" / "cases"), load_catalog(catalog)) == []


@pytest.mark.fixture
def test_the_reference_cases_are_sound_on_the_real_vista_catalog(vista_fixture: Path) -> None:
    assert lint_cases(load_cases(REPO / "eval_suite" / "reference"), load_catalog(vista_fixture)) == []


def planted(tmp_path: Path, old: str, new: str) -> Path:
    text = SQL_CASES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "planted.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("columns: [APVM.Name, APTH.InvTotal]", "columns: [APVM.Name, APTH.Status]",
     "case `sql_003` key `expect.columns`: `APTH.Status`: `APTH` has no column `Status`; did you mean `APTD.Status`"),
    ("tables: [APTH, APTD]", "tables: [APTH, Invoice]",
     "case `sql_001` key `expect.tables`: `Invoice` is not in catalog `vista-sample`"),
    ("filters: [JCJM.JCCo, JCJM.JobStatus]", "filters: [JCJM.JCCo, JCJM.JobStatus]\n      forbid: [APTD.Status]",
     "case `sql_002` key `expect.forbid`: `APTD.Status` exists in catalog `vista-sample`"),
    ("WHERE APCo = 1 AND InvTotal > 10000", "WHERE APCo = 1 AND InvTotal > 10000000",
     "case `sql_004` key `gold_sql`: returns no rows in the sandbox"),
    ("FROM GLAC WITH (NOLOCK) WHERE GLCo = 1", "FROM GLAC WHERE GLCo = 1",
     "case `sql_005` key `gold_sql`: `GLAC` lacks WITH (NOLOCK)"),
    ("SELECT Job, Description FROM JCJM WITH (NOLOCK) WHERE JCCo = 1 AND JobStatus = 1",
     "SELECT Job, Description FROM JCJM WITH (NOLOCK) WHERE JobStatus = 1",
     "case `sql_002` key `gold_sql`: company column `JCJM.JCCo` is unconstrained"),
    ("filters: [PRTH.PRCo]", "filters: [PRTH.PRCo, PRTH.Employee]",
     "case `sql_006` key `gold_sql`: does not meet `expect.filters`: missing filter(s) `PRTH.Employee`"),
], ids=["expected column that does not exist (APTH.Status)", "expected table that does not exist",
        "forbidden object that exists", "gold returns no rows", "gold breaks the house style",
        "gold without the company filter", "gold misses the case's own expectation"])
def test_a_planted_mistake_fails_lint_naming_file_case_and_name(tmp_path: Path, old: str, new: str,
                                                                 message: str) -> None:
    path = planted(tmp_path, old, new)
    problems = lint_cases(load_cases(path), load_catalog(SAMPLE_CATALOG))
    assert problems and all(problem.startswith(f"`{path}` case `") for problem in problems), problems
    assert message in problems[0], problems


def test_an_error_case_must_carry_a_broken_query_with_a_visible_defect(tmp_path: Path) -> None:
    path = tmp_path / "errors.yaml"
    path.write_text("""
cases:
  - id: error_001
    category: error_correction
    question: "Fix this query: SELECT Job FROM JCJM WITH (NOLOCK) WHERE JCCo = 1"
    gold_sql: "SELECT Job FROM JCJM WITH (NOLOCK) WHERE JCCo = 1"
  - id: error_002
    category: error_correction
    question: "Fix this query, please."
    gold_sql: "SELECT Job FROM JCJM WITH (NOLOCK) WHERE JCCo = 1"
""", encoding="utf-8")
    problems = lint_cases(load_cases(path), load_catalog(SAMPLE_CATALOG))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "the broken query has no defect the judge can see", "an error-correction question must carry the broken query"]


def test_a_question_about_a_missing_object_must_forbid_it(tmp_path: Path) -> None:
    path = tmp_path / "halluc.yaml"
    path.write_text("""
cases:
  - id: halluc_001
    category: hallucination
    question: "What does APTH.InvNum hold, and what is in the APCM table?"
    expect: {refusal: true, forbid: [APTH.InvNum], suggest: [APTH.APRef]}
""", encoding="utf-8")
    problems = lint_cases(load_cases(path), load_catalog(SAMPLE_CATALOG))
    assert len(problems) == 1 and "key `question`: names `APCM`" in problems[0]


def test_an_expected_join_must_be_a_pair_of_a_known_join_path(tmp_path: Path) -> None:
    path = planted(tmp_path, "tables: [APTH, APVM]", 'tables: [APTH, APVM]\n      joins: ["APTH.Vendor = APVM.Name"]')
    problems = lint_cases(load_cases(path), load_catalog(SAMPLE_CATALOG))
    assert any("`APTH.Vendor = APVM.Name` is not a column pair of any join path" in p for p in problems), problems
