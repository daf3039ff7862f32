"""The proof of a pair: for each corruption type the judge passes the chosen answer and fails the rejected one
for that type's reason; and every way a candidate falls short is dropped with its reason."""

from __future__ import annotations

import pytest

from vgpt2_ext.data.hygiene import Decontaminator, load_validation_cases
from vgpt2_ext.judge import Case, Expect, judge, passes
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.pairs.cases import case_for
from vgpt2_ext.pairs.collect import Offer
from vgpt2_ext.pairs.corrupt import CORRUPTIONS
from vgpt2_ext.pairs.rows import SftRow

from .conftest import CASES

THRESHOLDS = ValidateSettings().thresholds
# types whose stated checks are gates: their rejected answers also score below every pass threshold
GATED = {"invented_table", "invented_column", "dialect_slip", "confident_hallucination"}


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_each_type_fails_its_rejected_answer_for_its_reason_and_passes_the_chosen(built, catalog, corruption):
    pairs = [pair for pair in built[1].pairs if pair.kind == corruption.name]
    assert len(pairs) >= 10
    for pair in pairs:  # judged afresh, not through the builder's cache
        case = case_for(pair.row, catalog)
        good, bad = judge(pair.chosen, case, catalog), judge(pair.rejected, case, catalog)
        threshold = getattr(THRESHOLDS, case.category)
        failed = {check.name for check in bad.failures}
        assert passes(good, threshold), (pair.row.id, good.reasons)
        assert pair.reasons and set(pair.reasons) <= set(corruption.fails) & failed, (pair.reasons, bad.reasons)
        assert not set(pair.reasons) & {check.name for check in good.failures}
        assert bad.score < good.score
        assert (not passes(bad, threshold)) if corruption.name in GATED else True
        assert (pair.gates, pair.rejected_score) == (bad.gates, bad.score)


GOLD = "SELECT APTH.APTrans, APTH.InvTotal FROM APTH WITH (NOLOCK) WHERE APTH.APCo = 1;"
CASE = Case("t-1", "sql_generation", "List the AP invoices of company 1.", gold_sql=(GOLD,),
            expect=Expect(tables=("APTH",), filters=("APTH.APCo",)))
ROW = SftRow("t-1", "sql_generation", CASE.question, "You are VGPT2.", CASE.question, GOLD)


def answer(sql: str) -> str:
    return f"The AP invoices of company 1:\n\n```sql\n{sql}\n```"


@pytest.mark.parametrize(("title", "chosen", "rejected", "fails", "drop"), [
    ("an invented table fails grounding: proven", GOLD, GOLD.replace("APTH", "Invoice"), ("grounded",), None),
    ("a base table keeps the gates but fails house style: proven", GOLD, GOLD.replace("APTH", "bAPTH"),
     ("house_style",), None),
    ("an empty rejected answer", GOLD, "  ", ("grounded",), "empty"),
    ("the same text but for spacing", GOLD, GOLD.replace(" ", "  "), ("grounded",), "identical"),
    ("a chosen answer the judge fails", GOLD.replace("InvTotal", "InvoiceTotal"), GOLD.replace("APTH", "Invoice"),
     ("grounded",), "chosen_fails"),
    ("a rejected answer that passes everything stated", GOLD,
     GOLD.replace("APTH.APTrans, ", "APTH.APTrans AS T, "), ("grounded",), "rejected_passes"),
    ("LIMIT fails a gate, but not the stated one", GOLD, GOLD.replace(";", " LIMIT 3;"), ("grounded",),
     "wrong_reason"),
    ("a mined sample that passes is no rejected answer", GOLD, GOLD.replace("APTH", "bAPTH"), None,
     "rejected_passes"),
    ("a mined sample that fails a gate is proven", GOLD, GOLD.replace("InvTotal", "Status"), None, None),
])
def test_proof_drops_each_shortfall_with_its_reason(catalog, collector, title, chosen, rejected, fails, drop):
    proof = collector.prover.prove(answer(chosen), answer(rejected) if rejected.strip() else rejected, CASE, fails)
    assert proof.drop == drop, (proof.drop, proof.rejected and proof.rejected.reasons)
    if drop is None:
        assert proof.reasons and proof.detail.startswith(proof.reasons[0])


def test_collector_drops_a_repeat_and_counts_it(collector):
    offer = Offer(ROW, CASE, "synthetic", "invented_table", answer(GOLD), answer(GOLD.replace("APTH", "Invoice")),
                  ("grounded",))
    assert collector.offer(offer) is not None and collector.offer(offer) is None
    assert collector.tally.dropped == {("synthetic", "invented_table", "duplicate"): 1}


def test_a_prompt_that_copies_a_validation_case_is_dropped_as_contaminated(collector, catalog):
    case = next(c for c in load_validation_cases(CASES) if c.category == "sql_generation" and c.gold_sql)
    row = SftRow("copied", case.category, case.question, "You are VGPT2.", case.question, answer(case.gold_sql[0]))
    collector.decontaminator = Decontaminator(load_validation_cases(CASES), 2, 0.5, 0.7)
    offer = Offer(row, case_for(row, catalog), "synthetic", "base_table", row.answer, row.answer.replace("FROM ", "x"))
    assert collector.offer(offer) is None
    assert collector.tally.dropped == {("synthetic", "base_table", "contaminated"): 1}
    assert collector.tally.overlaps[0]["case"] == case.id
