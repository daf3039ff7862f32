"""`vgpt2 train RECIPE`: compile a training recipe, write it and a manifest into the run folder, run LLaMA-Factory.

    vgpt2 train sft
    vgpt2 train --profile qwen2.5-7b-lora sft learning_rate=1e-4 run_name=exp1   # options first
    vgpt2 train sft --resume          # continue from the last checkpoint
    FORCE_TORCHRUN=1 NPROC_PER_NODE=2 vgpt2 train sft
"""

from __future__ import annotations

import argparse
import os

from rich.console import Console
from rich.table import Table

from vgpt2_ext import launcher
from vgpt2_ext.commands.recipe_args import add_recipe_arguments, command_line
from vgpt2_ext.train_summary import summary_table, write_summary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train a stage (sft, dpo) on LLaMA-Factory", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recipe", help="training recipe under recipes/: sft or dpo (or a YAML path)")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--resume", action="store_true", help="continue from the run folder's last checkpoint")
    modes.add_argument("--overwrite", action="store_true", help="delete the run folder's outputs and start over")
    add_recipe_arguments(parser)
    parser.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    mode = "resume" if args.resume else "overwrite" if args.overwrite else "new"
    flags = [f"--{mode}"] if mode != "new" else []
    command = command_line("train", "--profile", args.profile, *flags, args.recipe, *args.overrides)
    launch = launcher.prepare_train(args.recipe, args.profile, args.overrides, mode, command)
    console = Console()
    console.print(_plan(launch, args.profile))
    status = launcher.run(launch)
    if status != 0:
        console.print(f"[bold red]llamafactory-cli train failed (exit {status})[/]; its log is above")
        return status
    console.print(_summary(launch))
    summary = write_summary(launch.folder, str(launch.lf_config.get("stage", "sft")))
    if summary is not None:
        console.print(summary_table(summary))
    return 0


def _plan(launch: launcher.Launch, profile: str) -> Table:
    config = launch.config  # paths as the recipe wrote them (compiled.yaml holds them absolute)
    per_device = config.get("per_device_train_batch_size", 8)
    accumulation = config.get("gradient_accumulation_steps", 1)
    processes = _processes()
    table = Table(title=f"vgpt2 train {config.get('stage')} · profile {profile}", show_header=False)
    table.add_row("run folder", str(launch.folder))
    table.add_row("model", config["model_name_or_path"] + _adapters(config))
    table.add_row("method / data", f"{config.get('finetuning_type', 'lora')} on {config.get('dataset')}")
    table.add_row("batch", f"{per_device} per device × {accumulation} accumulation × {processes} "
                           f"process(es) = {per_device * accumulation * processes} sequences per step")
    table.add_row("start", f"resume from {launch.resume_from}" if launch.resume_from else "fresh")
    return table


def _adapters(config: dict) -> str:
    adapters = config.get("adapter_name_or_path")
    return f" + adapters {adapters}" if adapters else ""


def _processes() -> int:
    if os.environ.get("FORCE_TORCHRUN", "").lower() not in ("1", "true", "yes", "on"):
        return 1
    return int(os.environ.get("NPROC_PER_NODE", "1")) * int(os.environ.get("NNODES", "1"))


def _summary(launch: launcher.Launch) -> Table:
    results = launcher.results(launch.folder)
    table = Table(title="finished", show_header=False)
    for key in ("train_loss", "epoch", "train_runtime", "train_samples_per_second"):
        if key in results:
            table.add_row(key, f"{results[key]:.4g}" if isinstance(results[key], float) else str(results[key]))
    table.add_row("outputs", f"{launch.folder} (compiled.yaml, manifest.json, trainer_log.jsonl, model)")
    return table
