"""Mined pairs (on-policy): what the SFT model really answers, judged, paired against a passing answer.

For `vgpt2.pairs.prompts` SFT prompts (seeded choice among rows the judge can score), the model samples
`samples_per_prompt` answers at `temperature` through a backend (`hf`: the run's model via LLaMA-Factory;
`openai`: an endpoint). Each sample is judged against the row's case. Chosen = the best passing sample, or the
row's gold answer when none passes; rejected = the failing samples, hardest (highest score) first, at most
`rejected_per_prompt`, each with the checks it failed. A prompt whose samples all pass gets a synthetic pair
instead (`fallback`), so it still teaches something.

Samples are written to `<dataset_dir>/vgpt2_dpo_samples.jsonl` ({"id": SFT row id, "question", "samples"}) and
read back with `vgpt2.pairs.samples`, so a build can be re-mined without the model (tests, re-proving after a
judge change, comparing builds).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vgpt2_ext.atomic import write_text
from vgpt2_ext.errors import DatasetError
from vgpt2_ext.judge import Case
from vgpt2_ext.pairs.collect import Collector, Offer
from vgpt2_ext.pairs.pair import Pair
from vgpt2_ext.pairs.rows import SftRow
from vgpt2_ext.pairs.synthetic import Material, fallback_pair
from vgpt2_ext.reading import read_jsonl

SAMPLES_FILE = "vgpt2_dpo_samples.jsonl"
Items = Sequence[tuple[SftRow, Case]]


@dataclass
class MineStats:
    """What mining saw, for the card."""

    prompts: int = 0
    samples: int = 0
    passing: int = 0  # samples the judge passes
    empty: int = 0
    prompts_failing: int = 0  # prompts with at least one failing sample
    chosen_sampled: int = 0  # prompts whose chosen answer is the model's own
    fallback: int = 0  # prompts whose samples all passed, given a synthetic pair
    unknown_ids: list[str] = field(default_factory=list)  # recorded samples of rows the SFT data lacks


def mining_items(found: Material, count: int, seed: int) -> list[tuple[SftRow, Case]]:
    """`count` rows the judge can score (a gold query or a refusal), chosen with the seed."""
    items = list(found.items)
    random.Random(f"{seed}:mine").shuffle(items)
    return items[:count]


def recorded_items(found: Material, samples: Mapping[str, list[str]], stats: MineStats) -> list:
    """The rows recorded samples answer, in the file's order (the order they were drawn in, so re-mining writes
    the pairs a live build wrote, byte for byte); ids the rows lack are listed in `stats`."""
    known = {row.id: (row, case) for row, case in found.items}
    stats.unknown_ids = sorted(set(samples) - set(known))
    return [known[row_id] for row_id in samples if row_id in known]


def sample(generate: Callable, items: Items, k: int, temperature: float, max_new_tokens: int,
           progress: Callable[[], None] | None = None) -> dict[str, list[str]]:
    """SFT row id -> `k` answers sampled by a backend's `generate`, on the rows' own prompts."""
    if temperature <= 0 or k < 1:
        raise DatasetError(f"mining samples at `vgpt2.pairs.temperature` > 0 and `samples_per_prompt` >= 1; got "
                           f"{temperature} and {k}")
    answers = generate([row.prompt() for row, _ in items], n=k, temperature=temperature,
                       max_new_tokens=max_new_tokens, progress=progress)
    return {row.id: list(found) for (row, _), found in zip(items, answers)}


def mined_pairs(items: Items, samples: Mapping[str, list[str]], found: Material, collector: Collector,
                per_prompt: int, seed: int, stats: MineStats) -> list[Pair]:
    pairs: list[Pair] = []
    for row, case in items:
        answers = samples.get(row.id)
        if answers is not None:
            pairs += _pairs_of(row, case, answers, found, collector, per_prompt, seed, stats)
    return pairs


def _pairs_of(row: SftRow, case: Case, answers: list[str], found: Material, collector: Collector, per_prompt: int,
              seed: int, stats: MineStats) -> list[Pair]:
    prover = collector.prover
    stats.prompts += 1
    stats.samples += len(answers)
    judged = [(prover.verdict(answer, case), answer) for answer in dict.fromkeys(a for a in answers if a.strip())]
    passing = [(v.score, a) for v, a in judged if prover.passes(v, case)]
    failing = sorted(((v.score, a) for v, a in judged if not prover.passes(v, case)), key=lambda s: -s[0])
    stats.passing += sum(answers.count(a) for _, a in passing)
    chosen = max(passing, key=lambda s: s[0])[1] if passing else row.answer
    kind = "chosen_sampled" if passing else "chosen_gold"
    for _ in range(sum(1 for a in answers if not a.strip())):
        stats.empty += 1
        collector.tally.drop(Offer(row, case, "mined", kind, chosen, ""), "empty")
    if not failing:
        stats.fallback += 1
        pair = fallback_pair(row, case, found, seed, collector)
        return [pair] if pair is not None else []
    stats.prompts_failing += 1
    stats.chosen_sampled += bool(passing)
    offers = [Offer(row, case, "mined", kind, chosen, answer) for _, answer in failing[:per_prompt]]
    return [pair for offer in offers if (pair := collector.offer(offer)) is not None]


def write_samples(path: str | Path, items: Items, samples: Mapping[str, list[str]]) -> None:
    """The samples as JSONL, one row per prompt, so a build can be re-mined without the model."""
    lines = [json.dumps({"id": row.id, "question": row.question, "samples": samples[row.id]}, ensure_ascii=False)
             for row, _ in items if row.id in samples]
    write_text(path, "".join(line + "\n" for line in lines))


def load_samples(path: str | Path) -> dict[str, list[str]]:
    """SFT row id -> samples, from a samples JSONL; a malformed line is an error naming `file:line`."""
    path = Path(path)
    found: dict[str, list[str]] = {}
    for number, raw in read_jsonl(path, DatasetError, "`vgpt2.pairs.samples` "):
        row_id, answers = _sample_row(raw, f"{path}:{number}")
        if row_id in found:
            raise DatasetError(f"`{path}:{number}`: id `{row_id}` appears twice")
        found[row_id] = answers
    return found


def _sample_row(raw: object, where: str) -> tuple[str, list[str]]:
    shape = 'each line must be {"id": SFT row id, "samples": ["answer", ...]}'
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise DatasetError(f"`{where}` has no string `id`; {shape}")
    answers = raw.get("samples")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise DatasetError(f"`{where}` (id `{raw['id']}`) has no list of strings `samples`; {shape}")
    return raw["id"], answers
