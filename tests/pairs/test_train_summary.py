"""The run summary of a finished stage, from LLaMA-Factory's trainer state (or its trainer log): first, last and
last-quarter figures per metric, `summary.json` and the curves PNG; nothing without a history."""

from __future__ import annotations

import json

import pytest

from vgpt2_ext.train_summary import history, summarise, summary_table, write_summary


def _state(folder, rows):
    final = {"epoch": 1.0, "step": rows[-1]["step"], "train_loss": 0.5, "train_runtime": 3.0}
    (folder / "trainer_state.json").write_text(json.dumps({"log_history": [*rows, final]}))


DPO_ROWS = [{"step": s, "loss": 0.7 - 0.05 * s, "rewards/accuracies": min(1.0, 0.25 * s),
             "rewards/margins": 0.1 * s, "rewards/chosen": 0.05 * s, "rewards/rejected": -0.05 * s,
             "learning_rate": 1e-4} for s in range(1, 9)]


def test_a_dpo_summary_reports_rewards_and_draws_the_curves(tmp_path):
    _state(tmp_path, DPO_ROWS)
    summary = write_summary(tmp_path, "dpo")
    loaded = json.loads((tmp_path / "summary.json").read_text())
    assert loaded["steps"] == 8 and loaded["metrics"] == summary["metrics"]
    accuracy = summary["metrics"]["rewards/accuracies"]
    assert (accuracy["first"], accuracy["last"], accuracy["tail_mean"]) == (0.25, 1.0, 1.0)
    assert summary["metrics"]["rewards/margins"]["tail_mean"] == pytest.approx(0.75)
    assert summary["curves"]["loss"][0] == [1, pytest.approx(0.65)]
    assert (tmp_path / "dpo_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert summary_table(summary).row_count == 5


def test_an_sft_summary_has_the_loss_only(tmp_path):
    _state(tmp_path, [{"step": s, "loss": 3.0 / s} for s in range(1, 5)])
    summary = write_summary(tmp_path, "sft")
    assert list(summary["metrics"]) == ["loss"] and (tmp_path / "sft_curves.png").is_file()


def test_without_trainer_state_the_trainer_log_is_read(tmp_path):
    lines = [{"current_steps": 1, "loss": 0.69, "accuracy": 0.0}, {"current_steps": 2, "loss": 0.6, "accuracy": 1.0},
             {"current_steps": 2, "total_steps": 2}]
    (tmp_path / "trainer_log.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert history(tmp_path) == [{"step": 1, "loss": 0.69, "rewards/accuracies": 0.0},
                                 {"step": 2, "loss": 0.6, "rewards/accuracies": 1.0}]
    assert summarise(history(tmp_path), "dpo")["metrics"]["rewards/accuracies"]["last"] == 1.0


def test_nothing_is_written_without_a_history(tmp_path):
    assert write_summary(tmp_path, "dpo") is None and not (tmp_path / "summary.json").exists()
