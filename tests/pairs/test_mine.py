"""Mined pairs from recorded samples: a passing sample is chosen (else the gold answer), failing ones are
rejected with their reasons, empty ones are counted, a prompt with no failure falls back to a synthetic pair;
and, with the tiny model, samples drawn through the hf backend are recorded and re-mined identically."""

from __future__ import annotations

import json

import pytest

from vgpt2_ext.errors import DatasetError
from vgpt2_ext.pairs.mine import MineStats, load_samples, mined_pairs, write_samples
from vgpt2_ext.pairs.pipeline import PairRun, run_build

from .conftest import settings

GARBAGE = "```sql\nSELECT Invoice.Total FROM Invoice WHERE Company = 1\n```"


@pytest.fixture(scope="module")
def three(found):
    """An SQL row, another SQL row, a refusal row (with their cases)."""
    sql = [item for item in found.items if item[1].gold_sql]
    refusal = next(item for item in found.items if item[1].expect.refusal)
    return sql[0], sql[1], refusal


def test_a_passing_sample_is_chosen_and_failing_ones_rejected_hardest_first(three, found, collector):
    (row, case), _, _ = three
    stats = MineStats()
    samples = {row.id: [GARBAGE, row.answer, "", "No idea.", GARBAGE]}
    pairs = mined_pairs([(row, case)], samples, found, collector, per_prompt=2, seed=0, stats=stats)
    assert [p.kind for p in pairs] == ["chosen_sampled"] * 2 and all(p.chosen == row.answer for p in pairs)
    assert {p.rejected for p in pairs} == {GARBAGE, "No idea."}
    assert pairs[0].rejected_score >= pairs[1].rejected_score  # hardest (highest-scoring) failure first
    assert "grounded" in pairs[[p.rejected for p in pairs].index(GARBAGE)].reasons
    assert (stats.prompts, stats.samples, stats.passing, stats.empty, stats.prompts_failing) == (1, 5, 1, 1, 1)
    assert collector.tally.dropped == {("mined", "chosen_sampled", "empty"): 1}


def test_when_no_sample_passes_the_gold_answer_is_chosen(three, found, collector):
    _, _, (row, case) = three
    confident = f"Here is {row.missing[0]}:\n\n```sql\nSELECT * FROM {row.missing[0].split('.')[0]}\n```"
    stats = MineStats()
    pairs = mined_pairs([(row, case)], {row.id: [confident]}, found, collector, 2, 0, stats)
    assert len(pairs) == 1 and pairs[0].kind == "chosen_gold" and pairs[0].chosen == row.answer
    assert pairs[0].source == "mined" and "refusal" in pairs[0].reasons and stats.chosen_sampled == 0


def test_a_prompt_whose_samples_all_pass_falls_back_to_a_synthetic_pair(three, found, collector):
    _, (row, case), _ = three
    stats = MineStats()
    pairs = mined_pairs([(row, case)], {row.id: [row.answer, row.answer]}, found, collector, 2, 0, stats)
    assert len(pairs) == 1 and pairs[0].source == "synthetic" and pairs[0].fallback
    assert pairs[0].row == row and stats.fallback == 1 and stats.prompts_failing == 0


def test_recorded_samples_feed_a_whole_build(three, dataset_dir):
    items = list(three)
    samples = {row.id: [GARBAGE, row.answer] for row, _ in items}
    path = dataset_dir / "recorded.jsonl"
    write_samples(path, items, samples | {"not-an-sft-row": ["x"]})
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["samples"] == [GARBAGE, items[0][0].answer]
    assert load_samples(path) == samples
    path.write_text(path.read_text() + json.dumps({"id": "not-an-sft-row", "samples": ["x"]}) + "\n")
    result = run_build(PairRun(settings(samples=str(path), synthetic=14), dataset_dir))
    mined = [json.loads(line) for line in (dataset_dir / "vgpt2_dpo_mined.jsonl").read_text().splitlines()]
    assert len(mined) == 3 and {row["sft_id"] for row in mined} == {row.id for row, _ in items}
    assert result.card["sources"] == {"synthetic": 14, "mined": 3}
    assert result.card["mining"]["unknown_ids"] == ["not-an-sft-row"]
    assert json.loads((dataset_dir / "dataset_info.json").read_text())["vgpt2_dpo_mined"]["ranking"] is True


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", r"`.*samples.jsonl:2` is not valid JSON"),
    ('{"samples": ["a"]}', r"`.*samples.jsonl:2` has no string `id`"),
    ('{"id": "a", "samples": "one"}', r"`.*samples.jsonl:2` \(id `a`\) has no list of strings `samples`"),
    ('{"id": "a", "samples": ["x"]}', r"`.*samples.jsonl:2`: id `a` appears twice"),
])
def test_a_malformed_samples_line_is_named(tmp_path, line, message):
    path = tmp_path / "samples.jsonl"
    path.write_text('{"id": "a", "samples": ["x"]}\n' + line + "\n")
    with pytest.raises(DatasetError, match=message):
        load_samples(path)


@pytest.mark.slow
def test_samples_drawn_with_the_tiny_model_are_recorded_and_re_mined_identically(dataset_dir, tiny_model_dir):
    from vgpt2_ext.backends.hf import HFBackend

    args = {"model_name_or_path": str(tiny_model_dir), "template": "qwen", "finetuning_type": "full"}
    small = {"synthetic": 7, "prompts": 3, "samples_per_prompt": 2, "max_new_tokens": 24}
    result = run_build(PairRun(settings(**small), dataset_dir, sampler=lambda: HFBackend(args, batch_size=3),
                               model="the tiny model"))
    recorded = load_samples(dataset_dir / "vgpt2_dpo_samples.jsonl")
    assert len(recorded) == 3 and all(len(found) == 2 for found in recorded.values())
    assert result.card["mining"]["samples"] == 6 and "the tiny model" in result.card["mining"]["status"]
    mined = (dataset_dir / "vgpt2_dpo_mined.jsonl").read_bytes()
    assert result.card["sources"]["mined"] > 0  # untrained weights: every sample fails, the gold answer is chosen
    copy = dataset_dir / "recorded.jsonl"
    copy.write_bytes((dataset_dir / "vgpt2_dpo_samples.jsonl").read_bytes())
    run_build(PairRun(settings(**small, samples=str(copy)), dataset_dir))
    assert (dataset_dir / "vgpt2_dpo_mined.jsonl").read_bytes() == mined
