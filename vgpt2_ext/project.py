"""The project folder: where `recipes/` lives, and with it `saves/`, `dataset_info/` and `models/`.

Recipes name those folders relative to the project (`output_dir: saves/${run_name}/sft`), so every command
runs there. It is the nearest folder at or above the current one holding `recipes/base.yaml`, else the
checkout this package was installed from (an editable install), so `vgpt2` works from any folder. Paths the
user typed as options (`--responses answers.jsonl`) keep meaning what they meant where they were typed; such
options default to None, so a default (`models/tiny-qwen2`) stays in the project folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

MARKER = Path("recipes") / "base.yaml"
# options that name files or folders, on any subcommand that has them
PATH_OPTIONS = ("catalog", "cases", "responses", "report_dir", "baseline", "out", "text")
# a recipe or profile is a name under recipes/ or, ending in .yaml, a path
NAME_OR_PATH = ("recipe", "profile")


def find_root(start: Path) -> Path | None:
    """The project folder for a command started in `start`, or None outside any project."""
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    checkout = Path(__file__).resolve().parents[1]
    return checkout if (checkout / MARKER).is_file() else None


def anchor_paths(args: argparse.Namespace, root: Path | None) -> argparse.Namespace:
    """`args` with the paths typed as options made absolute, when the command is to run in another folder
    (`root`) than the current one; unchanged otherwise, so printed paths stay as the user wrote them."""
    here = Path.cwd()
    if root is None or root.resolve() == here.resolve():
        return args
    for name in PATH_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, list):
            setattr(args, name, [_anchored(here, item) for item in value])
        elif isinstance(value, (str, Path)):
            setattr(args, name, _anchored(here, value))
    for name in NAME_OR_PATH:
        value = getattr(args, name, None)
        if isinstance(value, str) and value.endswith((".yaml", ".yml")):
            setattr(args, name, _anchored(here, value))
    return args


def _anchored(here: Path, value: str | Path) -> str | Path:
    path = (here / Path(value).expanduser()).absolute()
    return path if isinstance(value, Path) else str(path)
