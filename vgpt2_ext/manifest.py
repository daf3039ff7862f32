"""The manifest of a launch: what is needed to tell two runs apart or to repeat one.

Written beside the compiled config in the run folder: the exact command, the git commit (and whether the tree
had uncommitted changes), content hashes of every recipe file and dataset file used, package versions, the seed,
the launcher environment (FORCE_TORCHRUN, NPROC_PER_NODE, ...) and the full compiled config including our
`vgpt2` section.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from vgpt2_ext.atomic import sha256_file

PACKAGES = ("vgpt2", "llamafactory", "torch", "transformers", "peft", "trl", "datasets", "accelerate",
            "tokenizers", "deepspeed")
LAUNCH_ENV = ("FORCE_TORCHRUN", "NPROC_PER_NODE", "NNODES", "NODE_RANK", "MASTER_ADDR", "MASTER_PORT",
              "USE_RAY", "CUDA_VISIBLE_DEVICES", "HF_HUB_OFFLINE")


def build_manifest(config: dict, sources: Sequence[Path], command: str, launch: Sequence[str], **extra) -> dict:
    """The manifest of launching `launch` (the LLaMA-Factory command) for `config`, asked for by `command`."""
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "launch": list(launch),
        "seed": config.get("seed"),
        "git": git_state(),
        "recipe_files": {str(path): sha256_file(path) for path in sources},
        "datasets": dataset_hashes(config),
        "packages": package_versions(),
        "python": platform.python_version(),
        "env": {name: os.environ[name] for name in LAUNCH_ENV if name in os.environ},
        "config": config,
        **extra,
    }


def _sha256_dir(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path)}\0{sha256_file(file)}\n".encode())
    return digest.hexdigest()


def dataset_hashes(config: dict) -> dict:
    """For each dataset the config trains or evaluates on: its registry entry's file and content hash."""
    registry_path = Path(str(config.get("dataset_dir", "data"))) / "dataset_info.json"
    try:
        registry = json.loads(registry_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        registry = {}
    names = [n.strip() for key in ("dataset", "eval_dataset") for n in str(config.get(key) or "").split(",")]
    return {name: _dataset_entry(registry_path.parent, registry.get(name)) for name in names if name}


def _dataset_entry(dataset_dir: Path, entry: dict | None) -> dict:
    if entry is None:
        return {"registered": False}
    if "file_name" not in entry:
        return {"source": next((entry[k] for k in ("hf_hub_url", "ms_hub_url", "om_hub_url", "script_url")
                                if k in entry), None)}
    path = dataset_dir / entry["file_name"]
    if path.is_dir():
        return {"file": str(path), "sha256": _sha256_dir(path)}
    return {"file": str(path), "sha256": sha256_file(path) if path.is_file() else None}


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def git_state() -> dict | None:
    """The commit checked out and whether tracked files differ from it; None outside a git checkout."""
    try:
        commit = _git("rev-parse", "HEAD")
        dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": dirty}


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=True, timeout=30)
    return result.stdout.strip()
