"""Data-parallel training on two CPU processes through LLaMA-Factory's torchrun launcher (gloo backend)."""

from __future__ import annotations

import json
import math

import pytest

from vgpt2_ext.cli import main


@pytest.mark.slow
def test_sft_runs_data_parallel_on_two_processes(in_repo, tiny_overrides, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("FORCE_TORCHRUN", "1")
    monkeypatch.setenv("NPROC_PER_NODE", "2")
    overrides = [*tiny_overrides, "max_steps=-1", "num_train_epochs=1", "max_samples=16"]
    assert main(["train", "sft", *overrides]) == 0

    output = capfd.readouterr()
    assert "Process rank: 0, world size: 2" in output.err + output.out
    assert "Process rank: 1, world size: 2" in output.err + output.out
    folder = tmp_path / "run" / "sft"
    log = [json.loads(line) for line in (folder / "trainer_log.jsonl").read_text().splitlines()]
    assert log[-1]["total_steps"] == 4  # 16 examples / (2 per device x 2 processes): half the steps of one process
    assert all(math.isfinite(row["loss"]) for row in log if "loss" in row)
    assert (folder / "model.safetensors").is_file()
    assert json.loads((folder / "manifest.json").read_text())["env"]["NPROC_PER_NODE"] == "2"
