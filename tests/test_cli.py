"""The `vgpt2` command itself: found from any folder of the project, and a help that speaks to users."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vgpt2_ext.cli import build_parser, main, parse
from vgpt2_ext.project import anchor_paths, find_root

REPO = Path(__file__).resolve().parents[1]
IDEAL = REPO / "tests" / "eval_suite" / "ideal_answers.jsonl"


def test_from_a_subfolder_recipes_are_found_and_typed_paths_keep_their_meaning(in_repo, monkeypatch, capsys):
    monkeypatch.chdir(REPO / "eval_suite")
    assert main(["validate", "--lint", "--cases", "cases/hallucination.yaml"]) == 0  # relative to eval_suite/
    out = " ".join(capsys.readouterr().out.split())
    assert f"10 case(s) in `{REPO / 'eval_suite' / 'cases' / 'hallucination.yaml'}`" in out and "sound" in out
    assert Path.cwd() == REPO / "eval_suite"  # put back after the command


def test_only_paths_the_user_typed_are_anchored_where_they_were_typed(monkeypatch):
    monkeypatch.chdir(REPO / "eval_suite")
    typed = anchor_paths(parse(build_parser(), ["tiny-model", "--out", "tiny", "--text", "a.txt"]), REPO)
    assert (typed.out, typed.text) == (REPO / "eval_suite" / "tiny", [REPO / "eval_suite" / "a.txt"])
    assert anchor_paths(parse(build_parser(), ["tiny-model"]), REPO).out is None  # the default: models/ of REPO
    shown = anchor_paths(parse(build_parser(), ["recipe", "show", "../recipes/sft.yaml"]), REPO)
    assert shown.recipe == str(REPO / "eval_suite" / ".." / "recipes" / "sft.yaml") and shown.profile == "tiny-cpu"


def test_the_nearest_project_folder_wins_and_outside_any_the_installed_checkout_answers(tmp_path, monkeypatch,
                                                                                     capsys):
    other = tmp_path / "other"
    shutil.copytree(REPO / "recipes", other / "recipes")
    (other / "recipes" / "mine.yaml").write_text("extends: base.yaml\nrun_name: mine\n")
    (other / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(other / "deep" / "er")
    assert find_root(Path.cwd()) == other
    assert main(["recipe", "list"]) == 0 and "mine" in capsys.readouterr().out
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert find_root(outside) == REPO  # this checkout: the package was imported from it
    assert main(["recipe", "list"]) == 0 and "mine" not in capsys.readouterr().out


def test_recorded_answers_from_elsewhere_write_the_report_where_the_user_said(in_repo, tmp_path, monkeypatch, capsys):
    shutil.copy(IDEAL, tmp_path / "answers.jsonl")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--responses", "answers.jsonl", "--report-dir", "out"]) == 0
    assert json.loads((tmp_path / "out" / "report.json").read_text())["passed"] == 49
    assert not (REPO / "out").exists()


def test_top_level_help_shows_the_flow_not_the_internals(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "register(subparsers)" not in out and "entry-point" not in out
    for line in ("vgpt2 data build         make data", "vgpt2 train sft          make sft",
                 "vgpt2 validate           make validate", "vgpt2 pairs build        make pairs"):
        assert line in out
    assert "Run from any folder inside the project" in " ".join(out.split())
