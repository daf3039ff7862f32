"""Stage chaining: what a finished stage produced, and how DPO, validation and export start from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.errors import RecipeError
from vgpt2_ext.stages import CONFIG_FILE, DONE_FILE, continue_from, latest_stage_dir, trained_model, zero3

REPO = Path(__file__).resolve().parents[1]


def _stage(run: Path, name: str, finished: bool = True, **config) -> Path:
    folder = run / name
    folder.mkdir(parents=True)
    (folder / CONFIG_FILE).write_text(yaml.safe_dump({"template": "qwen", **config}))
    if finished:
        (folder / DONE_FILE).write_text("{}")
    return folder


def test_lora_stage_produces_its_base_plus_its_adapter(tmp_path):
    sft = _stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora")
    model = trained_model(sft)
    assert (model.model_name_or_path, model.adapters) == ("base", (str(sft),))
    assert model.lf_args() == {"model_name_or_path": "base", "template": "qwen",
                               "adapter_name_or_path": str(sft), "finetuning_type": "lora"}


def test_dpo_on_lora_stacks_the_adapters_in_order(tmp_path):
    sft = _stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora")
    dpo = _stage(tmp_path, "dpo", model_name_or_path="base", finetuning_type="lora",
                 adapter_name_or_path=str(sft), create_new_adapter=True)
    assert trained_model(tmp_path).adapters == (str(sft), str(dpo))  # the run folder means its latest stage


def test_a_resumed_adapter_is_replaced_by_the_stage_that_trained_it_further(tmp_path):
    sft = _stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora")
    dpo = _stage(tmp_path, "dpo", model_name_or_path="base", finetuning_type="lora",
                 adapter_name_or_path=str(sft), create_new_adapter=False)
    assert trained_model(dpo).adapters == (str(dpo),)


def test_full_stage_produces_its_own_folder_as_the_model(tmp_path):
    sft = _stage(tmp_path, "sft", model_name_or_path="models/tiny-qwen2", finetuning_type="full")
    assert trained_model(tmp_path).lf_args() == {"model_name_or_path": str(sft), "template": "qwen"}


def test_latest_stage_skips_an_unfinished_one(tmp_path):
    sft = _stage(tmp_path, "sft", model_name_or_path="m", finetuning_type="full")
    _stage(tmp_path, "dpo", finished=False, model_name_or_path=str(sft), finetuning_type="full")
    assert latest_stage_dir(tmp_path) == sft


def test_unfinished_or_missing_stages_are_clear_errors(tmp_path):
    with pytest.raises(RecipeError, match="holds no finished stage.*run `make sft` first"):
        trained_model(tmp_path)
    with pytest.raises(RecipeError, match="no finished training.*`make sft`"):
        trained_model(tmp_path / "sft")


def test_dpo_training_after_lora_sft_merges_it_and_trains_a_new_adapter(tmp_path):
    model = trained_model(_stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora"))
    config = continue_from({"do_train": True, "template": "qwen", "model_name_or_path": "other"}, model)
    assert config["model_name_or_path"] == "base"
    assert config["adapter_name_or_path"] == str(tmp_path / "sft")
    assert config["create_new_adapter"] is True and "ref_model" not in config


def test_under_zero3_the_reference_is_loaded_explicitly(tmp_path):
    model = trained_model(_stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora"))
    ds = str(REPO / "recipes" / "deepspeed" / "ds_z3.json")
    config = continue_from({"do_train": True, "template": "qwen", "deepspeed": ds}, model)
    assert config["create_new_adapter"] is False
    assert (config["ref_model"], config["ref_model_adapters"]) == ("base", str(tmp_path / "sft"))


def test_inference_takes_the_adapters_without_training_flags(tmp_path):
    model = trained_model(_stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora"))
    config = continue_from({"template": "qwen", "adapter_name_or_path": "stale"}, model)
    assert config["adapter_name_or_path"] == str(tmp_path / "sft") and "create_new_adapter" not in config


def test_a_template_other_than_the_stages_is_refused(tmp_path):
    model = trained_model(_stage(tmp_path, "sft", model_name_or_path="base", finetuning_type="lora"))
    with pytest.raises(RecipeError, match="`template` is `llama3` but .* was trained with `qwen`"):
        continue_from({"template": "llama3"}, model)


def test_the_shipped_deepspeed_json_is_zero3_with_auto_batch_sizes():
    path = REPO / "recipes" / "deepspeed" / "ds_z3.json"
    settings = json.loads(path.read_text())
    assert zero3(str(path)) and not zero3(None) and not zero3({"zero_optimization": {"stage": 2}})
    assert settings["train_micro_batch_size_per_gpu"] == settings["gradient_accumulation_steps"] == "auto"
