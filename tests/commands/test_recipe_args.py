"""Recipe arguments as users type them: `--catalog` on the builders, KEY=VALUE words anywhere among options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG
from vgpt2_ext.cli import build_parser, main, parse

REPO = Path(__file__).resolve().parents[2]
IDEAL = REPO / "tests" / "eval_suite" / "ideal_answers.jsonl"
REDGATE = REPO / "tests" / "catalog" / "data" / "ddl" / "redgate"


@pytest.mark.parametrize(("argv", "overrides"), [
    (["validate", "a=1", "--report-dir", "d", "b=2"], ["a=1", "b=2"]),
    (["train", "sft", "--profile", "p", "lr=1", "--resume", "lr=2"], ["lr=1", "lr=2"]),
    (["data", "build", "x.y=1", "--if-stale", "--catalog", "c", "z=a=b"], ["x.y=1", "z=a=b"]),
], ids=["validate", "train after the recipe", "data build"])
def test_key_value_words_join_the_overrides_in_order_wherever_they_stand(argv, overrides):
    assert parse(build_parser(), argv).overrides == overrides


def test_an_option_spelled_like_a_setting_gets_a_usage_error_with_the_key_value_form(capsys):
    with pytest.raises(SystemExit) as raised:
        parse(build_parser(), ["data", "build", "--learning_rate", "1e-4"])
    err = " ".join(capsys.readouterr().err.split())
    assert raised.value.code == 2 and err.startswith("usage: vgpt2 data build")
    assert "unrecognized arguments: --learning_rate; recipe settings are KEY=VALUE words, e.g. " \
           "`learning_rate=VALUE`" in err


def test_an_option_naming_one_of_our_settings_points_at_its_vgpt2_key(capsys):
    with pytest.raises(SystemExit):
        parse(build_parser(), ["recipe", "show", "sft", "--catalog", "x"])
    assert "e.g. `vgpt2.catalog=VALUE`" in " ".join(capsys.readouterr().err.split())


def test_validate_reads_a_setting_placed_after_an_option(in_repo, tmp_path, capsys):
    code = main(["validate", "vgpt2.validate.thresholds.sql_generation=0.7", "--responses", str(IDEAL),
                 "--report-dir", str(tmp_path), "vgpt2.validate.thresholds.hallucination=0.95"])
    assert code == 0, capsys.readouterr().err
    categories = json.loads((tmp_path / "report.json").read_text())["categories"]
    assert (categories["sql_generation"]["threshold"], categories["hallucination"]["threshold"]) == (0.7, 0.95)


@pytest.fixture(scope="module")
def redgate_data(tmp_path_factory, repo_tiny_model) -> Path:
    """SFT data built by `vgpt2 data build --catalog <a small DDL catalog>` (not the default catalog)."""
    out = tmp_path_factory.mktemp("redgate")
    (out / "dataset_info.json").write_text("{}")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        code = main(["data", "build", "--catalog", str(REDGATE), f"dataset_dir={out}", "vgpt2.data.examples=40",
                     "vgpt2.data.workers=1", "vgpt2.data.decontaminate=null"])
    assert code == 0
    return out


def test_data_build_takes_catalog_like_the_other_commands(redgate_data):
    card = json.loads((redgate_data / "DATA_CARD.json").read_text())
    assert card["catalog"]["name"] == "redgate" and card["catalog"]["source"] == str(REDGATE)


def test_pairs_build_takes_catalog_and_it_wins_over_the_setting(in_repo, redgate_data, tmp_path, capsys):
    data = Path(shutil.copytree(redgate_data, tmp_path / "data"))
    code = main(["pairs", "build", "--catalog", str(REDGATE), f"dataset_dir={data}", f"vgpt2.catalog={SAMPLE_CATALOG}",
                 "vgpt2.pairs.model=null", "vgpt2.pairs.synthetic=6"])
    assert code == 0, capsys.readouterr().err
    assert json.loads((data / "PAIR_CARD.json").read_text())["settings"]["catalog"] == str(REDGATE)
