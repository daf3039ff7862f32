"""The recipe compiler: recipe YAMLs + a profile + `key=value` overrides -> one checked, flat dict.

In processing order, each step feeding the next:
1. read the recipe (`recipes/<name>.yaml`) and its `extends:` chain, base first;
2. merge the profile (`recipes/profiles/<name>.yaml`, which may extend another profile): its flat keys apply to
   every recipe, its `<recipe>:` section (say `dpo:`) only when compiling that recipe;
3. apply `key=value` overrides, split on the first `=`, values read as YAML (`vgpt2.catalog=PATH` for ours);
4. resolve `${...}` interpolation only now, so `run_name=x` also moves `output_dir: saves/${run_name}/sft`;
5. check every key against LLaMA-Factory's argument dataclasses and ours, every value's type, every file named,
   and chain `vgpt2.model_from` to the stage it continues from (vgpt2_ext/recipe_checks.py);
6. raise one `RecipeError` listing every problem with where it came from, or return a plain dict.
LLaMA-Factory keys stay flat and spelled as LLaMA-Factory spells them; `lf_args` strips our `vgpt2:` section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from vgpt2_ext.argspec import INFER_CLASSES, lf_table
from vgpt2_ext.errors import RecipeError
from vgpt2_ext.reading import read_yaml
from vgpt2_ext.recipe_checks import check_config
from vgpt2_ext.suggest import did_you_mean

RECIPES_DIR = Path("recipes")
DEFAULT_PROFILE = "tiny-cpu"


@dataclass(frozen=True)
class _Layer:
    """One source of settings, applied in order: a file, a profile section or an override."""

    label: str
    values: dict


def compile_recipe(
    recipe: str,
    profile: str | None = DEFAULT_PROFILE,
    overrides: Sequence[str] = (),
    recipes_dir: str | Path = RECIPES_DIR,
    *,
    check_files: bool = True,
) -> dict:
    """Compile `recipe` with `profile` and `overrides` into a plain dict; `RecipeError` lists every problem.

    `check_files=False` previews a recipe that cannot launch yet (its model not downloaded, the stage it
    continues from not trained): keys and values are still checked, files and `vgpt2.model_from` are not.
    """
    recipes_dir = Path(recipes_dir)
    problems: list[str] = []
    layers = _layers(recipe, profile, overrides, recipes_dir, problems)
    merged = OmegaConf.merge(*(OmegaConf.create(layer.values) for layer in layers))
    config = _resolve(merged, problems)
    config = check_config(config, _origins(layers), problems, extra_keys=tuple(recipe_names(recipes_dir)),
                          check_files=check_files)
    if problems:
        raise RecipeError(_report(recipe, problems))
    return config


def recipe_sources(
    recipe: str, profile: str | None = DEFAULT_PROFILE, recipes_dir: str | Path = RECIPES_DIR
) -> list[Path]:
    """The YAML files a compiled recipe was made of, base first (for hashing into the manifest)."""
    recipes_dir = Path(recipes_dir)
    chain = _load_chain(_find(recipe, recipes_dir, "recipe"))
    if profile:
        chain += _load_chain(_find(profile, recipes_dir / "profiles", "profile"))
    return [path for path, _ in chain]


def lf_args(config: dict, purpose: Literal["train", "infer"] = "train") -> dict:
    """What LLaMA-Factory receives: our `vgpt2` section stripped; for inference, only inference keys."""
    if purpose == "train":
        return {key: value for key, value in config.items() if key != "vgpt2"}
    table = lf_table()
    infer = set(INFER_CLASSES)
    return {key: value for key, value in config.items() if infer & set(table.get(key, {}).get("owners", ()))}


def recipe_names(recipes_dir: str | Path = RECIPES_DIR) -> list[str]:
    """Recipes that can be compiled: the YAML files directly under `recipes/`."""
    return sorted(path.stem for path in Path(recipes_dir).glob("*.yaml"))


def profile_names(recipes_dir: str | Path = RECIPES_DIR) -> list[str]:
    """Profiles a recipe can be combined with: the YAML files under `recipes/profiles/`."""
    return sorted(path.stem for path in (Path(recipes_dir) / "profiles").glob("*.yaml"))


def _layers(recipe, profile, overrides, recipes_dir: Path, problems: list[str]) -> list[_Layer]:
    layers = [_Layer(str(path), values) for path, values in _load_chain(_find(recipe, recipes_dir, "recipe"))]
    if profile:
        sections = set(recipe_names(recipes_dir))
        for path, values in _load_chain(_find(profile, recipes_dir / "profiles", "profile")):
            layers.append(_Layer(str(path), {k: v for k, v in values.items() if k not in sections}))
            if recipe in values:
                layers.append(_section_layer(path, recipe, values[recipe], problems))
    return layers + [_override_layer(item, problems) for item in overrides]


def _section_layer(path: Path, recipe: str, values: object, problems: list[str]) -> _Layer:
    label = f"{path} (`{recipe}:` section)"
    if not isinstance(values, dict):
        problems.append(f"{label}: must be a mapping of settings, got {values!r}")
        return _Layer(label, {})
    return _Layer(label, values)


def _override_layer(item: str, problems: list[str]) -> _Layer:
    label = f"override `{item}`"
    key, sep, _ = item.partition("=")
    if not sep or not key.strip():
        problems.append(f"{label}: not KEY=VALUE (for example `learning_rate=5e-5`)")
        return _Layer(label, {})
    try:
        return _Layer(label, OmegaConf.to_container(OmegaConf.from_dotlist([item])))
    except (OmegaConfBaseException, yaml.YAMLError) as error:
        problems.append(f"{label}: cannot read the value ({_first_line(error)})")
        return _Layer(label, {})


def _find(name: str, directory: Path, kind: str) -> Path:
    if name.endswith((".yaml", ".yml")):
        path = Path(name)
    else:
        path = directory / f"{name}.yaml"
    if path.is_file():
        return path
    if not directory.is_dir():
        raise RecipeError(f"no {kind} `{name}`: there is no `{directory}` folder in `{Path.cwd()}`; run vgpt2 inside "
                          "the vgpt2 project (the folder holding recipes/ and the Makefile) or name a YAML file")
    known = sorted(p.stem for p in directory.glob("*.yaml"))
    listed = ", ".join(f"`{k}`" for k in known) or "none"
    raise RecipeError(f"no {kind} `{name}` (no file `{path}`){did_you_mean(name, known)}; known: {listed}")


def _load_chain(path: Path) -> list[tuple[Path, dict]]:
    """`path` and the files it `extends:`, base first, each with its settings (the `extends` key removed)."""
    chain: list[tuple[Path, dict]] = []
    while path is not None:
        if path.resolve() in [p.resolve() for p, _ in chain]:
            raise RecipeError(f"`{chain[-1][0]}`: `extends` makes a cycle through `{path}`")
        values = _read(path)
        parent = values.pop("extends", None)
        chain.append((path, values))
        path = _parent(path, parent)
    return chain[::-1]


def _parent(path: Path, parent: object) -> Path | None:
    if parent is None:
        return None
    parent_path = path.parent / str(parent)
    if not parent_path.is_file():
        raise RecipeError(f"`{path}`: `extends: {parent}` names no file (looked for `{parent_path}`)")
    return parent_path


def _read(path: Path) -> dict:
    """The file's settings, read strictly (UTF-8, no key twice, no alias bomb, `1e-4` a number: see
    `vgpt2_ext.reading`), so a file reads values as the `key=value` overrides do."""
    values = read_yaml(path, RecipeError) or {}
    if not isinstance(values, dict):
        raise RecipeError(f"`{path}` must be a mapping of settings, got {type(values).__name__}")
    return values


def _resolve(merged: DictConfig, problems: list[str]) -> dict:
    try:
        return OmegaConf.to_container(merged, resolve=True)
    except OmegaConfBaseException as error:
        problems.append(f"`{getattr(error, 'full_key', '?')}`: cannot resolve: {_first_line(error)}")
        return OmegaConf.to_container(merged, resolve=False)


def _origins(layers: list[_Layer]):
    """A function from a dotted key to the label of the last layer that set it (or a parent of it)."""
    origins: dict[str, str] = {}
    for layer in layers:
        for path in _paths(layer.values):
            origins[path] = layer.label

    def origin(key: str) -> str:
        while key not in origins and "." in key:
            key = key.rsplit(".", 1)[0]
        return origins.get(key, "defaults")

    return origin


def _paths(values: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in values.items():
        paths.append(prefix + str(key))
        if isinstance(value, dict):
            paths += _paths(value, f"{prefix}{key}.")
    return paths


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _report(recipe: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"recipe `{recipe}`: {problems[0]}"
    listed = "\n".join(f"  - {problem}" for problem in problems)
    return f"recipe `{recipe}` has {len(problems)} problems:\n{listed}"
