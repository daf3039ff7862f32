"""Properties of a built pair set, read back from the files it wrote: every prompt is an SFT prompt, no pair
repeats, chosen differs from rejected, no prompt is a validation case; the card counts what the files hold."""

from __future__ import annotations

import json
import shutil
from collections import Counter

from vgpt2_ext.data.example import Example
from vgpt2_ext.data.hygiene import Decontaminator, load_validation_cases
from vgpt2_ext.data.registry import ENTRY
from vgpt2_ext.pairs.corrupt import BY_NAME, CORRUPTIONS
from vgpt2_ext.pairs.pipeline import PairRun, run_build

from .conftest import CASES, settings


def _rows(folder, name="vgpt2_dpo.jsonl"):
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def test_every_prompt_is_exactly_its_sft_prompt(built, sft_dir):
    sft = {row["id"]: row["conversations"][:2] for row in _rows(sft_dir, "vgpt2_sft.jsonl")}
    for pair in _rows(built[0]):
        assert pair["conversations"] == sft[pair["sft_id"]]
        assert [t["from"] for t in pair["conversations"]] == ["system", "human"]
        assert pair["chosen"]["from"] == pair["rejected"]["from"] == "gpt"


def test_no_pair_repeats_and_chosen_differs_from_rejected(built):
    pairs = _rows(built[0])
    keys = [(json.dumps(p["conversations"]), p["chosen"]["value"], p["rejected"]["value"]) for p in pairs]
    assert len(set(keys)) == len(keys) == len({p["id"] for p in pairs})
    for pair in pairs:
        chosen, rejected = pair["chosen"]["value"], pair["rejected"]["value"]
        assert chosen.strip() and rejected.strip() and " ".join(chosen.split()) != " ".join(rejected.split())


def test_no_prompt_is_a_validation_case(built):
    cases = load_validation_cases(CASES)
    decontaminator = Decontaminator(cases, 2, 0.5, 0.7)
    questions = {case.question for case in cases}
    for pair in built[1].pairs:
        assert pair.row.question not in questions
        example = Example(pair.row.category, "sft", pair.row.id, pair.row.question, pair.row.answer)
        assert decontaminator.overlap(example, ()) is None


def test_every_type_reaches_its_target_and_states_its_own_reasons(built):
    folder, result = built
    pairs = _rows(folder)
    kinds = Counter(p["kind"] for p in pairs)
    for corruption in CORRUPTIONS:
        target = result.card["kinds"][corruption.name]["target"]
        assert kinds[corruption.name] == target > 0
    for pair in pairs:
        assert pair["source"] == "synthetic" and pair["reasons"]
        assert set(pair["reasons"]) <= set(BY_NAME[pair["kind"]].fails)


def test_the_card_counts_what_the_files_hold(built):
    folder, result = built
    card = json.loads((folder / "PAIR_CARD.json").read_text())
    pairs = _rows(folder)
    assert card["pairs"] == len(pairs) == sum(card["sources"].values()) == 140
    assert card["sources"] == {"synthetic": 140, "mined": 0} and len(_rows(folder, "vgpt2_dpo_synthetic.jsonl")) == 140
    assert card["reasons"] == dict(Counter(r for p in pairs for r in p["reasons"]))
    assert card["mining"]["status"].startswith("no mined pairs")
    assert {"p50", "p99"} <= set(card["tokens"]["chosen"]) and card["tokens"]["prompt"]["p50"] > 0
    assert "## Pairs by kind" in (folder / "PAIR_CARD.md").read_text()


def test_registration_keeps_the_sft_entries_and_adds_ranking_ones(built):
    folder, result = built
    registry = json.loads((folder / "dataset_info.json").read_text())
    assert registry["vgpt2_sft"]["file_name"] == "vgpt2_sft.jsonl"
    assert result.files == {"vgpt2_dpo": "vgpt2_dpo.jsonl", "vgpt2_dpo_synthetic": "vgpt2_dpo_synthetic.jsonl",
                            "vgpt2_dpo_mined": "vgpt2_dpo_mined.jsonl"}  # nothing mined: registered, empty
    assert (folder / "vgpt2_dpo_mined.jsonl").read_text() == ""
    for name in result.files:
        assert registry[name]["ranking"] is True
        assert registry[name]["columns"] == {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}
        assert registry[name]["tags"] == ENTRY["tags"]


def test_equal_seeds_give_identical_files(built, sft_dir, tmp_path):
    again = shutil.copytree(sft_dir, tmp_path / "again")
    run_build(PairRun(settings(), again))
    assert (again / "vgpt2_dpo.jsonl").read_bytes() == (built[0] / "vgpt2_dpo.jsonl").read_bytes()
