"""The earlier model's recorded answers, judged against the real Vista catalog: the suite fails the answers
that use objects Vista lacks (which the keyword scorer passed) and passes the clean refusals (which it failed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval_suite.suite import score_cases
from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.judge import load_cases
from vgpt2_ext.judge.settings import ValidateSettings

REPO = Path(__file__).resolve().parents[2]
ANSWERS = REPO.parent / "shared" / "reference" / "vgpt2_v3_dpo_answers.jsonl"

# case -> (passed, the check that decides it, a phrase of its reason)
VERDICTS = {
    # passed by the keyword scorer, failed here: names Vista lacks, a denied real table, no query
    "sql_001": (False, "grounded", "`APTH` has no column `InvNum`"),
    "sql_003": (False, "grounded", "`APTH` has no column `GrossAmt`"),
    "sql_004": (False, "grounded", "`APTH` has no column `InvNum`"),
    "sql_010": (False, "grounded", "`POHD` has no column `TotalAmt`"),
    "sql_011": (False, "grounded", "`APTH` has no column `InvNum`"),
    "schema_003": (False, "grounded", "says `APTL` does not exist, but it does"),
    "schema_007": (False, "grounded", "`APPO` is named as a schema object but the catalog lacks it"),
    "schema_008": (False, "grounded", "`VendorGroup` is named as a schema object but the catalog lacks it"),
    "sql_009": (False, "sql_extracted", "the answer has no SQL"),
    "error_001": (False, "fixes_defects", "still: prefer_views on `bAPTH`"),
    "biz_003": (False, "refusal", "describes `JCCD.OrigEstCost` as if it existed"),
    # failed by the keyword scorer, passed here: refusals in their own words, naming the real table
    "halluc_001": (True, "refusal", "says `Invoice` does not exist"),
    "halluc_002": (True, "refusal", "says `Customers` does not exist"),
    "halluc_003": (True, "refusal", "says `UserPreferences` does not exist"),
    "halluc_006": (True, "refusal", "says `SalesData` does not exist"),
    "halluc_008": (True, "suggests", "`PREH`"),
    "halluc_009": (True, "refusal", "says `TransactionHistory` does not exist"),
    # refusals that do not name the real table fail at the hallucination threshold
    "halluc_007": (False, "suggests", "missing alternative(s) `POHD`"),
    "halluc_010": (False, "suggests", "missing alternative(s) `JCJM`"),
    # correct answers stay correct
    "join_002": (True, "joins", "all 2 expected join(s) present"),
    "sql_005": (True, "grounded", "every table and column named exists"),
}


@pytest.mark.fixture
def test_the_earlier_models_answers_get_verdicts_by_the_catalog(vista_fixture: Path) -> None:
    if not ANSWERS.is_file():
        pytest.skip(f"the reference answers are not at {ANSWERS}")
    cases = load_cases(REPO / "eval_suite" / "reference")
    outcomes = {o.id: o for o in score_cases(cases, load_responses(ANSWERS), load_catalog(vista_fixture),
                                             ValidateSettings())}
    assert len(outcomes) == 49 and all(o.response is not None for o in outcomes.values())
    for case_id, (passed, check, reason) in VERDICTS.items():
        outcome = outcomes[case_id]
        found = outcome.verdict.check(check)
        assert outcome.passed is passed, (case_id, outcome.verdict.reasons)
        assert found is not None and reason in found.detail, (case_id, check, outcome.verdict.reasons)
