"""The earlier VGPT2 project's DPO pairs (../shared/reference/vgpt2_v3_dpo_pairs.json) against the real Vista
export: the audit finds the chosen answers that name missing objects (the generic `Co` first), repairs the
unambiguous ones, and its clean copy passes a second audit. A slice keeps the test to seconds; the whole file's
figures are in the README."""

from __future__ import annotations

import json

import pytest

REFERENCE = "vgpt2_v3_dpo_pairs.json"
ROWS = 60


@pytest.fixture
def reference_slice(vista_fixture, tmp_path):
    path = vista_fixture.parent.parent / "reference" / REFERENCE
    if not path.is_file():
        pytest.skip(f"the reference DPO pairs are not at {path}")
    rows = json.loads(path.read_text(encoding="utf-8"))[:ROWS]
    (tmp_path / "v3.json").write_text(json.dumps(rows), encoding="utf-8")
    return tmp_path / "v3.json"


def test_the_reference_pairs_are_explained_and_the_generic_company_column_repaired(audit, reference_slice,
                                                                                    vista_fixture, tmp_path):
    code, _, err = audit(reference_slice, "--catalog", str(vista_fixture), "--repair")
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "v3_audit" / "AUDIT.json").read_text())
    assert summary["input"]["shape"] == "alpaca ranking" and summary["rows"] == ROWS
    assert summary["naming_missing"] > ROWS // 2
    top = {m["name"]: m for m in summary["top_missing"]}
    assert any(name.endswith(".Co") for name in list(top)[:3])
    assert top["APTH.Co"]["closest"][0] == "APTH.APCo" and top["APTH.Co"]["repaired"] == top["APTH.Co"]["rows"]
    assert summary["missing_columns"][0]["column"] == "Co"
    assert summary["preference"]["chosen_fails"] > 0 and summary["repairs"]["company_column"] > 0
    assert 0 < summary["verdicts"]["repaired"] < summary["kept"] < ROWS

    code, _, err = audit("v3_audited", "--catalog", str(vista_fixture), "--dataset-dir", str(tmp_path / "out"))
    again = json.loads((tmp_path / "out" / "v3_audited_audit" / "AUDIT.json").read_text())
    assert code == 0 and again["verdicts"] == {"pass": summary["kept"], "repaired": 0, "fail": 0}
