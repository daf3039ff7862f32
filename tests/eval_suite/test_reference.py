"""The earlier model's recorded answers, judged against the real Vista catalog: the suite fails the answers
that use objects Vista lacks or state false facts (which the keyword scorer passed) and passes the clean refusals
(which it failed). Every verdict is reviewed by hand in `benchmarks/reference_labels.yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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
    # passed by both, failed by round 2 of the judge: false facts, fixes that change what the query means
    "schema_002": (False, "facts", "the key of JCJM is (JCCo, KeyID)"),
    "schema_001": (False, "facts", "APTH has 61 columns: APTH has 68 columns"),
    "join_004": (False, "facts", "ARTH has 37 columns"),
    "error_002": (False, "keeps_intent", "drops column `APTH.Vendor`"),
    "error_004": (False, "keeps_intent", "drops filter `APTH.Mth`"),
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
    "schema_005": (True, "facts", "fact(s) stated, all true"),
    "sql_007": (True, "executes", "ran"),  # `ARCo = @ARCo` without gold SQL: bound to a default company
}


LABELS = REPO / "benchmarks" / "reference_labels.yaml"
# answers a careful reviewer passes that the judge still fails (see the labels for why)
KNOWN_DISAGREEMENTS = {"schema_011"}


@pytest.fixture(scope="module")
def outcomes(vista_fixture: Path) -> dict:
    if not ANSWERS.is_file():
        pytest.skip(f"the reference answers are not at {ANSWERS}")
    cases = load_cases(REPO / "eval_suite" / "reference")
    return {o.id: o for o in score_cases(cases, load_responses(ANSWERS), load_catalog(vista_fixture),
                                         ValidateSettings())}


@pytest.mark.fixture
def test_the_earlier_models_answers_get_verdicts_by_the_catalog(outcomes: dict) -> None:
    assert len(outcomes) == 49 and all(o.response is not None for o in outcomes.values())
    for case_id, (passed, check, reason) in VERDICTS.items():
        outcome = outcomes[case_id]
        found = outcome.verdict.check(check)
        assert outcome.passed is passed, (case_id, outcome.verdict.reasons)
        assert found is not None and reason in found.detail, (case_id, check, outcome.verdict.reasons)


@pytest.mark.fixture
def test_the_verdicts_are_the_hand_labels_but_the_known_disagreements(outcomes: dict) -> None:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["labels"]
    assert set(labels) == set(outcomes)
    disagree = {case_id for case_id, o in outcomes.items() if o.passed != (labels[case_id]["human"] == "pass")}
    assert disagree == KNOWN_DISAGREEMENTS, {c: outcomes[c].verdict.reasons for c in disagree}
    changed = [c for c, o in outcomes.items()
               if o.passed != (labels[c]["before"] == "pass") and not labels[c].get("change")]
    assert not changed, f"verdicts changed without a reviewed reason in {LABELS.name}: {changed}"
