"""The DPO run's reference model is the SFT model: by its compiled config, and by its first logged rewards.

DPO's implicit rewards are beta x (policy log-prob - reference log-prob) of each answer. Before the first
update the policy is the model DPO started from, so when the reference is that same SFT model both rewards
of step 1 are exactly 0. Chained LoRA (the SFT adapter merged, a new zero-initialised adapter trained) and
chained full fine-tuning (the SFT weights as the start and the reference) both give 0; resuming the SFT adapter
without `create_new_adapter` gives the same policy but the bare base model as reference: non-zero rewards.
Tiny model, 4 SFT steps at a high learning rate (so the SFT model differs from the base), 1 DPO step. The chained
runs are then exported: the merged weights hold what SFT (and DPO) trained.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.cli import main
from vgpt2_ext.pairs.pipeline import PairRun, run_build
from vgpt2_ext.stages import trained_model

from .conftest import settings

pytestmark = pytest.mark.slow
LORA = ["finetuning_type=lora", "lora_rank=8", "lora_alpha=16", "lora_target=all"]


@pytest.fixture(scope="module")
def common(sft_dir, tiny_model_dir, tmp_path_factory) -> list[str]:
    data = Path(shutil.copytree(sft_dir, tmp_path_factory.mktemp("ref") / "dataset_info"))
    run_build(PairRun(settings(synthetic=16), data))
    return [f"model_name_or_path={tiny_model_dir}", f"dataset_dir={data}", "max_steps=4", "save_steps=100",
            "logging_steps=1", "per_device_train_batch_size=2", "cutoff_len=256", "plot_loss=false",
            "learning_rate=1e-2"]


def sft(common: list[str], out: Path, method: list[str]) -> Path:
    assert main(["train", "sft", *common, *method, f"output_dir={out}/sft"]) == 0
    return out / "sft"


def dpo(common: list[str], out: Path, method: list[str], *chaining: str) -> tuple[dict, dict]:
    assert main(["train", "dpo", *common, *method, "max_steps=1", f"output_dir={out}", *chaining]) == 0
    first = json.loads((out / "trainer_state.json").read_text())["log_history"][0]
    return yaml.safe_load((out / "compiled.yaml").read_text()), first


def export(model_from: Path, out: Path) -> Path:
    assert main(["export", f"vgpt2.model_from={model_from}", f"export_dir={out}", "infer_dtype=float32"]) == 0
    return out


def merged_differs_from_base(export_dir: Path, base: Path) -> bool:
    from safetensors.torch import load_file

    def q_proj(folder: Path):
        weights = load_file(folder / "model.safetensors")
        return next(weights[key].float() for key in sorted(weights) if key.endswith("q_proj.weight"))

    merged, original = q_proj(export_dir), q_proj(base)
    return merged.shape == original.shape and bool((merged - original).abs().max() > 0)


@pytest.fixture(scope="module")
def lora(common, tmp_path_factory) -> dict:
    """A LoRA SFT stage, then one DPO step chained onto it (exported) and one resuming its adapter instead."""
    run = tmp_path_factory.mktemp("lora")
    stage = sft(common, run, LORA)
    chained = dpo(common, run / "dpo", LORA, f"vgpt2.model_from={stage}")
    return {"sft": stage, "chained": chained, "export": export(run / "dpo", run / "export"),
            "resumed": dpo(common, run / "dpo-resumed", LORA, "vgpt2.model_from=null",
                           f"adapter_name_or_path={stage}", "create_new_adapter=false")}


def test_dpo_after_lora_sft_merges_it_and_starts_with_zero_rewards(lora, tiny_model_dir):
    config, first = lora["chained"]
    assert (config["model_name_or_path"], config["adapter_name_or_path"]) == (str(tiny_model_dir), str(lora["sft"]))
    assert config["create_new_adapter"] is True and "ref_model" not in config
    assert first["step"] == 1 and first["rewards/chosen"] == 0.0 and first["rewards/rejected"] == 0.0
    assert first["logps/chosen"] < 0  # the log-probabilities are real; only their difference to the reference is 0
    assert math.isfinite(first["loss"])
    folder = lora["sft"].parent / "dpo"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["metrics"]["rewards/chosen"]["first"] == 0.0 and (folder / "dpo_curves.png").is_file()
    assert (folder / "adapter_model.safetensors").is_file()
    assert trained_model(folder).adapters == (str(lora["sft"]), str(folder))  # what export and validate load
    assert merged_differs_from_base(lora["export"], tiny_model_dir)


def test_resuming_the_sft_adapter_makes_the_base_model_the_reference(lora):
    (config, first), (_, chained) = lora["resumed"], lora["chained"]
    assert config["create_new_adapter"] is False and config["adapter_name_or_path"] == str(lora["sft"])
    assert abs(first["rewards/chosen"]) > 1e-3 and abs(first["rewards/rejected"]) > 1e-3
    # the same policy (base + SFT) in both runs: only the reference differs
    assert first["logps/chosen"] == pytest.approx(chained["logps/chosen"], rel=1e-4)


def test_dpo_after_full_sft_starts_from_its_weights_with_zero_rewards(common, tmp_path, tiny_model_dir):
    full = sft(common, tmp_path, ["finetuning_type=full"])
    config, first = dpo(common, tmp_path / "dpo", ["finetuning_type=full"], f"vgpt2.model_from={full}")
    assert config["model_name_or_path"] == str(full) and "adapter_name_or_path" not in config
    assert first["rewards/chosen"] == 0.0 and first["rewards/rejected"] == 0.0
    assert merged_differs_from_base(export(tmp_path / "dpo", tmp_path / "export"), tiny_model_dir)
