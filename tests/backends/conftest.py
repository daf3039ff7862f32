"""The embedded tiny model for the generation tests: the repository's copy when built, else one per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_folder(request: pytest.FixtureRequest) -> Path:
    model = REPO / "models" / "tiny-qwen2"
    return model if (model / "config.json").is_file() else request.getfixturevalue("tiny_model_dir")
