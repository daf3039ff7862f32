"""`vgpt2 recipe show`: the compiled config byte for byte, piped, redirected or on a narrow terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.cli import main
from vgpt2_ext.recipe import compile_recipe, lf_args

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def expected_yaml() -> str:
    config = lf_args(compile_recipe("sft", "tiny-cpu"), "train")
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120)


def test_piped_output_is_the_exact_yaml_llamafactory_gets_at_any_terminal_width(in_repo, tmp_path):
    env = {**os.environ, "COLUMNS": "40", "PYTHONPATH": str(REPO)}
    with (tmp_path / "sft.yaml").open("wb") as redirected:  # `vgpt2 recipe show --lf sft > sft.yaml`
        done = subprocess.run([sys.executable, "-m", "vgpt2_ext.cli", "recipe", "show", "--lf", "sft"], cwd=REPO,
                              env=env, stdout=redirected, stderr=subprocess.PIPE, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    text = (tmp_path / "sft.yaml").read_text(encoding="utf-8")
    assert text == expected_yaml()
    loaded = yaml.safe_load(text)
    assert loaded["default_system"] == compile_recipe("sft", "tiny-cpu")["default_system"]  # not cut at 40
    assert loaded["default_system"].endswith("name the real one to use.")


def test_a_narrow_terminal_gets_colour_but_every_character(in_repo, monkeypatch, capsys):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats the captured stream as a terminal
    monkeypatch.setenv("COLUMNS", "40")
    assert main(["recipe", "show", "--lf", "sft"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" in out and ANSI.sub("", out) == expected_yaml()


@pytest.mark.parametrize(("recipe", "profile", "overrides"), [("sft", "tiny-cpu", []),
                                                               ("dpo", "qwen2.5-7b-lora", ["pref_beta=0.2"])],
                         ids=["sft", "dpo preview before any training"])
def test_the_config_with_our_section_reads_back_as_compiled(in_repo, capsys, recipe, profile, overrides):
    assert main(["recipe", "show", "--profile", profile, recipe, *overrides]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown == compile_recipe(recipe, profile, overrides, check_files=False)
