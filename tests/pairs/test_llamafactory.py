"""LLaMA-Factory's own loader reads every registered DPO dataset as pairwise examples and drops nothing.

LLaMA-Factory skips a malformed ranking row with only a warning (an even message count, a wrong role), so the
test counts what comes out of its full preference pipeline (registry -> loader -> converter -> tokenised
pairwise examples, stage `rm` as its DPO workflow loads data, the tiny model's tokenizer, the `qwen` template)
against the rows written, and checks the probe would see a dropped row.
"""

from __future__ import annotations

import json

from vgpt2_ext.pairs.registry import RANKING_ENTRY


def test_llamafactory_reads_every_dpo_dataset_with_zero_dropped_rows(built, llamafactory_load):
    folder, result = built
    registry = json.loads((folder / "dataset_info.json").read_text())
    assert set(result.files) <= set(registry)
    for name in result.files:
        written = (folder / registry[name]["file_name"]).read_text(encoding="utf-8").splitlines()
        if not written:  # nothing mined in this build: `vgpt2 train` refuses it (tests/test_launcher.py)
            assert name == "vgpt2_dpo_mined"
            continue
        loaded = llamafactory_load(name, folder, "rm")["train_dataset"]
        assert len(loaded) == len(written), name
        for row in loaded.select(range(5)):
            assert any(label != -100 for label in row["chosen_labels"])
            assert any(label != -100 for label in row["rejected_labels"])
            assert row["chosen_input_ids"] != row["rejected_input_ids"]


def test_the_system_turn_reaches_the_prompt(built, llamafactory_load, tiny_model_dir):
    from transformers import AutoTokenizer

    folder, _ = built
    first = json.loads((folder / "vgpt2_dpo.jsonl").read_text().splitlines()[0])
    loaded = llamafactory_load("vgpt2_dpo", folder, "rm")["train_dataset"][0]
    text = AutoTokenizer.from_pretrained(tiny_model_dir).decode(loaded["chosen_input_ids"])
    assert first["conversations"][0]["value"] in text and first["chosen"]["value"].strip()[:40] in text


def test_the_count_would_catch_a_row_llamafactory_drops(built, llamafactory_load, tmp_path):
    good = (built[0] / "vgpt2_dpo.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    bad = json.loads(good[0])
    bad["conversations"].append({"from": "gpt", "value": "an extra turn"})  # an even count: dropped with a warning
    (tmp_path / "probe.jsonl").write_text("\n".join(good + [json.dumps(bad)]) + "\n", encoding="utf-8")
    (tmp_path / "dataset_info.json").write_text(json.dumps({"probe": {"file_name": "probe.jsonl", **RANKING_ENTRY}}))
    assert len(llamafactory_load("probe", tmp_path, "rm")["train_dataset"]) == 3
