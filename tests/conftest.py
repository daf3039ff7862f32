"""Shared fixtures: the repository root as working directory, offline hubs, one tiny model per session, and
the real Vista catalog export (`vista_fixture`, skipped with a reason where it is absent).

Training tests run the real CLI on the embedded tiny model with a handful of steps and outputs in tmp
folders (see `tiny_overrides`), so the suite proves the pipeline on two CPU cores in minutes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the real Vista catalog export shared beside the checkout; never copied into the repository
VISTA_FIXTURE = REPO.parent / "shared" / "fixtures" / "vista"
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing in the tests may reach a hub


@pytest.fixture(scope="session")
def repo_tiny_model() -> Path:
    """The embedded model where the default profile expects it (`models/tiny-qwen2`, git-ignored), built
    as `make sft` builds it when missing, so tests of the default recipes also run from a clean clone."""
    from vgpt2_ext.tiny_model import DEFAULT_DIR, build_tiny_model

    path = REPO / DEFAULT_DIR
    if not (path / "config.json").is_file():
        build_tiny_model(path, seed=0)
    return path


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch, repo_tiny_model: Path) -> Path:
    """Run the test from the repository root, where `recipes/` and the default model are found."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded tiny model, built once per session into a tmp folder (seconds on CPU)."""
    from vgpt2_ext.tiny_model import build_tiny_model

    out = tmp_path_factory.mktemp("models") / "tiny-qwen2"
    build_tiny_model(out, seed=0)
    return out


@pytest.fixture(scope="session")
def sft_dataset_dir(tmp_path_factory: pytest.TempPathFactory, repo_tiny_model: Path) -> Path:
    """A small `vgpt2_sft` built by the real `vgpt2 data build` into a tmp `dataset_dir`: the generated
    files in `dataset_info/` are not in git, and training tests must not depend on a developer's build."""
    from vgpt2_ext.cli import main

    out = tmp_path_factory.mktemp("dataset_info")
    (out / "dataset_info.json").write_text("{}", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        code = main(["data", "build", f"dataset_dir={out}", "vgpt2.data.examples=96", "vgpt2.data.workers=1"])
    finally:
        os.chdir(cwd)
    assert code == 0, "building the test dataset failed"
    return out


@pytest.fixture
def tiny_overrides(tiny_model_dir: Path, sft_dataset_dir: Path, tmp_path: Path) -> list[str]:
    """Overrides that make any training recipe a seconds-long run on the tiny model inside `tmp_path`."""
    return [
        f"model_name_or_path={tiny_model_dir}",
        f"dataset_dir={sft_dataset_dir}",
        f"output_dir={tmp_path}/run/sft",
        "max_steps=4",
        "save_steps=2",
        "logging_steps=1",
        "per_device_train_batch_size=2",
        "cutoff_len=256",
        "plot_loss=false",
    ]


@pytest.fixture
def llamafactory_load(tiny_model_dir: Path):
    """`load(name, folder, stage)`: a registered dataset through LLaMA-Factory's own pipeline (registry ->
    loader -> converter -> tokenised examples; the tiny model's tokenizer, the `qwen` template). It drops a
    malformed row with only a warning, so tests count what comes out against the rows written."""
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments, ModelArguments
    from llamafactory.model import load_tokenizer
    from transformers import Seq2SeqTrainingArguments

    def load(name: str, folder: Path, stage: str = "sft"):
        model_args = ModelArguments(model_name_or_path=str(tiny_model_dir))
        data_args = DataArguments(dataset=name, dataset_dir=str(folder), template="qwen", cutoff_len=4096,
                                  overwrite_cache=True)
        training_args = Seq2SeqTrainingArguments(output_dir=str(folder / "out"), do_train=True)
        tokenizer_module = load_tokenizer(model_args)
        template = get_template_and_fix_tokenizer(tokenizer_module["tokenizer"], data_args)
        return get_dataset(template, model_args, data_args, training_args, stage=stage, **tokenizer_module)

    return load


@pytest.fixture(scope="session")
def vista_fixture() -> Path:
    """The folder of the real Vista catalog export (../shared/fixtures/vista); skips the test where it is
    absent, as on a user's fresh machine. Load it with `load_catalog(vista_fixture)` (cached per process)."""
    if not (VISTA_FIXTURE / "information_schema_columns.csv").is_file():
        pytest.skip(f"the real Vista catalog export is not at {VISTA_FIXTURE} (see its README.md)")
    return VISTA_FIXTURE
