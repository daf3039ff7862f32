"""The recipe's `vgpt2.pairs` section: how `vgpt2 pairs build` makes, proves and registers the DPO pairs.

Synthetic pairs corrupt the validated SFT answers, one corruption type at a time (`mix` sets each type's
share of `synthetic`); mined pairs sample `samples_per_prompt` answers from the run's SFT model on `prompts`
SFT prompts and pair a passing answer with failing ones. Kept free of heavy imports: the recipe compiler reads
it on every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CORRUPTIONS = ("invented_table", "invented_column", "partial_join", "missing_filter", "base_table",
               "dialect_slip", "confident_hallucination")


def _weight(default: float, what: str) -> float:
    return field(default=default, metadata={"help": f"Weight of {what}; 0 leaves the type out."})


@dataclass
class CorruptionMix:
    """`vgpt2.pairs.mix`: each corruption type's weight; the weights are normalised to sum 1."""

    invented_table: float = _weight(1.0, "queries on a plausible table the catalog lacks (Invoice, Vendors)")
    invented_column: float = _weight(1.0, "queries on a plausible column a real table lacks (APTH.Status)")
    partial_join: float = _weight(1.0, "joins that drop a key column (the company or group column)")
    missing_filter: float = _weight(1.0, "queries without the company filter or the business-rule predicate")
    base_table: float = _weight(1.0, "queries on the base table (bAPTH) where the house style wants the view")
    dialect_slip: float = _weight(1.0, "MySQL syntax SQL Server rejects (LIMIT, backticks)")
    confident_hallucination: float = _weight(2.0, "confident queries on a missing object, against the refusal")

    def weights(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in CORRUPTIONS}


@dataclass
class PairSettings:
    """The `vgpt2.pairs` section of a recipe."""

    synthetic: int = field(default=1500, metadata={
        "help": "Synthetic pairs to build in all, split across corruption types by `mix` (fewer when a type runs "
                "out of SFT answers it applies to; the card says so)."})
    mix: CorruptionMix = field(default_factory=CorruptionMix, metadata={
        "help": "How the synthetic pairs split across corruption types."})
    seed: int = field(default=0, metadata={"help": "Seed of the row order, choices and prompts mined: equal seeds "
                                                   "give byte-identical files (for equal samples)."})
    sft_dataset: str = field(default="vgpt2_sft", metadata={
        "help": "The registered SFT dataset (under `dataset_dir`) whose validated rows give the prompts and gold "
                "answers."})
    model: str | None = field(default=None, metadata={
        "help": "The model mined from: a stage folder (saves/RUN/sft) or a run folder. dpo.yaml sets the run's SFT "
                "stage; null, or a stage not finished yet, builds synthetic pairs only."})
    samples: str | None = field(default=None, metadata={
        "help": "Recorded samples to mine instead of generating: JSONL of {\"id\": SFT row id, \"samples\": [...]} "
                "(what a build writes to <dataset_dir>/vgpt2_dpo_samples.jsonl)."})
    backend: Literal["hf", "openai"] = field(default="hf", metadata={
        "help": "Who samples: `hf` (the model through LLaMA-Factory) or `openai` (the endpoint of "
                "`vgpt2.validate.endpoint`)."})
    prompts: int = field(default=128, metadata={"help": "SFT prompts sampled for mining; 0 mines nothing."})
    samples_per_prompt: int = field(default=4, metadata={"help": "Answers sampled per prompt (K)."})
    temperature: float = field(default=0.9, metadata={"help": "Sampling temperature (> 0) for mining."})
    max_new_tokens: int = field(default=512, metadata={"help": "Longest sampled answer, in tokens."})
    rejected_per_prompt: int = field(default=2, metadata={
        "help": "Failing samples paired with one prompt's chosen answer, hardest (highest score) first."})
    batch_size: int = field(default=8, metadata={"help": "Prompts generated together by the `hf` backend."})
