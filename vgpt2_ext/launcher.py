"""Launch a stage on LLaMA-Factory: compile, guard the run folder, write config and manifest, run the CLI.

The run folder of a training stage is its `output_dir` (`saves/<run>/<stage>/`). Left alone, LLaMA-Factory
silently resumes from a checkpoint there, or refuses a folder holding a model without one; we decide up front
instead. A folder holding training outputs is refused unless the launch resumes (from its last checkpoint) or
overwrites (deletes it and starts over); `compiled.yaml` and `manifest.json` are ours and are not outputs. A
fresh start then finds an empty folder; a resume gets an explicit `resume_from_checkpoint`. `compiled.yaml`
never carries `overwrite_output_dir`, so repeating it by hand (`llamafactory-cli train compiled.yaml`) into a
finished folder meets LLaMA-Factory's own refusal (or continues from the last checkpoint) instead of erasing the
run, and its paths are absolute, so it works from any folder. Training runs as `llamafactory-cli train
<compiled.yaml>`, so LLaMA-Factory's own launcher handles FORCE_TORCHRUN, NPROC_PER_NODE, NNODES, NODE_RANK,
MASTER_ADDR/PORT and USE_RAY.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.data.registry import REGISTRY, read_registry
from vgpt2_ext.errors import RecipeError, VGPT2Error
from vgpt2_ext.manifest import build_manifest
from vgpt2_ext.recipe import DEFAULT_PROFILE, RECIPES_DIR, compile_recipe, lf_args, recipe_sources
from vgpt2_ext.stages import CONFIG_FILE, DONE_FILE, MANIFEST_FILE

Mode = Literal["new", "resume", "overwrite"]
_CHECKPOINT = re.compile(r"checkpoint-(\d+)")
_OURS = (CONFIG_FILE, MANIFEST_FILE)
_LAUNCHER_KEYS = ("overwrite_output_dir", "resume_from_checkpoint")
# keys naming files or folders LLaMA-Factory reads (made absolute when they exist here: else a hub id) ...
_READ_PATHS = ("model_name_or_path", "adapter_name_or_path", "ref_model", "ref_model_adapters",
               "reward_model_adapters", "adapter_folder", "dataset_dir", "media_dir", "deepspeed",
               "resume_from_checkpoint")
# ... or may write (always made absolute)
_WRITTEN_PATHS = ("output_dir", "export_dir", "logging_dir", "profiler_output_dir", "tokenized_path", "cache_dir")
_PATH_LISTS = ("adapter_name_or_path", "ref_model_adapters", "reward_model_adapters")  # comma-separated


@dataclass(frozen=True)
class Launch:
    """A prepared launch: the files are written, `command` is what runs."""

    folder: Path
    command: list[str]
    config: dict  # the compiled recipe, our `vgpt2` section included
    lf_config: dict  # what LLaMA-Factory reads (compiled.yaml)
    resume_from: str | None


def prepare_train(
    recipe: str,
    profile: str | None = DEFAULT_PROFILE,
    overrides: Sequence[str] = (),
    mode: Mode = "new",
    command: str = "",
    recipes_dir: str | Path = RECIPES_DIR,
) -> Launch:
    """Compile a training recipe and write its compiled config and manifest into its run folder."""
    config = compile_recipe(recipe, profile, overrides, recipes_dir)
    if config.get("do_train") is not True:
        raise RecipeError(f"recipe `{recipe}` does not train (`do_train` is not true); use `vgpt2 train sft|dpo`")
    for key in _LAUNCHER_KEYS:
        if key in config:
            raise RecipeError(f"`{key}` is the launcher's to set: use RESUME=1 or OVERWRITE=1 (--resume, --overwrite)")
    _refuse_empty_datasets(config)
    folder = Path(config["output_dir"])
    resume_from = _claim_folder(folder, mode)
    flags = {"resume_from_checkpoint": resume_from} if resume_from else {}
    lf_config = absolute_paths(lf_args(config, "train") | flags)
    sources = recipe_sources(recipe, profile, recipes_dir)
    return _write(folder, "train", config, lf_config, sources, command, mode=mode, resume_from=resume_from)


def prepare_export(
    profile: str | None = DEFAULT_PROFILE,
    overrides: Sequence[str] = (),
    command: str = "",
    recipes_dir: str | Path = RECIPES_DIR,
) -> Launch:
    """Compile the export recipe (latest stage of the run, adapters merged) into its export folder."""
    config = compile_recipe("export", profile, overrides, recipes_dir)
    folder = Path(config["export_dir"])
    _claim_folder(folder, "overwrite")  # an export is derived data: redoing it replaces the old one
    sources = recipe_sources("export", profile, recipes_dir)
    return _write(folder, "export", config, absolute_paths(lf_args(config, "infer")), sources, command,
                  mode="overwrite")


def absolute_paths(lf_config: dict) -> dict:
    """`lf_config` with its relative paths made absolute, so `llamafactory-cli train compiled.yaml` reads and
    writes the same files from any folder. A value that names nothing here (a hub id) is left as it is."""
    anchored = dict(lf_config)
    for key in (*_READ_PATHS, *_WRITTEN_PATHS):
        value = anchored.get(key)
        if isinstance(value, str) and value:
            parts = value.split(",") if key in _PATH_LISTS else [value]
            anchored[key] = ",".join(_absolute(part.strip(), key in _WRITTEN_PATHS) for part in parts)
    return anchored


def _absolute(value: str, written: bool) -> str:
    path = Path(value).expanduser()
    return str(path.absolute()) if not path.is_absolute() and (written or path.exists()) else value


def _refuse_empty_datasets(config: dict) -> None:
    """A registered dataset whose file has no rows (`vgpt2_dpo_mined` when nothing was mined: every entry stays
    registered so the tracked registry never changes) is refused here, with what to do, instead of failing deep
    inside LLaMA-Factory's loader ("Please pass `features` or at least one example")."""
    folder = Path(str(config.get("dataset_dir") or "data"))
    registry = read_registry(folder / REGISTRY)
    names = [n.strip() for key in ("dataset", "eval_dataset") for n in str(config.get(key) or "").split(",")]
    for name in filter(None, names):
        file = (registry.get(name) or {}).get("file_name")
        if file and (folder / file).is_file() and not (folder / file).read_text(encoding="utf-8").strip():
            raise VGPT2Error(f"dataset `{name}` has no rows (`{folder / file}` is empty): build it first "
                             "(`make data` for vgpt2_sft*, `make pairs` for vgpt2_dpo*; `vgpt2_dpo_mined` stays "
                             "empty until a finished SFT stage is mined)")


def _write(folder: Path, action: str, config: dict, lf_config: dict, sources, command: str, **extra) -> Launch:
    config_path = folder / CONFIG_FILE
    launch = [_lf_cli(), action, str(config_path)]
    manifest = build_manifest(config, sources, command, launch, **extra)
    previous = _read_manifest(folder)
    if previous is not None and extra.get("mode") == "resume":
        manifest["history"] = previous.pop("history", []) + [previous]
    write_text(config_path, yaml.safe_dump(lf_config, sort_keys=False, allow_unicode=True, width=120))
    write_json(folder / MANIFEST_FILE, manifest)
    return Launch(folder, launch, config, lf_config, extra.get("resume_from"))


def run(launch: Launch) -> int:
    """Run LLaMA-Factory in the foreground; its exit status.

    Our interpreter's bin folder goes first on PATH: LLaMA-Factory starts `torchrun` by name (FORCE_TORCHRUN),
    which must be the one installed beside it even when the virtual environment is not activated.
    """
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(launch.command, check=False, env={**os.environ, "PATH": path}).returncode


def training_outputs(folder: Path) -> list[str]:
    """Names in `folder` that a training run left (everything but our config, manifest and temp files)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name not in _OURS and not p.name.startswith("."))


def last_checkpoint(folder: Path) -> Path | None:
    """The `checkpoint-N` folder with the highest N, as the Trainer numbers them by step."""
    steps = [(int(m.group(1)), p) for p in folder.glob("checkpoint-*") if (m := _CHECKPOINT.fullmatch(p.name))]
    return max(steps)[1] if steps else None


def _claim_folder(folder: Path, mode: Mode) -> str | None:
    outputs = training_outputs(folder)
    if mode == "resume":
        checkpoint = last_checkpoint(folder) if folder.is_dir() else None
        if checkpoint is None:
            raise VGPT2Error(f"nothing to resume: `{folder}` holds no `checkpoint-*` folder; run without RESUME=1")
        return str(checkpoint)
    if outputs and mode == "new":
        listed = ", ".join(outputs[:4]) + (", ..." if len(outputs) > 4 else "")
        raise VGPT2Error(
            f"`{folder}` already holds training outputs ({listed}); RESUME=1 continues from its last checkpoint, "
            "OVERWRITE=1 starts over (`--resume`, `--overwrite`), or choose another RUN"
        )
    if outputs:
        if not (folder / MANIFEST_FILE).is_file():
            raise VGPT2Error(f"`{folder}` was not made by vgpt2 (no `{MANIFEST_FILE}`): delete it yourself, or "
                             "choose another RUN")
        shutil.rmtree(folder)
    return None


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _lf_cli() -> str:
    beside = Path(sys.executable).with_name("llamafactory-cli")
    found = str(beside) if beside.is_file() else shutil.which("llamafactory-cli")
    if found is None:
        raise VGPT2Error("`llamafactory-cli` is not installed here; run `make install`")
    return found


def results(folder: Path) -> dict:
    """LLaMA-Factory's final metrics of a finished stage (`train_results.json`), or {} while unfinished."""
    try:
        return json.loads((folder / DONE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
