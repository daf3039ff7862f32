"""LLaMA-Factory's own loader reads every registered dataset, follow-up conversations included, and drops nothing.

LLaMA-Factory skips a malformed sharegpt row with only a warning (wrong role order, odd turn count), so the
test counts what comes out of its full SFT data pipeline (registry -> loader -> converter -> tokenised
supervised examples, with the tiny model's tokenizer and the `qwen` template) against the rows written.
"""

from __future__ import annotations

import json

import pytest

from vgpt2_ext.data.registry import DATASET


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_model_dir):
    from dataclasses import replace

    from vgpt2_ext.data.pipeline import DataRun, run_build
    from vgpt2_ext.data.settings import DataSettings
    from vgpt2_ext.settings import Settings

    out = tmp_path_factory.mktemp("dataset_info")
    data = replace(DataSettings(), examples=64, workers=1, decontaminate=None)
    run_build(DataRun(Settings(schema_context="pruned", data=data), "You are VGPT2.", out, str(tiny_model_dir)))
    return out


def test_llamafactory_reads_every_registered_dataset_with_zero_dropped_rows(built, llamafactory_load):
    registry = json.loads((built / "dataset_info.json").read_text())
    names = [name for name in registry if name == DATASET or name.startswith(f"{DATASET}_")]
    assert len(names) == 7
    merged = [json.loads(line) for line in (built / f"{DATASET}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(len(row["conversations"]) == 5 for row in merged), "no follow-up conversation to load"
    for name in names:
        written = (built / registry[name]["file_name"]).read_text(encoding="utf-8").splitlines()
        loaded = llamafactory_load(name, built)["train_dataset"]
        assert len(loaded) == len(written), name
        assert all(any(label != -100 for label in labels) for labels in loaded["labels"]), name


def test_the_count_would_catch_a_row_llamafactory_drops(built, llamafactory_load, tmp_path):
    from vgpt2_ext.data.registry import ENTRY

    good = (built / f"{DATASET}.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    bad = json.loads(good[0])
    bad["conversations"] = bad["conversations"][:1] + bad["conversations"][2:] + bad["conversations"][1:2]
    (tmp_path / "probe.jsonl").write_text("\n".join(good + [json.dumps(bad)]) + "\n", encoding="utf-8")
    (tmp_path / "dataset_info.json").write_text(json.dumps({"probe": {"file_name": "probe.jsonl", **ENTRY}}))
    assert len(llamafactory_load("probe", tmp_path)["train_dataset"]) == 3
