"""`vgpt2 validate` with bad cases, responses or report folder: one message, exit 1, before any work, and
the earlier report left whole (`validate.yaml`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import REPO, fill, one_message, tree, write_files

CASES = """cases:
  - id: hostile_001
    category: sql_generation
    question: How many companies are there?
    gold_sql: SELECT COUNT(*) AS n FROM HQCO WITH (NOLOCK)
    expect: {tables: [HQCO]}
"""
RESPONSES = json.dumps({"id": "hostile_001", "response": "```sql\nSELECT COUNT(*) AS n FROM HQCO WITH (NOLOCK)\n```"})


@pytest.mark.hostile("validate.yaml")
def test_bad_validation_input_is_refused_before_any_work(case: dict, cli, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    write_files(tmp_path, {"cases.yaml": case.get("cases", CASES),
                           "responses.jsonl": case.get("responses", RESPONSES + "\n")}, tmp_path)
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.json").write_text('{"earlier": true}\n', encoding="utf-8")
    if case.get("report") == "file":
        report = tmp_path / "a-file"
        report.write_text("not a folder", encoding="utf-8")
    elif case.get("report") == "under_file":
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        report = tmp_path / "a-file" / "report"
    before = tree(tmp_path)
    code, _, err = cli("validate", "--catalog", str(REPO / "vgpt2_ext/sample/vista_sample.yaml"),
                       "--cases", str(tmp_path / "cases.yaml"), "--responses", str(tmp_path / "responses.jsonl"),
                       "--report-dir", str(report), *(fill(arg, tmp_path) for arg in case.get("args", [])))
    if case.get("code") == 0:
        assert code == 0 and "Traceback" not in err, err
        assert json.loads((report / "report.json").read_text(encoding="utf-8"))["total"] == 1
        return
    message = one_message(err)
    assert code == 1
    for text in case["says"]:
        assert text in message, message
    assert tree(tmp_path) == before


@pytest.mark.parametrize("sql", ["SELECT LEN(REPLICATE('x', 2000000000)) AS n",
                                 "SELECT 1 AS n" + " UNION ALL SELECT 1" * 25000,
                                 "SELECT a.APCo FROM APTH a CROSS APPLY duckdb_settings() s"],
                         ids=["2 GB string", "480 KB union chain", "duckdb_settings in APPLY"])
def test_a_runaway_or_hostile_answer_costs_validation_seconds_and_earns_no_execution(
        sql: str, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside `validate` one such answer used to cost 18-48 s and ~2 GB, or to earn `executes` credit."""
    monkeypatch.chdir(REPO)
    write_files(tmp_path, {"cases.yaml": CASES, "responses.jsonl": json.dumps(
        {"id": "hostile_001", "response": f"```sql\n{sql}\n```"}) + "\n"}, tmp_path)
    started = time.monotonic()
    code, _, err = cli("validate", "--catalog", str(REPO / "vgpt2_ext/sample/vista_sample.yaml"),
                       "--cases", str(tmp_path / "cases.yaml"), "--responses", str(tmp_path / "responses.jsonl"),
                       "--report-dir", str(tmp_path / "report"))
    seconds = time.monotonic() - started
    assert code == 0 and "Traceback" not in err, err
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    checks = {check["name"]: check for check in report["tests"][0]["checks"]}
    assert report["passed"] == 0 and checks["executes"]["score"] == 0
    assert seconds < 15, seconds
