"""`vgpt2 pairs build` as a user runs it: the recipe's settings and overrides, a summary, one clear line per
problem (exit 1, no traceback); and re-registration that drops a source the new build did not produce."""

from __future__ import annotations

import json

import pytest

from vgpt2_ext.cli import main
from vgpt2_ext.pairs.pipeline import PairRun, run_build

from .conftest import CASES, REPO, settings

REDGATE = REPO / "tests" / "catalog" / "data" / "ddl" / "redgate"


@pytest.fixture
def args(dataset_dir, tiny_model_dir):
    return [f"dataset_dir={dataset_dir}", f"model_name_or_path={tiny_model_dir}", "vgpt2.pairs.synthetic=14",
            f"vgpt2.data.decontaminate={CASES}"]


def test_build_writes_registers_and_summarises(in_repo, args, dataset_dir, capsys):
    assert main(["pairs", "build", *args, "vgpt2.pairs.model=null"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "vgpt2_dpo: 14 proven pairs" in out and "no mined pairs: `vgpt2.pairs.model` is null" in out
    assert len((dataset_dir / "vgpt2_dpo.jsonl").read_text().splitlines()) == 14
    assert json.loads((dataset_dir / "PAIR_CARD.json").read_text())["settings"]["pairs"]["synthetic"] == 14


def test_sft_data_built_from_another_catalog_is_refused_before_any_pair_is_judged(in_repo, args, dataset_dir,
                                                                                 capsys):
    """`make data CATALOG=x` then a plain `vgpt2 pairs build`: judged against another catalog, most candidates
    would be dropped for names that catalog lacks, with exit 0 and no word."""
    code = main(["pairs", "build", *args, "vgpt2.pairs.model=null", "--catalog", str(REDGATE)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1 and f"`{dataset_dir}/vgpt2_sft.jsonl` was built from catalog `" in err
    assert f"but the pairs would be judged against `redgate` ({REDGATE})" in err and "`make data`" in err
    assert not (dataset_dir / "vgpt2_dpo.jsonl").exists()


def test_a_build_leaves_the_tracked_registry_byte_for_byte(in_repo, args, dataset_dir):
    """`dataset_info/dataset_info.json` is in git: a pairs build (nothing mined here) must not make it dirty."""
    tracked = (REPO / "dataset_info" / "dataset_info.json").read_bytes()
    (dataset_dir / "dataset_info.json").write_bytes(tracked)
    assert main(["pairs", "build", *args, "vgpt2.pairs.model=null"]) == 0
    assert (dataset_dir / "dataset_info.json").read_bytes() == tracked


def test_an_unfinished_sft_stage_means_synthetic_pairs_only(in_repo, args, tmp_path, capsys):
    assert main(["pairs", "build", *args, f"vgpt2.pairs.model={tmp_path}/run/sft"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"no mined pairs: `{tmp_path}/run/sft` holds no finished training" in out


@pytest.mark.parametrize(("change", "message"), [
    ("vgpt2.pairs.synthtic=3", "unknown key `vgpt2.pairs.synthtic`; did you mean one of `vgpt2.pairs.synthetic`"),
    ("vgpt2.pairs.sft_dataset=nope", "registers no dataset `nope`; run `make data` first"),
    ("vgpt2.pairs.mix.base_table=-1", "`vgpt2.pairs.mix.base_table` must be >= 0"),
    ("vgpt2.pairs.samples=missing.jsonl", "`vgpt2.pairs.samples` `missing.jsonl` cannot be read"),
])
def test_a_bad_setting_is_one_line_naming_it(in_repo, args, change, message, capsys):
    assert main(["pairs", "build", *args, "vgpt2.pairs.model=null", change]) == 1
    err = capsys.readouterr().err
    assert message in " ".join(err.split()) and "Traceback" not in err


def test_a_malformed_sft_row_is_named_by_file_and_line(in_repo, args, dataset_dir, capsys):
    with (dataset_dir / "vgpt2_sft.jsonl").open("a") as handle:
        handle.write('{"conversations": [{"from": "human", "value": "hi"}]}\n')
    assert main(["pairs", "build", *args, "vgpt2.pairs.model=null"]) == 1
    assert "vgpt2_sft.jsonl:361`: `conversations` must be the turns" in " ".join(capsys.readouterr().err.split())


def test_a_source_the_new_build_lacks_keeps_its_entry_with_an_empty_file(three_rows_samples, dataset_dir):
    run_build(PairRun(settings(synthetic=7, samples=str(three_rows_samples)), dataset_dir))
    assert (dataset_dir / "vgpt2_dpo_mined.jsonl").read_text()
    registry = (dataset_dir / "dataset_info.json").read_bytes()
    run_build(PairRun(settings(synthetic=7), dataset_dir))
    assert (dataset_dir / "dataset_info.json").read_bytes() == registry  # the same entries, byte for byte
    assert (dataset_dir / "vgpt2_dpo_mined.jsonl").read_text() == ""  # no stale mined pairs stay behind
    assert {"vgpt2_sft", "vgpt2_dpo", "vgpt2_dpo_synthetic", "vgpt2_dpo_mined"} <= set(json.loads(registry))


@pytest.fixture
def three_rows_samples(found, tmp_path):
    path = tmp_path / "samples.jsonl"
    rows = [row for row, case in found.items if case.gold_sql][:3]
    path.write_text("".join(json.dumps({"id": row.id, "samples": ["No idea."]}) + "\n" for row in rows))
    return path
