"""The recipe's `vgpt2.data` section: how `make data` builds, proves, cleans and registers the SFT examples.

Every knob a user may turn is a typed field with its help beside it, so the recipe compiler checks it like
LLaMA-Factory's own keys. The top-level `vgpt2.schema_context` (none | pruned) chooses the prompt shape; the
`context_*` fields here bound the pruned schema, for training and validation prompts alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CATEGORIES = (
    "schema_knowledge", "sql_generation", "join_patterns", "error_correction", "business_logic", "hallucination",
)


def _weight(default: float, what: str) -> float:
    return field(default=default, metadata={"help": f"Weight of {what}; 0 leaves the category out."})


@dataclass
class MixSettings:
    """`vgpt2.data.mix`: each category's weight; the weights are normalised to sum 1."""

    schema_knowledge: float = _weight(0.20, "schema questions (what a table holds, keys, columns, codes)")
    sql_generation: float = _weight(0.25, "request -> T-SQL examples (filters, aggregates, Mth logic, TOP n)")
    join_patterns: float = _weight(0.15, "multi-table questions joined on full keys")
    error_correction: float = _weight(0.15, "broken query -> explanation and fixed query")
    business_logic: float = _weight(0.10, "business rules expressed as SQL and explained")
    hallucination: float = _weight(0.15, "questions about objects that do not exist -> refusal and alternative")

    def weights(self) -> dict[str, float]:
        return {category: float(getattr(self, category)) for category in CATEGORIES}


@dataclass
class DataSettings:
    """The `vgpt2.data` section of a recipe."""

    examples: int = field(
        default=6000,
        metadata={"help": "Validated examples to write in all, split across categories by `mix`."},
    )
    mix: MixSettings = field(default_factory=MixSettings,
                             metadata={"help": "How the examples split across the six categories."})
    seed: int = field(default=0, metadata={"help": "Seed of phrasings, literals and order: equal seeds give "
                                                   "byte-identical files."})
    paraphrases: int = field(default=1, metadata={"help": "Phrasings of each drawn intent (same literals, same "
                                                          "answer, different question); more repeat answers."})
    seed_share: float = field(default=0.25, metadata={"help": "Share of candidates drawn from the curated seed "
                                                              "intents (the rest from templates over the schema)."})
    coded_share: float = field(
        default=0.22, metadata={"help": "Share of candidates about objects the vocabulary has no business words for, "
                                       "asked by their table code (the rest are asked in business words)."})
    reasoning: Literal["none", "brief"] = field(
        default="brief", metadata={"help": "`brief`: SQL answers open with a short plan (which tables and why, the "
                                           "join key, the filters); `none`: a one-line lead before the SQL."})
    seeds_dir: str | None = field(
        default=None,
        metadata={"help": "Folder of seed YAML (question/SQL intents, phrasings, missing objects). null uses the "
                          "embedded vgpt2_ext/seeds."},
    )
    decontaminate: str | None = field(
        default="eval_suite/cases",
        metadata={"help": "Validation cases (a YAML file or folder) no training example may copy or closely "
                          "paraphrase. null disables decontamination (the card says so)."},
    )
    decontam_ngram: int = field(default=2, metadata={"help": "Word n-gram size of the shingles compared by "
                                                             "Jaccard similarity for decontamination."})
    decontam_threshold: float = field(
        default=0.5, metadata={"help": "Question shingle Jaccard at or above which an example counts as a "
                                       "paraphrase of a validation case and is removed."})
    decontam_sql_threshold: float = field(
        default=0.7, metadata={"help": "SQL token-shingle Jaccard at or above which an example's SQL counts as a "
                                       "copy of a case's gold SQL and is removed."})
    near_duplicate_threshold: float = field(
        default=0.8, metadata={"help": "Among examples with the same normalised answer, question shingle "
                                       "Jaccard at or above which the later one is a near-duplicate."})
    attempts: float = field(default=4.0, metadata={"help": "Candidates a builder may offer per wanted example "
                                                           "before the build settles for fewer (reported)."})
    proof_rows: int = field(
        default=10, metadata={"help": "Synthetic rows per table in the sandbox that proves the SQL runs (the same "
                                      "engine, guard and limits as validation; fewer rows build the real Vista "
                                      "export's tables faster)."})
    workers: int = field(default=2, metadata={"help": "Processes proving candidates in parallel; 0 uses every "
                                                      "CPU core."})
    context_budget: int = field(
        default=512, metadata={"help": "Estimated tokens (3 characters each) the pruned schema in a prompt may "
                                       "take; tables and columns beyond it are left out."})
    context_tables: int = field(default=3, metadata={"help": "Tables the schema linker picks for a pruned "
                                                             "prompt, before relationship neighbours."})
    context_neighbours: int = field(default=2, metadata={"help": "Relationship neighbours of the picked tables "
                                                                 "added to a pruned prompt."})
