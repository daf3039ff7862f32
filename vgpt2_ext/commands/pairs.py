"""`vgpt2 pairs build`: make, prove and register the DPO preference pairs (what `make pairs` and `make dpo` run).

    vgpt2 pairs build                                            # synthetic + mined from saves/vgpt2/sft
    vgpt2 pairs build vgpt2.pairs.synthetic=3000 vgpt2.pairs.mix.base_table=0
    vgpt2 pairs build vgpt2.pairs.samples=dataset_info/vgpt2_dpo_samples.jsonl    # re-mine recorded samples
    vgpt2 pairs build vgpt2.pairs.model=null                     # synthetic only, before any training
    vgpt2 pairs build --catalog ../shared/fixtures/vista         # = vgpt2.catalog=PATH, as the SFT data had

Reads the `dpo` recipe's `vgpt2.pairs` settings; mines the model `vgpt2.pairs.model` names (dpo.yaml: the run's
SFT stage) when it finished training. Writes dataset_info/vgpt2_dpo*.jsonl, their dataset_info.json entries
and PAIR_CARD.md/.json, then prints a one-screen summary. The pairs are judged against the catalog the SFT data
was built from; another one is an error, not thousands of silently dropped candidates.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.commands.progress import progress_bars
from vgpt2_ext.commands.recipe_args import add_catalog_option, add_recipe_arguments, catalog_overrides


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pairs", help="build the DPO preference pairs", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build, prove and register vgpt2_dpo (make pairs)")
    add_catalog_option(build)
    add_recipe_arguments(build)
    build.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    from vgpt2_ext.pairs.pipeline import PairRun, run_build
    from vgpt2_ext.recipe import compile_recipe
    from vgpt2_ext.settings import load_settings

    # the pairs are built before DPO trains: its own chaining (`vgpt2.model_from`) is not needed here
    overrides = catalog_overrides(args)
    config = compile_recipe("dpo", args.profile, [*overrides, "vgpt2.model_from=null"])
    settings = load_settings(config["vgpt2"])
    sampler, model = _sampler(args.profile, overrides, settings)
    run = PairRun(settings, Path(config.get("dataset_dir") or "dataset_info"), sampler, model,
                  config.get("model_name_or_path"))
    console = Console()
    started = time.perf_counter()
    with progress_bars(console, 24) as advance:
        result = run_build(run, progress=advance)
    _summary(console, result, run, time.perf_counter() - started)
    return 0


def _sampler(profile: str, overrides: list[str], settings) -> tuple[Callable | None, str]:
    """(what makes the sampling backend, which model it is) or (None, why nothing is sampled)."""
    from vgpt2_ext.backends import generator
    from vgpt2_ext.errors import RecipeError
    from vgpt2_ext.recipe import compile_recipe
    from vgpt2_ext.stages import trained_model

    pairs, validate = settings.pairs, settings.validate
    if pairs.samples or pairs.prompts <= 0:
        return None, "recorded samples" if pairs.samples else "`vgpt2.pairs.prompts` is 0"
    if pairs.backend == "openai":
        return (lambda: generator("openai", {}, validate)), f"`{validate.api_model}` at {validate.endpoint}"
    if pairs.model is None:
        return None, "`vgpt2.pairs.model` is null"
    try:
        model = trained_model(pairs.model)
    except RecipeError as error:
        return None, str(error)
    config = compile_recipe("validate", profile, [*overrides, f"vgpt2.model_from={pairs.model}"])
    adapters = f" + adapters {', '.join(model.adapters)}" if model.adapters else ""
    return (lambda: generator("hf", config, validate, batch_size=pairs.batch_size)), \
        f"`{model.model_name_or_path}`{adapters}"


def _summary(console: Console, result, run, seconds: float) -> None:
    card = result.card
    table = Table(title=f"vgpt2_dpo: {card['pairs']} proven pairs in {seconds:.1f} s", title_justify="left")
    for name in ("kind", "source", "target", "pairs", "dropped"):
        table.add_column(name, justify="left" if name in ("kind", "source", "dropped") else "right")
    for kind, row in card["kinds"].items():
        dropped = ", ".join(f"{reason} {n}" for reason, n in row["dropped"].items()) or "-"
        table.add_row(kind, row["source"], "" if row["target"] is None else str(row["target"]), str(row["pairs"]),
                      dropped)
    console.print(table)
    console.print(f"mining: {card['mining']['status']}", highlight=False)
    reasons = ", ".join(f"{name} {n}" for name, n in card["reasons"].items()) or "none"
    console.print(f"rejected answers fail: {reasons}", highlight=False)
    console.print(f"wrote {', '.join(sorted(result.files.values()))}, dataset_info.json and PAIR_CARD.md "
                  f"in {run.out_dir}/", highlight=False)
