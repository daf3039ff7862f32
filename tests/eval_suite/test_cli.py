"""`vgpt2 validate` end to end on recorded answers: report files with their contents, exit status, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vgpt2_ext.cli import main

REPO = Path(__file__).resolve().parents[2]
IDEAL = Path(__file__).parent / "ideal_answers.jsonl"


@pytest.fixture
def run(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, in_repo: Path):
    monkeypatch.setenv("COLUMNS", "250")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["validate", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def half_wrong(tmp_path: Path) -> Path:
    """The ideal answers with every hallucination refusal replaced by a confident hallucination."""
    rows = [json.loads(line) for line in IDEAL.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["id"].startswith("halluc_"):
            row["response"] = "```sql\nSELECT * FROM Invoice WITH (NOLOCK)\n```"
    path = tmp_path / "answers.jsonl"
    kept = [row for row in rows if row["id"] != "biz_005"]  # left out: scores 0, "no response"
    path.write_text("".join(json.dumps(row) + "\n" for row in kept), encoding="utf-8")
    return path


def test_recorded_answers_give_the_three_report_files_and_the_answers(run, tmp_path: Path) -> None:
    code, out, _ = run("--responses", str(half_wrong(tmp_path)), "--report-dir", str(tmp_path / "report"))
    assert code == 0
    folder = tmp_path / "report"
    data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert (data["total"], data["passed"]) == (49, 38)  # 10 hallucinations and the missing biz_005 fail
    assert data["categories"]["hallucination"] == {"score": pytest.approx(0.0, abs=0.1), "passed": 0, "total": 10,
                                                   "threshold": 0.9, "target": 0.9, "gate": None, "status": "below"}
    test = next(t for t in data["tests"] if t["id"] == "halluc_001")
    assert not test["passed"] and {"name", "score", "detail", "skipped"} <= set(test["checks"][0])
    assert next(t for t in data["tests"] if t["id"] == "biz_005")["checks"][0]["detail"] == "no response"
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert "**Passed:** 38 (77.6%)" in markdown and "| Hallucination | **" in markdown and "❌ Below target" in markdown
    assert "- halluc_001: " in markdown and "FAIL" in markdown and "## Failures" in markdown
    assert (folder / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = [json.loads(line) for line in (folder / "responses.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(saved) == 48 and set(saved[0]) == {"id", "response"} and "biz_005" not in {r["id"] for r in saved}
    assert "38/49 passed" in out


def test_a_report_can_be_rescored_and_compared_with_a_baseline(run, tmp_path: Path) -> None:
    run("--responses", str(half_wrong(tmp_path)), "--report-dir", str(tmp_path / "before"))
    code, out, _ = run("--responses", str(IDEAL), "--report-dir", str(tmp_path / "after"),
                       "--baseline", str(tmp_path / "before" / "report.json"))
    assert code == 0
    data = json.loads((tmp_path / "after" / "report.json").read_text(encoding="utf-8"))
    rows = {row["metric"]: row for row in data["baseline"]["rows"]}
    assert rows["Hallucination"]["now"] == 1.0 and rows["Hallucination"]["change"] > 0.9
    assert "## Comparison: answers vs ideal_answers" in (tmp_path / "after" / "report.md").read_text(encoding="utf-8")
    assert (tmp_path / "after" / "report-ideal_answers.json").is_file()
    assert "baseline" in out
    again, _, _ = run("--responses", str(tmp_path / "after" / "responses.jsonl"), "--report-dir", str(tmp_path / "re"))
    assert again == 0
    rescored = json.loads((tmp_path / "re" / "report.json").read_text(encoding="utf-8"))
    assert rescored["overall"] == data["overall"] == 1.0


def test_fail_under_and_category_gates_set_the_exit_status(run, tmp_path: Path) -> None:
    answers = str(half_wrong(tmp_path))
    assert run("--responses", answers, "--report-dir", str(tmp_path / "a"), "--fail-under", "0.7")[0] == 0
    code, out, _ = run("--responses", answers, "--report-dir", str(tmp_path / "b"), "--fail-under", "0.9")
    assert code == 1 and "gate failed: overall score 0.78 is below --fail-under 0.90" in out
    code, out, _ = run("--responses", answers, "--report-dir", str(tmp_path / "c"),
                       "vgpt2.validate.gates.hallucination=0.5")
    assert code == 1 and "gate failed: hallucination score 0.04 is below its gate" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--responses", "{tmp}/missing.jsonl"], "responses `{tmp}/missing.jsonl` cannot be read"),
    (["--responses", "{tmp}/bad.jsonl"], "`{tmp}/bad.jsonl:2` is not valid JSON"),
    (["--baseline", "{tmp}/bad.jsonl"], "baseline `{tmp}/bad.jsonl` is not a readable report.json"),
    (["--cases", "{tmp}/nowhere"], "cases `{tmp}/nowhere` do not exist"),
    (["vgpt2.validate.treshold=1"], "unknown key `vgpt2.validate.treshold`"),
], ids=["missing responses", "malformed responses line", "bad baseline", "missing cases", "misspelled setting"])
def test_bad_input_is_one_line_on_stderr_and_exit_1(run, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "schema_001", "response": "ok"}\n{"id": \n', encoding="utf-8")
    argv = [arg.format(tmp=tmp_path) for arg in args]
    if "--responses" not in argv:
        argv += ["--responses", str(IDEAL)]
    code, _, err = run(*argv, "--report-dir", str(tmp_path / "r"))
    assert code == 1 and message.format(tmp=tmp_path) in err and "Traceback" not in err
    assert err.startswith("error:")


def test_lint_passes_the_shipped_cases_and_fails_a_planted_one(run, tmp_path: Path) -> None:
    code, out, _ = run("--lint")
    assert code == 0 and "49 case(s)" in out and "sound" in out
    text = (REPO / "eval_suite" / "cases" / "schema_knowledge.yaml").read_text(encoding="utf-8")
    planted = tmp_path / "planted.yaml"
    planted.write_text(text.replace("columns: [APTD.Status]", "columns: [APTH.Status]"), encoding="utf-8")
    code, out, _ = run("--lint", "--cases", str(planted))
    assert code == 1 and "case `schema_007` key `expect.columns`: `APTH.Status`" in out and "1 problem(s)" in out


def test_the_openai_backend_answers_the_recipes_prompts(run, tmp_path: Path) -> None:
    """A stub endpoint answering with the ideal answers: the prompts carry the recipe's system prompt and the
    question (after the pruned schema), and the answers are judged like recorded ones."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from vgpt2_ext.backends.responses import load_responses
    from vgpt2_ext.judge import load_cases

    ideal = load_responses(IDEAL)
    by_question = {case.question: ideal[case.id] for case in load_cases(REPO / "eval_suite" / "cases")}
    seen: list[list[dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            messages = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["messages"]
            seen.append(messages)
            question = messages[-1]["content"].rpartition("Question: ")[2]
            body = json.dumps({"choices": [{"message": {"content": by_question[question]}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, out, _ = run("--backend", "openai", "--report-dir", str(tmp_path / "r"),
                           f"vgpt2.validate.endpoint=http://127.0.0.1:{server.server_address[1]}/v1")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0 and "49/49 passed" in out
    assert len(seen) == 49 and seen[0][0]["role"] == "system" and "VGPT2" in seen[0][0]["content"]
    assert any("CREATE TABLE" in messages[-1]["content"] for messages in seen)  # schema_context: pruned


@pytest.mark.slow
def test_the_hf_backend_writes_the_report_for_a_model(run, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    model = REPO / "models" / "tiny-qwen2"
    if not (model / "config.json").is_file():
        model = request.getfixturevalue("tiny_model_dir")
    cases = tmp_path / "cases.yaml"
    text = (REPO / "eval_suite" / "cases" / "hallucination.yaml").read_text(encoding="utf-8")
    cases.write_text(text, encoding="utf-8")
    code, out, _ = run("--cases", str(cases), "--report-dir", str(tmp_path / "r"), "vgpt2.model_from=null",
                       f"model_name_or_path={model}", "finetuning_type=full", "max_new_tokens=8")
    assert code == 0 and "/10 passed" in out
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["backend"] == "hf" and data["model"] == str(model) and len(data["tests"]) == 10
    assert all(t["checks"] and t["checks"][0]["name"] == "answered" for t in data["tests"])
    assert {p.name for p in (tmp_path / "r").iterdir()} >= {"report.md", "report.json", "report.png", "responses.jsonl"}


# -- what a user sees: reports that are not overwritten, comparisons and answers that are not what they seem ---
def test_recorded_answers_without_report_dir_do_not_overwrite_the_run_s_report(tmp_path: Path, monkeypatch,
                                                                              capsys) -> None:
    from vgpt2_ext.catalog import SAMPLE_CATALOG

    shutil.copytree(REPO / "recipes", tmp_path / "recipes")  # a project folder of its own
    model_report = tmp_path / "saves" / "vgpt2" / "validation" / "report.md"
    model_report.parent.mkdir(parents=True)
    model_report.write_text("the report of the run's model\n")
    (model_report.parent / "responses.jsonl").write_text("{}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--responses", str(IDEAL), "--cases", str(REPO / "eval_suite" / "cases"),
                 "--catalog", str(SAMPLE_CATALOG)]) == 0
    assert model_report.read_text() == "the report of the run's model\n"
    assert (model_report.parent / "responses.jsonl").read_text() == "{}\n"
    rescored = tmp_path / "saves" / "vgpt2" / "validation-ideal_answers"
    assert json.loads((rescored / "report.json").read_text())["passed"] == 49
    assert "saves/vgpt2/validation-ideal_answers/report.md" in capsys.readouterr().out


def test_a_baseline_of_other_cases_or_another_catalog_is_compared_with_a_warning(run, tmp_path: Path) -> None:
    run("--responses", str(IDEAL), "--cases", str(REPO / "eval_suite" / "cases" / "hallucination.yaml"),
        "--report-dir", str(tmp_path / "before"))
    baseline = tmp_path / "before" / "report.json"
    data = json.loads(baseline.read_text(encoding="utf-8"))
    baseline.write_text(json.dumps({**data, "catalog": "vista (0123456789abcdef)"}), encoding="utf-8")
    code, _, err = run("--responses", str(IDEAL), "--report-dir", str(tmp_path / "after"), "--baseline", str(baseline))
    err = " ".join(err.split())
    assert code == 0
    assert "warning: the baseline `ideal_answers` was scored on other cases: 0 of its 10 are not in this run " \
           "(none), 39 of this run's 49 are not in it (biz_001, biz_002, biz_003, ...)" in err
    assert "warning: the baseline `ideal_answers` was judged against catalog vista (0123456789abcdef)" in err
    after = json.loads((tmp_path / "after" / "report.json").read_text(encoding="utf-8"))
    assert len(after["warnings"]) == 2
    markdown = (tmp_path / "after" / "report.md").read_text(encoding="utf-8")
    assert "> ⚠️ **Warning:** the baseline `ideal_answers` was scored on other cases" in markdown


def test_answers_recorded_for_other_questions_are_scored_with_a_warning(run, tmp_path: Path) -> None:
    from vgpt2_ext.judge import load_cases

    asked = {case.id: case.question for case in load_cases(REPO / "eval_suite" / "cases")}
    rows = [json.loads(line) for line in IDEAL.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["question"] = "  " + asked[row["id"]].upper()  # the same question, spaced and cased otherwise
    rows[0]["question"] = "What status codes indicate an unpaid AP invoice?"  # the earlier suite's wording
    rows[1]["question"] = "List every vendor."
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    code, _, err = run("--responses", str(answers), "--report-dir", str(tmp_path / "r"))
    assert code == 0
    err = " ".join(err.split())
    assert f"warning: 2 of the 49 answers in `{answers}` were recorded for other questions than the cases ask " \
           f"(`{rows[0]['id']}`: recorded for \"What status codes indicate an unpaid AP invoice?\"" in err
    assert "pass the cases they answer with `--cases`" in err
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["passed"] == 49 and len(data["warnings"]) == 1 and data["warnings"][0].startswith("2 of the 49")
