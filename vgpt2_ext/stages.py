"""Run folders and stage chaining: what a finished stage produced, and how the next stage starts from it.

A run lives in `saves/<run>/`, one folder per stage (`sft`, then `dpo`), each holding the `compiled.yaml`
LLaMA-Factory trained with and, once training finished, LLaMA-Factory's `train_results.json`. From those two
files alone we know what a stage produced: a LoRA stage leaves an adapter on top of its own starting point (base
model plus earlier adapters), a full fine-tuning stage leaves a whole model. Validation and export load
"the latest finished stage" of a run; DPO starts from the SFT stage so that its reference model is the SFT
model (see `continue_from`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from vgpt2_ext.errors import RecipeError

CONFIG_FILE = "compiled.yaml"  # the flat LLaMA-Factory config a stage was launched with
MANIFEST_FILE = "manifest.json"  # provenance of that launch (see vgpt2_ext/manifest.py)
DONE_FILE = "train_results.json"  # written by LLaMA-Factory when training finished
STAGE_ORDER = ("sft", "dpo")  # stage folders of a run, earliest first


@dataclass(frozen=True)
class TrainedModel:
    """A trained model as LLaMA-Factory loads it: a base model plus adapters applied in order."""

    stage_dir: Path
    model_name_or_path: str
    adapters: tuple[str, ...]
    template: str | None

    def lf_args(self) -> dict:
        """The LLaMA-Factory model keys that load this model (for inference, export, or a next stage)."""
        args = {"model_name_or_path": self.model_name_or_path}
        if self.template is not None:
            args["template"] = self.template
        if self.adapters:
            args |= {"adapter_name_or_path": ",".join(self.adapters), "finetuning_type": "lora"}
        return args


def trained_model(path: str | Path) -> TrainedModel:
    """What the stage folder `path` trained, or for a run folder, what its latest finished stage trained."""
    path = Path(path)
    is_stage = path.name in STAGE_ORDER or (path / CONFIG_FILE).is_file()
    stage_dir = path if is_stage else latest_stage_dir(path)
    if not (stage_dir / DONE_FILE).is_file():
        raise RecipeError(
            f"`{stage_dir}` holds no finished training (no `{DONE_FILE}`); train it first (`make {stage_dir.name}`)"
        )
    config = yaml.safe_load((stage_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    return _produced(stage_dir, config)


def latest_stage_dir(run_dir: str | Path) -> Path:
    """The last stage of `STAGE_ORDER` that finished training in `run_dir`."""
    run_dir = Path(run_dir)
    finished = [run_dir / stage for stage in STAGE_ORDER if (run_dir / stage / DONE_FILE).is_file()]
    if not finished:
        stages = " or ".join(f"`{stage}`" for stage in STAGE_ORDER)
        raise RecipeError(f"`{run_dir}` holds no finished stage ({stages} with `{DONE_FILE}`); run `make sft` first")
    return finished[-1]


def _produced(stage_dir: Path, config: dict) -> TrainedModel:
    method = config.get("finetuning_type", "lora")  # LLaMA-Factory's default
    template = config.get("template")
    if method in ("full", "freeze"):
        return TrainedModel(stage_dir, str(stage_dir), (), template)
    if method != "lora":
        raise RecipeError(f"`{stage_dir}`: cannot continue from a `finetuning_type: {method}` stage")
    earlier = tuple(a for a in str(config.get("adapter_name_or_path") or "").split(",") if a)
    if earlier and not config.get("create_new_adapter"):
        earlier = earlier[:-1]  # LLaMA-Factory trained the last adapter further: this stage's output replaces it
    return TrainedModel(stage_dir, config["model_name_or_path"], (*earlier, str(stage_dir)), template)


def continue_from(config: dict, model: TrainedModel) -> dict:
    """`config` changed to start from `model`; for training, so that the reference model is `model` itself.

    LoRA: LLaMA-Factory merges the given adapters into the base and trains a new adapter
    (`create_new_adapter`), so a DPO reference (the policy with its new adapter off) is base + SFT. Resuming
    the SFT adapter instead would make the reference the bare base model. Where adapters cannot be merged
    (DeepSpeed ZeRO-3, quantized models) LLaMA-Factory resumes the last adapter, so the reference is loaded
    explicitly (`ref_model` + `ref_model_adapters`).
    """
    if config.get("template") not in (None, model.template):
        raise RecipeError(
            f"`template` is `{config['template']}` but `{model.stage_dir}` was trained with `{model.template}`"
        )
    chained = {key: value for key, value in config.items() if key != "adapter_name_or_path"} | model.lf_args()
    if not (model.adapters and config.get("do_train")):
        return chained
    if _mergeable(config):
        return chained | {"create_new_adapter": True}
    if len(model.adapters) > 1:
        raise RecipeError(f"`{model.stage_dir}` stacks {len(model.adapters)} adapters; ZeRO-3 and quantized "
                          "models take one: merge them first (`make export`)")
    return chained | {"create_new_adapter": False, "ref_model": model.model_name_or_path,
                      "ref_model_adapters": model.adapters[0]}


def _mergeable(config: dict) -> bool:
    return config.get("quantization_bit") is None and not zero3(config.get("deepspeed"))


def zero3(deepspeed: object) -> bool:
    """Whether a `deepspeed` value (a JSON path or a mapping) selects ZeRO stage 3."""
    if isinstance(deepspeed, str):
        try:
            deepspeed = json.loads(Path(deepspeed).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
    return isinstance(deepspeed, dict) and deepspeed.get("zero_optimization", {}).get("stage") == 3
