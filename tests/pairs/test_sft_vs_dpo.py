"""After DPO, `vgpt2 validate` compares itself with the run's SFT report without being asked; `--baseline`
still picks another. The stage is what answered: here recorded answers named after the stage they stand for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from vgpt2_ext.cli import main

IDEAL = Path(__file__).resolve().parents[1] / "eval_suite" / "ideal_answers.jsonl"


def validate(folder: Path, answers: Path, *extra: str) -> dict:
    assert main(["validate", "--responses", str(answers), "--report-dir", str(folder), *extra]) == 0
    return json.loads((folder / "report.json").read_text())


def test_the_dpo_report_compares_with_the_sft_report_of_the_same_folder(in_repo, tmp_path, capsys):
    folder = tmp_path / "validation"
    sft, dpo = tmp_path / "sft.jsonl", tmp_path / "dpo.jsonl"
    rows = [json.loads(line) for line in IDEAL.read_text().splitlines()]
    sft.write_text("".join(json.dumps({**r, "response": "I do not know."}) + "\n" for r in rows[:20]))
    shutil.copy(IDEAL, dpo)
    first = validate(folder, sft)
    assert "baseline" not in first and (folder / "report-sft.json").is_file()
    report = validate(folder, dpo)
    assert "comparing with the sft report" in capsys.readouterr().out
    comparison = report["baseline"]
    assert (comparison["label"], comparison["now"]) == ("sft", "dpo")
    overall = comparison["rows"][0]
    assert overall["metric"] == "Overall" and overall["baseline"] == first["overall"] < overall["now"]
    assert "## Comparison: sft vs dpo" in (folder / "report.md").read_text()


def test_an_explicit_baseline_wins_and_other_stages_compare_with_nothing(in_repo, tmp_path):
    folder, other = tmp_path / "validation", tmp_path / "other"
    shutil.copy(IDEAL, tmp_path / "sft.jsonl")
    shutil.copy(IDEAL, tmp_path / "dpo.jsonl")
    (tmp_path / "earlier.jsonl").write_text(json.dumps({"id": "schema_001", "response": "No idea."}) + "\n")
    sft = validate(folder, tmp_path / "sft.jsonl")
    assert "baseline" not in validate(folder, tmp_path / "sft.jsonl")  # an SFT report never compares with itself
    earlier = validate(other, tmp_path / "earlier.jsonl")
    report = validate(folder, tmp_path / "dpo.jsonl", "--baseline", str(other / "report.json"))
    assert report["baseline"]["rows"][0]["baseline"] == earlier["overall"] != sft["overall"]
