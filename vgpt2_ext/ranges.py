"""Numeric ranges of recipe keys: values whose type is right but that cannot train, checked before launch.

LLaMA-Factory and transformers check types, not ranges: `num_train_epochs: -1` trains zero steps and reports
success, `learning_rate: .nan` trains to NaN, `per_device_train_batch_size: 0` fails deep inside the data
loader after the model has loaded. Each range here is no stricter than those libraries' own meaning of the
key (`max_steps: -1` means "use the epochs", `save_steps: 0.1` means a tenth of the run, a `val_size` above 1
is a count), so a value they would use as intended always passes; `tests/test_ranges.py` hands the edge of
every range to LLaMA-Factory's own parser. Every number must also be finite.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # `low` itself is outside
    high_open: bool = False

    def holds(self, value: float) -> bool:
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below

    def words(self) -> str:
        low = "" if self.low is None else f"{'>' if self.low_open else '>='} {self.low:g}"
        high = "" if self.high is None else f"{'<' if self.high_open else '<='} {self.high:g}"
        return " and ".join(part for part in (low, high) if part)


POSITIVE, AT_LEAST_ONE, NOT_NEGATIVE = Range(0, low_open=True), Range(1), Range(0)
SHARE, SHARE_OPEN = Range(0, 1), Range(0, 1, high_open=True)

# key (a dotted `vgpt2.*` key may be a pattern) -> range; keys absent from a config are not checked
RANGES: dict[str, Range] = {
    # training (transformers' TrainingArguments)
    "learning_rate": POSITIVE, "num_train_epochs": POSITIVE, "max_steps": Range(-1),
    "per_device_train_batch_size": AT_LEAST_ONE, "per_device_eval_batch_size": AT_LEAST_ONE,
    "gradient_accumulation_steps": AT_LEAST_ONE, "eval_accumulation_steps": AT_LEAST_ONE,
    "warmup_ratio": SHARE, "warmup_steps": NOT_NEGATIVE, "weight_decay": NOT_NEGATIVE,
    "max_grad_norm": NOT_NEGATIVE, "logging_steps": POSITIVE, "save_steps": POSITIVE, "eval_steps": POSITIVE,
    "save_total_limit": NOT_NEGATIVE, "seed": Range(0, 2**32 - 1), "data_seed": Range(0, 2**32 - 1),
    "dataloader_num_workers": NOT_NEGATIVE, "ddp_timeout": AT_LEAST_ONE, "label_smoothing_factor": SHARE_OPEN,
    "adam_beta1": SHARE_OPEN, "adam_beta2": SHARE_OPEN, "adam_epsilon": POSITIVE,
    # data (LLaMA-Factory's DataArguments)
    "cutoff_len": AT_LEAST_ONE, "max_samples": AT_LEAST_ONE, "preprocessing_num_workers": AT_LEAST_ONE,
    "val_size": NOT_NEGATIVE,
    # fine-tuning (FinetuningArguments)
    "lora_rank": AT_LEAST_ONE, "lora_alpha": AT_LEAST_ONE, "lora_dropout": SHARE_OPEN, "pref_beta": POSITIVE,
    "pref_ftx": NOT_NEGATIVE, "simpo_gamma": NOT_NEGATIVE, "loraplus_lr_ratio": POSITIVE,
    # generation (GeneratingArguments)
    "temperature": NOT_NEGATIVE, "top_p": Range(0, 1, low_open=True), "top_k": NOT_NEGATIVE,
    "max_new_tokens": AT_LEAST_ONE, "max_length": AT_LEAST_ONE, "num_beams": AT_LEAST_ONE,
    "repetition_penalty": POSITIVE,
    # ours
    "vgpt2.data.examples": AT_LEAST_ONE, "vgpt2.data.mix.*": NOT_NEGATIVE, "vgpt2.data.seed": NOT_NEGATIVE,
    "vgpt2.data.paraphrases": AT_LEAST_ONE, "vgpt2.data.seed_weight": NOT_NEGATIVE,
    "vgpt2.data.decontam_ngram": AT_LEAST_ONE, "vgpt2.data.*threshold": SHARE, "vgpt2.data.attempts": POSITIVE,
    "vgpt2.data.proof_rows": AT_LEAST_ONE, "vgpt2.data.workers": NOT_NEGATIVE,
    "vgpt2.data.context_budget": AT_LEAST_ONE, "vgpt2.data.context_tables": AT_LEAST_ONE,
    "vgpt2.data.context_neighbours": NOT_NEGATIVE,
    "vgpt2.pairs.synthetic": NOT_NEGATIVE, "vgpt2.pairs.mix.*": NOT_NEGATIVE, "vgpt2.pairs.seed": NOT_NEGATIVE,
    "vgpt2.pairs.prompts": NOT_NEGATIVE, "vgpt2.pairs.samples_per_prompt": AT_LEAST_ONE,
    "vgpt2.pairs.temperature": POSITIVE, "vgpt2.pairs.max_new_tokens": AT_LEAST_ONE,
    "vgpt2.pairs.rejected_per_prompt": AT_LEAST_ONE, "vgpt2.pairs.batch_size": AT_LEAST_ONE,
    "vgpt2.validate.thresholds.*": SHARE, "vgpt2.validate.targets.*": SHARE, "vgpt2.validate.gates.*": SHARE,
    "vgpt2.validate.fail_under": SHARE, "vgpt2.validate.batch_size": AT_LEAST_ONE,
    "vgpt2.validate.concurrency": AT_LEAST_ONE, "vgpt2.validate.timeout_s": POSITIVE,
    "vgpt2.validate.retries": NOT_NEGATIVE, "vgpt2.validate.seed": NOT_NEGATIVE,
}


def range_problem(key: str, value: object) -> str | None:
    """Why `value` cannot be used for `key` (not finite, or outside its range), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"`{key}` must be a finite number; got {value!r}"
    found = RANGES.get(key) or next((r for pattern, r in RANGES.items() if fnmatch.fnmatchcase(key, pattern)), None)
    if found is None or found.holds(value):
        return None
    return f"`{key}` must be {found.words()}; got {value!r}"
