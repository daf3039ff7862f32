"""`vgpt2 data audit` through the real CLI: the set of files, the registration, a clean copy that passes its own
audit, deterministic output, an untouched input, and bad input as one message naming the row."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


@pytest.fixture
def mixed(tmp_path, write_rows, sft_shapes, answer_cases) -> Path:
    """An alpaca SFT JSON array of the answer cases."""
    rows = [sft_shapes["alpaca"](case["question"], case["answer"]) for case in answer_cases]
    return write_rows(tmp_path / "mixed.json", rows)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_an_audit_writes_its_set_registers_the_clean_copy_and_prints_a_summary(audit, mixed, tmp_path, answer_cases,
                                                                                 read_jsonl):
    out = tmp_path / "out"
    out.mkdir()
    (out / "dataset_info.json").write_text(json.dumps({"other": {"file_name": "other.jsonl"}}))
    code, printed, _ = audit(mixed, "--repair")
    assert code == 0
    folder = out / "mixed_audit"
    assert sorted(p.name for p in folder.iterdir()) == ["AUDIT.json", "AUDIT.md", "mixed_audited.jsonl",
                                                        "rejected.jsonl", "top_missing.png", "verdicts.jsonl"]
    summary = json.loads((folder / "AUDIT.json").read_text())
    kept = sum(case["verdict"] == "pass" or "repaired" in case for case in answer_cases)
    assert summary["kept"] == kept == len(read_jsonl(folder / "mixed_audited.jsonl"))
    assert summary["rows"] - kept == len(read_jsonl(folder / "rejected.jsonl"))
    assert summary["top_missing"][0]["name"] in {"APTH.Co", "APTH.Status", "Invoice", "APTH.InvoiceStatus"}
    registry = json.loads((out / "dataset_info.json").read_text())
    assert registry["other"] == {"file_name": "other.jsonl"}
    assert registry["mixed_audited"]["file_name"] == "mixed_audit/mixed_audited.jsonl"
    assert "audit of mixed" in printed and "repairs: " in printed and "registered `mixed_audited`" in printed
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_every_row_of_the_clean_copy_passes_its_own_audit(audit, mixed, tmp_path):
    assert audit(mixed, "--repair")[0] == 0
    code, _, _ = audit("mixed_audited", "--dataset-dir", str(tmp_path / "out"))
    summary = json.loads((tmp_path / "out" / "mixed_audited_audit" / "AUDIT.json").read_text())
    assert code == 0 and summary["verdicts"] == {"pass": summary["rows"], "repaired": 0, "fail": 0}


def test_the_audit_never_changes_its_input_and_repeats_byte_for_byte(audit, mixed, tmp_path):
    before = mixed.read_bytes()
    assert audit(mixed, "--repair")[0] == 0
    first = digest(tmp_path / "out" / "mixed_audit")
    assert audit(mixed, "--repair")[0] == 0
    assert digest(tmp_path / "out" / "mixed_audit") == first
    assert mixed.read_bytes() == before


def test_two_workers_write_the_same_files_as_one(audit, mixed, tmp_path):
    assert audit(mixed, "--repair", "--workers", "1")[0] == 0
    one = digest(tmp_path / "out" / "mixed_audit")
    assert audit(mixed, "--repair", "--workers", "2")[0] == 0
    assert digest(tmp_path / "out" / "mixed_audit") == one


def test_a_registered_dataset_is_audited_by_name_in_its_own_columns(audit, tmp_path, read_jsonl):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.jsonl").write_text(json.dumps({"q": "List AP invoices of company 1.",
                                                "a": "```sql\nSELECT APRef FROM APTH WITH (NOLOCK) WHERE Co = 1\n```"})
                                    + "\n")
    entry = {"file_name": "mine.jsonl", "columns": {"prompt": "q", "response": "a"}}
    (out / "dataset_info.json").write_text(json.dumps({"mine": entry}))
    assert audit("mine", "--repair")[0] == 0
    registered = json.loads((out / "dataset_info.json").read_text())["mine_audited"]
    assert registered["columns"] == {"prompt": "q", "response": "a"}
    assert read_jsonl(out / registered["file_name"])[0]["a"].endswith("WHERE APCo = 1;\n```")


@pytest.mark.cases("bad_rows.yaml")
def test_a_malformed_dataset_is_one_message_naming_the_row_and_writes_nothing(audit, tmp_path, write_rows, case):
    path = write_rows(tmp_path / "bad.jsonl", case["rows"])
    before = path.read_bytes()
    code, printed, err = audit(path, *(["--format", case["format"]] if "format" in case else []))
    message = " ".join(err.split())
    assert code == 1 and case["needle"] in message, message
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert path.read_bytes() == before


@pytest.mark.parametrize(("content", "needle"), [
    (b'[{"instruction": "q", "output": "a"}, {"instruction": "q", "output": "caf\xe9"}]',
     "bad.json` row 2: byte 0xE9 at byte offset 73 is not UTF-8"),
    (b"", "holds no rows"),
], ids=["latin-1 text", "an empty file"])
def test_a_file_that_is_not_utf8_json_rows_is_refused_with_its_row(audit, tmp_path, content, needle):
    (tmp_path / "bad.json").write_bytes(content)
    code, _, err = audit(tmp_path / "bad.json")
    assert code == 1 and needle in " ".join(err.split())


def test_a_failed_audit_keeps_the_previous_one(audit, mixed, tmp_path, write_rows):
    assert audit(mixed)[0] == 0
    before = digest(tmp_path / "out" / "mixed_audit")
    write_rows(mixed, [{"instruction": "q", "output": "a"}, {"instruction": "q"}])
    assert audit(mixed)[0] == 1
    assert digest(tmp_path / "out" / "mixed_audit") == before


def test_a_folder_it_cannot_write_is_one_message(audit, mixed, tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    code, _, err = audit(mixed, "--dataset-dir", str(tmp_path / "a_file" / "out"))
    assert code == 1 and "cannot write the audit into" in err and "Traceback" not in err
