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


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, where `recipes/` and `dataset_info/` are found."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded tiny model, built once per session into a tmp folder (seconds on CPU)."""
    from vgpt2_ext.tiny_model import build_tiny_model

    out = tmp_path_factory.mktemp("models") / "tiny-qwen2"
    build_tiny_model(out, seed=0)
    return out


@pytest.fixture
def tiny_overrides(tiny_model_dir: Path, tmp_path: Path) -> list[str]:
    """Overrides that make any training recipe a seconds-long run on the tiny model inside `tmp_path`."""
    return [
        f"model_name_or_path={tiny_model_dir}",
        f"output_dir={tmp_path}/run/sft",
        "max_steps=4",
        "save_steps=2",
        "logging_steps=1",
        "per_device_train_batch_size=2",
        "cutoff_len=256",
        "plot_loss=false",
    ]


@pytest.fixture(scope="session")
def vista_fixture() -> Path:
    """The folder of the real Vista catalog export (../shared/fixtures/vista); skips the test where it is
    absent, as on a user's fresh machine. Load it with `load_catalog(vista_fixture)` (cached per process)."""
    if not (VISTA_FIXTURE / "information_schema_columns.csv").is_file():
        pytest.skip(f"the real Vista catalog export is not at {VISTA_FIXTURE} (see its README.md)")
    return VISTA_FIXTURE
