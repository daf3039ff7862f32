"""The default build on the embedded sample: the default SFT data (6,000 examples) gives at least 1,000 proven
pairs, every corruption type at its full share."""

from __future__ import annotations

import dataclasses

import pytest

from vgpt2_ext.data.pipeline import DataRun
from vgpt2_ext.data.pipeline import run_build as build_sft
from vgpt2_ext.pairs.pipeline import PairRun, run_build
from vgpt2_ext.settings import Settings

from .conftest import CASES, SYSTEM


@pytest.mark.slow
def test_the_default_build_proves_at_least_a_thousand_pairs(tmp_path):
    settings = Settings(data=dataclasses.replace(Settings().data, decontaminate=CASES))
    build_sft(DataRun(settings, SYSTEM, tmp_path))
    card = run_build(PairRun(settings, tmp_path)).card
    assert card["pairs"] == settings.pairs.synthetic >= 1000
    assert all(kind["pairs"] == kind["target"] for kind in card["kinds"].values() if kind["source"] == "synthetic")
    assert sum(v["count"] for v in card["dropped"].values()) < 0.05 * card["pairs"]
