"""End to end: files, registry and card; determinism; atomic writes; the real Vista export at small scale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vgpt2_ext.atomic import check_set
from vgpt2_ext.catalog import SAMPLE_CATALOG
from vgpt2_ext.data.build import targets
from vgpt2_ext.data.pipeline import MANIFEST
from vgpt2_ext.data.registry import DATASET, ENTRY
from vgpt2_ext.data.settings import CATEGORIES, MixSettings
from vgpt2_ext.errors import RecipeError

REPO = Path(__file__).resolve().parents[2]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_build_writes_every_file_the_registry_and_the_card(tmp_path, build):
    result = build(tmp_path, examples=60)
    names = {f"{DATASET}.jsonl", "dataset_info.json", "DATA_CARD.md", "DATA_CARD.json", "DATA_MANIFEST.json"}
    names |= {f"{DATASET}_{category}.jsonl" for category in CATEGORIES}
    assert set(files(tmp_path)) == names
    merged = rows(tmp_path / f"{DATASET}.jsonl")
    assert len(merged) == 60 and len({r["id"] for r in merged}) == 60
    for category in CATEGORIES:
        mine = rows(tmp_path / f"{DATASET}_{category}.jsonl")
        assert mine and {r["category"] for r in mine} == {category}
        assert result.card["categories"][category]["written"] == len(mine)
    assert result.card["examples"] == 60


def test_every_conversation_starts_with_the_system_turn_and_alternates(tmp_path, build):
    build(tmp_path, examples=30)
    for row in rows(tmp_path / f"{DATASET}.jsonl"):
        turns = row["conversations"]
        assert [t["from"] for t in turns] == ["system"] + ["human", "gpt"] * (1 + len(row["follow_ups"]))
        assert turns[0]["value"] == "You are VGPT2, a test system prompt." and all(t["value"].strip() for t in turns)
        assert turns[3:4] == [] or turns[3]["value"] == row["follow_ups"][0]


def test_registration_merges_without_clobbering_other_datasets(tmp_path, build):
    other = {"vgpt2_dpo": {"file_name": "vgpt2_dpo.jsonl", "ranking": True, "formatting": "sharegpt"},
             "vgpt2_sft_stale": {"file_name": "vgpt2_sft_stale.jsonl", **ENTRY}}
    (tmp_path / "dataset_info.json").write_text(json.dumps(other))
    (tmp_path / "vgpt2_sft_stale.jsonl").write_text("{}\n")
    build(tmp_path, examples=30)
    registry = json.loads((tmp_path / "dataset_info.json").read_text())
    assert registry["vgpt2_dpo"] == other["vgpt2_dpo"]
    assert "vgpt2_sft_stale" not in registry and not (tmp_path / "vgpt2_sft_stale.jsonl").exists()
    assert registry[DATASET] == {"file_name": f"{DATASET}.jsonl", **ENTRY}
    assert {name for name in registry if name.startswith(f"{DATASET}_")} == {f"{DATASET}_{c}" for c in CATEGORIES}


def test_the_card_counts_categories_sources_rejections_tokens_coverage_and_decontamination(tmp_path, build):
    card = build(tmp_path, examples=60).card
    assert sum(c["written"] for c in card["categories"].values()) == 60
    assert sum(card["sources"].values()) == 60
    assert all(c["seed"] + c["schema"] == c["written"] for c in card["categories"].values())
    assert card["tokens"]["tokenizer"].startswith("the estimate of 1 token per 3 characters")
    assert 0 < card["tokens"]["answer"]["p50"] <= card["tokens"]["answer"]["p90"] <= card["tokens"]["answer"]["p100"]
    assert card["tokens"]["total"]["p50"] > card["tokens"]["user"]["p50"]
    assert 0 < card["coverage"]["share_of_queryable"] <= 1
    assert card["decontamination"]["cases"] is None
    markdown = (tmp_path / "DATA_CARD.md").read_text()
    for heading in ("Examples per category", "Rejected candidates", "Quality", "Token lengths", "Tables covered",
                    "Decontamination"):
        assert f"## {heading}" in markdown
    figures = {f["name"]: f for f in card["quality"]["figures"]}
    assert {"table_code_questions", "question_shapes_per_1000", "unrequested_top", "sql_cte"} <= set(figures)
    assert all(f["how"] and f["op"] in ("<=", ">=") and isinstance(f["met"], bool) for f in figures.values())
    assert figures["unrequested_top"]["value"] == 0 and figures["unstated_company_literal"]["value"] == 0
    assert json.loads((tmp_path / "DATA_CARD.json").read_text()) == card


def test_the_card_measures_with_the_profile_tokenizer_when_it_loads(tmp_path, build, tiny_model_dir):
    card = build(tmp_path, examples=12, model=str(tiny_model_dir)).card
    assert card["tokens"]["tokenizer"] == f"`{tiny_model_dir}` tokenizer"


def test_the_same_seed_gives_byte_identical_files_and_another_seed_different_ones(tmp_path, build):
    build(tmp_path / "a", examples=60, seed=3)
    build(tmp_path / "b", examples=60, seed=3, workers=2)
    build(tmp_path / "c", examples=60, seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    differ = files(tmp_path / "c")
    assert differ[f"{DATASET}.jsonl"] != files(tmp_path / "a")[f"{DATASET}.jsonl"]


def test_a_crash_while_writing_leaves_the_old_files_whole(tmp_path, build, monkeypatch):
    build(tmp_path, examples=30, seed=1)
    before = files(tmp_path)
    import vgpt2_ext.atomic as atomic

    real = atomic.os.replace
    calls = []

    def crash_on_third(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(source, target)

    monkeypatch.setattr(atomic.os, "replace", crash_on_third)
    with pytest.raises(OSError, match="disk full"):
        build(tmp_path, examples=30, seed=2)
    after = files(tmp_path)
    assert set(after) == set(before)  # no temporary file left behind
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 2  # the two files replaced before the crash, each whole
    for name in changed:
        assert rows(tmp_path / name)
    manifest, problem = check_set(tmp_path, MANIFEST)  # the manifest, written last, is the earlier build's
    assert manifest is not None and f"{changed[0]}` is not the file the last build wrote" in problem


def test_mix_weights_split_the_total_and_a_zero_weight_leaves_a_category_out(small):
    split = targets(small(examples=100))
    assert sum(split.values()) == 100 and split["sql_generation"] == 25
    none = MixSettings(**{category: float(category != "hallucination") for category in CATEGORIES})
    assert targets(small(examples=50, mix=none))["hallucination"] == 0
    with pytest.raises(RecipeError, match="vgpt2.data.mix"):
        targets(small(mix=MixSettings(**{category: 0.0 for category in CATEGORIES})))


def test_a_category_left_out_keeps_its_entry_with_an_empty_file_so_the_registry_never_changes(tmp_path, build):
    tracked = (REPO / "dataset_info" / "dataset_info.json").read_bytes()  # in git: a build must not dirty it
    (tmp_path / "dataset_info.json").write_bytes(tracked)
    only_two = MixSettings(**{c: float(c in ("sql_generation", "hallucination")) for c in CATEGORIES})
    build(tmp_path, examples=20, mix=only_two)
    assert (tmp_path / "dataset_info.json").read_bytes() == tracked
    sizes = {c: len(rows(tmp_path / f"{DATASET}_{c}.jsonl")) for c in CATEGORIES}
    assert {c for c, n in sizes.items() if n} == {"sql_generation", "hallucination"}


@pytest.mark.fixture
def test_the_real_vista_export_builds_and_covers_far_more_tables_than_the_sample(tmp_path, build, vista_fixture):
    sample = build(tmp_path / "sample", catalog=str(SAMPLE_CATALOG), examples=300, workers=2).card
    real = build(tmp_path / "real", catalog=str(vista_fixture), context="pruned", examples=300, workers=2).card
    assert real["examples"] == 300
    assert real["coverage"]["objects_used"] > 3 * sample["coverage"]["objects_used"]
    first = rows(tmp_path / "real" / f"{DATASET}.jsonl")[0]
    assert first["conversations"][1]["value"].startswith("Schema (T-SQL DDL")
