"""The recipe compiler: profiles, overrides, interpolation, one error listing every problem, LF's own parser."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.errors import RecipeError
from vgpt2_ext.recipe import compile_recipe, lf_args, profile_names, recipe_names, recipe_sources
from vgpt2_ext.stages import CONFIG_FILE, DONE_FILE

REPO = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).with_name("recipe_cases.yaml")).read_text(encoding="utf-8"))
COMBINATIONS = list(itertools.product(recipe_names(REPO / "recipes"), profile_names(REPO / "recipes")))


@pytest.fixture
def model_dir(tmp_path: Path) -> str:
    """Any existing folder passes the model check; compile-only tests need no real weights."""
    return f"model_name_or_path={tmp_path}"


@pytest.mark.parametrize("case", CASES, ids=[case["title"] for case in CASES])
def test_invalid_override_fails_with_a_message_naming_it(in_repo, model_dir, case):
    with pytest.raises(RecipeError) as raised:
        compile_recipe("sft", "tiny-cpu", [model_dir, *case["overrides"]])
    for fragment in case["expect"]:
        assert fragment in str(raised.value)
    if "problems" in case:
        assert str(raised.value).count("\n  - ") == case["problems"]


def test_override_splits_on_the_first_equals_sign(in_repo, model_dir):
    config = compile_recipe("sft", "tiny-cpu", [model_dir, "default_system=x=1 means y"])
    assert config["default_system"] == "x=1 means y"


def test_run_name_override_moves_the_interpolated_output_dir(in_repo, model_dir):
    assert compile_recipe("sft", "tiny-cpu", [model_dir, "run_name=exp1"])["output_dir"] == "saves/exp1/sft"
    numeric = compile_recipe("sft", "tiny-cpu", [model_dir, "run_name=2024"])
    assert (numeric["run_name"], numeric["output_dir"]) == ("2024", "saves/2024/sft")


def test_profile_section_applies_only_to_its_recipe_and_overrides_win(in_repo, model_dir):
    sft = compile_recipe("sft", "tiny-cpu", [model_dir])
    dpo = compile_recipe("dpo", "tiny-cpu", [model_dir, "vgpt2.model_from=null"])
    assert (sft["learning_rate"], dpo["learning_rate"]) == (1e-3, 2e-5)
    assert compile_recipe("sft", "tiny-cpu", [model_dir, "learning_rate=5e-5"])["learning_rate"] == 5e-5


def test_compiled_recipe_is_flat_with_our_section_and_defaults_filled(in_repo, model_dir):
    config = compile_recipe("sft", "tiny-cpu", [model_dir, "vgpt2.catalog=recipes"])
    ours = {key: config["vgpt2"][key] for key in ("catalog", "schema_context", "model_from")}
    assert ours == {"catalog": "recipes", "schema_context": "pruned", "model_from": None}
    assert "extends" not in config and "sft" not in config and "dpo" not in config
    assert "vgpt2" not in lf_args(config)


def test_inference_args_keep_only_inference_keys(in_repo, model_dir):
    config = compile_recipe("sft", "tiny-cpu", [model_dir])
    infer = lf_args(config, "infer")
    assert infer["template"] == "qwen" and infer["default_system"] == config["default_system"]
    assert "output_dir" not in infer and "learning_rate" not in infer and "vgpt2" not in infer


def test_unknown_recipe_and_profile_suggest_the_closest(in_repo):
    with pytest.raises(RecipeError, match="no recipe `sfft`.*did you mean `sft`"):
        compile_recipe("sfft")
    with pytest.raises(RecipeError, match="no profile `tiny_cpu`.*did you mean `tiny-cpu`"):
        compile_recipe("sft", "tiny_cpu")


def test_missing_tiny_model_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no models/ here
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset_info.json").write_text("{}")
    with pytest.raises(RecipeError, match="vgpt2 tiny-model"):
        compile_recipe("sft", "tiny-cpu", ["dataset_dir=data"], recipes_dir=REPO / "recipes")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_extends_cycle_and_missing_parent_are_errors(tmp_path):
    _write(tmp_path / "a.yaml", "extends: b.yaml\n")
    _write(tmp_path / "b.yaml", "extends: a.yaml\n")
    _write(tmp_path / "c.yaml", "extends: nope.yaml\n")
    with pytest.raises(RecipeError, match="cycle"):
        compile_recipe("a", None, recipes_dir=tmp_path)
    with pytest.raises(RecipeError, match="`extends: nope.yaml` names no file"):
        compile_recipe("c", None, recipes_dir=tmp_path)


def test_profile_section_must_be_a_mapping(tmp_path):
    _write(tmp_path / "sft.yaml", "stage: sft\n")
    _write(tmp_path / "profiles" / "p.yaml", "sft: 3\n")
    with pytest.raises(RecipeError, match=r"`sft:` section\): must be a mapping"):
        compile_recipe("sft", "p", recipes_dir=tmp_path)


def test_every_yaml_under_recipes_is_part_of_a_compiled_combination():
    recipes = REPO / "recipes"
    used = {path.resolve() for recipe, profile in COMBINATIONS for path in recipe_sources(recipe, profile, recipes)}
    assert used == {path.resolve() for path in (REPO / "recipes").rglob("*.yaml")}


@pytest.fixture
def finished_run(tmp_path: Path):
    """A run folder whose SFT stage (compiled with the given profile) looks finished, for chained recipes."""

    def make(profile: str, model: str) -> Path:
        config = compile_recipe("sft", profile, [model, f"output_dir={tmp_path}/run/sft"])
        _write(tmp_path / "run" / "sft" / CONFIG_FILE, yaml.safe_dump(lf_args(config)))
        _write(tmp_path / "run" / "sft" / DONE_FILE, "{}")
        return tmp_path / "run"

    return make


@pytest.mark.parametrize(("recipe", "profile"), COMBINATIONS, ids=[f"{r}-{p}" for r, p in COMBINATIONS])
def test_every_recipe_and_profile_passes_llamafactorys_own_parser(in_repo, finished_run, tmp_path, recipe, profile,
                                                                  monkeypatch):
    import torch
    from llamafactory.hparams import get_infer_args, get_train_args

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # hub ids are fine here: nothing is loaded
    model = f"model_name_or_path={tmp_path}" if profile == "tiny-cpu" else "model_name_or_path=Qwen/Qwen2.5-7B-Instruct"
    run = finished_run(profile, model)
    chain = {"dpo": [f"vgpt2.model_from={run}/sft"], "validate": [f"vgpt2.model_from={run}"],
             "export": [f"vgpt2.model_from={run}", f"export_dir={tmp_path}/export"]}.get(recipe, [])
    config = compile_recipe(recipe, profile, [model, f"output_dir={tmp_path}/out", *chain])
    if config.get("do_train"):
        args = lf_args(config)
        if args.get("bf16") and not torch.cuda.is_available():
            args["use_cpu"] = True  # GPU profiles on a CPU-only machine: the parser refuses bf16 otherwise
        args.pop("deepspeed", None)  # DeepSpeed needs its package and torchrun; its JSON is checked in test_stages
        model_args, data_args, training_args, finetuning_args, _ = get_train_args(args)
        assert finetuning_args.stage == config["stage"]
        assert training_args.learning_rate == config["learning_rate"]
    else:
        model_args, data_args, finetuning_args, _ = get_infer_args(lf_args(config, "infer"))
    assert data_args.template == config["template"]  # the profile's (qwen, smollm2)
    assert data_args.default_system == config["default_system"]


def test_show_previews_a_recipe_that_cannot_launch_yet_and_says_why(in_repo, capsys):
    from vgpt2_ext.cli import main

    assert main(["recipe", "show", "dpo", "run_name=never-trained", "pref_beta=0.2"]) == 0
    out, err = capsys.readouterr()
    shown = yaml.safe_load(out)
    assert shown["stage"] == "dpo" and shown["pref_beta"] == 0.2
    assert shown["vgpt2"]["model_from"] == "saves/never-trained/sft"  # unchained: there is nothing to chain to
    assert "cannot launch yet" in err and "`saves/never-trained/sft` holds no finished training" in err


def test_show_still_fails_on_a_wrong_key_of_a_recipe_that_cannot_launch(in_repo, capsys):
    from vgpt2_ext.cli import main

    assert main(["recipe", "show", "dpo", "run_name=never-trained", "pref_bta=0.2"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "unknown key `pref_bta`; did you mean one of `pref_beta`" in err


def test_warmup_ratio_beside_warmup_steps_is_an_error_naming_both(in_repo):
    """LLaMA-Factory's examples write `warmup_ratio: 0.1`; our recipes `warmup_steps: 0.1` (the same share)."""
    with pytest.raises(RecipeError) as raised:
        compile_recipe("sft", "tiny-cpu", ["warmup_ratio=0.05"], check_files=False)
    assert str(raised.value) == (
        "recipe `sft`: override `warmup_ratio=0.05`: `warmup_ratio` 0.05 and `warmup_steps` 0.1 (set in "
        "recipes/sft.yaml) both set the warmup; keep one: `warmup_steps=0.05` means the same share of all steps "
        "(a value below 1 is a share), `warmup_ratio` is deprecated in transformers 5")
    alone = compile_recipe("sft", "tiny-cpu", ["warmup_ratio=0.05", "warmup_steps=0"], check_files=False)
    assert alone["warmup_ratio"] == 0.05
