"""Pair-building test helpers: a small proven SFT set, the material made from it, and one small pair build.

Everything is built once per session into tmp folders (a few seconds): 360 SFT examples from the data
pipeline, and a build of 140 synthetic pairs over them, decontaminated against the shipped validation cases.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.data.pipeline import DataRun, run_build
from vgpt2_ext.data.seeds import load_seeds
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.pairs.collect import Collector
from vgpt2_ext.pairs.pipeline import PairRun
from vgpt2_ext.pairs.pipeline import run_build as build_pairs
from vgpt2_ext.pairs.proof import Prover
from vgpt2_ext.pairs.rows import load_rows
from vgpt2_ext.pairs.settings import PairSettings
from vgpt2_ext.pairs.synthetic import material
from vgpt2_ext.sandbox import sandbox_for
from vgpt2_ext.settings import Settings

REPO = Path(__file__).resolve().parents[2]
CASES = str(REPO / "eval_suite" / "cases")
SYSTEM = "You are VGPT2, a test system prompt."


def settings(**pairs) -> Settings:
    """Recipe settings of a small build: 360 SFT examples, 140 synthetic pairs, nothing mined."""
    data = dataclasses.replace(DataSettings(), examples=360, workers=1, decontaminate=CASES)
    return Settings(schema_context="pruned", data=data, pairs=dataclasses.replace(PairSettings(),
                                                                                   **{"synthetic": 140, **pairs}))


@pytest.fixture(scope="session")
def sft_dir(tmp_path_factory) -> Path:
    """A dataset folder holding a registered, proven `vgpt2_sft` (and nothing else)."""
    out = tmp_path_factory.mktemp("sft")
    run_build(DataRun(settings(), SYSTEM, out))
    return out


@pytest.fixture
def dataset_dir(sft_dir, tmp_path) -> Path:
    """A private copy of `sft_dir` a test may build pairs into."""
    return Path(shutil.copytree(sft_dir, tmp_path / "dataset_info"))


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def rows(sft_dir):
    return load_rows(sft_dir / "vgpt2_sft.jsonl")


@pytest.fixture(scope="session")
def found(rows, catalog):
    return material(rows, catalog, load_seeds())


@pytest.fixture
def collector(catalog) -> Collector:
    return Collector(Prover(catalog, sandbox_for(catalog), ValidateSettings().thresholds), None)


@pytest.fixture(scope="session")
def built(sft_dir, tmp_path_factory):
    """(dataset folder, PairResult) of the default synthetic build, small."""
    out = Path(shutil.copytree(sft_dir, tmp_path_factory.mktemp("pairs") / "dataset_info"))
    return out, build_pairs(PairRun(settings(), out))
