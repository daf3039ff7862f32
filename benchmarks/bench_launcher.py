"""Launch overhead: `vgpt2 train sft` against raw `llamafactory-cli train` on the same compiled config.

Both train the tiny model on the tiny-cpu profile from a fresh output folder; runs alternate so drift hits both
alike. The ratio of medians must stay at or below 1.05: compiling, checking, hashing and writing the manifest
may not cost more than 5 % of a (short) training launch. Results: benchmarks/results/launcher.{json,md}.
    .venv/bin/python benchmarks/bench_launcher.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.tiny_model import DEFAULT_DIR, build_tiny_model

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
TARGET = 1.05
BIN = Path(sys.executable).parent


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _raw_config(work: Path) -> Path:
    """The exact config `vgpt2 train` writes, pointed at another folder, for the raw launcher."""
    subprocess.run([str(BIN / "vgpt2"), "train", "--overwrite", "sft", f"output_dir={work}/vgpt2"], check=True,
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # also warms caches
    config = yaml.safe_load((work / "vgpt2" / "compiled.yaml").read_text())
    config["output_dir"] = str(work / "raw")
    write_text(work / "raw.yaml", yaml.safe_dump(config, sort_keys=False))
    return work / "raw.yaml"


def measure(runs: int) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not (REPO / DEFAULT_DIR / "config.json").is_file():
        build_tiny_model(REPO / DEFAULT_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        raw_config = _raw_config(work)
        vgpt2_times, raw_times = [], []
        for _ in range(runs):
            vgpt2_times.append(_timed([str(BIN / "vgpt2"), "train", "--overwrite", "sft", f"output_dir={work}/vgpt2"]))
            shutil.rmtree(work / "raw", ignore_errors=True)
            raw_times.append(_timed([str(BIN / "llamafactory-cli"), "train", str(raw_config)]))
        compile_times = [_timed([str(BIN / "vgpt2"), "recipe", "show", "sft"]) for _ in range(runs)]
    vgpt2_median, raw_median = statistics.median(vgpt2_times), statistics.median(raw_times)
    return {
        "runs": runs,
        "cpu_count": os.cpu_count(),
        "vgpt2_train_s": vgpt2_times,
        "llamafactory_cli_train_s": raw_times,
        "vgpt2_recipe_show_s": compile_times,
        "vgpt2_median_s": round(vgpt2_median, 3),
        "raw_median_s": round(raw_median, 3),
        "compile_median_s": round(statistics.median(compile_times), 3),
        "ratio": round(vgpt2_median / raw_median, 4),
        "target": TARGET,
        "passed": vgpt2_median / raw_median <= TARGET,
    }


def _markdown(result: dict) -> str:
    return "\n".join([
        "# Launch overhead: `vgpt2 train sft` vs `llamafactory-cli train`",
        "",
        f"Tiny model, tiny-cpu profile, {result['runs']} alternating runs each, {result['cpu_count']} CPUs.",
        "",
        "| launcher | median (s) |",
        "| --- | --- |",
        f"| `vgpt2 train sft` | {result['vgpt2_median_s']} |",
        f"| `llamafactory-cli train compiled.yaml` | {result['raw_median_s']} |",
        f"| `vgpt2 recipe show sft` (compile only) | {result['compile_median_s']} |",
        "",
        f"Ratio {result['ratio']} (target ≤ {result['target']}): {'pass' if result['passed'] else 'FAIL'}.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each launcher (default: 5)")
    result = measure(parser.parse_args().runs)
    write_json(RESULTS / "launcher.json", result)
    write_text(RESULTS / "launcher.md", _markdown(result))
    table = Table(title="launch overhead")
    for column in ("vgpt2 median s", "raw median s", "compile median s", "ratio", "target"):
        table.add_column(column)
    table.add_row(*(str(result[k]) for k in ("vgpt2_median_s", "raw_median_s", "compile_median_s", "ratio", "target")))
    Console().print(table)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
