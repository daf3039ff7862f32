"""DPO pair building throughput: synthetic pairs proven per second, and mined pairs per model sample.

Synthetic: the default build (`vgpt2.pairs.synthetic` 1500 on the embedded sample) over a fresh default SFT build
(6,000 examples), minus the command line: corruption, the judge on both answers (parse, ground, execute in the
sandbox), decontamination, files, registry and card. Mined: the tiny-cpu profile's mining (16 prompts x 4 samples
of at most 96 tokens) with the embedded tiny model through the hf backend, the model loaded once beforehand (its
load time is reported apart); figures per sample drawn, with sampling and judging timed separately. Medians of
`--runs` (seeds 0..runs-1). Results: benchmarks/results/pairs.{json,md}.
    .venv/bin/python benchmarks/bench_pairs.py [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.data.pipeline import DataRun
from vgpt2_ext.data.pipeline import run_build as build_sft
from vgpt2_ext.pairs.pipeline import PairRun, run_build
from vgpt2_ext.pairs.settings import PairSettings
from vgpt2_ext.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
MINING = {"prompts": 16, "samples_per_prompt": 4, "max_new_tokens": 96}  # recipes/profiles/tiny-cpu.yaml


def settings(**pairs) -> Settings:
    data = dataclasses.replace(Settings().data, decontaminate=str(REPO / "eval_suite" / "cases"))
    return Settings(data=data, pairs=dataclasses.replace(PairSettings(), **pairs))


def synthetic_run(sft: Path, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        folder = Path(shutil.copytree(sft, Path(out) / "d"))
        wall = time.perf_counter()
        result = run_build(PairRun(settings(seed=seed), folder))
        wall = time.perf_counter() - wall
    pairs = result.card["pairs"]
    return {"wall_s": round(wall, 2), "pairs": pairs, "pairs_per_s": round(pairs / wall, 1),
            "dropped": sum(v["count"] for v in result.card["dropped"].values())}


def mined_run(sft: Path, backend, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        folder = Path(shutil.copytree(sft, Path(out) / "d"))
        wall = time.perf_counter()
        result = run_build(PairRun(settings(synthetic=0, seed=seed, **MINING), folder, sampler=lambda: backend,
                                   model="the tiny model"))
        wall = time.perf_counter() - wall
    seconds, mining = result.card["seconds"], result.card["mining"]
    mined = result.card["sources"]["mined"] + result.card["sources"]["synthetic"]  # fallbacks are synthetic
    return {"wall_s": round(wall, 2), "samples": mining["samples"], "pairs": mined,
            "pairs_per_sample": round(mined / mining["samples"], 3),
            "samples_per_s": round(mining["samples"] / seconds["mined"], 2), "mining_s": seconds["mined"]}


def tiny_backend():
    from vgpt2_ext.backends.hf import HFBackend
    from vgpt2_ext.tiny_model import build_tiny_model

    model = REPO / "models" / "tiny-qwen2"
    if not (model / "config.json").is_file():
        model = Path(tempfile.mkdtemp()) / "tiny-qwen2"
        build_tiny_model(model, seed=0)
    started = time.perf_counter()
    backend = HFBackend({"model_name_or_path": str(model), "template": "qwen", "finetuning_type": "full"},
                        batch_size=PairSettings().batch_size)
    return backend, round(time.perf_counter() - started, 2)


def median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def markdown(report: dict) -> str:
    syn, mined = report["synthetic"]["median"], report["mined"]["median"]
    return "\n".join([
        "# Pair building benchmark", "", report["note"], "",
        "| build | wall s | pairs | pairs/s | samples | samples/s | pairs/sample |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| synthetic (default, 1500) | {syn['wall_s']} | {syn['pairs']} | {syn['pairs_per_s']} | | | |",
        f"| mined (tiny model, 16 x 4) | {mined['wall_s']} | {mined['pairs']} | "
        f"{round(mined['pairs'] / mined['wall_s'], 2)} | {mined['samples']} | {mined['samples_per_s']} | "
        f"{mined['pairs_per_sample']} |", "",
        f"Tiny model load (once, not in the mined figures): {report['mined']['load_s']} s. Mined pairs include the "
        "synthetic fallbacks of prompts whose samples all passed; the untrained tiny model's samples all fail, so "
        "every mined prompt yields `rejected_per_prompt` (2) pairs against the gold answer.", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as sft_root:
        sft = Path(sft_root) / "sft"
        build_sft(DataRun(settings(), "You are VGPT2.", sft))
        synthetic = [synthetic_run(sft, seed) for seed in range(args.runs)]
        backend, load_s = tiny_backend()
        mined = [mined_run(sft, backend, seed) for seed in range(args.runs)]
    load = os.getloadavg()[0]
    report = {"note": f"Medians of {args.runs} runs (seeds 0..{args.runs - 1}); {os.cpu_count()} CPUs, 1-minute load "
                      f"average at the end {load:.1f}.",
              "synthetic": {"runs": synthetic, "median": median(synthetic)},
              "mined": {"runs": mined, "median": median(mined), "load_s": load_s, "settings": MINING}}
    write_json(RESULTS / "pairs.json", report)
    write_text(RESULTS / "pairs.md", markdown(report))
    table = Table(title="pairs benchmark (medians)")
    for column in ("build", "wall s", "pairs", "per second", "per sample"):
        table.add_column(column)
    syn, min_ = report["synthetic"]["median"], report["mined"]["median"]
    table.add_row("synthetic", str(syn["wall_s"]), str(syn["pairs"]), str(syn["pairs_per_s"]), "")
    table.add_row("mined", str(min_["wall_s"]), str(min_["pairs"]), f"{min_['samples_per_s']} samples",
                  str(min_["pairs_per_sample"]))
    Console().print(table)


if __name__ == "__main__":
    main()
