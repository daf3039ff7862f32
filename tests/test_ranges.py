"""Ranges of recipe keys: what cannot train is refused, and what we accept LLaMA-Factory's own parser accepts.

For every LLaMA-Factory key with a range, the edge values we accept (the bounds, or just inside an open
one) go through `get_train_args` / `get_infer_args`, so a range is never stricter than the library's meaning
of the key; the values past the edge are the ones LLaMA-Factory takes silently and cannot train with.
"""

from __future__ import annotations

import math

import pytest

from vgpt2_ext.argspec import lf_table
from vgpt2_ext.ranges import RANGES, Range, range_problem
from vgpt2_ext.recipe import compile_recipe, lf_args

INFER_ONLY = "GeneratingArguments"


def edges(key: str, found: Range, kind: str) -> list[float]:
    step = 1 if kind == "int" else 1e-3
    values = []
    if found.low is not None:
        values.append(found.low + step if found.low_open else found.low)
    if found.high is not None:
        values.append(found.high - step if found.high_open else found.high)
    return [int(v) if kind == "int" else float(v) for v in values]


LF_KEYS = sorted(key for key in RANGES if not key.startswith("vgpt2."))


def test_every_range_names_a_key_llamafactory_or_we_define() -> None:
    table = lf_table()
    assert [key for key in LF_KEYS if key not in table] == []


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("learning_rate", math.nan, "must be a finite number"), ("learning_rate", 0.0, "must be > 0"),
    ("num_train_epochs", -1, "must be > 0"), ("per_device_train_batch_size", 0, "must be >= 1"),
    ("warmup_ratio", 1.01, "must be >= 0 and <= 1"), ("vgpt2.data.examples", 0, "must be >= 1"),
    ("vgpt2.validate.thresholds.hallucination", 1.5, "must be >= 0 and <= 1"),
    ("vgpt2.data.mix.hallucination", -0.5, "must be >= 0"), ("max_steps", -2, "must be >= -1"),
])
def test_a_value_outside_its_range_is_named_with_the_range(key: str, value: float, problem: str) -> None:
    assert problem in range_problem(key, value)


@pytest.mark.parametrize(("key", "value"), [("max_steps", -1), ("save_steps", 0.1), ("val_size", 200),
                                            ("learning_rate", 1e-4), ("lora_dropout", 0.0), ("seed", 0)])
def test_a_value_with_a_meaning_in_llamafactory_is_accepted(key: str, value: float) -> None:
    assert range_problem(key, value) is None


def test_llamafactorys_parser_accepts_every_edge_we_accept(in_repo, tmp_path, monkeypatch) -> None:
    from llamafactory.hparams import get_infer_args, get_train_args

    table = lf_table()
    base = [f"model_name_or_path={tmp_path}", f"output_dir={tmp_path}/out"]
    refused = []
    for key in LF_KEYS:
        for value in edges(key, RANGES[key], table[key]["kind"]):
            try:
                if INFER_ONLY in table[key]["owners"]:
                    get_infer_args(lf_args(compile_recipe("validate", "tiny-cpu", [*base, f"{key}={value}",
                                                                                    "vgpt2.model_from=null"]), "infer"))
                else:
                    lora = ["finetuning_type=lora"] if key.startswith("lora") else []  # LoRA keys need LoRA
                    alone = ["warmup_steps=0"] if key == "warmup_ratio" else []  # the recipe's warmup_steps: 0.1
                    get_train_args(lf_args(compile_recipe("sft", "tiny-cpu", [*base, *lora, *alone,
                                                                               f"{key}={value}"])))
            except (ValueError, TypeError) as error:
                refused.append(f"{key}={value}: {error}")
    assert refused == []
