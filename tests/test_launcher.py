"""`vgpt2 train` and `vgpt2 export`: config and manifest in the run folder, refuse/resume/overwrite, chaining."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.atomic import sha256_file
from vgpt2_ext.cli import main
from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.launcher import prepare_train

REPO = Path(__file__).resolve().parents[1]


def _log(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "trainer_log.jsonl").read_text().splitlines()]


def _state(folder: Path) -> dict:
    return json.loads((folder / "trainer_state.json").read_text())


def test_a_recipe_error_fails_before_anything_is_written(in_repo, tmp_path, capsys):
    assert main(["train", "sft", f"output_dir={tmp_path}/run/sft", "learning_rat=1e-4"]) == 1
    assert "did you mean `learning_rate`?" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_prepare_writes_the_compiled_config_and_a_manifest(in_repo, sft_dataset_dir, tiny_overrides, tmp_path):
    launch = prepare_train("sft", "tiny-cpu", [*tiny_overrides, "num_train_epochs=2"], command="vgpt2 train sft")
    compiled = yaml.safe_load((launch.folder / "compiled.yaml").read_text())
    manifest = json.loads((launch.folder / "manifest.json").read_text())
    assert compiled["num_train_epochs"] == 2 and "overwrite_output_dir" not in compiled
    assert "vgpt2" not in compiled and compiled == launch.lf_config
    assert manifest["config"]["num_train_epochs"] == 2 and manifest["config"]["vgpt2"]["schema_context"] == "pruned"
    assert manifest["command"] == "vgpt2 train sft"
    assert manifest["launch"][1:] == ["train", str(launch.folder / "compiled.yaml")]
    assert manifest["recipe_files"]["recipes/sft.yaml"] == sha256_file(REPO / "recipes" / "sft.yaml")
    assert set(manifest["recipe_files"]) == {"recipes/base.yaml", "recipes/sft.yaml", "recipes/profiles/tiny-cpu.yaml"}
    assert manifest["datasets"]["vgpt2_sft"]["sha256"] == sha256_file(sft_dataset_dir / "vgpt2_sft.jsonl")
    assert manifest["packages"]["llamafactory"] == "0.9.5" and manifest["seed"] == 42
    assert manifest["mode"] == "new" and manifest["git"] is None or "commit" in manifest["git"]


def test_compiled_yaml_works_from_any_folder_and_llamafactory_refuses_a_finished_run(in_repo, tmp_path, monkeypatch):
    """Repeating a run by hand (`llamafactory-cli train compiled.yaml`, as the README offers): its paths are
    absolute, and with no `overwrite_output_dir` LLaMA-Factory's own parser refuses a folder holding a model."""
    from llamafactory.hparams import get_train_args

    out = Path(os.path.relpath(tmp_path / "run" / "sft", REPO))  # relative, as recipes write it
    prepare_train("sft", "tiny-cpu", [f"output_dir={out}", "dataset_dir=dataset_info"])
    compiled = yaml.safe_load((REPO / out / "compiled.yaml").read_text())
    assert compiled["model_name_or_path"] == str(REPO / "models" / "tiny-qwen2")
    assert compiled["dataset_dir"] == str(REPO / "dataset_info") and compiled["output_dir"] == str(REPO / out)
    assert "overwrite_output_dir" not in compiled and compiled["template"] == "qwen"  # a name stays a name
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    training = get_train_args(dict(compiled))[2]
    assert training.output_dir == str(REPO / out) and training.resume_from_checkpoint is None  # a fresh start
    (REPO / out / "model.safetensors").write_bytes(b"a finished run")
    with pytest.raises(ValueError, match="Output directory already exists and is not empty"):
        get_train_args(dict(compiled))
    assert (REPO / out / "model.safetensors").read_bytes() == b"a finished run"


def test_a_registered_dataset_without_rows_is_refused_before_launch(in_repo, sft_dataset_dir, tiny_overrides,
                                                                   tmp_path):
    data = Path(shutil.copytree(sft_dataset_dir, tmp_path / "data"))
    (data / "vgpt2_sft_join_patterns.jsonl").write_text("")  # what a build writes for a category with no rows
    with pytest.raises(VGPT2Error, match=r"dataset `vgpt2_sft_join_patterns` has no rows \(`.*` is empty\)"):
        prepare_train("sft", "tiny-cpu", [*tiny_overrides, f"dataset_dir={data}", "dataset=vgpt2_sft_join_patterns"])
    assert not (tmp_path / "run").exists()


def test_a_folder_with_outputs_is_refused_unless_resumed_or_overwritten(in_repo, tiny_overrides, tmp_path):
    folder = tmp_path / "run" / "sft"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_text("")
    with pytest.raises(VGPT2Error, match="already holds training outputs .*RESUME=1.*OVERWRITE=1"):
        prepare_train("sft", "tiny-cpu", tiny_overrides)
    with pytest.raises(VGPT2Error, match="nothing to resume"):
        prepare_train("sft", "tiny-cpu", tiny_overrides, mode="resume")
    with pytest.raises(VGPT2Error, match="not made by vgpt2"):
        prepare_train("sft", "tiny-cpu", tiny_overrides, mode="overwrite")
    assert sorted(p.name for p in folder.iterdir()) == ["model.safetensors"]


def test_launcher_flags_cannot_be_set_in_a_recipe(in_repo, tiny_overrides):
    with pytest.raises(VGPT2Error, match="`overwrite_output_dir` is the launcher's to set"):
        prepare_train("sft", "tiny-cpu", [*tiny_overrides, "overwrite_output_dir=true"])


def test_resume_and_overwrite_exclude_each_other(in_repo):
    with pytest.raises(SystemExit) as raised:
        main(["train", "--resume", "--overwrite", "sft"])
    assert raised.value.code == 2


@pytest.mark.slow
def test_sft_trains_then_refuses_resumes_and_overwrites(in_repo, tiny_overrides, tmp_path, capsys):
    folder = tmp_path / "run" / "sft"
    assert main(["train", "sft", *tiny_overrides]) == 0
    assert (folder / "model.safetensors").is_file() and (folder / "train_results.json").is_file()
    assert sorted(p.name for p in folder.glob("checkpoint-*")) == ["checkpoint-2", "checkpoint-4"]
    losses = [row["loss"] for row in _log(folder) if "loss" in row]
    assert len(losses) == 4 and all(math.isfinite(loss) for loss in losses)

    assert main(["train", "sft", *tiny_overrides]) == 1
    assert "already holds training outputs" in capsys.readouterr().err

    assert main(["train", "--resume", "sft", *tiny_overrides, "max_steps=6"]) == 0
    assert _state(folder)["global_step"] == 6
    compiled = yaml.safe_load((folder / "compiled.yaml").read_text())
    assert compiled["resume_from_checkpoint"] == str(folder / "checkpoint-4") and "overwrite_output_dir" not in compiled
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["mode"] == "resume" and [m["mode"] for m in manifest["history"]] == ["new"]
    logged = [row["current_steps"] for row in _log(folder) if "loss" in row]
    assert logged == [1, 2, 3, 4, 5, 6]  # continued from step 4, and the first run's log kept

    assert main(["train", "--overwrite", "sft", *tiny_overrides]) == 0
    assert _state(folder)["global_step"] == 4 and not (folder / "checkpoint-6").exists()
    assert json.loads((folder / "manifest.json").read_text())["mode"] == "overwrite"
