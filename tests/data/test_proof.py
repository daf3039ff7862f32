"""Proof before write: planted bad candidates are rejected for their reason; clean ones pass."""

from __future__ import annotations

import json

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.proof import REASONS
from vgpt2_ext.data.prover import Prover
from vgpt2_ext.data.seeds import SEEDS_DIR
from vgpt2_ext.data.settings import CATEGORIES, MixSettings


def planted(case: dict) -> Example:
    return Example(case["category"], "seed:planted", case["title"], case["question"], case["answer"],
                   missing=tuple(case.get("missing", ())), suggest=tuple(case.get("suggest", ())),
                   broken_sql=case.get("broken_sql", ""), broken_reasons=tuple(case.get("broken_reasons", ())),
                   columns=tuple(case.get("columns", ())), history=tuple(map(tuple, case.get("history", ()))))


@pytest.mark.cases("planted.yaml")
def test_a_planted_candidate_is_rejected_for_its_reason(case, sample):
    with Prover(sample, 1) as prover:
        proof = prover.prove([planted(case)])[0]
    if case["reject"] is None:
        assert proof.rejection is None
    else:
        assert proof.rejection is not None and proof.rejection.reason == case["reject"], proof.rejection
        assert case["reject"] in REASONS


def test_a_clean_answer_reports_the_tables_it_uses(sample):
    example = Example("join_patterns", "seed:planted", "t", "Invoices with vendor names, company 1?",
                      "Join APTH to APVM on VendorGroup and Vendor:\n\n```sql\nSELECT APTH.APTrans, APVM.Name\n"
                      "FROM APTH WITH (NOLOCK) INNER JOIN APVM WITH (NOLOCK) ON APVM.VendorGroup = APTH.VendorGroup"
                      " AND APVM.Vendor = APTH.Vendor\nWHERE APTH.APCo = 1;\n```")
    with Prover(sample, 1) as prover:
        proof = prover.prove([example])[0]
    assert proof.rejection is None and set(proof.tables) == {"APTH", "APVM"}


def test_a_planted_bad_seed_apth_status_is_rejected_with_its_reason(tmp_path, build):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "phrasings.yaml").write_text((SEEDS_DIR / "phrasings.yaml").read_text(encoding="utf-8"))
    (folder / "planted.yaml").write_text(yaml.safe_dump({"intents": [{
        "id": "planted_apth_status", "category": "sql_generation",
        "questions": ["Which AP invoices of company {co} are unpaid?", "Unpaid AP invoices for company {co}?"],
        "sql": "SELECT APTH.APTrans FROM APTH WITH (NOLOCK) WHERE APTH.APCo = {co:APCo} AND APTH.Status < 3",
    }]}), encoding="utf-8")
    (folder / "vocabulary.yaml").write_text((SEEDS_DIR / "vocabulary.yaml").read_text(encoding="utf-8"))
    only_sql = MixSettings(**{category: float(category == "sql_generation") for category in CATEGORIES})
    result = build(tmp_path / "out", catalog=str(SAMPLE_CATALOG), seeds_dir=str(folder), examples=80, seed_share=0.5,
                   mix=only_sql)  # on the sample's 27 views the seed is drawn often enough to meet its proof
    rejected = result.card["rejected"]["unknown_column"]
    assert rejected["count"] > 0
    assert any("planted_apth_status" in text and "Status" in text for text in rejected["examples"])
    rows = (tmp_path / "out" / "vgpt2_sft.jsonl").read_text(encoding="utf-8").splitlines()
    assert rows and not any("APTH.Status" in json.loads(line)["conversations"][2]["value"] for line in rows)


@pytest.mark.parametrize(("answer", "reject"), [
    ("PRTH has 15 columns: PRCo, PRGroup, PREndDate ...", "false_fact"),  # the sample's count, not Vista's
    ("PRTH has 64 columns: PRCo, PRGroup, PREndDate ...", None),
    ("Vista has no JCCO table; job cost company settings are not stored.", "prose_false_denial"),  # bJCCO exists
    ("Job cost company settings are in JCCO, one row per JC company.", None),
])
def test_on_real_vista_a_false_count_and_a_denied_real_object_are_rejected(answer, reject):
    """The issue's two prose faults on the default catalog (real Vista): a column count that is the trimmed
    sample's, and a denial of an object real Vista has; their true twins pass."""
    example = Example("schema_knowledge", "seed:planted", "t", "Tell me about PRTH and JCCO.", answer)
    with Prover(load_catalog(None), 1) as prover:
        proof = prover.prove([example])[0]
    assert (proof.rejection.reason if proof.rejection else None) == reject, proof.rejection
