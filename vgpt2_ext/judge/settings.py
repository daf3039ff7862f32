"""The recipe's `vgpt2.validate` section: which cases, which backend, where the report goes, what passes.

Defaults agree with the earlier VGPT2 report (`../shared/reference/vgpt2_v3_sft_results.md`): a case
passes at 0.60, a hallucination case at 0.90 (its marks failed even 0.80). Targets are the category scores a
model should reach; they follow that report's marks (join 98 % "exceeds", SQL 89 % "near", schema 88 %
"good", error 86 % "exceeds", business 78 % "below", hallucination 63 % "failing" against the 90 %+ the
DPO stage aimed at). Gates are optional minimum category scores that fail the command (for CI).

Kept free of heavy imports: the recipe compiler reads it on every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


def _number(default: float | None, what: str) -> float | None:
    return field(default=default, metadata={"help": what})


@dataclass
class ThresholdSettings:
    """`vgpt2.validate.thresholds`: the score at or above which a case of each category passes."""

    schema_knowledge: float = _number(0.60, "Pass threshold of schema questions.")
    sql_generation: float = _number(0.60, "Pass threshold of request -> T-SQL cases.")
    join_patterns: float = _number(0.60, "Pass threshold of multi-table join cases.")
    error_correction: float = _number(0.60, "Pass threshold of broken-query cases.")
    business_logic: float = _number(0.60, "Pass threshold of business-rule cases.")
    hallucination: float = _number(0.90, "Pass threshold of questions about missing objects: a refusal that "
                                         "does not name the real alternative fails.")


@dataclass
class TargetSettings:
    """`vgpt2.validate.targets`: the category score a model should reach (the report's status marks)."""

    schema_knowledge: float = _number(0.85, "Target score of schema questions.")
    sql_generation: float = _number(0.90, "Target score of request -> T-SQL cases.")
    join_patterns: float = _number(0.90, "Target score of multi-table join cases.")
    error_correction: float = _number(0.85, "Target score of broken-query cases.")
    business_logic: float = _number(0.80, "Target score of business-rule cases.")
    hallucination: float = _number(0.90, "Target score of questions about missing objects.")


@dataclass
class GateSettings:
    """`vgpt2.validate.gates`: minimum category scores; below one, `vgpt2 validate` exits 1. null: no gate."""

    schema_knowledge: float | None = _number(None, "Minimum schema score, or null.")
    sql_generation: float | None = _number(None, "Minimum SQL generation score, or null.")
    join_patterns: float | None = _number(None, "Minimum join score, or null.")
    error_correction: float | None = _number(None, "Minimum error-correction score, or null.")
    business_logic: float | None = _number(None, "Minimum business-logic score, or null.")
    hallucination: float | None = _number(None, "Minimum hallucination score, or null.")


@dataclass
class ValidateSettings:
    """The `vgpt2.validate` section of a recipe."""

    cases: str = field(default="eval_suite/cases", metadata={
        "help": "Validation cases: a YAML file or a folder of them (`--cases`)."})
    backend: Literal["hf", "openai", "responses"] = field(default="hf", metadata={
        "help": "Who answers: `hf` (the run's model and adapters through LLaMA-Factory), `openai` (an "
                "OpenAI-compatible endpoint) or `responses` (a JSONL file of recorded answers)."})
    responses: str | None = field(default=None, metadata={
        "help": "Recorded answers for the `responses` backend: JSONL of {\"id\", \"response\"} (`--responses`)."})
    report_dir: str | None = field(default=None, metadata={
        "help": "Where report.md/.json/.png and responses.jsonl go; null: saves/<run_name>/validation."})
    baseline: str | None = field(default=None, metadata={
        "help": "An earlier report.json to compare with (`--baseline`), e.g. the SFT report after DPO."})
    fail_under: float | None = field(default=None, metadata={
        "help": "Exit 1 when the overall score is below this (`--fail-under`); null: never."})
    batch_size: int = field(default=8, metadata={"help": "Prompts generated together by the `hf` backend."})
    endpoint: str = field(default="http://127.0.0.1:8000/v1", metadata={
        "help": "Base URL of the OpenAI-compatible API (`llamafactory-cli api`, vLLM)."})
    api_model: str = field(default="vgpt2", metadata={"help": "Model name sent to the endpoint."})
    api_key_env: str = field(default="OPENAI_API_KEY", metadata={
        "help": "Environment variable holding the endpoint's API key (unset: no key sent)."})
    concurrency: int = field(default=4, metadata={"help": "Requests in flight at once (`openai`)."})
    timeout_s: float = field(default=120.0, metadata={"help": "Seconds before a request is abandoned (`openai`)."})
    retries: int = field(default=3, metadata={"help": "Retries of a failed request, with backoff (`openai`)."})
    seed: int = field(default=0, metadata={"help": "Seed of the sandbox's synthetic rows."})
    thresholds: ThresholdSettings = field(default_factory=ThresholdSettings, metadata={
        "help": "Per-category pass thresholds of a case."})
    targets: TargetSettings = field(default_factory=TargetSettings, metadata={
        "help": "Per-category target scores (the report's status marks)."})
    gates: GateSettings = field(default_factory=GateSettings, metadata={
        "help": "Per-category minimum scores that fail the command."})
