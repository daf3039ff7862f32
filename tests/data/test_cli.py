"""`vgpt2 data build` through the real CLI: a build with its summary, and user errors as one line, exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "dataset_info"
    folder.mkdir()
    (folder / "dataset_info.json").write_text("{}")  # the recipe checks that dataset_dir holds a registry
    return folder


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = main(["data", "build", *words])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_cli_builds_registers_and_prints_a_summary(in_repo, out, capsys):
    code, printed, _ = run(capsys, f"dataset_dir={out}", "vgpt2.data.examples=24", "vgpt2.data.workers=1",
                           "vgpt2.data.decontaminate=null", "vgpt2.schema_context=none")
    assert code == 0
    assert "vgpt2_sft: 24 examples" in printed and "rejected:" in printed and "tables covered" in printed
    assert "quality:" in printed and "targets" in printed  # and which targets a build this small misses
    assert "vgpt2_sft" in json.loads((out / "dataset_info.json").read_text())
    first = json.loads((out / "vgpt2_sft.jsonl").read_text().splitlines()[0])
    system = yaml.safe_load((in_repo / "recipes" / "base.yaml").read_text())["default_system"]
    assert first["conversations"][0]["value"] == system


@pytest.mark.parametrize(("words", "needle"), [
    (["vgpt2.data.exampels=5"], "unknown key `vgpt2.data.exampels`"),
    (["vgpt2.data.decontaminate=no/such/cases"], "`vgpt2.data.decontaminate` names `no/such/cases`"),
    (["vgpt2.catalog=no/such/catalog"], "no file or folder `no/such/catalog`"),
], ids=["misspelled setting", "missing validation cases", "missing catalog"])
def test_a_user_error_is_one_line_and_exit_status_1(in_repo, out, capsys, words, needle):
    code, _, err = run(capsys, f"dataset_dir={out}", *words)
    assert code == 1
    assert needle in " ".join(err.split())
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err


def test_a_malformed_seed_file_is_named_with_its_section_and_row(in_repo, out, tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bad.yaml").write_text(yaml.safe_dump({"intents": [
        {"id": "ok", "category": "sql_generation", "questions": ["q {co}"], "sql": "SELECT 1"},
        {"id": "broken", "category": "sql_generation", "questions": ["q {company}"], "sql": "SELECT 1"}]}))
    code, _, err = run(capsys, f"dataset_dir={out}", f"vgpt2.data.seeds_dir={seeds}")
    message = " ".join(err.split())
    assert code == 1 and "`bad.yaml` `intents[1]` `questions`" in message and "unknown slot(s) ['company']" in message


def test_if_stale_builds_only_when_the_card_says_the_files_came_from_other_settings(in_repo, out, tmp_path, capsys):
    small = [f"dataset_dir={out}", "vgpt2.data.examples=24", "vgpt2.data.workers=1", "vgpt2.data.decontaminate=null",
             "vgpt2.schema_context=none"]
    code, printed, _ = run(capsys, "--if-stale", *small)
    assert code == 0 and "rebuilding vgpt2_sft: no " in " ".join(printed.split())
    built = (out / "vgpt2_sft.jsonl").stat().st_mtime_ns

    code, printed, _ = run(capsys, "--if-stale", *small[:2], "vgpt2.data.workers=2", *small[3:])
    assert code == 0 and "is up to date" in " ".join(printed.split())  # the worker count does not change what is built
    assert (out / "vgpt2_sft.jsonl").stat().st_mtime_ns == built

    catalog = tmp_path / "catalog.yaml"  # the same catalog with one description changed: new content, new data
    catalog.write_text((in_repo / "vgpt2_ext/sample/vista_sample.yaml").read_text(encoding="utf-8").replace(
        "AP transaction header", "AP invoice header", 1), encoding="utf-8")
    for changed in ([f"vgpt2.catalog={catalog}"], [f"vgpt2.catalog={catalog}", "vgpt2.data.examples=30"]):
        code, printed, _ = run(capsys, "--if-stale", *small, *changed)  # each differs from the build before it
        assert code == 0 and "built from another catalog or other" in " ".join(printed.split()), changed
    assert len((out / "vgpt2_sft.jsonl").read_text().splitlines()) == 30


def test_a_missing_tiny_model_says_to_build_it(tmp_path, monkeypatch, capsys):
    """A fresh clone before `vgpt2 tiny-model`: the message says what to run, not `OSError`."""
    from vgpt2_ext.data.card import load_tokenizer

    shutil.copytree(REPO / "recipes", tmp_path / "recipes")  # a project without models/
    (tmp_path / "dataset_info").mkdir()
    (tmp_path / "dataset_info" / "dataset_info.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "vgpt2.data.examples=5")
    err = " ".join(err.split())
    assert code == 1 and "the embedded tiny model `models/tiny-qwen2` is not built yet; build it with " \
                          "`vgpt2 tiny-model`" in err and "OSError" not in err
    assert load_tokenizer("models/tiny-qwen2") == (
        None, "the tiny model `models/tiny-qwen2` is not built yet; run `vgpt2 tiny-model` (`make sft` does)")
