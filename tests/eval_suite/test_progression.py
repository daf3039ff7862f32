"""Base -> SFT -> DPO in one validation folder: each later report compares itself with the stage before and shows
every earlier stage beside it (recorded answers named after the stages stand in for the three models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval_suite.progression import earlier_reports, progression
from vgpt2_ext.cli import main

IDEAL = Path(__file__).parent / "ideal_answers.jsonl"


def answers(folder: Path, stage: str, wrong_prefixes: tuple[str, ...]) -> Path:
    """The ideal answers, with the cases of `wrong_prefixes` answered by a confident hallucination."""
    rows = [json.loads(line) for line in IDEAL.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["id"].startswith(wrong_prefixes):
            row["response"] = "```sql\nSELECT * FROM Invoice WITH (NOLOCK)\n```"
    path = folder / f"{stage}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def validated(in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """`report/` after validating base (most answers wrong), SFT (hallucinations wrong) and DPO (all right)."""
    monkeypatch.setenv("COLUMNS", "250")
    report = tmp_path / "report"
    outputs = {}
    for stage, wrong in (("base", ("halluc_", "sql_", "join_", "schema_")), ("sft", ("halluc_",)), ("dpo", ())):
        assert main(["validate", "--responses", str(answers(tmp_path, stage, wrong)), "--report-dir", str(report)]) == 0
        outputs[stage] = capsys.readouterr().out
    return report, outputs


def test_each_stage_is_compared_with_the_one_before(validated) -> None:
    report, outputs = validated
    sft = json.loads((report / "report-sft.json").read_text(encoding="utf-8"))
    assert sft["baseline"]["label"] == "base" and sft["stages"]["stages"] == ["base", "sft"]
    dpo = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert dpo["baseline"]["label"] == "sft" and dpo["stages"]["stages"] == ["base", "sft", "dpo"]
    assert "comparing with the sft report" in outputs["dpo"] and "baseline (sft)" in outputs["dpo"]
    assert "comparing with the base report" in outputs["sft"]
    header = next(line for line in outputs["dpo"].splitlines() if "category" in line)
    assert header.index("base") < header.index("score") < header.index("baseline (sft)")


def test_the_stages_table_holds_every_stage_and_each_change(validated) -> None:
    report, _ = validated
    dpo = json.loads((report / "report.json").read_text(encoding="utf-8"))
    rows = {row["metric"]: row for row in dpo["stages"]["rows"]}
    base, sft, now = rows["Hallucination"]["values"]
    assert now == 1.0 and sft < 0.2 and base < 0.2
    assert rows["Hallucination"]["changes"] == [None, round(sft - base, 4), round(now - sft, 4)]
    assert rows["SQL Generation"]["changes"][1] > 0.5  # SFT fixed what the base model got wrong
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert "## Stages: base → sft → dpo" in markdown and "| Hallucination | " in markdown
    base_md = (report / "report-base.json").read_text(encoding="utf-8")
    assert "stages" not in json.loads(base_md) and "baseline" not in json.loads(base_md)


def test_reports_of_other_stages_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "report-sft.json").write_text('{"stage": "sft"}', encoding="utf-8")
    assert earlier_reports(tmp_path, "answers") == [] and earlier_reports(tmp_path, "sft") == []
    assert earlier_reports(tmp_path, "dpo") == [tmp_path / "report-sft.json"]


def test_a_broken_earlier_report_is_one_clear_error(validated, capsys) -> None:
    report, _ = validated
    (report / "report-sft.json").write_text("{not json", encoding="utf-8")
    code = main(["validate", "--responses", str(report.parent / "dpo.jsonl"), "--report-dir", str(report)])
    err = capsys.readouterr().err
    assert code == 1 and "report-sft.json` is not a readable report.json" in err and "Traceback" not in err


def test_a_category_one_stage_lacks_has_no_value_and_no_change() -> None:
    first = {"stage": "base", "overall": 0.1, "pass_rate": 0.0, "categories": {"sql_generation": {"score": 0.1}}}
    second = {"stage": "sft", "overall": 0.5, "pass_rate": 0.5,
              "categories": {"sql_generation": {"score": 0.7}, "hallucination": {"score": 0.4}}}
    rows = {row["metric"]: row for row in progression([first, second], {"hallucination": "Hallucination"})["rows"]}
    assert rows["Hallucination"] == {"metric": "Hallucination", "values": [None, 0.4], "changes": [None, None]}
    assert rows["sql_generation"]["changes"] == [None, 0.6] and rows["Overall"]["changes"] == [None, 0.4]
